"""What grading one student's assignment produced: the record every later step reads.

A :class:`StudentResult` is written once per (assignment, student) when that student's grading
is complete (:mod:`autograder.grading.records`), and the reports are made from these records
alone, so a report never mixes a finished student with one cut off half-way.
"""

from __future__ import annotations

import dataclasses

#: The three statuses of the grades table.
GRADED, FLAGGED, MISSING = "graded", "flagged", "missing"
STATUSES = (GRADED, FLAGGED, MISSING)


@dataclasses.dataclass(frozen=True)
class TestResult:
    """One graded test cell: the function it checks, its points and how many cases passed.

    ``passed`` and ``total`` count cases (``total`` is 0 when the cell never ran); ``reason``
    says why the score is 0 whatever the cases (a forbidden call, the cell not reached, ...).
    """

    grade_id: str
    name: str
    points: float
    score: float
    passed: int = 0
    total: int = 0
    reason: str = ""
    notebook: str = ""  # the notebook the cell is in (an assignment may have several)


@dataclasses.dataclass(frozen=True)
class StudentResult:
    """The outcome of one student's submission of one assignment.

    ``status`` is ``"graded"``, ``"flagged"`` (graded as far as it could be, but an instructor
    should look: ``reason`` says why) or ``"missing"`` (nothing submitted). ``score`` and
    ``max_score`` are the automatic points only (manually graded answers are nbgrader's, in the
    gradebook). ``fingerprint`` identifies the submission and grader version it was made from.
    """

    assignment: str
    student: str
    status: str
    reason: str
    score: float
    max_score: float
    tests: tuple[TestResult, ...] = ()
    feedback: str = ""  # path of the feedback HTML, "" when there is none
    seconds: float = 0.0
    fingerprint: str = ""
    #: Seconds spent in each step of grading this student, by step name: intake, autograde (nbgrader's
    #: own work), sandbox (starting it and the runner), cells (the notebook's cells), feedback.
    steps: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")

    def to_json(self) -> dict:
        """Return the record as plain JSON data."""
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "StudentResult":
        """Return the record written by :meth:`to_json`; raises ``KeyError``/``TypeError`` when malformed."""
        tests = tuple(TestResult(**test) for test in data.get("tests", ()))
        return cls(**{**data, "tests": tests})
