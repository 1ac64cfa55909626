"""The record of each finished student: written last, so that a killed batch resumes where it stopped.

``DIR/reports/records/<assignment>/<student>.json`` holds a
:class:`~autograder.grading.results.StudentResult`. It is written (atomically) only after the
student's gradebook entries, autograded notebook and feedback are complete; a student without a
record, or whose record's fingerprint differs (another submission, gradebook, grader version or
set of limits), is graded again from scratch. So running the grader twice gives the same grades,
and a run killed at any point leaves nothing half-done that a second run would keep.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .results import StudentResult

_PACKAGE = Path(__file__).resolve().parents[1]


def grader_version() -> str:
    """Return a hash of the grader's own code and cases: a change of either regrades everyone."""
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        digest.update(str(path.relative_to(_PACKAGE)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def fingerprint(*parts: str) -> str:
    """Return one hash of ``parts``: what decides a grade (submission, gradebook URL, grader version, options)."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def path(root: Path, assignment: str, student: str) -> Path:
    return root / "reports" / "records" / assignment / f"{student}.json"  # beside the reports


def read(root: Path, assignment: str, student: str) -> StudentResult | None:
    """Return the record of a finished student, or None (none, or unreadable: grade again)."""
    try:
        return StudentResult.from_json(json.loads(path(root, assignment, student).read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write(root: Path, result: StudentResult) -> None:
    """Write ``result`` atomically: a reader sees the old record or the new one, never a part."""
    target = path(root, result.assignment, result.student)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(result.to_json(), indent=1))
    os.replace(temporary, target)
