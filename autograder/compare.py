"""Comparing a student's result with the expected one: shape, then dtype, then values.

Every function returns ``None`` when the result is accepted, else the
:class:`~autograder.problems.Problem` that says what differs (its kind, and the sentence from
:mod:`autograder.problems`). A student's result is never trusted to compare itself: it must be a real NumPy array
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

import types

import numpy as np

from . import problems
from .problems import Problem

#: (rtol, atol) per result dtype; see the module docstring for why.
TOLERANCES = types.MappingProxyType({
    np.dtype(np.float64): (1e-6, 1e-9),
    np.dtype(np.float32): (1e-4, 1e-5),
})
#: For any other dtype (float16, say): float32's, the loosest.
LOOSEST = TOLERANCES[np.dtype(np.float32)]

_NDARRAY = np.ndarray
#: The scalar types accepted as numbers, by exact type (a subclass could lie about its value).
INTEGERS = (int, np.int64, np.int32, np.int16, np.int8, np.uint64, np.uint32, np.uint16, np.uint8)
FLOATS = (float, np.float64, np.float32, np.float16)
PLAIN_NUMBERS = INTEGERS + FLOATS


#: What a graded function returns (``Calling.result``): a float array, an int (or nested tuples
#: of ints), a float, or a structure of those: ``("tuple", (("dX", ARRAY), ("dK", ARRAY)))`` for a
#: tuple whose parts are named in the feedback, ``("dict", (("W1", ARRAY), ...))`` for a dict with
#: those keys (others are ignored).
ARRAY, INT, SCALAR = "array", "int", "scalar"


def tuple_of(*parts: tuple[str, object]) -> tuple:
    """Return the result spec of a tuple of named parts: ``tuple_of(("dX", ARRAY), ("dK", ARRAY))``."""
    return ("tuple", tuple(parts))


def dict_of(*items: tuple[str, object]) -> tuple:
    """Return the result spec of a dict that has these keys, compared in this order.

    A missing key is a problem; an extra one is ignored: the SPEC asks for these keys and only
    their values are graded.
    """
    return ("dict", tuple(items))


class Rejected(Exception):
    """A result that cannot be compared at all (wrong type, ragged, not numeric); ``problem`` says why."""

    def __init__(self, problem: Problem):
        super().__init__(problem.text)
        self.problem = problem


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
    raise Rejected(problems.list_of(kind_name(value)))


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
            raise Rejected(problems.ragged(str(error))) from None
    elif type(result) in PLAIN_NUMBERS:
        raise Rejected(problems.single_number(result))
    else:
        raise Rejected(problems.not_an_array(kind_name(result)))
    if array.dtype.kind not in "biuf":
        raise Rejected(problems.not_numbers(array.dtype))
    return array


def _fmt(x) -> str:
    return np.format_float_positional(x, precision=8, trim="-") if np.isfinite(x) else str(x)


def _index(flat: int, shape) -> tuple:
    return tuple(int(i) for i in np.unravel_index(flat, shape)) if shape else ()


def compare_arrays(expected: np.ndarray, result, tolerance=None, check_dtype: bool = True) -> Problem | None:
    """Return ``None`` if ``result`` matches ``expected`` in shape, dtype and values, else the problem."""
    try:
        actual = as_array(result)
    except Rejected as error:
        return error.problem
    if actual.shape != expected.shape:
        return problems.wrong_shape(expected.shape, actual.shape)
    if check_dtype and actual.dtype != expected.dtype:
        return problems.wrong_dtype(expected.dtype, actual.dtype)
    return compare_values(expected, actual, tolerance)


def compare_values(expected: np.ndarray, actual: np.ndarray, tolerance=None) -> Problem | None:
    """Return ``None`` if two numeric arrays of one shape agree within tolerance, else the first difference."""
    rtol, atol = tolerance or TOLERANCES.get(expected.dtype, LOOSEST)
    e = expected.astype(np.float64)
    a = actual.astype(np.float64)
    for what, bad in (("NaN", a != a), ("inf", abs(a) == np.inf)):
        if bad.any():
            return problems.contains(what, int(bad.sum()), a.size, _index(int(bad.ravel().argmax()), a.shape))
    if a.size == 0:
        return None
    scale = max(1.0, float(abs(e).max()))
    error = abs(a - e)
    bad = error > atol * scale + rtol * abs(e)
    if not bad.any():
        return None
    flat = int(bad.ravel().argmax())
    return problems.values_differ(_index(flat, a.shape), _fmt(e.ravel()[flat]), _fmt(a.ravel()[flat]),
                                  int(bad.sum()), a.size, _fmt(float(error.max())))


def as_int(result) -> int:
    """Return ``result`` as an int if it is a Python or NumPy integer (not a bool), else raise ``Rejected``."""
    if type(result) in INTEGERS:
        return int(result)
    if type(result) in (float, np.float64, np.float32):
        raise Rejected(problems.not_an_int("float", float(result)))
    if type(result) is bool or type(result) is np.bool_:
        raise Rejected(problems.not_an_int("bool", result))
    raise Rejected(problems.not_an_int(kind_name(result)))


def compare_ints(expected, result) -> Problem | None:
    """Return ``None`` if ``result`` equals ``expected``: an int, or nested tuples of ints."""
    try:
        actual = int_tree(result)
    except Rejected as error:
        return error.problem
    if actual == expected:
        return None
    return problems.wrong_value(expected, actual)


def int_tree(result, depth: int = 0):
    """Return an int, or tuples/lists of ints as nested tuples; raise ``Rejected`` otherwise."""
    if type(result) in (list, tuple) and depth < 4:
        return tuple(int_tree(v, depth + 1) for v in result)
    return as_int(result)


def compare_scalar(expected: float, result, tolerance=None) -> Problem | None:
    """Return ``None`` if ``result`` is a real number (or a 0-d array) close to the float ``expected``."""
    if isinstance(result, _NDARRAY) and result.ndim == 0:
        result = result[()]
    if type(result) not in PLAIN_NUMBERS:
        return problems.not_a_number(kind_name(result))
    return compare_values(np.array(expected, dtype=np.float64), np.array(float(result)), tolerance)


def compare_result(spec, expected, result, tolerance=None, check_dtype: bool = True) -> Problem | None:
    """Return ``None`` if ``result`` matches ``expected`` by the result spec ``spec``, else the problem.

    For a tuple or dict spec, the first part that differs is reported under its name.
    """
    if spec == INT:
        return compare_ints(expected, result)
    if spec == SCALAR:
        return compare_scalar(expected, result, tolerance)
    if spec == ARRAY:
        return compare_arrays(expected, result, tolerance, check_dtype)
    structure, parts = spec
    if structure == "tuple":
        if type(result) not in (tuple, list) or len(result) != len(parts):
            return problems.wrong_parts([name for name, _ in parts], kind_name(result),
                                        len(result) if type(result) in (tuple, list) else None)
        pairs = [(name, part_spec, expected[i], result[i]) for i, (name, part_spec) in enumerate(parts)]
    else:
        if type(result) is not dict:
            return problems.missing_part(", ".join(key for key, _ in parts), kind_name(result))
        missing = [key for key, _ in parts if key not in result]
        if missing:
            return problems.missing_part(f"key {missing[0]!r}", f"a dict with keys {sorted(map(str, result))}")
        pairs = [(f"[{key!r}]", part_spec, expected[key], result[key]) for key, part_spec in parts]
    for name, part_spec, part_expected, part in pairs:
        problem = compare_result(part_spec, part_expected, part, tolerance, check_dtype)
        if problem is not None:
            return problems.in_part(name, problem)
    return None


def same(spec, expected, result) -> bool:
    """Return whether ``result`` equals ``expected`` by the rules above, dtype aside (to spot known mistakes)."""
    return compare_result(spec, expected, result, check_dtype=False) is None
