"""``check`` inside the batch grader's sandbox: call the student's function on the planned cases, record, judge nothing.

The grader (outside) writes a *plan* (:func:`autograder.transport.pack_plan`): for each graded
name, its :class:`~autograder.calling.Calling`, the cases' inputs (visible and hidden, without
expected values), the time budget and the visible cases of the graded functions it may call.
It starts the notebook with ``AUTOGRADER_PLAN`` (the plan's path) and ``AUTOGRADER_RECORD`` (a
folder) set, so a test cell's ``from autograder import check`` finds this function. It runs the
cases exactly as a test cell would (:func:`autograder.kernel.observe.observe`), and the visible
cases of the other graded functions the student's function calls
(:func:`~autograder.kernel.observe.referenced`), notes whether numpy, builtins or the autograder
were tampered with, and writes ``<RECORD>/<name>.json`` (:mod:`autograder.transport`). The
grader judges that file outside, against the reference the sandbox cannot reach.

Importing this module (the notebook's first cell does) switches numpy's convolutions off
(:func:`autograder.kernel.forbidden.switch_off_numpy`): in the sandbox every library that does
the job is absent, so the student's calls run without the profiler a test cell's ``check`` watches them with.

Everything here runs next to student code and could be subverted by it; nothing here decides
a score. The worst a student can do is record results that do not match, which earns nothing.
"""

from __future__ import annotations

import json
import os

from .. import transport
from ..transport import PLAN_ENV, RECORD_ENV
from . import forbidden, tamper
from .observe import observe, referenced

_plan: dict = {}


def _load_plan() -> dict:
    if not _plan:
        # The plan is the grader's own file, written before the student's code started.
        with open(os.environ[PLAN_ENV], encoding="utf-8") as file:
            _plan.update(transport.unpack_plan(file.read()))
    return _plan


def check(name: str, fn, points: float = 0, hidden: bool = False):
    """Record what ``fn`` does on the planned cases of ``name``; return None (the score is decided outside)."""
    entry = _load_plan().get(name)  # before the seal, which records this module's state
    tamper.seal()  # after the student's cells: what they replaced before shows as "not numpy's own"
    if entry is None:
        print(f"{name}: not graded here")
        return None
    problems = tamper.problems()
    # No profiler here: what it would watch for is absent from the sandbox (see the end of this module).
    observations = observe(entry.calling, fn, entry.cases, entry.budget, watch=False)
    related = {}
    for other, function in referenced(fn, entry.related).items():
        calling, cases = entry.related[other]
        related[other] = observe(calling, function, cases, entry.budget, watch=False)
    problems = problems or tamper.problems()
    data = {"name": name, "problems": problems,
            "observations": [transport.pack_observation(seen) for seen in observations],
            "related": transport.pack_related(related)}
    path = os.path.join(os.environ[RECORD_ENV], f"{name}.json")
    with open(path + ".tmp", "w", encoding="utf-8") as file:
        json.dump(data, file)
    os.replace(path + ".tmp", path)
    print(f"{name}: {len(entry.cases)} cases recorded; they are graded outside the sandbox")
    return None


# Loaded by the notebook's first cell, before any student code: numpy's convolutions are absent
# from here on, as torch, scipy and the reference already are in the sandbox.
forbidden.switch_off_numpy()
