"""The one windowing primitive: view a 2-D grid as the grid of windows a kernel slides over.

Every windowed op of the library stands on :func:`windows`. Convolution reads windows and
contracts them with a kernel, pooling reduces them, ``unfold`` copies them into columns, and
``fold`` and transposed convolution write *through* them, adding each window back onto the
grid (the adjoint of reading). Padding is applied beforehand by :mod:`solutions.padding`;
stride and dilation are only strides of the view, so nothing here copies data.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._args import positive_pair


def window_count(n: int, k: int, stride: int = 1, dilation: int = 1, padding: int = 0) -> int:
    """Return how many windows fit along an axis: ``floor((n + 2p - d*(k-1) - 1) / s) + 1``.

    The one place the library evaluates the output-size formula of a convolution or a pooling
    (``output_size``, the poolings' ``ceil_mode`` and every windowed op stand on it). ``n`` cells
    with ``padding`` more on each side; the count is 0 when the dilated kernel, of length
    ``d*(k-1) + 1``, is longer than the padded axis.

    >>> window_count(8, 3), window_count(8, 3, stride=2), window_count(8, 3, dilation=4)
    (6, 3, 0)
    >>> window_count(8, 3, stride=2, padding=1)
    4
    """
    span = dilation * (k - 1) + 1
    padded = n + 2 * padding
    return 0 if span > padded else (padded - span) // stride + 1


def windows(x: np.ndarray, kernel_size, stride=1, dilation=1, *, writeable: bool = False) -> np.ndarray:
    """Return a view of ``x`` ``(..., H, W)`` as its windows ``(..., oH, oW, kh, kw)``.

    ``view[..., y, x, i, j] == x[..., y*sh + i*dh, x*sw + j*dw]``, with
    ``oH = (H - dh*(kh-1) - 1) // sh + 1`` and likewise ``oW``.

    The view costs nothing to build but its cells alias: the same element of ``x`` appears in
    every window that covers it, so reducing over ``(kh, kw)`` reads each input element up to
    ``kh*kw`` times. The view is read-only unless ``writeable=True``; writing is only safe one
    kernel offset ``[..., i, j]`` at a time, because within one offset no two windows share a cell.

    Examples
    --------
    >>> X = np.arange(12).reshape(3, 4)
    >>> windows(X, 2).shape
    (2, 3, 2, 2)
    >>> windows(X, 2)[1, 2]
    array([[ 6,  7],
           [10, 11]])
    >>> windows(X, (2, 2), stride=(1, 2))[0, 1]
    array([[2, 3],
           [6, 7]])
    >>> windows(X, 2, dilation=2)[0, 0]
    array([[ 0,  2],
           [ 8, 10]])
    """
    kh, kw = positive_pair(kernel_size, "kernel_size")
    sh, sw = positive_pair(stride, "stride")
    dh, dw = positive_pair(dilation, "dilation")
    x = np.asarray(x)
    if x.ndim < 2:
        raise ValueError(f"x must have at least 2 dimensions (..., H, W), got shape {x.shape}")
    H, W = x.shape[-2:]
    oH, oW = window_count(H, kh, sh, dh), window_count(W, kw, sw, dw)
    if oH == 0 or oW == 0:
        raise ValueError(
            f"kernel_size {(kh, kw)} with dilation {(dh, dw)} spans "
            f"{(dh * (kh - 1) + 1, dw * (kw - 1) + 1)}, more than the input's {(H, W)}"
        )
    rs, cs = x.strides[-2:]
    shape = x.shape[:-2] + (oH, oW, kh, kw)
    strides = x.strides[:-2] + (rs * sh, cs * sw, rs * dh, cs * dw)
    if x.flags.c_contiguous and x.size:
        # Same view as as_strided, built directly on x's buffer: a few microseconds cheaper,
        # which matters for the small arrays of the course.
        view = np.ndarray(shape, x.dtype, buffer=x, strides=strides)
        view.flags.writeable = writeable and x.flags.writeable
        return view
    return as_strided(x, shape=shape, strides=strides, writeable=writeable)


def scatter_add(canvas: np.ndarray, blocks: np.ndarray, stride=1, dilation=1) -> np.ndarray:
    """Add ``blocks`` ``(..., oH, oW, kh, kw)`` onto ``canvas`` ``(..., H, W)`` window by window.

    The adjoint of :func:`windows`: every element of every block is added to the canvas cell that
    the window view would have read it from, so overlapping windows sum. Windows past the first
    ``oH x oW`` of the canvas are left alone. ``blocks`` may be a broadcast view (one value per
    window, say). Returns ``canvas``, modified in place.

    >>> canvas = np.zeros((3, 3))
    >>> scatter_add(canvas, np.ones((2, 2, 2, 2)))
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    oH, oW, kh, kw = blocks.shape[-4:]
    view = windows(canvas, (kh, kw), stride, dilation, writeable=True)[..., :oH, :oW, :, :]
    # One kernel offset at a time: within an offset the windows never share a cell, so the
    # in-place add is exact; across offsets they may, which is why this is a loop.
    for i in range(kh):
        for j in range(kw):
            view[..., i, j] += blocks[..., i, j]
    return canvas
