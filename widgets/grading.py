"""What a widget is while nbgrader grades: a short notice, built without drawing anything.

nbgrader sets the environment variable ``NBGRADER_EXECUTION`` while it autogrades or validates a
notebook; grading computes nothing it does not score. This module imports nothing heavy (not
even ipywidgets: the notice is plain HTML and text), so that ``import widgets`` under nbgrader
(:mod:`widgets`) costs a graded notebook a few milliseconds.
"""

from __future__ import annotations

import html
import os


def grading() -> bool:
    """Return whether nbgrader is executing the notebook (autograde or validate)."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


class SkippedNotice:
    """What stands in for a widget while the notebook is graded: a line of HTML, and of text."""

    css_class = "conv-widget-skipped"

    def __init__(self, title: str):
        self.title = title
        self.value = f"<i>{html.escape(title)}: interactive widget skipped while grading.</i>"

    def _repr_html_(self) -> str:
        return f'<div class="{self.css_class}">{self.value}</div>'

    def __repr__(self) -> str:
        return f"{self.title}: interactive widget skipped while grading."


def skipped_notice(title: str) -> SkippedNotice:
    """Return the small notice that stands in for a widget while the notebook is graded.

    >>> skipped_notice("kernel_gallery")
    kernel_gallery: interactive widget skipped while grading.
    """
    return SkippedNotice(title)


# What a notebook calls on a widget function itself rather than on the widget it returned, by
# widget: the training loop finds the monitor with ``training_monitor.latest()`` (attached in
# training_monitor.py). The stand-ins carry them too, so that the call works while grading.
ACCESSORS = {"training_monitor": ("latest",)}


def none_built() -> None:
    """Return None: while grading no widget is built, so an accessor finds none.

    >>> skipped_widget("training_monitor").latest() is None
    True
    """
    return None


def skipped_widget(name: str):
    """Return a stand-in for the widget function ``name`` that only makes its notice.

    It carries the widget function's :data:`ACCESSORS`, each returning None.
    """
    def widget(*args, **kwargs):
        return skipped_notice(name)
    widget.__name__ = widget.__qualname__ = name
    for accessor in ACCESSORS.get(name, ()):
        setattr(widget, accessor, none_built)
    return widget
