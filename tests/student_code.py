"""A student's answer that several grading tests reuse, kept as source text.

The cheat tests run it in a fresh process and the self-check tests put it in a notebook cell,
so it is text here; `test_checks.naive` turns it into a function.
"""

# corr2d as the chapter teaches it: a loop over output cells, each the sum of a window times K.
CORR2D_LOOP = '''
def corr2d(X, K):
    X, K = np.asarray(X), np.asarray(K)
    h, w = K.shape
    Y = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=np.result_type(X, K, 1.0))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y
'''

# The same loop with the kernel rotated: a convolve2d handed in as corr2d.
CORR2D_LOOP_ROTATED = CORR2D_LOOP.replace("* K).sum()", "* K[::-1, ::-1]).sum()")
