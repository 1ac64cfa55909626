"""The batch grader: every student of every assignment through the same small steps, then the reports.

For one (assignment, student), in this order:

1. **record** (:mod:`.records`): a finished record with the same fingerprint means nothing to do;
   the fingerprint needs the staged submission, so the record is checked after step 2;
2. **intake** (:mod:`.intake`): copy what will be graded to a staging folder (``submitted/`` is
   never written to), flag what cannot be graded; no submission folder at all is *missing*;
3. **autograde** (:mod:`.workflow`, :mod:`.execute`): nbgrader's autograde with the notebook run
   in the sandbox and judged outside it; or, with no gradable notebook, a zero in the gradebook;
4. **feedback** (:mod:`.workflow`): nbgrader's feedback HTML, hidden tests removed;
5. **record** the :class:`~.results.StudentResult`, last, so that a run killed before this point
   grades the student again next time.

Then the reports (:mod:`.report`) are made from the records of everyone asked for. Students are
independent: steps 1-5 can run for many students in parallel processes without touching the
isolation, which lives entirely in one student's sandboxed run.
"""

from __future__ import annotations

import tempfile
import time
import warnings
from pathlib import Path

from sqlalchemy.exc import SAWarning

from . import execute, flags, intake, isolation, records, report, sandbox, workflow
from .course import Course, assignments_exist, open_course
from .execute import Options
from .progress import Progress
from .results import FLAGGED, GRADED, MISSING, StudentResult, TestResult


def grade(root, assignments, *, db_url: str | None = None, options: Options = Options(), students=None,
          progress: bool = True, stream=None) -> list[StudentResult]:
    """Grade ``assignments`` of the course at ``root`` and write its reports; return one result per student.

    Raises :class:`~.course.CourseError` for a course or assignment that cannot be used and
    :class:`~autograder.sandbox.SandboxUnavailable` when there is no sandbox and
    ``options.no_sandbox`` is False; never for anything a submission contains.
    """
    # nbgrader 0.9.6 with SQLAlchemy 2.1 warns about its own session use on every submission.
    warnings.filterwarnings("ignore", category=SAWarning, module="nbgrader")
    workflow.put_environment_first()
    course = open_course(root, db_url)
    notebooks = assignments_exist(course, assignments)
    if not options.no_sandbox:
        sandbox.require()
    settings = execute.Settings(options, isolation.isolation(str(course.root), course.exchange_root()))
    context = records.fingerprint(course.db_url, records.grader_version(), repr(options))
    points = {assignment: course.autograded_points(assignment) for assignment in assignments}
    pairs = [(a, s) for a in assignments for s in (students or course.students(a))]
    results = []
    with Progress(len(pairs), stream=stream) if progress else _Quiet() as bar:
        for assignment, student in pairs:
            result = grade_one(course, assignment, student, notebooks[assignment], points[assignment],
                               settings, context)
            results.append(result)
            bar.update(result)
    report.write_reports(results, reports_dir(course.root))
    return results


def grade_one(course: Course, assignment: str, student: str, notebooks: list[str], points: dict[str, float],
              settings: execute.Settings, context: str) -> StudentResult:
    """Return the result of one student's assignment, grading it unless a finished record matches.

    ``points`` are the assignment's autograded test cells (:meth:`Course.autograded_points`);
    ``context`` fingerprints what besides the submission decides a grade (gradebook, grader, options).
    """
    start = time.monotonic()
    submitted = course.path("submitted", student, assignment)
    if not submitted.is_dir():
        result = StudentResult(assignment, student, MISSING, "nothing submitted", 0.0, sum(points.values()))
        records.write(course.root, result)
        return result
    with tempfile.TemporaryDirectory(prefix="autograder-staging-") as staging:
        found = intake.stage(submitted, notebooks, Path(staging) / student / assignment)
        fingerprint = records.fingerprint(found.fingerprint, context, *map(str, found.flags))
        done = records.read(course.root, assignment, student)
        if done is not None and done.fingerprint == fingerprint:
            return done
        found_flags = list(found.flags)
        runs = {}
        if found.staged:
            error, runs = workflow.autograde(course, assignment, student, staging, settings)
            if error:
                found_flags.append(flags.autograde_failed(error))
        else:
            timestamp = (submitted / "timestamp.txt").read_text().strip() if (submitted / "timestamp.txt").is_file() else None
            workflow.zero(course, assignment, student, timestamp)
    tests: list[TestResult] = []
    for notebook in found.staged:
        if notebook in runs:
            tests += runs[notebook].tests
            found_flags += runs[notebook].flags
    feedback_path = ""
    if found.staged and not any(f.kind is flags.FlagKind.AUTOGRADE for f in found_flags):
        error = workflow.feedback(course, assignment, student)
        if error:
            found_flags.append(flags.feedback_failed(error))
        else:
            feedback_path = str(course.path("feedback", student, assignment) / f"{found.staged[0]}.html")
    graded = {test.grade_id for test in tests}
    tests += [TestResult(grade_id, grade_id, value, 0.0, reason="not graded")
              for grade_id, value in points.items() if grade_id not in graded]
    result = StudentResult(assignment, student, FLAGGED if found_flags else GRADED, flags.reason(found_flags, found.notes),
                           round(sum(t.score for t in tests), 2), sum(points.values()), tuple(tests),
                           feedback_path, round(time.monotonic() - start, 2), fingerprint)
    records.write(course.root, result)
    return result


class _Quiet:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, result):
        pass


def reports_dir(root) -> Path:
    """Return the folder of the course's reports (grades.csv, tests.csv, grades.png, records/)."""
    return Path(root).resolve() / "reports"
