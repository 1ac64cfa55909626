"""Every notebook runs from top to bottom: the student's before anything is filled in, the instructor's with no error.

A student opens a chapter and runs it cell by cell. Until a function is written, its stub raises
``NotImplementedError``, and so does every cell that uses it; nothing else may go wrong, or the
student meets a ``NameError`` they cannot fix. The instructor notebook, every function written,
must run without any error at all. And one unfinished function must not break the sections a
student has finished: with the instructor's solutions in place and a single function turned back
into nbgrader's stub, the only errors are still ``NotImplementedError`` (so a cell that prepares
data for later cells must not also call a stub).

Each notebook runs in a ``python3`` kernel started in the notebook's folder, as JupyterLab starts
it, with ``NBGRADER_EXECUTION`` unset (the widgets draw as they do for a student) and
``allow_errors=True`` so that every cell runs. Notebooks are discovered from ``exercises/`` and
``course/source/``: a new chapter is tested as soon as it exists.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import nbformat
import pytest
from jupyter_client import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.preprocessors import ClearSolutions
from nbgrader.utils import is_solution
from nbgrader_course import ROOT, assignments, nbgrader_meta, read, source_path, student_path

pytestmark = pytest.mark.slow

#: Seconds one cell may run: the slowest cells (timings, widgets, PyTorch) take a few seconds.
CELL_TIMEOUT = 120
STUB_ERROR = "NotImplementedError"
#: Run first when a kernel is reused, so that no name survives from the previous run.
RESET = "%reset -f"


# Every assignment has both (test_release checks that exercises/ holds exactly the released ones).
STUDENT = [student_path(assignment) for assignment in assignments()]
INSTRUCTOR = [source_path(assignment) for assignment in assignments()]


def label(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def kernel_env() -> dict[str, str]:
    """Return the environment of a student's kernel: not under nbgrader, visible cases only."""
    return {name: value for name, value in os.environ.items()
            if name not in ("NBGRADER_EXECUTION", "AUTOGRADER_ALL_CASES")}


@contextlib.contextmanager
def kernel(folder: Path):
    """Yield a running python3 kernel started in ``folder``, shut down afterwards."""
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(folder), env=kernel_env())
    try:
        yield manager
    finally:
        manager.shutdown_kernel(now=True)


def run(nb, folder: Path, manager: KernelManager | None = None) -> list[tuple[int, str, str]]:
    """Execute ``nb`` (in place) and return ``[(cell index, ename, evalue)]`` of the cells that raised.

    Without ``manager`` in a fresh kernel started in ``folder``; with it, in that kernel after
    ``%reset -f`` (cheaper: numpy, torch and the widgets stay imported).
    """
    shift = 0
    if manager is not None:
        nb.cells.insert(0, nbformat.v4.new_code_cell(RESET))
        shift = 1
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=True, km=manager,
                            resources={"metadata": {"path": str(folder)}})
    try:
        client.execute(env=kernel_env(), cwd=str(folder))
    except CellTimeoutError:
        pytest.fail(f"a cell ran longer than {CELL_TIMEOUT} s")
    except DeadKernelError:
        pytest.fail("the kernel died")
    finally:
        if manager is not None and client.kc is not None:
            client.kc.stop_channels()  # the kernel is ours, the client's channels are not needed any more
    return [(index - shift, output.get("ename"), output.get("evalue"))
            for index, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for output in cell.get("outputs", []) if output.get("output_type") == "error"]


def describe(errors) -> str:
    return "\n".join(f"  cell {index}: {ename}: {evalue}" for index, ename, evalue in errors)


def unexpected(errors) -> list:
    return [error for error in errors if error[1] != STUB_ERROR]


def test_notebooks_are_found():
    assert STUDENT and INSTRUCTOR, "no notebooks in exercises/ or course/source/"


@pytest.mark.parametrize("path", STUDENT, ids=[p.stem for p in STUDENT])
def test_student_notebook_raises_only_its_stubs(path):
    errors = run(read(path), path.parent)
    others = unexpected(errors)
    assert not others, (f"{label(path)}, run from the top before anything is filled in, raises more "
                        f"than its stubs' NotImplementedError:\n{describe(others)}")
    assert errors, f"{label(path)}: no cell raised NotImplementedError; are the stubs there?"


def with_one_stub(path: Path, index: int):
    """Return the instructor notebook with only its code cell ``index`` cleared the way nbgrader clears it."""
    nb = read(path)
    ClearSolutions().preprocess_cell(nb.cells[index], {"language": "python"}, index)
    return nb


@pytest.mark.parametrize("path", INSTRUCTOR, ids=[p.stem for p in INSTRUCTOR])
def test_instructor_notebook_runs_without_error_and_one_stub_breaks_only_what_uses_it(path):
    solutions = [(index, nbgrader_meta(cell)["grade_id"]) for index, cell in enumerate(read(path).cells)
                 if cell.cell_type == "code" and is_solution(cell)]
    assert solutions, f"{label(path)} has no solution cell"
    problems = []
    with kernel(path.parent) as manager:
        # The notebook as it is first, in the kernel the stubbed versions then reuse.
        errors = run(read(path), path.parent, manager)
        assert not errors, f"{label(path)} raises:\n{describe(errors)}"
        for index, grade_id in solutions:
            errors = run(with_one_stub(path, index), path.parent, manager)
            others = unexpected(errors)
            if others:
                problems.append(f"with only {grade_id!r} unfinished:\n{describe(others)}")
            elif not errors:
                problems.append(f"with only {grade_id!r} unfinished nothing raises: no quick check calls it?")
    assert not problems, (f"{label(path)}: an unfinished function breaks more than the cells that use it "
                          f"(does a cell that calls it also prepare data for later cells?)\n" + "\n".join(problems))
