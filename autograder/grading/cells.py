"""The cells of the autograded notebook: test cells judged outside the sandbox, the other cells' outputs cleaned.

For each test cell, :func:`judge_test` reads what :mod:`autograder.kernel.recorder` wrote in the
sandbox (as data, :mod:`autograder.transport`), computes the expected values here with
``solutions``, and runs the same steps as a test cell (:func:`autograder.verdicts.upstream_hint`
on the related functions' visible cases, :func:`~autograder.verdicts.judge`,
:func:`~autograder.verdicts.summarize`): so a score and its feedback are those the student's own
``check`` gives, hidden cases included, and nothing the student ran could influence them except
through the values their functions returned.

:func:`cell_outputs` writes the test cell's outputs the way nbgrader reads them: the feedback
as text, then the score as the cell's value: its ``text/plain`` the float nbgrader reads as
partial credit, its ``text/html`` the summary line in a coloured box (what JupyterLab, formgrader
and the feedback show; :meth:`autograder.score.Score._repr_html_`). :func:`clean_outputs`
keeps, of the outputs of the other cells, only plain text and PNG images: the autograded
notebook is opened by the instructor in formgrader, where a student's HTML or JavaScript output
would run.
"""

from __future__ import annotations

import base64
import binascii
import json
import os

import nbformat
from nbgrader.utils import determine_grade

from .. import transport, verdicts
from ..observations import Observation
from ..score import Score
from .isolation import SWITCHED_OFF, SWITCHED_OFF_ERROR
from .prepare import Planned
from .results import TestResult
from .runner import ERROR_CHARS, OUTPUT_CHARS, OUTPUT_ITEMS, TRACEBACK_LINES

#: Largest recorded file read back from the sandbox.
MAX_RECORD_BYTES = 64 * 1024**2
#: Bytes kept of one image.
MAX_IMAGE = 2 * 1024**2


class Unreadable(ValueError):
    """A file from the sandbox that is missing, too large or malformed."""


def read_json(path: str, limit: int = MAX_RECORD_BYTES):
    """Return the JSON data in ``path`` (written in the sandbox), or raise :class:`Unreadable`."""
    try:
        if os.path.islink(path) or not os.path.isfile(path):
            raise Unreadable("missing")
        if os.path.getsize(path) > limit:
            raise Unreadable(f"larger than {limit} bytes")
        with open(path, "rb") as file:
            return json.loads(file.read(limit + 1))
    except (OSError, ValueError, RecursionError) as error:
        raise Unreadable(str(error)) from None


def _observations(recorded, count: int) -> tuple[list[Observation], list[str]]:
    if type(recorded) is not dict or type(recorded.get("observations")) is not list:
        raise transport.Malformed("not a record of observations")
    problems = recorded.get("problems", [])
    if type(problems) is not list or not all(type(p) is str for p in problems):
        raise transport.Malformed("a malformed list of problems")
    seen = [transport.unpack_observation(item) for item in recorded["observations"]]
    if len(seen) != count:
        raise transport.Malformed(f"{len(seen)} observations for {count} cases")
    return seen, [p[:300] for p in problems[:3]]


def _related(planned: Planned, recorded) -> list[tuple]:
    """Return ``(graded, visible cases, expected values, observations)`` of each related function the record has.

    What does not read as the recorder's data is left out: it could only cost a hint, never points.
    """
    counts = {name: len(cases) for name, (_, cases, _) in planned.related.items()}
    try:
        seen = transport.unpack_related(recorded.get("related", []), counts)
    except transport.Malformed:
        return []
    return [(*planned.related[name], observations) for name, observations in seen.items()]


def judge_test(planned: Planned, recorded, not_run: str, notebook: str = "") -> tuple[TestResult, str]:
    """Return the :class:`TestResult` of one test cell of ``notebook`` and its feedback text.

    ``recorded`` is the data the recorder wrote (None when it wrote nothing); ``not_run`` says
    why a test has no record (the kernel died before it, ...). The result's ``score`` is the
    :class:`~autograder.score.Score` itself, whose summary :func:`cell_outputs` shows.
    """
    test, graded, cases = planned.test, planned.graded, planned.cases
    problems: list[str] = []
    try:
        if recorded is None:
            raise transport.Malformed(not_run)
        seen, problems = _observations(recorded, len(cases))
    except transport.Malformed as error:
        text = f"{test.name}: not graded, 0 of {test.points:g} points: {error}"
        score = Score(0.0, test.name, 0, len(cases), test.points, str(error), text, complete=True)
        return TestResult(test.grade_id, test.name, test.points, score, 0, len(cases), str(error), notebook), text
    upstream = verdicts.upstream_hint(_related(planned, recorded))
    results = [verdicts.judge(graded, case, expected, s, upstream)
               for case, expected, s in zip(cases, planned.expected, seen)]
    score, text = verdicts.summarize(test.name, results, test.points, True, problems)
    blocked = switched_off(s.outcome.import_name for s in seen
                           if s.outcome is not None and s.outcome.error_type == SWITCHED_OFF_ERROR)
    reason = score.reason or (f"imports {', '.join(blocked)}, switched off while grading" if blocked else "")
    return TestResult(test.grade_id, test.name, test.points, score, score.passed, score.total, reason, notebook), text


def switched_off(names) -> list[str]:
    """Return the switched-off packages among the module names ``names`` (``"torch.nn"`` counts as torch)."""
    found = [name.split(".")[0] for name in names]
    return list(dict.fromkeys(name if name in SWITCHED_OFF else "a switched-off package" for name in found))


def switched_off_cells(errors) -> list[str]:
    """Return the switched-off packages that the error outputs ``errors`` of a cell were about.

    The stub's error (``SwitchedOff``) reads ``"<module> is not available ..."``: its first word is the module.
    """
    return switched_off(out.evalue.split(" ", 1)[0] for out in errors if out.ename == SWITCHED_OFF_ERROR)


def not_run(why: str) -> list:
    """Return the outputs of a test cell that never ran: an error, so that nbgrader scores it 0."""
    return [nbformat.v4.new_output("error", ename="NotRun", evalue=why[:2000], traceback=[f"NotRun: {why[:2000]}"])]


def plain_result(cell, notebook: str = "", why: str = "") -> TestResult:
    """Return the :class:`TestResult` of an instructor's plain test cell of ``notebook``, scored by nbgrader's own rule.

    The rule (``nbgrader.utils.determine_grade``): an error or anything on stderr is 0, a number
    as the cell's result is partial credit, no result is full credit.
    """
    score, points = determine_grade(cell)
    grade_id = cell.metadata.nbgrader["grade_id"]
    errors = [f"{out.ename}" for out in cell.outputs if out.get("output_type") == "error"]
    full = score == points
    return TestResult(grade_id, grade_id, float(points), float(score or 0), int(full), 1,
                      why or ("" if full else "; ".join(errors[:1]) or "wrote to stderr or a partial result"), notebook)


def cell_outputs(text: str, score: float, execution_count) -> list:
    """Return the outputs of a judged test cell: the feedback, then the score nbgrader reads.

    ``score`` is a float (its ``text/plain``, nbgrader's partial credit) or a
    :class:`~autograder.score.Score`, whose summary goes with it as ``text/html``.
    """
    data = {"text/plain": repr(float(score))}
    if isinstance(score, Score):
        data["text/html"] = score._repr_html_()
    return [nbformat.v4.new_output("stream", name="stdout", text=text + "\n"),
            nbformat.v4.new_output("execute_result", data=data, execution_count=execution_count)]


def _clip(text, limit: int = OUTPUT_CHARS) -> str:
    """Return ``text`` (a string, or nbformat's list of lines) as one string of at most ``limit`` characters."""
    if type(text) is list:
        text = "".join(line for line in text if type(line) is str)
    elif type(text) is not str:
        text = ""
    return text if len(text) <= limit else text[:limit] + "\n[... cut]"


def _png(value) -> str | None:
    text = value if type(value) is str else None
    if text is None or len(text) > MAX_IMAGE * 4 // 3 + 8:
        return None
    try:
        raw = base64.b64decode(text.replace("\n", ""), validate=True)
    except (binascii.Error, ValueError):
        return None
    return text if raw.startswith(b"\x89PNG\r\n\x1a\n") else None


def clean_outputs(outputs) -> list:
    """Return the outputs of a non-test cell reduced to text, errors and PNG images, each within limits.

    The runner's limits apply again: its log was written where the student's code ran.
    """
    if type(outputs) is not list:
        return []
    kept = []
    for out in outputs[:OUTPUT_ITEMS]:
        kind = out.get("output_type") if type(out) is dict else None
        if kind == "stream" and out.get("name") in ("stdout", "stderr"):
            kept.append(nbformat.v4.new_output("stream", name=out["name"], text=_clip(out.get("text", ""))))
        elif kind == "error":
            trace = out.get("traceback") if type(out.get("traceback")) is list else []
            kept.append(nbformat.v4.new_output(
                "error", ename=_clip(out.get("ename", ""), 200), evalue=_clip(out.get("evalue", ""), ERROR_CHARS),
                traceback=[_clip(line, ERROR_CHARS) for line in trace[:TRACEBACK_LINES] if type(line) is str]))
        elif kind in ("execute_result", "display_data") and type(out.get("data")) is dict:
            data = {}
            if (png := _png(out["data"].get("image/png"))) is not None:
                data["image/png"] = png
            if "text/plain" in out["data"]:
                data["text/plain"] = _clip(out["data"]["text/plain"])
            if not data:
                continue
            if kind == "execute_result":
                count = out.get("execution_count")
                kept.append(nbformat.v4.new_output(kind, data=data, execution_count=count if type(count) is int else None))
            else:
                kept.append(nbformat.v4.new_output(kind, data=data))
    return kept
