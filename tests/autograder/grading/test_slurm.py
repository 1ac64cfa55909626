"""Grading as a SLURM job array on a real single-node cluster, into the private PostgreSQL gradebook.

The corpus graded through ``python -m autograder slurm`` with 3 tasks gives exactly the grades of
the serial grader; a task cancelled mid-way (``scancel``) leaves unfinished students, which the
report names and a rerun grades. The command's refusals and dry run are tested without a cluster.
"""

from __future__ import annotations

import io
import subprocess
import sys
import time

import pytest

import corpus
from nbgrader_course import nbgrader_env
from autograder.__main__ import main as autograder_main
from autograder.grading import pipeline, records, sandbox, slurm

STUDENTS = ["honest_full", "honest_partial", "honest_buggy", "blank", "cheat_allclose", "cheat_torch",
            "cheat_exit", "warnings", "invalid_json"]


def _slurm(course, url, cluster, *extra):
    command = [sys.executable, "-m", "autograder", "slurm", corpus.ASSIGNMENT, "--course", str(course), "--db", url,
               "--cell-timeout", str(corpus.CELL_TIMEOUT), *extra]
    # A cancelled task leaves its scratch folders behind: in the test's folder, not in /tmp.
    scratch = course.parent / "tmp"
    scratch.mkdir(exist_ok=True)
    return subprocess.run(command, capture_output=True, text=True, env={**nbgrader_env(), **{
        "SLURM_CONF": cluster.env()["SLURM_CONF"], "TMPDIR": str(scratch)}}, timeout=900)


def test_sqlite_is_refused_with_a_reason(tmp_path, capsys):
    # Refused before the course is looked at: an empty folder will do.
    assert autograder_main(["slurm", corpus.ASSIGNMENT, "--course", str(tmp_path), "--db",
                            corpus.gradebook_url(tmp_path), "--tasks", "2"]) == 2
    assert "SQLite cannot take" in capsys.readouterr().err


def test_the_dry_run_prints_the_scripts_and_the_sbatch_lines(tmp_path):
    job = slurm.Job((corpus.ASSIGNMENT,), tmp_path, "postgresql://grader@db/course", 4, 2, "short", "0:30:00", 2048)
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    out = io.StringIO()
    assert slurm.submit(job, wait=True, dry_run=True, out=out) == 0
    text = out.getvalue()
    assert '--shard "$SLURM_ARRAY_TASK_ID/4"' in text and "--without-sandbox flag" in text
    assert "#SBATCH --partition=short" in text and "#SBATCH --time=0:30:00" in text and "#SBATCH --mem=2048" in text
    assert "sbatch --parsable --array=0-3%2 " in text
    assert "sbatch --parsable --dependency=afterany:$ARRAY_JOB_ID --wait " in text
    assert not (tmp_path / "reports").exists()  # nothing written, nothing submitted


def test_shares_split_every_class_the_same_way_on_every_machine():
    students = [f"s{i:03d}" for i in range(300)]
    shares = [pipeline.share(s, 3) for s in students]
    assert shares == [pipeline.share(s, 3) for s in students] and {0, 1, 2} == set(shares)
    assert max(shares.count(i) for i in range(3)) < 130  # none holds much more than a third


needs_sandbox = pytest.mark.skipif(not sandbox.available(), reason="bubblewrap cannot run here")


@needs_sandbox
@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_three_tasks_give_the_serial_graders_grades(tmp_path, slurm_cluster, postgres_server):
    course = corpus.build(tmp_path / "course", STUDENTS)
    serial_url, array_url = (postgres_server.create_database(name) for name in ("slurm_serial", "slurm_array"))
    corpus.generate(course, serial_url)
    serial = {r.student: (r.score, r.status) for r in
              pipeline.grade(course, [corpus.ASSIGNMENT], db_url=serial_url, progress=False, workers_count=1,
                             cell_timeout=corpus.CELL_TIMEOUT)}
    serial_gradebook = corpus.gradebook(serial_url)
    for path in (course / "reports", course / "autograded", course / "feedback"):
        subprocess.run(["rm", "-rf", str(path)], check=True)
    corpus.generate(course, array_url)
    start = time.monotonic()
    done = _slurm(course, array_url, slurm_cluster, "--tasks", "3", "--wait")
    assert done.returncode == 0, done.stdout + done.stderr
    print(f"slurm, 3 tasks: {len(STUDENTS)} students in {time.monotonic() - start:.1f} s")
    graded = {s: (r.score, r.status) for s in STUDENTS if (r := records.read(course, corpus.ASSIGNMENT, s))}
    assert graded == serial
    assert corpus.gradebook(array_url) == serial_gradebook
    assert len((course / "reports" / "grades.csv").read_text().splitlines()) == len(STUDENTS) + 1


@needs_sandbox
@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_a_cancelled_task_leaves_students_a_rerun_grades(tmp_path, slurm_cluster, postgres_server):
    course = corpus.build(tmp_path / "course", STUDENTS)
    url = postgres_server.create_database("slurm_cancel")
    corpus.generate(course, url)
    # One task at a time, so that the others are still waiting when the first is cancelled.
    done = _slurm(course, url, slurm_cluster, "--tasks", "3", "--max-parallel", "1", "--cpus-per-task", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    deadline = time.monotonic() + 300
    records_dir = course / "reports" / "records" / corpus.ASSIGNMENT
    while time.monotonic() < deadline and not list(records_dir.glob("*.json")):
        time.sleep(0.2)
    running = subprocess.run(["squeue", "-h", "-t", "RUNNING", "-o", "%i"], capture_output=True, text=True,
                             env=slurm_cluster.env()).stdout.split()
    assert running, "no task was running"
    subprocess.run(["scancel", running[0]], check=True, env=slurm_cluster.env())
    slurm_cluster.wait_empty()
    course_obj = pipeline.open_course(course, url)
    _, unfinished = pipeline.collect(course_obj, [corpus.ASSIGNMENT])
    assert unfinished, "the cancelled task left every student graded"
    again = _slurm(course, url, slurm_cluster, "--tasks", "3", "--wait")
    assert again.returncode == 0, again.stdout + again.stderr
    for student in STUDENTS:
        record, fixture = records.read(course, corpus.ASSIGNMENT, student), corpus.BY_NAME[student]
        assert (record.score, record.status) == (fixture.score, fixture.status), student
    assert pipeline.collect(course_obj, [corpus.ASSIGNMENT])[1] == []


def test_a_node_without_a_sandbox_flags_its_students_for_a_rerun(tmp_path, monkeypatch):
    course = corpus.build(tmp_path / "course", ["honest_full", "blank"])
    monkeypatch.setattr(sandbox, "available", lambda: False)
    monkeypatch.setattr(sandbox, "why_unavailable", lambda: "bubblewrap (bwrap) is not installed")
    results = pipeline.grade(course, [corpus.ASSIGNMENT], shard=(0, 1), flag_without_sandbox=True, progress=False)
    assert sorted(r.student for r in results) == ["blank", "honest_full"]
    assert all(r.status == "flagged" and "no sandbox on node" in r.reason for r in results)
    # Not finished: the report names them, and a run where bubblewrap works grades them.
    assert sorted(pipeline.collect(pipeline.open_course(course), [corpus.ASSIGNMENT])[1]) == [
        (corpus.ASSIGNMENT, "blank"), (corpus.ASSIGNMENT, "honest_full")]
