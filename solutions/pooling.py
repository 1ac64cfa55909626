"""Max and average pooling: each window of each channel reduced to one number.

Output size per axis, with ``p`` cells of padding per side and stride ``s`` (which defaults to
the window size ``k``):

* max: ``floor((n + 2p - d*(k-1) - 1) / s) + 1``; average: the same with ``d = 1``;
* ``ceil_mode=True`` rounds up instead, so a partial window at the end still yields an output
  (even one longer than the whole padded axis), but a window that would *start* inside the
  right padding is dropped.

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
from .windows import Phases, phases, split_phases, window_count, windows

__all__ = ["max_pool2d", "avg_pool2d", "pool2d", "pool2d_strided"]


def pooled_size(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """Return the pooled length of an axis of length ``n`` (PyTorch's rule, see the module doc); 0 if none.

    >>> pooled_size(5, 2, 2, 0, 1, False), pooled_size(5, 2, 2, 0, 1, True)
    (2, 3)
    >>> pooled_size(2, 2, 2, 0, 2, True)   # a window longer than the axis, starting inside it
    1
    """
    if not ceil_mode:
        return window_count(n, k, s, d, p)
    # Rounding up is counting the windows that fit once the axis has s - 1 more cells at its
    # end, PyTorch's (n + 2p - span + s - 1) // s + 1: a window that overhangs the end counts,
    # even one longer than the whole padded axis (which window_count alone finds no room for).
    out = window_count(n + s - 1, k, s, d, p)
    if out and (out - 1) * s >= n + p:
        out -= 1  # ... but not one that would start in the right padding
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

    def axis_phases(self) -> tuple[Phases, Phases]:
        """Return the stride phases of the rows and of the columns of the padded input, for its windows.

        :func:`solutions.windows.phases` of each axis of ``x`` ``(N, C, H, W)``, padded by
        ``widths`` on the left, with ``sizes`` windows: ``(rows, cols)``.
        """
        rows, cols = (phases(n, k, s, d, before, count) for n, k, s, d, (before, _), count in
                      zip(self.x.shape[2:], self.kernel, self.stride, self.dilation, self.widths, self.sizes))
        return rows, cols


def pooling(x, kernel_size, stride, padding, dilation, ceil_mode) -> Pooling:
    """Check the arguments shared by both poolings (and their gradients); return the geometry."""
    x, unbatched = batched(x)
    kernel = positive_pair(kernel_size, "kernel_size")
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        stride = kernel
    stride = positive_pair(stride, "stride")
    dilation = positive_pair(dilation, "dilation")
    pads = non_negative_pair(padding, "padding")
    if pads[0] > kernel[0] // 2 or pads[1] > kernel[1] // 2:
        raise ValueError(f"padding {pads} must be at most half of kernel_size {kernel} (p <= k // 2)")
    sizes, widths = [], []  # one plain loop: this runs on every call, for inputs of 28x28 too
    for n, k, s, p, d in zip(x.shape[2:], kernel, stride, pads, dilation):
        o = pooled_size(n, k, s, p, d, bool(ceil_mode))
        sizes.append(o)
        # Pad on the right as far as the last window reaches (ceil_mode may reach past the padding).
        widths.append((p, max((o - 1) * s + d * (k - 1) + 1 - n - p, 0)))
    sizes = tuple(sizes)
    if min(sizes) < 1:
        raise ValueError(
            f"kernel_size {kernel} with dilation {dilation} and padding {pads} leaves no window in "
            f"the input {x.shape[2:]}: output size would be {sizes}"
        )
    return Pooling(x, unbatched, kernel, stride, dilation, pads, sizes, widths)


def _taps(geometry: Pooling, axis: int) -> np.ndarray:
    """Return the input coordinate of tap ``i`` of window ``o`` along ``axis``, ``(k, o)``: ``o*s - p + i*d``."""
    k, s, p, d, o = (field[axis] for field in (geometry.kernel, geometry.stride, geometry.pads,
                                               geometry.dilation, geometry.sizes))
    return np.arange(o) * s - p + np.arange(k)[:, None] * d


def window_max(view: np.ndarray) -> np.ndarray:
    """Return the maximum of each window of ``view`` ``(..., oH, oW, kh, kw)``, NaN if it holds one."""
    kh, kw = view.shape[-2:]
    taps = [view[..., k // kw, k % kw] for k in range(kh * kw)]
    best = np.maximum(taps[0], taps[1]) if len(taps) > 1 else taps[0].copy()
    for tap in taps[2:]:
        np.maximum(best, tap, out=best)
    return best


class Winners(NamedTuple):
    """The maximum and winning tap of every window, on the phase planes (see :func:`window_argmax`)."""

    best: np.ndarray   # (N, C, Lh, Lw): window (oh, ow) at [..., oh, ow]; the cells past (oH, oW) are scratch
    tap: np.ndarray    # (N, C, Lh, Lw): tap i*kw + j of the winner, kh*kw for a window without input cell
    rows: Phases       # the phases of each axis: Lh = rows.length, Lw = cols.length
    cols: Phases


def window_argmax(x: np.ndarray, geometry: Pooling) -> Winners:
    """Return the maximum of each window of ``x`` ``(N, C, H, W)`` and the tap PyTorch's max-pool picks.

    The winner is the first maximum in row-major window order among the cells inside the input
    (so a window of ``-inf`` picks its first input cell, never the ``-inf`` padding), or the last
    NaN if the window holds NaN. A window without any input cell, which only dilation can
    produce, gets no tap (``kh*kw``).

    The input is copied once into its stride phases, padded with ``-inf``
    (:func:`solutions.windows.split_phases`). Flattened, each plane holds window ``(oh, ow)`` at
    ``oh*Lw + ow``, so tap ``(i, j)`` of every window is one contiguous slice, starting
    ``u*Lw + v`` cells on (its shifts): each tap is one pass of contiguous compares. The results
    keep that layout, ``(N, C, Lh, Lw)``, the windows at ``[..., :oH, :oW]`` and scratch (windows
    that wrap into the next row or image) around them.

    >>> x = np.array([[[[1., 5., 5.], [0., 2., 7.]]]])
    >>> result = window_argmax(x, pooling(x, 2, 1, 0, 1, False))
    >>> result.best[..., :1, :2], result.tap[..., :1, :2]   # window 0: first 5; window 1: the 7
    (array([[[[5., 7.]]]]), array([[[[1, 3]]]], dtype=uint8))
    """
    kh, kw = geometry.kernel
    rows, cols = geometry.axis_phases()
    planes = split_phases(x, rows, cols, fill=-np.inf)
    flat = planes.reshape(planes.shape[:2] + (-1,))
    Lh, Lw = rows.length, cols.length
    starts = [(a, b, u * Lw + v) for a, u in rows.taps for b, v in cols.taps]  # row-major taps
    size = flat.shape[-1]
    index = np.min_scalar_type(kh * kw)
    best = flat[0, 0].copy()  # tap (0, 0): phase (0, 0), no shift
    if any(b or a for b, a in geometry.widths):
        tap = np.empty((x.shape[0] * x.shape[1], Lh * Lw), dtype=index)
        tap[:] = _first_inside(geometry, (Lh, Lw), index).ravel()
        tap = tap.ravel()
    else:  # without padding every window starts at an input cell
        tap = np.zeros(size, dtype=index)
    claim, code = np.empty(size, dtype=bool), np.empty(size, dtype=index)
    for k, (a, b, start) in enumerate(starts[1:], start=1):
        cells = flat[a, b, start:]  # tap k of window w (the windows past its end are scratch)
        n = cells.size
        # Strictly greater: a later tap equal to the maximum does not claim the window, nor does
        # the -inf padding ever (each window starts with its first input cell as its winner).
        np.greater(cells, best[:n], out=claim[:n])
        # k grows, so the largest claim is the last: max(tap, k * claim) records it.
        np.multiply(claim[:n], index.type(k), out=code[:n])
        np.maximum(tap[:n], code[:n], out=tap[:n])
        np.maximum(best[:n], cells, out=best[:n])
    nan = np.isnan(best)  # np.maximum propagates a NaN, which no compare claims: the last NaN wins
    if nan.any():
        for k, (a, b, start) in enumerate(starts):
            cells = flat[a, b, start:]
            tap[: cells.size][nan[: cells.size] & np.isnan(cells)] = k
    shape = x.shape[:2] + (Lh, Lw)
    return Winners(best.reshape(shape), tap.reshape(shape), rows, cols)


def _first_inside(geometry: Pooling, shape: tuple, dtype) -> np.ndarray:
    """Return each window's first tap inside the input (row-major; ``kh*kw`` if none) on a ``shape`` grid.

    The windows are ``[:oH, :oW]`` of the grid; its other cells are scratch and get ``kh*kw``.
    """
    kh, kw = geometry.kernel
    first = []
    for axis, n in enumerate(geometry.x.shape[2:]):
        taps = _taps(geometry, axis)  # (k, o)
        inside = (taps >= 0) & (taps < n)
        first.append(np.where(inside.any(axis=0), inside.argmax(axis=0), -1))
    rows, cols = first
    grid = np.full(shape, kh * kw, dtype=dtype)
    oH, oW = geometry.sizes
    grid[:oH, :oW] = np.where((rows[:, None] >= 0) & (cols >= 0), rows[:, None] * kw + cols, kh * kw)
    return grid


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
    if not return_indices:
        padded = pad_axes(geometry.x, geometry.widths, value=-np.inf)
        best = window_max(windows(padded, geometry.kernel, geometry.stride, geometry.dilation))
        return best[0] if geometry.unbatched else best
    winners = window_argmax(geometry.x, geometry)
    kh, kw = geometry.kernel
    oH, oW = geometry.sizes
    best = np.ascontiguousarray(winners.best[..., :oH, :oW])
    tap = winners.tap[..., :oH, :oW].astype(np.int64)
    rows, cols = _taps(geometry, 0), _taps(geometry, 1)
    if any(b or a for b, a in geometry.widths):
        # A window with no input cell has no winner; PyTorch then reports its first tap at or
        # after the input's start (which lies past the input's end).
        first = [np.argmax(taps >= 0, axis=0) for taps in (rows, cols)]
        np.copyto(tap, first[0][:, None] * kw + first[1], where=tap == kh * kw)
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
