"""Chapter 3: a multi-channel convolution of an RGB photo, one kernel per input channel, summed."""

from __future__ import annotations

import ipywidgets
import numpy as np

from . import drawing, images, kernels
from .frame import ConvWidget, Note, course_widget
from .student import call, name_of

from .images import CHANNEL_CMAPS, CHANNELS


def _responses(func, name: str, X: np.ndarray, K: np.ndarray):
    """Return the calls the picture needs: the full output, and each input channel's part of it.

    ``func(X, K)`` is ``(C_out, oh, ow)``; input channel ``c`` alone contributes
    ``func(X[c:c+1], K[:, c:c+1])``, also ``(C_out, oh, ow)``, and the parts sum to the whole.
    """
    C_out, C_in, kh, kw = K.shape
    shape = (C_out, X.shape[1] - kh + 1, X.shape[2] - kw + 1)
    full = call(func, X, K, name=name, shape=shape)
    parts = [call(func, X[c:c + 1], K[:, c:c + 1], name=f"{name} on channel {c} alone", shape=shape)
             for c in range(C_in)]
    return full, parts


@course_widget("conv-channel-explorer")
def channel_explorer(corr2d_multi_in_out, size: int = 96) -> ConvWidget:
    """Return a widget that splits an RGB photo into channels and convolves each with its own kernel.

    ``corr2d_multi_in_out(X, K)`` maps ``(C_in, H, W) x (C_out, C_in, kh, kw) -> (C_out, oh, ow)``
    with ``Y[o] = sum_c corr2d(X[c], K[o, c])``. The photo is the sample portrait, ``(3, H, W)``
    with its shorter side about ``size`` pixels. A dropdown picks a preset kernel bank, a slider
    the output channel ``o``; the picture shows each input channel, its kernel ``K[o, c]``, its
    response and the sum ``Y[o]``.
    """
    name = name_of(corr2d_multi_in_out, "corr2d_multi_in_out")
    X = images.photo_rgb(size)
    banks = kernels.channel_banks()
    bank_choice = ipywidgets.Dropdown(options=list(banks), description="kernels")
    output = ipywidgets.IntSlider(value=0, min=0, max=banks[bank_choice.value].K.shape[0] - 1,
                                  description="output o", continuous_update=False)
    cache = {}  # bank name -> the calls, made once however often the output channel changes

    def fit_slider(change):
        output.max = banks[change["new"]].K.shape[0] - 1

    bank_choice.observe(fit_slider, names="value")

    # Four columns (the three channels, then the whole), three rows (input, kernel, response).
    width, height, gap = 1.75, 2.06, 0.55
    lefts = [0.2 + c * (width + gap) for c in range(4)]
    tops = (0.55, 0.55 + height + 0.4, 0.55 + height + 0.4 + 1.15 + 0.45)
    canvas = drawing.Canvas(lefts[3] + width + 0.75, tops[2] + height + 0.15)
    axes = np.array([[canvas.add_axes(left, tops[0], width, height) for left in lefts],
                     [canvas.add_axes(left, tops[1], width, 1.15) for left in lefts],
                     [canvas.add_axes(left, tops[2], width, height) for left in lefts]])
    ax_bar = canvas.add_colorbar_axes(lefts[3] + width + 0.12, tops[2] + 0.2, 0.13, height - 0.4)

    def draw():
        bank, o = banks[bank_choice.value], output.value
        if bank_choice.value not in cache:
            cache[bank_choice.value] = _responses(corr2d_multi_in_out, name, X, bank.K)
        full, parts = cache[bank_choice.value]
        K = bank.K[o]
        notes = []
        problems = set()

        def report(problem):  # a stub fails every call the same way: say it once
            if problem not in problems:
                problems.add(problem)
                notes.append(Note(problem, "problem"))

        C_out, C_in, kh, kw = bank.K.shape
        canvas.text(0.2, 0.12, f"output channel o={o}: {bank.outputs[o]}   (kernel bank K: "
                    f"{C_out}×{C_in}×{kh}×{kw}, (C_out, C_in, kh, kw))", fontsize=11, va="top")
        for c, ax in enumerate(axes[0, :3]):
            ax.imshow(X[c], cmap=CHANNEL_CMAPS[c], vmin=0, vmax=1)
            drawing.title(ax, f"X[{c}]: {CHANNELS[c]}")
            ax.set_axis_off()
        axes[0, 3].imshow(np.moveaxis(X, 0, -1))
        drawing.title(axes[0, 3], f"photo X  {X.shape[0]}×{X.shape[1]}×{X.shape[2]}")
        axes[0, 3].set_axis_off()
        k_norm = drawing.signed_norm(K)
        for c, ax in enumerate(axes[1, :3]):
            drawing.number_grid(ax, K[c], cmap=drawing.SIGNED_CMAP, norm=k_norm, fontsize=8, ticks=False)
            drawing.title(ax, f"K[{o}, {c}]")
        axes[1, 3].set_axis_off()
        axes[1, 3].text(0.0, 0.5, "one kernel per input channel;\neach output channel o has\n"
                        "its own set K[o]", fontsize=9, va="center", transform=axes[1, 3].transAxes)
        shown = [part.value[o] for part in parts if part.ok] + ([full.value[o]] if full.ok else [])
        if shown:
            limit = max(float(np.nanmax(np.abs(a))) for a in shown) or 1.0
            signed = min(float(np.nanmin(a)) for a in shown) < -1e-9 * limit
            # Edges are sparse: scaled to the strongest, most of them would be invisible.
            strong = max(float(np.nanpercentile(np.abs(a), 99.5)) for a in shown) or limit
            style = dict(cmap=drawing.SIGNED_CMAP, norm=drawing.signed_norm(None, strong)) if signed \
                else dict(cmap=drawing.PHOTO_CMAP, vmin=0.0, vmax=limit)
        for c, (ax, part) in enumerate(zip(axes[2, :3], parts)):
            title = f"part from X[{c}] and K[{o}, {c}]"
            if part.ok:
                image = ax.imshow(part.value[o], **style)
                drawing.title(ax, title)
                ax.set_axis_off()
            else:
                drawing.message(ax, part.problem, title, width=22)
                report(part.problem.replace(f"{name} on channel {c} alone", name))
        for c, sign in enumerate("++="):  # between the parts, and before their sum
            canvas.text(lefts[c] + width + gap / 2, tops[2] + height / 2, sign, fontsize=18, ha="center",
                        va="center")
        ax = axes[2, 3]
        if full.ok:
            image = ax.imshow(full.value[o], **style)
            drawing.title(ax, f"Y[{o}] = {name}(X, K)[{o}]", fontsize=9)
            ax.set_axis_off()
            canvas.colorbar(ax_bar, image)
            if all(part.ok for part in parts):
                total = sum(part.value[o] for part in parts)
                mismatch = float(np.max(np.abs(total - full.value[o])))
                if mismatch > 1e-6 * max(1.0, limit):
                    notes.append(Note(f"the parts of the channels do not add up to {name}(X, K)[{o}]: "
                                      f"they differ by up to {drawing.format_number(mismatch)}", "problem"))
                else:
                    notes.append(Note(f"Y[{o}] is the sum of the three channels' parts", "ok"))
        else:
            drawing.message(ax, full.problem, f"Y[{o}]", width=22)
            report(full.problem)
        return notes

    return ConvWidget({"kernels": bank_choice, "output": output}, canvas, draw)
