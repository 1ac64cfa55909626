"""formgrader's Autograde button grades in the sandbox: a cheater stays at the honest score.

A demo course is built and graded by the grader; JupyterLab is started in the course folder,
as an instructor does, with nbgrader's formgrader in it. On Manage Submissions, the Autograde
button of the student whose cheat fools stock nbgrader (an input transformer that deletes the
``check(`` calls: stock nbgrader gives full marks) runs nbgrader's own autograde, which the
course's nbgrader_config.py points at the sandboxed step: the gradebook keeps the honest score.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from lab import JupyterLab
from autograder.grading import pipeline, sandbox
from autograder.tools import demo

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not sandbox.available(), reason="bubblewrap cannot run here")]

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENT = "ch1_cross_correlation"
STUDENTS = [row for row in demo.CLASS if row[0] in ("alice", "judy")]


def scores(course: Path) -> dict:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", demo.COURSE_ID) as gb:
        return {s.student.id: (s.score, [n.flagged for n in s.notebooks]) for s in gb.assignment_submissions(ASSIGNMENT)}


def test_formgraders_autograde_button_grades_in_the_sandbox(browser_context, tmp_path_factory):
    course = demo.build(tmp_path_factory.mktemp("demo") / "demo", (ASSIGNMENT,), STUDENTS)
    pipeline.grade(course, [ASSIGNMENT], progress=False)
    graded = scores(course)
    assert graded["judy"] == (0.0, [True]) and graded["alice"][0] == 13.0
    with JupyterLab(root_dir=course, work_dir=tmp_path_factory.mktemp("formgrader"), pythonpath=[REPO]) as lab:
        page = browser_context.new_page()
        try:
            # Logged in through Jupyter's login page, as an instructor does: formgrader's own
            # requests carry the session cookie, not a token in a URL.
            page.goto(f"{lab.base_url}login?next=%2Fformgrader%2Fmanage_submissions%2F{ASSIGNMENT}")
            page.fill("input#password_input", lab.token)
            page.click("button#login_submit")
            page.wait_for_url("**/formgrader/manage_submissions/**")
            row = page.locator("tr", has_text="judy")
            row.wait_for(timeout=60_000)
            # The students have names (formgrader lists "last name, first name").
            assert "Jansen, Judy" in row.inner_text()
            row.locator(".autograde a").click()
            page.locator("#success-modal").wait_for(timeout=180_000)
            assert "Successfully autograded" in page.locator("#success-modal").inner_text()
        finally:
            page.close()
    assert scores(course) == graded
