"""The widget tests run as in a student's notebook: not under nbgrader, where widgets stay quiet."""

import pytest


@pytest.fixture(autouse=True)
def not_grading(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
