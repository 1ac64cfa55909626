"""Students' answers that several grading tests reuse, kept as source text.

The cheat tests run them in a fresh process, the self-check and batch-grader tests put them in
notebook cells and the student-edition tests in another interpreter, so they are text here;
:class:`naive` turns corr2d's into a function, beside correct loop versions of every other
graded function.
"""

import numpy as np

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

# --- a chapter-2 student: corr2d_pad_stride right, but the output_size it calls wrong ----------

OUTPUT_SIZE = '''
def output_size(n, k, padding=0, stride=1, dilation=1):
    return (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1
'''
OUTPUT_SIZE_PADDING_ONCE = OUTPUT_SIZE.replace("2 * padding", "padding")

# Every mode right, but no check of the amounts: it pads what PyTorch refuses.
PAD2D_UNCHECKED = '''
def pad2d(X, padding, mode="zeros"):
    X = np.asarray(X, dtype=np.result_type(X, 1.0))
    top, bottom, left, right = (padding,) * 4 if np.ndim(padding) == 0 else (
        (padding[0], padding[0], padding[1], padding[1]) if len(padding) == 2 else padding)
    H, W = X.shape
    rows = np.arange(-top, H + bottom)
    cols = np.arange(-left, W + right)
    if mode == "zeros":
        Y = np.zeros((len(rows), len(cols)), dtype=X.dtype)
        Y[top:top + H, left:left + W] = X
        return Y
    fold = {"replicate": lambda j, n: np.clip(j, 0, n - 1), "circular": lambda j, n: j % n,
            "reflect": lambda j, n: (n - 1) - np.abs((n - 1) - np.abs(j))}[mode]
    return X[fold(rows, H)[:, None], fold(cols, W)]
'''

# Right in itself: its output is only as wrong as the output_size (and pad2d) it calls.
CORR2D_PAD_STRIDE = '''
def corr2d_pad_stride(X, K, padding=0, stride=1, padding_mode="zeros"):
    ph, pw = (padding, padding) if np.ndim(padding) == 0 else padding
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    K = np.asarray(K, dtype=float)
    Xp = pad2d(X, (ph, pw), padding_mode)
    oh, ow = output_size(len(X), len(K), ph, sh), output_size(len(X[0]), len(K[0]), pw, sw)
    return np.array([[(Xp[i * sh:i * sh + len(K), j * sw:j * sw + len(K[0])] * K).sum() for j in range(ow)]
                     for i in range(oh)])
'''

# What the feedback says of them: the failed cases of corr2d_pad_stride name output_size, and
# pad2d fails the visible case that must raise.
UPSTREAM = "hint: your output_size(8, 3, padding=1) returns 7, not 8: fix output_size first"
REFLECT_TOO_LARGE = "reflect padding of 4 rows on a 4-row input is too large, as in PyTorch"
REFUSED = f"expected a ValueError: {REFLECT_TOO_LARGE}; it returned a float64 array of shape (12, 4) instead"


# --- a student's loop implementations (all correct) ---------------------------------------------

def _defined(source: str, name: str):
    namespace = {"np": np}
    exec(source, namespace)
    return namespace[name]


class naive:
    """Correct implementations in the style the notebooks teach: loops over output cells."""

    corr2d = staticmethod(_defined(CORR2D_LOOP, "corr2d"))

    @staticmethod
    def convolve2d(X, K):
        return naive.corr2d(X, np.asarray(K)[::-1, ::-1])

    class Conv2D:
        def __init__(self, kernel_size):
            self.weight = np.random.uniform(size=kernel_size)
            self.bias = 0.0

        def __call__(self, X):
            return naive.corr2d(X, self.weight) + self.bias

    @staticmethod
    def learn_kernel(X, Y, kernel_shape, lr=0.03, steps=20):
        K = np.zeros(kernel_shape, dtype=np.result_type(X, Y, 1.0))
        for _ in range(steps):
            K -= lr * naive.corr2d(X, 2 * (naive.corr2d(X, K) - Y))
        return K

    @staticmethod
    def output_size(n, k, padding=0, stride=1, dilation=1):
        return (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1

    @staticmethod
    def sides(padding):
        if isinstance(padding, int):
            return (padding,) * 4
        if len(padding) == 2:
            return padding[0], padding[0], padding[1], padding[1]
        return tuple(padding)

    @staticmethod
    def source(i, n, mode):
        if mode == "replicate":
            return min(max(i, 0), n - 1)
        if mode == "circular":
            return i % n
        i = -i if i < 0 else i
        return 2 * (n - 1) - i if i > n - 1 else i

    @staticmethod
    def pad2d(X, padding, mode="zeros"):
        X = np.asarray(X)
        top, bottom, left, right = naive.sides(padding)
        H, W = X.shape
        # PyTorch's limits: reflect pads less than the axis, circular at most the axis.
        for n, amount in ((H, max(top, bottom)), (W, max(left, right))):
            if mode in ("reflect", "circular") and amount >= n + (mode == "circular"):
                raise ValueError(f"{mode} padding {padding!r} is too large for an axis of {n}")
        Y = np.zeros((top + H + bottom, left + W + right), dtype=np.result_type(X, 1.0))
        for i in range(Y.shape[0]):
            for j in range(Y.shape[1]):
                si, sj = i - top, j - left
                if mode != "zeros":
                    Y[i, j] = X[naive.source(si, H, mode), naive.source(sj, W, mode)]
                elif 0 <= si < H and 0 <= sj < W:
                    Y[i, j] = X[si, sj]
        return Y

    @staticmethod
    def corr2d_pad_stride(X, K, padding=0, stride=1, padding_mode="zeros"):
        K = np.asarray(K)
        ph, pw = (padding, padding) if isinstance(padding, int) else padding
        sh, sw = (stride, stride) if isinstance(stride, int) else stride
        Xp = naive.pad2d(X, (ph, pw), padding_mode)
        h, w = K.shape
        Y = np.zeros(((Xp.shape[0] - h) // sh + 1, (Xp.shape[1] - w) // sw + 1), dtype=np.result_type(Xp, K, 1.0))
        for i in range(Y.shape[0]):
            for j in range(Y.shape[1]):
                Y[i, j] = (Xp[i * sh:i * sh + h, j * sw:j * sw + w] * K).sum()
        return Y

    @staticmethod
    def same_padding(k, dilation=1):
        if np.ndim(k) or np.ndim(dilation):  # a pair (or a list) for either: one answer per axis
            (kh, kw), (dh, dw) = (np.broadcast_to(value, 2).tolist() for value in (k, dilation))
            return naive.same_padding(kh, dh), naive.same_padding(kw, dw)
        total = dilation * (k - 1)
        return total // 2, total - total // 2

    @staticmethod
    def corr2d_multi_in(X, K):
        return sum(naive.corr2d(x, k) for x, k in zip(X, K))

    @staticmethod
    def corr2d_multi_in_out(X, K):
        return np.stack([naive.corr2d_multi_in(X, k) for k in K])

    @staticmethod
    def conv2d_params(c_in, c_out, kh, kw, groups=1, bias=True):
        return c_out * (c_in // groups) * kh * kw + (c_out if bias else 0)

    @staticmethod
    def conv2d_macs(c_in, c_out, kh, kw, oh, ow, groups=1):
        return c_in * c_out * kh * kw * oh * ow // groups

    @staticmethod
    def as_float(A):
        A = np.asarray(A)
        return A.astype(np.float64) if A.dtype.kind in "biu" else A

    @staticmethod
    def corr2d_multi_in_out_1x1(X, K):
        X, K = naive.as_float(X), naive.as_float(K)
        c_in, H, W = X.shape
        return (K.reshape(K.shape[0], c_in) @ X.reshape(c_in, H * W)).reshape(-1, H, W)

    @staticmethod
    def pointwise_as_linear(X, W, b):
        X, W, b = naive.as_float(X), naive.as_float(W), naive.as_float(b)
        N, _, H, Wd = X.shape
        Y = np.zeros((N, W.shape[0], H, Wd), dtype=np.result_type(X, W, b))
        for n in range(N):
            for i in range(H):
                for j in range(Wd):
                    Y[n, :, i, j] = W @ X[n, :, i, j] + b
        return Y

    @staticmethod
    def pool2d(X, pool_size, mode="max"):
        X = naive.as_float(X)
        h, w = pool_size
        Y = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype)
        for i in range(Y.shape[0]):
            for j in range(Y.shape[1]):
                window = X[i:i + h, j:j + w]
                Y[i, j] = window.max() if mode == "max" else window.mean()
        return Y

    @staticmethod
    def pool2d_strided(X, pool_size, stride=None, padding=0, mode="max"):
        X = naive.as_float(X)
        h, w = pool_size
        sh, sw = (h, w) if stride is None else (stride, stride)
        fill = -np.inf if mode == "max" else 0
        Xp = np.pad(X, ((0, 0), (padding, padding), (padding, padding)), constant_values=fill)
        Y = np.zeros((X.shape[0], (Xp.shape[1] - h) // sh + 1, (Xp.shape[2] - w) // sw + 1), dtype=X.dtype)
        for c in range(Y.shape[0]):
            for i in range(Y.shape[1]):
                for j in range(Y.shape[2]):
                    window = Xp[c, i * sh:i * sh + h, j * sw:j * sw + w]
                    Y[c, i, j] = window.max() if mode == "max" else window.mean()
        return Y

    @staticmethod
    def conv2d_grouped(X, K, groups):
        X, K = np.asarray(X), np.asarray(K)
        ci, co = X.shape[0] // groups, K.shape[0] // groups
        return np.concatenate([naive.corr2d_multi_in_out(X[g * ci:(g + 1) * ci], K[g * co:(g + 1) * co])
                               for g in range(groups)])

    @staticmethod
    def depthwise_separable(X, K_depth, K_point):
        depth = np.stack([naive.corr2d(x, k[0]) for x, k in zip(np.asarray(X), np.asarray(K_depth))])
        return naive.corr2d_multi_in_out(depth, K_point)

    @staticmethod
    def corr2d_dilated(X, K, dilation):
        X, K = np.asarray(X), np.asarray(K)
        dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
        h, w = K.shape
        Y = np.zeros((X.shape[0] - dh * (h - 1), X.shape[1] - dw * (w - 1)), dtype=np.result_type(X, K, 1.0))
        for i in range(Y.shape[0]):
            for j in range(Y.shape[1]):
                Y[i, j] = (X[i:i + dh * (h - 1) + 1:dh, j:j + dw * (w - 1) + 1:dw] * K).sum()
        return Y

    @staticmethod
    def trans_conv(X, K, stride=1):
        X, K = np.asarray(X), np.asarray(K)
        h, w = K.shape
        Y = np.zeros(((X.shape[0] - 1) * stride + h, (X.shape[1] - 1) * stride + w), dtype=np.result_type(X, K, 1.0))
        for i in range(X.shape[0]):
            for j in range(X.shape[1]):
                Y[i * stride:i * stride + h, j * stride:j * stride + w] += X[i, j] * K
        return Y

    @staticmethod
    def conv_matrix(K, input_shape):
        K = naive.as_float(K)
        H, W = input_shape
        h, w = K.shape
        oh, ow = H - h + 1, W - w + 1
        M = np.zeros((oh * ow, H * W), dtype=K.dtype)
        for y in range(oh):
            for x in range(ow):
                image = np.zeros((H, W), dtype=K.dtype)
                image[y:y + h, x:x + w] = K
                M[y * ow + x] = image.ravel()
        return M

    @staticmethod
    def receptive_field(kernel_sizes, strides=None, dilations=None):
        strides = strides or [1] * len(kernel_sizes)
        dilations = dilations or [1] * len(kernel_sizes)
        field, jump = 1, 1
        for k, s, d in zip(kernel_sizes, strides, dilations):
            field += d * (k - 1) * jump
            jump *= s
        return field

    @staticmethod
    def numerical_gradient(f, X, eps=1e-6):
        X = np.array(X, dtype=np.float64)
        grad = np.zeros(X.shape)
        for index in np.ndindex(X.shape):
            above, below = X.copy(), X.copy()
            above[index] += eps
            below[index] -= eps
            grad[index] = (f(above) - f(below)) / (2 * eps)
        return grad

    @staticmethod
    def corr2d_backward(X, K, dY):
        X, K, dY = np.asarray(X), np.asarray(K), np.asarray(dY)
        h, w = K.shape
        dtype = np.result_type(X, K, dY, 1.0)
        dX, dK = np.zeros(X.shape, dtype), np.zeros(K.shape, dtype)
        for i in range(dY.shape[0]):
            for j in range(dY.shape[1]):
                dX[i:i + h, j:j + w] += dY[i, j] * K
                dK += dY[i, j] * X[i:i + h, j:j + w]
        return dX, dK

    @staticmethod
    def conv2d_forward(X, W, b, padding):
        """The forward convolution of the chapter's CNN (stride 1), a loop over output cells."""
        Xp = np.pad(X, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
        h, w = W.shape[2:]
        Y = np.zeros((X.shape[0], W.shape[0], Xp.shape[2] - h + 1, Xp.shape[3] - w + 1), dtype=np.result_type(X, W))
        for i in range(Y.shape[2]):
            for j in range(Y.shape[3]):
                Y[:, :, i, j] = np.einsum("ncab,ocab->no", Xp[:, :, i:i + h, j:j + w], W) + b
        return Y

    @staticmethod
    def conv2d_backward(X, W, dY, stride=1, padding=0):
        X, W, dY = np.asarray(X), np.asarray(W), np.asarray(dY)
        sh, sw = (stride, stride) if isinstance(stride, int) else stride
        ph, pw = (padding, padding) if isinstance(padding, int) else padding
        dtype = np.result_type(X, W, dY, 1.0)
        Xp = np.pad(X, ((0, 0), (0, 0), (ph, ph), (pw, pw))).astype(dtype)
        dXp, dW = np.zeros(Xp.shape, dtype), np.zeros(W.shape, dtype)
        h, w = W.shape[2:]
        for n in range(dY.shape[0]):
            for i in range(dY.shape[2]):
                for j in range(dY.shape[3]):
                    rows, cols = slice(i * sh, i * sh + h), slice(j * sw, j * sw + w)
                    dXp[n, :, rows, cols] += np.tensordot(dY[n, :, i, j], W, axes=1)
                    dW += dY[n, :, i, j, None, None, None] * Xp[n, None, :, rows, cols]
        dX = dXp[:, :, ph:ph + X.shape[2], pw:pw + X.shape[3]]
        return dX, dW, dY.sum(axis=(0, 2, 3)).astype(dtype)

    @staticmethod
    def pool_windows(X, dY, pool_size, stride):
        """Yield ``(c, i, j, window slices)`` of every pooling window, and the zero gradient to fill."""
        h, w = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
        sh, sw = (h, w) if stride is None else (stride, stride) if isinstance(stride, int) else stride
        dX = np.zeros(np.shape(X), dtype=np.result_type(X, dY, 1.0))
        windows = [(c, i, j, (slice(i * sh, i * sh + h), slice(j * sw, j * sw + w)))
                   for c in range(dY.shape[0]) for i in range(dY.shape[1]) for j in range(dY.shape[2])]
        return dX, windows

    @staticmethod
    def max_pool2d_backward(X, dY, pool_size, stride=None):
        X, dY = np.asarray(X), np.asarray(dY)
        dX, windows = naive.pool_windows(X, dY, pool_size, stride)
        for c, i, j, (rows, cols) in windows:
            a, b = divmod(int(np.argmax(X[c, rows, cols])), cols.stop - cols.start)
            dX[c, rows.start + a, cols.start + b] += dY[c, i, j]
        return dX

    @staticmethod
    def avg_pool2d_backward(X, dY, pool_size, stride=None):
        X, dY = np.asarray(X), np.asarray(dY)
        dX, windows = naive.pool_windows(X, dY, pool_size, stride)
        for c, i, j, (rows, cols) in windows:
            dX[c, rows, cols] += dY[c, i, j] / ((rows.stop - rows.start) * (cols.stop - cols.start))
        return dX

    @staticmethod
    def tiny_cnn_loss(params, X, y):
        W1, b1, W2, b2 = (np.asarray(params[k]) for k in ("W1", "b1", "W2", "b2"))
        X = np.asarray(X).astype(np.result_type(W1, X, 1.0))
        N, C = len(X), len(W1)
        Z = naive.conv2d_forward(X, W1, b1, padding=1)
        A = np.maximum(Z, 0)
        P = np.zeros((N, C, 4, 4), dtype=A.dtype)
        for i in range(4):
            for j in range(4):
                P[:, :, i, j] = A[:, :, 2 * i:2 * i + 2, 2 * j:2 * j + 2].max(axis=(2, 3))
        h = P.reshape(N, -1)
        logits = h @ W2.T + b2
        logits = logits - logits.max(axis=1, keepdims=True)
        probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        loss = -np.log(probs[np.arange(N), y]).mean()
        dz = probs.copy()
        dz[np.arange(N), y] -= 1
        dz /= N
        dP = (dz @ W2).reshape(P.shape)
        dA = naive.max_pool2d_backward(A.reshape(N * C, 8, 8), dP.reshape(N * C, 4, 4), 2).reshape(A.shape)
        _, dW1, db1 = naive.conv2d_backward(X, W1, dA * (Z > 0), padding=1)
        return float(loss), {"W1": dW1, "b1": db1, "W2": dz.T @ h, "b2": dz.sum(axis=0)}
