"""Chapter 4: a 1x1 convolution mixes the channels of every pixel by the same weight matrix."""

from __future__ import annotations

import ipywidgets
import numpy as np

from . import drawing, images
from .images import CHANNEL_CMAPS, CHANNELS
from .frame import ConvWidget, Note, course_widget
from .linked import without_redraw
from .student import call, name_of

CUSTOM = "custom (the sliders)"
# Mixing weights (C_out, C_in=3): row o says how much of red, green and blue output channel o takes.
PRESETS = {
    "grayscale (luma)": images.LUMA[None, :],
    "red only": np.array([[1.0, 0.0, 0.0]]),
    "sepia (3 outputs)": np.array([[0.393, 0.769, 0.189],
                                   [0.349, 0.686, 0.168],
                                   [0.272, 0.534, 0.131]]),
    "swap R and B (3 outputs)": np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]),
    CUSTOM: None,
}


def _weight(w: float) -> str:
    """Return a weight with up to three significant digits: 0.299 stays 0.299, not 0.3."""
    return f"{w:.3g}" if w else "0"


def _mix_text(weights: np.ndarray) -> str:
    """Return ``Y[o] = a·R + b·G + c·B`` for every row of the weight matrix, one line each."""
    lines = []
    for o, row in enumerate(weights):
        terms = " + ".join(f"{_weight(w)}·{c[0].upper()}" for w, c in zip(row, CHANNELS))
        lines.append(f"Y[{o}] = {terms}".replace("+ -", "- "))
    return "\n".join(lines)


@course_widget("conv-channel-mixer")
def channel_mixer(corr2d_multi_in_out_1x1, size: int = 96) -> ConvWidget:
    """Return a widget that mixes the channels of an RGB photo with a 1x1 convolution.

    ``corr2d_multi_in_out_1x1(X, K)`` maps ``(C_in, H, W) x (C_out, C_in, 1, 1) -> (C_out, H, W)``
    with ``Y[o, i, j] = sum_c K[o, c, 0, 0] * X[c, i, j]``: every pixel's colour ``(R, G, B)`` is
    multiplied by the same ``(C_out, 3)`` matrix. The photo is the sample portrait, ``(3, H, W)``
    with its shorter side about ``size`` pixels. A dropdown picks the weights (grayscale, red
    only, sepia, swap red and blue, or custom); three sliders set the weights of one output
    channel, and moving one selects ``custom``. The result is drawn in gray for one output
    channel, in colour for three, clipped to [0, 1].
    """
    name = name_of(corr2d_multi_in_out_1x1, "corr2d_multi_in_out_1x1")
    X = images.photo_rgb(size)
    preset = ipywidgets.Dropdown(options=list(PRESETS), value="grayscale (luma)", description="weights")
    weight_sliders = [ipywidgets.FloatSlider(value=w, min=-1.0, max=2.0, step=0.001, description=f"w {c}",
                                             continuous_update=False, readout_format=".3f")
                      for w, c in zip(images.LUMA, CHANNELS)]
    widget = None  # set below; the observers use it to change controls without a redraw each
    syncing = False

    def preset_chosen(change):
        nonlocal syncing
        weights = PRESETS[change["new"]]
        if weights is None or weights.shape[0] != 1:
            return  # custom keeps the sliders; a 3-output mix does not fit in three sliders
        syncing = True
        try:
            with without_redraw(widget, *weight_sliders):
                for slider, w in zip(weight_sliders, weights[0]):
                    slider.value = float(w)
        finally:
            syncing = False

    def slider_moved(change):
        if not syncing and preset.value != CUSTOM:
            with without_redraw(widget, preset):
                preset.value = CUSTOM

    preset.observe(preset_chosen, names="value")
    for slider in weight_sliders:
        slider.observe(slider_moved, names="value")

    # Top row: the three channels and the photo; bottom row: the weight matrix and the result.
    H, W = X.shape[1:]
    pw = 2.1
    ph = pw * H / W
    lefts = [0.25 + c * (pw + 0.35) for c in range(4)]
    canvas = drawing.Canvas(lefts[3] + pw + 0.25, 0.45 + ph + 0.55 + 3.6 + 0.15)
    ax_channels = [canvas.add_axes(left, 0.45, pw, ph) for left in lefts]
    lower = 0.45 + ph + 0.55
    ax_weights = canvas.add_axes(0.9, lower + 0.1, 3 * 0.6, 3 * 0.6)
    ax_result = canvas.add_axes(5.2, lower, 3.6 * W / H, 3.6)
    cache = {}  # the weights as a tuple -> the call, so that a slider moved back costs nothing

    def draw():
        weights = PRESETS[preset.value]
        if weights is None:
            weights = np.array([[s.value for s in weight_sliders]])
        C_out = weights.shape[0]
        K = weights[:, :, None, None]
        key = weights.tobytes()
        if key not in cache:
            cache.clear()
            cache[key] = call(corr2d_multi_in_out_1x1, X, K, name=name, shape=(C_out, H, W))
        result = cache[key]

        for c, ax in enumerate(ax_channels[:3]):
            ax.imshow(X[c], cmap=CHANNEL_CMAPS[c], vmin=0, vmax=1)
            drawing.title(ax, f"X[{c}]: {CHANNELS[c]}")
            ax.set_axis_off()
        ax_channels[3].imshow(np.moveaxis(X, 0, -1))
        drawing.title(ax_channels[3], f"photo X  {X.shape[0]}×{H}×{W}")
        ax_channels[3].set_axis_off()

        canvas.place(ax_weights, 0.9, lower + 0.35, 3 * 0.6, C_out * 0.6)
        limit = max(1.0, float(np.abs(weights).max()))
        drawing.number_grid(ax_weights, weights, cmap=drawing.SIGNED_CMAP, norm=drawing.signed_norm(weights, limit),
                            annotate=False)
        for (o, c), w in np.ndenumerate(weights):  # three digits: the luma weights are 0.299, 0.587, 0.114
            ax_weights.text(c, o, _weight(w), ha="center", va="center", fontsize=10,
                            color="white" if abs(w) > 0.6 * limit else "black")
        ax_weights.set_xticks(range(3), [f"{c[0].upper()} (c={i})" for i, c in enumerate(CHANNELS)])
        ax_weights.set_yticks(range(C_out), [f"o={o}" for o in range(C_out)])
        drawing.title(ax_weights, f"weights K[:, :, 0, 0]  ({C_out}, 3)")
        canvas.text(0.25, lower + 0.35 + C_out * 0.6 + 0.45, f"K has shape ({C_out}, 3, 1, 1)\n" + _mix_text(weights)
                    + "\nat every pixel (i, j), reading R, G, B from X[:, i, j]", fontsize=9, va="top")
        canvas.text(4.75, lower + 1.8, "→", fontsize=24, ha="center", va="center")

        heading = f"Y = {name}(X, K)"
        if not result.ok:
            drawing.message(ax_result, result.problem, heading, width=30)
            return [Note(result.problem, "problem")]
        Y = result.value
        if C_out == 1:
            drawing.photo(ax_result, np.clip(Y[0], 0.0, 1.0), f"{heading}  1×{H}×{W}, gray")
        else:
            ax_result.imshow(np.clip(np.moveaxis(Y, 0, -1), 0.0, 1.0))
            drawing.title(ax_result, f"{heading}  3×{H}×{W}, as RGB")
            ax_result.set_axis_off()
        notes = []
        expected = np.tensordot(weights, X, axes=1)
        error = float(np.max(np.abs(Y - expected)))
        if error > 1e-6:
            notes.append(Note(f"{name} differs from mixing every pixel by the weights: by up to "
                              f"{drawing.format_number(error)}", "problem"))
        else:
            notes.append(Note(f"{name} mixes every pixel's (R, G, B) by the {C_out}×3 weights", "ok"))
        clipped = float(np.mean((Y < 0) | (Y > 1)))
        if clipped >= 0.005:
            notes.append(Note(f"{clipped:.0%} of the output values fall outside [0, 1] and are drawn clipped"))
        return notes

    controls = {"weights": preset, **{f"w_{c}": s for c, s in zip(CHANNELS, weight_sliders)}}
    widget = ConvWidget(controls, canvas, draw, layout_rows=[[preset], weight_sliders])
    return widget
