"""``python -m autograder grade ASSIGNMENT... --course DIR``: the command line of the batch grader.

:func:`add_parser` declares the options (the limits of :class:`~.sandbox.Limits`, the cell
timeout, the gradebook URL, ...); :func:`run` grades (:func:`.pipeline.grade`) and prints the
grade table and where the reports are. Exit code 0 when the batch is done (flagged students
included), 2 for a mistake of the caller: an unknown course or assignment, no sandbox.
"""

from __future__ import annotations

import argparse
import os
import sys

_MB = 1024**2


def add_parser(commands) -> None:
    """Add the ``grade`` subcommand to the ``argparse`` subparsers ``commands``."""
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
    grade.add_argument("--workers", type=_positive, default=os.cpu_count() or 1, metavar="N",
                       help=f"students graded in parallel, each in its own sandbox (default: the cores, {os.cpu_count()})")
    grade.add_argument("--shard", type=_shard, metavar="I/N",
                       help="grade only share I of N of the students (0 <= I < N; the same split on every machine)")
    grade.add_argument("--quiet", action="store_true", help="no progress bar")
    grade.set_defaults(run=run)


def _positive(text: str) -> int:
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
                                 cell_timeout=args.cell_timeout, wall_seconds=args.wall_seconds,
                                 cpu_seconds=args.cpu_seconds, memory_mb=args.memory_mb, no_sandbox=args.no_sandbox)
    except (CourseError, SandboxUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(report.format_table(results))
    reports = pipeline.reports_dir(args.course)
    print(f"\nreports: {reports / 'grades.csv'}, {reports / 'tests.csv'}, plot {reports / 'grades.png'}")
    return 0
