"""What a widget is while nbgrader grades: a short notice, built without drawing anything.

nbgrader sets the environment variable ``NBGRADER_EXECUTION`` while it autogrades or validates a
notebook; grading computes nothing it does not score. This module imports only ipywidgets, so
that ``import widgets`` under nbgrader (:mod:`widgets`) costs a graded notebook no matplotlib.
"""

from __future__ import annotations

import html
import os

import ipywidgets


def grading() -> bool:
    """Return whether nbgrader is executing the notebook (autograde or validate)."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def skipped_notice(title: str) -> ipywidgets.HTML:
    """Return the small notice that stands in for a widget while the notebook is graded.

    >>> skipped_notice("kernel_gallery").value
    '<i>kernel_gallery: interactive widget skipped while grading.</i>'
    """
    notice = ipywidgets.HTML(f"<i>{html.escape(title)}: interactive widget skipped while grading.</i>")
    notice.add_class("conv-widget-skipped")
    return notice


def skipped_widget(name: str):
    """Return a stand-in for the widget function ``name`` that only makes its notice."""
    def widget(*args, **kwargs):
        return skipped_notice(name)
    widget.__name__ = widget.__qualname__ = name
    return widget
