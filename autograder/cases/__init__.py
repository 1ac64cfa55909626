"""The cases of every graded function, one module per chapter: the instructor's side of grading.

Each chapter module ``chN.py`` describes its graded functions (:class:`~.base.Graded`: the
reference from ``solutions``, visible and hidden cases, known mistakes, hints) and ends with its
syllabus entry, ``CHAPTER = Chapter(assignment, graded, widgets)``. The modules are found by
name (``ch`` and a number), so a new chapter is one new module.

Nothing here is imported by the code that runs beside student code in the student edition,
which carries none of it (:mod:`autograder.casebook`), nor by the sandbox (it gets only the
cases' inputs, :mod:`autograder.calling`).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
import types

from .base import Graded, Mistake

_CHAPTER_MODULE = re.compile(r"ch(\d+)")


@functools.lru_cache(maxsize=1)
def chapters() -> tuple:
    """Return every chapter's syllabus entry (:class:`autograder.syllabus.Chapter`), by chapter number."""
    names = sorted((int(m[1]), info.name) for info in pkgutil.iter_modules(__path__)
                   if (m := _CHAPTER_MODULE.fullmatch(info.name)))
    return tuple(importlib.import_module(f"{__name__}.{name}").CHAPTER for _, name in names)


@functools.lru_cache(maxsize=1)
def _graded() -> types.MappingProxyType:
    return types.MappingProxyType({graded.name: graded for chapter in chapters() for graded in chapter.graded})


def __getattr__(name: str):
    if name == "GRADED":  # loaded on first use: the chapter modules import solutions
        return _graded()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# One graded function by name: autograder.casebook.lookup, the same in a full install and in the
# student edition.
__all__ = ["GRADED", "Graded", "Mistake", "chapters"]
