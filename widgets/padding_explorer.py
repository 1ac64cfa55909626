"""Chapter 2: where the windows of a padded, strided, dilated convolution land, and how many fit."""

from __future__ import annotations

import numbers
import textwrap

import ipywidgets
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Rectangle

from . import drawing
from .frame import ConvWidget, Note, course_widget
from .student import call, name_of

INPUT_COLOUR, PADDING_COLOUR, OUTPUT_COLOUR = "#c6dbef", "#e3e3e3", "#fdd0a2"
# The first window (its taps filled in), the next one along the row, the first of the next row.
WINDOWS = ((0, 0), (0, 1), (1, 0))
WINDOW_COLOURS = (drawing.HIGHLIGHT, "#7b3294", "#1b7837")
MAX_OUTPUT_DRAWN = 40

# Figure geometry, in inches: a fixed frame, so the picture does not jump as the sliders move.
WIDTH, BOTTOM, LEFT = 10.0, 0.75, 0.6
GRID_BOX = 4.6  # the padded grid's box; cells shrink as the grid grows
OUTPUT_LEFT, OUTPUT_BOX = 6.1, 3.6
TEXT_WIDTH = 118  # characters per line of the figure's text


def formula(n: int, k: int, p: int, s: int, d: int) -> tuple[str, int | None]:
    """Return the output-size formula written out with the numbers, and its value (None if no window fits)."""
    inner = n + 2 * p - d * (k - 1) - 1
    text = (f"floor((n + 2p - d(k-1) - 1) / s) + 1 = floor(({n} + 2·{p} - {d}·({k}-1) - 1) / {s}) + 1"
            f" = floor({inner}/{s}) + 1")
    if inner < 0:
        return (text + f": no window fits, the kernel spans d(k-1)+1 = {d * (k - 1) + 1} cells, "
                f"more than n + 2p = {n + 2 * p}"), None
    return text + f" = {inner // s} + 1 = {inner // s + 1}", inner // s + 1


def _cell_grid(ax, colours: np.ndarray, cmap, tick_offset: int = 0) -> None:
    """Draw a grid of coloured cells with white lines between them; ticks count from ``-tick_offset``."""
    N = colours.shape[0]
    ax.imshow(colours, cmap=cmap, vmin=0, vmax=max(1, cmap.N - 1), interpolation="nearest")
    ax.set_xlim(-0.5, N - 0.5)  # fixed: the markers and outlines drawn next must not rescale the axes
    ax.set_ylim(N - 0.5, -0.5)
    drawing.cell_lines(ax, colours.shape, linewidth=1.5 if N <= 20 else 0.8)
    ticks = np.arange(0, N, 1 if N <= 14 else 2)
    labels = [str(t - tick_offset) for t in ticks]
    ax.set_xticks(ticks, labels)
    ax.set_yticks(ticks, labels)
    ax.tick_params(length=0, labelsize=8)


def _draw_padded_grid(ax, n: int, k: int, p: int, s: int, d: int, fits: int | None) -> None:
    N = n + 2 * p
    is_padding = np.ones((N, N))
    is_padding[p:p + n, p:p + n] = 0
    # Ticks count input coordinates, so the padding sits at -1, -2, ... and n, n+1, ...
    _cell_grid(ax, is_padding, ListedColormap([INPUT_COLOUR, PADDING_COLOUR]), tick_offset=p)
    if p and N <= 16:  # the zeros of the padding, as markers: one path, not a text per cell
        rows, cols = np.nonzero(is_padding)
        ax.scatter(cols, rows, marker="$0$", s=40, color="#8c8c8c", linewidths=0, zorder=2)
    if fits is None:
        return
    starts = np.arange(fits) * s
    sr, sc = np.meshgrid(starts, starts, indexing="ij")
    ax.scatter(sc.ravel(), sr.ravel(), s=18 if N <= 14 else 8, color="black", zorder=5)
    for r in np.arange(k) * d:
        for c in np.arange(k) * d:
            ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, facecolor=WINDOW_COLOURS[0], alpha=0.55,
                                   edgecolor="none", zorder=3))
    span = d * (k - 1) + 1
    for (wr, wc), colour in zip(WINDOWS, WINDOW_COLOURS):
        if wr < fits and wc < fits:
            drawing.highlight(ax, wr * s, wc * s, span, span, colour=colour, linewidth=2.5,
                              linestyle="-" if (wr, wc) == (0, 0) else "--")


def _draw_output(ax, size: int, fits: int | None) -> None:
    _cell_grid(ax, np.zeros((size, size)), ListedColormap([OUTPUT_COLOUR]))
    if fits is not None:
        for (r, c), colour in zip(WINDOWS, WINDOW_COLOURS):
            if r < size and c < size:
                drawing.highlight(ax, r, c, colour=colour, linewidth=2.5)


def _drawable_size(value) -> int | None:
    """Return the output side to draw for the student's answer, or None if it is not a sensible size."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    if value != int(value) or not 1 <= value <= MAX_OUTPUT_DRAWN:
        return None
    return int(value)


def _judge(value, answer: str, fits: int | None) -> Note:
    """Return what to say about the student's answer ``value`` when ``fits`` windows fit."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return Note(f"{answer}: expected an int", "problem")
    if not isinstance(value, numbers.Integral):
        return Note(f"{answer}, a float: an output size is an int (use // for the floor)", "problem")
    if fits is None:
        return Note(f"{answer}, but no window fits: the course's output_size raises a ValueError here", "problem")
    if value != fits:
        return Note(f"{answer}, but {fits} windows fit along each axis", "problem")
    return Note(f"{answer}: {fits} windows fit along each axis", "ok")


@course_widget("conv-padding-explorer")
def padding_explorer(output_size) -> ConvWidget:
    """Return a widget that shows where the windows of a convolution land on a padded input.

    Sliders set the input size ``n``, the kernel size ``k``, the padding ``p`` per side, the
    stride ``s`` and the dilation ``d`` (square input and kernel). The picture shows the padded
    grid, the start of every window, the first windows outlined with the dilated taps of the
    first one, and the output grid of ``output_size(n, k, p, s, d)`` cells a side, under the
    formula ``floor((n + 2p - d(k-1) - 1)/s) + 1`` evaluated with the numbers.
    """
    name = name_of(output_size, "output_size")
    sliders = {
        "n": ipywidgets.IntSlider(value=7, min=1, max=12, description="input n"),
        "k": ipywidgets.IntSlider(value=3, min=1, max=7, description="kernel k"),
        "p": ipywidgets.IntSlider(value=1, min=0, max=4, description="padding p"),
        "s": ipywidgets.IntSlider(value=2, min=1, max=4, description="stride s"),
        "d": ipywidgets.IntSlider(value=1, min=1, max=3, description="dilation d"),
    }

    canvas = drawing.Canvas(WIDTH, 7.0)
    ax_grid = canvas.add_axes(LEFT, 1.0, GRID_BOX, GRID_BOX)
    ax_out = canvas.add_axes(OUTPUT_LEFT, 1.0, OUTPUT_BOX, OUTPUT_BOX)

    def draw():
        n, k, p, s, d = (sliders[key].value for key in "nkpsd")
        text, fits = formula(n, k, p, s, d)
        result = call(output_size, n, k, p, s, d, name=name)
        if result.ok:
            answer = f"{name}({n}, {k}, padding={p}, stride={s}, dilation={d}) returned {result.value!r}"
            verdict = _judge(result.value, answer, fits)
            size = _drawable_size(result.value)
        elif fits is None and isinstance(result.error, ValueError):
            answer = result.problem
            verdict, size = Note(f"{answer} (right: no window fits)", "ok"), None
        else:
            answer = result.problem
            verdict, size = Note(answer, "problem"), None

        N = n + 2 * p
        cell = GRID_BOX / max(N, 8)
        header = textwrap.fill(text, TEXT_WIDTH), textwrap.fill(verdict.text, TEXT_WIDTH)
        top = 0.65 + 0.2 * sum(part.count("\n") + 1 for part in header)  # the header, then box titles
        canvas.figure.set_size_inches(WIDTH, top + GRID_BOX + BOTTOM)
        canvas.text(LEFT, 0.1, header[0], fontsize=10, va="top")
        canvas.text(LEFT, 0.14 + 0.2 * (header[0].count("\n") + 1), header[1], fontsize=10, va="top",
                    color=drawing.MISMATCH if verdict.kind == "problem" else "black")
        canvas.text(LEFT + GRID_BOX / 2, top - 0.12, f"input n={n}, padding p={p} per side: {N}×{N}",
                    ha="center", fontsize=10)
        canvas.text(OUTPUT_LEFT + OUTPUT_BOX / 2, top - 0.12, f"output: {size}×{size}" if size else "output",
                    ha="center", fontsize=10)
        side = cell * N
        canvas.place(ax_grid, LEFT + (GRID_BOX - side) / 2, top, side, side)
        _draw_padded_grid(ax_grid, n, k, p, s, d, fits)
        if size is not None:
            out_side = min(cell, OUTPUT_BOX / size) * size
            canvas.place(ax_out, OUTPUT_LEFT + (OUTPUT_BOX - out_side) / 2, top, out_side, out_side)
            _draw_output(ax_out, size, fits)
        else:
            canvas.place(ax_out, OUTPUT_LEFT, top, OUTPUT_BOX, min(GRID_BOX, 2.5))
            if verdict.kind == "problem":
                drawing.message(ax_out, answer, width=40)
            else:
                drawing.message(ax_out, "no window fits: no output", problem=False)
        if fits is not None:
            caption = (f"gray: padding, blue: the input, dots: where windows start (every s={s} cells). Orange: "
                       f"the {k}×{k} taps of the first window, spanning d(k-1)+1 = {d * (k - 1) + 1} cells; "
                       "dashed: the next window along the row (purple) and down the column (green), "
                       "each giving the output cell of its colour.")
            canvas.text(LEFT, top + GRID_BOX + 0.3, textwrap.fill(caption, TEXT_WIDTH + 8), fontsize=9, va="top")
        return [verdict]  # the formula is drawn above the grid already

    return ConvWidget(sliders, canvas, draw)
