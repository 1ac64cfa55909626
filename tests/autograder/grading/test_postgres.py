"""The gradebook on PostgreSQL: nbgrader's Gradebook and the nbgrader command against a real server.

The batch grader keeps the gradebook in SQLite unless given an SQLAlchemy URL (``--db``); these
tests check that a PostgreSQL URL works end to end, on the private server of the
``postgres_server`` fixture (tests/support/postgres.py), one fresh database per test.
"""

from __future__ import annotations

import nbformat
import pytest
import sqlalchemy as sa
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.api import Gradebook

from nbgrader_course import nbgrader_env, run_nbgrader

COURSE_ID = "c"


@pytest.fixture
def db_url(postgres_server, request, monkeypatch):
    """Return the URL of a new, empty database named after the test."""
    # A new gradebook runs `alembic heads` by name, so this environment's bin/ must be on PATH.
    monkeypatch.setenv("PATH", nbgrader_env()["PATH"])
    return postgres_server.create_database(request.node.name.lower())


def test_server_answers_select_1(db_url):
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT 1")).scalar_one() == 1
            assert connection.dialect.name == "postgresql"
    finally:
        engine.dispose()


def test_gradebook_stores_a_submission(db_url):
    with Gradebook(db_url, course_id=COURSE_ID) as gb:
        gb.add_assignment("a1")
        gb.add_notebook("n1", "a1")
        gb.add_student("s1", first_name="Ada", last_name="Lovelace")
        gb.add_submission("a1", "s1")
    # A second connection: what the first one wrote is really in the database.
    with Gradebook(db_url, course_id=COURSE_ID) as gb:
        submission = gb.find_submission("a1", "s1")
        assert submission.student.last_name == "Lovelace"
        assert [nb.name for nb in submission.notebooks] == ["n1"]
        assert [s.id for s in gb.students] == ["s1"]


def nbgrader_cell(source: str, **metadata):
    """Return a code cell carrying nbgrader metadata (schema 3)."""
    meta = {"grade": False, "solution": False, "locked": False, "task": False, "schema_version": 3}
    return new_code_cell(source, metadata={"nbgrader": meta | metadata})


def test_nbgrader_generate_assignment_writes_to_postgres(db_url, tmp_path):
    (tmp_path / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(tmp_path)!r}\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
    )
    notebook = new_notebook(cells=[
        nbgrader_cell("def answer():\n    ### BEGIN SOLUTION\n    return 42\n    ### END SOLUTION",
                      solution=True, grade_id="answer"),
        nbgrader_cell("assert answer() == 42", grade=True, locked=True, points=1, grade_id="t1"),
    ])
    source = tmp_path / "source" / "a1"
    source.mkdir(parents=True)
    nbformat.write(notebook, source / "a1.ipynb")

    done = run_nbgrader("generate_assignment", "a1", "--db", db_url, "--force", cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "release" / "a1" / "a1.ipynb").is_file()
    with Gradebook(db_url, course_id=COURSE_ID) as gb:
        cell = gb.find_grade_cell("t1", "a1", "a1")
        assert cell.max_score == 1
        assert [nb.name for nb in gb.find_assignment("a1").notebooks] == ["a1"]
