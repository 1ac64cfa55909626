"""Chapter 6: a dilated kernel's taps on the input grid, its span, and what it makes of a checkerboard."""

from __future__ import annotations

import ipywidgets
import numpy as np
from matplotlib.collections import PatchCollection
from matplotlib.patches import Rectangle

from . import drawing
from .frame import ConvWidget, Note, course_widget
from .student import call, name_of

GRID = 12  # the input grid the taps are drawn on
TEST_SIZE = 24  # the checkerboard the student's function is run on
TAP_COLOUR = drawing.HIGHLIGHT
PIXEL = 9 / drawing.DPI  # inches per pixel of the checkerboard and of the output: whole screen pixels


def checkerboard(size: int = TEST_SIZE) -> np.ndarray:
    """Return a ``(size, size)`` checkerboard of single-pixel squares: 1 where ``i + j`` is even."""
    i, j = np.indices((size, size))
    return ((i + j) % 2 == 0).astype(float)


def dilated_sums(X: np.ndarray, k: int, d: int) -> np.ndarray:
    """Return the sums of the ``k x k`` taps, ``d`` apart, at every position: ``(H - d(k-1), W - d(k-1))``.

    The widget's own check of ``corr2d_dilated(X, ones((k, k)), d)``.
    """
    span = d * (k - 1) + 1
    oh, ow = X.shape[0] - span + 1, X.shape[1] - span + 1
    return sum(X[a * d:a * d + oh, b * d:b * d + ow] for a in range(k) for b in range(k))


def span_text(k: int, d: int, n: int) -> str:
    """Return the effective kernel size worked out, and the output size it leaves on ``n`` cells."""
    span = d * (k - 1) + 1
    text = f"effective size d·(k-1) + 1 = {d}·({k}-1) + 1 = {span}"
    if span > n:
        return text + f": wider than the {n}×{n} input, no output"
    return text + f"; on a {n}×{n} input: n - {span} + 1 = {n - span + 1} outputs a side"


@course_widget("conv-dilation-explorer")
def dilation_explorer(corr2d_dilated) -> ConvWidget:
    """Return a widget that draws a dilated kernel on a grid and runs ``corr2d_dilated`` on a checkerboard.

    ``corr2d_dilated(X, K, dilation)`` maps ``(H, W) x (k, k) -> (H - d(k-1), W - d(k-1))``: the
    taps of ``K`` sit ``d`` cells apart and span ``d(k-1) + 1`` cells. Sliders set the kernel size
    ``k`` and the dilation ``d``. The picture shows the taps on a 12x12 grid with their span
    outlined, and the output of ``corr2d_dilated(X, ones((k, k)), d)`` for a checkerboard ``X`` of
    single-pixel squares: with an even ``d`` every tap lands on the same colour.
    """
    name = name_of(corr2d_dilated, "corr2d_dilated")
    X = checkerboard()
    size = ipywidgets.IntSlider(value=3, min=2, max=5, description="kernel k", continuous_update=False)
    dilation = ipywidgets.IntSlider(value=2, min=1, max=4, description="dilation d", continuous_update=False)
    most = 4 * (5 - 1) + 1  # the widest span the sliders allow
    canvas = drawing.Canvas(11.0, 5.3)
    ax_grid = canvas.add_axes(0.45, 0.95, 4.0, 4.0)
    ax_x = canvas.add_axes(5.0, 0.95, TEST_SIZE * PIXEL, TEST_SIZE * PIXEL)
    ax_y = canvas.add_axes(8.15, 0.95, TEST_SIZE * PIXEL, TEST_SIZE * PIXEL)

    def draw():
        k, d = size.value, dilation.value
        span = d * (k - 1) + 1
        canvas.text(0.45, 0.12, span_text(k, d, GRID) + f"   (K = ones(({k}, {k})), dilation d={d})",
                    fontsize=11, va="top")
        # The grid: the 12 x 12 input, and beyond it (pale) the cells the widest span reaches.
        N = max(GRID, most)
        inside = np.zeros((N, N))
        inside[:GRID, :GRID] = 1
        ax_grid.imshow(inside, cmap="Blues", vmin=-0.5, vmax=3.5, interpolation="nearest")
        drawing.cell_lines(ax_grid, (N, N), linewidth=1)
        ax_grid.set_xticks(range(0, N, 2))
        ax_grid.set_yticks(range(0, N, 2))
        ax_grid.tick_params(length=0, labelsize=8)
        taps = np.arange(k) * d
        ax_grid.add_collection(PatchCollection([Rectangle((c - 0.5, r - 0.5), 1, 1) for r in taps for c in taps],
                                               facecolor=TAP_COLOUR, edgecolor="black", linewidth=0.8, zorder=3))
        drawing.highlight(ax_grid, 0, 0, span, span, colour="black", linewidth=2.5, linestyle="--")
        ax_grid.text(span - 0.5, span - 0.45, f"span {span}", ha="right", va="top", fontsize=10, zorder=5,
                     bbox=dict(facecolor="white", edgecolor="none", pad=1))
        ax_grid.set_frame_on(False)
        drawing.title(ax_grid, f"{k}×{k} taps, d={d} apart, on the {GRID}×{GRID} input (blue)")

        ax_x.imshow(X, cmap=drawing.PHOTO_CMAP, vmin=0, vmax=1, interpolation="nearest")
        drawing.title(ax_x, f"checkerboard X  {TEST_SIZE}×{TEST_SIZE}")
        ax_x.set_axis_off()
        oh = TEST_SIZE - span + 1
        canvas.place(ax_y, 8.15, 0.95, oh * PIXEL, oh * PIXEL)  # the output at the scale of X: it shrinks
        heading = f"{name}(X, ones(({k}, {k})), {d})"
        result = call(corr2d_dilated, X, np.ones((k, k)), d, name=name, shape=(oh, oh))
        if not result.ok:
            drawing.message(ax_y, result.problem, heading, width=26)
            return [Note(result.problem, "problem")]
        Y = result.value
        # From 0 (every tap on black) to k*k (every tap on white): the same scale at every d.
        ax_y.imshow(Y, cmap=drawing.PHOTO_CMAP, vmin=0, vmax=k * k, interpolation="nearest")
        drawing.title(ax_y, heading, fontsize=9)
        ax_y.set_xticks([])
        ax_y.set_yticks([])
        ax_y.set_xlabel(f"shape {oh}×{oh} = {TEST_SIZE} - {span} + 1; values {drawing.format_number(Y.min())} "
                        f"to {drawing.format_number(Y.max())} of 0..{k * k}", fontsize=9)
        caption = ("Every tap of an even d lands on the\nsame colour: the output is a full-contrast\ncheckerboard. "
                   "An odd d alternates colours:\nthe taps average out to gray.")
        canvas.text(5.0, 4.2, caption, fontsize=10, va="top")
        expected = dilated_sums(X, k, d)
        wrong = ~np.isclose(Y, expected, rtol=1e-6, atol=1e-9)
        if wrong.any():
            return [Note(f"{int(wrong.sum())} of the {wrong.size} outputs of {name} differ from the sum of the "
                         f"{k}×{k} taps {d} apart", "problem")]
        return [Note(f"{name} agrees with summing the {k}×{k} taps, {d} apart; output {oh}×{oh}", "ok")]

    return ConvWidget({"k": size, "d": dilation}, canvas, draw)
