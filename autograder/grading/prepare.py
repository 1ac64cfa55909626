"""What goes into the sandbox: the cells to run (the job) and the plan of cases of every ``check``.

From the sanitized notebook (nbgrader has already put back the instructor's version of every
locked and test cell, hidden tests included, so the student's edits to them are gone):

* :func:`test_cells` finds each autograded test cell that calls ``check``: the graded name, its
  points (nbgrader's metadata) and whether its hidden tests ask for the hidden cases;
* :func:`plan` gathers, for every such check, its cases and expected values, with the visible
  cases of the graded functions the student's function may call
  (:func:`autograder.casebook.callable_from`), to judge outside (:class:`Expectations`: computed
  once per batch, since the hidden cases are seeded and so the same for every student);
  :func:`sandbox_plan` is what the sandbox gets of it: the :class:`~autograder.calling.Calling`
  and the cases *without* expected values (packed once per set of checks,
  :meth:`Expectations.packed_plan`);
* :func:`job` lists the code cells to run, as nbgrader's ``Execute`` would run them: every test
  cell with its hidden tests (an instructor's plain ``assert`` tests run beside student code,
  as in stock nbgrader), except that the cells outside the student's answers that need PyTorch
  print a note instead: torch is switched off in the sandbox so that no graded function can use
  it (:mod:`.isolation`), and those cells only compare with PyTorch.
"""

from __future__ import annotations

import dataclasses
import re

from nbgrader.preprocessors import ClearHiddenTests
from nbgrader.utils import is_grade, is_solution

from .. import casebook
from .. import cases as case_registry
from ..calling import time_budget
from .. import transport
from ..transport import CheckPlan

_CHECK = re.compile(r"""^\s*check\(\s*["'](?P<name>\w+)["']""", re.MULTILINE)
_TORCH = re.compile(r"\btorch\b")
#: What a cell that needs PyTorch runs instead, in the sandbox.
TORCH_NOTE = "(not run while grading: this cell uses PyTorch, which the grader switches off)"
HIDDEN_BEGIN = ClearHiddenTests.begin_test_delimeter.default_value


@dataclasses.dataclass(frozen=True)
class TestCell:
    """An autograded test cell that calls ``check``: its position, ``grade_id``, the checked name, points, hidden tests."""

    index: int
    grade_id: str
    name: str
    points: float
    hidden: bool


def is_test(cell) -> bool:
    """Return whether ``cell`` is an autograded test cell (a grade cell that is not an answer)."""
    return cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)


def has_hidden_tests(cell) -> bool:
    """Return whether ``cell`` holds a hidden-test region (nbgrader's delimiter)."""
    return HIDDEN_BEGIN in cell.source


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
                                  has_hidden_tests(cell)))
    return found


@dataclasses.dataclass(frozen=True)
class Planned:
    """One check to judge: the graded function's description, every case and its expected value.

    ``related`` maps each graded function the student's function may call to its ``(graded,
    visible cases, expected values)``, to judge what the sandbox saw of them.
    """

    test: TestCell
    graded: case_registry.Graded
    cases: list
    expected: list
    related: dict = dataclasses.field(default_factory=dict)


class Expectations:
    """The cases and expected values of each check, computed on first use and kept for the whole batch.

    The hidden cases are seeded by the function's name, so every student of an assignment gets
    the same ones: computing their reference values once per batch (before the workers start,
    :meth:`prepare`) saves what would otherwise be done again for every student.
    """

    def __init__(self):
        self._known: dict[tuple[str, bool], tuple] = {}
        self._packed: dict[tuple, str] = {}

    def cases(self, name: str, hidden: bool) -> tuple:
        """Return ``(graded, cases, expected values)`` of ``name``, the hidden cases included if ``hidden``."""
        key = (name, hidden)
        if key not in self._known:
            graded = casebook.lookup(name)
            cases = graded.cases(hidden)
            self._known[key] = (graded, cases, [graded.expected(case) for case in cases])
        return self._known[key]

    def prepare(self, notebooks) -> None:
        """Compute the expected values of every check in ``notebooks`` (the instructor's, say) now, and
        of the visible cases of the graded functions they may call, and pack each notebook's plan."""
        for nb in notebooks:
            self.packed_plan(plan(test_cells(nb), self))

    def packed_plan(self, planned: dict[str, Planned]) -> str:
        """Return the JSON of the sandbox's plan of the checks ``planned`` (:func:`sandbox_plan`), made
        once per set of checks."""
        # Whether hidden cases are asked for is part of the key: the same names may come without them.
        key = tuple((name, check.test.hidden) for name, check in planned.items())
        if key not in self._packed:
            self._packed[key] = transport.pack_plan(sandbox_plan(planned))
        return self._packed[key]


def plan(tests: list[TestCell], expectations: Expectations) -> dict[str, Planned]:
    """Return what to judge outside the sandbox of each check of ``tests``, by name."""
    judged = {}
    for test in tests:
        graded, cases, expected = expectations.cases(test.name, test.hidden)
        related = {name: expectations.cases(name, False) for name in casebook.callable_from(test.name)}
        judged[test.name] = Planned(test, graded, cases, expected, related)
    return judged


def sandbox_plan(planned: dict[str, Planned]) -> dict[str, CheckPlan]:
    """Return what the sandbox gets of the checks ``planned``, by name.

    A :class:`autograder.transport.CheckPlan` each (the calling, the cases, the time budget, the
    related functions' visible cases), which goes into the sandbox as JSON
    (:func:`autograder.transport.pack_plan`, which writes no expected value): nothing in it knows an answer.
    """
    return {name: CheckPlan(check.graded.calling, check.cases, time_budget(),
                            {other: (graded.calling, visible) for other, (graded, visible, _) in check.related.items()})
            for name, check in planned.items()}


def needs_torch(cell) -> bool:
    """Return whether ``cell`` is a code cell outside the student's answers that uses PyTorch."""
    return cell.cell_type == "code" and not is_solution(cell) and bool(_TORCH.search(cell.source))


def job(nb, cell_timeout: float) -> dict:
    """Return the runner's job (:mod:`.runner`): every code cell to run, by index, and the cell timeout."""
    cells = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        source = f"print({TORCH_NOTE!r})" if needs_torch(cell) and not is_test(cell) else cell.source
        cells.append({"index": index, "source": source})
    return {"cells": cells, "cell_timeout": cell_timeout}
