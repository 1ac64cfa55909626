"""The student edition: a wheel to install where students work, with every visible check and no answers.

``python -m autograder.tools.edition [--dist DIR]`` (``make student-package``) builds
``DIR/convolution_hands_on_student-<version>-py3-none-any.whl`` holding

* ``autograder``'s shared modules, ``kernel/`` and the self-check (``tools/selfcheck``): what a
  test cell's ``check`` and ``python -m autograder check`` need;
* ``autograder/edition_cases.json``: the syllabus and, for every graded function, its visible
  cases with the expected values (or the exception a case must raise), what each known mistake
  returns on them and the hints, all computed now with the reference (:mod:`autograder.casebook`
  reads it); a check there looks for the other graded functions a student's function calls
  among these too, as in a full install;
* ``widgets``, whole.

Left out: ``solutions`` (every answer), ``autograder/cases`` (the hidden cases and their
generators), ``autograder/grading`` and the other tools, and nothing from ``course/`` goes in.
The wheel declares the pinned versions of what it imports (never torch). Grading stays where
it is: the instructor's install runs the sandbox, which needs nothing from the students' side.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .. import casebook, compare, transport
from ..calling import Raises

ROOT = Path(__file__).resolve().parents[2]
DISTRIBUTION = "convolution-hands-on-student"
#: What the edition holds, relative to the repository (folders are copied whole, minus caches).
KEPT = (
    "autograder/__init__.py", "autograder/__main__.py", "autograder/calling.py", "autograder/casebook.py",
    "autograder/compare.py", "autograder/observations.py", "autograder/problems.py", "autograder/score.py",
    "autograder/syllabus.py", "autograder/transport.py", "autograder/verdicts.py", "autograder/kernel",
    "autograder/tools/__init__.py", "autograder/tools/selfcheck.py", "widgets",
)
#: The pins of requirements.txt the edition installs with it: what its modules import.
DEPENDENCIES = ("numpy", "matplotlib", "ipywidgets", "ipykernel", "nbclient", "nbgrader")


def _shapes_near(shape: tuple) -> list[tuple]:
    """Return the shapes one off ``shape`` in any axes, and the reversed shape (typical wrong shapes)."""
    near = {tuple(n + d for n, d in zip(shape, deltas)) for deltas in itertools.product((-1, 0, 1), repeat=len(shape))}
    near.add(tuple(reversed(shape)))
    near.discard(tuple(shape))
    return sorted(s for s in near if all(n >= 0 for n in s))


def exercise_data(exercise) -> dict:
    """Return one graded function's visible cases, expected values, known mistakes' values and hints, as JSON data."""
    cases, wrong, shapes = [], [], []
    spec = exercise.calling.result
    for case in exercise.cases(False):
        expected = exercise.expected(case)
        cases.append(transport.pack_case(dataclasses.replace(case, expected=expected), expected=True))
        refused = isinstance(expected, Raises)  # judged by the exception alone: no mistakes, no shapes
        # Only mistakes that differ from the right answer on this case can ever be named.
        wrong.append([] if refused else [[hint, transport.pack(value)] for hint, value in exercise.wrong_answers(case)
                                         if not compare.same(spec, expected, value)])
        table = []
        if spec == compare.ARRAY and not refused:
            for got in _shapes_near(tuple(expected.shape)):
                hint = exercise.hint_for_shape(case, tuple(expected.shape), got)
                if hint:
                    table.append([list(got), hint])
        shapes.append(table)
    return {"name": exercise.name, "calling": transport.pack_calling(exercise.calling), "hint": exercise.hint,
            "cases": cases, "wrong": wrong, "shapes": shapes}


def edition_data() -> dict:
    """Return the student edition's data: every chapter's declaration and its graded functions' visible cases."""
    return {"chapters": [{
        "assignment": chapter.assignment,
        "widgets": [dataclasses.asdict(w) for w in chapter.widgets],
        "graded": [exercise_data(exercise) for exercise in chapter.graded],
    } for chapter in casebook.chapters()]}


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if (match := re.fullmatch(r"\s*([A-Za-z0-9_.-]+)==(\S+)\s*", line)):
            pins[match[1].lower()] = match[2]
    return pins


def _version() -> str:
    match = re.search(r'^version\s*=\s*"([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.MULTILINE)
    return match[1]


def _pyproject() -> str:
    pins = _pins()
    dependencies = ",\n    ".join(f'"{name}=={pins[name]}"' for name in DEPENDENCIES)
    return f'''[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "{DISTRIBUTION}"
version = "{_version()}"
description = "Convolution, hands-on: the student edition (visible checks and widgets; no answers)"
requires-python = ">=3.11"
license = {{ text = "MIT" }}
dependencies = [
    {dependencies},
]

[tool.setuptools]
packages = ["autograder", "autograder.kernel", "autograder.tools", "widgets"]

[tool.setuptools.package-data]
autograder = ["edition_cases.json"]
'''


def stage(target: Path) -> Path:
    """Write the edition's source tree into ``target`` (a new folder) and return it."""
    for relative in KEPT:
        source, destination = ROOT / relative, target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, destination)
    (target / "autograder" / "edition_cases.json").write_text(json.dumps(edition_data()), encoding="utf-8")
    (target / "pyproject.toml").write_text(_pyproject(), encoding="utf-8")
    return target


def build(dist: Path) -> Path:
    """Build the student edition's wheel into ``dist`` and return its path."""
    dist = Path(dist).resolve()
    dist.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="student-edition-") as scratch:
        source = stage(Path(scratch) / "src")
        # No build isolation: setuptools is pinned in this environment and nothing is downloaded.
        done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                               "--wheel-dir", str(dist), str(source)], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"building the student edition failed:\n{done.stdout}\n{done.stderr}")
    name = DISTRIBUTION.replace("-", "_")
    return dist / f"{name}-{_version()}-py3-none-any.whl"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.tools.edition",
                                     description="Build the student edition's wheel (no answers, no hidden cases).")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="folder for the wheel (default: dist/)")
    args = parser.parse_args(argv)
    if casebook.is_edition():
        parser.error("this is already the student edition; build it from the instructor's checkout")
    wheel = build(args.dist)
    print(f"student edition: {wheel} ({wheel.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
