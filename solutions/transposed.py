"""Transposed convolution: every input cell stamps a scaled copy of the kernel onto the output.

``y[n, o, i*sh + u*dh - ph, j*sw + v*dw - pw] += x[n, c, i, j] * w[c, o', u, v]`` summed over the
input channels ``c`` of the group of output channel ``o``. It is the adjoint of convolution: the
gradient of ``conv2d`` with respect to its input. Output size per axis:
``(n-1)*s - 2p + d*(k-1) + output_padding + 1``.

At stride 1 the stamps add up to an ordinary cross-correlation of the zero-padded input with
the kernel rotated by 180 degrees, which is how it is computed (by ``conv2d``'s own engine).
With a larger stride, one matrix product per group, ``w.T @ x``, gives every stamp at once as
``(Cog*kh*kw, H*W)`` columns, and :func:`solutions.windows.scatter_add` adds them onto the
canvas (``fold``), which is then cropped by ``padding``.
"""

from __future__ import annotations

import numpy as np

from ._args import batched, common_float, matrix, non_negative_pair, pair, positive_pair
from .conv import check_bias, check_weight, correlate
from .windows import scatter_add, windows

__all__ = ["conv_transpose2d", "trans_conv", "conv_matrix"]


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Return the transposed convolution of ``x``, as ``torch.nn.functional.conv_transpose2d``.

    Parameters
    ----------
    x : ``(N, C_in, H, W)`` or unbatched ``(C_in, H, W)``.
    weight : ``(C_in, C_out/groups, kh, kw)`` (note: input channels first, unlike ``conv2d``).
    bias : ``(C_out,)`` or None.
    stride, dilation : int or pair, at least 1.
    padding : int or pair: cells cropped from each side of the full output.
    output_padding : int or pair, smaller than ``max(stride, dilation)`` on its axis: cells added
        at the bottom/right, to pick among the input sizes that a strided ``conv2d`` maps to the
        same output size.

    Returns
    -------
    ``(N, C_out, oH, oW)`` with ``oH = (H-1)*sh - 2*ph + dh*(kh-1) + output_padding_h + 1``.

    Examples
    --------
    >>> x = np.array([[[0., 1.], [2., 3.]]])
    >>> conv_transpose2d(x, np.array([[[[0., 1.], [2., 3.]]]]))
    array([[[ 0.,  0.,  1.],
            [ 0.,  4.,  6.],
            [ 4., 12.,  9.]]])
    >>> conv_transpose2d(x, np.ones((1, 1, 3, 3)), stride=2, padding=1, output_padding=1).shape
    (1, 4, 4)
    """
    x, unbatched = batched(x)
    N, C_in, H, W = x.shape
    weight = check_weight(weight, C_in, groups, transposed=True)
    _, Cog, kh, kw = weight.shape
    C_out = Cog * groups
    bias = check_bias(bias, C_out)
    stride, dilation = positive_pair(stride, "stride"), positive_pair(dilation, "dilation")
    ph, pw = non_negative_pair(padding, "padding")
    oph, opw = non_negative_pair(output_padding, "output_padding")
    for axis, op in enumerate((oph, opw)):
        if op >= max(stride[axis], dilation[axis]):
            raise ValueError(
                f"output_padding must be smaller than stride or dilation on each axis, got "
                f"output_padding={pair(output_padding, 'output_padding')} with stride={stride} and dilation={dilation}"
            )
    full_h = (H - 1) * stride[0] + dilation[0] * (kh - 1) + 1 + oph
    full_w = (W - 1) * stride[1] + dilation[1] * (kw - 1) + 1 + opw
    oH, oW = full_h - 2 * ph, full_w - 2 * pw
    if oH < 1 or oW < 1:  # PyTorch returns an empty output for some of these, depending on its kernel
        raise ValueError(
            f"padding {(ph, pw)} crops the whole output: input {(H, W)} with kernel_size {(kh, kw)}, "
            f"stride {stride} and dilation {dilation} gives {(full_h, full_w)} before cropping, {(oH, oW)} after"
        )
    x, weight = common_float(x, weight)
    y = stamp(x, weight, stride, dilation, groups, (ph, pw), (oH, oW))
    if bias is not None:
        y += bias.astype(y.dtype)[:, None, None]
    return y[0] if unbatched else y


def stamp(x: np.ndarray, weight: np.ndarray, stride, dilation, groups: int, origin, size) -> np.ndarray:
    """Return a ``size`` window, from ``origin``, of the transposed convolution ``(N, C_out, *size)``, without bias.

    ``x`` ``(N, C_in, H, W)`` and ``weight`` ``(C_in, C_out/groups, kh, kw)`` of one float dtype;
    each cell ``x[n, c, i, j]`` adds ``x[n, c, i, j] * weight[c]`` at rows ``i*sh + u*dh``,
    columns ``j*sw + v*dw`` of an output that is zero everywhere else (past its
    ``(H-1)*sh + dh*(kh-1) + 1`` rows, too). The result is its rows ``origin[0]`` to
    ``origin[0] + size[0] - 1`` and likewise columns, a new C-contiguous array (both callers
    return it, or add a bias to it in place). Arguments are assumed valid
    (:func:`conv_transpose2d` and ``conv2d_backward`` check them).
    """
    N, C_in, H, W = x.shape
    _, Cog, kh, kw = weight.shape
    G, Cig = groups, C_in // groups
    if tuple(stride) == (1, 1):
        # At stride 1 the stamps add up to an ordinary cross-correlation: of x zero-padded by
        # d*(k-1) on each side (less the origin cropped away, more to reach the size), with the
        # kernel rotated by 180 degrees and its channel axes swapped. conv2d's fast paths then
        # apply, and nothing is scattered.
        widths = [(d * (k - 1) - o, o + out - n)
                  for d, k, o, out, n in zip(dilation, (kh, kw), origin, size, (H, W))]
        flipped = weight.reshape(G, Cig, Cog, kh, kw).transpose(0, 2, 1, 3, 4)[..., ::-1, ::-1]
        return correlate(x, flipped.reshape(G * Cog, Cig, kh, kw), (1, 1), dilation, G, widths)
    # All stamps at once: (G, Cog*kh*kw, Cig) @ (N, G, Cig, H*W) -> (N, G, Cog*kh*kw, H*W).
    stamps_matrix = weight.reshape(G, Cig, Cog * kh * kw).transpose(0, 2, 1)
    columns = x.reshape(N, G, Cig, H * W)
    # With one input channel per group the product is an outer product, which NumPy's matmul
    # computes about ten times slower than a broadcast multiply.
    stamps = stamps_matrix * columns if Cig == 1 else np.matmul(stamps_matrix, columns)
    blocks = stamps.reshape(N, G * Cog, kh, kw, H, W).transpose(0, 1, 4, 5, 2, 3)
    full = [(n - 1) * s + d * (k - 1) + 1 for n, s, d, k in zip((H, W), stride, dilation, (kh, kw))]
    canvas = np.zeros((N, G * Cog, *(max(f, o + out) for f, o, out in zip(full, origin, size))), dtype=x.dtype)
    scatter_add(canvas, blocks, stride, dilation)
    (top, left), (oH, oW) = origin, size
    return np.ascontiguousarray(canvas[:, :, top : top + oH, left : left + oW])


def trans_conv(X, K, stride=1) -> np.ndarray:
    """Return the 2-D transposed convolution of ``X`` ``(H, W)`` by ``K`` ``(kh, kw)``, by scatter-add.

    Each ``X[i, j]`` adds ``X[i, j] * K`` onto the output block starting at ``(i*s, j*s)``;
    the output is ``((H-1)*s + kh, (W-1)*s + kw)``.

    >>> trans_conv(np.array([[0, 1], [2, 3]]), np.array([[0, 1], [2, 3]]))
    array([[ 0.,  0.,  1.],
           [ 0.,  4.,  6.],
           [ 4., 12.,  9.]])
    >>> trans_conv(np.ones((2, 2)), np.ones((2, 2)), stride=2)
    array([[1., 1., 1., 1.],
           [1., 1., 1., 1.],
           [1., 1., 1., 1.],
           [1., 1., 1., 1.]])
    """
    X, K = matrix(X, "X"), matrix(K, "K")
    return conv_transpose2d(X[None, None], K[None, None], stride=stride)[0, 0]


def conv_matrix(K, input_shape) -> np.ndarray:
    """Return the matrix ``W`` ``(oh*ow, H*W)`` of the stride-1 cross-correlation by ``K`` ``(kh, kw)``.

    ``W @ X.ravel() == corr2d(X, K).ravel()`` for every ``X`` of shape ``input_shape = (H, W)``,
    with ``oh = H - kh + 1``, ``ow = W - kw + 1``. Row ``y*ow + x`` holds ``K`` placed at the window
    of output ``(y, x)`` and zeros elsewhere. ``(W.T @ Y.ravel()).reshape(H, W)`` is the
    transposed convolution of ``Y``: it restores the input's *shape*, not its values.

    >>> conv_matrix(np.array([[1, 2], [3, 4]]), (2, 3))
    array([[1., 2., 0., 3., 4., 0.],
           [0., 1., 2., 0., 3., 4.]])
    """
    K = matrix(K, "K")
    H, W = positive_pair(input_shape, "input_shape")
    kh, kw = K.shape
    if kh > H or kw > W:
        raise ValueError(f"K of shape {K.shape} is larger than input_shape {(H, W)}")
    oh, ow = H - kh + 1, W - kw + 1
    # Row (y, x) of W, seen as an (H, W) image, holds K in the window of output (y, x): write K
    # through the window view of each row's image, one stamp per row.
    rows = np.zeros((oh, ow, H, W), dtype=K.dtype)
    view = windows(rows, (kh, kw), writeable=True)  # (oh, ow, oh, ow, kh, kw)
    y, x = np.arange(oh)[:, None], np.arange(ow)
    view[y, x, y, x] = K
    return rows.reshape(oh * ow, H * W)
