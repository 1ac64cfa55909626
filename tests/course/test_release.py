"""The student notebooks in exercises/ are nbgrader's release of course/source, and give nothing away.

``make release`` regenerates exercises/ with ``nbgrader generate_assignment``. Here the same
command runs on a copy of course/ in a temporary folder, so the repository is never touched, and
its output must match exercises/ cell by cell (sources and nbgrader metadata; outputs and cell
ids do not matter). Independently of that, every student notebook must hold no solution, no
hidden test, no mark scheme and no output.
"""

from __future__ import annotations

import shutil

import pytest
from nbgrader_course import (
    COURSE,
    EXERCISES,
    assignments,
    nbgrader_meta,
    read,
    run_nbgrader,
    source_path,
    student_path,
)

ASSIGNMENTS = assignments()

# The delimiters of what a student must not see (nbgrader's defaults), and the line of the
# test cells that switches the hidden cases on.
SECRET_MARKERS = (
    "BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
    "BEGIN MARK SCHEME", "END MARK SCHEME", "hidden = True",
)
CODE_STUB = "raise NotImplementedError()"
TEXT_STUB = "YOUR ANSWER HERE"
# Lines this short (`return Y`, `)`) may well appear outside a solution too.
MIN_SECRET_LINE = 16


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    """Return the exercises/ folder that `make release` would write, generated from a copy of course/."""
    root = tmp_path_factory.mktemp("release")
    shutil.copytree(COURSE, root / "course", ignore=shutil.ignore_patterns(
        "gradebook.db*", "release", "submitted", "autograded", "feedback", "solution",
        "source_with_tests", ".ipynb_checkpoints", "__pycache__",
    ))
    # --no-db: the notebooks come out the same, without creating a gradebook on the way.
    result = run_nbgrader("generate_assignment", "*", "--force", "--no-db", cwd=root / "course")
    assert result.returncode == 0, f"nbgrader generate_assignment failed:\n{result.stdout}\n{result.stderr}"
    # course/nbgrader_config.py sends the release to ../exercises, next to the copied course/.
    return root / "exercises"


def fingerprint(nb) -> dict:
    """Return what makes up a student notebook: its kernel and, per cell, type, source and nbgrader metadata."""
    return {
        "kernelspec": dict(nb.metadata.get("kernelspec", {})),
        "cells": [
            {
                "cell_type": cell.cell_type,
                "source": cell.source,
                "nbgrader": nbgrader_meta(cell),
                "editable": cell.metadata.get("editable", True),
                "deletable": cell.metadata.get("deletable", True),
            }
            for cell in nb.cells
        ],
    }


def difference(expected: dict, actual: dict) -> str | None:
    """Return where two fingerprints first differ, in words, or None if they are equal."""
    if expected == actual:
        return None
    if expected["kernelspec"] != actual["kernelspec"]:
        return f"kernelspec {actual['kernelspec']} instead of {expected['kernelspec']}"
    for index, (want, got) in enumerate(zip(expected["cells"], actual["cells"])):
        if want != got:
            name = want["nbgrader"].get("grade_id") or (want["source"].splitlines() or [""])[0][:50]
            fields = [key for key in want if want[key] != got.get(key)]
            return f"cell {index} ({name!r}) differs in {', '.join(fields)}"
    return f"{len(actual['cells'])} cells instead of {len(expected['cells'])}"


def test_course_has_notebooks():
    assert ASSIGNMENTS, "course/source holds no <id>/<id>.ipynb notebook"


@pytest.mark.slow
def test_release_writes_one_folder_per_assignment(regenerated):
    generated = sorted(p.relative_to(regenerated).as_posix() for p in regenerated.rglob("*") if p.is_file())
    assert generated == [f"{a}/{a}.ipynb" for a in ASSIGNMENTS]


def test_exercises_hold_exactly_the_released_assignments():
    present = sorted(p.relative_to(EXERCISES).as_posix() for p in EXERCISES.rglob("*")
                     if p.is_file() and ".ipynb_checkpoints" not in p.parts)
    assert present == [f"{a}/{a}.ipynb" for a in ASSIGNMENTS], (
        "exercises/ must hold exactly the student notebooks of course/source: run `make release`"
    )


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_exercises_are_up_to_date(regenerated, assignment):
    expected = fingerprint(read(student_path(assignment, regenerated)))
    path = student_path(assignment)
    assert path.exists(), f"{path.relative_to(EXERCISES.parent)} is missing: run `make release`"
    stale = difference(expected, fingerprint(read(path)))
    assert stale is None, f"exercises/{assignment} is out of date with course/source ({stale}): run `make release`"


def secret_lines(source_nb) -> set[str]:
    """Return the lines only the instructor may see: inside solution regions and model answers.

    Lines that also occur elsewhere in the instructor notebook (the prose may quote a line of
    code) are not secrets, and neither are lines too short to tell anything.
    """
    secret, public = set(), set()
    for cell in source_nb.cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type == "markdown" and meta.get("solution"):
            secret.update(line.strip() for line in cell.source.splitlines())
            continue
        inside = False
        for line in cell.source.splitlines():
            if "BEGIN SOLUTION" in line or "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END SOLUTION" in line or "END HIDDEN TESTS" in line:
                inside = False
            else:
                (secret if inside else public).add(line.strip())
    return {line for line in secret - public if len(line) >= MIN_SECRET_LINE}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_exercises_give_nothing_away(assignment):
    source, student = read(source_path(assignment)), read(student_path(assignment))
    secrets = secret_lines(source)
    assert secrets, "found no solution in the instructor notebook: is this the right file?"
    for index, cell in enumerate(student.cells):
        for marker in SECRET_MARKERS:
            assert marker not in cell.source, f"cell {index} of the student notebook contains {marker!r}"
        leaked = [line.strip() for line in cell.source.splitlines() if line.strip() in secrets]
        assert not leaked, f"cell {index} of the student notebook shows solution lines: {leaked}"
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"cell {index} holds outputs"
        meta = nbgrader_meta(cell)
        if meta.get("solution") and cell.cell_type == "code":
            assert CODE_STUB in cell.source, f"solution cell {meta['grade_id']!r} has no `{CODE_STUB}` stub"
        if meta.get("solution") and cell.cell_type == "markdown":
            assert cell.source.strip() == TEXT_STUB, f"answer cell {meta['grade_id']!r} is not the bare stub"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_instructor_notebooks_are_stored_without_outputs(assignment):
    for index, cell in enumerate(read(source_path(assignment)).cells):
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"course/source/{assignment}: cell {index} holds outputs; clear them before committing"
            )
