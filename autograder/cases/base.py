"""The vocabulary of the case modules: a known mistake, a graded function, random inputs.

A chapter module (``ch1.py``, ...) describes each graded function with a :class:`Graded`:
the reference from ``solutions`` that gives the expected values, the visible cases (the worked
examples of the text, exact), a generator of hidden cases (seeded shapes and parameters from a
private ``np.random.Generator``, plus the edge cases every function shares), the typical wrong
implementations (:class:`Mistake`) whose output, when the student's matches it, names the
mistake in the feedback, and hints.
"""

from __future__ import annotations

import dataclasses
import zlib
from typing import Any, Callable

import numpy as np

from .. import compare
from ..calling import Calling, Case


@dataclasses.dataclass(frozen=True)
class Mistake:
    """A typical wrong implementation: ``function`` takes the graded function's arguments."""

    hint: str
    function: Callable


@dataclasses.dataclass(frozen=True)
class Graded:
    """Everything the autograder knows about one student function of the SPEC (an *exercise* of
    :mod:`autograder.verdicts`)."""

    name: str
    reference: Callable  # called with the case's arguments, like the student's function
    positional: tuple[str, ...]  # argument names passed by position; the others by keyword
    visible: Callable[[], list[Case]]
    hidden: Callable[[np.random.Generator], list[Case]]
    result: Any = compare.ARRAY  # the result spec, see autograder.compare
    mistakes: tuple[Mistake, ...] = ()
    shape_hint: Callable[[tuple, tuple, dict], str | None] | None = None  # (expected, got, arguments)
    hint: str = ""  # the general hint when values differ and no known mistake matches
    harness: str = ""  # how to call the student's object, see autograder.calling.HARNESSES and DECODERS

    @property
    def calling(self) -> Calling:
        """Return how to call the student's function: all the sandbox gets to know of it."""
        return Calling(self.name, self.positional, self.result, self.harness)

    def expected(self, case: Case):
        """Return the expected result of ``case``, from the reference on a private copy."""
        if case.expected is not None:
            return case.expected
        return self.calling.call_plain(self.reference, case.arguments())

    def wrong_answers(self, case: Case):
        """Yield ``(hint, value)``: what each known mistake returns on ``case`` (those that apply to it)."""
        for mistake in self.mistakes:
            try:
                value = self.calling.call_plain(mistake.function, case.arguments())
            except Exception:  # noqa: BLE001 - a mistake that does not apply to this case
                continue
            yield mistake.hint, value

    def hint_for_shape(self, case: Case, expected: tuple, got: tuple) -> str | None:
        """Return the hint for a result of shape ``got`` where ``expected`` was due, or None."""
        return None if self.shape_hint is None else self.shape_hint(expected, got, dict(case.values))

    def cases(self, include_hidden: bool) -> list[Case]:
        """Return the visible cases, and the hidden ones (same every time: seeded by the name) if asked."""
        cases = list(self.visible())
        if include_hidden:
            rng = np.random.default_rng(zlib.crc32(self.name.encode()))
            cases += [dataclasses.replace(case, hidden=True) for case in self.hidden(rng)]
        return cases

# --- inputs -------------------------------------------------------------------------------------

def random_array(rng: np.random.Generator, shape, dtype="float64") -> np.ndarray:
    """Return random values of ``shape``: small integers for integer dtypes, else uniform in [-2, 2)."""
    dtype = np.dtype(dtype)
    if dtype.kind in "iu":
        return rng.integers(-4, 5, size=shape).astype(dtype)
    return rng.uniform(-2.0, 2.0, size=shape).astype(dtype)


def ints(*rows) -> np.ndarray:
    """Return an int64 array of the given rows, for worked examples."""
    return np.array(rows, dtype=np.int64)


def floats(value) -> np.ndarray:
    """Return ``value`` as a float64 array, for the expected values of worked examples."""
    return np.array(value, dtype=np.float64)


def size_hint(expected: tuple, got: tuple, formula: str) -> str | None:
    """Return a hint for an output one row/column short or long, naming the output-size formula."""
    if len(expected) != len(got):
        return None
    diffs = [g - e for g, e in zip(got, expected)]
    if any(diffs) and all(d in (-1, 0) for d in diffs):
        return (f"one row or column short: the output is {formula}; a loop over range(H - kh) "
                f"misses the last window, use range(H - kh + 1)")
    if any(diffs) and all(d in (0, 1) for d in diffs):
        return f"one row or column too many: the output is {formula}, the last window ends at the last input cell"
    return f"the output is {formula}"
