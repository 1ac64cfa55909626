"""Drawing helpers shared by the widgets: figures rendered to PNG, grids of numbers, highlights.

Figures are built with :class:`matplotlib.figure.Figure` and rendered by the Agg canvas, never
through ``pyplot``: nothing is registered globally, so a redraw leaks no figure and does not
depend on the notebook's matplotlib backend. Axes are placed in inches, without a layout engine
(constrained layout would more than double the time of a redraw).
"""

from __future__ import annotations

import io
import textwrap

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize, TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

DPI = 80
GRID_CMAP = "Blues"  # pale cells under black numbers, for grids of non-negative values
SIGNED_CMAP = "RdBu_r"  # diverging around zero: red positive, blue negative
PHOTO_CMAP = "gray"
HIGHLIGHT = "#e6550d"  # the current window, cell, or first window
MISMATCH = "#b2182b"


class Canvas:
    """A figure that is drawn again at every change of a control, keeping its axes.

    Creating axes is most of the cost of a matplotlib figure (each builds its tick machinery),
    so a widget makes its axes once; every redraw empties them (:meth:`wipe`) and draws anew.
    Colour bars live on axes of their own and are updated in place.
    """

    def __init__(self, width: float, height: float):
        self.figure = Figure(figsize=(width, height), dpi=DPI)
        self._agg = FigureCanvasAgg(self.figure)
        self._colorbars = {}  # colour-bar axes -> Colorbar

    @property
    def size(self) -> tuple[float, float]:
        """The figure's ``(width, height)`` in inches."""
        return tuple(self.figure.get_size_inches())

    def add_axes(self, left: float, top: float, width: float, height: float) -> Axes:
        """Return new axes placed in inches, ``left`` and ``top`` measured from the figure's top-left corner."""
        ax = self.figure.add_axes((0, 0, 1, 1))
        self.place(ax, left, top, width, height)
        return ax

    def place(self, ax: Axes, left: float, top: float, width: float, height: float) -> None:
        """Move ``ax`` to a box given in inches from the figure's top-left corner."""
        W, H = self.size
        ax.set_position((left / W, (H - top - height) / H, width / W, height / H))

    def wipe(self) -> None:
        """Remove everything drawn in the axes and on the figure, keeping the axes themselves."""
        for text in list(self.figure.texts):
            text.remove()
        for ax in self.figure.axes:
            if ax in self._colorbars:
                continue
            for artist in [*ax.images, *ax.texts, *ax.patches, *ax.collections, *ax.lines]:
                artist.remove()
            ax.set_title("")
            ax.set_xlabel("")
            ax.set_ylabel("")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_axis_on()
            ax.set_aspect("auto")  # imshow sets it back to equal
            ax.relim()
        for cax in self._colorbars:
            cax.set_visible(False)

    def add_colorbar_axes(self, left: float, top: float, width: float, height: float) -> Axes:
        """Return axes for a colour bar, placed like :meth:`add_axes`; hidden until :meth:`colorbar` fills them."""
        cax = self.add_axes(left, top, width, height)
        cax.set_visible(False)
        self._colorbars[cax] = None
        return cax

    def colorbar(self, cax: Axes, mappable) -> None:
        """Show the colour bar of ``mappable`` in ``cax``, axes made by :meth:`add_colorbar_axes`."""
        bar = self._colorbars[cax]
        if bar is None:
            bar = self._colorbars[cax] = self.figure.colorbar(mappable, cax=cax)
            cax.tick_params(labelsize=8)
        else:
            bar.update_normal(mappable)
        cax.set_visible(True)

    def text(self, left: float, top: float, text: str, **kwargs):
        """Write ``text`` on the figure at a point given in inches from its top-left corner."""
        W, H = self.size
        return self.figure.text(left / W, 1 - top / H, text, **kwargs)

    def png(self) -> bytes:
        """Return the figure rendered as PNG bytes (light compression: speed matters more than size)."""
        buffer = io.BytesIO()
        self._agg.print_png(buffer, pil_kwargs={"compress_level": 1})
        return buffer.getvalue()


def panels(shapes, *, cell: float = 0.45, gap: float = 0.6, top: float = 0.45, bottom: float = 0.55,
           side: float = 0.35, max_width: float = 11.0) -> tuple[Canvas, list[Axes]]:
    """Return a canvas and one axes per ``(rows, cols)`` in ``shapes``, side by side, top-aligned.

    Every cell gets the same size on screen (``cell`` inches, shrunk if the row of panels would
    be wider than ``max_width``), so a kernel and the window it covers look alike. ``gap``
    separates panels; ``top`` and ``bottom`` leave room for titles and labels, in inches.
    """
    total_cols = sum(cols for _, cols in shapes)
    room = max_width - 2 * side - gap * (len(shapes) - 1)
    cell = min(cell, room / total_cols)
    tallest = max(rows for rows, _ in shapes)
    canvas = Canvas(2 * side + gap * (len(shapes) - 1) + total_cols * cell, top + tallest * cell + bottom)
    axes, left = [], side
    for rows, cols in shapes:
        axes.append(canvas.add_axes(left, top, cols * cell, rows * cell))
        left += cols * cell + gap
    return canvas, axes


def error_png(text: str) -> bytes:
    """Return a small picture of ``text``, for when a widget could not draw its figure."""
    canvas = Canvas(6, 1.5)
    message(canvas.add_axes(0, 0, 6, 1.5), text, width=70)
    return canvas.png()


def format_number(value: float) -> str:
    """Return ``value`` printed short enough for a grid cell.

    >>> [format_number(v) for v in (17.0, -2.0, 0.5, 0.0802, 123.456, 0.004, -0.0)]
    ['17', '-2', '0.5', '0.08', '123', '4e-03', '0']
    """
    value = float(value)
    if not np.isfinite(value):
        return str(value)
    if value == round(value) and abs(value) < 1e6:
        return str(int(round(value))) if value != 0 else "0"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) < 0.005:
        return f"{value:.0e}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def signed_norm(A, limit: float | None = None) -> Normalize:
    """Return a colour scale symmetric around zero, up to ``limit`` or to ``A``'s largest magnitude."""
    if limit is None:
        finite = np.abs(np.asarray(A, dtype=float))
        finite = finite[np.isfinite(finite)]
        limit = float(finite.max()) if finite.size else 1.0
    limit = limit or 1.0
    return TwoSlopeNorm(vcenter=0.0, vmin=-limit, vmax=limit)


def grid_norm(A) -> tuple[str, Normalize]:
    """Return a colormap and scale for a grid of numbers: diverging if any is negative."""
    A = np.asarray(A, dtype=float)
    if np.nanmin(A, initial=0.0) < 0:
        return SIGNED_CMAP, signed_norm(A)
    top = np.nanmax(A, initial=0.0)
    # Scale so the largest value gets a mid-tone: black numbers stay readable on every cell.
    return GRID_CMAP, Normalize(vmin=0.0, vmax=(top or 1.0) * 1.6)


def _text_colour(rgba) -> str:
    r, g, b = rgba[:3]
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def number_grid(ax, A, *, cmap=None, norm=None, fontsize: float | None = None, annotate: bool = True,
                ticks: bool = True):
    """Draw the 2-D array ``A`` as coloured cells with their values written in; return the image.

    Cells are unit squares centred on integer coordinates, so cell ``(i, j)`` spans
    ``[j - 0.5, j + 0.5] x [i - 0.5, i + 0.5]``, the convention of :func:`highlight`.
    """
    A = np.asarray(A, dtype=float)
    if cmap is None or norm is None:
        cmap, norm = grid_norm(A)
    image = ax.imshow(A, cmap=cmap, norm=norm, interpolation="nearest")
    rows, cols = A.shape
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    if annotate and max(rows, cols) <= 9:
        if fontsize is None:
            fontsize = max(7, 13 - max(rows, cols))
        for (i, j), value in np.ndenumerate(A):
            colour = _text_colour(image.cmap(image.norm(value))) if np.isfinite(value) else "black"
            ax.text(j, i, format_number(value), ha="center", va="center", fontsize=fontsize, color=colour)
    ax.set_xticks(range(cols) if ticks and cols <= 12 else [])
    ax.set_yticks(range(rows) if ticks and rows <= 12 else [])
    ax.tick_params(length=0, labelsize=8)
    cell_lines(ax, A.shape, linewidth=1)
    return image


def cell_lines(ax, shape, *, colour: str = "white", linewidth: float = 1.5) -> None:
    """Draw lines between the cells of a ``(rows, cols)`` grid drawn by ``imshow``.

    Two line collections rather than a grid on minor ticks: matplotlib builds an object per
    tick, which made a redraw of a 20 x 20 grid several times slower.
    """
    rows, cols = shape
    ax.hlines(np.arange(0.5, rows - 1), -0.5, cols - 0.5, colors=colour, linewidth=linewidth, zorder=2)
    ax.vlines(np.arange(0.5, cols - 1), -0.5, rows - 0.5, colors=colour, linewidth=linewidth, zorder=2)


def title(ax, text: str, fontsize: float = 10) -> None:
    """Set the title of ``ax`` at a fixed height above it.

    A fixed height spares matplotlib from measuring the tick labels to place the title, a fifth
    of the time of a redraw with many panels.
    """
    ax.set_title(text, fontsize=fontsize, y=1.0, pad=5)


def highlight(ax, row: float, col: float, height: float = 1, width: float = 1, *,
              colour: str = HIGHLIGHT, linewidth: float = 3, zorder: float = 4, **kwargs) -> Rectangle:
    """Outline the block of cells starting at ``(row, col)`` of ``height`` x ``width`` cells."""
    box = Rectangle((col - 0.5, row - 0.5), width, height, fill=False, edgecolor=colour,
                    linewidth=linewidth, zorder=zorder, **kwargs)
    ax.add_patch(box)
    return box


def photo(ax, image, heading: str = "") -> None:
    """Draw a gray photo with values in [0, 1]."""
    ax.imshow(image, cmap=PHOTO_CMAP, vmin=0.0, vmax=1.0, interpolation="nearest")
    title(ax, heading)
    ax.set_axis_off()


def message(ax, text: str, heading: str = "", width: int = 34, *, problem: bool = True) -> None:
    """Fill the axes with a wrapped message in place of a picture that could not be drawn."""
    colour, face = (MISMATCH, "#fff5f0") if problem else ("#404040", "#f4f4f4")
    ax.set_axis_off()
    title(ax, heading)
    wrapped = "\n".join(textwrap.fill(part, width) for part in text.split("\n"))
    ax.text(0.5, 0.5, wrapped, ha="center", va="center", fontsize=9, wrap=False,
            transform=ax.transAxes, color=colour,
            bbox=dict(boxstyle="round,pad=0.6", facecolor=face, edgecolor=colour))
