"""``check``: grade one student function in a test cell, print feedback, return the points.

The steps, in order (each is a module of its own):

1. refuse at once if numpy, builtins, ``solutions`` or the autograder were replaced
   (:mod:`autograder.tamper`): nothing computed afterwards could be trusted;
2. build the cases (:mod:`autograder.cases`): visible ones, plus the hidden ones when asked;
3. :func:`observe`: the student's call on a private copy of each case's inputs, watched
   (:mod:`autograder.guard`: time budget, captured output, forbidden library calls), and which
   inputs it changed;
4. :func:`judge` each case: the expected value from the reference on another copy, the
   comparison (:mod:`autograder.compare`), the input check (a function must not modify its
   arguments) and, for a wrong result, the known mistakes its output matches;
5. check for tampering again (the student's function may have patched something while it ran);
6. :func:`summarize`: the feedback (:mod:`autograder.feedback`) and the
   :class:`~autograder.score.Score`, printed and returned.

The batch grader runs step 3 in the sandbox and steps 4 and 6 outside it, on what the sandbox
reported (:mod:`autograder.grading.judge`); a test cell runs them all in the student's kernel.

``check`` never raises for anything the student's code does; a mistake in the test cell
itself (an unknown name, negative points) raises ``ValueError`` so the instructor sees it.
"""

from __future__ import annotations

import os

import numpy as np  # noqa: F401 - used by the docstring example

from . import cases as case_registry
from . import compare, feedback, tamper
from .observe import Observation, observe
from .score import Score, points_for

#: Seconds a single case may take (``AUTOGRADER_TIME_LIMIT`` overrides). A loop implementation
#: of any graded function takes well under 0.1 s per case, so this only stops runaway code.
DEFAULT_TIME_LIMIT = 3.0

_running = [False]  # check() is not re-entrant: a graded function calling check() is refused


def time_limit() -> float:
    """Return the seconds one case may take: ``AUTOGRADER_TIME_LIMIT``, else :data:`DEFAULT_TIME_LIMIT`."""
    try:
        value = float(os.environ.get("AUTOGRADER_TIME_LIMIT", DEFAULT_TIME_LIMIT))
    except ValueError:
        return DEFAULT_TIME_LIMIT
    return value if value > 0 else DEFAULT_TIME_LIMIT


def _all_cases_forced() -> bool:
    return os.environ.get("AUTOGRADER_ALL_CASES", "").strip().lower() in {"1", "true", "yes"}


def check(name: str, fn, points: float, hidden: bool = False) -> Score:
    """Run the cases of the SPEC function ``name`` against the student's ``fn``; print feedback; return the score.

    ``fn`` is the student's function (the class, for ``"Conv2D"``). With ``hidden=False`` only the
    visible cases run (the worked examples and a few more); with ``hidden=True``, or with the
    environment variable ``AUTOGRADER_ALL_CASES=1``, the hidden cases run too. The score is
    ``points * passed / total`` rounded to 2 decimals, and 0 whatever the cases when the function
    calls a library that does its job or when grading itself was tampered with.

    >>> def corr2d(X, K):
    ...     X, K = np.asarray(X, dtype=float), np.asarray(K, dtype=float)
    ...     h, w = K.shape
    ...     return np.array([[(X[i:i + h, j:j + w] * K).sum() for j in range(X.shape[1] - w + 1)]
    ...                      for i in range(X.shape[0] - h + 1)])
    >>> score = check("corr2d", corr2d, points=4)
      PASS  worked example: X (5, 5) int64, K (3, 3) int64
    ...
    corr2d: 5/5 visible cases passed, 4 of 4 points (the hidden cases run when the notebook is graded)
    >>> score, score.passed, score.total
    (4.0, 5, 5)
    """
    graded = case_registry.lookup(name)
    if isinstance(points, bool) or not isinstance(points, (int, float)) or not points >= 0:
        raise ValueError(f"points must be a non-negative number, got {points!r}")
    if _running[0]:
        print(f"{name}: check() was called while another check was running (from inside a graded "
              f"function?); 0 of {points:g} points")
        return Score(0.0, name, 0, 0, points, "check() called from inside a graded function")
    _running[0] = True
    try:
        return _check(graded, fn, float(points), bool(hidden) or _all_cases_forced())
    except Exception as error:  # noqa: BLE001 - a bug of ours must not cost a crash of the test cell
        print(f"{name}: the autograder itself failed ({type(error).__name__}: {error}); "
              f"0 of {points:g} points. Please report this to your instructor.")
        return Score(0.0, name, 0, 0, points, "internal error")
    finally:
        _running[0] = False


def _check(graded, fn, points: float, include_hidden: bool) -> Score:
    problems = tamper.problems()
    if problems:
        print(feedback.refusal(graded.name, points, problems))
        return Score(0.0, graded.name, 0, 0, points, "; ".join(problems))
    cases = graded.cases(include_hidden)
    observations = observe(graded, fn, cases, time_limit())
    results = [judge(graded, case, graded.expected(case), seen) for case, seen in zip(cases, observations)]
    score, text = summarize(graded.name, results, points, include_hidden, tamper.problems())
    print(text)
    return score


def judge(graded, case, expected, seen: Observation) -> feedback.CaseResult:
    """Return the :class:`~autograder.feedback.CaseResult` of one case: compare, diagnose, explain.

    Runs no student code: ``seen.outcome.value`` is only read by :mod:`autograder.compare`.
    """
    outcome = seen.outcome
    if outcome is None:
        return feedback.CaseResult(case, False, seen.skipped)
    if outcome.error is not None:
        if outcome.error_type == "NotImplementedError":
            problem = "not implemented yet (it raises NotImplementedError)"
        elif outcome.error_type in ("Timeout", "Unfit", "NotCallable"):
            problem = outcome.error
        else:
            problem = "raised " + outcome.error
        return feedback.CaseResult(case, False, problem, outcome=outcome)
    problem = graded.compare(expected, outcome.value, case)
    changed = list(seen.changed)
    hint = None
    if problem is not None:
        hint = _diagnose(graded, case, expected, outcome.value, problem)
    elif changed:
        problem = f"modifies its input {', '.join(changed)} (work on a copy: the caller's arrays must not change)"
    result = feedback.CaseResult(case, problem is None, problem, hint, outcome, changed)
    result.show(expected, outcome.value)
    return result


def summarize(name: str, results, points: float, include_hidden: bool, problems) -> tuple[Score, str]:
    """Return the :class:`Score` of a check and its feedback text, from its case results.

    The score is 0 whatever the cases when grading was tampered with (``problems``) or the
    function called a library that does its job.
    """
    calls = list(dict.fromkeys(label for r in results if r.outcome for label in r.outcome.forbidden))
    passed = sum(r.passed for r in results)
    if problems:
        value, reason = 0.0, "; ".join(problems)
    elif calls:
        value, reason = 0.0, "calls " + ", ".join(calls)
    else:
        value, reason = points_for(points, passed, len(results)), ""
    text = feedback.report(name, results, value, points, include_hidden, calls, problems)
    return Score(value, name, passed, len(results), points, reason), text


def _diagnose(graded, case, expected, value, problem: str) -> str | None:
    """Return the hint for a wrong result: a known mistake it matches, else one for the kind of difference."""
    for mistake in graded.mistakes:
        try:
            wrong = graded.call_plain(mistake.function, case.arguments())
        except Exception:  # noqa: BLE001 - a mistake that does not apply to this case
            continue
        if not compare.same(expected, wrong) and compare.same(wrong, value):
            return mistake.hint
    if problem.startswith("wrong shape") and graded.shape_hint is not None:
        try:
            got = compare.as_array(value).shape
        except compare.Rejected:
            return None
        return graded.shape_hint(tuple(expected.shape), got, dict(case.values))
    if problem.startswith("wrong dtype"):
        return feedback.DTYPE_HINT
    if problem.startswith(("values differ", "expected")):
        return graded.hint or None
    return None


case_registry.GRADED  # noqa: B018 - loads the chapter modules, so that the seal records them too
tamper.seal()  # last: records the state of numpy, solutions and everything the checks imported
