"""The demo course (`make demo`): nbgrader's exchange carries every simulated submission to the instructor.

Only the building and exchange part runs here (ch1 only, a few seconds); the grading it hands
over to is the batch grader's, tested on its own.
"""

from __future__ import annotations

import nbformat
import pytest

from autograder.tools import demo, simulate

ASSIGNMENT = "ch1_cross_correlation"


@pytest.mark.slow
def test_every_student_who_submits_is_collected_and_the_correct_one_has_the_solution(tmp_path):
    course = demo.build(tmp_path / "demo", [ASSIGNMENT])

    assert course == (tmp_path / "demo" / "course").resolve()
    submitted = {path.name for path in (course / "submitted").iterdir()}
    submitters = {name for name, behaviour, _ in demo.CLASS if behaviour != demo.NOT_SUBMITTED}
    assert submitted == submitters  # the one who only fetched is not there
    for name in submitters:
        folder = course / "submitted" / name / ASSIGNMENT
        assert (folder / f"{ASSIGNMENT}.ipynb").is_file(), name
        assert (folder / "timestamp.txt").read_text().strip(), name

    correct = next(name for name, behaviour, _ in demo.CLASS if behaviour == "correct")
    notebook = nbformat.read(course / "submitted" / correct / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    source = nbformat.read(demo.SOURCE / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    corr2d = simulate.solution_code(source)["corr2d"]
    assert any(cell.source == corr2d for cell in notebook.cells)
