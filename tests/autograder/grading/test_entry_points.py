"""nbgrader's own entry points grade in the sandbox: `nbgrader autograde` (the real command) gives the grader's grades.

The course's nbgrader_config.py (the corpus course's, like the course's own) calls
``autograder.grading.steps.configure(c)``; stock nbgrader would give a cheater who deletes the
``check`` lines 13 points and crash on a fake ``autograder`` module.
"""

from __future__ import annotations

import shutil

import pytest

import corpus
from nbgrader_course import run_nbgrader
from autograder.grading import pipeline, sandbox

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not sandbox.available(), reason="bubblewrap cannot run here")]
STUDENTS = ["honest_full", "cheat_transformer_check", "cheat_sys_modules", "cheat_allclose"]


def test_nbgrader_autograde_gives_the_graders_scores_and_flags(tmp_path):
    ours = corpus.build(tmp_path / "ours", STUDENTS)
    theirs = tmp_path / "theirs"
    shutil.copytree(ours, theirs)
    pipeline.grade(ours, [corpus.ASSIGNMENT], progress=False)
    done = run_nbgrader("autograde", corpus.ASSIGNMENT, "--force", cwd=theirs, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    graded = corpus.gradebook(corpus.gradebook_url(theirs))
    assert {s: score for s, (score, _) in graded.items()} == {s: corpus.BY_NAME[s].score for s in STUDENTS}
    assert graded == corpus.gradebook(corpus.gradebook_url(ours))
    # The autograded notebook shows the grader's judgement, not what the student's kernel printed.
    autograded = (theirs / "autograded" / "cheat_transformer_check" / corpus.ASSIGNMENT / corpus.NOTEBOOK).read_text()
    assert "the test never ran" in autograded or "not graded" in autograded
    # nbgrader's own feedback command leaves the hidden tests out, as the grader's feedback does.
    done = run_nbgrader("generate_feedback", corpus.ASSIGNMENT, "--force", cwd=theirs, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    feedback = (theirs / "feedback" / "honest_full" / corpus.ASSIGNMENT / "ch1_cross_correlation.html").read_text()
    assert "test_corr2d" in feedback and "BEGIN HIDDEN TESTS" not in feedback and "hidden=True" not in feedback


def test_without_a_sandbox_nbgrader_autograde_refuses_and_names_the_command(tmp_path):
    course = corpus.build(tmp_path / "course", ["honest_full"])
    done = run_nbgrader("autograde", corpus.ASSIGNMENT, "--force", cwd=course, timeout=300,
                        env_extra={"PATH": "/nonexistent"})
    assert done.returncode != 0
    assert "python -m autograder grade ch1_cross_correlation --course . --no-sandbox" in done.stdout + done.stderr
