"""Gradients of the windowed ops: what ``torch.autograd`` computes for conv2d and the poolings.

A forward op reads its input through windows; its gradient writes through the same windows,
in the other direction (:func:`solutions.windows.scatter_add` is the adjoint of
:func:`solutions.windows.windows`). Given ``grad_output = dL/dY`` for ``Y = op(x, ...)``:

* ``conv2d``: ``dL/dx`` is the transposed convolution of ``grad_output`` by the same weight
  (each output gradient stamps ``grad * weight`` back onto the window it came from), cropped by
  the padding; ``dL/dweight[o, c, u, v]`` sums ``grad_output[n, o] * x_padded[n, c]`` over every
  window, at kernel offset ``(u, v)``: a correlation of the input with ``grad_output``;
  ``dL/dbias`` sums ``grad_output`` over the batch and the positions.
* ``max_pool2d``: each window passes its gradient to the cell that won it, the cell
  ``max_pool2d(..., return_indices=True)`` names (first maximum in row-major order, last NaN);
  overlapping windows add.
* ``avg_pool2d``: each window spreads ``grad / divisor`` evenly over its cells, with the divisor
  of the forward pass.

Shapes and the output-size formula are those of the forward ops; ``grad_output`` must have the
forward output's shape. Float input keeps its dtype (the common one of the arguments); integer
input is promoted to float64.
"""

from __future__ import annotations

import numpy as np

from ._args import as_float, common_float
from .conv import convolution, flat_rows, flat_taps
from .padding import pad_axes
from .pooling import avg_divisor, check_divisor_override, pooling, window_argmax
from .transposed import stamp
from .windows import tap_cells, window_count, windows

__all__ = ["conv2d_backward", "max_pool2d_backward", "avg_pool2d_backward"]


def _grad_output(grad_output, expected: tuple, unbatched: bool, channels: str) -> np.ndarray:
    """Return ``grad_output`` as a float batch, after checking it has the forward output's shape ``expected``."""
    grad = as_float(grad_output, "grad_output")
    shape, layout = (expected[1:], f"({channels}, oH, oW)") if unbatched else (expected, f"(N, {channels}, oH, oW)")
    if grad.shape != shape:
        raise ValueError(
            f"grad_output must have the forward output's shape {layout} = {shape}, got {grad.shape}"
        )
    return grad[None] if unbatched else grad


def conv2d_backward(x, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """Return ``(grad_input, grad_weight, grad_bias)`` of ``Y = conv2d(x, weight, bias, ...)``.

    Parameters
    ----------
    x : ``(N, C_in, H, W)`` or unbatched ``(C_in, H, W)``.
    weight : ``(C_out, C_in/groups, kh, kw)``.
    grad_output : ``dL/dY``, ``(N, C_out, oH, oW)`` (or ``(C_out, oH, oW)``) with
        ``oH = floor((H + 2ph - dh*(kh-1) - 1) / sh) + 1``.
    stride, padding, dilation, groups : as :func:`solutions.conv2d` (padding per side, an int,
        a pair, ``"valid"`` or ``"same"``; zero padding).

    Returns
    -------
    ``grad_input`` of ``x``'s shape, ``grad_weight`` of ``weight``'s shape and ``grad_bias``
    ``(C_out,)``, as ``torch.autograd`` gives them, in the common float dtype of the arguments.

    ``grad_input`` is the transposed convolution of ``grad_output`` by ``weight`` with the same
    stride, dilation and groups, cropped by the padding (the canvas spans the padded input, so
    rows a strided convolution never read get zero); ``grad_weight[o, c, u, v]`` is the sum over
    ``n, i, j`` of ``grad_output[n, o, i, j] * x_padded[n, c', i*sh + u*dh, j*sw + v*dw]``.

    Examples
    --------
    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> dx, dw, db = conv2d_backward(x, np.array([[[[0., 1.], [2., 3.]]]]), np.ones((1, 1, 2, 2)))
    >>> dw
    array([[[[ 8., 12.],
             [20., 24.]]]])
    >>> dx
    array([[[[0., 1., 1.],
             [2., 6., 4.],
             [2., 5., 3.]]]])
    >>> db
    array([4.])
    >>> [a.shape for a in conv2d_backward(np.ones((2, 4, 7, 7)), np.ones((6, 2, 3, 3)),
    ...                                   np.ones((2, 6, 4, 4)), stride=2, padding=1, groups=2)]
    [(2, 4, 7, 7), (6, 2, 3, 3), (6,)]
    """
    setup = convolution(x, weight, stride, padding, dilation, groups)
    N, C_in, H, W = setup.x.shape
    C_out, _, kh, kw = setup.weight.shape
    oH, oW = (window_count(n + b + a, k, s, d)
              for n, (b, a), k, s, d in zip((H, W), setup.widths, (kh, kw), setup.stride, setup.dilation))
    grad = _grad_output(grad_output, (N, C_out, oH, oW), setup.unbatched, "C_out")
    x, w, grad = common_float(setup.x, setup.weight, grad)
    (top, _), (left, _) = setup.widths
    grad_input = stamp(grad, w, setup.stride, setup.dilation, groups, (top, left), (H, W))
    grad_weight = _weight_gradient(x, setup.widths, grad, (kh, kw), setup.stride, setup.dilation, groups)
    grad_bias = grad.sum(axis=(0, 2, 3))
    return (grad_input[0] if setup.unbatched else grad_input), grad_weight, grad_bias


# Channels on both sides of a group from which _weight_gradient lays the gradient out positions
# first: BLAS then runs each product about 1.4x faster (both operands row-major along the
# positions), which pays for the transposed copy. Measured on benchmarks/bench.py's layers, the
# whole weight gradient: 1.15x to 1.3x faster with 32 and 64 channels, 1.05x to 1.1x slower
# with 16, 1.3x slower with 3 input channels.
POSITIONS_FIRST_MIN_CHANNELS = 32


def _weight_gradient(x: np.ndarray, widths, grad: np.ndarray, kernel, stride, dilation, groups: int) -> np.ndarray:
    """(N, C_in, H, W) input zero-padded by widths x (N, C_out, oH, oW) gradient -> (C_out, C_in/groups, kh, kw).

    Kernel offset ``(u, v)`` read the padded input cells ``xp[..., i*sh + u*dh, j*sw + v*dw]``;
    its gradient is their product with ``grad`` summed over the batch and the positions, a
    matrix product ``(Cog, positions) @ (positions, Cig)`` per image and group.
    """
    N, C_in, H, W = x.shape
    C_out, oH, oW = grad.shape[1:]
    kh, kw = kernel
    G = groups
    Cig, Cog = C_in // G, C_out // G
    xg = x.reshape(N, G, Cig, H, W)
    out = np.empty((G, Cog, Cig, kh, kw), dtype=grad.dtype)
    if tuple(stride) == (1, 1):
        # The input each offset read is a contiguous slice of the flattened padded image (see
        # conv.flat_rows), if the gradient is laid out at the padded width, zeros past oW.
        flat = flat_rows(xg, widths)
        Wp = W + sum(widths[1])
        length = oH * Wp
        rows = np.zeros((N, G, Cog, oH, Wp), dtype=grad.dtype)
        rows[..., :oW] = grad.reshape(N, G, Cog, oH, oW)
        rows = rows.reshape(N, G, Cog, length)
        taps = flat_taps(flat, Wp, kernel, dilation, length)  # (N, G, Cig, kh, kw, length)

        def offset_taps(u, v):
            return taps[..., u, v, :]
    else:
        rows = grad.reshape(N, G, Cog, oH * oW)
        view = windows(pad_axes(xg, widths), kernel, stride, dilation)  # (N, G, Cig, oH, oW, kh, kw)

        def offset_taps(u, v):
            return np.ascontiguousarray(view[..., u, v]).reshape(N, G, Cig, oH * oW)

    # Each offset: (Cog, P) @ (P, Cig) per image and group, summed over the images; or, with
    # the gradient laid out positions first, (Cig, P) @ (P, Cog), transposed.
    if min(Cig, Cog) >= POSITIONS_FIRST_MIN_CHANNELS:
        rows = np.ascontiguousarray(rows.swapaxes(-1, -2))
        for u in range(kh):
            for v in range(kw):
                out[..., u, v] = np.matmul(offset_taps(u, v), rows).sum(axis=0).swapaxes(-1, -2)
    else:
        for u in range(kh):
            for v in range(kw):
                out[..., u, v] = np.matmul(rows, offset_taps(u, v).swapaxes(-1, -2)).sum(axis=0)
    return out.reshape(C_out, Cig, kh, kw)


def max_pool2d_backward(x, grad_output, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Return ``grad_input`` of ``Y = max_pool2d(x, kernel_size, ...)``: ``x``'s shape.

    Parameters
    ----------
    x : ``(N, C, H, W)`` or unbatched ``(C, H, W)``: the forward input.
    grad_output : ``dL/dY`` ``(N, C, oH, oW)`` (or ``(C, oH, oW)``),
        ``oH = floor((H + 2ph - dh*(kh-1) - 1) / sh) + 1`` (ceil with ``ceil_mode``).
    kernel_size, stride (default: ``kernel_size``), padding, dilation, ceil_mode : as
        :func:`solutions.max_pool2d`.

    Each window passes its gradient to its maximum: the first in row-major order on ties, the
    last NaN if it holds NaNs, its first cell inside the input if all its cells are ``-inf``
    (PyTorch's rule, the cell ``max_pool2d`` reports with ``return_indices``). Overlapping
    windows add. A window that, through dilation, holds no input cell at all passes nothing.

    Examples
    --------
    >>> X = np.arange(16.0).reshape(1, 4, 4)
    >>> max_pool2d_backward(X, np.array([[[1., 2.], [3., 4.]]]), 2)
    array([[[0., 0., 0., 0.],
            [0., 1., 0., 2.],
            [0., 0., 0., 0.],
            [0., 3., 0., 4.]]])
    >>> max_pool2d_backward(np.zeros((1, 3, 3)), np.ones((1, 2, 2)), 2, stride=1)
    array([[[1., 1., 0.],
            [1., 1., 0.],
            [0., 0., 0.]]])
    """
    geometry, x, grad = _pooled(x, grad_output, kernel_size, stride, padding, dilation, ceil_mode)
    winners = window_argmax(x, geometry)
    rows, cols = winners.rows, winners.cols
    N, C, Lh, Lw = winners.tap.shape
    oH, oW = geometry.sizes
    if (Lh, Lw) == (oH, oW):
        g = np.ascontiguousarray(grad)
    else:
        # grad_output laid out like the windows on the phase planes, zero on the scratch windows
        # (so that they pass nothing); the maxima are no longer needed: their buffer holds it.
        g = winners.best
        g[..., :oH, :oW] = grad
        g[..., oH:, :] = 0
        g[..., :oH, oW:] = 0
    g, tap = g.reshape(-1), winners.tap.reshape(-1)
    finite = np.isfinite(grad).all()
    # Input cells that no phase plane holds (past the last window) get zeros. grad_input is
    # allocated before the buffers below so that it reuses the memory the phases of the input
    # just freed: the peak stays low enough for the allocator to keep the memory between calls
    # (returned to the system and faulted back in, it costs more than the whole computation).
    held = tuple(sum(cells.stop - cells.start for cells in axis.in_phase) for axis in (rows, cols))
    grad_input = (np.empty if held == x.shape[2:] else np.zeros)(x.shape, dtype=g.dtype)
    claim, share, plane = np.empty(g.size, dtype=bool), np.empty_like(g), np.empty_like(g)
    passes = {}  # phase (a, b) -> [(tap k, start)]: window w's tap k is cell w + start of the plane
    for k, ((a, u), (b, v)) in enumerate((r, c) for r in rows.taps for c in cols.taps):
        passes.setdefault((a, b), []).append((k, u * Lw + v))
    for a, (held_rows, input_rows) in enumerate(zip(rows.in_phase, rows.in_input)):
        for b, (held_cols, input_cols) in enumerate(zip(cols.in_phase, cols.in_input)):
            _pass_to_plane(plane, g, tap, passes.get((a, b), []), claim, share, finite)
            grad_input[..., input_rows, input_cols] = plane.reshape(N, C, Lh, Lw)[..., held_rows, held_cols]
    # + 0.0 turns the -0.0 of a negative gradient times False into +0.0, the zero of PyTorch's
    # zero-filled grad_input.
    grad_input += 0.0
    return grad_input[0] if geometry.unbatched else grad_input


def _pass_to_plane(plane, g, tap, passes, claim, share, finite: bool) -> None:
    """Fill the flat phase plane ``plane`` with the gradients ``g`` its taps pass.

    ``passes`` lists the plane's taps as ``(k, start)``: window ``w`` whose winner is tap ``k``
    adds ``g[w]`` to cell ``w + start``. ``claim`` (bool) and ``share`` are scratch of
    ``g``'s size; ``finite`` says that ``g`` holds no infinity.
    """
    if not passes:
        plane.fill(0)
    for i, (k, start) in enumerate(passes):
        n = g.size - start
        np.equal(tap[:n], k, out=claim[:n])
        passed = plane[start:] if i == 0 else share[:n]  # the first tap writes, the others add
        if finite:
            np.multiply(g[:n], claim[:n], out=passed)
        else:  # 0 * inf is NaN: an infinite gradient must reach its winner only
            passed[:] = np.where(claim[:n], g[:n], 0)
        if i == 0:
            plane[:start] = 0
        else:
            plane[start:] += passed


def avg_pool2d_backward(x, grad_output, kernel_size, stride=None, padding=0, ceil_mode=False,
                        count_include_pad=True, divisor_override=None):
    """Return ``grad_input`` of ``Y = avg_pool2d(x, kernel_size, ...)``: ``x``'s shape.

    Parameters
    ----------
    x : ``(N, C, H, W)`` or unbatched ``(C, H, W)``: the forward input (only its shape and
        dtype matter: average pooling is linear).
    grad_output : ``dL/dY`` ``(N, C, oH, oW)`` (or ``(C, oH, oW)``), ``oH = floor((H + 2ph - kh) / sh) + 1``
        (ceil with ``ceil_mode``).
    kernel_size, stride (default: ``kernel_size``), padding, ceil_mode, count_include_pad,
        divisor_override : as :func:`solutions.avg_pool2d`.

    Each window adds ``grad / divisor`` to each of its cells, the divisor being the one the
    forward pass divided that window's sum by; cells in the padding receive nothing.

    Examples
    --------
    >>> X = np.zeros((1, 4, 4))
    >>> avg_pool2d_backward(X, np.array([[[4., 8.], [12., 16.]]]), 2)
    array([[[1., 1., 2., 2.],
            [1., 1., 2., 2.],
            [3., 3., 4., 4.],
            [3., 3., 4., 4.]]])

    Without ``count_include_pad`` a corner window of one input cell gives it its whole gradient:

    >>> avg_pool2d_backward(np.zeros((1, 2, 2)), np.ones((1, 3, 3)), 2, stride=1, padding=1,
    ...                     count_include_pad=False)
    array([[[2.25, 2.25],
            [2.25, 2.25]]])
    """
    check_divisor_override(divisor_override)
    geometry, x, grad = _pooled(x, grad_output, kernel_size, stride, padding, 1, ceil_mode)
    share = grad / np.asarray(avg_divisor(geometry, count_include_pad, divisor_override), dtype=grad.dtype)
    # A window is a run of rows times a run of columns, so spreading its share over its cells
    # is spreading it down its rows, then along its columns: kh + kw adds instead of kh*kw.
    # Each tap adds only where it lies inside the input (the padding receives nothing).
    N, C, H, W = x.shape
    (oH, oW), (kh, kw) = geometry.sizes, geometry.kernel
    rows, cols = geometry.axis_phases()
    spread = np.zeros((N, C, H, oW), dtype=grad.dtype)  # each input row's share of each column of windows
    for i in range(kh):
        reading, cells = tap_cells(rows, i, oH)  # the windows whose tap i reads these rows
        spread[..., cells, :] += share[..., reading, :]
    grad_input = np.zeros(x.shape, dtype=grad.dtype)
    for j in range(kw):
        reading, cells = tap_cells(cols, j, oW)
        grad_input[..., cells] += spread[..., reading]
    return grad_input[0] if geometry.unbatched else grad_input


def _pooled(x, grad_output, kernel_size, stride, padding, dilation, ceil_mode):
    """Check a pooling gradient's arguments; return its geometry, ``x`` and ``grad_output`` (batched, one float dtype)."""
    geometry = pooling(x, kernel_size, stride, padding, dilation, ceil_mode)
    N, C = geometry.x.shape[:2]
    grad = _grad_output(grad_output, (N, C, *geometry.sizes), geometry.unbatched, "C")
    return (geometry, *common_float(geometry.x, grad))
