"""nbgrader's Execute step, replaced: run the notebook in the sandbox, judge outside, fill in the outputs.

:class:`SandboxedExecute` takes the place of nbgrader's ``Execute`` preprocessor in the
autograde pipeline (``Autograde.autograde_preprocessors``); everything before it (overwriting
the locked and test cells from the gradebook, putting back deleted test cells) and after it
(saving the grades, late penalties) is nbgrader's own. Its steps:

1. :mod:`.prepare`: the test cells, the plan of cases, the notebook copy without hidden tests;
2. a scratch folder holding a copy of the student's folder (the kernel's working directory),
   the plan and an empty results folder; :mod:`.runner` runs the copy there under
   :func:`.sandbox.run` (isolation from :mod:`.isolation`, limits from :class:`Settings`);
3. what came back is read as data: the executed copy's outputs (of the cells that are not
   tests, cut down by :func:`.cells.clean_outputs`), the runner's events, the recorded results;
4. :func:`.cells.judge_test` scores every test cell outside the sandbox and writes its outputs,
   which nbgrader's ``SaveAutoGrades`` then reads as usual.

What happened (the tests' results, and the reasons to flag the student) is kept in the step's
``reports``, by notebook, for whoever made the step (the pipeline makes one per student).
"""

from __future__ import annotations

import dataclasses
import glob
import json
import os
import shutil
import sys
import tempfile

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Any

from .. import transport
from . import cells, flags, isolation, prepare, sandbox
from .flags import Flag
from .results import TestResult

MAX_EVENTS = 100


@dataclasses.dataclass(frozen=True)
class Options:
    """What the instructor chooses and can change a grade: limits, cell timeout, with or without sandbox."""

    limits: sandbox.Limits = sandbox.Limits()
    cell_timeout: float = 30.0
    no_sandbox: bool = False


@dataclasses.dataclass(frozen=True)
class Settings:
    """How to run: the instructor's :class:`Options` and what to hide for this course."""

    options: Options = Options()
    isolation: isolation.Isolation = isolation.Isolation((), ())


@dataclasses.dataclass(frozen=True)
class NotebookRun:
    """What one notebook's run gave: its tests' results and why to flag it (empty: nothing to see)."""

    tests: tuple[TestResult, ...]
    flags: tuple[Flag, ...]


def _events(path: str) -> list[dict]:
    events = []
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            for line in file.readlines(1024**2)[:MAX_EVENTS]:
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if type(event) is dict and type(event.get("cell")) is int and type(event.get("event")) is str:
                    events.append(event)
    except OSError:
        pass
    return events


def _describe(event: dict, cell_timeout: float) -> Flag:
    cell, kind = event["cell"], event["event"]
    if kind == "timeout":
        return flags.cell_timeout(cell, cell_timeout)
    if kind == "died":
        return flags.kernel_died(cell)
    if kind == "output":
        return flags.output_cut(cell)
    return flags.odd_event(cell, kind)


def _copy_folder(source: str, target: str) -> None:
    """Copy the student's folder without notebooks or links: the kernel's working directory."""
    shutil.copytree(source, target, symlinks=True, ignore=lambda d, names: [
        n for n in names if n.endswith(".ipynb") or os.path.islink(os.path.join(d, n))])


def _warm_matplotlib(target: str) -> None:
    """Give the sandbox matplotlib's font cache, which it would otherwise rebuild in every run."""
    import matplotlib
    import matplotlib.font_manager  # noqa: F401 - writes the cache if it is not there yet

    os.makedirs(target)
    for path in glob.glob(os.path.join(matplotlib.get_cachedir(), "fontlist-*.json")):
        shutil.copy(path, target)


@dataclasses.dataclass(frozen=True)
class _Returned:
    """What one sandboxed run left behind, read as data: the executed copy's cells, the runner's
    events and each check's recorded results (None where nothing readable was written)."""

    outcome: sandbox.Finished
    cells: list
    events: list[dict]
    recorded: dict


class SandboxedExecute(NbGraderPreprocessor):
    """Run the notebook in the sandbox and fill in every cell's outputs (see the module docstring)."""

    settings = Any(Settings(), help="a Settings").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.reports: dict[str, NotebookRun] = {}  # by notebook name, for whoever made this step

    def preprocess(self, nb, resources):
        name = resources["nbgrader"]["notebook"]
        tests = prepare.test_cells(nb)
        planned, sent = prepare.plan(tests)
        returned = self._run(nb, resources["metadata"]["path"], name, sent)
        self.reports[name] = self._fill(nb, tests, planned, returned)
        return nb, resources

    def _run(self, nb, folder: str, name: str, sent: dict) -> _Returned:
        """Run the sandbox copy of ``nb`` in a scratch copy of the student's ``folder``; return what came back."""
        options, hidden = self.settings.options, self.settings.isolation
        with tempfile.TemporaryDirectory(prefix="autograder-run-") as scratch:
            work, results, mpl = (os.path.join(scratch, part) for part in ("work", "results", "mpl"))
            _copy_folder(folder, work)
            os.makedirs(results)
            _warm_matplotlib(mpl)
            notebook = os.path.join(work, name + ".ipynb")
            nbformat.write(prepare.sandbox_notebook(nb), notebook)
            plan_path = os.path.join(scratch, "plan.json")
            with open(plan_path, "w", encoding="utf-8") as file:
                file.write(transport.pack_plan(sent))
            outcome = sandbox.run(
                [sys.executable, "-I", "-m", "autograder.grading.runner", notebook, results,
                 "--cell-timeout", str(options.cell_timeout)],
                scratch, hide=hidden.hide, binds=hidden.binds, limits=options.limits,
                env=isolation.environment(plan_path, results, mpl), no_sandbox=options.no_sandbox)
            recorded = {}
            for check in sent:
                try:
                    recorded[check] = cells.read_json(os.path.join(results, f"{check}.json"))
                except cells.Unreadable:
                    recorded[check] = None
            return _Returned(outcome, self._executed(os.path.join(results, "executed.ipynb")),
                             _events(os.path.join(results, "events.jsonl")), recorded)

    def _fill(self, nb, tests, planned: dict, returned: _Returned) -> NotebookRun:
        """Write every code cell's outputs into ``nb``: judged ones for tests, cleaned ones otherwise."""
        outcome = returned.outcome
        found = [_describe(event, self.settings.options.cell_timeout) for event in returned.events]
        if not outcome.ok:
            last = (outcome.stderr.strip().splitlines() or [""])[-1][:200]
            found.append(flags.run_stopped(outcome.status, "" if outcome.hit_limit else last))
        stopped = flags.reason(found) or flags.RECORDED_NOTHING
        by_index = {test.index: test for test in tests}
        results, never_ran = [], []
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            ran = returned.cells[index] if index < len(returned.cells) and type(returned.cells[index]) is dict else {}
            count = ran.get("execution_count")
            cell.execution_count = count if type(count) is int else None
            if index in by_index:
                test = by_index[index]
                recorded = returned.recorded[test.name]
                result, text = cells.judge_test(planned[test.name], recorded, f"never ran: {stopped}")
                cell.outputs = cells.cell_outputs(text, result.score, cell.execution_count)
                results.append(result)
                if recorded is None:
                    never_ran.append(test.name)
                elif result.reason:  # a forbidden call, tampering: the score is 0 whatever the cases
                    found.append(flags.test_reason(test.name, result.reason))
            else:
                cell.outputs = cells.clean_outputs(ran.get("outputs"))
                errors = [out for out in cell.outputs if out.get("output_type") == "error"]
                found += [flags.out_of_memory(index) for out in errors if out.ename.endswith("MemoryError")][:1]
                found += [flags.switched_off_import(index, name) for name in cells.switched_off_cells(errors)]
        if never_ran:
            found.append(flags.never_ran(never_ran, quiet_run=not returned.events and outcome.ok))
        return NotebookRun(tuple(results), tuple(dict.fromkeys(found)))

    @staticmethod
    def _executed(path: str) -> list:
        """Return the executed copy's cells (untrusted data: only their outputs are used), or []."""
        try:
            data = cells.read_json(path)
        except cells.Unreadable:
            return []
        executed = data.get("cells") if type(data) is dict else None
        return executed if type(executed) is list else []
