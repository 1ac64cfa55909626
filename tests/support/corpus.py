"""The grader's fixture corpus: honest, broken and hostile submissions of ch1, each with its exact expected grade.

Every fixture is built from the released student notebook and the instructor's solutions
(:mod:`autograder.tools.simulate`), so the corpus follows the course when it changes. ch1 has 13
autograded points: corr2d 4, convolve2d 2, Conv2D 3, learn_kernel 4 (convolve2d, Conv2D and
learn_kernel call corr2d, so a broken corr2d takes them down too).

``python tests/support/corpus.py DIR`` builds the corpus course in DIR (for a look, or to grade it with
stock nbgrader and compare).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader_course import SOURCE, run_nbgrader, source_path

from autograder.tools import simulate

ASSIGNMENT = "ch1_cross_correlation"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
TIMESTAMP = "2026-11-20 10:00:00.000000 UTC"
COURSE_ID = "corpus"
#: The cell timeout the corpus is graded with (the loops are cut after this many seconds).
CELL_TIMEOUT = 5
#: The corpus course's configuration: like the course's own, nbgrader's entry points grade in the sandbox.
CONFIG = f"""from autograder.grading import steps
c = get_config()
c.CourseDirectory.course_id = "{COURSE_ID}"
steps.configure(c)
c.Execute.timeout = {CELL_TIMEOUT}
"""


@dataclasses.dataclass(frozen=True)
class Fixture:
    """One student of the corpus: how the submission is made, and the grade it must get."""

    student: str
    what: str
    score: float
    status: str
    answers: dict | None = None  # grade_id -> code, on top of the instructor's solutions
    blank: bool = False  # the released notebook, answers as given only
    files: dict | None = None  # extra or replacement files: name -> text (None: a link to /etc/passwd)
    notebook: str | None = None  # raw text of the notebook file instead of JSON
    edit: object = None  # function(nb) -> nb, for edits beyond answer cells
    reason: str = ""  # a piece of the expected reason


def _without_cell(grade_id):
    def edit(nb):
        nb.cells = [c for c in nb.cells if simulate.grade_id(c) != grade_id]
        return nb
    return edit


def _edited_test(nb):
    for cell in nb.cells:
        if simulate.grade_id(cell) == "test_corr2d":
            cell.source = "4.0"
    return nb


LOOP_CORR2D = '''def corr2d(X, K):
    X, K = np.asarray(X, dtype=float), np.asarray(K, dtype=float)
    h, w = K.shape
    Y = np.zeros((X.shape[0] - h, X.shape[1] - w))  # one row and column short
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y'''

FIXTURES = [
    Fixture("honest_full", "every function right", 13.0, "graded"),
    Fixture("honest_partial", "convolve2d left as the stub", 11.0, "graded", blank=False,
            answers={"convolve2d": "def convolve2d(X, K):\n    raise NotImplementedError()"}),
    Fixture("honest_buggy", "corr2d one row and column short (the others call it)", 0.0, "graded",
            answers={"corr2d": LOOP_CORR2D}),
    Fixture("blank", "the released notebook, untouched", 0.0, "graded", blank=True),
    Fixture("warnings", "right, but every function warns on stderr", 13.0, "graded",
            answers={"corr2d": None}),  # filled in below: the solution with a warning added
    Fixture("cheat_allclose", "np.allclose replaced by an always-true function", 0.0, "flagged",
            answers={"corr2d": "np.allclose = lambda *a, **k: True\ndef corr2d(X, K):\n    return np.zeros((1, 1))"},
            reason="numpy.allclose is not numpy's own"),
    Fixture("cheat_asserts", "an input transformer deleting every assert line", 0.0, "graded", blank=True,
            answers={"corr2d": "get_ipython().input_transformers_post.append(\n"
                               "    lambda lines: [l for l in lines if 'assert' not in l])\n"
                               "def corr2d(X, K):\n    return np.zeros((1, 1))"}),
    Fixture("cheat_transformer_check", "an input transformer deleting the check calls", 0.0, "flagged", blank=True,
            answers={"corr2d": "get_ipython().input_transformers_post.append(\n"
                               "    lambda lines: [l for l in lines if 'check(' not in l])\n"
                               "def corr2d(X, K):\n    return np.zeros((1, 1))"},
            reason="the test never ran"),
    Fixture("cheat_exit", "os._exit(1) after a right corr2d", 4.0, "flagged",
            answers={"convolve2d": "import os\nos._exit(1)"}, reason="the kernel died"),
    Fixture("cheat_deleted_test", "the convolve2d test cell deleted, convolve2d a stub", 11.0, "graded",
            answers={"convolve2d": "def convolve2d(X, K):\n    raise NotImplementedError()"},
            edit=_without_cell("test_convolve2d")),
    Fixture("cheat_edited_test", "the corr2d test cell replaced by 4.0, corr2d wrong", 0.0, "graded",
            answers={"corr2d": "def corr2d(X, K):\n    return np.zeros((1, 1))"}, edit=_edited_test),
    Fixture("cheat_torch", "corr2d through torch.nn.functional.conv2d", 0.0, "flagged",
            answers={"corr2d": "import torch\ndef corr2d(X, K):\n    x = torch.as_tensor(np.asarray(X, float))[None, None]\n"
                               "    k = torch.as_tensor(np.asarray(K, float))[None, None]\n"
                               "    return torch.nn.functional.conv2d(x, k)[0, 0].numpy()"},
            reason="imports torch"),
    Fixture("cheat_solutions", "corr2d calls the reference package", 0.0, "flagged",
            answers={"corr2d": "def corr2d(X, K):\n    from solutions import corr2d as reference\n    return reference(X, K)"},
            reason="imports solutions"),
    Fixture("cheat_correlate", "corr2d built from numpy.correlate", 0.0, "flagged",
            answers={"corr2d": "def corr2d(X, K):\n    X, K = np.asarray(X, float), np.asarray(K, float)\n"
                               "    h, w = K.shape\n    return np.array([[sum(np.correlate(X[i + a, j:j + w], K[a])[0]"
                               " for a in range(h)) for j in range(X.shape[1] - w + 1)]"
                               " for i in range(X.shape[0] - h + 1)])"},
            reason="correlate"),
    Fixture("cheat_always_equal", "corr2d returns an object equal to everything", 0.0, "graded",
            answers={"corr2d": "class Same:\n    def __eq__(self, other):\n        return True\n"
                               "    __array_priority__ = 1000\n\ndef corr2d(X, K):\n    return Same()"}),
    Fixture("cheat_sys_modules", "a fake autograder in sys.modules", 0.0, "flagged",
            answers={"corr2d": "import sys, types\nfake = types.ModuleType('autograder')\n"
                               "fake.check = lambda *a, **k: 4.0\nsys.modules['autograder'] = fake\n"
                               "def corr2d(X, K):\n    return np.zeros((1, 1))"},
            reason="the test never ran"),
    Fixture("loop_interruptible", "while True: pass after a right convolve2d", 13.0, "flagged",
            answers={"convolve2d": None}, reason="ran longer than"),
    Fixture("loop_unstoppable", "an endless loop that swallows the interrupt", 4.0, "flagged",
            answers={"convolve2d": "import time\nwhile True:\n    try:\n        time.sleep(0.2)\n"
                                   "    except BaseException:\n        pass"},
            reason="ran longer than"),
    Fixture("memory_bomb", "a cell that allocates 100 GB", 13.0, "flagged",
            answers={"convolve2d": None}, reason="ran out of memory"),
    Fixture("huge_output", "a cell that prints 50 MB", 13.0, "flagged",
            answers={"convolve2d": None}, reason="printed too much"),
    Fixture("segfault", "the kernel crashes (a NULL read through ctypes) after corr2d", 4.0, "flagged",
            answers={"convolve2d": "import ctypes\nctypes.string_at(0)"}, reason="the kernel died"),
    Fixture("invalid_json", "the notebook file is not JSON", 0.0, "flagged", notebook='{"cells": [',
            reason="invalid JSON"),
    Fixture("renamed", "the notebook saved under another name", 0.0, "flagged",
            files={"my_work.ipynb": "from-solved"}, reason="renamed?"),
    Fixture("extra_files", "right, plus a notes file and a link to /etc/passwd", 13.0, "flagged",
            files={"notes.txt": "scratch", "secrets": None}, reason="links or special files"),
    Fixture("missing", "in the gradebook, nothing submitted", 0.0, "missing"),
]
BY_NAME = {fixture.student: fixture for fixture in FIXTURES}


def _answers(fixture: Fixture, solutions: dict) -> dict:
    """Return the answer cells of ``fixture``: the instructor's, with the fixture's own on top."""
    extra = {
        "warnings": {"corr2d": "import warnings\n" + solutions["corr2d"].replace(
            '    """\n', '    """\n    warnings.warn("a warning on stderr")\n', 1)},
        "loop_interruptible": {"convolve2d": solutions["convolve2d"] + "\n\nwhile True:\n    pass"},
        "memory_bomb": {"convolve2d": solutions["convolve2d"] + "\n\nhoard = bytearray(100 * 1024**3)"},
        "huge_output": {"convolve2d": solutions["convolve2d"] + "\n\nprint('x' * 50_000_000)"},
    }.get(fixture.student, {})
    given = {k: v for k, v in (fixture.answers or {}).items() if v is not None}
    base = {} if fixture.blank else dict(solutions)
    return {**base, **given, **extra}


def release(course: Path) -> None:
    """Create the corpus course at ``course``: config, ch1's source, and ``nbgrader generate_assignment``."""
    (course / "source").mkdir(parents=True)
    shutil.copytree(SOURCE / ASSIGNMENT, course / "source" / ASSIGNMENT)
    (course / "nbgrader_config.py").write_text(CONFIG)
    done = run_nbgrader("generate_assignment", ASSIGNMENT, "--force", cwd=course)
    assert done.returncode == 0, done.stderr


def submit(course: Path, fixtures=FIXTURES) -> None:
    """Write each fixture's submission to ``course/submitted/<student>/ch1_cross_correlation/``."""
    source = nbformat.read(source_path(ASSIGNMENT), as_version=4)
    released = nbformat.read(course / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    solutions = simulate.solution_code(source)
    for fixture in fixtures:
        if fixture.status == "missing":
            continue
        folder = course / "submitted" / fixture.student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / "timestamp.txt").write_text(TIMESTAMP)
        nb = simulate.submission(released, _answers(fixture, solutions))
        if fixture.edit is not None:
            nb = fixture.edit(nb)
        text = fixture.notebook if fixture.notebook is not None else nbformat.writes(nb)
        for name, content in (fixture.files or {}).items():
            if content is None:
                os.symlink("/etc/passwd", folder / name)
            elif content == "from-solved":
                (folder / name).write_text(text)
                text = None
            else:
                (folder / name).write_text(content)
        if text is not None:
            (folder / NOTEBOOK).write_text(text)


def gradebook_url(course: Path) -> str:
    """Return the URL of ``course``'s own SQLite gradebook (where :func:`build` creates the students)."""
    return f"sqlite:///{course / 'gradebook.db'}"


def build(course: Path, names=None) -> Path:
    """Create the corpus course at ``course`` with the fixtures ``names`` submitted (all of them when None),
    every one of them (the missing student too) known to the gradebook."""
    fixtures = FIXTURES if names is None else [BY_NAME[name] for name in names]
    release(course)
    submit(course, fixtures)
    with Gradebook(gradebook_url(course), COURSE_ID) as gb:
        for fixture in fixtures:
            gb.update_or_create_student(fixture.student)
    return course


def generate(course: Path, url: str) -> None:
    """Run ``nbgrader generate_assignment`` on ``course`` into the gradebook at ``url``, so that a
    database other than the course's own SQLite file knows the assignment before grading."""
    done = run_nbgrader("generate_assignment", ASSIGNMENT, "--force", "--db", url, cwd=course)
    assert done.returncode == 0, done.stderr


def gradebook(url: str, course_id: str = COURSE_ID, assignment: str = ASSIGNMENT) -> dict:
    """Return, per student of ``assignment`` in the gradebook at ``url``, the total score and nbgrader's
    flagged mark of each of their notebooks: ``{student: (score, [flagged, ...])}``."""
    with Gradebook(url, course_id) as gb:
        return {s.student.id: (s.score, [n.flagged for n in s.notebooks])
                for s in gb.assignment_submissions(assignment)}


if __name__ == "__main__":
    print(build(Path(sys.argv[1]).resolve()))
