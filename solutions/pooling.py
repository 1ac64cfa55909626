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
from typing import NamedTuple

import numpy as np

from ._args import batched, choice, matrix, non_negative_pair, positive_pair
from .padding import pad_axes
from .windows import window_count, windows

__all__ = ["max_pool2d", "avg_pool2d", "pool2d", "pool2d_strided"]


def pooled_size(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """Return the pooled length of an axis of length ``n`` (PyTorch's rule, see the module doc)."""
    out = window_count(n, k, s, d, p)
    if ceil_mode and out and (n + 2 * p - d * (k - 1) - 1) % s:
        out += 1  # the partial window at the end
        if (out - 1) * s >= n + p:
            out -= 1  # ... unless it would start in the right padding
    return out


class Pooling(NamedTuple):
    """A checked pooling call: the batch and the geometry of its windows, one entry per axis."""

    x: np.ndarray            # (N, C, H, W), float
    unbatched: bool          # x came as (C, H, W)
    kernel: tuple            # (kh, kw)
    stride: tuple
    dilation: tuple
    pads: tuple              # (ph, pw), per side
    sizes: tuple             # (oH, oW)
    widths: list             # [(top, bottom), (left, right)]: padding that holds every window


def pooling(x, kernel_size, stride, padding, dilation, ceil_mode) -> Pooling:
    """Check the arguments shared by both poolings (and their gradients); return the geometry."""
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
    return Pooling(x, unbatched, kernel, stride, dilation, pads, sizes, widths)


def _taps(geometry: Pooling, axis: int) -> np.ndarray:
    """Return the input coordinate of tap ``i`` of window ``o`` along ``axis``, ``(k, o)``: ``o*s - p + i*d``."""
    k, s, p, d, o = (field[axis] for field in (geometry.kernel, geometry.stride, geometry.pads,
                                               geometry.dilation, geometry.sizes))
    return np.arange(o) * s - p + np.arange(k)[:, None] * d


def window_max(view: np.ndarray) -> np.ndarray:
    """Return the maximum of each window of ``view`` ``(..., oH, oW, kh, kw)``, NaN if it holds one."""
    best = view[..., 0, 0].copy()
    for i in range(view.shape[-2]):
        for j in range(view.shape[-1]):
            np.maximum(best, view[..., i, j], out=best)
    return best


def window_winners(view: np.ndarray, geometry: Pooling) -> tuple[np.ndarray, np.ndarray]:
    """Return the maxima ``(N, C, oH, oW)`` of the windows ``view`` and which tap wins each window.

    The winners are a boolean ``(kh*kw, N, C, oH, oW)``, True at tap ``i*kw + j`` of the one cell
    of each window that PyTorch's max-pool picks: the first maximum in row-major window order
    among the cells inside the input (so a window of ``-inf`` picks its first input cell, not the
    ``-inf`` padding); the last NaN if the window holds NaN. A window without any input cell, which
    only dilation can produce, has no winner. ``view`` is the window view of the input padded
    with ``-inf``.
    """
    kh, kw = geometry.kernel
    best = window_max(view)
    winners = np.empty((kh * kw,) + best.shape, dtype=bool)
    unclaimed = np.ones(best.shape, dtype=bool)
    for k in range(kh * kw):  # row-major, so that the first tap equal to the maximum claims the window
        wins = winners[k]
        np.equal(view[..., k // kw, k % kw], best, out=wins)
        wins &= unclaimed
        unclaimed ^= wins
    lost = best == -np.inf
    if any(b or a for b, a in geometry.widths) and lost.any():
        # Rare: the maximum is -inf, which the -inf padding equals too. PyTorch gives such a
        # window to its first cell inside the input (if it has one).
        inside = _inside_taps(geometry)
        n, c, i, j = np.nonzero(lost)
        winners[:, n, c, i, j] = False
        keep = inside.any(axis=0)[i, j]
        winners[np.argmax(inside, axis=0)[i, j][keep], n[keep], c[keep], i[keep], j[keep]] = True
    nan = np.isnan(best)  # a NaN maximum equals no tap, so those windows are still unclaimed
    if nan.any():
        for k in reversed(range(kh * kw)):  # backwards: the last NaN claims the window
            wins = np.isnan(view[..., k // kw, k % kw]) & nan
            winners[k] |= wins
            nan ^= wins
    return best, winners


def _inside_taps(geometry: Pooling) -> np.ndarray:
    """Return which taps of which windows lie inside the input, a boolean ``(kh*kw, oH, oW)``."""
    rows, cols = ((_taps(geometry, axis) >= 0) & (_taps(geometry, axis) < n)
                  for axis, n in enumerate(geometry.x.shape[2:]))
    kh, kw = geometry.kernel
    return (rows[:, None, :, None] & cols[None, :, None, :]).reshape(kh * kw, *geometry.sizes)


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
    geometry = pooling(x, kernel_size, stride, padding, dilation, ceil_mode)
    view = windows(pad_axes(geometry.x, geometry.widths, value=-np.inf), geometry.kernel,
                   geometry.stride, geometry.dilation)
    if not return_indices:
        best = window_max(view)
        return best[0] if geometry.unbatched else best
    best, winners = window_winners(view, geometry)
    kh, kw = geometry.kernel
    tap = np.zeros(best.shape, dtype=np.int64)
    for k in range(1, kh * kw):  # one winner per window: the sum of k * winners[k] is its tap
        tap += k * winners[k]
    if any(b or a for b, a in geometry.widths):
        # A window with no input cell has no winner; PyTorch then reports its first tap at or
        # after the input's start (which lies past the input's end).
        first = [np.argmax(_taps(geometry, axis) >= 0, axis=0) for axis in (0, 1)]
        np.copyto(tap, first[0][:, None] * kw + first[1], where=~winners.any(axis=0))
    rows, cols = _taps(geometry, 0), _taps(geometry, 1)
    oH, oW = geometry.sizes
    where = rows[tap // kw, np.arange(oH)[:, None]] * geometry.x.shape[3] + cols[tap % kw, np.arange(oW)]
    if geometry.unbatched:
        return best[0], where[0]
    return best, where


def avg_divisor(geometry: Pooling, count_include_pad: bool, divisor_override) -> np.ndarray:
    """Return what each window's sum is divided by, ``(oH, oW)`` (or a scalar with ``divisor_override``)."""
    if divisor_override is not None:
        return np.float64(divisor_override)
    counts = []
    for n, k, s, p, o in zip(geometry.x.shape[2:], geometry.kernel, geometry.stride, geometry.pads,
                             geometry.sizes):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        counts.append(end - start if count_include_pad else np.minimum(end, n) - np.maximum(start, 0))
    return np.multiply.outer(*counts)


def check_divisor_override(divisor_override) -> None:
    """Raise unless ``divisor_override`` is None or a non-zero int."""
    if divisor_override is not None and (
        not isinstance(divisor_override, numbers.Integral) or isinstance(divisor_override, bool)
        or divisor_override == 0
    ):
        raise ValueError(f"divisor_override must be a non-zero int or None, got {divisor_override!r}")


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
    check_divisor_override(divisor_override)
    geometry = pooling(x, kernel_size, stride, padding, 1, ceil_mode)
    view = windows(pad_axes(geometry.x, geometry.widths), geometry.kernel, geometry.stride)
    total = view[..., 0, 0].copy()
    for i in range(geometry.kernel[0]):
        for j in range(geometry.kernel[1]):
            if (i, j) != (0, 0):
                total += view[..., i, j]
    divisor = avg_divisor(geometry, count_include_pad, divisor_override)
    total /= np.asarray(divisor, dtype=total.dtype)
    return total[0] if geometry.unbatched else total


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
