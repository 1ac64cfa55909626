"""What the widget tests share: stand-in student functions and how to find a widget's sliders."""

import ipywidgets
import numpy as np

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: What a widget shows when the student's function is still the stub.
STUB_MESSAGE = "raised NotImplementedError: implement it above, then re-run this cell"


def stub(*args, **kwargs):
    """A student function not written yet."""
    raise NotImplementedError


def wrong_shape(*args, **kwargs):
    """A student function that returns an array of the wrong shape."""
    return np.zeros((2, 2))


def sliders(widget):
    """Return the widget's integer and float sliders."""
    return [c for c in widget.controls.values() if isinstance(c, ipywidgets.IntSlider | ipywidgets.FloatSlider)]
