"""``check``: grade one student function in a test cell, print feedback, return the points.

The steps, in order:

1. find the graded function's exercise (:mod:`autograder.casebook`: the instructor's case
   modules, or the student edition's visible cases);
2. refuse at once if numpy, builtins, ``solutions`` or the autograder were replaced
   (:mod:`autograder.kernel.tamper`): nothing computed afterwards could be trusted;
3. :func:`~autograder.kernel.observe.observe`: the student's call on a private copy of each
   case's inputs, watched (:mod:`autograder.kernel.guard`: time budget, captured output,
   forbidden library calls), and which inputs it changed;
4. :func:`~autograder.verdicts.judge` each case against the expected value, with the hint that
   a function it calls is wrong (:func:`~autograder.verdicts.upstream_hint`) where one is: at
   the first failed case that can give it, the other graded functions the student's function
   calls (:func:`~autograder.kernel.observe.referenced`) are observed on their visible cases;
5. check for tampering again (the student's function may have patched something while it ran);
6. :func:`~autograder.verdicts.summarize`: the feedback and the :class:`~autograder.score.Score`,
   printed and returned.

The batch grader runs step 3 in the sandbox (:mod:`autograder.kernel.recorder`) and steps 4
and 6 outside it (:mod:`autograder.grading.cells`); a test cell runs them all in the student's kernel.

Importing this module loads the cases and then seals what grading relies on
(:func:`~autograder.kernel.tamper.seal`) (a test cell imports it before any student code can patch the autograder);
the batch grader never imports it.

``check`` never raises for anything the student's code does; a mistake in the test cell
itself (an unknown name, negative points) raises ``ValueError`` so the instructor sees it.
"""

from __future__ import annotations

import functools
import os

import numpy as np  # noqa: F401 - used by the docstring example

from .. import casebook, verdicts
from ..calling import time_budget
from ..score import Score
from . import tamper
from .observe import observe, referenced

_running = [False]  # check() is not re-entrant: a graded function calling check() is refused

EDITION_NOTE = ("(student edition: the hidden cases are not installed here; they run when your notebook "
                "is graded)")


def _all_cases_forced() -> bool:
    return os.environ.get("AUTOGRADER_ALL_CASES", "").strip().lower() in {"1", "true", "yes"}


def check(name: str, fn, points: float, hidden: bool = False) -> Score:
    """Run the cases of the SPEC function ``name`` against the student's ``fn``; print feedback; return the score.

    ``fn`` is the student's function (the class, for ``"Conv2D"``). With ``hidden=False`` only the
    visible cases run (the worked examples and a few more) and the feedback counts them, without
    points: the hidden cases may still take some away. With ``hidden=True``, or with the
    environment variable ``AUTOGRADER_ALL_CASES=1``, the hidden cases run too (where they are
    installed: not in the student edition) and the feedback gives the points. The score is
    ``points * passed / total`` rounded to 2 decimals, and 0 whatever the cases when the function
    calls a library that does its job or when grading itself was tampered with. In JupyterLab the
    cell's result shows the summary line in a coloured box; its plain text is the score.

    >>> def corr2d(X, K):
    ...     X, K = np.asarray(X, dtype=float), np.asarray(K, dtype=float)
    ...     h, w = K.shape
    ...     return np.array([[(X[i:i + h, j:j + w] * K).sum() for j in range(X.shape[1] - w + 1)]
    ...                      for i in range(X.shape[0] - h + 1)])
    >>> score = check("corr2d", corr2d, points=4)
      PASS  worked example: X (5, 5) int64, K (3, 3) int64
    ...
    corr2d: visible 5/5 passed; the hidden cases run when the notebook is graded
    >>> score, score.passed, score.total
    (4.0, 5, 5)
    >>> score = check("corr2d", corr2d, points=4, hidden=True)  # a hidden case catches float32 made float64
      PASS  worked example: X (5, 5) int64, K (3, 3) int64
    ...
      FAIL  [hidden] float32 input (the result stays float32): X (6, 7) float32, K (3, 2) float32
            wrong dtype: expected float32, got float64
    ...
    corr2d: 12/13 cases passed, 3.69 of 4 points
    """
    exercise = casebook.lookup(name)
    if isinstance(points, bool) or not isinstance(points, (int, float)) or not points >= 0:
        raise ValueError(f"points must be a non-negative number, got {points!r}")
    if _running[0]:
        text = (f"{name}: check() was called while another check was running (from inside a graded "
                f"function?); 0 of {points:g} points")
        print(text)
        return Score(0.0, name, 0, 0, points, "check() called from inside a graded function", text)
    _running[0] = True
    try:
        return _check(exercise, fn, float(points), bool(hidden) or _all_cases_forced())
    except Exception as error:  # noqa: BLE001 - a bug of ours must not cost a crash of the test cell
        text = (f"{name}: the autograder itself failed ({type(error).__name__}: {error}); "
                f"0 of {points:g} points. Please report this to your instructor.")
        print(text)
        return Score(0.0, name, 0, 0, points, "internal error", text)
    finally:
        _running[0] = False


def _check(exercise, fn, points: float, want_hidden: bool) -> Score:
    tampered = tamper.problems()
    if tampered:  # refused before any case runs: nothing computed now could be trusted
        score, text = verdicts.summarize(exercise.name, [], points, False, tampered)
        print(text)
        return score
    include_hidden = want_hidden and not casebook.is_edition()  # the student edition has no hidden cases
    cases = exercise.cases(include_hidden)
    budget = time_budget()
    observations = observe(exercise.calling, fn, cases, budget)
    # Finding the upstream hint runs the student's other graded functions, each under its time
    # budget: only done when a failed case can give it, and then once.
    upstream = functools.cache(lambda: verdicts.upstream_hint(_related(fn, exercise.name, budget)))
    results = [verdicts.judge(exercise, case, exercise.expected(case), seen, upstream)
               for case, seen in zip(cases, observations)]
    score, text = verdicts.summarize(exercise.name, results, points, include_hidden, tamper.problems())
    print(text + (f"\n{EDITION_NOTE}" if want_hidden and not include_hidden else ""))
    return score


def _related(fn, name: str, budget: float) -> list[tuple]:
    """Return ``(exercise, visible cases, expected values, observations)`` of each graded function ``fn`` calls."""
    found = []
    for other, function in referenced(fn, casebook.callable_from(name)).items():
        exercise = casebook.lookup(other)
        cases = exercise.cases(False)
        found.append((exercise, cases, [exercise.expected(case) for case in cases],
                      observe(exercise.calling, function, cases, budget)))
    return found


casebook.chapters()  # loads the case modules (or the edition's data), so that the seal records them too
tamper.seal()  # last: records the state of numpy, solutions and everything the checks imported
