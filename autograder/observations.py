"""What student code did, as data: the :class:`Outcome` of one watched call and the :class:`Observation` of one case.

Made beside student code (:mod:`autograder.kernel.guard`, :mod:`autograder.kernel.observe`),
carried out of the sandbox as JSON (:mod:`autograder.transport`) and judged by
:mod:`autograder.verdicts`; plain data, so that every side can import it.
"""

from __future__ import annotations

import dataclasses

from .problems import Kind, Problem


@dataclasses.dataclass
class Outcome:
    """What one watched call did: its value, or the problem that stopped it, and what it did on the way."""

    value: object = None
    problem: Problem | None = None  # None when the call returned
    error_type: str = ""  # the class name of the exception it raised ("" when it returned)
    import_name: str = ""  # the module an ImportError was about (a package switched off while grading)
    forbidden: tuple = ()  # labels of forbidden calls, see autograder.kernel.forbidden
    output: str = ""  # what the call printed (stdout and stderr, the first few thousand characters)
    output_chars: int = 0  # how much it printed in all
    warnings: tuple = ()  # "RuntimeWarning: divide by zero ..." messages, first few
    seconds: float = 0.0

    @property
    def timed_out(self) -> bool:
        return self.problem is not None and self.problem.kind is Kind.TIMEOUT

    @property
    def interrupted(self) -> bool:
        return self.problem is not None and self.problem.kind is Kind.INTERRUPTED


@dataclasses.dataclass(frozen=True)
class Observation:
    """What the student's code did in one case: the watched call and the inputs it changed.

    ``outcome`` is None when the case was not run; ``skipped`` then says why.
    """

    outcome: Outcome | None
    changed: tuple[str, ...] = ()
    skipped: Problem | None = None
