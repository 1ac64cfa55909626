"""Comparing a student's result with the expected one: shape, then dtype, then values.

Every function returns ``None`` when the result is accepted, else a short sentence saying what
differs. A student's result is never trusted to compare itself: it must be a real NumPy array
(or nested lists of plain numbers), and the comparison is done here with ndarray arithmetic, so
an object whose ``__eq__`` or ``__array__`` always agrees gets nowhere.

Tolerances, written as ``|actual - expected| <= atol * scale + rtol * |expected|`` with
``scale = max(1, max |expected|)``:

* float64: ``rtol = 1e-6``, ``atol = 1e-9``. The reference and a loop implementation add the
  same products in a different order; in float64 that moves a sum of ~100 terms by ~1e-14
  relative to its largest term, far inside these bounds, while any real mistake is far outside.
* float32: ``rtol = 1e-4``, ``atol = 1e-5``. float32 keeps ~7 digits (eps = 1.2e-7), so the
  order of summation alone moves a sum of ~100 terms by up to ~1e-5 of its largest term.

``atol`` is scaled by the largest expected magnitude because a cell that cancels to 0 carries
the rounding error of its terms, not of its (small) value.
"""

from __future__ import annotations

import numbers
import types

import numpy as np

#: (rtol, atol) per result dtype; see the module docstring for why.
TOLERANCES = types.MappingProxyType({
    np.dtype(np.float64): (1e-6, 1e-9),
    np.dtype(np.float32): (1e-4, 1e-5),
})
LOOSEST = (1e-4, 1e-5)

_NDARRAY = np.ndarray
PLAIN_NUMBERS = (int, float, np.float64, np.float32, np.float16, np.int64, np.int32, np.int16,
                  np.int8, np.uint64, np.uint32, np.uint16, np.uint8)
INTEGERS = (int, np.int64, np.int32, np.int16, np.int8, np.uint64, np.uint32, np.uint16, np.uint8)


class Rejected(Exception):
    """A result that cannot be compared at all (wrong type, ragged, not numeric)."""


class Foreign:
    """Stands for a result of a type the grader does not take in, known only by its description.

    The batch grader receives results from the sandbox as data (:mod:`autograder.transport`);
    an object of any other type arrives as its ``kind_name`` only, and is rejected like the
    object itself would have been.
    """

    __slots__ = ("kind",)

    def __init__(self, kind: str):
        self.kind = kind


def kind_name(value) -> str:
    """Return a short description of ``value``'s type for messages, e.g. ``'a torch.Tensor'``."""
    if type(value) is Foreign:
        return value.kind
    t = type(value)
    module = getattr(t, "__module__", "") or ""
    name = getattr(t, "__qualname__", None) or getattr(t, "__name__", "?")
    if value is None:
        return "None"
    if module in ("builtins", "__main__") or module.startswith("__"):
        return f"a {name}"
    return f"a {module.split('.')[0]}.{name}"


def _nested(value, depth: int = 0):
    """Return nested lists/tuples of plain numbers as lists, or raise ``Rejected``."""
    if type(value) in PLAIN_NUMBERS:
        return value
    if type(value) in (list, tuple) and depth < 8:
        return [_nested(v, depth + 1) for v in value]
    raise Rejected(f"contains {kind_name(value)}, not a number")


def as_array(result) -> np.ndarray:
    """Return ``result`` as a private base-class ndarray copy, or raise ``Rejected`` saying why.

    Accepted: an ndarray (a subclass is viewed as a plain ndarray, so its overrides are ignored)
    or nested lists/tuples of plain Python or NumPy numbers. Nothing of the result's own
    code runs here: no ``__array__``, ``__len__`` or ``__iter__`` of a foreign type is called.
    """
    if isinstance(result, _NDARRAY):
        array = _NDARRAY.copy(_NDARRAY.view(result, _NDARRAY))
    elif type(result) in (list, tuple):
        try:
            array = np.array(_nested(result))
        except ValueError as error:  # ragged lists
            raise Rejected(f"returned a ragged list that is not an array ({error})") from None
        except Rejected as error:
            raise Rejected(f"returned a list that {error}") from None
    elif type(result) in PLAIN_NUMBERS:
        raise Rejected(f"returned a single number ({result!r}), not an array")
    else:
        hint = " (convert it with .numpy())" if kind_name(result) == "a torch.Tensor" else ""
        raise Rejected(f"returned {kind_name(result)}, not a NumPy array{hint}")
    if array.dtype.kind not in "biuf":
        what = "Python objects (dtype object)" if array.dtype.kind == "O" else f"dtype {array.dtype}"
        raise Rejected(f"returned an array of {what}, not of numbers")
    return array


def _fmt(x) -> str:
    return np.format_float_positional(x, precision=8, trim="-") if np.isfinite(x) else str(x)


def _index(flat: int, shape) -> tuple:
    return tuple(int(i) for i in np.unravel_index(flat, shape)) if shape else ()


def compare_arrays(expected: np.ndarray, result) -> str | None:
    """Return ``None`` if ``result`` matches ``expected`` in shape, dtype and values, else why not."""
    try:
        actual = as_array(result)
    except Rejected as error:
        return str(error)
    if actual.shape != expected.shape:
        return f"wrong shape: expected {expected.shape}, got {actual.shape}"
    if actual.dtype != expected.dtype:
        if actual.dtype.kind in "biu":
            return (f"wrong dtype: expected {expected.dtype}, got {actual.dtype} (results are float "
                    f"arrays; integer input is promoted to float64)")
        return f"wrong dtype: expected {expected.dtype}, got {actual.dtype}"
    return compare_values(expected, actual)


def compare_values(expected: np.ndarray, actual: np.ndarray, tolerance=None) -> str | None:
    """Return ``None`` if two float arrays of one shape agree within tolerance, else the first difference."""
    rtol, atol = tolerance or TOLERANCES.get(expected.dtype, LOOSEST)
    e = expected.astype(np.float64)
    a = actual.astype(np.float64)
    nan = a != a
    if nan.any():
        first = _index(int(nan.ravel().argmax()), a.shape)
        return f"result contains NaN ({int(nan.sum())} of {a.size} values, the first at index {first})"
    infinite = abs(a) == np.inf
    if infinite.any():
        first = _index(int(infinite.ravel().argmax()), a.shape)
        return f"result contains inf ({int(infinite.sum())} of {a.size} values, the first at index {first})"
    if a.size == 0:
        return None
    scale = max(1.0, float(abs(e).max()))
    error = abs(a - e)
    bad = error > atol * scale + rtol * abs(e)
    if not bad.any():
        return None
    flat = int(bad.ravel().argmax())
    index = _index(flat, a.shape)
    return (f"values differ: at index {index} expected {_fmt(e.ravel()[flat])}, got "
            f"{_fmt(a.ravel()[flat])}; {int(bad.sum())} of {a.size} values differ, "
            f"max abs error {_fmt(float(error.max()))}")


def as_int(result) -> int:
    """Return ``result`` as an int if it is a Python or NumPy integer (not a bool), else raise ``Rejected``."""
    if type(result) in INTEGERS:
        return int(result)
    if type(result) in (float, np.float64, np.float32):
        value = float(result)
        detail = " (use // for a floor division: / always gives a float)" if value == value else ""
        raise Rejected(f"returned a float ({value!r}), not an int{detail}")
    if type(result) is bool or type(result) is np.bool_:
        raise Rejected(f"returned a bool ({result!r}), not an int")
    raise Rejected(f"returned {kind_name(result)}, not an int")


def compare_ints(expected, result) -> str | None:
    """Return ``None`` if ``result`` equals ``expected``: an int, or nested tuples of ints."""
    try:
        actual = int_tree(result)
    except Rejected as error:
        return str(error)
    if actual == expected:
        return None
    return f"expected {expected!r}, got {actual!r}"


def int_tree(result, depth: int = 0):
    """Return an int, or tuples/lists of ints as nested tuples; raise ``Rejected`` otherwise."""
    if type(result) in (list, tuple) and depth < 4:
        return tuple(int_tree(v, depth + 1) for v in result)
    return as_int(result)


def same(expected, result) -> bool:
    """Return whether ``result`` equals ``expected`` by the rules above (used to spot known mistakes)."""
    if isinstance(expected, _NDARRAY):
        try:
            actual = as_array(result)
        except Rejected:
            return False
        return actual.shape == expected.shape and compare_values(expected, actual) is None
    if isinstance(expected, numbers.Real) and not isinstance(expected, numbers.Integral):
        try:
            value = float(result) if type(result) in PLAIN_NUMBERS else None
        except (TypeError, ValueError):
            return False
        return value is not None and abs(value - expected) <= 1e-9 * max(1.0, abs(expected))
    try:
        return int_tree(result) == expected
    except Rejected:
        return False
