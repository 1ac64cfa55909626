"""Controls that set other controls: one redraw per move of the user, not one per control changed.

A widget whose controls depend on each other (a preset that fills in sliders, a slider whose
range follows another) changes them from an observer of the control the user moved. Each of
those changes would redraw the whole picture on its own; :func:`without_redraw` makes them
quietly, and the redraw of the control the user moved shows them all at once.
"""

from __future__ import annotations

from contextlib import contextmanager

from .frame import ConvWidget


@contextmanager
def without_redraw(widget: ConvWidget | None, *controls):
    """Within the block, changes of ``controls`` do not redraw ``widget`` (``None``: not built yet)."""
    if widget is None:  # the widget's own constructor draws once everything is set
        yield
        return
    for control in controls:
        control.unobserve(widget.redraw, names="value")
    try:
        yield
    finally:
        for control in controls:
            control.observe(widget.redraw, names="value")
