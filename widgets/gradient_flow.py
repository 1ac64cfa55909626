"""Chapter 7: the gradient of one output cell of a cross-correlation, flowing back onto X and K."""

from __future__ import annotations

import ipywidgets
import numpy as np
from matplotlib.patches import Rectangle

from . import drawing
from .frame import ConvWidget, Note, course_widget
from .results import arrays
from .student import call, name_of
from .transposed_stepper import scatter
from .window_stepper import _grid, example, window_sums

# The worked example of chapter 7: dK == [[8, 12], [20, 24]], dX == [[0, 1, 1], [2, 6, 4], [2, 5, 3]].
EXAMPLE_X = np.arange(9.0).reshape(3, 3)
EXAMPLE_K = [[0, 1], [2, 3]]
ONE_CELL, RUNNING_SUM = "one output cell", "running sum"
FADE = (1.0, 1.0, 1.0, 0.75)  # white veil over the cells of dY that do not take part


def kept_cells(shape: tuple[int, int], i: int, j: int, running: bool) -> np.ndarray:
    """Return the mask of the cells of ``dY`` that flow back: ``(i, j)`` alone, or every cell up to it in reading order.

    >>> kept_cells((2, 2), 0, 1, running=True)
    array([[ True,  True],
           [False, False]])
    """
    keep = np.zeros(shape, dtype=bool)
    if running:
        keep.reshape(-1)[:i * shape[1] + j + 1] = True
    else:
        keep[i, j] = True
    return keep


def scatter_backward(X: np.ndarray, K: np.ndarray, dY: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(dX, dK)`` for ``Y = corr2d(X, K)``, as the definitions read: the widget's own check.

    Output cell ``(i, j)`` read the window ``X[i:i+kh, j:j+kw]`` with weights ``K``, so its
    gradient ``dY[i, j]`` adds ``dY[i, j] * K`` onto that window of ``dX``: every cell of ``dY``
    stamps ``K`` at stride 1 (the transposed stepper's :func:`scatter`); and ``dY[i, j] * window``
    onto ``dK``: ``dK[u, v]`` is the sum of ``X[u:u+H-kh+1, v:v+W-kw+1] * dY`` (the window
    stepper's :func:`window_sums` of ``X`` with ``dY`` as the kernel). ``X`` is ``(H, W)``,
    ``K`` ``(kh, kw)``, ``dY`` ``(H-kh+1, W-kw+1)``.

    >>> dX, dK = scatter_backward(EXAMPLE_X, np.array(EXAMPLE_K, float), np.ones((2, 2)))
    >>> dX
    array([[0., 1., 1.],
           [2., 6., 4.],
           [2., 5., 3.]])
    >>> dK
    array([[ 8., 12.],
           [20., 24.]])
    """
    return scatter(dY, K, 1, dY.size), window_sums(X, dY)


def _flow_text(i: int, j: int, g: float, kh: int, kw: int) -> str:
    v = drawing.format_number(g)
    return (f"Y[{i}, {j}] = Σ X[{i}+a, {j}+b]·K[a, b], so its gradient dY[{i}, {j}] = {v} flows back to "
            f"X[{i}+a, {j}+b] with weight K[a, b] and to K[a, b] with weight X[{i}+a, {j}+b]:\n"
            f"dX[{i}:{i + kh}, {j}:{j + kw}] += {v}·K        dK += {v}·X[{i}:{i + kh}, {j}:{j + kw}]")


@course_widget("conv-gradient-flow")
def gradient_flow(corr2d_backward, X=None, K=None, dY=None) -> ConvWidget:
    """Return a widget that follows the gradient of one output cell back onto the input and the kernel.

    ``corr2d_backward(X, K, dY)`` returns ``(dX, dK)`` of the shapes of ``X`` ``(H, W)`` and
    ``K`` ``(kh, kw)`` for ``Y = corr2d(X, K)`` of shape ``(H-kh+1, W-kw+1)`` and the upstream
    gradient ``dY`` of ``Y``'s shape (by default the chapter's worked example, ``dY`` all ones).
    Sliders pick the output cell ``(i, j)``; a toggle shows that cell alone or the running sum
    of the cells up to it in reading order. Either way the picture is ``corr2d_backward`` called
    on ``dY`` with the other cells zeroed: the backward pass is linear in ``dY``, so one cell's
    share of ``dX`` is ``dY[i, j]·K`` on its window and its share of ``dK`` is ``dY[i, j]`` times
    the window. Cells that differ from that scatter are outlined in red.
    """
    name = name_of(corr2d_backward, "corr2d_backward")
    X, K, shape = example(X, K, EXAMPLE_X, EXAMPLE_K)
    kh, kw = K.shape
    dY = np.ones(shape) if dY is None else _grid(dY, "dY")
    if dY.shape != shape:
        raise ValueError(f"dY must have the shape of corr2d(X, K), {shape}, got {dY.shape}")

    row = ipywidgets.IntSlider(value=0, min=0, max=shape[0] - 1, description="output row i")
    col = ipywidgets.IntSlider(value=0, min=0, max=shape[1] - 1, description="output col j")
    show = ipywidgets.ToggleButtons(options=[ONE_CELL, RUNNING_SUM], value=ONE_CELL, description="show")
    # Colour scales of the whole gradient, so that colours mean the same at every step.
    full_dX, full_dK = scatter_backward(X, K, dY)
    scales = {"X": drawing.grid_norm(X), "K": drawing.grid_norm(K), "dY": drawing.grid_norm(dY),
              "dX": drawing.grid_norm(full_dX), "dK": drawing.grid_norm(full_dK)}
    canvas, (ax_x, ax_k, ax_dy, ax_dx, ax_dk) = drawing.panels([X.shape, K.shape, shape, X.shape, K.shape],
                                                               cell=0.55, gap=0.9, top=1.25, bottom=0.6)
    results = {}  # (running, i, j) -> the checked call, made once

    def draw():
        i, j, running = row.value, col.value, show.value == RUNNING_SUM
        keep = kept_cells(shape, i, j, running)
        part = np.where(keep, dY, 0.0)  # the backward pass is linear in dY: this is the cells' share
        canvas.text(0.35, 0.12, _flow_text(i, j, dY[i, j], kh, kw), fontsize=10, va="top")

        drawing.number_grid(ax_x, X, cmap=scales["X"][0], norm=scales["X"][1])
        drawing.highlight(ax_x, i, j, kh, kw)
        drawing.title(ax_x, f"X, the window of Y[{i}, {j}]")
        drawing.number_grid(ax_k, K, cmap=scales["K"][0], norm=scales["K"][1])
        drawing.title(ax_k, "kernel K")
        drawing.number_grid(ax_dy, dY, cmap=scales["dY"][0], norm=scales["dY"][1])
        for r, c in zip(*np.nonzero(~keep)):
            ax_dy.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, facecolor=FADE, edgecolor="none", zorder=3))
        drawing.highlight(ax_dy, i, j)
        drawing.title(ax_dy, "dY = dL/dY" + (", cells up to (i, j)" if running else f", cell ({i}, {j})"))

        key = (running, i, j)
        if key not in results:
            results[key] = arrays(call(corr2d_backward, X, K, part, name=name), name,
                                  {"dX": X.shape, "dK": K.shape})
        result = results[key]
        heading = f"{name}(X, K, dY{' up to' if running else ' at'} ({i}, {j}))"
        if not result.ok:
            drawing.message(ax_dx, result.problem, "dX from " + heading, width=24)
            drawing.message(ax_dk, "", "dK", width=10, problem=False)
            return [Note(result.problem, "problem")]
        expected = scatter_backward(X, K, part)
        notes = []
        for label, ax, mine, want, (r0, c0, h, w) in (("dX", ax_dx, result.value[0], expected[0], (i, j, kh, kw)),
                                                     ("dK", ax_dk, result.value[1], expected[1], (0, 0, kh, kw))):
            drawing.number_grid(ax, mine, cmap=scales[label][0], norm=scales[label][1])
            drawing.highlight(ax, r0, c0, h, w)
            wrong = ~np.isclose(mine, want, rtol=1e-6, atol=1e-9)
            for r, c in zip(*np.nonzero(wrong)):
                drawing.highlight(ax, r, c, colour=drawing.MISMATCH, linewidth=2, linestyle="--")
            drawing.title(ax, f"{label} from {name}")
            if wrong.any():
                notes.append(Note(f"{int(wrong.sum())} of the {wrong.size} cells of {label} differ from "
                                  f"what dY{' up to' if running else ' at'} ({i}, {j}) sends back "
                                  "(outlined in red dashes)", "problem"))
        ax_dx.set_xlabel(f"+= dY[{i}, {j}]·K on the window" if not running else "sum of the cells' shares",
                         fontsize=9)
        ax_dk.set_xlabel(f"+= dY[{i}, {j}]·window" if not running else "sum of the cells' shares", fontsize=9)
        if not notes:
            whole = running and (i, j) == (shape[0] - 1, shape[1] - 1)
            notes.append(Note(f"{name} agrees with the scatter of "
                              + ("every cell of dY: this is the whole gradient" if whole
                                 else f"dY{' up to' if running else ' at'} ({i}, {j})"), "ok"))
        return notes

    return ConvWidget({"row": row, "col": col, "show": show}, canvas, draw,
                      layout_rows=[[row, col], [show]])
