"""Command line: ``python -m autograder check|grade|report|slurm|demo ...``, each in the module that runs it.

==========  =====================================  ===========================================
``check``   :mod:`autograder.tools.selfcheck`      run one notebook and print its grade
``grade``   :mod:`autograder.grading.command`      the sandboxed batch grader
``report``  :mod:`autograder.grading.command`      the reports, from the finished students' records
``slurm``   :mod:`autograder.grading.slurm`        the batch grader as a SLURM job array
``demo``    :mod:`autograder.tools.demo`           a demo course, a simulated class, graded
==========  =====================================  ===========================================

Each module adds its own parsers (``add_parser``), which name the function that runs them. The
student edition holds only ``check``: the others say so. Exit code 0 when the command did its job (whatever the
grades; flagged students included), 2 for a mistake of the caller: a bad path, an invalid
notebook, an unknown assignment, no sandbox.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: Subcommand name -> module, in the order ``--help`` lists them.
COMMANDS = {
    "check": "autograder.tools.selfcheck",
    "grade": "autograder.grading.command",
    "report": "autograder.grading.command",
    "slurm": "autograder.grading.slurm",
    "demo": "autograder.tools.demo",
}


def _absent(name: str):
    def run(args) -> int:
        print(f"error: `{name}` is not part of the student edition of the autograder; it runs where the "
              f"course is graded (the instructor's install)", file=sys.stderr)
        return 2
    return run


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description="The course's autograder.")
    commands = parser.add_subparsers(dest="command", required=True)
    for module in dict.fromkeys(COMMANDS.values()):
        try:
            importlib.import_module(module).add_parser(commands)
        except ModuleNotFoundError as error:
            if not (module == error.name or module.startswith(f"{error.name}.")):
                raise  # a dependency missing, not a module the student edition leaves out
            for name in (n for n, m in COMMANDS.items() if m == module):
                absent = commands.add_parser(name, help="(not in the student edition)", add_help=False)
                absent.set_defaults(run=_absent(name), absent=True)
    args, rest = parser.parse_known_args(argv)
    if rest and not getattr(args, "absent", False):
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
