"""Calling the student's function on each case: the only step of a check that runs student code.

In a test cell it runs in the student's kernel (:mod:`autograder.kernel.check`); in the batch
grader it runs inside the sandbox (:mod:`autograder.kernel.recorder`), where nothing that knows
the expected values is reachable, and what it saw is judged outside. So this module imports
nothing from ``solutions`` or the case modules.

:func:`referenced` finds the other graded functions of the student's that a function calls by
name (``corr2d_pad_stride`` calling their ``output_size``): a check observes their visible
cases too, so that a failure caused by one of them can name it
(:func:`autograder.verdicts.upstream_hint`).
"""

from __future__ import annotations

import os
import types

from .. import compare, problems
from ..observations import Observation, Outcome
from . import guard
from .forbidden import AUTOGRADER_DIR, SOLUTIONS_DIR

#: Code of these folders is the grader's or the reference's, never a student's function.
_NOT_THE_STUDENTS = (AUTOGRADER_DIR + os.sep, SOLUTIONS_DIR + os.sep)

#: After this many cases ran out of time, the remaining ones are not run (they would too).
MAX_TIMEOUTS = 2


def observe(calling, fn, cases, budget: float, watch: bool = True) -> list[Observation]:
    """Return the :class:`Observation` of calling ``fn`` on each case, in order.

    ``calling`` is the graded function's :class:`~autograder.calling.Calling`; ``watch`` as for
    :func:`.guard.run`. After :data:`MAX_TIMEOUTS` timeouts, or an interrupt, the remaining cases are not run.
    """
    observations, timeouts, interrupted = [], 0, False
    for case in cases:
        if interrupted or timeouts >= MAX_TIMEOUTS:
            why = problems.skipped_after_interrupt() if interrupted else problems.skipped_after_timeouts(MAX_TIMEOUTS)
            observations.append(Observation(None, skipped=why))
            continue
        arguments = case.arguments()
        if not callable(fn):
            outcome = Outcome(problem=problems.not_callable(calling.name, compare.kind_name(fn)))
            observations.append(Observation(outcome))
            continue
        outcome = guard.run(lambda: calling.call(fn, arguments), budget, watch)
        timeouts += outcome.timed_out
        interrupted = outcome.interrupted
        observations.append(Observation(outcome, tuple(case.changed(arguments))))
    return observations


def _functions(fn) -> list:
    """Return the plain functions whose code is ``fn``'s: itself, or a class's methods (``Conv2D.__call__``)."""
    if type(fn) is types.FunctionType:
        return [fn]
    if isinstance(fn, type):
        found = []
        for value in dict(vars(fn)).values():
            value = value.__func__ if type(value) in (staticmethod, classmethod) else value
            if type(value) is types.FunctionType:
                found.append(value)
        return found
    return []


def _names(code, depth: int = 0) -> list[str]:
    """Return the global names ``code`` uses, with those of the code nested in it (lambdas, comprehensions)."""
    names = list(code.co_names)
    if depth < 20:
        for const in code.co_consts:
            if type(const) is types.CodeType:
                names += _names(const, depth + 1)
    return names


def _students(value) -> bool:
    """Return whether ``value`` is a function the student wrote (not the grader's or the reference's)."""
    return type(value) is types.FunctionType and not os.path.abspath(value.__code__.co_filename).startswith(
        _NOT_THE_STUDENTS)


def referenced(fn, names) -> dict:
    """Return ``{name: function}``: the graded functions among ``names`` that ``fn`` calls by a global name.

    A name counts when ``fn``'s code (nested code included) uses it and it is bound, in ``fn``'s
    globals, to a function the student wrote other than ``fn`` itself. Nothing of the student's
    code runs here; anything unexpected about ``fn`` means no related function.
    """
    wanted = set(names)
    found = {}
    try:
        for function in _functions(fn):
            scope = function.__globals__
            for name in _names(function.__code__):
                value = dict.get(scope, name) if name in wanted and name not in found else None
                if value is not fn and _students(value):
                    found[name] = value
    except Exception:  # noqa: BLE001 - a strange object: no hint is better than a failed check
        return {}
    return found

