"""``unfold`` (im2col) and ``fold`` (col2im): windows as columns, and columns summed back.

``unfold`` copies every window of the padded input into a column: ``(N, C, H, W)`` becomes
``(N, C*kh*kw, L)`` with ``L = oH*oW`` windows. Convolution is then one matrix product,
``weight.reshape(C_out, -1) @ unfold(x)``. ``fold`` is its adjoint: it adds each column back
onto the cells its window covers, so ``fold(unfold(x))`` multiplies each cell by the number of
windows covering it.
"""

from __future__ import annotations

import numpy as np

from ._args import as_float, non_negative_pair, positive_pair
from .padding import pad_axes
from .windows import scatter_add, window_count, windows


def _unbatched_ndim(x: np.ndarray, name: str, batched_ndim: int, layout: str) -> tuple[np.ndarray, bool]:
    if x.ndim == batched_ndim - 1:
        return x[None], True
    if x.ndim == batched_ndim:
        return x, False
    raise ValueError(f"{name} must be {batched_ndim - 1}-D or {batched_ndim}-D {layout}, got shape {x.shape}")


def unfold(x, kernel_size, dilation=1, padding=0, stride=1) -> np.ndarray:
    """Return the windows of ``x`` ``(N, C, H, W)`` as columns ``(N, C*kh*kw, L)``, as ``F.unfold``.

    Row ``c*kh*kw + i*kw + j`` holds kernel offset ``(i, j)`` of channel ``c``; column
    ``y*oW + x`` is the window at output position ``(y, x)``, with
    ``oH = floor((H + 2ph - dh*(kh-1) - 1) / sh) + 1``. Unbatched ``(C, H, W)`` gives ``(C*kh*kw, L)``.

    >>> unfold(np.arange(9.0).reshape(1, 1, 3, 3), 2)
    array([[[0., 1., 3., 4.],
            [1., 2., 4., 5.],
            [3., 4., 6., 7.],
            [4., 5., 7., 8.]]])
    """
    x, unbatched = _unbatched_ndim(as_float(x, "x"), "x", 4, "(N, C, H, W)")
    kh, kw = positive_pair(kernel_size, "kernel_size")
    dilation, stride = positive_pair(dilation, "dilation"), positive_pair(stride, "stride")
    ph, pw = non_negative_pair(padding, "padding")
    view = windows(pad_axes(x, [(ph, ph), (pw, pw)]), (kh, kw), stride, dilation)
    N, C, oH, oW = view.shape[:4]
    cols = view.transpose(0, 1, 4, 5, 2, 3).reshape(N, C * kh * kw, oH * oW)
    return cols[0] if unbatched else cols


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1) -> np.ndarray:
    """Return the sum of columns ``x`` ``(N, C*kh*kw, L)`` put back in place, ``(N, C, H, W)``, as ``F.fold``.

    ``(H, W) = output_size``; ``L`` must equal the number of windows ``oH*oW`` that ``unfold``
    finds in that output (with the same kernel, dilation, padding and stride). Cells covered by
    several windows receive the sum. Unbatched ``(C*kh*kw, L)`` gives ``(C, H, W)``.

    >>> fold(np.ones((1, 4, 4)), (3, 3), 2)
    array([[[[1., 2., 1.],
             [2., 4., 2.],
             [1., 2., 1.]]]])
    """
    x, unbatched = _unbatched_ndim(as_float(x, "x"), "x", 3, "(N, C*kh*kw, L)")
    H, W = positive_pair(output_size, "output_size")
    kh, kw = positive_pair(kernel_size, "kernel_size")
    dilation, stride = positive_pair(dilation, "dilation"), positive_pair(stride, "stride")
    ph, pw = non_negative_pair(padding, "padding")
    N, rows, L = x.shape
    if rows % (kh * kw):
        raise ValueError(f"x has {rows} rows, not a multiple of kh*kw = {kh * kw} for kernel_size {(kh, kw)}")
    oH = window_count(H, kh, stride[0], dilation[0], ph)
    oW = window_count(W, kw, stride[1], dilation[1], pw)
    if L != oH * oW or L == 0:
        raise ValueError(
            f"x has L={L} columns but output_size {(H, W)} with kernel_size {(kh, kw)}, dilation "
            f"{dilation}, padding {(ph, pw)} and stride {stride} has {oH}*{oW} = {oH * oW} windows"
        )
    C = rows // (kh * kw)
    blocks = x.reshape(N, C, kh, kw, oH, oW).transpose(0, 1, 4, 5, 2, 3)
    canvas = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=x.dtype)
    out = scatter_add(canvas, blocks, stride, dilation)[:, :, ph : ph + H, pw : pw + W]
    out = np.ascontiguousarray(out)
    return out[0] if unbatched else out
