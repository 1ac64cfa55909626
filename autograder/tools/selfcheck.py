"""The self-check: run a notebook as the grader would, with every case, and print its grade.

``python -m autograder check exercises/ch1_cross_correlation/ch1_cross_correlation.ipynb``
executes a copy of the notebook in memory (a ``python3`` kernel, started in the notebook's
folder, with ``AUTOGRADER_ALL_CASES=1`` so that each ``check`` runs the hidden cases too; the
student edition has no hidden cases, so there it runs the visible ones and says so) and
prints, for every graded test cell, the feedback it printed and its score, then the total.
Scores are read from the cell outputs by nbgrader's own rule (``nbgrader.utils.determine_grade``):
an error or anything on stderr is 0, a float result is partial credit, no result is full
credit. The notebook file is never written. The kernel's own stderr (Jupyter's start-up
warnings, such as the one about TCP without encryption) goes nowhere: what the cells write to
stderr reaches their outputs through the kernel's messages, not through that stream.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

from .. import casebook

#: Seconds one cell may run before the self-check gives up on it.
DEFAULT_CELL_TIMEOUT = 120


class NotebookError(Exception):
    """The path is not a notebook that can be read (missing, not JSON, not nbformat)."""


@dataclasses.dataclass
class CellGrade:
    """The grade of one graded cell."""

    cell_id: str
    points: float
    score: float | None  # None for a manually graded cell
    text: str  # what the cell printed (the check's feedback), or its error


@dataclasses.dataclass
class NotebookGrade:
    path: Path
    cells: list[CellGrade]
    problem: str = ""  # set when the run stopped early (the kernel died, a cell timed out)

    @property
    def score(self) -> float:
        return round(sum(c.score for c in self.cells if c.score is not None), 2)

    @property
    def points(self) -> float:
        return sum(c.points for c in self.cells if c.score is not None)


def read(path) -> object:
    """Return the notebook at ``path``, or raise :class:`NotebookError` saying what is wrong."""
    import nbformat

    path = Path(path)
    if not path.is_file():
        raise NotebookError(f"no such notebook: {path}")
    try:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # noqa: BLE001 - JSON, schema and encoding errors alike
        raise NotebookError(f"{path} is not a valid notebook: {type(error).__name__}: {error}") from None
    return notebook


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["AUTOGRADER_ALL_CASES"] = "1"
    env.pop("NBGRADER_EXECUTION", None)  # the self-check runs like a student's notebook, not nbgrader
    return env


def _text(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        elif output.get("output_type") == "error":
            parts.append(f"{output.get('ename')}: {output.get('evalue')}\n")
    return "".join(parts).rstrip("\n")


def run(path, timeout: int = DEFAULT_CELL_TIMEOUT, kernel_name: str = "python3") -> NotebookGrade:
    """Execute the notebook at ``path`` in memory and return the grades of its graded cells."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from nbgrader.utils import determine_grade, is_grade, is_solution

    path = Path(path).resolve()
    notebook = read(path)
    client = NotebookClient(notebook, timeout=timeout, kernel_name=kernel_name, allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    problem = ""
    try:
        client.execute(env=_environment(), cwd=str(path.parent), stderr=subprocess.DEVNULL)
    except CellTimeoutError:
        problem = f"a cell ran longer than {timeout} s; the cells after it did not run"
    except DeadKernelError:
        problem = "the kernel died (the notebook's code ended the Python process); the cells after it did not run"
    cells = []
    for index, cell in enumerate(notebook.cells):
        if not is_grade(cell):
            continue
        meta = cell.metadata["nbgrader"]
        cell_id = meta.get("grade_id", f"cell {index}")
        if is_solution(cell):  # a manually graded answer
            cells.append(CellGrade(cell_id, float(meta.get("points", 0)), None, ""))
            continue
        score, points = determine_grade(cell)
        cells.append(CellGrade(cell_id, float(points), float(score), _text(cell)))
    return NotebookGrade(path, cells, problem)


def format_report(report: NotebookGrade) -> str:
    """Return the printed form of a :class:`NotebookGrade`."""
    edition = casebook.is_edition()
    which = ("visible cases only: this is the student edition, and the hidden cases run when the notebook "
             "is graded" if edition else "every case, hidden ones included")
    on_visible = " on the visible cases" if edition else ""
    lines = [f"Self-check of {report.path} ({which})", ""]
    for cell in report.cells:
        if cell.score is None:
            lines.append(f"== {cell.cell_id}: manually graded, {cell.points:g} points (not scored here)")
            lines.append("")
            continue
        lines.append(f"== {cell.cell_id}: {cell.score:g} of {cell.points:g} points{on_visible}")
        if cell.text:
            lines.append(cell.text)
        lines.append("")
    if not report.cells:
        lines.append("(no graded test cells: nbgrader metadata 'grade: true' with points)")
    if report.problem:
        lines.append(f"Stopped early: {report.problem}.")
    lines.append(f"Total: {report.score:g} of {report.points:g} points{on_visible}")
    return "\n".join(lines)


def add_parser(commands) -> None:
    """Add the ``check`` subcommand to the ``argparse`` subparsers ``commands``."""
    check = commands.add_parser("check", help="run a notebook with every case (hidden ones too, where installed) "
                                              "and print its grade")
    check.add_argument("notebook", help="path to the .ipynb file")
    check.add_argument("--timeout", type=int, default=DEFAULT_CELL_TIMEOUT,
                       help=f"seconds one cell may run (default {DEFAULT_CELL_TIMEOUT})")
    check.set_defaults(run=command)


def command(args) -> int:
    """Run ``python -m autograder check``: 0 when the notebook ran (whatever its grade), 2 for a bad notebook."""
    try:
        report = run(args.notebook, timeout=args.timeout)
    except NotebookError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(format_report(report))
    return 0
