"""Chapter 6: which input channels feed which output channels in a grouped convolution, and its cost."""

from __future__ import annotations

import math

import ipywidgets
import numpy as np
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap

from . import drawing
from .frame import ConvWidget, Note, course_widget

GROUP_COLOURS = colormaps["tab10"].colors
MAX_CHANNELS = 64  # more would be a smear of lines


def divisors(n: int) -> list[int]:
    """Return the divisors of ``n`` in increasing order.

    >>> divisors(12)
    [1, 2, 3, 4, 6, 12]
    """
    return [g for g in range(1, n + 1) if n % g == 0]


def cost_text(c_in: int, c_out: int, groups: int, k: int) -> str:
    """Return the weight count of the layer written out; it is also its MACs per output pixel."""
    weights = c_out * (c_in // groups) * k * k
    return (f"weights = C_out · C_in/groups · k·k = {c_out} · {c_in}/{groups} · {k}·{k} = "
            f"{c_out} · {c_in // groups} · {k * k} = {weights:,}")


def _channel_count(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_CHANNELS:
        raise ValueError(f"{name} must be an int from 1 to {MAX_CHANNELS}, got {value!r}")
    return value


@course_widget("conv-groups-diagram")
def groups_diagram(c_in: int = 8, c_out: int = 8) -> ConvWidget:
    """Return a widget that draws the connections of a grouped convolution and counts its cost.

    With ``groups`` groups the ``c_in`` input channels are split into ``groups`` consecutive
    blocks of ``c_in/groups``, the ``c_out`` outputs likewise, and each output channel sees only
    the inputs of its own group: the kernel is ``(C_out, C_in/groups, k, k)``, so
    ``C_out · C_in/groups · k·k`` weights, each used once per output pixel (as many MACs per
    output pixel). A slider picks ``groups`` among the divisors of both channel counts, another
    the kernel size ``k``. The picture shows one line per (input, output) connection, coloured
    by group, and the ``(C_out, C_in)`` table of which kernels exist.
    """
    c_in, c_out = _channel_count(c_in, "c_in"), _channel_count(c_out, "c_out")
    options = divisors(math.gcd(c_in, c_out))
    groups = ipywidgets.SelectionSlider(options=options, value=options[min(1, len(options) - 1)],
                                        description="groups", continuous_update=False)
    kernel = ipywidgets.IntSlider(value=3, min=1, max=5, description="kernel k", continuous_update=False)

    most = max(c_in, c_out)
    height = 4.6
    canvas = drawing.Canvas(10.5, 0.95 + height + 0.55)
    ax_lines = canvas.add_axes(0.3, 0.95, 4.6, height)
    cell = min(0.35, height / c_out, 4.2 / c_in)
    ax_table = canvas.add_axes(6.0, 0.95 + 0.25, c_in * cell, c_out * cell)
    y_in = np.linspace(0, 1, c_in) if c_in > 1 else np.array([0.5])
    y_out = np.linspace(0, 1, c_out) if c_out > 1 else np.array([0.5])

    def draw():
        g, k = groups.value, kernel.value
        per_in, per_out = c_in // g, c_out // g
        group_in, group_out = np.arange(c_in) // per_in, np.arange(c_out) // per_out
        colours = [GROUP_COLOURS[i % len(GROUP_COLOURS)] for i in range(g)]
        full = c_out * c_in * k * k
        weights = c_out * per_in * k * k
        canvas.text(0.3, 0.12, cost_text(c_in, c_out, g, k), fontsize=11, va="top")
        canvas.text(0.3, 0.42, f"MACs per output pixel = {weights:,} (each weight once); groups=1 would need "
                    f"{full:,}: {g}× fewer" if g > 1 else f"MACs per output pixel = {weights:,} (each weight "
                    "once): every output sees every input", fontsize=11, va="top")

        # Connections: every input of group i to every output of group i.
        segments, segment_colours = [], []
        for c in range(c_in):
            for o in np.nonzero(group_out == group_in[c])[0]:
                segments.append([(0.0, y_in[c]), (1.0, y_out[o])])
                segment_colours.append(colours[group_in[c]])
        ax_lines.add_collection(LineCollection(segments, colors=segment_colours, linewidths=1.2 if most <= 16 else 0.5,
                                               alpha=0.8))
        size = 160 if most <= 16 else 30
        ax_lines.scatter(np.zeros(c_in), y_in, s=size, c=[colours[i] for i in group_in], edgecolors="black",
                         zorder=3)
        ax_lines.scatter(np.ones(c_out), y_out, s=size, c=[colours[i] for i in group_out], edgecolors="black",
                         zorder=3)
        if most <= 16:
            for c in range(c_in):
                ax_lines.text(-0.08, y_in[c], f"in {c}", ha="right", va="center", fontsize=9)
            for o in range(c_out):
                ax_lines.text(1.08, y_out[o], f"out {o}", ha="left", va="center", fontsize=9)
        ax_lines.set_xlim(-0.35, 1.35)
        ax_lines.set_ylim(1.06, -0.06)
        ax_lines.set_axis_off()
        drawing.title(ax_lines, f"{c_in} inputs → {c_out} outputs, groups={g}: {g} group(s) of "
                      f"{per_in} in → {per_out} out", fontsize=10)

        # The (C_out, C_in) table: which output sees which input through a k x k kernel.
        table = np.where(group_out[:, None] == group_in[None, :], group_out[:, None] + 1, 0)
        cmap = ListedColormap(["white", *colours])
        ax_table.imshow(table, cmap=cmap, vmin=-0.5, vmax=g + 0.5, interpolation="nearest")
        drawing.cell_lines(ax_table, table.shape, colour="#bdbdbd", linewidth=0.8)
        ax_table.set_xlim(-0.5, c_in - 0.5)
        ax_table.set_ylim(c_out - 0.5, -0.5)
        ax_table.tick_params(length=0, labelsize=8)
        step = 1 if most <= 16 else 8
        ax_table.set_xticks(range(0, c_in, step))
        ax_table.set_yticks(range(0, c_out, step))
        ax_table.set_xlabel("input channel c", fontsize=9)
        ax_table.set_ylabel("output channel o", fontsize=9)
        drawing.title(ax_table, f"kernel K: ({c_out}, {per_in}, {k}, {k}); a coloured cell is a {k}×{k} kernel",
                      fontsize=9)
        return [Note(f"groups={g}, k={k}: K has shape ({c_out}, {c_in}/{g}, {k}, {k}) = "
                     f"({c_out}, {per_in}, {k}, {k}), {weights:,} weights, {weights:,} MACs per output pixel")]

    return ConvWidget({"groups": groups, "k": kernel}, canvas, draw)
