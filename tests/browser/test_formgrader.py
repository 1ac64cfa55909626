"""formgrader's Autograde button grades in the sandbox: a cheater stays at the honest score.

A demo course is built with its submissions collected and none of them autograded; JupyterLab
is started in the course folder, as an instructor does, with nbgrader's formgrader in it. On
Manage Submissions, the Autograde button of each student runs nbgrader's own autograde, which
the course's nbgrader_config.py points at the sandboxed step: the honest student gets full
marks and the student whose cheat fools stock nbgrader (an input transformer that deletes the
``check(`` calls: stock nbgrader gives full marks) gets the honest score, flagged.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import corpus
from lab import JupyterLab
from autograder.grading import sandbox
from autograder.tools import demo

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not sandbox.available(), reason="bubblewrap cannot run here")]

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENT = "ch1_cross_correlation"
STUDENTS = [row for row in demo.CLASS if row[0] in ("alice", "judy")]


def test_formgraders_autograde_button_grades_in_the_sandbox(browser_context, tmp_path_factory):
    course = demo.build(tmp_path_factory.mktemp("demo") / "demo", (ASSIGNMENT,), STUDENTS)
    url = corpus.gradebook_url(course)
    # Nothing graded yet: every score the gradebook holds at the end, the buttons put there.
    assert corpus.gradebook(url, demo.COURSE_ID, ASSIGNMENT) == {}
    with JupyterLab(root_dir=course, work_dir=tmp_path_factory.mktemp("formgrader"), pythonpath=[REPO]) as lab:
        page = browser_context.new_page()
        try:
            # Logged in through Jupyter's login page, as an instructor does: formgrader's own
            # requests carry the session cookie, not a token in a URL.
            page.goto(f"{lab.base_url}login?next=%2Fformgrader%2Fmanage_submissions%2F{ASSIGNMENT}")
            page.fill("input#password_input", lab.token)
            page.click("button#login_submit")
            page.wait_for_url("**/formgrader/manage_submissions/**")
            for student, _, _ in STUDENTS:
                row = page.locator("tr", has_text=student)
                row.wait_for(timeout=60_000)
                # formgrader lists a collected submission before it is autograded.
                assert "needs autograding" in row.inner_text()
                if student == "judy":
                    # The students have names (formgrader lists "last name, first name").
                    assert "Jansen, Judy" in row.inner_text()
                row.locator(".autograde a").click()
                modal = page.locator("#success-modal")
                modal.wait_for(timeout=180_000)
                assert f"Successfully autograded '{ASSIGNMENT}' for student '{student}'" in modal.inner_text()
                modal.locator(".modal-footer button").click()
                modal.wait_for(state="detached")  # the next student's modal gets the same id
        finally:
            page.close()
    graded = corpus.gradebook(url, demo.COURSE_ID, ASSIGNMENT)
    assert graded["judy"] == (0.0, [True]) and graded["alice"][0] == 13.0
