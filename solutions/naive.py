"""Naive loop versions of the convolution and pooling ops, written the way a chapter first teaches them.

Every function here walks over its output one cell at a time and computes that cell from the
window of input under it: ``(window * K).sum()`` for a convolution, the max or the mean of the
window for pooling. The transposed convolution walks over its *input* instead and scatter-adds
``x[n, c, i, j] * K`` onto an output canvas. Nothing is vectorized beyond one window.

The functions have the same names, signatures and results as the PyTorch-parity ops of
`solutions` (``conv2d``, ``conv_transpose2d``, ``max_pool2d``, ``avg_pool2d`` and their
gradients ``conv2d_backward``, ``max_pool2d_backward``, ``avg_pool2d_backward``) and as the
2-D teaching functions ``corr2d``, ``trans_conv`` and ``corr2d_backward``. A gradient loop
walks over the forward op's output and sends each cell's gradient back to the inputs (and
weights) that cell was computed from. They serve three purposes:

- reading: the loop *is* the definition, with no stride tricks to decode;
- testing: a second oracle, independent of both the vectorized library and PyTorch;
- benchmarking: the slow baseline of ``benchmarks/bench.py`` (expect hundreds of times slower).

Arguments are barely validated here; the vectorized library does that. Integer input is
promoted to float64; float32 stays float32.
"""

import numpy as np

__all__ = ["corr2d", "trans_conv", "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d",
           "corr2d_backward", "conv2d_backward", "max_pool2d_backward", "avg_pool2d_backward"]

# conv2d's padding_mode names (those of nn.Conv2d) and the numpy.pad mode doing the same thing.
_NUMPY_PAD_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


# ---------------------------------------------------------------------------------------------
# Small helpers shared by the ops
# ---------------------------------------------------------------------------------------------

def _pair(v):
    """Return ``v`` as a pair of ints: ``3 -> (3, 3)``, ``(3, 5) -> (3, 5)``."""
    if np.ndim(v) == 0:
        return int(v), int(v)
    a, b = v
    return int(a), int(b)


def _as_float(a):
    """Return ``a`` as a float ndarray: integer and bool input become float64, floats keep their dtype."""
    a = np.asarray(a)
    return a if np.issubdtype(a.dtype, np.floating) else a.astype(np.float64)


def _batched(x):
    """Return ``(X, unbatched)``: ``X`` is ``x`` as a float ``(N, C, H, W)`` array; a ``(C, H, W)`` input gets N = 1."""
    X = _as_float(x)
    if X.ndim not in (3, 4):
        raise ValueError(f"x must have shape (N, C, H, W) or (C, H, W), got shape {X.shape}")
    return (X[None], True) if X.ndim == 3 else (X, False)


def _output_length(n, k, padding, stride, dilation=1, ceil_mode=False):
    """Return the number of windows along one axis: ``floor((n + 2p - d*(k-1) - 1) / s) + 1``.

    With ``ceil_mode`` the division rounds up, and a last window that would start inside the
    right padding is dropped (PyTorch's pooling rule).
    """
    span = n + 2 * padding - dilation * (k - 1) - 1
    length = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (length - 1) * stride >= n + padding:
        length -= 1
    if length < 1:
        raise ValueError(f"the window (kernel {k}, dilation {dilation}) does not fit in an input of "
                         f"size {n} with padding {padding}: output size would be {length}")
    return length


def _window_cells(i, k, padding, stride, dilation):
    """Return the input coordinates, along one axis, of the cells of window ``i``.

    Negative coordinates lie in the left/top padding, coordinates ``>= n`` in the right/bottom
    padding or (in ceil_mode) past it. Windows start at ``i*stride - padding >= -padding``.
    """
    start = i * stride - padding
    return range(start, start + dilation * (k - 1) + 1, dilation)


def _conv_setup(x, weight, stride, padding, dilation, padding_mode="zeros"):
    """Return a convolution's padded input and geometry.

    That is ``(X, unbatched, weight, (sh, sw), (dh, dw), (top, bottom, left, right), (oh, ow))``
    with ``X`` the input as ``(N, C_in, H, W)``, padded in ``padding_mode``.
    """
    X, unbatched = _batched(x)
    weight = _as_float(weight)
    sh, sw = _pair(stride)
    dh, dw = _pair(dilation)
    kh, kw = weight.shape[2:]
    if isinstance(padding, str) and padding == "same" and (sh, sw) != (1, 1):
        raise ValueError(f"padding='same' needs stride 1, got stride={stride}")
    sides = top, bottom, left, right = _conv_padding(padding, (kh, kw), (dh, dw))
    X = np.pad(X, ((0, 0), (0, 0), (top, bottom), (left, right)), mode=_NUMPY_PAD_MODE[padding_mode])
    sizes = _output_length(X.shape[2], kh, 0, sh, dh), _output_length(X.shape[3], kw, 0, sw, dw)
    return X, unbatched, weight, (sh, sw), (dh, dw), sides, sizes


def _pool_setup(x, kernel_size, stride, padding, dilation, ceil_mode):
    """Return ``(X, unbatched, (kh, kw), (sh, sw), (ph, pw), (dh, dw), (oh, ow))`` of a pooling.

    ``X`` is the input as ``(N, C, H, W)``; the stride defaults to the window.
    """
    X, unbatched = _batched(x)
    kernel, pads, dilation = _pair(kernel_size), _pair(padding), _pair(dilation)
    stride = _pair(kernel_size if stride is None else stride)
    sizes = tuple(_output_length(n, k, p, s, d, ceil_mode)
                  for n, k, p, s, d in zip(X.shape[2:], kernel, pads, stride, dilation))
    return X, unbatched, kernel, stride, pads, dilation, sizes


def _window_winner(plane, row_cells, col_cells):
    """Return the ``(row, column)`` of the cell of ``plane`` ``(H, W)`` that wins a max-pool window.

    The window is the cells ``row_cells x col_cells`` that lie inside the plane; the winner is
    its first maximum in row-major order, or its last NaN if it holds any (PyTorch's rule).
    None if no cell of the window lies inside the plane.
    """
    H, W = plane.shape
    rows = [r for r in row_cells if 0 <= r < H]
    cols = [q for q in col_cells if 0 <= q < W]
    window = plane[np.ix_(rows, cols)].ravel()
    if window.size == 0:
        return None
    nans = np.flatnonzero(np.isnan(window))
    best = nans[-1] if nans.size else np.argmax(window)
    return rows[best // len(cols)], cols[best % len(cols)]


def _avg_divisor(row_cells, col_cells, H, W, ph, pw, count_include_pad, divisor_override):
    """Return what an average-pool window's sum is divided by.

    ``divisor_override`` if given; else, with ``count_include_pad``, the number of window cells
    inside the padded input (a ceil_mode window hanging past the padding counts less); else the
    number of window cells inside the input itself.
    """
    if divisor_override is not None:
        return divisor_override
    if count_include_pad:
        return sum(r < H + ph for r in row_cells) * sum(q < W + pw for q in col_cells)
    return sum(0 <= r < H for r in row_cells) * sum(0 <= q < W for q in col_cells)


def _conv_padding(padding, kernel, dilation):
    """Return conv2d's padding as ``(top, bottom, left, right)``.

    ``"same"`` adds ``d*(k-1)`` cells in total along each axis, ``total // 2`` before and the rest
    after, as PyTorch splits it; ``"valid"`` adds none.
    """
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0, 0, 0
        if padding == "same":
            th, tw = (d * (k - 1) for k, d in zip(kernel, dilation))
            return th // 2, th - th // 2, tw // 2, tw - tw // 2
        raise ValueError(f"padding must be an int, a pair, 'same' or 'valid', got {padding!r}")
    ph, pw = _pair(padding)
    return ph, ph, pw, pw


# ---------------------------------------------------------------------------------------------
# The 2-D teaching versions (chapters 1 and 6)
# ---------------------------------------------------------------------------------------------

def corr2d(X, K):
    """Return the 2-D cross-correlation ``Y`` of ``X`` with ``K``, shape ``(H - kh + 1, W - kw + 1)``.

    X: (H, W) input.  K: (kh, kw) kernel.
    Y[i, j] = (X[i:i+kh, j:j+kw] * K).sum()

    >>> corr2d(np.arange(9).reshape(3, 3), np.array([[0, 1], [2, 3]]))
    array([[19., 25.],
           [37., 43.]])
    """
    X, K = _as_float(X), _as_float(K)
    kh, kw = K.shape
    Y = np.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1), dtype=np.result_type(X, K))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + kh, j:j + kw] * K).sum()
    return Y


def trans_conv(X, K, stride=1):
    """Return the 2-D transposed convolution ``Y`` of ``X`` with ``K``, shape ``((H-1)*sh + kh, (W-1)*sw + kw)``.

    X: (H, W) input.  K: (kh, kw) kernel.  stride: int or pair (sh, sw).
    Each input cell scatters a copy of the kernel, scaled by its value, onto the output:
    Y[i*sh : i*sh + kh, j*sw : j*sw + kw] += X[i, j] * K

    >>> trans_conv(np.array([[0, 1], [2, 3]]), np.array([[0, 1], [2, 3]]))
    array([[ 0.,  0.,  1.],
           [ 0.,  4.,  6.],
           [ 4., 12.,  9.]])
    """
    X, K = _as_float(X), _as_float(K)
    sh, sw = _pair(stride)
    (h, w), (kh, kw) = X.shape, K.shape
    Y = np.zeros(((h - 1) * sh + kh, (w - 1) * sw + kw), dtype=np.result_type(X, K))
    for i in range(h):
        for j in range(w):
            Y[i * sh:i * sh + kh, j * sw:j * sw + kw] += X[i, j] * K
    return Y


# ---------------------------------------------------------------------------------------------
# PyTorch-parity ops on (N, C, H, W) or (C, H, W)
# ---------------------------------------------------------------------------------------------

def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros"):
    """Return the convolution (cross-correlation) of ``x`` with ``weight``, shape ``(N, C_out, oh, ow)``.

    x: (N, C_in, H, W) or (C_in, H, W); the output then has no batch axis either.
    weight: (C_out, C_in/groups, kh, kw).  bias: (C_out,) or None.
    stride, dilation: int or pair.  padding: int, pair, ``"same"`` (stride 1 only) or ``"valid"``.
    groups: input and output channels are split into ``groups`` blocks; output block g sees
    only input block g.  padding_mode: ``"zeros"``, ``"reflect"``, ``"replicate"`` or
    ``"circular"``, as in ``nn.Conv2d``.

    oh = floor((H + 2*ph - dh*(kh-1) - 1) / sh) + 1, and likewise ow.

    Y[n, co, i, j] = (window * weight[co]).sum() + bias[co], where window is the
    (C_in/groups, kh, kw) block of the padded input of group co // (C_out/groups) whose top-left
    corner is (i*sh, j*sw), taking every dh-th row and dw-th column.

    >>> conv2d(np.arange(9.0).reshape(1, 1, 3, 3), np.ones((1, 1, 2, 2)))
    array([[[[ 8., 12.],
             [20., 24.]]]])
    """
    X, unbatched, weight, (sh, sw), (dh, dw), _, (oh, ow) = _conv_setup(x, weight, stride, padding, dilation,
                                                                        padding_mode)
    n_batch = X.shape[0]
    c_out, c_in_g, kh, kw = weight.shape
    c_out_g = c_out // groups
    Y = np.zeros((n_batch, c_out, oh, ow), dtype=np.result_type(X, weight))
    for n in range(n_batch):
        for co in range(c_out):
            g = co // c_out_g
            Xg = X[n, g * c_in_g:(g + 1) * c_in_g]
            for i in range(oh):
                for j in range(ow):
                    window = Xg[:, i * sh:i * sh + dh * (kh - 1) + 1:dh,
                                   j * sw:j * sw + dw * (kw - 1) + 1:dw]
                    Y[n, co, i, j] = (window * weight[co]).sum()
    if bias is not None:
        Y += _as_float(bias)[:, None, None]
    return Y[0] if unbatched else Y


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Return the transposed convolution of ``x`` with ``weight``, shape ``(N, C_out, oh, ow)``.

    x: (N, C_in, H, W) or (C_in, H, W); the output then has no batch axis either.
    weight: (C_in, C_out/groups, kh, kw) (note: C_in first).  bias: (C_out,) or None.
    stride, padding, output_padding, dilation: int or pair.

    oh = (H - 1)*sh - 2*ph + dh*(kh-1) + output_padding_h + 1, and likewise ow.

    Every input cell x[n, ci, i, j] scatter-adds ``x[n, ci, i, j] * weight[ci]`` onto the output
    channels of its group, at rows i*sh, i*sh + dh, ..., columns j*sw, j*sw + dw, ... of a
    canvas of height oh + 2*ph; the canvas is then cropped by ph rows at the top and at the
    bottom (and pw columns each side). ``output_padding`` only makes the canvas longer at the
    bottom/right, resolving which of several input sizes a strided conv came from.

    >>> conv_transpose2d(np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2)), stride=2).shape
    (1, 1, 4, 4)
    """
    X, unbatched = _batched(x)
    weight = _as_float(weight)
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    oph, opw = _pair(output_padding)
    dh, dw = _pair(dilation)
    n_batch, c_in, H, W = X.shape
    _, c_out_g, kh, kw = weight.shape
    c_in_g = c_in // groups
    canvas_h = (H - 1) * sh + dh * (kh - 1) + 1 + oph
    canvas_w = (W - 1) * sw + dw * (kw - 1) + 1 + opw
    if canvas_h - 2 * ph < 1 or canvas_w - 2 * pw < 1:
        raise ValueError(f"padding={padding} leaves no output: the uncropped output is {canvas_h}x{canvas_w}")

    canvas = np.zeros((n_batch, c_out_g * groups, canvas_h, canvas_w), dtype=np.result_type(X, weight))
    for n in range(n_batch):
        for ci in range(c_in):
            g = ci // c_in_g
            outputs = slice(g * c_out_g, (g + 1) * c_out_g)
            for i in range(H):
                for j in range(W):
                    canvas[n, outputs, i * sh:i * sh + dh * (kh - 1) + 1:dh,
                                       j * sw:j * sw + dw * (kw - 1) + 1:dw] += X[n, ci, i, j] * weight[ci]
    Y = canvas[:, :, ph:canvas_h - ph, pw:canvas_w - pw].copy()
    if bias is not None:
        Y += _as_float(bias)[:, None, None]
    return Y[0] if unbatched else Y


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Return the max over each window, shape ``(N, C, oh, ow)``; with ``return_indices`` also where each max came from.

    x: (N, C, H, W) or (C, H, W); the output then has no batch axis either.
    kernel_size, padding, dilation: int or pair.  stride: int, pair, or None for the window size.
    Padding cells act as -inf: they never win.

    oh = floor((H + 2*ph - dh*(kh-1) - 1) / sh) + 1 (ceil with ``ceil_mode``; a window that
    would start inside the bottom padding is dropped), and likewise ow.

    Indices (int64, same shape) are flat positions ``h * W + w`` in the unpadded (H, W) plane.
    Ties go to the first maximum in row-major window order; a NaN in the window wins over
    everything (the last NaN, in PyTorch's CPU kernel).

    >>> max_pool2d(np.arange(16.0).reshape(1, 4, 4), 2, return_indices=True)
    (array([[[ 5.,  7.],
            [13., 15.]]]), array([[[ 5,  7],
            [13, 15]]]))
    """
    X, unbatched, (kh, kw), (sh, sw), (ph, pw), (dh, dw), (oh, ow) = _pool_setup(
        x, kernel_size, stride, padding, dilation, ceil_mode)
    n_batch, channels, H, W = X.shape

    Y = np.zeros((n_batch, channels, oh, ow), dtype=X.dtype)
    indices = np.zeros((n_batch, channels, oh, ow), dtype=np.int64)
    for n in range(n_batch):
        for c in range(channels):
            for i in range(oh):
                row_cells = _window_cells(i, kh, ph, sh, dh)
                for j in range(ow):
                    col_cells = _window_cells(j, kw, pw, sw, dw)
                    winner = _window_winner(X[n, c], row_cells, col_cells)
                    if winner is None:
                        # A dilated window can step over a small input without touching it.
                        # PyTorch then gives -inf, indexed by the window's first cell at or
                        # after 0 (which lies outside the input).
                        Y[n, c, i, j] = -np.inf
                        indices[n, c, i, j] = min(r for r in row_cells if r >= 0) * W + min(
                            q for q in col_cells if q >= 0)
                        continue
                    Y[n, c, i, j] = X[n, c][winner]
                    indices[n, c, i, j] = winner[0] * W + winner[1]
    if unbatched:
        Y, indices = Y[0], indices[0]
    return (Y, indices) if return_indices else Y


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Return the mean over each window, shape ``(N, C, oh, ow)``.

    x: (N, C, H, W) or (C, H, W); the output then has no batch axis either.
    kernel_size, padding: int or pair.  stride: int, pair, or None for the window size.

    oh = floor((H + 2*ph - kh) / sh) + 1 (ceil with ``ceil_mode``; a window that would start
    inside the bottom padding is dropped), and likewise ow.

    Each output is the sum of the window's input cells divided by:
    ``divisor_override`` if given; else, with ``count_include_pad``, the number of window cells
    inside the padded input (a ceil_mode window hanging past the padding counts less);
    else the number of window cells inside the input itself.

    >>> avg_pool2d(np.arange(16.0).reshape(1, 4, 4), 2)
    array([[[ 2.5,  4.5],
            [10.5, 12.5]]])
    """
    X, unbatched, (kh, kw), (sh, sw), (ph, pw), _, (oh, ow) = _pool_setup(
        x, kernel_size, stride, padding, 1, ceil_mode)
    n_batch, channels, H, W = X.shape

    Y = np.zeros((n_batch, channels, oh, ow), dtype=X.dtype)
    for n in range(n_batch):
        for c in range(channels):
            for i in range(oh):
                row_cells = _window_cells(i, kh, ph, sh, 1)
                rows = [r for r in row_cells if 0 <= r < H]
                for j in range(ow):
                    col_cells = _window_cells(j, kw, pw, sw, 1)
                    cols = [q for q in col_cells if 0 <= q < W]
                    divisor = _avg_divisor(row_cells, col_cells, H, W, ph, pw, count_include_pad,
                                           divisor_override)
                    Y[n, c, i, j] = X[n, c][np.ix_(rows, cols)].sum() / divisor
    return Y[0] if unbatched else Y


# ---------------------------------------------------------------------------------------------
# Gradients (chapter 7): each loop walks over the forward op's output cells and sends each
# cell's gradient back to what that cell was computed from.
# ---------------------------------------------------------------------------------------------

def corr2d_backward(X, K, dY):
    """Return ``(dX, dK)`` for ``Y = corr2d(X, K)`` and ``dY = dL/dY``, shaped like ``X`` and ``K``.

    X: (H, W) input.  K: (kh, kw) kernel.  dY: (H - kh + 1, W - kw + 1).
    Y[i, j] read the window X[i:i+kh, j:j+kw] and multiplied it by K, so
    dK += dY[i, j] * X[i:i+kh, j:j+kw]   and   dX[i:i+kh, j:j+kw] += dY[i, j] * K

    >>> dX, dK = corr2d_backward(np.arange(9).reshape(3, 3), np.array([[0, 1], [2, 3]]), np.ones((2, 2)))
    >>> dK
    array([[ 8., 12.],
           [20., 24.]])
    >>> dX
    array([[0., 1., 1.],
           [2., 6., 4.],
           [2., 5., 3.]])
    """
    X, K, dY = _as_float(X), _as_float(K), _as_float(dY)
    dtype = np.result_type(X, K, dY)
    kh, kw = K.shape
    dX, dK = np.zeros(X.shape, dtype=dtype), np.zeros(K.shape, dtype=dtype)
    for i in range(dY.shape[0]):
        for j in range(dY.shape[1]):
            dK += dY[i, j] * X[i:i + kh, j:j + kw]
            dX[i:i + kh, j:j + kw] += dY[i, j] * K
    return dX, dK


def conv2d_backward(x, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """Return ``(grad_input, grad_weight, grad_bias)`` of ``Y = conv2d(x, weight, bias, ...)``.

    x: (N, C_in, H, W) or (C_in, H, W).  weight: (C_out, C_in/groups, kh, kw).
    grad_output: dL/dY, (N, C_out, oh, ow) (or without N, like x).
    stride, padding (int, pair, ``"same"`` or ``"valid"``; zeros), dilation, groups: as ``conv2d``.

    Y[n, co, i, j] = (window * weight[co]).sum() + bias[co], so with g = grad_output[n, co, i, j]:
    grad_weight[co] += g * window,  padded grad_input[window] += g * weight[co],  grad_bias[co] += g.
    The padded grad_input is then cropped to x's shape.

    >>> dx, dw, db = conv2d_backward(np.arange(9.0).reshape(1, 1, 3, 3), np.ones((1, 1, 2, 2)),
    ...                              np.ones((1, 1, 2, 2)))
    >>> dx
    array([[[[1., 2., 1.],
             [2., 4., 2.],
             [1., 2., 1.]]]])
    >>> dw
    array([[[[ 8., 12.],
             [20., 24.]]]])
    """
    X, unbatched, weight, (sh, sw), (dh, dw), (top, bottom, left, right), (oh, ow) = _conv_setup(
        x, weight, stride, padding, dilation)
    G = _as_float(grad_output)
    if unbatched:
        G = G[None]
    n_batch, _, Hp, Wp = X.shape
    c_out, c_in_g, kh, kw = weight.shape
    c_out_g = c_out // groups
    dtype = np.result_type(X, weight, G)
    dX = np.zeros(X.shape, dtype=dtype)
    dW = np.zeros(weight.shape, dtype=dtype)
    db = np.zeros(c_out, dtype=dtype)
    for n in range(n_batch):
        for co in range(c_out):
            inputs = slice(co // c_out_g * c_in_g, (co // c_out_g + 1) * c_in_g)
            for i in range(oh):
                for j in range(ow):
                    rows = slice(i * sh, i * sh + dh * (kh - 1) + 1, dh)
                    cols = slice(j * sw, j * sw + dw * (kw - 1) + 1, dw)
                    g = G[n, co, i, j]
                    dW[co] += g * X[n, inputs, rows, cols]
                    dX[n, inputs, rows, cols] += g * weight[co]
                    db[co] += g
    dX = dX[:, :, top:Hp - bottom, left:Wp - right]
    return (dX[0] if unbatched else dX), dW, db


def max_pool2d_backward(x, grad_output, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Return ``grad_input`` of ``Y = max_pool2d(x, kernel_size, ...)``, shaped like ``x``.

    x: (N, C, H, W) or (C, H, W).  grad_output: dL/dY, (N, C, oh, ow) (or without N, like x).
    Each window's gradient goes to the cell that won it (the first maximum in row-major order,
    the last NaN); overlapping windows add. A window with no cell inside x passes nothing.

    >>> max_pool2d_backward(np.arange(16.0).reshape(1, 4, 4), np.array([[[1., 2.], [3., 4.]]]), 2)
    array([[[0., 0., 0., 0.],
            [0., 1., 0., 2.],
            [0., 0., 0., 0.],
            [0., 3., 0., 4.]]])
    """
    X, unbatched, (kh, kw), (sh, sw), (ph, pw), (dh, dw), (oh, ow) = _pool_setup(
        x, kernel_size, stride, padding, dilation, ceil_mode)
    G = _as_float(grad_output)
    if unbatched:
        G = G[None]
    dX = np.zeros(X.shape, dtype=np.result_type(X, G))
    for n in range(X.shape[0]):
        for c in range(X.shape[1]):
            for i in range(oh):
                for j in range(ow):
                    winner = _window_winner(X[n, c], _window_cells(i, kh, ph, sh, dh),
                                            _window_cells(j, kw, pw, sw, dw))
                    if winner is not None:
                        dX[n, c][winner] += G[n, c, i, j]
    return dX[0] if unbatched else dX


def avg_pool2d_backward(x, grad_output, kernel_size, stride=None, padding=0, ceil_mode=False,
                        count_include_pad=True, divisor_override=None):
    """Return ``grad_input`` of ``Y = avg_pool2d(x, kernel_size, ...)``, shaped like ``x``.

    x: (N, C, H, W) or (C, H, W).  grad_output: dL/dY, (N, C, oh, ow) (or without N, like x).
    Each window adds ``grad / divisor`` to every one of its cells inside x, with the divisor the
    forward pass used (see ``avg_pool2d``).

    >>> avg_pool2d_backward(np.zeros((1, 4, 4)), np.array([[[4., 8.], [12., 16.]]]), 2)
    array([[[1., 1., 2., 2.],
            [1., 1., 2., 2.],
            [3., 3., 4., 4.],
            [3., 3., 4., 4.]]])
    """
    X, unbatched, (kh, kw), (sh, sw), (ph, pw), _, (oh, ow) = _pool_setup(
        x, kernel_size, stride, padding, 1, ceil_mode)
    G = _as_float(grad_output)
    if unbatched:
        G = G[None]
    n_batch, channels, H, W = X.shape
    dX = np.zeros(X.shape, dtype=np.result_type(X, G))
    for n in range(n_batch):
        for c in range(channels):
            for i in range(oh):
                row_cells = _window_cells(i, kh, ph, sh, 1)
                for j in range(ow):
                    col_cells = _window_cells(j, kw, pw, sw, 1)
                    divisor = _avg_divisor(row_cells, col_cells, H, W, ph, pw, count_include_pad,
                                           divisor_override)
                    for r in row_cells:
                        for q in col_cells:
                            if 0 <= r < H and 0 <= q < W:
                                dX[n, c, r, q] += G[n, c, i, j] / divisor
    return dX[0] if unbatched else dX
