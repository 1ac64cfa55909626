"""``python -m autograder grade|report ASSIGNMENT... --course DIR``: the command line of the batch grader.

:func:`add_parser` declares both commands and their options (the limits of
:class:`~.sandbox.Limits`, the cell timeout, the gradebook URL, ...). :func:`run` grades
(:func:`.pipeline.grade`) and prints the grade table and where the reports are; with
``--shard I/N`` it grades a share of the students and leaves the reports to
``python -m autograder report``, which :func:`run_report` makes from every finished student's
record. Exit code 0 when the batch is done (flagged students included), 1 when ``report``
finds students not graded yet, 2 for a mistake of the caller: an unknown course or assignment,
no sandbox.
"""

from __future__ import annotations

import argparse
import os
import sys

_MB = 1024**2


def add_parser(commands) -> None:
    """Add the ``grade`` and ``report`` subcommands to the ``argparse`` subparsers ``commands``."""
    _add_grade(commands)
    report = commands.add_parser(
        "report", help="write the reports from the records of every finished student (after sharded grading)",
        description="Write DIR/reports/ (grades.csv, tests.csv, grades.png) from the records the grader left "
                    "in DIR/reports/records/, and name the students not graded yet.")
    report.add_argument("assignments", nargs="+", metavar="ASSIGNMENT")
    report.add_argument("--course", required=True, metavar="DIR", help="the nbgrader course root")
    report.add_argument("--db", metavar="URL", help="gradebook SQLAlchemy URL (default: the course's)")
    report.set_defaults(run=run_report)


def _add_grade(commands) -> None:
    from .execute import DEFAULT_CELL_TIMEOUT
    from .sandbox import Limits

    grade = commands.add_parser(
        "grade", help="grade every submission of the assignments in a sandbox, write feedback and reports",
        description="Autograde DIR/submitted/<student>/<assignment>/ with nbgrader, running student code in a "
                    "bubblewrap sandbox and judging it outside; write feedback, the gradebook and "
                    "DIR/reports/ (grades.csv, tests.csv, grades.png).")
    grade.add_argument("assignments", nargs="+", metavar="ASSIGNMENT")
    grade.add_argument("--course", required=True, metavar="DIR", help="the nbgrader course root")
    grade.add_argument("--db", metavar="URL", help="gradebook SQLAlchemy URL (default: the course's, "
                                                   "sqlite:///DIR/gradebook.db)")
    grade.add_argument("--student", action="append", metavar="ID", help="grade only this student (repeatable)")
    grade.add_argument("--no-sandbox", action="store_true", default=None,
                       help="run student code WITHOUT isolation (only where bubblewrap cannot run; trusted work only)")
    # The limits default to the course's nbgrader_config.py (c.Execute.timeout, c.SandboxedExecute.*),
    # which nbgrader's own `nbgrader autograde` reads too, and to these values where it sets none.
    defaults = Limits()
    grade.add_argument("--cell-timeout", type=float, metavar="S",
                       help=f"seconds one cell may run (the course's Execute.timeout, else {DEFAULT_CELL_TIMEOUT:g})")
    grade.add_argument("--wall-seconds", type=float, metavar="S",
                       help=f"seconds one notebook may take in all ({defaults.wall_seconds:g})")
    grade.add_argument("--cpu-seconds", type=int, metavar="S", help=f"CPU seconds per process ({defaults.cpu_seconds})")
    grade.add_argument("--memory-mb", type=int, metavar="MB",
                       help=f"address space per process ({defaults.memory_bytes // _MB})")
    grade.add_argument("--workers", type=positive, default=os.cpu_count() or 1, metavar="N",
                       help=f"students graded in parallel, each in its own sandbox (default: the cores, {os.cpu_count()})")
    grade.add_argument("--shard", type=_shard, metavar="I/N",
                       help="grade only share I of N of the students (0 <= I < N; the same split on every machine); "
                            "the reports are then left to `python -m autograder report`")
    grade.add_argument("--without-sandbox", choices=("refuse", "flag"), default="refuse",
                       help="where bubblewrap cannot run: refuse (exit 2), or flag each student, ungraded, for a "
                            "rerun elsewhere (what a SLURM task does on a node without it)")
    grade.add_argument("--quiet", action="store_true", help="no progress bar")
    grade.set_defaults(run=run)


def positive(text: str) -> int:
    """Parse a whole number of at least 1 (an argparse type)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def _shard(text: str) -> tuple[int, int]:
    """Parse ``I/N``: the share I (counted from 0) of N."""
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected I/N with whole numbers (e.g. 0/3), got {text!r}") from None
    if count < 1 or not 0 <= index < count:
        raise argparse.ArgumentTypeError(f"expected 0 <= I < N in I/N, got {text!r}")
    return index, count


def run(args) -> int:
    """Grade as ``args`` (the parsed ``grade`` options) say; print the table; return the exit code."""
    from . import pipeline, report
    from .course import CourseError
    from .sandbox import SandboxUnavailable

    if args.no_sandbox:
        print("warning: --no-sandbox: student code runs with your rights and can read and change your files",
              file=sys.stderr)
    try:
        results = pipeline.grade(args.course, args.assignments, db_url=args.db, students=args.student,
                                 progress=not args.quiet, workers_count=args.workers, shard=args.shard,
                                 flag_without_sandbox=args.without_sandbox == "flag",
                                 cell_timeout=args.cell_timeout, wall_seconds=args.wall_seconds,
                                 cpu_seconds=args.cpu_seconds, memory_mb=args.memory_mb, no_sandbox=args.no_sandbox)
    except (CourseError, SandboxUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(report.format_table(results))
    if args.shard is None:
        _print_paths(args.course)
    return 0


def _print_paths(course) -> None:
    from . import pipeline

    reports = pipeline.reports_dir(course)
    print(f"\nreports: {reports / 'grades.csv'}, {reports / 'tests.csv'}, plot {reports / 'grades.png'}")


def run_report(args) -> int:
    """Write the reports from the records; return 0, or 1 when some students are not graded yet."""
    from . import pipeline, report
    from .course import CourseError, assignments_exist, open_course

    try:
        course = open_course(args.course, args.db)
        assignments_exist(course, args.assignments)
    except CourseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    results, unfinished = pipeline.collect(course, args.assignments)
    report.write_reports(results, pipeline.reports_dir(course.root))
    print(report.format_table(results))
    _print_paths(course.root)
    if unfinished:
        names = ", ".join(f"{student} ({assignment})" for assignment, student in unfinished[:10])
        print(f"\n{len(unfinished)} students are not graded yet: {names}{' ...' if len(unfinished) > 10 else ''}; "
              f"grade again (finished students are skipped)", file=sys.stderr)
        return 1
    return 0
