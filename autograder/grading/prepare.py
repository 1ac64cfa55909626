"""What goes into the sandbox: the notebook to run (hidden tests taken out) and the plan of cases.

From the sanitized notebook (nbgrader has already put back the instructor's version of every
locked and test cell, so the student's edits to them are gone):

* :func:`test_cells` finds each autograded test cell and the ``check`` it makes: the graded
  name, its points (from nbgrader's metadata) and whether it has hidden tests;
* :func:`plan` builds, for every such check, the call part of the graded function and its cases
  (visible, and hidden where the cell has hidden tests) *without* expected values, to be pickled
  into the sandbox, and keeps the full cases outside for judging;
* :func:`sandbox_notebook` copies the notebook with the hidden-test regions removed by nbgrader's
  own ``ClearHiddenTests`` (the sandbox never sees hidden test code) and with the cells that need PyTorch replaced by a note: torch is
  switched off in the sandbox so that no graded function can use it (see
  :mod:`autograder.grading.isolation`), and those cells only compare with PyTorch.
"""

from __future__ import annotations

import copy
import dataclasses
import re

import nbformat
from nbgrader.preprocessors import ClearHiddenTests
from nbgrader.utils import is_grade, is_solution

from .. import cases as case_registry
from ..calling import time_budget

_CHECK = re.compile(r"""^\s*check\(\s*["'](?P<name>\w+)["']""", re.MULTILINE)
_TORCH = re.compile(r"\btorch\b")
#: What a cell that needs PyTorch runs instead, in the sandbox.
TORCH_NOTE = "(not run while grading: this cell uses PyTorch, which the grader switches off)"


@dataclasses.dataclass(frozen=True)
class TestCell:
    """An autograded test cell: its position, ``grade_id``, the checked name, points, hidden tests."""

    index: int
    grade_id: str
    name: str
    points: float
    hidden: bool


def is_test(cell) -> bool:
    """Return whether ``cell`` is an autograded test cell (a grade cell that is not an answer)."""
    return cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)


def test_cells(nb) -> list[TestCell]:
    """Return the test cells of ``nb`` that call ``check``, in order.

    A test cell without a ``check`` call (an instructor's own asserts) is not in the list: it
    runs in the sandbox like any cell and nbgrader scores its output as usual.
    """
    found = []
    for index, cell in enumerate(nb.cells):
        match = _CHECK.search(cell.source) if is_test(cell) else None
        if match:
            meta = cell.metadata.nbgrader
            found.append(TestCell(index, meta["grade_id"], match["name"], float(meta.get("points", 0)),
                                  ClearHiddenTests.begin_test_delimeter.default_value in cell.source))
    return found


@dataclasses.dataclass(frozen=True)
class Planned:
    """One check to judge: the graded function's description and every case, expected values included."""

    test: TestCell
    graded: case_registry.Graded
    cases: list


def plan(tests: list[TestCell]) -> tuple[dict[str, Planned], dict]:
    """Return (what to judge outside, by name; what the sandbox gets, by name).

    The second is ``{name: (graded.calling, cases without expected values, time budget)}``, which
    goes into the sandbox as JSON (:func:`autograder.transport.pack_plan`): nothing in it knows an answer.
    """
    judged, sent = {}, {}
    for test in tests:
        graded = case_registry.lookup(test.name)
        cases = graded.cases(test.hidden)
        judged[test.name] = Planned(test, graded, cases)
        sent[test.name] = (graded.calling, [dataclasses.replace(c, expected=None) for c in cases], time_budget())
    return judged, sent


def needs_torch(cell) -> bool:
    """Return whether ``cell`` is a code cell outside the student's answers that uses PyTorch."""
    return cell.cell_type == "code" and not is_solution(cell) and bool(_TORCH.search(cell.source))


def sandbox_notebook(nb) -> nbformat.NotebookNode:
    """Return the copy of ``nb`` that runs in the sandbox (same cells, same order)."""
    copied, _ = ClearHiddenTests().preprocess(copy.deepcopy(nb), {})
    for cell in copied.cells:
        if cell.cell_type != "code":
            continue
        if needs_torch(cell) and not is_test(cell):
            cell.source = f"print({TORCH_NOTE!r})"
        cell.outputs = []
    return copied
