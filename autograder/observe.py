"""Calling the student's function on each case: the only step of a check that runs student code.

In a test cell it runs in the student's kernel (:func:`autograder.check`); in the batch grader
it runs inside the sandbox (:mod:`autograder.recorder`), where nothing that knows the expected
values is reachable, and what it saw is judged outside. So this module imports nothing from
``solutions`` or the chapter modules.
"""

from __future__ import annotations

import dataclasses

from . import compare, guard

#: After this many cases ran out of time, the remaining ones are not run (they would too).
MAX_TIMEOUTS = 2


@dataclasses.dataclass(frozen=True)
class Observation:
    """What the student's code did in one case: the watched call and the inputs it changed.

    ``outcome`` is None when the case was not run; ``skipped`` then says why.
    """

    outcome: guard.Outcome | None
    changed: tuple[str, ...] = ()
    skipped: str = ""


def observe(graded, fn, cases, budget: float) -> list[Observation]:
    """Return the :class:`Observation` of calling ``fn`` on each case, in order.

    ``graded`` only needs its call part (:meth:`~autograder.cases.base.Graded.calling`). After
    :data:`MAX_TIMEOUTS` timeouts, or an interrupt, the remaining cases are not run.
    """
    observations, timeouts, interrupted = [], 0, False
    for case in cases:
        if interrupted or timeouts >= MAX_TIMEOUTS:
            why = "not run: grading was interrupted" if interrupted else \
                f"not run: {MAX_TIMEOUTS} cases already ran out of time"
            observations.append(Observation(None, skipped=why))
            continue
        arguments = case.arguments()
        if not callable(fn):
            outcome = guard.Outcome(error=f"{graded.name} is {compare.kind_name(fn)}, not a function "
                                          f"(did the cell that defines it run?)", error_type="NotCallable")
            observations.append(Observation(outcome))
            continue
        outcome = guard.run(lambda: graded.call(fn, arguments), budget)
        timeouts += outcome.timed_out
        interrupted = outcome.interrupted
        observations.append(Observation(outcome, tuple(case.changed(arguments))))
    return observations
