"""The syllabus the chapters declare (autograder/cases/chN.py): the SPEC's assignment ids, and names that exist.

Every other list of the test suite is derived from it; these tests tie it to the reference
library, the widgets package and the course folder.
"""

from __future__ import annotations

import inspect

import pytest

import solutions
import widgets
from autograder import casebook
from nbgrader_course import SPEC_ASSIGNMENTS, assignments

CHAPTERS = casebook.chapters()


def test_chapters_are_the_specs_assignments_in_order():
    ids = [chapter.assignment for chapter in CHAPTERS]
    assert ids == [a for a in SPEC_ASSIGNMENTS if a in ids], "chapters in the SPEC's order"
    assert set(ids) <= set(SPEC_ASSIGNMENTS), f"not a SPEC assignment id: {sorted(set(ids) - set(SPEC_ASSIGNMENTS))}"


def test_every_chapter_has_a_notebook_and_every_notebook_a_chapter():
    assert sorted(chapter.assignment for chapter in CHAPTERS) == assignments()


def test_graded_names_are_unique():
    names = casebook.graded_names()
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name", casebook.graded_names())
def test_the_reference_takes_the_students_arguments(name):
    # solutions' functions are supersets of the student ones: the same leading positional arguments
    # (the SPEC may name them differently, X and x), then keywords of the same names.
    exercise = casebook.lookup(name)
    if exercise.calling.harness == "layer":
        return  # a class; its harness builds it
    parameters = list(inspect.signature(getattr(solutions, name)).parameters)
    student = [n for n, _ in exercise.cases(False)[0].values]
    leading = [n for n in student if n in exercise.calling.positional]
    assert len(parameters) >= len(student), f"solutions.{name} takes fewer arguments than the student's"
    keywords = [n for n in student if n not in exercise.calling.positional]
    assert set(keywords) <= set(parameters[len(leading):]), f"solutions.{name} lacks keywords {keywords}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.assignment for c in CHAPTERS])
def test_widgets_exist_and_draw_a_graded_function(chapter):
    for widget in chapter.widgets:
        assert callable(getattr(widgets, widget.function, None)), f"widgets.{widget.function} does not exist"
        assert not widget.draws or widget.draws in chapter.names, f"{widget.call} draws no graded function"
        assert widget.css.startswith("conv-")


def test_lookup_names_the_known_functions_when_it_fails():
    with pytest.raises(ValueError, match="no graded function named 'corr3d'; known: corr2d"):
        casebook.lookup("corr3d")
    with pytest.raises(ValueError, match="no chapter with assignment id 'ch9'"):
        casebook.chapter("ch9")
