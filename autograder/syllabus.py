"""The syllabus's vocabulary: a :class:`Chapter` (assignment id, graded functions, widgets) and its :class:`Widget` s.

Each chapter declares itself in one place, its case module (``autograder/cases/chN.py`` ends
with ``CHAPTER = Chapter(...)``); the student edition carries the same declarations, built from
those modules. Everything else derives its lists from :func:`autograder.casebook.chapters`: the
tests, the browser test, the docstring test, the demo and the grader. Adding a graded function
to a chapter touches its solution, the chapter's case module, the notebook and the function's
own tests.

>>> from autograder import casebook
>>> ch1 = casebook.chapter("ch1_cross_correlation")
>>> ch1.names
('corr2d', 'convolve2d', 'Conv2D', 'learn_kernel')
>>> [widget.call for widget in ch1.widgets]
['widgets.kernel_gallery(corr2d)', 'widgets.window_stepper(corr2d)']
>>> ch1.widgets[0].css
'conv-kernel-gallery'
"""

from __future__ import annotations

import dataclasses
import importlib


@dataclasses.dataclass(frozen=True)
class Widget:
    """A widget a chapter shows: ``widgets.<function>(<draws>)``, drawn in a ``<div class=css>``.

    ``draws`` names the student function it draws with, or is ``""`` for an illustration that
    takes none.
    """

    function: str
    draws: str

    @property
    def call(self) -> str:
        """Return the call the notebook makes, e.g. ``'widgets.kernel_gallery(corr2d)'``."""
        return f"widgets.{self.function}({self.draws})"

    @property
    def css(self) -> str:
        """Return the CSS class of the widget's root, e.g. ``'conv-kernel-gallery'``.

        The widget declares it (``@course_widget(...)`` in ``widgets/<function>.py``), the one
        place it is written. ``widgets`` is imported only here, when a test asks: the case
        modules and the grader never load it. The module's function is read, not the package's:
        while nbgrader grades, the package exports stand-ins that carry no class.
        """
        module = importlib.import_module(f"widgets.{self.function}")
        return getattr(module, self.function).css_class


@dataclasses.dataclass(frozen=True)
class Chapter:
    """One chapter: its assignment id (the notebook is ``<id>/<id>.ipynb``), graded exercises and widgets."""

    assignment: str
    graded: tuple
    widgets: tuple[Widget, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Return the graded function names, in the notebook's order."""
        return tuple(exercise.name for exercise in self.graded)
