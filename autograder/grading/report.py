"""The reports of a grading run: grades and per-test CSV tables, a grade plot, a terminal table.

Everything here is made from :class:`~autograder.grading.results.StudentResult` records alone
(see :mod:`autograder.grading.results`), so a report can be rebuilt at any time from the records
of a run, and two runs over the same records give byte-identical tables.
"""

from __future__ import annotations

import contextlib
import csv
import math
import os
import pathlib
import tempfile
from collections.abc import Iterable

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .results import FLAGGED, GRADED, MISSING, StudentResult

GRADES_COLUMNS = ("assignment", "student", "status", "reason", "score", "max_score", "percent",
                  "feedback")
TESTS_COLUMNS = ("assignment", "grade_id", "name", "points", "students", "mean_score",
                 "full_credit_rate", "case_pass_rate")
_REASON_CHARS = 100  # of a flagged reason in the terminal table; the CSV keeps it whole
_BINS = range(0, 101, 10)


def number(value: float, digits: int = 2) -> str:
    """Return ``value`` with at most ``digits`` decimals and no trailing zeros: 13.5, 16, 0.33."""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def one_line(text: str) -> str:
    """Return ``text`` with its line breaks replaced by spaces, for a CSV cell or a log line."""
    return " ".join(text.splitlines())


def score_text(result: StudentResult) -> str:
    """Return the score and status of ``result`` as shown to a person: ``13.5/16 graded``."""
    status = result.status.upper() if result.status == FLAGGED else result.status
    return f"{number(result.score)}/{number(result.max_score)} {status}"


def percent(result: StudentResult) -> float | None:
    """Return the score of ``result`` in percent of its maximum, None when the maximum is 0."""
    return 100 * result.score / result.max_score if result.max_score else None


def write_reports(results: Iterable[StudentResult], directory) -> dict[str, pathlib.Path]:
    """Return the paths of ``grades.csv``, ``tests.csv`` and ``grades.png``, written in ``directory``.

    Each file is replaced atomically, so a reader (or a run interrupted half-way) never sees a
    half-written report.
    """
    results = sorted(results, key=lambda r: (r.assignment, r.student))
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"grades": directory / "grades.csv", "tests": directory / "tests.csv",
             "plot": directory / "grades.png"}
    with _atomic(paths["grades"], "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(GRADES_COLUMNS)
        writer.writerows(_grades_rows(results))
    with _atomic(paths["tests"], "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(TESTS_COLUMNS)
        writer.writerows(_tests_rows(results))
    with _atomic(paths["plot"], "wb") as file:
        _plot(results).savefig(file, format="png")
    return paths


def format_table(results: Iterable[StudentResult]) -> str:
    """Return a plain-text table of the scores, a student per row and an assignment per column.

    Flagged submissions are listed under the table with their reasons, since each one needs an
    instructor's look.
    """
    results = sorted(results, key=lambda r: (r.student, r.assignment))
    if not results:
        return "no submissions"
    assignments = sorted({r.assignment for r in results})
    cells = {(r.student, r.assignment): score_text(r) for r in results}
    rows = [["student", *assignments]] + [
        [student, *(cells.get((student, a), "-") for a in assignments)]
        for student in sorted({r.student for r in results})]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
             for row in rows]
    flagged = [r for r in results if r.status == FLAGGED]
    if flagged:
        lines.append("")
        lines.append("flagged:")
        lines += [f"  {r.student} {r.assignment}: {_truncate(one_line(r.reason), _REASON_CHARS)}"
                  for r in flagged]
    return "\n".join(lines)


def _grades_rows(results):
    for r in results:
        share = percent(r)
        yield (r.assignment, r.student, r.status, one_line(r.reason), number(r.score),
               number(r.max_score), "" if share is None else f"{share:.1f}", r.feedback)


def _tests_rows(results):
    # Only submitted work counts: a missing submission ran no test, and counting it would
    # lower every test's numbers alike rather than tell which test is hard.
    tests = {}  # (assignment, label) -> [TestResult]; dicts keep the notebook's test order
    for r in results:
        if r.status != MISSING:
            for test in r.tests:
                # A grade_id is unique within its notebook; another notebook's is named with it.
                label = test.grade_id if test.notebook in ("", r.assignment) else f"{test.notebook}/{test.grade_id}"
                tests.setdefault((r.assignment, label), []).append(test)
    for (assignment, grade_id), runs in tests.items():
        first = runs[0]
        total = sum(t.total for t in runs)
        full = sum(math.isclose(t.score, t.points, abs_tol=1e-9) for t in runs)
        yield (assignment, grade_id, first.name, number(first.points), len(runs),
               number(sum(t.score for t in runs) / len(runs), 3), f"{full / len(runs):.3f}",
               f"{sum(t.passed for t in runs) / total:.3f}" if total else "")


def _plot(results) -> Figure:
    assignments = sorted({r.assignment for r in results})
    figure = Figure(figsize=(6.4, 1 + 2.4 * max(len(assignments), 1)), layout="constrained")
    # An Agg canvas of the figure's own, so no global backend (pyplot's) is chosen or changed.
    FigureCanvasAgg(figure)
    if not assignments:
        figure.text(0.5, 0.5, "no submissions", ha="center", va="center", fontsize=16)
        return figure
    for ax, assignment in zip(figure.subplots(len(assignments), 1, squeeze=False)[:, 0],
                              assignments):
        mine = [r for r in results if r.assignment == assignment]
        count = {status: sum(r.status == status for r in mine) for status in (GRADED, FLAGGED, MISSING)}
        shares = [[p for r in mine if r.status == status and (p := percent(r)) is not None]
                  for status in (GRADED, FLAGGED)]
        ax.hist(shares, bins=_BINS, stacked=True, label=["graded", "flagged"],
                color=["tab:blue", "tab:orange"], edgecolor="white")
        ax.set_title(f"{assignment}: {count[GRADED]} graded, {count[FLAGGED]} flagged, "
                     f"{count[MISSING]} missing")
        ax.set_xlabel("score (% of the automatic points)")
        ax.set_ylabel("students")
        ax.set_xlim(0, 100)
        # An empty panel's default limits run below 0, which no count can be.
        ax.set_ylim(0, max(ax.get_ylim()[1], 1))
        if not any(shares):
            ax.text(50, 0.5, "no scores", ha="center", va="center", color="gray")
        ax.set_xticks(_BINS)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if count[FLAGGED]:
            ax.legend(loc="upper left")
    return figure


def _truncate(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[:chars - 3] + "..."


@contextlib.contextmanager
def _atomic(path: pathlib.Path, mode: str, **options):
    # The temporary file is in the target's directory so that os.replace is a rename on one
    # file system, which is atomic; on failure it is removed and the old report stays.
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with open(descriptor, mode, **options) as file:
            yield file
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide the report from the instructors' group
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
