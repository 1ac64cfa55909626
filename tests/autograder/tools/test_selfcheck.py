"""The self-check, ``python -m autograder check NOTEBOOK``, on small notebooks built here."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from autograder.tools import selfcheck
from nbgrader_course import graded_cell
from student_code import CORR2D_LOOP, CORR2D_LOOP_ROTATED, OUTPUT_SIZE

SETUP = "import numpy as np\nfrom autograder import check"

STUB = '''
def corr2d(X, K):
    # YOUR CODE HERE
    raise NotImplementedError()
'''
ENVIRONMENT = '''
import os
print("cwd:", os.getcwd())
print("NBGRADER_EXECUTION:", os.environ.get("NBGRADER_EXECUTION"))
'''


def grading_cell(name: str, points: int) -> nbformat.NotebookNode:
    source = textwrap.dedent(f"""\
        from autograder import check  # the real one, whatever the notebook rebound
        hidden = False
        ### BEGIN HIDDEN TESTS
        hidden = True
        ### END HIDDEN TESTS
        check("{name}", {name}, points={points}, hidden=hidden)""")
    return graded_cell(source, f"test_{name}", points)


def notebook(path, corr2d_source: str, extra=()) -> str:
    """Write a two-function notebook (corr2d: 4 points, output_size: 2 points) and return its text."""
    answer = graded_cell("Why does the edge detector respond only to vertical edges?", "answer_edges", 1,
                         solution=True)
    cells = [new_code_cell(SETUP), new_code_cell(corr2d_source), grading_cell("corr2d", 4),
             new_code_cell(OUTPUT_SIZE), grading_cell("output_size", 2), answer, *extra]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path.read_text()


def test_a_correct_notebook_scores_every_point_with_the_hidden_cases(tmp_path):
    path = tmp_path / "folder" / "ch1.ipynb"
    path.parent.mkdir()
    extra = graded_cell(ENVIRONMENT, "environment", 1)
    before = notebook(path, CORR2D_LOOP, [extra])
    env = {**os.environ, "NBGRADER_EXECUTION": "autograde"}
    env.pop("AUTOGRADER_ALL_CASES", None)
    done = subprocess.run([sys.executable, "-m", "autograder", "check", str(path)], capture_output=True,
                          text=True, timeout=300, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # The kernel's own start-up messages ("Kernel is running over TCP without encryption") are not shown.
    assert done.stderr == ""
    out = done.stdout
    assert "== test_corr2d: 4 of 4 points" in out and "[hidden] 1x1 input" in out
    assert "corr2d: 13/13 cases passed, 4 of 4 points" in out
    assert "== test_output_size: 2 of 2 points" in out
    assert "== answer_edges: manually graded, 1 points (not scored here)" in out
    assert f"cwd: {path.parent}" in out and "NBGRADER_EXECUTION: None" in out
    assert out.rstrip().endswith("Total: 7 of 7 points")
    assert path.read_text() == before  # the notebook file is never written


def test_what_a_cell_writes_to_stderr_still_reaches_its_outputs(tmp_path):
    path = tmp_path / "stderr.ipynb"
    noisy = graded_cell('import sys, warnings\nprint("to sys.stderr", file=sys.stderr)\nwarnings.warn("careful")',
                        "noisy", 1)
    notebook(path, CORR2D_LOOP, [noisy])
    report = selfcheck.run(path)
    cell = {cell.cell_id: cell for cell in report.cells}["noisy"]
    assert cell.score == 0.0 and "to sys.stderr" in cell.text and "UserWarning: careful" in cell.text  # stderr is 0


def test_a_partly_wrong_notebook_gets_partial_credit(tmp_path):
    path = tmp_path / "partial.ipynb"
    notebook(path, CORR2D_LOOP_ROTATED)
    report = selfcheck.run(path)
    scores = {cell.cell_id: cell.score for cell in report.cells}
    assert scores == {"test_corr2d": 0.62, "test_output_size": 2.0, "answer_edges": None}
    assert "that is convolve2d, not corr2d" in report.cells[0].text
    assert report.score == 2.62 and report.points == 6
    assert "Total: 2.62 of 6 points" in selfcheck.format_report(report)


def test_a_stub_scores_zero_and_an_error_before_a_test_costs_its_points(tmp_path):
    path = tmp_path / "stub.ipynb"
    notebook(path, STUB)
    nb = nbformat.read(path, as_version=4)
    nb.cells[3].source = "def output_size(n, k):\n    return n +"  # a syntax error: output_size undefined
    nbformat.write(nb, path)
    report = selfcheck.run(path)
    corr2d, output_size = report.cells[0], report.cells[1]
    assert corr2d.score == 0.0 and "corr2d: not implemented yet" in corr2d.text
    assert output_size.score == 0.0 and "NameError" in output_size.text
    assert report.score == 0 and report.points == 6


def test_rebinding_check_in_a_solution_cell_earns_nothing(tmp_path):
    # The test cells import check themselves, so a student's `check = ...` never grades.
    path = tmp_path / "cheat.ipynb"
    notebook(path, STUB + "\ncheck = lambda *args, **kwargs: 4.0\n")
    report = selfcheck.run(path)
    assert report.cells[0].score == 0.0 and "corr2d: not implemented yet" in report.cells[0].text
    assert report.score == 2.0  # output_size is honest


@pytest.mark.parametrize("content, message", [
    (None, "no such notebook"),
    ("{not json", "is not a valid notebook"),
    ('{"cells": "nope"}', "is not a valid notebook"),
])
def test_a_bad_path_or_an_invalid_notebook_exits_with_2(tmp_path, content, message):
    path = tmp_path / "broken.ipynb"
    if content is not None:
        path.write_text(content)
    done = subprocess.run([sys.executable, "-m", "autograder", "check", str(path)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and message in done.stderr
