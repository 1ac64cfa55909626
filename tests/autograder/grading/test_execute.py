"""The sandboxed Execute step on its own: a notebook it cannot run, and what a run may leave behind."""

from __future__ import annotations

import os

import nbformat
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader_course import graded_cell

from autograder.grading import execute
from autograder.grading.flags import FlagKind


def test_a_notebook_whose_kernel_is_not_python_is_not_run_and_scores_zero(tmp_path):
    nb = new_notebook(cells=[new_code_cell("x <- 1"), graded_cell("stopifnot(x == 1)", "t1", 2.0)],
                      metadata={"kernelspec": {"name": "ir", "language": "R", "display_name": "R"}})
    step = execute.SandboxedExecute()
    resources = {"nbgrader": {"notebook": "p1"}, "metadata": {"path": str(tmp_path)}}
    nb, _ = step.preprocess(nb, resources)
    run = step.reports["p1"]
    assert [f.kind for f in run.flags] == [FlagKind.SUBMISSION] and "'R', not Python" in run.flags[0].text
    assert [(t.grade_id, t.score, t.points) for t in run.tests] == [("t1", 0.0, 2.0)]
    assert run.tests[0].notebook == "p1"  # each result says its notebook: an assignment may have several
    assert nb.cells[1].outputs[0].output_type == "error" and nb.cells[0].outputs == []


def test_links_and_floods_of_files_the_notebook_made_are_removed(tmp_path):
    (tmp_path / "data.csv").write_text("kept")
    before = execute._listing(str(tmp_path))
    os.symlink("/etc/passwd", tmp_path / "passwd")
    (tmp_path / "result.txt").write_text("a file the notebook wrote")
    flags = execute._tidy(str(tmp_path), before)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv", "result.txt"]
    assert len(flags) == 1 and "passwd" in flags[0].text
    before = execute._listing(str(tmp_path))
    for i in range(execute.MAX_WRITTEN_FILES + 1):
        (tmp_path / f"out{i}.txt").write_text("x")
    flags = execute._tidy(str(tmp_path), before)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv", "result.txt"]
    assert "were not kept" in flags[0].text


def test_the_run_log_is_read_as_data(tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_text('{"event": "ready", "seconds": 0.2}\n{"event": "start", "cell": 0}\nnot json\n'
                   '{"event": "done", "cell": 0, "count": 1}\n{"event": "start", "cell": "3"}\n'
                   '["a list"]\n{"event": "start", "cell": 2}\n')
    read = execute.RunLog.read(str(log))
    assert list(read.done) == [0] and read.started == [0, 2]
    assert read.died_in() == 2 and not read.ended
    assert execute.RunLog.read(str(tmp_path / "missing.jsonl")).done == {}


def test_nbformat_reads_the_notebook_written_with_the_outputs(tmp_path):
    # The autograded notebook must stay a valid nbformat notebook after the outputs are filled in.
    nb = new_notebook(cells=[graded_cell("assert True", "t1", 1.0)], metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}})
    execute.SandboxedExecute()._refuse(nb, "p1", execute.flags.unknown_kernel("x"))
    nbformat.validate(nb)
