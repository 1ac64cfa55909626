"""Judging what the student's function did, case by case, and the feedback a check prints.

Nothing here runs student code: :func:`judge` reads an :class:`~autograder.observations.Observation`
(made in the student's kernel, or in the sandbox and carried out as data) and compares its value
with the expected one; :func:`summarize` turns the verdicts into the :class:`~autograder.score.Score`
and the feedback text. A test cell and the batch grader run these same two functions, so a
score and its feedback are the same wherever the student's code ran.

What the judging needs of a graded function is an *exercise*: an object with ``name``,
``calling`` (:class:`~autograder.calling.Calling`), ``hint`` (the general hint when values
differ), ``expected(case)``, ``wrong_answers(case)`` (``(hint, value)`` pairs: what each known
mistake returns on the case) and ``hint_for_shape(case, expected_shape, got_shape)``. The
instructor's case modules provide one (:class:`autograder.cases.base.Graded`), and so does the
student edition, from the visible cases it was built with (:mod:`autograder.casebook`).

A case whose expected value is a :class:`~autograder.calling.Raises` passes when the call
raised that exception. When the student's function calls another graded function of theirs
that fails one of its own visible cases (:func:`upstream_hint`, from the observations
:func:`autograder.kernel.observe.referenced` made possible), the failed cases say so first.

Example of the feedback (one failed case)::

      PASS  worked example: X (5, 5) int64, K (3, 3) int64
      FAIL  worked example: X (3, 3) int64, K (2, 2) int64
            values differ: at index (0, 0) expected 19, got 5; 4 of 4 values differ, max abs error 14
            expected: [[19, 25], [37, 43]]
            got:      [[5, 11], [23, 29]]
            hint: you rotated the kernel by 180 degrees: that is convolve2d, not corr2d; ...
    corr2d: visible 1/2 passed; the hidden cases run when the notebook is graded

With the hidden cases (when the notebook is graded, or in the self-check) the last line gives
the points instead: ``corr2d: 10/13 cases passed, 3.08 of 4 points``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from . import compare, problems
from .calling import Case, Raises
from .observations import Observation, Outcome
from .problems import Kind, Problem
from .score import Score, points_for

_INDENT = " " * 8
_SHOW_ELEMENTS = 24  # arrays up to this size are printed in full for a failed visible case
_SHOW_OUTPUT = 300  # characters of the student's own printing shown under a failed case


@dataclasses.dataclass
class CaseVerdict:
    """The verdict on one case: passed or not, the problem, a hint, and what the call did."""

    case: Case
    passed: bool
    problem: Problem | None = None
    hint: str | None = None
    outcome: Outcome | None = None
    changed: tuple = ()
    shown: tuple = ()  # (("expected:", text), ("got:     ", text)) for small visible cases

    def show(self, expected, value) -> None:
        """Keep the expected and actual arrays as text, for a failed visible case small enough to read."""
        if self.passed or self.case.hidden or not isinstance(expected, np.ndarray) or expected.size > _SHOW_ELEMENTS:
            return
        try:
            actual = compare.as_array(value)
        except compare.Rejected:
            return
        if actual.size <= 2 * _SHOW_ELEMENTS:
            self.shown = (("expected:", _array(expected)), ("got:     ", _array(actual)))


def compare_case(exercise, case: Case, expected, value) -> Problem | None:
    """Return ``None`` if ``value`` is right for ``case``, else the problem (the case may loosen the tolerance)."""
    return compare.compare_result(exercise.calling.result, expected, value, case.tolerance)


def judge(exercise, case: Case, expected, seen: Observation, upstream=None) -> CaseVerdict:
    """Return the :class:`CaseVerdict` of one case: compare, diagnose, explain.

    ``upstream`` is the hint that another graded function the student's function calls is wrong
    (:func:`upstream_hint`), or a function without arguments that returns it, called only when a
    failed case can give it (a test cell's, which runs the student's other functions to find it);
    a failed case gives it unless a known mistake explains the result.
    """
    outcome = seen.outcome
    if outcome is None:
        return CaseVerdict(case, False, seen.skipped)
    if isinstance(expected, Raises):
        return _judge_refusal(case, expected, outcome, upstream)
    problem = case_problem(exercise, case, expected, seen)
    if outcome.problem is not None:
        hint = _given(upstream) if problem.kind in _UPSTREAM_KINDS else None
        return CaseVerdict(case, False, problem, hint, outcome=outcome)
    hint = None
    if problem is not None and problem.kind is not Kind.MUTATED_INPUT:  # a right result that changed its input: no hint
        hint = diagnose(exercise, case, expected, outcome.value, problem, upstream)
    verdict = CaseVerdict(case, problem is None, problem, hint, outcome, tuple(seen.changed))
    verdict.show(expected, outcome.value)
    return verdict


def case_problem(exercise, case: Case, expected, seen: Observation) -> Problem | None:
    """Return the problem of a case whose arguments are valid (``expected`` is no :class:`Raises`), or None.

    Only the problem: what :func:`judge` adds to it (hints, arrays as text) takes much longer.
    """
    outcome = seen.outcome
    if outcome is None:
        return seen.skipped
    if outcome.problem is not None:
        return outcome.problem
    problem = compare_case(exercise, case, expected, outcome.value)
    if problem is None and seen.changed:
        return problems.mutated(seen.changed)
    return problem


def _given(upstream) -> str | None:
    """Return the upstream hint given to :func:`judge`, asking the function that finds it if it is one."""
    return upstream() if callable(upstream) else upstream


#: Failures of the call itself that a wrong function called inside may well cause.
_UPSTREAM_KINDS = frozenset({Kind.EXCEPTION, Kind.NOT_IMPLEMENTED, Kind.UNFIT})


def _judge_refusal(case: Case, expected: Raises, outcome: Outcome, upstream) -> CaseVerdict:
    """Return the verdict of a case whose arguments must be refused with the exception ``expected.error``."""
    problem = outcome.problem
    if problem is not None and problem.kind is Kind.EXCEPTION and outcome.error_type == expected.error:
        return CaseVerdict(case, True, outcome=outcome)
    if problem is not None and problem.kind is not Kind.EXCEPTION:  # a stub, a timeout: that says it all
        return CaseVerdict(case, False, problem, outcome=outcome)
    if problem is None:
        value = outcome.value
        array = np.ndarray.view(value, np.ndarray) if isinstance(value, np.ndarray) else None
        returned = problems.returned_value(compare.kind_name(value), None if array is None else array.shape,
                                           None if array is None else array.dtype)
        problem = problems.not_raised(expected.error, expected.why, returned=returned)
    else:
        problem = problems.not_raised(expected.error, expected.why, raised=problem)
    return CaseVerdict(case, False, problem, _given(upstream) or problems.raise_hint(expected.error), outcome)


def upstream_hint(related) -> str | None:
    """Return the hint that a graded function the student's function calls is wrong, or None when none is.

    ``related`` lists, in the order the function refers to them, ``(exercise, cases, expected
    values, observations)`` of the other graded functions it calls, on their visible cases. The
    first of them that fails one of its cases is named, with that case. Cases whose arguments
    must be refused (:class:`~autograder.calling.Raises`) are left out: a caller passes valid ones.
    """
    for exercise, cases, expected, seen in related:
        for case, want, observation in zip(cases, expected, seen):
            if isinstance(want, Raises):
                continue
            problem = case_problem(exercise, case, want, observation)
            if problem is None or problem.kind is Kind.NOT_RUN:
                continue
            got = None
            if problem.kind is Kind.VALUES and exercise.calling.result == compare.INT:
                got = compare.int_tree(observation.outcome.value)
            return problems.upstream(exercise.name, exercise.calling.call_text(case), problem, want, got)
    return None


def diagnose(exercise, case: Case, expected, value, problem: Problem, upstream=None) -> str | None:
    """Return the hint for a wrong result: a known mistake it matches, else ``upstream`` (a wrong function it
    calls, as for :func:`judge`), else one for the kind of difference."""
    spec = exercise.calling.result
    for hint, wrong in exercise.wrong_answers(case):
        if not compare.same(spec, expected, wrong) and compare.same(spec, wrong, value):
            return hint
    upstream = _given(upstream)
    if upstream:
        return upstream
    if problem.kind is Kind.SHAPE and spec == compare.ARRAY:
        try:
            got = compare.as_array(value).shape
        except compare.Rejected:
            return None
        return exercise.hint_for_shape(case, tuple(expected.shape), got)
    if problem.kind is Kind.DTYPE:
        return problems.dtype_hint(exercise.calling.arrays())
    if problem.kind is Kind.VALUES:
        return exercise.hint or None
    return None


def summarize(name: str, verdicts: list[CaseVerdict], points: float, include_hidden: bool,
              tampered: list[str]) -> tuple[Score, str]:
    """Return the :class:`Score` of a check and its feedback text, from its case verdicts.

    The score is 0 whatever the cases when grading was tampered with (``tampered`` names what
    was replaced) or the function called a library that does its job.
    """
    calls = list(dict.fromkeys(label for v in verdicts if v.outcome for label in v.outcome.forbidden))
    passed = sum(v.passed for v in verdicts)
    if tampered:
        value, reason = 0.0, "; ".join(tampered)
    elif calls:
        value, reason = 0.0, "calls " + ", ".join(calls)
    else:
        value, reason = points_for(points, passed, len(verdicts)), ""
    text = report(name, verdicts, value, points, include_hidden, calls, tampered)
    summary = text.rsplit("\n", 1)[-1]
    return Score(value, name, passed, len(verdicts), points, reason, summary, include_hidden), text


# --- the feedback text ----------------------------------------------------------------------------

def _array(a: np.ndarray) -> str:
    text = np.array2string(a, separator=", ", precision=6, suppress_small=True, floatmode="maxprec",
                           threshold=1000, max_line_width=100)
    return text.replace("\n", "\n" + _INDENT + " " * 10)


def _one_line(text: str, limit: int) -> str:
    flat = " | ".join(line for line in text.splitlines() if line.strip())
    return flat if len(flat) <= limit else flat[:limit] + " ..."


def _case_lines(verdict: CaseVerdict) -> list[str]:
    tag = "[hidden] " if verdict.case.hidden else ""
    lines = [f"  {'PASS' if verdict.passed else 'FAIL'}  {tag}{verdict.case.description}"]
    if verdict.passed:
        return lines
    lines.append(_INDENT + verdict.problem.text)
    lines += [f"{_INDENT}{label} {text}" for label, text in verdict.shown]
    outcome = verdict.outcome
    if outcome is not None and outcome.output_chars:
        more = f" ({outcome.output_chars} characters in all)" if outcome.output_chars > _SHOW_OUTPUT else ""
        lines.append(f"{_INDENT}it printed: {_one_line(outcome.output, _SHOW_OUTPUT)}{more}")
    if outcome is not None:
        lines += [f"{_INDENT}warning: {_one_line(w, 200)}" for w in outcome.warnings]
    if verdict.changed and verdict.problem.kind is not Kind.MUTATED_INPUT:
        lines.append(f"{_INDENT}it also modifies its input {', '.join(verdict.changed)}")
    if verdict.hint:
        lines.append(f"{_INDENT}hint: {verdict.hint}")
    return lines


def _points(value: float) -> str:
    return f"{value:g}"


def report(name: str, verdicts: list[CaseVerdict], value: float, points: float, include_hidden: bool,
           calls: list[str], tampered: list[str]) -> str:
    """Return the feedback of one check: the cases, then a summary line.

    Without the hidden cases (a student's test cell) the summary counts the visible cases and
    gives no points: the hidden ones may still take some away. The points are given where they
    are known: with the hidden cases, and when the score is 0 whatever the cases.
    """
    passed, total = sum(v.passed for v in verdicts), len(verdicts)
    stubs = [v for v in verdicts if v.problem is not None and v.problem.kind is Kind.NOT_IMPLEMENTED and not v.hint]
    if tampered:
        return _refusal(name, points, tampered)
    if calls:
        lines = [_case_lines(v)[0] for v in verdicts]
        lines.append(f"{name}: 0 of {_points(points)} points: it calls {_calls(calls)}, which does the job for "
                     f"it. Library convolutions and poolings (torch, scipy, numpy.convolve/correlate) and the "
                     f"course's reference solutions earn no credit; write the computation yourself.")
        return "\n".join(lines)
    if stubs and len(stubs) == total:
        counted = f"0/{total} cases passed, 0 of {_points(points)} points" if include_hidden else f"visible 0/{total} passed"
        return f"{name}: not implemented yet (it raises NotImplementedError): {counted}"
    lines = [line for v in verdicts for line in _case_lines(v)]
    if include_hidden:
        lines.append(f"{name}: {passed}/{total} cases passed, {_points(value)} of {_points(points)} points")
    else:
        lines.append(f"{name}: visible {passed}/{total} passed; the hidden cases run when the notebook is graded")
    return "\n".join(lines)


def _calls(calls: list[str]) -> str:
    named = [f"{c} (the reference solution)" if c.startswith("solutions.") else c for c in calls[:3]]
    return ", ".join(named)


def _refusal(name: str, points: float, tampered: list[str]) -> str:
    """Return the message of a check refused because grading was tampered with."""
    listed = "; ".join(tampered)
    return (f"{name}: 0 of {_points(points)} points: grading refused because {listed}. The autograder "
            f"only trusts numpy, Python's builtins, the reference solutions and itself as installed; "
            f"restart the kernel and run the notebook without replacing them.")
