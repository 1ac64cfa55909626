"""The course's autograder: the checks that test cells call, and the self-check of a notebook.

A graded test cell ends with ``check(name, fn, points, hidden=...)``, which runs the cases of the
SPEC function ``name`` against the student's ``fn``, prints feedback and returns the points as
the cell's value (a float nbgrader reads as partial credit).

Modules, one step each:

=================  ==================================================================
``checks``         ``check``: the steps of grading one function, in order
``cases``          the cases, known mistakes and hints, one module per chapter
``compare``        shape, dtype, then values with written tolerances
``guard``          one watched call: time budget, captured output, forbidden calls
``forbidden``      which library calls do the job (torch, scipy, numpy, ``solutions``)
``tamper``         noticing replaced numpy, builtins, ``solutions`` or autograder code
``feedback``       the printed text
``score``          ``Score``: the float a test cell returns
``selfcheck``      ``python -m autograder check NOTEBOOK``: run a notebook, print its grade
=================  ==================================================================

``check`` is loaded on first use (``from autograder import check``), with numpy, the cases and
``solutions``, never torch or scipy; importing only a module such as :mod:`autograder.sandbox`
loads none of them. In the sandbox of the batch grader (``AUTOGRADER_RECORD`` set) ``check`` is
:func:`autograder.recorder.check` instead, which only records what the student's function
returns: the sandbox cannot reach ``solutions``, and the grading happens outside it.
"""

import os

__all__ = ["check", "Score"]


def __getattr__(name: str):
    if name == "check":
        if os.environ.get("AUTOGRADER_RECORD"):
            from .recorder import check
        else:
            from .checks import check
        return check
    if name == "Score":
        from .score import Score
        return Score
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
