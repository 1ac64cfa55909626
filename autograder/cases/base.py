"""The vocabulary of the case modules: a case, a known mistake, a graded function, random inputs.

This module imports nothing from ``solutions``: the sandboxed grader sends :class:`Case` objects
and the call-only part of a :class:`Graded` (:meth:`Graded.calling`) into the sandbox, where the
reference is out of reach.

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
from ..guard import Unfit


@dataclasses.dataclass(frozen=True)
class Case:
    """One call of the graded function: named arguments, and what it is meant to show.

    ``values`` holds ``(name, value)`` pairs in call order; the :class:`Graded` function says
    which are passed by position. ``expected`` is given for the worked examples of the text
    (``tests/test_checks.py`` checks the reference agrees); otherwise the reference computes it.
    """

    values: tuple[tuple[str, Any], ...]
    label: str = ""
    hidden: bool = False
    expected: Any = None
    tolerance: tuple[float, float] | None = None

    def arguments(self) -> dict[str, Any]:
        """Return a fresh copy of the arguments (arrays copied, so no call sees another's changes)."""
        return {name: value.copy() if isinstance(value, np.ndarray) else value for name, value in self.values}

    def changed(self, arguments: dict[str, Any]) -> list[str]:
        """Return the names of the array arguments that differ from the case's originals."""
        names = []
        for name, original in self.values:
            if isinstance(original, np.ndarray):
                now = arguments[name]
                if (not isinstance(now, np.ndarray) or now.shape != original.shape
                        or now.dtype != original.dtype or not (np.ndarray.view(now, np.ndarray) == original).all()):
                    names.append(name)
        return names

    @property
    def description(self) -> str:
        """Return the case in a line: ``'worked example: X (5, 5) int64, K (3, 3) int64'``."""
        parts = [describe_value(name, value) for name, value in self.values]
        text = ", ".join(parts)
        return f"{self.label}: {text}" if self.label else text


def describe_value(name: str, value) -> str:
    if isinstance(value, np.ndarray):
        return f"{name} {value.shape} {value.dtype}"
    return f"{name}={value!r}"


@dataclasses.dataclass(frozen=True)
class Mistake:
    """A typical wrong implementation: ``function`` takes the graded function's arguments."""

    hint: str
    function: Callable


@dataclasses.dataclass(frozen=True)
class Graded:
    """Everything the autograder knows about one student function of the SPEC."""

    name: str
    reference: Callable  # called with the case's arguments, like the student's function
    positional: tuple[str, ...]  # argument names passed by position; the others by keyword
    visible: Callable[[], list[Case]]
    hidden: Callable[[np.random.Generator], list[Case]]
    result: str = "array"  # "array" (float array) or "int" (an int, or tuples of ints)
    mistakes: tuple[Mistake, ...] = ()
    shape_hint: Callable[[tuple, tuple, dict], str | None] | None = None
    hint: str = ""  # the general hint when values differ and no known mistake matches
    run: Callable | None = None  # run(function, *args, **kwargs); default: function(*args, **kwargs)

    def calling(self) -> "Graded":
        """Return a copy that can only call the student's function: no reference, cases or mistakes.

        It is what the sandbox receives (pickled): ``positional`` and ``run`` live in this module,
        so unpickling it imports nothing that knows the answers.
        """
        return Graded(self.name, None, self.positional, None, None, self.result, run=self.run)

    def split(self, arguments: dict[str, Any]) -> tuple[tuple, dict]:
        """Return ``(args, kwargs)`` for a call, from named arguments."""
        args = tuple(arguments[name] for name in self.positional if name in arguments)
        kwargs = {name: value for name, value in arguments.items() if name not in self.positional}
        return args, kwargs

    def call(self, function, arguments: dict[str, Any]):
        """Call the student's ``function`` (through ``run`` when the function needs a harness, e.g. a class)."""
        args, kwargs = self.split(arguments)
        return (self.run or _direct)(function, *args, **kwargs)

    def call_plain(self, function, arguments: dict[str, Any]):
        """Call the reference or a mistake: plain functions of the case's arguments."""
        args, kwargs = self.split(arguments)
        return function(*args, **kwargs)

    def expected(self, case: Case):
        """Return the expected result of ``case``, from the reference on a private copy."""
        if case.expected is not None:
            return case.expected
        return self.call_plain(self.reference, case.arguments())

    def compare(self, expected, result, case: Case) -> str | None:
        """Return ``None`` if ``result`` is right, else what differs."""
        if self.result == "int":
            return compare.compare_ints(expected, result)
        message = compare.compare_arrays(expected, result)
        if message is None or case.tolerance is None or not message.startswith("values differ"):
            return message
        return compare.compare_values(expected, compare.as_array(result), case.tolerance)

    def cases(self, include_hidden: bool) -> list[Case]:
        """Return the visible cases, and the hidden ones (same every time: seeded by the name) if asked."""
        cases = list(self.visible())
        if include_hidden:
            rng = np.random.default_rng(zlib.crc32(self.name.encode()))
            cases += [dataclasses.replace(case, hidden=True) for case in self.hidden(rng)]
        return cases


def _direct(function, *args, **kwargs):
    return function(*args, **kwargs)


def run_layer(cls, kernel_size, weight, bias, X):
    """Build the student's layer, check its parameters, then set known ones and call it on ``X``.

    The harness of ``Conv2D`` (a class, not a function); here rather than in ``ch1`` because it
    runs in the sandbox, which must not import the chapter modules (they import ``solutions``).
    """
    layer = cls(kernel_size)
    for attribute in ("weight", "bias"):
        if not hasattr(layer, attribute):
            raise Unfit(f"Conv2D{kernel_size} has no attribute {attribute!r}; the layer keeps "
                        f"its kernel in .weight and its scalar bias in .bias")
    try:
        shape = compare.as_array(layer.weight).shape
    except compare.Rejected as error:
        raise Unfit(f"Conv2D{kernel_size}.weight is not an array: it {error}") from None
    if shape != tuple(kernel_size):
        raise Unfit(f"Conv2D{kernel_size}.weight has shape {shape}, expected {tuple(kernel_size)}")
    layer.weight, layer.bias = weight, bias
    return layer(X)


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
