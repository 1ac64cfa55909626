"""Time the batch grader against stock nbgrader on a simulated class, and check that both give the same grades.

Usage: python benchmarks/bench_grading.py [--students K] [--assignments ID ...] [--cell-timeout T]
                                          [--keep DIR] [--json PATH]

One run (``make bench-grading`` runs it with the defaults):

1. builds an nbgrader course of K simulated students (default 8) times every chapter of the
   syllabus (:func:`autograder.casebook.chapters`), each student honest but different (see
   :data:`BEHAVIOURS`), seeded so that every run grades the same notebooks; the submissions are
   written straight into ``submitted/<student>/<assignment>/`` and the assignments generated
   with nbgrader's API in-process. The course is then copied once per configuration, so that
   every grader starts from the same state;
2. **stock**: ``nbgrader autograde <assignment> --force --Execute.timeout=T``, the real command,
   one process per assignment;
3. **ours x1** and **ours xN**: ``python -m autograder grade <every assignment> --course COPY
   --cell-timeout T --quiet [--workers N]``, N = os.cpu_count(). ``--workers`` is used only when
   ``python -m autograder grade --help`` offers it; otherwise that configuration is skipped and
   the output says so;
4. **floor**: the same notebooks' code cells run in this process by an IPython
   ``InteractiveShell``, with ``NBGRADER_EXECUTION=autograde`` and ``AUTOGRADER_ALL_CASES=1`` as
   while grading and the cells that use PyTorch skipped (the grader skips them too): no
   kernel, no sandbox, no nbgrader; imports are paid once, before the clock starts;
5. reads every gradebook and compares, per (student, assignment), the total autograded score
   of stock with ours (and the floor's own ``check`` totals); a difference is printed as a
   finding;
6. prints notebooks per second, seconds per notebook per worker, the ratios ours/stock, where
   ours spends a notebook's time (the mean of ``steps`` in the grader's records, when it
   writes them) and the targets below, each met or MISSED. The exit status is 0 either way:
   the machine is shared, and only ratios measured in one run mean anything.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import dataclasses
import io
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbgrader.utils import is_grade, is_solution

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # so that a plain checkout runs
from autograder.casebook import chapters  # noqa: E402
from autograder.grading.prepare import is_test, needs_torch  # noqa: E402
from autograder.tools import simulate  # noqa: E402
from autograder.tools.demo import _alembic_head_in_process, _api, _run  # noqa: E402
from report import VERDICTS, print_table, print_targets  # noqa: E402 - this folder, on sys.path as the script's

SOURCE = ROOT / "course" / "source"
BIN = Path(sys.executable).parent  # nbgrader runs `alembic` and the kernel's `python` by name

TARGET_SPEEDUP = 5.0            # ours with every core / stock nbgrader, notebooks per second, at least
TARGET_SECONDS_PER_NOTEBOOK = 1.0  # per numpy-only notebook and worker, at most

DEFAULT_STUDENTS = 8
DEFAULT_CELL_TIMEOUT = 30.0     # nbgrader's own default for Execute.timeout, and the grader's
SEED = 0
# Total scores are sums of per-cell scores rounded to 2 decimals: they agree exactly, up to the
# rounding of a float sum, far below the smallest step a score can take (0.01).
SCORE_TOLERANCE = 1e-6

COURSE_ID = "conv-bench"
CONFIG = '''\
"""nbgrader configuration of the course "%(course_id)s", written by benchmarks/bench_grading.py."""

import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

# From this file's folder, so that each copy of the course is a course of its own.
HERE = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.root = HERE
c.CourseDirectory.course_id = "%(course_id)s"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(HERE, "gradebook.db")
# Unused (submissions are written straight into submitted/), but nbgrader's API checks it exists.
c.Exchange.root = os.path.join(HERE, "exchange")
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}
''' % {"course_id": COURSE_ID}
#: When every simulated student submitted (nbgrader's timestamp format); no due date, so never late.
TIMESTAMP = "2025-01-06 09:00:00.000000 UTC"


# --- The class ------------------------------------------------------------------------------

#: Student i behaves as BEHAVIOURS[i % len(BEHAVIOURS)]: every student is honest, and they differ
#: in what the grader has to do (full marks, lost points, an exception per case, slow calls,
#: printed output and warnings).
BEHAVIOURS = ("correct", "wrong", "stub", "slow", "noisy", "correct", "wrong", "noisy")
BEHAVIOUR_TEXT = {
    "correct": "the instructor's solutions",
    "wrong": "one function broken but still running: kernel not rotated, a loop bound or the result off by one",
    "stub": "one function left as released (it raises NotImplementedError)",
    "slow": "correct, with about half a millisecond of extra Python work per call in every function",
    "noisy": "correct; one function prints on every call, one cell prints and warns",
}

#: Extra Python work at the top of every function body of the slow student: no function call
#: inside, so that the grader's profiler does not multiply its cost. Half a millisecond a call, about.
SLOW_LINE = "for _busy in range(10_000): _busy * _busy  # recomputes something and throws it away"
#: The noisy student prints on every call of one function and warns (numpy's division by zero)
#: at the top level of another cell.
PRINT_LINE = 'print("debug: %s called")'
WARN_LINES = '\n\nprint("debug: done", np.float64(1.0) / np.float64(0.0))\n'

_BODY = re.compile(r"^([ \t]+)### BEGIN SOLUTION[^\n]*\n", re.MULTILINE)
_LOOP = re.compile(r"^(\s*for\s+\w+\s+in\s+range\()(.*)(\):[ \t]*(?:#.*)?)$", re.MULTILINE)
_RETURN = re.compile(r"^([ \t]*return )(.+?)([ \t]*#.*)?$", re.MULTILINE)


def _without_rotation(code: str) -> str | None:
    """Return ``code`` with the 180-degree kernel rotation left out, or None when it has none."""
    return code.replace("[::-1, ::-1]", "", 1) if "[::-1, ::-1]" in code else None


def _loop_bound(code: str) -> str | None:
    """Return ``code`` with its first ``for ... in range(n):`` stopping one short, or None without one."""
    return _LOOP.sub(r"\1\2 - 1\3", code, count=1) if _LOOP.search(code) else None


def _result_plus_one(code: str) -> str | None:
    """Return ``code`` with its last one-line, single-value ``return`` giving one more, or None.

    A ``return a, b`` is left alone: ``(a, b) + 1`` would raise on every call, which is the
    stub's behaviour, not a wrong result.
    """
    for match in reversed(list(_RETURN.finditer(code))):
        try:
            expression = ast.parse(match[2], mode="eval").body
        except SyntaxError:  # the expression continues on the next line
            continue
        if not isinstance(expression, ast.Tuple):
            return code[:match.start()] + f"{match[1]}({match[2]}) + 1{match[3] or ''}" + code[match.end():]
    return None


#: How the "wrong" student breaks one function, in the order tried on the chosen function: each
#: still defines the function, which then returns a wrong value.
MISTAKES = (("no kernel rotation", _without_rotation), ("loop bound off by one", _loop_bound),
            ("result off by one", _result_plus_one))


def _compiles(code: str) -> bool:
    try:
        compile(code, "<answer>", "exec")
    except SyntaxError:
        return False
    return True


def _mistake(code: str) -> tuple[str, str] | None:
    """Return (what, changed code) of the first of :data:`MISTAKES` that applies to ``code``, or None."""
    for what, edit in MISTAKES:
        changed = edit(code)
        if changed is not None and _compiles(changed):
            return what, changed
    return None


def _into_bodies(source: nbformat.NotebookNode, grade_ids, line: str) -> nbformat.NotebookNode:
    """Return a copy of the instructor's ``source`` with ``line`` first in every answered function body
    of the cells ``grade_ids`` (after each indented ``BEGIN SOLUTION`` marker, at its indentation)."""
    edited = copy.deepcopy(source)
    for cell in edited.cells:
        if simulate.grade_id(cell) in grade_ids:
            cell.source = _BODY.sub(lambda m: m[0] + m[1] + line + "\n", cell.source)
    return edited


@dataclasses.dataclass(frozen=True)
class Work:
    """What one student submits for one assignment: answers by ``grade_id``, and what they did, in words."""

    answers: dict
    does: str


def answer_cells(source: nbformat.NotebookNode) -> list[str]:
    """Return the ``grade_id`` of every code answer cell of an instructor notebook, in order."""
    return [simulate.grade_id(c) for c in source.cells if c.cell_type == "code" and is_solution(c)]


def student_work(behaviour: str, source: nbformat.NotebookNode, rng: random.Random) -> Work:
    """Return the work of a student of ``behaviour`` (one of :data:`BEHAVIOURS`) on the notebook ``source``.

    Written answers (markdown cells) are the instructor's for everyone: they are graded by hand.
    Raises ``ValueError`` when the notebook offers nothing the behaviour can change.
    """
    cells = answer_cells(source)
    if not cells:
        raise ValueError(f"{behaviour}: the notebook has no code answer cell")
    if behaviour == "correct":
        return Work(simulate.solution_code(source), BEHAVIOUR_TEXT["correct"])
    if behaviour == "stub":
        blank = rng.choice(cells)
        answers = simulate.solution_code(source)
        del answers[blank]
        return Work(answers, f"{blank} left as the stub")
    if behaviour == "wrong":
        answers = simulate.solution_code(source)
        breakable = {gid: found for gid in cells if (found := _mistake(answers[gid]))}
        if not breakable:
            raise ValueError("wrong: no answer cell can be broken by any of MISTAKES")
        broken = rng.choice(list(breakable))
        what, answers[broken] = breakable[broken]
        return Work(answers, f"{broken}: {what}")
    if behaviour == "slow":
        return Work(simulate.solution_code(_into_bodies(source, cells, SLOW_LINE)),
                    BEHAVIOUR_TEXT["slow"])
    if behaviour == "noisy":
        chatty, warner = rng.choice(cells), rng.choice(cells)
        answers = simulate.solution_code(_into_bodies(source, [chatty], PRINT_LINE % chatty))
        answers[warner] += WARN_LINES
        return Work(answers, f"correct; {chatty} prints on every call, {warner}'s cell prints and warns")
    raise ValueError(f"behaviour must be one of {sorted(set(BEHAVIOURS))}, got {behaviour!r}")


def roster(count: int) -> list[tuple[str, str]]:
    """Return (student id, behaviour) of ``count`` simulated students."""
    behaviours = [BEHAVIOURS[i % len(BEHAVIOURS)] for i in range(count)]
    return [(f"s{i + 1:02d}_{behaviour}", behaviour) for i, behaviour in enumerate(behaviours)]


# --- The course -----------------------------------------------------------------------------

def build(course: Path, assignments, students) -> dict:
    """Build the course at ``course``: generated assignments, every student's submission, the roster.

    Return what each student did, ``{(student, assignment): text}``.
    """
    course.mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(CONFIG)
    (course / "exchange").mkdir()
    for assignment in assignments:
        shutil.copytree(SOURCE / assignment, course / "source" / assignment)
    with _alembic_head_in_process():
        api = _api(course)
        with api.gradebook as gradebook:
            for student, _ in students:
                gradebook.update_or_create_student(student)
        for assignment in assignments:
            _run(f"generate_assignment {assignment}", api.generate_assignment(assignment))
    does = {}
    for assignment in assignments:
        source = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
        release = nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", as_version=4)
        for student, behaviour in students:
            work = student_work(behaviour, source, random.Random(f"{SEED}:{student}:{assignment}"))
            folder = course / "submitted" / student / assignment
            folder.mkdir(parents=True)
            nbformat.write(simulate.submission(release, work.answers), folder / f"{assignment}.ipynb")
            (folder / "timestamp.txt").write_text(TIMESTAMP)
            does[student, assignment] = work.does
    return does


def submitted(course: Path, student: str, assignment: str) -> Path:
    return course / "submitted" / student / assignment / f"{assignment}.ipynb"


def imports(cell) -> set[str]:
    """Return the top-level package names a code cell imports (IPython syntax allowed)."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        tree = ast.parse(TransformerManager().transform_cell(cell.source))
    except SyntaxError:
        return {"<unparsable>"}
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add((node.module or "<relative>").split(".")[0])
    return names


def numpy_only(notebook: nbformat.NotebookNode) -> bool:
    """Return whether the graded cells (answers and tests) of ``notebook`` import nothing but numpy.

    ``autograder`` does not count: every test cell imports ``check`` from it, the grader's own.
    """
    graded = [c for c in notebook.cells if c.cell_type == "code" and (is_solution(c) or is_grade(c))]
    return set().union(*map(imports, graded)) <= {"numpy", "autograder"}


# --- The graders ----------------------------------------------------------------------------

def environment() -> dict:
    """Return the environment of the graders: this environment's bin/ first on PATH."""
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def timed_command(command: list, cwd: Path, log: Path) -> tuple[float, int]:
    """Return (wall seconds, exit code) of ``command`` run in ``cwd``, its output appended to ``log``."""
    with open(log, "a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(map(str, command))}\n")
        out.flush()
        start = time.perf_counter()
        code = subprocess.run(list(map(str, command)), cwd=cwd, env=environment(), stdout=out,
                              stderr=subprocess.STDOUT).returncode
        return time.perf_counter() - start, code


def has_workers_option() -> bool:
    """Return whether ``python -m autograder grade`` offers ``--workers`` (it is being added)."""
    help_text = subprocess.run([sys.executable, "-m", "autograder", "grade", "--help"], cwd=ROOT, env=environment(),
                               capture_output=True, text=True).stdout
    return "--workers" in help_text


def run_stock(course: Path, assignments, cell_timeout: float) -> dict:
    """Grade ``course`` with stock nbgrader, one ``nbgrader autograde`` per assignment; return its timing."""
    log, seconds, failed = course / "bench.log", 0.0, []
    for assignment in assignments:
        elapsed, code = timed_command([BIN / "nbgrader", "autograde", assignment, "--force",
                                       f"--Execute.timeout={cell_timeout:g}"], course, log)
        seconds += elapsed
        if code:
            failed.append(f"nbgrader autograde {assignment} exited with {code}")
    return dict(seconds=seconds, workers=1, failed=failed, log=str(log))


def run_ours(course: Path, assignments, cell_timeout: float, workers: int | None) -> dict:
    """Grade ``course`` with ``python -m autograder grade``, ``--workers`` when given; return its timing."""
    log = course / "bench.log"
    command = [sys.executable, "-m", "autograder", "grade", *assignments, "--course", course,
               "--cell-timeout", f"{cell_timeout:g}", "--quiet"] + ([] if workers is None else ["--workers", workers])
    seconds, code = timed_command(command, ROOT, log)
    return dict(seconds=seconds, workers=workers or 1, failed=[f"exited with {code}"] if code else [], log=str(log))


@contextlib.contextmanager
def _grading_environment(folder: Path):
    """Run the body in ``folder`` with the environment variables a notebook sees while graded."""
    saved = {name: os.environ.get(name) for name in ("NBGRADER_EXECUTION", "AUTOGRADER_ALL_CASES", "MPLBACKEND")}
    os.environ.update(NBGRADER_EXECUTION="autograde", AUTOGRADER_ALL_CASES="1", MPLBACKEND="Agg")
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(cwd)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_floor(course: Path, pairs) -> dict:
    """Run each notebook's code cells in this process (no kernel, no sandbox); return seconds and scores.

    Cells that use PyTorch are skipped as the grader skips them; what the cells print is
    discarded. The shell's namespace is reset between notebooks; imports (numpy, the autograder
    with its cases, the widgets) happen once, before the first notebook is timed.
    """
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.enable_gui = lambda gui=None: None  # for `%matplotlib inline`: the base shell has no event loop to set up
    seconds, scores = {}, {}
    with _grading_environment(course), contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        shell.run_cell("import numpy, widgets, matplotlib.pyplot\nfrom autograder import check", store_history=False)
        for student, assignment in pairs:
            path = submitted(course, student, assignment)
            cells = [c for c in nbformat.read(path, as_version=4).cells
                     if c.cell_type == "code" and not (needs_torch(c) and not is_test(c))]
            shell.reset(new_session=False)
            total = 0.0
            with _grading_environment(path.parent):
                start = time.perf_counter()
                for cell in cells:
                    result = shell.run_cell(cell.source, store_history=False)
                    if is_test(cell) and isinstance(result.result, float):  # check returns a Score, a float
                        total += float(result.result)
                seconds[student, assignment] = time.perf_counter() - start
            scores[student, assignment] = total
            shell.run_cell("import matplotlib.pyplot\nmatplotlib.pyplot.close('all')", store_history=False)
    return dict(seconds=sum(seconds.values()), workers=1, per_notebook=seconds, scores=scores, failed=[])


# --- Results --------------------------------------------------------------------------------

def gradebook_scores(course: Path, pairs) -> dict:
    """Return the total autograded score of each (student, assignment) in the course's gradebook (None if absent)."""
    from nbgrader.api import Gradebook, MissingEntry

    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gradebook:
        for student, assignment in pairs:
            try:
                submission = gradebook.find_submission(assignment, student)
            except MissingEntry:
                scores[student, assignment] = None
                continue
            scores[student, assignment] = sum(grade.auto_score or 0.0 for notebook in submission.notebooks
                                              for grade in notebook.grades if grade.cell_type == "code")
    return scores


def max_scores(course: Path, assignments) -> dict:
    """Return the autograded points of each assignment."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gradebook:
        return {a: sum(cell.max_score for notebook in gradebook.find_assignment(a).notebooks
                       for cell in notebook.grade_cells if cell.cell_type == "code") for a in assignments}


def records(course: Path, pairs) -> dict:
    """Return the grader's record of each (student, assignment) that has one, as JSON data."""
    found = {}
    for student, assignment in pairs:
        path = course / "reports" / "records" / assignment / f"{student}.json"
        if path.is_file():
            found[student, assignment] = json.loads(path.read_text())
    return found


def step_means(found: dict) -> dict:
    """Return the mean seconds of each grading step over the records that have ``steps`` (empty if none)."""
    steps = [record["steps"] for record in found.values() if record.get("steps")]
    names = list(dict.fromkeys(name for step in steps for name in step))
    return {name: statistics.fmean(step.get(name, 0.0) for step in steps) for name in names}


def mismatches(pairs, stock: dict, others: dict, does: dict) -> list[str]:
    """Return one line per (student, assignment) whose score in ``others`` (by configuration) differs from stock's.

    ``does`` says what each student did, by (student, assignment), for the line.
    """
    lines = []
    for pair in pairs:
        for name, scores in others.items():
            theirs, ours = stock.get(pair), scores.get(pair)
            if theirs is None or ours is None or abs(theirs - ours) > SCORE_TOLERANCE:
                lines.append(f"{pair[0]} {pair[1]} ({does[pair]}): stock {_score(theirs)}, {name} {_score(ours)}")
    return lines


def _total(scores: dict, pairs) -> float | None:
    """Return the sum of ``scores`` over ``pairs``, None when one of them has no grade."""
    values = [scores.get(pair) for pair in pairs]
    return None if None in values else round(sum(values), 2)


def _score(value) -> str:
    return "no grade" if value is None else f"{value:g}"


# --- Output ---------------------------------------------------------------------------------

def print_class(students) -> None:
    """Print who behaves how (the details, assignment by assignment, are in --json's ``does``)."""
    print(f"the class (seed {SEED}):")
    for behaviour, text in BEHAVIOUR_TEXT.items():
        ids = [student for student, b in students if b == behaviour]
        if ids:
            print(f"  {behaviour:<8} {', '.join(ids)}: {text}")


def grade_every_way(folder: Path, built: Path, assignments, pairs, cell_timeout: float, cores: int):
    """Copy the course once per grader, run each, then the floor; return (runs, copies), by configuration."""
    workers = has_workers_option()
    configurations = {"stock": ("stock nbgrader", lambda c: run_stock(c, assignments, cell_timeout)),
                      "ours x1": ("ours, 1 worker", lambda c: run_ours(c, assignments, cell_timeout,
                                                                       1 if workers else None))}
    if workers:
        configurations[f"ours x{cores}"] = (f"ours, {cores} workers",
                                            lambda c: run_ours(c, assignments, cell_timeout, cores))
    copies = {key: folder / key.replace(" ", "_") for key in configurations}
    for target in copies.values():
        shutil.copytree(built, target)
    runs = {}
    for key, (title, run) in configurations.items():
        print(f"{title} ...", end=" ", flush=True)
        runs[key] = run(copies[key])
        print(f"{runs[key]['seconds']:.1f} s" + "".join(f"; {f} (see {runs[key]['log']})" for f in runs[key]["failed"]),
              flush=True)
    if not workers:
        print(f"ours, {cores} workers: not run, `python -m autograder grade --help` offers no --workers yet")
    print("floor (in-process, no kernel, no sandbox) ...", end=" ", flush=True)
    runs["floor"] = run_floor(built, pairs)
    print(f"{runs['floor']['seconds']:.1f} s", flush=True)
    return runs, copies


def print_throughput(runs: dict, found: dict, count: int) -> dict:
    """Print notebooks per second and seconds per notebook of every configuration; return the rates."""
    rates = {key: count / run["seconds"] for key, run in runs.items()}
    rows = []
    for key, run in runs.items():
        per_notebook = ([r["seconds"] for r in found[key].values()] if key in found
                        else list(run.get("per_notebook", {}).values()))
        rows.append([key, f"{rates[key]:.3f}", f"{run['seconds'] * run['workers'] / count:.2f}",
                     f"{statistics.fmean(per_notebook):.2f}" if per_notebook else "",
                     f"{rates[key] / rates['stock']:.2f}x"])
    print("\nthroughput (wall time; stock and ours include starting their processes, the floor does not;\n"
          "mean s/notebook: the records' seconds for ours, the floor's own clock for the floor)")
    print_table(["configuration", "notebooks/s", "s/notebook/worker", "mean s/notebook", "ours/stock"], rows)
    return rates


def print_steps(key: str, found: dict) -> None:
    """Print where the configuration ``key`` spent a notebook: the mean of each step over its records."""
    means = step_means(found)
    if not means:
        print(f"\nwhere {key} spends a notebook: not measured, none of its {len(found)} records has `steps`")
        return
    timed = [record for record in found.values() if record.get("steps")]
    total = statistics.fmean(record["seconds"] for record in timed)
    print(f"\nwhere {key} spends a notebook (mean over {len(timed)} records, of {total:.2f} s a record)")
    print_table(["step", "seconds", "share"],
                [[name, f"{s:.3f}", f"{s / total:.0%}" if total else ""] for name, s in means.items()])


def print_grades(scores: dict, maxima: dict, students, assignments, differ: list) -> None:
    """Print each student's total by configuration and the (student, assignment) whose grades differ."""
    compared = [key for key in scores if key != "stock"]
    print(f"\ngrades: total autograded score of each student, stock against {', '.join(compared)}")
    print_table(["student", *scores, "of"], [
        [student] + [_score(_total(scores[key], [(student, a) for a in assignments])) for key in scores]
        + [f"{sum(maxima.values()):g}"] for student, _ in students])
    comparisons = len(students) * len(assignments) * len(compared)
    print(f"{comparisons - len(differ)} of {comparisons} comparisons of (student, assignment) agree"
          + ("" if not differ else "; these differ:"))
    for line in differ:
        print(f"  {line}")


def targets(rates: dict, found: dict, counted: list, cores: int) -> dict:
    """Return each target's line and whether it is met (None: not measured in this run)."""
    parallel = f"ours x{cores}"
    speedup = rates[parallel] / rates["stock"] if parallel in rates else None
    # Judged on the run with every core when there is one. A record's seconds are the time one
    # worker spent on that notebook.
    key = parallel if parallel in found else "ours x1"
    seconds = [found[key][pair]["seconds"] for pair in counted if pair in found[key]]
    per_notebook = statistics.fmean(seconds) if seconds else None
    return {
        f"ours with all {cores} cores >= {TARGET_SPEEDUP:g}x stock's throughput"
        + (": not measured, no --workers yet" if speedup is None else f": {speedup:.2f}x"):
            None if speedup is None else speedup >= TARGET_SPEEDUP,
        f"ours <= {TARGET_SECONDS_PER_NOTEBOOK:g} s per numpy-only notebook per worker"
        + ("" if per_notebook is None else f": {per_notebook:.2f} s ({key}, mean of the records' seconds)"):
            None if per_notebook is None else per_notebook <= TARGET_SECONDS_PER_NOTEBOOK,
    }


def benchmark(folder: Path, assignments, students, cell_timeout: float) -> dict:
    """Run the whole benchmark in ``folder``, print it, and return the results as JSON data."""
    import nbgrader

    cores = os.cpu_count() or 1
    pairs = [(student, a) for a in assignments for student, _ in students]
    print(f"Python {platform.python_version()}, nbgrader {nbgrader.__version__}, {platform.machine()}, {cores} cores; "
          f"{len(students)} student(s) x {len(assignments)} assignment(s) = {len(pairs)} notebooks; "
          f"cell timeout {cell_timeout:g} s")
    print_class(students)
    start = time.perf_counter()
    built = folder / "built"
    does = build(built, assignments, students)
    print(f"built the course in {time.perf_counter() - start:.1f} s", flush=True)
    counted = [pair for pair in pairs if numpy_only(nbformat.read(submitted(built, *pair), as_version=4))]

    runs, copies = grade_every_way(folder, built, assignments, pairs, cell_timeout, cores)
    ours = [key for key in runs if key.startswith("ours")]
    found = {key: records(copies[key], pairs) for key in ours}
    rates = print_throughput(runs, found, len(pairs))
    for key in ours:
        print_steps(key, found[key])

    scores = {key: gradebook_scores(course, pairs) for key, course in copies.items()}
    scores["floor"] = runs["floor"]["scores"]
    maxima = max_scores(built, assignments)
    differ = mismatches(pairs, scores["stock"], {key: value for key, value in scores.items() if key != "stock"}, does)
    print_grades(scores, maxima, students, assignments, differ)

    verdicts = targets(rates, found, counted, cores)
    print(f"\nnumpy-only notebooks (their graded cells import nothing but numpy; autograder's check aside): "
          f"{len(counted)} of {len(pairs)}, in {', '.join(sorted({a for _, a in counted}, key=assignments.index)) or '-'}")
    print_targets(verdicts)

    def by_pair(mapping):
        return {f"{s}/{a}": value for (s, a), value in mapping.items()}

    return dict(
        python=platform.python_version(), nbgrader=nbgrader.__version__, cores=cores, seed=SEED,
        students=dict(students), assignments=list(assignments), cell_timeout=cell_timeout, does=by_pair(does),
        runs={key: {**{k: v for k, v in run.items() if k not in ("per_notebook", "scores")},
                    "notebooks_per_second": rates[key]} for key, run in runs.items()},
        record_seconds={key: by_pair({p: r["seconds"] for p, r in found[key].items()}) for key in ours},
        floor_seconds=by_pair(runs["floor"]["per_notebook"]), steps={key: step_means(found[key]) for key in ours},
        scores={key: by_pair(value) for key, value in scores.items()}, max_scores=maxima, mismatches=differ,
        numpy_only=[f"{s}/{a}" for s, a in counted], targets={t: VERDICTS[met] for t, met in verdicts.items()})


def main(argv=None) -> int:
    """Build the class, grade it every way, print the comparison and the targets; return 0, targets met or not."""
    known = [c.assignment for c in chapters()]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=DEFAULT_STUDENTS, metavar="K",
                        help=f"simulated students (default {DEFAULT_STUDENTS})")
    parser.add_argument("--assignments", nargs="+", default=known, metavar="ID",
                        help="assignment ids (default: every chapter of the syllabus)")
    parser.add_argument("--cell-timeout", type=float, default=DEFAULT_CELL_TIMEOUT, metavar="T",
                        help=f"seconds one cell may run, for every grader (default {DEFAULT_CELL_TIMEOUT:g})")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="build the courses in DIR (new or empty) and keep them, instead of a temporary folder")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also save the results as JSON to PATH")
    args = parser.parse_args(argv)
    if args.students < 1:
        parser.error(f"--students must be at least 1, got {args.students}")
    if args.cell_timeout <= 0:
        parser.error(f"--cell-timeout must be positive, got {args.cell_timeout:g}")
    unknown = [a for a in args.assignments if a not in known or not (SOURCE / a / f"{a}.ipynb").is_file()]
    if unknown:
        parser.error(f"--assignments: no chapter with a notebook course/source/<id>/<id>.ipynb for "
                     f"{', '.join(unknown)}; known: {', '.join(known)}")
    if args.keep and args.keep.exists() and any(args.keep.iterdir()):
        parser.error(f"--keep {args.keep} is not empty: name a new or empty folder")

    with contextlib.ExitStack() as stack:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            folder = args.keep.resolve()
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-grading-")))
        report = benchmark(folder, list(dict.fromkeys(args.assignments)), roster(args.students), args.cell_timeout)
    if args.keep:
        print(f"\ncourses kept in {folder}: built/ and one copy per grader (bench.log in each: the grader's output)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"results saved to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
