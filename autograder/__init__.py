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

Importing this package is quick (numpy and ``solutions`` only; never torch or scipy).
"""

from . import tamper
from .checks import check
from .score import Score

tamper.seal()  # last: records the state of everything imported above

__all__ = ["check", "Score"]
