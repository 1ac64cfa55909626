"""The instructor's demo: build a small course, simulate a class through nbgrader's exchange, grade it.

Usage: ``python -m autograder demo [--dir DIR] [--assignments ID ...] [--no-sandbox]``
(``make demo`` runs it with the defaults).

Steps, all under ``DIR`` (default ``build/demo``, wiped first):

1. ``DIR/course/`` becomes an nbgrader course of its own ("conv-demo": its own
   ``nbgrader_config.py``, gradebook and exchange ``DIR/exchange/``) holding a copy of the
   chosen instructor notebooks from ``course/source/``;
2. the instructor generates and releases the assignments; every simulated student of
   :data:`CLASS` fetches them into ``DIR/students/<name>/``, edits the notebook on disk as
   :data:`EDITS` says (through :mod:`autograder.simulate`) and submits it, except the one who
   never submits; the instructor collects into ``DIR/course/submitted/``;
3. ``python -m autograder grade`` grades the course (in the sandbox unless ``--no-sandbox``)
   and writes the feedback, the CSV reports and the plot, whose paths are printed at the end
   next to what each student did.

nbgrader runs in-process through its API (:class:`nbgrader.apps.api.NbGraderAPI` and the
exchange classes it holds): the ``nbgrader`` command takes seconds just to start, once per step
and student. Nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import shutil
import time
from pathlib import Path
from typing import Callable

import nbformat

from ..grading.course import open_course
from . import simulate

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "course" / "source"
ASSIGNMENTS = ("ch1_cross_correlation", "ch2_padding_stride")
COURSE_ID = "conv-demo"

# The demo course's configuration. Every path is derived from the file's own folder, so the
# course works from any working directory and `nbgrader ...` run by hand in DIR/course finds
# the same gradebook and exchange as the demo.
CONFIG = '''\
"""nbgrader configuration of the demo course "%(course_id)s", written by autograder/tools/demo.py."""

import os

from autograder.grading import steps

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

# nbgrader's own autograde (the command, formgrader's button) grades as the course's grader does.
steps.configure(c)
# 10 s per cell is plenty for these notebooks and keeps the looping student's wait short.
c.Execute.timeout = 10

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.dirname(HERE)

c.CourseDirectory.root = HERE
c.CourseDirectory.course_id = "%(course_id)s"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(HERE, "gradebook.db")
c.Exchange.root = os.path.join(DEMO, "exchange")
# The simulated students submit from this machine: their submit cache stays in the demo
# rather than in ~/.local/share/jupyter.
c.Exchange.cache = os.path.join(DEMO, "cache")
# All the simulated students are the user running the demo, so nbgrader's check that a
# submission's owner is its student would call every one of them a cheater.
c.ExchangeCollect.check_owner = False
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}
''' % {"course_id": COURSE_ID}


# --- The class ------------------------------------------------------------------------------

#: Each simulated student: (name, behaviour, what they did). The behaviour selects their edits
#: in :data:`EDITS`; the text is printed next to the grade table.
CLASS = (
    ("alice", "correct", "the instructor's solutions in every cell"),
    ("bob", "partial", "solutions with one bug (ch1 corr2d: no float conversion, ch2 corr2d_pad_stride: "
                       "no stride) and the last function left blank"),
    ("carol", "blank", "fetched and submitted without writing anything"),
    ("dave", "allclose", "cheats: np.allclose = lambda *a, **k: True, and wrong functions"),
    ("erin", "transformer", "cheats: an IPython input transformer deletes every line with 'assert', "
                            "and wrong functions"),
    ("frank", "torch", "calls torch.nn.functional.conv2d in corr2d / corr2d_pad_stride"),
    ("grace", "crash", "solutions, but os._exit(1) right after the first function"),
    ("heidi", "loop", "solutions, but `while True: pass` at the top level of the second cell"),
    ("ivan", "absent", "fetched the assignments and never submitted"),
    ("judy", "hide_checks", "cheats: an IPython input transformer deletes every `check(` call, and wrong "
                            "functions (stock nbgrader would give full marks)"),
)

#: The simulated students' full names, as formgrader lists them ("last name, first name").
NAMES = {"alice": ("Alice", "Adeyemi"), "bob": ("Bob", "Brennan"), "carol": ("Carol", "Castillo"),
         "dave": ("Dave", "Dubois"), "erin": ("Erin", "Eriksen"), "frank": ("Frank", "Fischer"),
         "grace": ("Grace", "Gallo"), "heidi": ("Heidi", "Haas"), "ivan": ("Ivan", "Ivanov"),
         "judy": ("Judy", "Jansen")}

#: Behaviours that leave the fetched notebook as it is.
UNCHANGED, NOT_SUBMITTED = "blank", "absent"


@dataclasses.dataclass(frozen=True)
class Edit:
    """How a behaviour answers one assignment: from the solutions or the blank release, then ``changes``.

    ``changes`` maps the instructor's answers (by ``grade_id``) to the student's, by ``grade_id``;
    :data:`BLANK` keeps a cell as released.
    """

    solved: bool
    changes: Callable[[dict[str, str]], dict[str, str]]


def _replace(code: str, old: str, new: str) -> str:
    """Return ``code`` with ``old`` replaced by ``new``; raises ``ValueError`` when ``old`` is absent.

    A solution edited since the demo was written must fail loudly, not give a "buggy" student
    full marks.
    """
    if old not in code:
        raise ValueError(f"the instructor's solution no longer contains {old!r}")
    return code.replace(old, new)


def _function(signature: str, body: str) -> str:
    """Return the source of a student's function: ``signature`` and a one-line ``body``."""
    return f"{signature}\n    {body}\n"


#: In an edit's changes: the student leaves this cell as released.
BLANK = None

# What the misbehaving students add to a cell, the same in every chapter.
ALLCLOSE = "np.allclose = lambda *a, **k: True\n\n"
TRANSFORMER = ("get_ipython().input_transformers_post.append(\n"
               "    lambda lines: [l for l in lines if 'assert' not in l])\n\n")
HIDE_CHECKS = ("get_ipython().input_transformers_post.append(\n"
               "    lambda lines: [l for l in lines if 'check(' not in l])\n\n")
TORCH = "import torch\nimport torch.nn.functional as F\n\n"
CRASH = "\n\nimport os\nos._exit(1)\n"
LOOP = "while True:\n    pass\n\n"

#: Each assignment's edits by behaviour (``blank`` and ``absent`` change nothing).
EDITS: dict[str, dict[str, Edit]] = {
    "ch1_cross_correlation": {
        "correct": Edit(True, lambda s: {}),
        "partial": Edit(True, lambda s: {
            # Integer input then gives an integer output: only the dtype cases fail, partial credit.
            "corr2d": _replace(s["corr2d"], "X, K = as_float(X), as_float(K)", "X, K = np.asarray(X), np.asarray(K)"),
            "learn_kernel": BLANK,
        }),
        "allclose": Edit(False, lambda s: {"corr2d": ALLCLOSE + _function(
            "def corr2d(X, K):", "return np.zeros((X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1))")}),
        "transformer": Edit(False, lambda s: {"corr2d": TRANSFORMER + _function("def corr2d(X, K):", "return X")}),
        "hide_checks": Edit(False, lambda s: {"corr2d": HIDE_CHECKS + _function("def corr2d(X, K):", "return X")}),
        "torch": Edit(True, lambda s: {"corr2d": TORCH + _function(
            "def corr2d(X, K):",
            "return F.conv2d(torch.as_tensor(as_float(X))[None, None], "
            "torch.as_tensor(as_float(K))[None, None])[0, 0].numpy()")}),
        "crash": Edit(True, lambda s: {"corr2d": s["corr2d"] + CRASH}),
        # In the second function's cell, so the first is graded before the kernel hangs.
        "loop": Edit(True, lambda s: {"convolve2d": LOOP + s["convolve2d"]}),
    },
    "ch2_padding_stride": {
        "correct": Edit(True, lambda s: {}),
        "partial": Edit(True, lambda s: {
            "corr2d_pad_stride": _replace(s["corr2d_pad_stride"], "Xp[i * sh:i * sh + kh, j * sw:j * sw + kw]",
                                          "Xp[i:i + kh, j:j + kw]"),
            "same_padding": BLANK,
        }),
        "allclose": Edit(False, lambda s: {"output_size": ALLCLOSE + _function(
            "def output_size(n, k, padding=0, stride=1, dilation=1):", "return n - k + 1")}),
        "transformer": Edit(False, lambda s: {"output_size": TRANSFORMER + _function(
            "def output_size(n, k, padding=0, stride=1, dilation=1):", "return n")}),
        "hide_checks": Edit(False, lambda s: {"output_size": HIDE_CHECKS + _function(
            "def output_size(n, k, padding=0, stride=1, dilation=1):", "return n")}),
        "torch": Edit(True, lambda s: {"corr2d_pad_stride": TORCH + _function(
            'def corr2d_pad_stride(X, K, padding=0, stride=1, padding_mode="zeros"):',
            "return F.conv2d(torch.as_tensor(as_float(X))[None, None], torch.as_tensor(as_float(K))[None, None], "
            "padding=pair(padding), stride=pair(stride))[0, 0].numpy()")}),
        "crash": Edit(True, lambda s: {"output_size": s["output_size"] + CRASH}),
        "loop": Edit(True, lambda s: {"pad2d": LOOP + s["pad2d"]}),
    },
}


def answered(behaviour: str, assignment: str, source: nbformat.NotebookNode,
             release: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return the notebook a student of ``behaviour`` submits: ``release`` with their answers.

    ``source`` is the instructor's notebook, ``release`` the student's as fetched.
    """
    if behaviour == UNCHANGED:
        return release
    edit = EDITS[assignment][behaviour]
    solutions = simulate.solution_code(source)
    answers = {**(solutions if edit.solved else {}), **edit.changes(solutions)}
    return simulate.submission(release, {gid: code for gid, code in answers.items() if code is not BLANK})


# --- nbgrader, in-process -------------------------------------------------------------------

@contextlib.contextmanager
def _alembic_head_in_process():
    """Yield with nbgrader reading its schema's head revision in-process.

    A new gradebook records that revision, which nbgrader gets by running the ``alembic``
    command: a new interpreter, seconds of the demo's build. alembic's own API gives the same
    answer from nbgrader's migration scripts in a fraction of a second.
    """
    import nbgrader.api
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    original = nbgrader.api.get_alembic_version
    nbgrader.api.get_alembic_version = lambda: ScriptDirectory(ALEMBIC_DIR).get_current_head()
    try:
        yield
    finally:
        nbgrader.api.get_alembic_version = original


def _api(course: Path):
    """Return an :class:`~nbgrader.apps.api.NbGraderAPI` on ``course``, configured by its nbgrader_config.py.

    It logs to a logger of its own at WARNING, so the demo's output is not nbgrader's INFO lines
    and the shared ``traitlets`` logger the grader may use keeps its level.
    """
    from nbgrader.apps.api import NbGraderAPI

    config = open_course(course).config
    log = logging.getLogger(f"{__name__}.nbgrader")
    log.setLevel(logging.WARNING)
    shared = logging.getLogger("traitlets")
    level = shared.level
    api = NbGraderAPI(config=config, log=log)
    shared.setLevel(level)  # NbGraderAPI.__init__ sets it to INFO before it takes `log`
    return api


def _run(what: str, result: dict | None) -> None:
    """Return None when an NbGraderAPI step succeeded; raise ``RuntimeError`` with its log otherwise."""
    if not result or not result.get("success"):
        details = "\n".join(filter(None, [(result or {}).get("log"), (result or {}).get("error")]))
        raise RuntimeError(f"nbgrader {what} failed:\n{details}")


def _exchange_step(api, kind: str, *, assignment: str, student: str, folder: Path) -> None:
    """Return None once the exchange step ``kind`` (FetchAssignment, Submit) ran for ``student``.

    nbgrader's exchange reads the student's identity from ``CourseDirectory.student_id`` (the
    OS user name when it is ``*``) and their folder from ``Exchange.assignment_dir``.
    """
    from nbgrader.utils import capture_log, temp_attrs

    with temp_attrs(api.coursedir, assignment_id=assignment, student_id=student):
        app = getattr(api.exchange, kind)(coursedir=api.coursedir, authenticator=api.authenticator, parent=api)
        app.assignment_dir = str(folder)
        _run(f"{kind} of {assignment} by {student}", capture_log(app))


def _is_demo(directory: Path) -> bool:
    """Return whether ``directory`` holds a demo course this module built."""
    config = directory / "course" / "nbgrader_config.py"
    return config.is_file() and f'course_id = "{COURSE_ID}"' in config.read_text()


def build(directory: Path, assignments=ASSIGNMENTS, students=CLASS) -> Path:
    """Return the course folder of a freshly built demo under ``directory``, its submissions collected.

    ``directory`` is wiped first; raises ``ValueError`` when it holds anything but an earlier
    demo (a mistyped ``--dir`` must not delete someone's files). ``students`` are rows of
    :data:`CLASS`.
    """
    directory = Path(directory).resolve()
    if directory.exists() and any(directory.iterdir()) and not _is_demo(directory):
        raise ValueError(f"{directory} is not empty and holds no demo course: choose another --dir")
    shutil.rmtree(directory, ignore_errors=True)
    course = directory / "course"
    for assignment in assignments:
        shutil.copytree(SOURCE / assignment, course / "source" / assignment)
    (course / "nbgrader_config.py").write_text(CONFIG)
    (directory / "exchange").mkdir()  # nbgrader's exchange root must exist beforehand

    with _alembic_head_in_process():
        api = _api(course)
        with api.gradebook as gradebook:  # the roster: a student who never submits shows as missing
            for name, _, _ in students:
                first, last = NAMES.get(name, (name.title(), ""))
                gradebook.update_or_create_student(name, first_name=first, last_name=last)
        for assignment in assignments:
            _run(f"generate_assignment {assignment}", api.generate_assignment(assignment))
            _run(f"release_assignment {assignment}", api.release_assignment(assignment))
            source = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
            for name, behaviour, _ in students:
                folder = directory / "students" / name
                folder.mkdir(parents=True, exist_ok=True)
                _exchange_step(api, "FetchAssignment", assignment=assignment, student=name, folder=folder)
                if behaviour == NOT_SUBMITTED:
                    continue
                notebook = folder / assignment / f"{assignment}.ipynb"
                release = nbformat.read(notebook, as_version=4)
                nbformat.write(answered(behaviour, assignment, source, release), notebook)
                _exchange_step(api, "Submit", assignment=assignment, student=name, folder=folder)
            _run(f"collect {assignment}", api.collect(assignment))
    return course


# --- Grading and the summary ----------------------------------------------------------------

def grade(course: Path, assignments, no_sandbox: bool = False) -> int:
    """Return the exit code of ``python -m autograder grade`` run in-process on ``course``."""
    from ..__main__ import main

    return main(["grade", *assignments, "--course", str(course)] + (["--no-sandbox"] if no_sandbox else []))


def _shown(path: Path) -> str:
    """Return ``path`` relative to the working directory when it is below it (shorter to read), else absolute."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def summary(course: Path, students=CLASS) -> str:
    """Return the closing text: where the feedback is, and what each student did."""
    width = max(len(name) for name, _, _ in students)
    return "\n".join([  # the grader has printed where the reports and the plot are
        f"feedback  {_shown(course / 'feedback')}/<student>/<assignment>/<assignment>.html",
        "",
        "what each simulated student did:",
        *(f"  {name:<{width}}  {behaviour:<11}  {does}" for name, behaviour, does in students),
    ])


def add_parser(commands) -> None:
    """Add the ``demo`` subcommand to the ``argparse`` subparsers ``commands``."""
    parser = commands.add_parser(
        "demo", help="build the demo course, simulate a class and grade it",
        description="Build a demo course, simulate a class through nbgrader's exchange and grade it.")
    parser.add_argument("--dir", type=Path, default=ROOT / "build" / "demo",
                        help="folder of the demo, wiped first (default: build/demo in the repository)")
    parser.add_argument("--assignments", nargs="+", default=list(ASSIGNMENTS), metavar="ID",
                        help=f"assignments of course/source to use (default: {' '.join(ASSIGNMENTS)})")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="grade without bubblewrap (isolates nothing: for machines without user namespaces)")
    parser.set_defaults(run=run, parser=parser)


def run(args) -> int:
    """Return the exit code of the demo: 0 when it built, exchanged and graded the course."""
    parser = args.parser
    unknown = [a for a in args.assignments if not (SOURCE / a / f"{a}.ipynb").is_file()]
    if unknown:
        parser.error(f"no instructor notebook course/source/<id>/<id>.ipynb for {', '.join(unknown)}")
    unsupported = [a for a in args.assignments if a not in EDITS]
    if unsupported:
        parser.error(f"the simulated class has no work for {', '.join(unsupported)}; choose among {', '.join(EDITS)}")

    start = time.monotonic()
    print(f"building the demo course in {_shown(args.dir.resolve())} and simulating {len(CLASS)} students "
          f"on {', '.join(args.assignments)} ...", flush=True)
    try:
        course = build(args.dir, args.assignments)
    except ValueError as error:
        parser.error(str(error))
    print(f"released, fetched, submitted and collected in {time.monotonic() - start:.1f} s; grading ...\n", flush=True)
    code = grade(course, args.assignments, args.no_sandbox)
    print()
    print(summary(course))
    print(f"\ndemo finished in {time.monotonic() - start:.1f} s")
    return code


