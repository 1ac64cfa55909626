"""Simulated student work: a released notebook with some answer cells filled in.

The demo course and the grader's fixture corpus both need submissions that look like a real
student's: the student notebook as released (cell ids, nbgrader metadata and checksums intact)
with the answer cells edited. A submission is described by the answers it gives, by
``grade_id``; every other cell stays as released.

>>> import nbformat
>>> release = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
...     "def f(x):\\n    # YOUR CODE HERE\\n    raise NotImplementedError()",
...     metadata={"nbgrader": {"grade_id": "f", "solution": True}})])
>>> submission(release, {"f": "def f(x):\\n    return x"}).cells[0].source
'def f(x):\\n    return x'
"""

from __future__ import annotations

import copy
import re

import nbformat
from nbgrader.utils import is_solution

_MARKER = re.compile(r"^[ \t]*(###|<!--)? ?(BEGIN|END) SOLUTION.*\n?", re.MULTILINE)


def grade_id(cell) -> str | None:
    """Return the nbgrader ``grade_id`` of ``cell``, or None for an ordinary cell."""
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def solution_code(source: nbformat.NotebookNode) -> dict[str, str]:
    """Return the instructor's answer of every solution cell of ``source``, by ``grade_id``.

    The ``BEGIN SOLUTION``/``END SOLUTION`` marker lines are removed; what is left is what a
    student who solved the cell would have written.
    """
    return {grade_id(cell): _MARKER.sub("", cell.source) for cell in source.cells if is_solution(cell)}


def submission(release: nbformat.NotebookNode, answers: dict[str, str]) -> nbformat.NotebookNode:
    """Return a copy of the released notebook with the answer cells in ``answers`` replaced.

    Raises ``KeyError`` naming an answer whose ``grade_id`` is not a solution cell of ``release``
    (a typo in a fixture must not silently grade the blank notebook).
    """
    notebook = copy.deepcopy(release)
    known = {grade_id(cell) for cell in notebook.cells if is_solution(cell)}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise KeyError(f"no solution cell with grade_id {', '.join(map(repr, unknown))}; "
                       f"the notebook has {', '.join(sorted(known))}")
    for cell in notebook.cells:
        if grade_id(cell) in answers and is_solution(cell):
            cell.source = answers[grade_id(cell)]
    return notebook


def solved(source: nbformat.NotebookNode, release: nbformat.NotebookNode, **changes: str) -> nbformat.NotebookNode:
    """Return the released notebook answered with the instructor's solutions, except ``changes``.

    ``changes`` maps a ``grade_id`` to the code the student wrote instead (a bug, a cheat).
    """
    return submission(release, {**solution_code(source), **changes})
