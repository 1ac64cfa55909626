"""Max and average pooling: each window of each channel reduced to one number.

Output size per axis, with ``p`` cells of padding per side and stride ``s`` (which defaults to
the window size ``k``):

* max: ``floor((n + 2p - d*(k-1) - 1) / s) + 1``; average: the same with ``d = 1``;
* ``ceil_mode=True`` rounds up instead, so a partial window at the end still yields an output,
  but a window that would *start* inside the right padding is dropped.

Padding may be at most half the window (``p <= k // 2``), so every window holds a real cell.
Max pooling pads with ``-inf`` (padding never wins); average pooling pads with zeros and, by
default (``count_include_pad=True``), counts them in the divisor.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._args import batched, choice, matrix, non_negative_pair, positive_pair
from .padding import pad_axes
from .windows import windows

__all__ = ["max_pool2d", "avg_pool2d", "pool2d", "pool2d_strided"]


def pooled_size(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """Return the pooled length of an axis of length ``n`` (PyTorch's rule, see the module doc)."""
    span = d * (k - 1) + 1
    out = (n + 2 * p - span + ((s - 1) if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1  # the last window would start in the right padding
    return out


def _config(x, kernel_size, stride, padding, dilation, ceil_mode):
    """Check the arguments shared by both poolings; return the batch and its window geometry."""
    x, unbatched = batched(x)
    kernel = positive_pair(kernel_size, "kernel_size")
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        stride = kernel
    stride = positive_pair(stride, "stride")
    dilation = positive_pair(dilation, "dilation")
    pads = non_negative_pair(padding, "padding")
    if any(p > k // 2 for p, k in zip(pads, kernel)):
        raise ValueError(f"padding {pads} must be at most half of kernel_size {kernel} (p <= k // 2)")
    sizes = tuple(
        pooled_size(n, k, s, p, d, bool(ceil_mode))
        for n, k, s, p, d in zip(x.shape[2:], kernel, stride, pads, dilation)
    )
    if min(sizes) < 1:
        raise ValueError(
            f"kernel_size {kernel} with dilation {dilation} and padding {pads} leaves no window in "
            f"the input {x.shape[2:]}: output size would be {sizes}"
        )
    # Pad on the right as far as the last window reaches (ceil_mode may reach past the padding).
    widths = [
        (p, max((o - 1) * s + d * (k - 1) + 1 - n - p, 0))
        for n, k, s, p, d, o in zip(x.shape[2:], kernel, stride, pads, dilation, sizes)
    ]
    return x, unbatched, kernel, stride, dilation, pads, sizes, widths


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Return the maximum of each window, as ``torch.nn.functional.max_pool2d``.

    Parameters
    ----------
    x : ``(N, C, H, W)`` or unbatched ``(C, H, W)``.
    kernel_size, stride (default: ``kernel_size``), padding (``<= k // 2``), dilation : int or pair.
    ceil_mode : round the output size up (see the module doc).
    return_indices : also return, for each output, the flat index ``h*W + w`` in its ``(H, W)``
        input plane of the cell that won. Ties go to the first maximum in row-major window
        order; a NaN wins over any number (the last NaN, as in PyTorch).

    Returns
    -------
    ``(N, C, oH, oW)``, ``oH = floor((H + 2ph - dh*(kh-1) - 1) / sh) + 1``; and int64 indices of
    the same shape when ``return_indices``.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 4, 4)
    >>> max_pool2d(x, 2)
    array([[[ 5.,  7.],
            [13., 15.]]])
    >>> values, where = max_pool2d(x, 3, stride=2, padding=1, return_indices=True)
    >>> where
    array([[[ 5,  7],
            [13, 15]]])
    """
    x, unbatched, kernel, stride, dilation, pads, sizes, widths = _config(
        x, kernel_size, stride, padding, dilation, ceil_mode)
    view = windows(pad_axes(x, widths, value=-np.inf), kernel, stride, dilation)
    kh, kw = kernel
    if not return_indices:
        best = view[..., 0, 0].copy()
        for i in range(kh):
            for j in range(kw):
                np.maximum(best, view[..., i, j], out=best)
        return best[0] if unbatched else best
    # Flat input index of tap (i, j) of each window, per axis: start + i*d, start = o*s - p.
    rows = [np.arange(sizes[0]) * stride[0] - pads[0] + i * dilation[0] for i in range(kh)]
    cols = [np.arange(sizes[1]) * stride[1] - pads[1] + j * dilation[1] for j in range(kw)]
    W = x.shape[3]
    # Start from the first tap inside the input (PyTorch's starting index), at -inf so that any
    # real cell, even -inf itself only there, is compared in row-major order from there on.
    first_row = _first_inside(rows)
    first_col = _first_inside(cols)
    where = np.broadcast_to(first_row[:, None] * W + first_col, view.shape[:4]).copy()
    best = np.full(view.shape[:4], -np.inf, dtype=view.dtype)
    for i in range(kh):
        for j in range(kw):
            tap = view[..., i, j]
            wins = (tap > best) | np.isnan(tap)
            np.copyto(best, tap, where=wins)
            np.copyto(where, rows[i][:, None] * W + cols[j], where=wins)
    if unbatched:
        return best[0], where[0]
    return best, where


def _first_inside(taps: list[np.ndarray]) -> np.ndarray:
    """Return, per output position, the first tap coordinate that is inside the input (``>= 0``)."""
    taps = np.stack(taps)
    return taps[np.argmax(taps >= 0, axis=0), np.arange(taps.shape[1])]


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Return the mean of each window, as ``torch.nn.functional.avg_pool2d``.

    Parameters
    ----------
    x : ``(N, C, H, W)`` or unbatched ``(C, H, W)``.
    kernel_size, stride (default: ``kernel_size``), padding (``<= k // 2``) : int or pair.
    ceil_mode : round the output size up (see the module doc).
    count_include_pad : divide by the window's cells inside the *padded* input (True) or inside
        the input only (False). Cells past the padding, which only ``ceil_mode`` reaches, never count.
    divisor_override : divide every sum by this non-zero number instead.

    Returns
    -------
    ``(N, C, oH, oW)`` with ``oH = floor((H + 2ph - kh) / sh) + 1``.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 4, 4)
    >>> avg_pool2d(x, 2)
    array([[[ 2.5,  4.5],
            [10.5, 12.5]]])
    >>> avg_pool2d(x, 2, padding=1, count_include_pad=False)
    array([[[ 0. ,  1.5,  3. ],
            [ 6. ,  7.5,  9. ],
            [12. , 13.5, 15. ]]])
    """
    if divisor_override is not None and (
        not isinstance(divisor_override, numbers.Integral) or isinstance(divisor_override, bool)
        or divisor_override == 0
    ):
        raise ValueError(f"divisor_override must be a non-zero int or None, got {divisor_override!r}")
    x, unbatched, kernel, stride, _, pads, sizes, widths = _config(
        x, kernel_size, stride, padding, 1, ceil_mode)
    view = windows(pad_axes(x, widths), kernel, stride)
    total = view[..., 0, 0].copy()
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            if (i, j) != (0, 0):
                total += view[..., i, j]
    if divisor_override is not None:
        divisor = np.float64(divisor_override)
    else:
        counts = []
        for n, k, s, p, o in zip(x.shape[2:], kernel, stride, pads, sizes):
            start = np.arange(o) * s - p
            end = np.minimum(start + k, n + p)
            counts.append(end - start if count_include_pad else np.minimum(end, n) - np.maximum(start, 0))
        divisor = np.multiply.outer(*counts)
    total /= np.asarray(divisor, dtype=total.dtype)
    return total[0] if unbatched else total


def pool2d(X, pool_size, mode: str = "max") -> np.ndarray:
    """Return the max or mean of every ``pool_size`` window of ``X`` ``(H, W)``, stride 1.

    The output is ``(H - ph + 1, W - pw + 1)`` for ``pool_size = (ph, pw)`` (or an int).

    >>> pool2d(np.arange(9).reshape(3, 3), 2)
    array([[4., 5.],
           [7., 8.]])
    >>> pool2d(np.arange(9).reshape(3, 3), 2, mode="avg")
    array([[2., 3.],
           [5., 6.]])
    """
    X = matrix(X, "X")
    return pool2d_strided(X[None], pool_size, stride=1, mode=mode)[0]


def pool2d_strided(X, pool_size, stride=None, padding=0, mode: str = "max") -> np.ndarray:
    """Return each channel of ``X`` ``(C, H, W)`` pooled separately, ``(C, oH, oW)``.

    ``stride`` defaults to ``pool_size``; ``padding`` counts per side. ``mode="max"`` pads with
    ``-inf``; ``mode="avg"`` pads with zeros and counts them (PyTorch's default). Output size
    ``floor((H + 2p - k) / s) + 1`` per axis.

    >>> X = np.arange(16).reshape(1, 4, 4)
    >>> pool2d_strided(X, 3, stride=2, padding=1)
    array([[[ 5.,  7.],
            [13., 15.]]])
    """
    choice(mode, "mode", ("max", "avg"))
    if mode == "max":
        return max_pool2d(X, pool_size, stride, padding)
    return avg_pool2d(X, pool_size, stride, padding)
