"""The cases of every graded function, one module per chapter.

``GRADED`` maps each SPEC function name to its :class:`~autograder.cases.base.Graded`
description. A new chapter adds a module ``chN.py`` with a ``GRADED`` tuple and one line below.
"""

from __future__ import annotations

import types

from . import ch1, ch2, ch3, ch4, ch5, ch6
from .base import Case, Graded, Mistake

GRADED: types.MappingProxyType[str, Graded] = types.MappingProxyType(
    {graded.name: graded for module in (ch1, ch2, ch3, ch4, ch5, ch6) for graded in module.GRADED})


def lookup(name: str) -> Graded:
    """Return the description of the graded function ``name``, or raise ``ValueError`` listing the names."""
    try:
        return GRADED[name]
    except (KeyError, TypeError):
        raise ValueError(f"no graded function named {name!r}; known: {', '.join(GRADED)}") from None


__all__ = ["GRADED", "Case", "Graded", "Mistake", "lookup"]
