"""The cases of every graded function, one module per chapter.

``GRADED`` maps each SPEC function name to its :class:`~autograder.cases.base.Graded`
description. A new chapter adds a module ``chN.py`` with a ``GRADED`` tuple and its name to
``CHAPTERS``.

The chapter modules are imported on first use of ``GRADED`` or :func:`lookup`, not with the
package: they import ``solutions``, which the sandbox hides, while :mod:`.base` (all the sandbox
needs) must stay importable there.
"""

from __future__ import annotations

import importlib
import types

from .base import Case, Graded, Mistake

CHAPTERS = ("ch1", "ch2", "ch3", "ch4", "ch5", "ch6")
_registry: list[types.MappingProxyType] = []


def _graded() -> types.MappingProxyType:
    if not _registry:
        modules = [importlib.import_module(f"{__name__}.{chapter}") for chapter in CHAPTERS]
        _registry.append(types.MappingProxyType(
            {graded.name: graded for module in modules for graded in module.GRADED}))
    return _registry[0]


def __getattr__(name: str):
    if name == "GRADED":
        return _graded()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def lookup(name: str) -> Graded:
    """Return the description of the graded function ``name``, or raise ``ValueError`` listing the names."""
    graded = _graded()
    try:
        return graded[name]
    except (KeyError, TypeError):
        raise ValueError(f"no graded function named {name!r}; known: {', '.join(graded)}") from None


__all__ = ["GRADED", "Case", "Graded", "Mistake", "lookup"]
