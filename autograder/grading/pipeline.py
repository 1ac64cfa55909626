"""The batch grader: every student of every assignment through the same small steps, then the reports.

For one (assignment, student), in this order:

1. **record** (:mod:`.records`): a finished record with the same fingerprint means nothing to do;
   the fingerprint needs the staged submission, so the record is checked after step 2;
2. **intake** (:mod:`.intake`): copy what will be graded to a staging folder (``submitted/`` is
   never written to), flag what cannot be graded; no submission folder at all is *missing*;
3. **autograde** (:mod:`.workflow`, :mod:`.execute`): nbgrader's autograde with the notebook run
   in the sandbox and judged outside it; or, with no gradable notebook, a zero in the gradebook;
4. **feedback** (:mod:`.feedback`): nbgrader's feedback HTML, hidden tests removed;
5. **record** the :class:`~.results.StudentResult`, last, so that a run killed before this point
   grades the student again next time.

Before the students, the batch computes the expected values of every check once
(:class:`~.prepare.Expectations`); students then go through steps 1-5 in parallel worker
processes (:mod:`.workers`), each in its own sandbox; the reports (:mod:`.report`) are made at the
end from the records of everyone asked for. ``shard=(i, n)`` grades the i-th of n deterministic
shares of the students (see :func:`share`), for grading on several machines into one gradebook.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
import warnings
import zlib
from pathlib import Path

import nbformat
from sqlalchemy.exc import SAWarning

from . import execute, feedback, flags, intake, isolation, records, report, sandbox, steps, workers, workflow
from .course import Course, assignments_exist, open_course
from .execute import Options
from .progress import Progress
from .results import FLAGGED, GRADED, MISSING, StudentResult, TestResult

#: The fingerprint of a record that does not finish its student (no submission matches it).
UNFINISHED = "unfinished"


def share(student: str, shards: int) -> int:
    """Return the shard, of ``shards``, that grades ``student``: the same on every machine and every run."""
    return zlib.crc32(student.encode()) % shards


def grade(root, assignments, *, db_url: str | None = None, options: Options | None = None, students=None,
          progress: bool = True, stream=None, workers_count: int | None = None,
          shard: tuple[int, int] | None = None, flag_without_sandbox: bool = False,
          **overrides) -> list[StudentResult]:
    """Grade ``assignments`` of the course at ``root`` and write its reports; return one result per student.

    ``options`` default to the course's configuration (:func:`.execute.options_from`), with
    ``overrides`` (``cell_timeout=...``, ``wall_seconds=...``, ...) over it. ``workers_count``
    processes grade in parallel (default: the machine's cores); ``shard=(i, n)`` keeps only the
    students of share i of n, and leaves the reports to :func:`collect` (every share must be done).
    Without a sandbox, ``flag_without_sandbox`` flags every student instead of refusing (a SLURM
    task on a node without bubblewrap): their records say so and do not count as finished. Raises :class:`~.course.CourseError` for a course or
    assignment that cannot be used and :class:`~.sandbox.SandboxUnavailable` when there is no
    sandbox and ``options.no_sandbox`` is False; never for anything a submission contains.
    """
    # nbgrader 0.9.6 with SQLAlchemy 2.1 warns about its own session use on every submission.
    warnings.filterwarnings("ignore", category=SAWarning, module="nbgrader")
    workflow.put_environment_first()
    course = open_course(root, db_url)
    notebooks = assignments_exist(course, assignments)
    options = options or execute.options_from(execute.SandboxedExecute(config=course.config), **overrides)
    pairs = [(a, s) for a in assignments for s in (students or course.students(a))
             if shard is None or share(s, shard[1]) == shard[0]]
    points = {assignment: course.autograded_points(assignment) for assignment in assignments}
    if not options.no_sandbox and flag_without_sandbox and not sandbox.available():
        flag = flags.no_sandbox(socket.gethostname(), sandbox.why_unavailable())
        return [_unfinished(course, assignment, student, flag, sum(points[assignment].values()))
                for assignment, student in pairs]
    if not options.no_sandbox:
        sandbox.require()
    settings = execute.Settings(options, isolation.of_course(course.config))
    settings.expectations.prepare(nbformat.read(path, as_version=4) for assignment in assignments
                                  for path in sorted(course.path("source", ".", assignment).glob("*.ipynb")))
    context = records.fingerprint(course.db_url, records.grader_version(), repr(options))
    count = max(1, workers_count or os.cpu_count() or 1)
    writer = course.for_parallel_writers() if count > 1 else course
    feedbacks = feedback.Feedback(writer)

    def one(pair):
        assignment, student = pair
        return grade_one(writer, assignment, student, notebooks[assignment], points[assignment], settings, context,
                         feedbacks)

    with Progress(len(pairs), workers=min(count, len(pairs)) or 1, stream=stream) if progress else _Quiet() as bar:
        done = workers.run(pairs, one, count, started=bar.started, finished=bar.finished)
    results = [result for result in done if result is not None]
    if shard is None:
        report.write_reports(results, reports_dir(course.root))
    return results


def _unfinished(course: Course, assignment: str, student: str, flag: flags.Flag, max_score: float) -> StudentResult:
    """Record ``student`` as flagged for ``flag``, not graded (this machine cannot sandbox): not a finished record."""
    result = StudentResult(assignment, student, FLAGGED, flag.text, 0.0, max_score, fingerprint=UNFINISHED)
    records.write(course.root, result)
    return result


def collect(course: Course, assignments) -> tuple[list[StudentResult], list[tuple[str, str]]]:
    """Return the records of every student of ``assignments``, and the (assignment, student) pairs not graded yet."""
    found, unfinished = [], []
    for assignment in assignments:
        for student in course.students(assignment):
            record = records.read(course.root, assignment, student)
            if record is not None:
                found.append(record)
            if record is None or record.fingerprint == UNFINISHED:
                unfinished.append((assignment, student))
    return found, unfinished


def grade_one(course: Course, assignment: str, student: str, notebooks: list[str], points: dict[str, float],
              settings: execute.Settings, context: str, feedbacks: feedback.Feedback) -> StudentResult:
    """Return the result of one student's assignment, grading it unless a finished record matches.

    ``points`` are the assignment's autograded test cells (:meth:`Course.autograded_points`);
    ``context`` fingerprints what besides the submission decides a grade (gradebook, grader, options);
    ``feedbacks`` writes the feedback.
    """
    start = clock = time.monotonic()
    timing: dict[str, float] = {}

    def lap(step: str) -> None:
        nonlocal clock
        now = time.monotonic()
        timing[step] = round(timing.get(step, 0.0) + now - clock, 3)
        clock = now

    submitted = course.path("submitted", student, assignment)
    if not submitted.is_dir():
        result = StudentResult(assignment, student, MISSING, "nothing submitted", 0.0, sum(points.values()))
        records.write(course.root, result)
        return result
    runs, autograded = {}, {}
    with tempfile.TemporaryDirectory(prefix="autograder-staging-") as staging:
        found = intake.stage(submitted, notebooks, Path(staging) / student / assignment)
        fingerprint = records.fingerprint(found.fingerprint, context, *map(str, found.flags))
        done = records.read(course.root, assignment, student)
        if done is not None and done.fingerprint == fingerprint:
            return done
        lap("intake")
        found_flags, failed = list(found.flags), None
        if found.staged:
            failed, runs, autograded = workflow.autograde(course, assignment, student, staging, settings)
            if failed:
                found_flags.append(flags.autograde_failed(failed))
        else:
            timestamp = (submitted / "timestamp.txt").read_text().strip() if (submitted / "timestamp.txt").is_file() else None
            workflow.zero(course, assignment, student, timestamp)
        if found.flags and not failed:
            steps.mark(course.db_url, assignment, student, notebooks)  # as SaveFlags does for a run's flags
        lap("autograde")
    tests: list[TestResult] = []
    for notebook in found.staged:
        if notebook in runs:
            tests += runs[notebook].tests
            found_flags += runs[notebook].flags
    # The autograde step's time, split: nbgrader's own work, the sandbox (start-up included), the cells.
    sandboxed, cells = sum(run.seconds for run in runs.values()), sum(run.cells_seconds for run in runs.values())
    timing["autograde"] = round(timing["autograde"] - sandboxed, 3)
    timing["sandbox"], timing["cells"] = round(sandboxed - cells, 3), round(cells, 3)
    feedback_path = ""
    if autograded and not failed:
        error = feedbacks.write(assignment, student, autograded)
        if error:
            found_flags.append(flags.feedback_failed(error))
        else:
            feedback_path = str(course.path("feedback", student, assignment) / f"{found.staged[0]}.html")
    lap("feedback")
    graded = {(test.notebook, test.grade_id) for test in tests}
    tests += [TestResult(grade_id, grade_id, value, 0.0, reason="not graded", notebook=notebook)
              for (notebook, grade_id), value in points.items() if (notebook, grade_id) not in graded]
    result = StudentResult(assignment, student, FLAGGED if found_flags else GRADED, flags.reason(found_flags, found.notes),
                           round(sum(t.score for t in tests), 2), sum(points.values()), tuple(tests),
                           feedback_path, round(time.monotonic() - start, 2), fingerprint, timing)
    records.write(course.root, result)
    return result


class _Quiet:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def started(self, worker, task):
        pass

    def finished(self, worker, result):
        pass


def reports_dir(root) -> Path:
    """Return the folder of the course's reports (grades.csv, tests.csv, grades.png, records/)."""
    return Path(root).resolve() / "reports"
