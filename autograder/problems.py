"""What can be wrong with one case of a graded function: a kind to branch on, and the sentence a student reads.

Code decides by :class:`Kind` (``problem.kind is Kind.SHAPE``), never by the wording, so every
sentence below can be reworded freely. Each function here returns a :class:`Problem`; the
modules that find problems (:mod:`autograder.compare`, :mod:`autograder.kernel.guard`,
:mod:`autograder.verdicts`) only choose which one and fill in the values.

>>> problem = wrong_shape((3, 3), (2, 2))
>>> problem.kind is Kind.SHAPE, problem.text
(True, 'wrong shape: expected (3, 3), got (2, 2)')
"""

from __future__ import annotations

import dataclasses
import enum


class Kind(enum.Enum):
    """The kinds of problem, grouped by the step that finds them."""

    # The result, compared with the expected one (autograder.compare).
    WRONG_TYPE = "wrong type"  # not an array (or not an int), ragged, not numeric
    SHAPE = "wrong shape"
    DTYPE = "wrong dtype"
    VALUES = "wrong values"  # also a wrong int or tuple of ints
    NAN = "NaN"
    INF = "inf"
    NOT_RAISED = "not raised"  # the arguments must be refused with an exception; the call did something else
    # The call itself (autograder.kernel.guard and observe).
    NOT_IMPLEMENTED = "not implemented"
    EXCEPTION = "exception"
    TIMEOUT = "timeout"
    UNFIT = "unfit"  # the case's own harness refused the student's object (a layer without .weight)
    NOT_CALLABLE = "not callable"
    INTERRUPTED = "interrupted"
    NOT_RUN = "not run"
    MUTATED_INPUT = "mutated input"
    # A forbidden call or tampering is no case's problem: it scores the whole check 0
    # (verdicts.summarize), and the batch grader flags it (grading.flags).


#: Kinds that say the call did not return a result at all.
CALL_FAILED = frozenset({Kind.NOT_IMPLEMENTED, Kind.EXCEPTION, Kind.TIMEOUT, Kind.UNFIT, Kind.NOT_CALLABLE,
                         Kind.INTERRUPTED, Kind.NOT_RUN})


@dataclasses.dataclass(frozen=True)
class Problem:
    """One problem: its :class:`Kind` and the sentence that explains it."""

    kind: Kind
    text: str

    def __str__(self) -> str:
        return self.text


# --- the result (compare) -----------------------------------------------------------------------

def ragged(detail: str) -> Problem:
    return Problem(Kind.WRONG_TYPE, f"returned a ragged list that is not an array ({detail})")


def list_of(kind: str) -> Problem:
    return Problem(Kind.WRONG_TYPE, f"returned a list that contains {kind}, not a number")


def single_number(value) -> Problem:
    return Problem(Kind.WRONG_TYPE, f"returned a single number ({value!r}), not an array")


def not_an_array(kind: str) -> Problem:
    hint = " (convert it with .numpy())" if kind == "a torch.Tensor" else ""
    return Problem(Kind.WRONG_TYPE, f"returned {kind}, not a NumPy array{hint}")


def not_numbers(dtype) -> Problem:
    what = "Python objects (dtype object)" if dtype.kind == "O" else f"dtype {dtype}"
    return Problem(Kind.WRONG_TYPE, f"returned an array of {what}, not of numbers")


def not_an_int(kind: str, value=None) -> Problem:
    """The result should be an int; ``kind`` is ``"float"``, ``"bool"`` or a type description."""
    if kind == "float":
        detail = " (use // for a floor division: / always gives a float)" if value == value else ""
        return Problem(Kind.WRONG_TYPE, f"returned a float ({value!r}), not an int{detail}")
    if kind == "bool":
        return Problem(Kind.WRONG_TYPE, f"returned a bool ({value!r}), not an int")
    return Problem(Kind.WRONG_TYPE, f"returned {kind}, not an int")


def missing_part(part: str, kind: str) -> Problem:
    return Problem(Kind.WRONG_TYPE, f"the result has no {part} (it returned {kind})")


def wrong_parts(names, kind: str, count: int | None) -> Problem:
    """The result should be a tuple of the parts ``names``; it is ``kind`` (of ``count`` items, if a sequence)."""
    got = f"{kind} of {count} items" if count is not None else kind
    return Problem(Kind.WRONG_TYPE, f"expected a tuple ({', '.join(names)}), got {got}")


def not_a_number(kind: str) -> Problem:
    return Problem(Kind.WRONG_TYPE, f"returned {kind}, not a number")


def wrong_shape(expected: tuple, got: tuple) -> Problem:
    return Problem(Kind.SHAPE, f"wrong shape: expected {expected}, got {got}")


def wrong_dtype(expected, got) -> Problem:
    if got.kind in "biu":
        return Problem(Kind.DTYPE, f"wrong dtype: expected {expected}, got {got} (results are float arrays; "
                                   f"integer input is promoted to float64)")
    return Problem(Kind.DTYPE, f"wrong dtype: expected {expected}, got {got}")


def contains(what: str, count: int, size: int, first: tuple) -> Problem:
    """``what`` is ``"NaN"`` or ``"inf"``."""
    return Problem(Kind.NAN if what == "NaN" else Kind.INF,
                   f"result contains {what} ({count} of {size} values, the first at index {first})")


def values_differ(index: tuple, expected: str, got: str, count: int, size: int, error: str) -> Problem:
    return Problem(Kind.VALUES, f"values differ: at index {index} expected {expected}, got {got}; "
                                f"{count} of {size} values differ, max abs error {error}")


def wrong_value(expected, got) -> Problem:
    return Problem(Kind.VALUES, f"expected {expected!r}, got {got!r}")


def not_raised(error: str, why: str, returned: str = "", raised: Problem | None = None) -> Problem:
    """The call should raise ``error`` because ``why``; it returned ``returned`` (a description) or raised ``raised``."""
    instead = raised.text if raised is not None else f"returned {returned}"
    reason = f": {why}" if why else ""
    return Problem(Kind.NOT_RAISED, f"expected a {error}{reason}; it {instead} instead")


def returned_value(kind: str, shape: tuple | None = None, dtype=None) -> str:
    """Return how a result is named after "returned": ``'a float64 array of shape (1, 12)'``, ``'a tuple'``."""
    return f"a {dtype} array of shape {shape}" if shape is not None else kind


def in_part(part: str, problem: Problem) -> Problem:
    """The same problem, said of one named part of a result (``dX``, ``grads['W1']``)."""
    return Problem(problem.kind, f"{part}: {problem.text}")


# --- the call (guard, observe) ------------------------------------------------------------------

def not_implemented() -> Problem:
    return Problem(Kind.NOT_IMPLEMENTED, "not implemented yet (it raises NotImplementedError)")


def raised(error: str) -> Problem:
    """``error`` reads like ``"TypeError: ... (line 3: ...)"``."""
    return Problem(Kind.EXCEPTION, f"raised {error}")


def interrupted(error: str) -> Problem:
    return Problem(Kind.INTERRUPTED, f"raised {error}")


def timed_out(budget: float) -> Problem:
    return Problem(Kind.TIMEOUT, f"took longer than its time budget of {budget:g} s")


def unfit(message: str) -> Problem:
    return Problem(Kind.UNFIT, message)


def not_callable(name: str, kind: str) -> Problem:
    return Problem(Kind.NOT_CALLABLE, f"{name} is {kind}, not a function (did the cell that defines it run?)")


def skipped_after_interrupt() -> Problem:
    return Problem(Kind.NOT_RUN, "not run: grading was interrupted")


def skipped_after_timeouts(count: int) -> Problem:
    return Problem(Kind.NOT_RUN, f"not run: {count} cases already ran out of time")


def mutated(names) -> Problem:
    return Problem(Kind.MUTATED_INPUT, f"modifies its input {', '.join(names)} (work on a copy: the caller's "
                                       f"arrays must not change)")


# --- hints that depend only on the kind of problem ----------------------------------------------

def raise_hint(error: str) -> str:
    """Return the hint for arguments that should have been refused with ``error``."""
    return (f"check the arguments before computing anything, and raise {error}(...) with a message that "
            f"names the argument and its values")


def upstream(name: str, call: str, problem: Problem, expected=None, got=None) -> str:
    """Return the hint of a failed case whose function calls ``name``, itself wrong on its visible case ``call``.

    ``problem`` is what is wrong with ``name`` there; ``expected`` and ``got`` are given for a
    wrong number (an int result), which then reads ``returns 7, not 8``.
    """
    if problem.kind is Kind.VALUES and got is not None:
        what = f"returns {got!r}, not {expected!r}"
    elif problem.kind is Kind.NOT_IMPLEMENTED:
        what = "is not implemented yet"
    elif problem.kind in CALL_FAILED:
        what = problem.text  # "raised ...", "took longer than ..."
    else:
        what = f"is wrong ({problem.text})"
    return f"your {call} {what}: fix {name} first"


def dtype_hint(arrays) -> str:
    """Return the hint for a wrong dtype, naming the function's own array arguments ``arrays``."""
    inputs = ", ".join(arrays) or "X"
    return (f"float in, the same float out, and integers become float64; for example "
            f"Y = np.zeros(shape, dtype=np.result_type({inputs}, 1.0))")
