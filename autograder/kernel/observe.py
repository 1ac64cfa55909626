"""Calling the student's function on each case: the only step of a check that runs student code.

In a test cell it runs in the student's kernel (:mod:`autograder.kernel.check`); in the batch
grader it runs inside the sandbox (:mod:`autograder.kernel.recorder`), where nothing that knows
the expected values is reachable, and what it saw is judged outside. So this module imports
nothing from ``solutions`` or the case modules.
"""

from __future__ import annotations

from .. import compare, problems
from ..observations import Observation, Outcome
from . import guard

#: After this many cases ran out of time, the remaining ones are not run (they would too).
MAX_TIMEOUTS = 2


def observe(calling, fn, cases, budget: float) -> list[Observation]:
    """Return the :class:`Observation` of calling ``fn`` on each case, in order.

    ``calling`` is the graded function's :class:`~autograder.calling.Calling`. After
    :data:`MAX_TIMEOUTS` timeouts, or an interrupt, the remaining cases are not run.
    """
    observations, timeouts, interrupted = [], 0, False
    for case in cases:
        if interrupted or timeouts >= MAX_TIMEOUTS:
            why = problems.skipped_after_interrupt() if interrupted else problems.skipped_after_timeouts(MAX_TIMEOUTS)
            observations.append(Observation(None, skipped=why))
            continue
        arguments = case.arguments()
        if not callable(fn):
            outcome = Outcome(problem=problems.not_callable(calling.name, compare.kind_name(fn)))
            observations.append(Observation(outcome))
            continue
        outcome = guard.run(lambda: calling.call(fn, arguments), budget)
        timeouts += outcome.timed_out
        interrupted = outcome.interrupted
        observations.append(Observation(outcome, tuple(case.changed(arguments))))
    return observations
