"""What the notebook tests share: where the course lives, its syllabus, and running nbgrader.

The instructor notebooks are ``course/source/<id>/<id>.ipynb``; ``make release`` generates the
student versions ``exercises/<id>/<id>.ipynb`` from them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat

from autograder import casebook

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "course"
SOURCE = COURSE / "source"
EXERCISES = ROOT / "exercises"

#: The assignment ids the SPEC fixes, in its order (a chapter may not exist yet; none may be renamed).
SPEC_ASSIGNMENTS = ("ch1_cross_correlation", "ch2_padding_stride", "ch3_channels", "ch4_one_by_one", "ch5_pooling",
                    "ch6_conv_variants", "ch7_backward")

#: The syllabus (autograder/cases/chN.py declares each chapter): each assignment id and the graded
#: functions of its notebook, in order.
SYLLABUS = {chapter.assignment: list(chapter.names) for chapter in casebook.chapters()}

#: The widget calls each chapter's notebook makes.
WIDGET_CALLS = {chapter.assignment: [widget.call for widget in chapter.widgets] for chapter in casebook.chapters()}


def assignments() -> list[str]:
    """Return the ids of the assignments that have an instructor notebook, sorted."""
    return sorted(p.parent.name for p in SOURCE.glob("*/*.ipynb") if p.stem == p.parent.name)


def source_path(assignment: str) -> Path:
    return SOURCE / assignment / f"{assignment}.ipynb"


def student_path(assignment: str, exercises: Path = EXERCISES) -> Path:
    return exercises / assignment / f"{assignment}.ipynb"


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def nbgrader_meta(cell) -> dict:
    """Return the cell's nbgrader metadata ({} for an ordinary cell)."""
    return dict(cell.metadata.get("nbgrader", {}))


def graded_cell(source: str, grade_id: str, points: float, solution: bool = False) -> nbformat.NotebookNode:
    """Return a cell nbgrader grades, with the metadata nbgrader gives it: a locked test cell (code), or
    with ``solution`` an answer the student writes and the instructor grades by hand (markdown)."""
    new_cell = nbformat.v4.new_markdown_cell if solution else nbformat.v4.new_code_cell
    return new_cell(source, metadata={"nbgrader": {
        "grade": True, "solution": solution, "locked": not solution, "task": False, "grade_id": grade_id,
        "points": points, "schema_version": 3}})


def nbgrader_command(*args: str) -> list[str]:
    """Return the command line of ``nbgrader ARGS`` in the environment running the tests."""
    return [sys.executable, "-m", "nbgrader", *args]


def nbgrader_env() -> dict[str, str]:
    """Return the environment for nbgrader: it starts ``alembic`` by name, so this env's bin/ comes first."""
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    return env


def run_nbgrader(*args: str, cwd: Path, timeout: float = 300, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in ``cwd`` and return the finished process (output captured as text).

    ``env_extra`` changes the environment (``{"PATH": ...}`` replaces the PATH after this env's bin/).
    """
    env = nbgrader_env()
    if env_extra and "PATH" in env_extra:
        env_extra = {**env_extra, "PATH": os.path.dirname(sys.executable) + os.pathsep + env_extra["PATH"]}
    env.update(env_extra or {})
    return subprocess.run(
        nbgrader_command(*args), cwd=cwd, env=env, capture_output=True, text=True,
        timeout=timeout, stdin=subprocess.DEVNULL,
    )
