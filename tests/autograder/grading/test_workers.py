"""Grading in parallel: the same grades as one worker, on SQLite and PostgreSQL; nothing lost when a worker or the batch dies."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from nbgrader.api import Gradebook

import corpus
from nbgrader_course import nbgrader_env
from processes import processes_mentioning
from autograder.__main__ import main as autograder_main
from autograder.grading import pipeline, records, sandbox, workers
from autograder.grading.course import gradebook_url

OPTIONS = pipeline.Options(cell_timeout=corpus.CELL_TIMEOUT)
MIXED = ["honest_full", "honest_partial", "blank", "cheat_allclose", "cheat_exit", "warnings", "invalid_json"]


def _grades(url: str) -> dict:
    """Return every grade cell's automatic score, by (student, notebook, cell), from the gradebook at ``url``."""
    with Gradebook(url, corpus.COURSE_ID) as gb:
        return {(s.student.id, n.name, g.name): g.auto_score
                for s in gb.assignment_submissions(corpus.ASSIGNMENT) for n in s.notebooks for g in n.grades}


def _same(result):
    return (result.student, result.status, result.score, result.max_score, result.reason,
            [(t.grade_id, t.score, t.passed, t.total) for t in result.tests])


# --- the worker pool, on its own ------------------------------------------------------------------

def _task(n):
    if n == 3:
        os._exit(9)  # the machine's OOM killer, say: this worker dies with its task
    return n * n


def test_a_worker_that_dies_loses_only_its_task():
    ended = []
    results = workers.run(list(range(8)), _task, 2, finished=lambda worker, result: ended.append(result))
    assert results == [0, 1, 4, None, 16, 25, 36, 49]
    assert sorted(ended, key=lambda r: -1 if r is None else r) == [None, 0, 1, 4, 16, 25, 36, 49]


def test_one_worker_runs_in_this_process():
    assert workers.run([1, 2], lambda n: (n, os.getpid()), 1) == [(1, os.getpid()), (2, os.getpid())]


def test_sqlite_gradebooks_wait_for_their_lock():
    assert gradebook_url("sqlite:////srv/course/gradebook.db") == "sqlite:////srv/course/gradebook.db?timeout=60"
    assert gradebook_url("postgresql://u@h/db") == "postgresql://u@h/db"


# --- the grader -----------------------------------------------------------------------------------

needs_sandbox = pytest.mark.skipif(not sandbox.available(), reason="bubblewrap cannot run here")


@needs_sandbox
@pytest.mark.slow
@pytest.mark.parametrize("backend, students", [("sqlite", MIXED), ("postgresql", MIXED[:5])])
def test_parallel_workers_grade_as_one_worker_does(tmp_path, request, backend, students):
    built = corpus.build(tmp_path / "course", students)
    graded = {}
    for count in (1, 3):
        # Each count grades its own copy of the ungraded course into its own gradebook.
        course = shutil.copytree(built, tmp_path / f"workers_{count}")
        if backend == "sqlite":
            url = corpus.gradebook_url(course)
        else:  # looked up here, so that the SQLite case does not need the server
            url = request.getfixturevalue("postgres_server").create_database(f"corpus_workers_{count}")
            corpus.generate(course, url)
        results = pipeline.grade(course, [corpus.ASSIGNMENT], db_url=url, options=OPTIONS, progress=False,
                                 workers_count=count)
        graded[count] = (sorted(map(_same, results)), _grades(url))
    assert graded[3] == graded[1]
    assert len(graded[1][0]) == len(students)


@needs_sandbox
@pytest.mark.slow
def test_killing_the_batch_kills_its_workers_and_a_rerun_completes_the_gradebook(tmp_path):
    course = corpus.build(tmp_path / "course", MIXED)
    command = [sys.executable, "-m", "autograder", "grade", corpus.ASSIGNMENT, "--course", str(course),
               "--cell-timeout", str(corpus.CELL_TIMEOUT), "--quiet", "--workers", "2"]
    scratch = tmp_path / "tmp"  # a killed batch leaves its scratch folders: here, not in /tmp
    scratch.mkdir()
    process = subprocess.Popen(command, env={**nbgrader_env(), "TMPDIR": str(scratch)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    records_dir = course / "reports" / "records" / corpus.ASSIGNMENT
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(records_dir.glob("*.json"))) < 2:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)  # the batch only: its workers must go with it
    process.wait()
    assert processes_mentioning(str(course), settle_seconds=10) == []
    finished = len(list(records_dir.glob("*.json")))
    assert 2 <= finished < len(MIXED)
    assert autograder_main(command[3:]) == 0
    scores = _grades(corpus.gradebook_url(course))
    for student in MIXED:
        result, fixture = records.read(course, corpus.ASSIGNMENT, student), corpus.BY_NAME[student]
        assert (result.score, result.status) == (fixture.score, fixture.status), student
        assert sum(score or 0 for (who, _, _), score in scores.items() if who == student) == fixture.score
