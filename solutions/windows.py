"""The one windowing primitive: view a 2-D grid as the grid of windows a kernel slides over.

Every windowed op of the library stands on :func:`windows`. Convolution reads windows and
contracts them with a kernel, pooling reduces them, ``unfold`` copies them into columns, and
``fold`` and transposed convolution write *through* them, adding each window back onto the
grid (the adjoint of reading). Padding is applied beforehand by :mod:`solutions.padding`;
stride and dilation are only strides of the view, so nothing here copies data.

A strided view is cheap to build but slow to compute on: its elements lie apart in memory.
:func:`phases` and :func:`split_phases` copy a padded grid once into its
stride *phases* (the cells ``a, a + s, a + 2s, ...`` of each axis), in which every kernel tap of
the window grid is a plain shifted slice, contiguous once the plane is flattened.
"""

from __future__ import annotations

from typing import NamedTuple

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
    ``oH x oW`` of the canvas are left alone. Returns ``canvas``, modified in place.

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


class Phases(NamedTuple):
    """One axis of a strided window grid, split into its stride phases (built by :func:`phases`).

    Phase ``a`` holds the padded cells ``a, a + s, a + 2s, ...``; tap ``i`` of window ``o`` reads
    padded cell ``o*s + i*d``, which is cell ``o + shift`` of phase ``(i*d) % s``, with
    ``shift = (i*d) // s``. ``phase[in_phase[a]]`` and ``x[in_input[a]]`` are the same cells.

    >>> p = phases(7, 3, stride=2, before=1, count=4)   # 3 taps, stride 2, one cell of padding
    >>> p.taps, p.length
    (((0, 0), (1, 0), (0, 1)), 5)
    >>> p.in_phase, p.in_input     # phase 0 starts in the padding; phase 1 holds input cells 0, 2, 4, 6
    ((slice(1, 4, None), slice(0, 4, None)), (slice(1, 7, 2), slice(0, 8, 2)))
    """

    taps: tuple       # per kernel tap: (phase, shift)
    length: int       # cells per phase: the largest shift plus the number of windows
    in_phase: tuple   # per phase: the slice of it that holds input cells
    in_input: tuple   # per phase: those input cells, a slice of the input axis


def phases(n: int, k: int, stride: int = 1, dilation: int = 1, before: int = 0,
           count: int | None = None) -> Phases:
    """Return how an axis of ``n`` cells, padded by ``before``, splits into ``stride`` phases.

    ``count`` windows of ``k`` taps (default: as many as fit, :func:`window_count`) start
    ``stride`` cells apart. Each phase is ``length = (k-1)*d // s + count`` cells long, enough
    for every tap of every window; its cells past the input (padding, or the overhang of
    ``ceil_mode``) hold no input cell. Input cell ``r`` lies in phase ``(r + before) % s`` at
    ``(r + before) // s``; the input cells past the last phase cell are read by no window.

    >>> p = phases(8, 2, stride=2)        # 2x2 pooling: two phases, one tap each, no shift
    >>> p.taps, p.length
    (((0, 0), (1, 0)), 4)
    >>> np.arange(8)[p.in_input[1]]       # phase 1 holds the odd cells
    array([1, 3, 5, 7])
    >>> phases(7, 3, stride=2, before=1, count=4).taps    # the third tap reads phase 0, one cell on
    ((0, 0), (1, 0), (0, 1))
    >>> phases(9, 2, stride=3).in_input   # stride 3, two taps: phase 2 holds cells no window reads
    (slice(0, 9, 3), slice(1, 10, 3), slice(2, 11, 3))
    """
    if count is None:
        count = window_count(n, k, stride, dilation, before)
    length = (k - 1) * dilation // stride + count
    taps = tuple(((i * dilation) % stride, (i * dilation) // stride) for i in range(k))
    in_phase, in_input = [], []
    for a in range(stride):
        first = max(0, -(-(before - a) // stride))   # first cell of the phase at or after the input start
        start = a + first * stride - before          # the input cell it holds
        held = max(0, min(length - first, -(-(n - start) // stride)))
        in_phase.append(slice(first, first + held))
        in_input.append(slice(start, start + held * stride, stride))
    return Phases(taps, length, tuple(in_phase), tuple(in_input))


def split_phases(x: np.ndarray, rows: Phases, cols: Phases, fill: float) -> np.ndarray:
    """Return ``x`` ``(..., H, W)`` padded with ``fill`` and split into ``(sh, sw, ..., Lh, Lw)`` phases.

    Plane ``[a, b]`` holds the padded cells ``(a + sh*q, b + sw*p)``; ``Lh, Lw`` are the
    ``length`` of ``rows`` and ``cols``. Cells that hold no input cell are ``fill``. One copy of
    the input; afterwards tap ``(i, j)`` of every window is the slice
    ``planes[rows.taps[i][0], cols.taps[j][0], ..., u : u + oH, v : v + oW]``, ``u, v`` the shifts.

    >>> rows = cols = phases(4, 2, stride=2)
    >>> split_phases(np.arange(16.0).reshape(4, 4), rows, cols, fill=0)[1, 0]   # odd rows, even columns
    array([[ 4.,  6.],
           [12., 14.]])
    """
    shape = (len(rows.in_phase), len(cols.in_phase)) + x.shape[:-2] + (rows.length, cols.length)
    planes = np.empty(shape, dtype=x.dtype)
    for a, (held_rows, input_rows) in enumerate(zip(rows.in_phase, rows.in_input)):
        for b, (held_cols, input_cols) in enumerate(zip(cols.in_phase, cols.in_input)):
            plane = planes[a, b]
            if (held_rows.stop - held_rows.start, held_cols.stop - held_cols.start) != shape[-2:]:
                plane.fill(fill)   # the plane reaches into the padding
            plane[..., held_rows, held_cols] = x[..., input_rows, input_cols]
    return planes


def tap_cells(axis: Phases, i: int, count: int) -> tuple[slice, slice]:
    """Return ``(windows, cells)``: the windows whose tap ``i`` lies inside the input, and those cells.

    Along one axis (``axis`` from :func:`phases`, with ``count`` windows), ``cells`` is a
    slice of the input with the stride as its step: window ``windows.start + m`` reads input
    cell ``cells.start + m*s`` at tap ``i``. The taps in the padding are left out; no two
    windows share a cell at the same tap.

    >>> rows = phases(7, 3, stride=2, before=1, count=4)   # windows read padded cells 2o .. 2o+2
    >>> tap_cells(rows, 0, 4)       # tap 0 of window 0 is the padding
    (slice(1, 4, None), slice(1, 7, 2))
    >>> tap_cells(rows, 2, 4)       # tap 2 of window 3 is past the input
    (slice(0, 3, None), slice(1, 7, 2))
    """
    phase, shift = axis.taps[i]
    held, cells = axis.in_phase[phase], axis.in_input[phase]
    first, last = max(0, held.start - shift), min(count, held.stop - shift)
    if last <= first:
        return slice(0, 0), slice(0, 0)
    start = cells.start + (first + shift - held.start) * cells.step
    return slice(first, last), slice(start, start + (last - first) * cells.step, cells.step)
