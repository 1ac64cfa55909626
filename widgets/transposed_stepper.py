"""Chapter 6: a transposed convolution built up by scatter-add, one input cell at a time."""

from __future__ import annotations

import ipywidgets
import numpy as np

from . import drawing
from .frame import ConvWidget, Note, course_widget
from .student import call, name_of
from .window_stepper import _grid

# The worked example of chapter 6; trans_conv(X, K) == [[0, 0, 1], [0, 4, 6], [4, 12, 9]].
EXAMPLE_X = [[0, 1], [2, 3]]
EXAMPLE_K = [[0, 1], [2, 3]]
MAX_STRIDE = 3
CELL = 0.5  # inches per grid cell, the same in every panel: a stamp looks like the block it fills


def scatter(X: np.ndarray, K: np.ndarray, stride: int, steps: int) -> np.ndarray:
    """Return the output after the first ``steps`` cells of ``X`` (reading order) have stamped ``X[i, j] * K``.

    The output is ``((H-1)*s + kh, (W-1)*s + kw)``; cell ``(i, j)`` adds onto the block starting
    at ``(i*s, j*s)``. With ``steps = H*W`` it is the whole transposed convolution.
    """
    (H, W), (kh, kw) = X.shape, K.shape
    Y = np.zeros(((H - 1) * stride + kh, (W - 1) * stride + kw))
    for t in range(steps):
        i, j = divmod(t, W)
        Y[i * stride:i * stride + kh, j * stride:j * stride + kw] += X[i, j] * K
    return Y


@course_widget("conv-transposed-stepper")
def transposed_stepper(trans_conv, X=None, K=None) -> ConvWidget:
    """Return a widget that steps through the scatter-add of a transposed convolution.

    ``trans_conv(X, K, stride)`` maps ``(H, W) x (kh, kw) -> ((H-1)*s + kh, (W-1)*s + kw)``: each
    ``X[i, j]`` adds ``X[i, j] * K`` onto the output block starting at ``(i*s, j*s)``. ``X`` and
    ``K`` default to the chapter's worked example. Sliders set the stride ``s`` and the step
    ``t`` (``0`` to ``H*W``): the picture shows the output after the first ``t`` cells have
    stamped, the block written by cell ``t`` highlighted; at the last step the output of the
    given ``trans_conv`` is drawn beside it and compared.
    """
    name = name_of(trans_conv, "trans_conv")
    X = _grid(EXAMPLE_X if X is None else X, "X")
    K = _grid(EXAMPLE_K if K is None else K, "K")
    (H, W), (kh, kw) = X.shape, K.shape
    stride = ipywidgets.IntSlider(value=1, min=1, max=MAX_STRIDE, description="stride s", continuous_update=False)
    step = ipywidgets.IntSlider(value=1, min=0, max=H * W, description="step t", continuous_update=False)

    largest = ((H - 1) * MAX_STRIDE + kh, (W - 1) * MAX_STRIDE + kw)
    lefts = [0.5]
    for cols, gap in ((W, 0.7), (kw, 0.9), (kw, 0.9), (largest[1], 0.9)):
        lefts.append(lefts[-1] + cols * CELL + gap)
    top = 0.95
    canvas = drawing.Canvas(lefts[-1] + largest[1] * CELL + 0.4, top + max(largest[0], 3) * CELL + 0.75)
    ax_x = canvas.add_axes(lefts[0], top, W * CELL, H * CELL)
    ax_k = canvas.add_axes(lefts[1], top, kw * CELL, kh * CELL)
    ax_stamp = canvas.add_axes(lefts[2], top, kw * CELL, kh * CELL)
    ax_y = canvas.add_axes(lefts[3], top, largest[1] * CELL, largest[0] * CELL)
    ax_mine = canvas.add_axes(lefts[4], top, largest[1] * CELL, largest[0] * CELL)
    x_cmap, x_norm = drawing.grid_norm(X)
    k_cmap, k_norm = drawing.grid_norm(K)
    results = {}  # stride -> the call of trans_conv, made once per stride

    def draw():
        s, t = stride.value, step.value
        shape = ((H - 1) * s + kh, (W - 1) * s + kw)
        final = scatter(X, K, s, H * W)
        Y = scatter(X, K, s, t)
        y_cmap, y_norm = drawing.grid_norm(final)  # the final scale from the first step: colours do not jump

        drawing.number_grid(ax_x, X, cmap=x_cmap, norm=x_norm)
        drawing.number_grid(ax_k, K, cmap=k_cmap, norm=k_norm)
        drawing.title(ax_k, "kernel K")
        canvas.place(ax_y, lefts[3], top, shape[1] * CELL, shape[0] * CELL)
        drawing.number_grid(ax_y, Y, cmap=y_cmap, norm=y_norm)
        if t == 0:
            drawing.title(ax_x, "X")
            drawing.message(ax_stamp, "step t to\nstamp a cell", problem=False, width=14)
            caption = f"t=0: nothing written yet; the output is {shape[0]}×{shape[1]} zeros"
        else:
            i, j = divmod(t - 1, W)
            drawing.highlight(ax_x, i, j)
            drawing.title(ax_x, f"X, cell X[{i}, {j}]")
            drawing.number_grid(ax_stamp, X[i, j] * K, cmap=y_cmap, norm=y_norm)
            drawing.highlight(ax_stamp, 0, 0, kh, kw)
            drawing.title(ax_stamp, f"X[{i}, {j}]·K")
            drawing.highlight(ax_y, i * s, j * s, kh, kw)
            caption = (f"step t={t}: X[{i}, {j}] = {drawing.format_number(X[i, j])} adds "
                       f"{drawing.format_number(X[i, j])}·K onto Y[{i * s}:{i * s + kh}, {j * s}:{j * s + kw}] "
                       f"(the block starting at (i·s, j·s) = ({i * s}, {j * s}))")
        drawing.title(ax_y, f"scatter after {t} of {H * W} steps")
        canvas.text(lefts[0], 0.12, caption, fontsize=11, va="top")
        canvas.text(lefts[0], 0.42, f"output: ((H-1)·s + kh) × ((W-1)·s + kw) = (({H}-1)·{s} + {kh}) × "
                    f"(({W}-1)·{s} + {kw}) = {shape[0]}×{shape[1]}", fontsize=10, va="top")

        if s not in results:
            results[s] = call(trans_conv, X, K, s, name=name, shape=shape)
        result = results[s]
        heading = f"{name}(X, K, stride={s})"
        canvas.place(ax_mine, lefts[4], top, largest[1] * CELL, largest[0] * CELL)
        if not result.ok:
            drawing.message(ax_mine, result.problem, heading, width=22)
            return [Note(result.problem, "problem")]
        if t < H * W:
            drawing.message(ax_mine, f"at the last step (t={H * W}) the output of {name} appears here",
                            heading, width=22, problem=False)
            return []
        canvas.place(ax_mine, lefts[4], top, shape[1] * CELL, shape[0] * CELL)
        drawing.number_grid(ax_mine, result.value, cmap=y_cmap, norm=y_norm)
        drawing.title(ax_mine, heading)
        wrong = ~np.isclose(result.value, final, rtol=1e-6, atol=1e-9)
        for r, c in zip(*np.nonzero(wrong)):
            drawing.highlight(ax_mine, r, c, colour=drawing.MISMATCH, linewidth=2, linestyle="--")
        if wrong.any():
            return [Note(f"{name}(X, K, stride={s}) differs from the scatter-add in "
                                        f"{int(wrong.sum())} of {wrong.size} cells (outlined in red dashes)",
                                        "problem")]
        return [Note(f"{name}(X, K, stride={s}) agrees with the scatter-add", "ok")]

    return ConvWidget({"stride": stride, "step": step}, canvas, draw)
