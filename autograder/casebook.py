"""Where the graded functions' cases come from: the instructor's case modules, or the student edition's data.

A full install (an instructor's, a self-learner's) has :mod:`autograder.cases`, which builds
every case, hidden ones included, and computes expected values with ``solutions``. The student
edition has neither: it carries the visible cases of every graded function, with their expected
values, what each known mistake returns on them and the hints, computed when the edition was
built (:mod:`autograder.tools.edition`) and stored as data in :data:`EDITION_DATA`.
:func:`lookup` gives the same kind of *exercise* (see :mod:`autograder.verdicts`) either way,
:func:`chapters` the syllabus (:mod:`autograder.syllabus`) and :func:`callable_from` the graded
functions a check looks for in the student's function.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os

from . import transport
from .calling import Case
from .syllabus import Chapter, Widget

#: The student edition's data file, beside this module; absent from a full install.
EDITION_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "edition_cases.json")


@functools.lru_cache(maxsize=1)
def is_edition() -> bool:
    """Return True in the student edition (no case modules; the visible cases are data)."""
    return importlib.util.find_spec("autograder.cases") is None


def chapters() -> tuple[Chapter, ...]:
    """Return every chapter of the syllabus (:class:`~autograder.syllabus.Chapter`), in order."""
    if is_edition():
        return _edition()[0]
    from . import cases

    return cases.chapters()


def chapter(assignment: str) -> Chapter:
    """Return the chapter of ``assignment``; raise ``ValueError`` naming the known ids."""
    found = {c.assignment: c for c in chapters()}
    try:
        return found[assignment]
    except KeyError:
        raise ValueError(f"no chapter with assignment id {assignment!r}; known: {', '.join(found)}") from None


def graded_names() -> tuple[str, ...]:
    """Return every graded function name of the course, chapter by chapter."""
    return tuple(name for c in chapters() for name in c.names)


def callable_from(name: str) -> tuple[str, ...]:
    """Return the graded names a student's ``name`` may call: its chapter's others and every earlier chapter's.

    The checks of ``name`` run the visible cases of those it does call (a wrong ``output_size``
    explains a wrong ``corr2d_pad_stride``); a later chapter's function is not written yet.
    """
    earlier = []
    for chapter in chapters():
        earlier += chapter.names
        if name in chapter.names:
            return tuple(other for other in earlier if other != name)
    return ()


def lookup(name: str):
    """Return the exercise of the graded function ``name``; raise ``ValueError`` listing the known names."""
    exercises = _edition()[1] if is_edition() else _full()
    try:
        return exercises[name]
    except (KeyError, TypeError):
        raise ValueError(f"no graded function named {name!r}; known: {', '.join(exercises)}") from None


def _full() -> dict:
    from . import cases

    return cases.GRADED


class EditionExercise:
    """An exercise of the student edition: visible cases with their expected values and hints, as data."""

    def __init__(self, name: str, calling, hint: str, cases: list[Case], wrong: list, shapes: list):
        self.name, self.calling, self.hint = name, calling, hint
        self._cases = cases
        # Keyed by the case object itself (cases are built once, here, and handed out as they are).
        self._wrong = {id(case): pairs for case, pairs in zip(cases, wrong)}
        self._shapes = {id(case): table for case, table in zip(cases, shapes)}

    def cases(self, include_hidden: bool) -> list[Case]:
        return list(self._cases)

    def expected(self, case: Case):
        return case.expected

    def wrong_answers(self, case: Case):
        return iter(self._wrong.get(id(case), ()))

    def hint_for_shape(self, case: Case, expected: tuple, got: tuple) -> str | None:
        return self._shapes.get(id(case), {}).get(tuple(got))


@functools.lru_cache(maxsize=1)
def _edition():
    with open(EDITION_DATA, encoding="utf-8") as file:
        data = json.load(file)
    exercises = {}
    chapters = []
    for chapter in data["chapters"]:
        graded = []
        for item in chapter["graded"]:
            cases = [transport.unpack_case(case) for case in item["cases"]]
            wrong = [[(hint, transport.unpack(value)) for hint, value in pairs] for pairs in item["wrong"]]
            shapes = [{tuple(got): hint for got, hint in table} for table in item["shapes"]]
            exercise = EditionExercise(item["name"], transport.unpack_calling(item["calling"]), item["hint"],
                                       cases, wrong, shapes)
            exercises[exercise.name] = exercise
            graded.append(exercise)
        widgets = tuple(Widget(**widget) for widget in chapter["widgets"])
        chapters.append(Chapter(chapter["assignment"], tuple(graded), widgets))
    return tuple(chapters), exercises
