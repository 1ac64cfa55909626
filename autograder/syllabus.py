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
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Widget:
    """A widget a chapter shows: ``widgets.<function>(<draws>)``, drawn in a ``<div class=css>``.

    ``draws`` names the student function it draws with, or is ``""`` for an illustration that
    takes none.
    """

    function: str
    draws: str
    css: str

    @property
    def call(self) -> str:
        """Return the call the notebook makes, e.g. ``'widgets.kernel_gallery(corr2d)'``."""
        return f"widgets.{self.function}({self.draws})"


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
