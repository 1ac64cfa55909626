"""Chapter 1: a gallery of kernels applied to a photograph with the student's ``corr2d``."""

from __future__ import annotations

import ipywidgets
import numpy as np

from . import drawing, images, kernels
from .frame import ConvWidget, Note, course_widget
from .student import call, name_of

# Fixed colour scales, so that the gain slider visibly brightens or darkens the response. A
# kernel whose weights sum to 1 keeps the photo's brightness and is drawn like a photo; one whose
# weights sum to 0 (an edge detector) responds around 0 and is drawn red-white-blue.
SIGNED_LIMIT = 0.5
PHOTO_RANGE = (0.0, 1.0)


def _like_a_photo(K: np.ndarray) -> bool:
    return K.sum() > 1e-9 * max(1.0, np.abs(K).sum())


@course_widget("conv-kernel-gallery")
def kernel_gallery(corr2d, size: int = 128) -> ConvWidget:
    """Return a widget that shows ``corr2d(photo, K)`` for a kernel chosen from a gallery.

    ``corr2d(X, K)`` maps ``(H, W) x (kh, kw) -> (H-kh+1, W-kw+1)``; the photo is the gray
    sample portrait with its shorter side about ``size`` pixels. Controls: the kernel (presets
    or ``custom``, typed as rows of numbers), a gain that multiplies the kernel, and the size
    of the blur kernels.
    """
    name = name_of(corr2d, "corr2d")
    X = images.photo_gray(size)
    choice = ipywidgets.Dropdown(options=[*kernels.GALLERY, kernels.CUSTOM],
                                 value="vertical edge [[1, -1]]", description="kernel")
    gain = ipywidgets.FloatSlider(value=1.0, min=-2.0, max=3.0, step=0.25, description="gain",
                                  continuous_update=False, readout_format=".2f")
    blur_size = ipywidgets.IntSlider(value=5, min=3, max=11, step=2, description="blur size",
                                     continuous_update=False)
    custom = ipywidgets.Textarea(value="1 1 0\n1 0 -1\n0 -1 -1", description="custom K",
                                 placeholder="one row per line, e.g. 1 0 -1",
                                 continuous_update=False, rows=4,
                                 layout=ipywidgets.Layout(width="260px"))

    def show_relevant_controls(change=None):
        custom.layout.display = None if choice.value == kernels.CUSTOM else "none"
        blur_size.disabled = not (choice.value in kernels.GALLERY and kernels.GALLERY[choice.value].sized)

    choice.observe(show_relevant_controls, names="value")
    show_relevant_controls()

    canvas = drawing.Canvas(10, 3.9)
    ax_photo = canvas.add_axes(0.15, 0.35, 2.9, 3.4)
    ax_kernel = canvas.add_axes(3.35, 0.35, 2.7, 3.4)
    ax_out = canvas.add_axes(6.3, 0.35, 2.9, 3.4)
    ax_bar = canvas.add_colorbar_axes(9.35, 0.75, 0.14, 2.6)

    def draw():
        notes = []
        drawing.photo(ax_photo, X, f"photo X  {X.shape[0]}×{X.shape[1]}")
        try:
            base = kernels.parse_rows(custom.value) if choice.value == kernels.CUSTOM \
                else kernels.GALLERY[choice.value].make(blur_size.value)
        except ValueError as error:
            drawing.message(ax_kernel, str(error), "kernel K")
            drawing.message(ax_out, "fix the custom kernel", f"{name}(X, K)")
            return [Note(str(error), "problem")]
        K = gain.value * base
        kh, kw = K.shape
        drawing.number_grid(ax_kernel, K, cmap=drawing.SIGNED_CMAP, norm=drawing.signed_norm(K))
        drawing.title(ax_kernel, f"kernel K  {kh}×{kw},  sum {drawing.format_number(K.sum())}")
        expected = (X.shape[0] - kh + 1, X.shape[1] - kw + 1)
        result = call(corr2d, X, K, name=name, shape=expected)
        if not result.ok:
            drawing.message(ax_out, result.problem, f"{name}(X, K)")
            return [Note(result.problem, "problem")]
        Y = result.value
        if _like_a_photo(K):
            image = ax_out.imshow(Y, cmap=drawing.PHOTO_CMAP, vmin=PHOTO_RANGE[0], vmax=PHOTO_RANGE[1])
            scale = "gray levels from 0 (black) to 1 (white)"
            outside = np.mean((Y < PHOTO_RANGE[0]) | (Y > PHOTO_RANGE[1]))
        else:
            image = ax_out.imshow(Y, cmap=drawing.SIGNED_CMAP, norm=drawing.signed_norm(Y, SIGNED_LIMIT))
            scale = f"red positive, blue negative, from -{SIGNED_LIMIT:g} to {SIGNED_LIMIT:g}"
            outside = np.mean(np.abs(Y) > SIGNED_LIMIT)
        drawing.title(ax_out, f"Y = {name}(X, K)  {Y.shape[0]}×{Y.shape[1]}")
        ax_out.set_axis_off()
        canvas.colorbar(ax_bar, image)
        notes.append(Note(f"Y has shape {Y.shape[0]}×{Y.shape[1]} = (H-kh+1)×(W-kw+1); values from "
                          f"{drawing.format_number(Y.min())} to {drawing.format_number(Y.max())}, drawn as "
                          f"{scale}" + (f"; {outside:.0%} of them fall outside and take the colour of the "
                                        "nearest end" if outside >= 0.005 else "") + "."))
        return notes

    controls = {"kernel": choice, "gain": gain, "blur_size": blur_size, "custom": custom}
    return ConvWidget(controls, canvas, draw, layout_rows=[[choice, gain, blur_size], [custom]])
