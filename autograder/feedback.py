"""The text a check prints: one line per case, details and a hint under each failed one, a summary.

Example (one failed case)::

      PASS  worked example: X (5, 5) int64, K (3, 3) int64
      FAIL  worked example: X (3, 3) int64, K (2, 2) int64
            values differ: at index (0, 0) expected 19, got 5; 4 of 4 values differ, max abs error 14
            expected: [[19, 25], [37, 43]]
            got:      [[5, 11], [23, 29]]
            hint: you rotated the kernel by 180 degrees: that is convolve2d, not corr2d; ...
    corr2d: 1/2 visible cases passed, 2 of 4 points (the hidden cases run when the notebook is graded)
"""

from __future__ import annotations

import dataclasses

import numpy as np

from . import compare

DTYPE_HINT = ("float in, the same float out, and integers become float64; for example "
              "Y = np.zeros(shape, dtype=np.result_type(X, K, 1.0))")
_INDENT = " " * 8
_SHOW_ELEMENTS = 24  # arrays up to this size are printed in full for a failed visible case
_SHOW_OUTPUT = 300  # characters of the student's own printing shown under a failed case


@dataclasses.dataclass
class CaseResult:
    """What happened in one case."""

    case: object
    passed: bool
    problem: str | None = None
    hint: str | None = None
    outcome: object = None  # the guard.Outcome of the student's call
    changed: list = dataclasses.field(default_factory=list)
    shown: tuple = ()  # (("expected", text), ("got", text)) for small visible cases

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


def _array(a: np.ndarray) -> str:
    text = np.array2string(a, separator=", ", precision=6, suppress_small=True, floatmode="maxprec",
                           threshold=1000, max_line_width=100)
    return text.replace("\n", "\n" + _INDENT + " " * 10)


def _one_line(text: str, limit: int) -> str:
    flat = " | ".join(line for line in text.splitlines() if line.strip())
    return flat if len(flat) <= limit else flat[:limit] + " ..."


def _case_lines(result: CaseResult) -> list[str]:
    tag = "[hidden] " if result.case.hidden else ""
    lines = [f"  {'PASS' if result.passed else 'FAIL'}  {tag}{result.case.description}"]
    if result.passed:
        return lines
    lines.append(_INDENT + result.problem)
    lines += [f"{_INDENT}{label} {text}" for label, text in result.shown]
    outcome = result.outcome
    if outcome is not None and outcome.output_chars:
        more = f" ({outcome.output_chars} characters in all)" if outcome.output_chars > _SHOW_OUTPUT else ""
        lines.append(f"{_INDENT}it printed: {_one_line(outcome.output, _SHOW_OUTPUT)}{more}")
    if outcome is not None:
        lines += [f"{_INDENT}warning: {_one_line(w, 200)}" for w in outcome.warnings]
    if result.changed and not result.problem.startswith("modifies"):
        lines.append(f"{_INDENT}it also modifies its input {', '.join(result.changed)}")
    if result.hint:
        lines.append(f"{_INDENT}hint: {result.hint}")
    return lines


def _points(value: float) -> str:
    return f"{value:g}"


def report(name: str, results: list[CaseResult], value: float, points: float, include_hidden: bool,
           calls: list[str], problems: list[str]) -> str:
    """Return the feedback of one check: the cases, then a summary line."""
    passed, total = sum(r.passed for r in results), len(results)
    which = "" if include_hidden else "visible "
    later = "" if include_hidden else " (the hidden cases run when the notebook is graded)"
    stubs = [r for r in results if r.problem and r.problem.startswith("not implemented yet")]
    if problems:
        return refusal(name, points, problems)
    if calls:
        lines = [_case_lines(r)[0] for r in results]
        lines.append(f"{name}: 0 of {_points(points)} points: it calls {_calls(calls)}, which does the job for "
                     f"it. Library convolutions and poolings (torch, scipy, numpy.convolve/correlate) and the "
                     f"course's reference solutions earn no credit; write the computation yourself.")
        return "\n".join(lines)
    if stubs and len(stubs) == total:
        return (f"{name}: not implemented yet (it raises NotImplementedError): 0/{total} {which}cases passed, "
                f"0 of {_points(points)} points")
    lines = [line for r in results for line in _case_lines(r)]
    lines.append(f"{name}: {passed}/{total} {which}cases passed, {_points(value)} of {_points(points)} points{later}")
    return "\n".join(lines)


def _calls(calls: list[str]) -> str:
    named = [f"{c} (the reference solution)" if c.startswith("solutions.") else c for c in calls[:3]]
    return ", ".join(named)


def refusal(name: str, points: float, problems: list[str]) -> str:
    """Return the message of a check refused because grading was tampered with."""
    listed = "; ".join(problems)
    return (f"{name}: 0 of {_points(points)} points: grading refused because {listed}. The autograder "
            f"only trusts numpy, Python's builtins, the reference solutions and itself as installed; "
            f"restart the kernel and run the notebook without replacing them.")
