"""Command line: ``python -m autograder check NOTEBOOK [--timeout SECONDS]``.

Exit code 0 when the notebook ran (whatever its score), 2 for a bad path or an invalid notebook.
"""

from __future__ import annotations

import argparse
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description="The course's autograder.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="run a notebook with every case (hidden ones too) and print its grade")
    check.add_argument("notebook", help="path to the .ipynb file")
    check.add_argument("--timeout", type=int, default=None, help="seconds one cell may run (default 120)")
    args = parser.parse_args(argv)

    from . import selfcheck

    try:
        report = selfcheck.run(args.notebook, timeout=args.timeout or selfcheck.DEFAULT_CELL_TIMEOUT)
    except selfcheck.NotebookError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(selfcheck.format_report(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
