"""Chapter 5: max and average pooling side by side, with the windows and the winner of each max."""

from __future__ import annotations

import ipywidgets
import numpy as np
from matplotlib.collections import PatchCollection
from matplotlib.patches import Rectangle

from . import drawing
from .frame import ConvWidget, Note, course_widget
from .linked import without_redraw
from .student import call, name_of

SEED, SIZE = 5, 8  # the input: SIZE x SIZE random digits 0-9, the same at every run
PADDING_COLOUR = "#d9d9d9"
WINDOW_COLOURS = ("#7b3294", "#1b7837")  # neighbouring windows alternate, like a checkerboard
WINNER_COLOUR = drawing.HIGHLIGHT

# Figure geometry, in inches.
INPUT_BOX, OUTPUT_BOX, TOP = 4.3, 2.7, 0.9
INPUT_LEFT, MAX_LEFT, AVG_LEFT = 0.45, 5.35, 8.45


def example_input() -> np.ndarray:
    """Return the ``(SIZE, SIZE)`` grid of random digits the explorer pools."""
    return np.random.default_rng(SEED).integers(0, 10, size=(SIZE, SIZE)).astype(float)


def size_text(n: int, k: int, s: int, p: int) -> tuple[str, int]:
    """Return the output-size formula written out with the numbers, and its value."""
    inner = n + 2 * p - k
    return (f"output size = floor((n + 2p - k) / s) + 1 = floor(({n} + 2·{p} - {k}) / {s}) + 1"
            f" = floor({inner}/{s}) + 1 = {inner // s + 1}"), inner // s + 1


def pool_windows(X: np.ndarray, k: int, s: int, p: int, fill: float) -> np.ndarray:
    """Return the windows of ``X`` ``(H, W)`` padded by ``p`` cells of ``fill``: ``(oh, ow, k, k)``."""
    padded = np.pad(X, p, constant_values=fill)
    return np.lib.stride_tricks.sliding_window_view(padded, (k, k))[::s, ::s]


def max_winners(X: np.ndarray, k: int, s: int, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the row and column in ``X`` of each max window's largest value, each ``(oh, ow)``.

    Ties go to the first cell in reading order. The padding is ``-inf`` and never wins while
    ``p <= k // 2``: every window then holds a cell of ``X``.
    """
    windows = pool_windows(X, k, s, p, -np.inf)
    oh, ow = windows.shape[:2]
    best = windows.reshape(oh, ow, k * k).argmax(axis=-1)
    rows = np.arange(oh)[:, None] * s + best // k - p
    cols = np.arange(ow)[None, :] * s + best % k - p
    return rows, cols


def _draw_input(ax, X: np.ndarray, k: int, s: int, p: int, rows: np.ndarray, cols: np.ndarray) -> None:
    n = X.shape[0]
    cmap, norm = drawing.grid_norm(X)
    drawing.number_grid(ax, X, cmap=cmap, norm=norm, fontsize=10 if n + 2 * p <= 10 else 8)
    # The padding around the grid, in input coordinates: -1, -2, ... and n, n+1, ...
    ax.add_patch(Rectangle((-p - 0.5, -p - 0.5), n + 2 * p, n + 2 * p, facecolor=PADDING_COLOUR,
                           edgecolor="none", zorder=-1))
    if p:
        ax.hlines(np.arange(-p + 0.5, n + p - 1), -p - 0.5, n + p - 0.5, colors="white", linewidth=1, zorder=-0.5)
        ax.vlines(np.arange(-p + 0.5, n + p - 1), -p - 0.5, n + p - 0.5, colors="white", linewidth=1, zorder=-0.5)
    ax.set_xlim(-p - 0.5, n + p - 0.5)
    ax.set_ylim(n + p - 0.5, -p - 0.5)
    # One collection per kind of outline: a patch each would double the time of a redraw.
    winners = {(int(r), int(c)) for r, c in zip(rows.ravel(), cols.ravel())}
    ax.add_collection(PatchCollection([Rectangle((c - 0.5, r - 0.5), 1, 1) for r, c in winners],
                                      facecolor="none", edgecolor=WINNER_COLOUR, linewidth=3, zorder=5))
    # Each window, inset a little so that overlapping windows (s < k) stay apart.
    inset = 0.08 if s >= k else 0.15
    boxes, colours = [], []
    for i in range(rows.shape[0]):
        for j in range(rows.shape[1]):
            shift = inset * (1 + (i + j) % 2)
            boxes.append(Rectangle((j * s - p - 0.5 + shift, i * s - p - 0.5 + shift), k - 2 * shift, k - 2 * shift))
            colours.append(WINDOW_COLOURS[(i + j) % 2])
    ax.add_collection(PatchCollection(boxes, facecolor="none", edgecolors=colours,
                                      linewidth=1.5 if s >= k else 1.0, zorder=4))


@course_widget("conv-pooling-explorer")
def pooling_explorer(pool2d_strided) -> ConvWidget:
    """Return a widget that max-pools and average-pools a grid of digits with ``pool2d_strided``.

    ``pool2d_strided(X, pool_size, stride, padding, mode)`` maps ``(C, H, W) -> (C, oh, ow)``
    with ``oh = floor((H + 2p - k) / s) + 1``; the widget calls it on one channel, an 8x8 grid of
    random digits, with a square window. Sliders set the window ``k``, the stride ``s`` and the
    padding ``p`` per side (at most ``k // 2``). The picture shows the padded input with every
    window outlined and the winner of each max window marked, the max-pooled and the
    average-pooled outputs, and the output size worked out.
    """
    name = name_of(pool2d_strided, "pool2d_strided")
    X = example_input()
    n = X.shape[0]
    window = ipywidgets.IntSlider(value=2, min=1, max=4, description="window k", continuous_update=False)
    stride = ipywidgets.IntSlider(value=2, min=1, max=4, description="stride s", continuous_update=False)
    padding = ipywidgets.IntSlider(value=0, min=0, max=1, description="padding p", continuous_update=False)
    widget = None

    def fit_padding(change):
        # PyTorch allows at most half the window; a larger one would make windows of padding only.
        with without_redraw(widget, padding):
            padding.max = change["new"] // 2

    window.observe(fit_padding, names="value")

    canvas = drawing.Canvas(AVG_LEFT + OUTPUT_BOX + 0.3, TOP + INPUT_BOX + 0.45)
    ax_in = canvas.add_axes(INPUT_LEFT, TOP, INPUT_BOX, INPUT_BOX)
    ax_max = canvas.add_axes(MAX_LEFT, TOP, OUTPUT_BOX, OUTPUT_BOX)
    ax_avg = canvas.add_axes(AVG_LEFT, TOP, OUTPUT_BOX, OUTPUT_BOX)
    x_cmap, x_norm = drawing.grid_norm(X)

    def draw():
        k, s, p = window.value, stride.value, padding.value
        text, size = size_text(n, k, s, p)
        rows, cols = max_winners(X, k, s, p)
        expected = {"max": pool_windows(X, k, s, p, -np.inf).max(axis=(2, 3)),
                    "avg": pool_windows(X, k, s, p, 0.0).mean(axis=(2, 3))}
        canvas.text(INPUT_LEFT, 0.12, text, fontsize=11, va="top")
        _draw_input(ax_in, X, k, s, p, rows, cols)
        drawing.title(ax_in, f"X  {n}×{n}, padding p={p} (gray), {size * size} windows of {k}×{k}")
        notes, problems = [], set()
        for mode, ax in (("max", ax_max), ("avg", ax_avg)):
            heading = f'{name}(X[None], ({k}, {k}), {s}, {p}, "{mode}")[0]'
            result = call(lambda A: pool2d_strided(A, pool_size=(k, k), stride=s, padding=p, mode=mode),
                          X[None], name=name, shape=(1, size, size))
            if not result.ok:
                drawing.message(ax, result.problem, heading, width=26)
                if result.problem not in problems:  # a stub fails both calls the same way: say it once
                    problems.add(result.problem)
                    notes.append(Note(result.problem, "problem"))
                continue
            Y = result.value[0]
            drawing.number_grid(ax, Y, cmap=x_cmap, norm=x_norm, fontsize=9 if size > 6 else 10, ticks=False)
            drawing.title(ax, heading, fontsize=8)
            ax.set_xlabel(f"{mode} pooling: {size}×{size}", fontsize=10)
            wrong = ~np.isclose(Y, expected[mode], rtol=1e-6, atol=1e-9)
            for r, c in zip(*np.nonzero(wrong)):
                drawing.highlight(ax, r, c, colour=drawing.MISMATCH, linewidth=2, linestyle="--")
            if wrong.any():
                notes.append(Note(f'{int(wrong.sum())} of the {wrong.size} cells of the "{mode}" output differ '
                                  "from pooling their windows (outlined in red dashes)", "problem"))
            else:
                notes.append(Note(f'the "{mode}" output agrees with pooling each window', "ok"))
        caption = ("Windows alternate purple and green. Orange: the winner\nof each max window (ties: "
                   "the first in reading order).\n\nMax pooling pads with -inf; average pooling counts\n"
                   "the padded zeros (PyTorch's count_include_pad=True).")
        canvas.text(MAX_LEFT, TOP + OUTPUT_BOX + 0.75, caption, fontsize=10, va="top")
        return notes  # the size formula is drawn above the grid already

    controls = {"window": window, "stride": stride, "padding": padding}
    widget = ConvWidget(controls, canvas, draw)
    return widget
