"""The batch grader on its fixture corpus (tests/support/corpus.py): every submission gets its exact grade and status.

The corpus course is graded once per session, in the sandbox, with the real nbgrader pipeline;
the tests then read the results, the gradebook, the feedback and the reports. Further tests
grade small courses of a few fixtures: killed mid-batch then rerun, on PostgreSQL, without a
sandbox.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time

import pytest
from nbgrader.api import Gradebook

import corpus
from nbgrader_course import nbgrader_env
from autograder.grading import sandbox
from autograder.__main__ import main as autograder_main
from autograder.grading import isolation, pipeline, records

# Grading the whole corpus takes minutes; it happens in the first test that asks for it.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
OPTIONS = pipeline.Options(cell_timeout=corpus.CELL_TIMEOUT)


def _tree_digest(folder) -> dict:
    """Return every file (and link) below ``folder`` with a hash of its content, to see any change."""
    found = {}
    for dirpath, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(dirpath, name)
            found[os.path.relpath(path, folder)] = (os.readlink(path) if os.path.islink(path)
                                                    else hashlib.sha256(open(path, "rb").read()).hexdigest())
    return found


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """Return (course, results by student, submitted/ before grading) for the whole corpus."""
    if not sandbox.available():
        pytest.skip("bubblewrap cannot run here")
    course = corpus.build(tmp_path_factory.mktemp("corpus") / "course")
    before = _tree_digest(course / "submitted")
    results = pipeline.grade(course, [corpus.ASSIGNMENT], options=OPTIONS, progress=False)
    return course, {result.student: result for result in results}, before


def test_the_corpus_is_large_enough():
    assert len(corpus.FIXTURES) >= 20
    assert len(corpus.BY_NAME) == len(corpus.FIXTURES)  # no two fixtures share a student


@pytest.mark.parametrize("fixture", corpus.FIXTURES, ids=lambda f: f.student)
def test_each_fixture_gets_its_exact_score_and_status(graded, fixture):
    _, results, _ = graded
    result = results[fixture.student]
    assert (result.score, result.status) == (fixture.score, fixture.status), result.reason
    assert result.max_score == 13.0
    assert fixture.reason in result.reason
    if fixture.status == "graded":
        assert "other files" not in result.reason
    # A reason is for the instructor to read: no folder of the grader's, no temporary file.
    assert "/tmp/" not in result.reason and "autograder-" not in result.reason, result.reason


def test_the_gradebook_holds_the_same_scores(graded):
    course, results, _ = graded
    with Gradebook(corpus.gradebook_url(course), corpus.COURSE_ID) as gb:
        for fixture in corpus.FIXTURES:
            if fixture.status == "missing":
                with pytest.raises(Exception):
                    gb.find_submission(corpus.ASSIGNMENT, fixture.student)
                continue
            submission = gb.find_submission(corpus.ASSIGNMENT, fixture.student)
            auto = sum(g.auto_score or 0 for n in submission.notebooks for g in n.grades
                       if g.name.startswith("test_"))
            assert auto == pytest.approx(fixture.score), fixture.student


def test_no_submitted_file_is_changed_or_lost(graded):
    course, _, before = graded
    assert _tree_digest(course / "submitted") == before


def test_feedback_shows_what_failed_never_the_hidden_tests(graded):
    course, results, _ = graded
    html = (course / "feedback" / "honest_buggy" / corpus.ASSIGNMENT / corpus.NOTEBOOK.replace(".ipynb", ".html"))
    text = html.read_text()
    assert "BEGIN HIDDEN TESTS" not in text and "hidden = True" not in text
    assert "wrong shape" in text and "[hidden] random" in text  # what failed, hidden cases included
    assert results["honest_full"].feedback.endswith(".html")
    assert results["invalid_json"].feedback == ""


def test_reports_have_a_status_column_pass_rates_and_a_plot(graded):
    course, _, _ = graded
    lines = (course / "reports" / "grades.csv").read_text().splitlines()
    assert lines[0].startswith("assignment,student,status,reason,score,max_score")
    assert len(lines) == len(corpus.FIXTURES) + 1
    assert any(",missing," in line for line in lines) and any(",flagged," in line for line in lines)
    tests = (course / "reports" / "tests.csv").read_text()
    assert "test_corr2d" in tests and "test_learn_kernel" in tests
    assert (course / "reports" / "grades.png").read_bytes().startswith(b"\x89PNG")


def test_grading_again_gives_the_same_grades_from_the_records(graded):
    course, results, _ = graded
    again = pipeline.grade(course, [corpus.ASSIGNMENT], options=OPTIONS, progress=False)
    assert {r.student: r for r in again} == results  # same records, times included: nothing was regraded


def test_the_sandbox_hides_the_course_and_switches_off_the_answers(graded):
    course, _, _ = graded
    hidden = isolation.isolation(str(course))
    assert str(course.resolve()) in hidden.hide
    replaced = {os.path.basename(target) for _, target in hidden.binds}
    assert {"solutions", "torch"} <= replaced


def test_a_batch_killed_midway_resumes_to_a_complete_gradebook(tmp_path):
    names = ["honest_full", "cheat_exit", "blank", "honest_partial"]
    course = corpus.build(tmp_path / "course", names)
    command = [sys.executable, "-m", "autograder", "grade", corpus.ASSIGNMENT, "--course", str(course),
               "--cell-timeout", str(corpus.CELL_TIMEOUT), "--quiet"]
    process = subprocess.Popen(command, env=nbgrader_env(), start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    records_dir = course / "reports" / "records" / corpus.ASSIGNMENT
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(records_dir.glob("*.json"))) < 1:
        time.sleep(0.05)
    time.sleep(1.0)  # well inside the next student's grading
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finished = len(list(records_dir.glob("*.json")))
    assert 1 <= finished < len(names)
    assert autograder_main(command[3:]) == 0
    with Gradebook(corpus.gradebook_url(course), corpus.COURSE_ID) as gb:
        for name in names:
            fixture = corpus.BY_NAME[name]
            result = records.read(course, corpus.ASSIGNMENT, name)
            assert (result.score, result.status) == (fixture.score, fixture.status)
            submission = gb.find_submission(corpus.ASSIGNMENT, name)
            assert sum(g.auto_score or 0 for n in submission.notebooks for g in n.grades) == fixture.score


def test_postgresql_gradebook_grades_the_same(tmp_path, postgres_server):
    names = ["honest_full", "honest_partial", "cheat_allclose"]
    course = corpus.build(tmp_path / "course", names)
    url = postgres_server.create_database("corpus_grades")
    corpus.generate(course, url)
    results = pipeline.grade(course, [corpus.ASSIGNMENT], db_url=url, options=OPTIONS, progress=False)
    assert {r.student: (r.score, r.status) for r in results} == {
        name: (corpus.BY_NAME[name].score, corpus.BY_NAME[name].status) for name in names}
    with Gradebook(url, corpus.COURSE_ID) as gb:
        assert gb.find_submission(corpus.ASSIGNMENT, "honest_full").score == 13.0


def test_without_bubblewrap_the_grader_refuses_unless_told(tmp_path, monkeypatch, capsys):
    course = corpus.build(tmp_path / "course", ["honest_full"])
    monkeypatch.setattr(sandbox, "BWRAP", "no-such-bwrap")
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: None)
    sandbox._probe.cache_clear()
    try:
        assert autograder_main(["grade", corpus.ASSIGNMENT, "--course", str(course), "--quiet"]) == 2
        assert "--no-sandbox" in capsys.readouterr().err
        assert autograder_main(["grade", corpus.ASSIGNMENT, "--course", str(course), "--quiet", "--no-sandbox"]) == 0
        assert records.read(course, corpus.ASSIGNMENT, "honest_full").score == 13.0
    finally:
        sandbox._probe.cache_clear()


def test_an_unknown_assignment_or_course_is_a_clear_error(tmp_path, capsys):
    course = corpus.build(tmp_path / "course", ["blank"])
    assert autograder_main(["grade", "ch9_nothing", "--course", str(course)]) == 2
    assert "ch9_nothing" in capsys.readouterr().err
    assert autograder_main(["grade", corpus.ASSIGNMENT, "--course", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err
