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

#: What a widget's notes show next to a problem (a warning sign).
PROBLEM = "&#9888;"


def assert_draws_and_redraws(widget, css_class, changes):
    """Assert that ``widget`` drew a picture with no problem noted, and that each of ``changes`` redraws it.

    ``changes``: ``(control name, value)`` pairs, applied in order, as moving the control in the
    browser would.
    """
    from widgets.frame import ConvWidget

    assert isinstance(widget, ConvWidget)
    assert {"conv-widget", css_class} <= set(widget._dom_classes)
    assert bytes(widget.picture.value).startswith(PNG_SIGNATURE)
    assert widget.picture.format == "png"
    assert PROBLEM not in widget.notes.value, widget.notes.value
    for name, value in changes:
        before = bytes(widget.picture.value)
        widget.controls[name].value = value
        assert bytes(widget.picture.value) != before, f"{name}={value!r} did not change the picture"
        assert PROBLEM not in widget.notes.value, widget.notes.value


def assert_stub_noted_once(widget, change):
    """Assert that ``widget``, built on :func:`stub`, says so once and still redraws on ``change``."""
    assert f"stub {STUB_MESSAGE}" in widget.notes.value
    assert widget.notes.value.count(STUB_MESSAGE) == 1  # said once, however many calls failed
    name, value = change
    before = bytes(widget.picture.value)
    widget.controls[name].value = value
    assert bytes(widget.picture.value) != before
    assert widget.notes.value.count(STUB_MESSAGE) == 1
