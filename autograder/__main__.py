"""Command line: ``python -m autograder check NOTEBOOK`` and ``python -m autograder grade ASSIGNMENT... --course DIR``.

``check`` runs one notebook with every case and prints its grade (a self-check, no sandbox).
``grade`` is the batch grader (:mod:`autograder.grading.pipeline`). ``demo`` builds the demo
course, simulates a class through nbgrader's exchange and grades it (:mod:`autograder.demo`).

Exit code 0 when the command did its job (whatever the grades; flagged students included),
2 for a mistake of the caller: a bad path, an invalid notebook, an unknown assignment, no sandbox.
"""

from __future__ import annotations

import argparse
import sys

_MB = 1024**2


def _grade_parser(commands) -> None:
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
    grade.add_argument("--no-sandbox", action="store_true",
                       help="run student code WITHOUT isolation (only where bubblewrap cannot run; trusted work only)")
    defaults = Limits()
    grade.add_argument("--cell-timeout", type=float, default=30.0, metavar="S", help="seconds one cell may run (30)")
    grade.add_argument("--wall-seconds", type=float, default=defaults.wall_seconds, metavar="S",
                       help=f"seconds one notebook may take in all ({defaults.wall_seconds:g})")
    grade.add_argument("--cpu-seconds", type=int, default=defaults.cpu_seconds, metavar="S",
                       help=f"CPU seconds per process ({defaults.cpu_seconds})")
    grade.add_argument("--memory-mb", type=int, default=defaults.memory_bytes // _MB, metavar="MB",
                       help=f"address space per process ({defaults.memory_bytes // _MB})")
    grade.add_argument("--quiet", action="store_true", help="no progress bar")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description="The course's autograder.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="run a notebook with every case (hidden ones too) and print its grade")
    check.add_argument("notebook", help="path to the .ipynb file")
    check.add_argument("--timeout", type=int, default=None, help="seconds one cell may run (default 120)")
    _grade_parser(commands)
    commands.add_parser("demo", help="build the demo course, simulate a class and grade it", add_help=False)
    args, rest = parser.parse_known_args(argv)
    if args.command == "demo":
        from . import demo
        return demo.main(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    return _grade(args) if args.command == "grade" else _check(args)


def _check(args) -> int:
    from . import selfcheck

    try:
        report = selfcheck.run(args.notebook, timeout=args.timeout or selfcheck.DEFAULT_CELL_TIMEOUT)
    except selfcheck.NotebookError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(selfcheck.format_report(report))
    return 0


def _grade(args) -> int:
    from .grading import pipeline, report
    from .grading.course import CourseError
    from .sandbox import Limits, SandboxUnavailable

    limits = Limits(wall_seconds=args.wall_seconds, cpu_seconds=args.cpu_seconds, memory_bytes=args.memory_mb * _MB)
    options = pipeline.Options(limits, args.cell_timeout, args.no_sandbox)
    if args.no_sandbox:
        print("warning: --no-sandbox: student code runs with your rights and can read and change your files",
              file=sys.stderr)
    try:
        results = pipeline.grade(args.course, args.assignments, db_url=args.db, options=options,
                                 students=args.student, progress=not args.quiet)
    except (CourseError, SandboxUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(report.format_table(results))
    reports = pipeline.reports_dir(args.course)
    print(f"\nreports: {reports / 'grades.csv'}, {reports / 'tests.csv'}, plot {reports / 'grades.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
