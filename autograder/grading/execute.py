"""nbgrader's Execute step, replaced: run the notebook in the sandbox, judge outside, fill in the outputs.

:class:`SandboxedExecute` takes the place of nbgrader's ``Execute`` preprocessor in the
autograde pipeline (``Autograde.autograde_preprocessors``); everything before it (copying the
submitted and the instructor's files into ``autograded/``, overwriting the locked and test
cells from the gradebook, putting back deleted test cells) and after it (saving the grades,
late penalties) is nbgrader's own. Its steps:

1. refuse a notebook whose kernel is not Python (every test cell then scores 0, and the
   student is flagged);
2. :mod:`.prepare`: the test cells that call ``check``, the plan of their cases (the expected
   values stay outside), the job: every code cell, hidden tests included, as nbgrader runs them;
3. :mod:`.runner` runs the job under :func:`.sandbox.run`, in the notebook's own folder in
   ``autograded/`` (so that the submitted files are there and what the notebook writes stays
   there, as with stock nbgrader), with the plan, the job and the runner's log in a scratch
   folder (isolation from :mod:`.isolation`, limits from :class:`Settings`);
4. what came back is read as data (:mod:`.cells`): every cell's outputs, cleaned; the
   ``check`` cells judged outside the sandbox; a test cell that never ran gets an error, so
   that nbgrader scores it 0; what the notebook left in its folder beyond the limits is removed;
5. nbgrader's ``SaveAutoGrades`` then reads the outputs as usual: partial credit from a check's
   result, nbgrader's own rule for an instructor's plain ``assert`` cells.

What happened (every test cell's result, and the reasons to flag the student) is left in the
notebook's ``resources`` (:data:`RUN_RESOURCE`, for the steps after it: :class:`.steps.SaveFlags`)
and in the step's ``reports``, by notebook, for whoever made the step (the pipeline makes one per
student). Made by nbgrader itself (``nbgrader autograde``, formgrader: see :mod:`.steps`), the
step takes its settings from the course's configuration: the course root and exchange to hide,
``Execute.timeout`` for the cells, and its own limits (``c.SandboxedExecute.wall_seconds``, ...).
"""

from __future__ import annotations

import dataclasses
import glob
import json
import os
import shutil
import stat
import sys
import tempfile

from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Any, Bool, Float, Integer, default

from . import cells, flags, isolation, prepare, sandbox
from .flags import Flag
from .results import TestResult

#: Lines of the runner's log read back (a cell makes at most three).
MAX_LOG_LINES = 10_000
#: What a notebook may leave in its folder: files written beyond these are removed.
MAX_WRITTEN_FILES = 200
MAX_WRITTEN_BYTES = 64 * 1024**2
PYTHON_KERNELS = ("python", "python2", "python3")
#: The key of the notebook's resources under which the step leaves its :class:`NotebookRun`.
RUN_RESOURCE = "autograder_run"
#: nbgrader's own cell timeout, for a course that sets no ``Execute.timeout``.
DEFAULT_CELL_TIMEOUT = float(Execute.timeout.default_value)


@dataclasses.dataclass(frozen=True)
class Options:
    """What the instructor chooses and can change a grade: limits, cell timeout, with or without sandbox."""

    limits: sandbox.Limits = sandbox.Limits()
    cell_timeout: float = DEFAULT_CELL_TIMEOUT
    no_sandbox: bool = False


@dataclasses.dataclass(frozen=True)
class Settings:
    """How to run: the instructor's :class:`Options`, what to hide for this course, the batch's expected values."""

    options: Options = Options()
    isolation: isolation.Isolation = isolation.Isolation((), ())
    expectations: prepare.Expectations = dataclasses.field(default_factory=prepare.Expectations, compare=False)


@dataclasses.dataclass(frozen=True)
class NotebookRun:
    """What one notebook's run gave: every test cell's result, why to flag it (empty: nothing to see),
    and the seconds the sandboxed run took."""

    tests: tuple[TestResult, ...]
    flags: tuple[Flag, ...]
    seconds: float = 0.0
    cells_seconds: float = 0.0  # of which the cells themselves (the student's code and the checks)


@dataclasses.dataclass
class RunLog:
    """The runner's log, read as data: each finished cell's record, and what else happened."""

    done: dict = dataclasses.field(default_factory=dict)  # cell index -> "done" record
    started: list = dataclasses.field(default_factory=list)  # cell indices, in order
    patched: list = dataclasses.field(default_factory=list)  # (cell index, names)
    unresponsive: int | None = None
    ended: bool = False

    @classmethod
    def read(cls, path: str) -> "RunLog":
        log = cls()
        try:
            with open(path, encoding="utf-8", errors="replace") as file:
                lines = file.readlines(256 * 1024**2)[:MAX_LOG_LINES]
        except OSError:
            return log
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if type(record) is not dict:
                continue
            event, cell = record.get("event"), record.get("cell")
            if event == "end":
                log.ended = True
            elif type(cell) is not int:
                continue
            elif event == "start":
                log.started.append(cell)
            elif event == "done":
                log.done[cell] = record
            elif event == "patched" and type(record.get("names")) is list:
                log.patched.append((cell, [str(n)[:80] for n in record["names"][:5]]))
            elif event == "unresponsive":
                log.unresponsive = cell
        return log

    def died_in(self) -> int | None:
        """Return the cell the process died in (started, never done, not stopped for a timeout), or None."""
        if self.ended:
            return None
        open_cells = [cell for cell in self.started if cell not in self.done and cell != self.unresponsive]
        return open_cells[-1] if open_cells else None


def _warm_matplotlib(target: str) -> None:
    """Give the sandbox matplotlib's font cache, which it would otherwise rebuild in every run."""
    import matplotlib

    os.makedirs(target)
    for path in glob.glob(os.path.join(matplotlib.get_cachedir(), "fontlist-*.json")):
        shutil.copy(path, target)


def _listing(folder: str) -> dict[str, tuple[str, int]]:
    """Return every entry below ``folder``: relative path -> (``"file"``, ``"dir"`` or ``"other"``, size)."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            mode, size = (info := os.lstat(path)).st_mode, info.st_size
            kind = "file" if stat.S_ISREG(mode) else "dir" if stat.S_ISDIR(mode) else "other"
            found[os.path.relpath(path, folder)] = (kind, size if kind == "file" else 0)
    return found


def _tidy(folder: str, before: dict) -> list[Flag]:
    """Remove what the run left in ``folder`` that may not stay (links, special files, too much); say what."""
    new = {path: entry for path, entry in _listing(folder).items() if path not in before}
    odd = sorted(path for path, (kind, _) in new.items() if kind == "other")
    files = [(path, size) for path, (kind, size) in new.items() if kind == "file"]
    found = []
    for path in odd:  # a link made by the notebook would carry whatever it points to into the feedback
        os.unlink(os.path.join(folder, path))
    if odd:
        found.append(flags.wrote_special_files(odd))
    total = sum(size for _, size in files)
    if len(files) > MAX_WRITTEN_FILES or total > MAX_WRITTEN_BYTES:
        for path, _ in files:
            os.unlink(os.path.join(folder, path))
        found.append(flags.wrote_too_much(len(files), total, MAX_WRITTEN_FILES, MAX_WRITTEN_BYTES))
    return found


def _kernel(nb) -> str:
    spec = nb.metadata.get("kernelspec", {})
    return str(spec.get("language") or spec.get("name") or "")


@dataclasses.dataclass(frozen=True)
class _Returned:
    """What one sandboxed run left behind, read as data: the outcome, the runner's log and each
    check's recorded results (None where nothing readable was written)."""

    finished: sandbox.Finished
    log: RunLog
    recorded: dict


def options_from(step: SandboxedExecute, **given) -> Options:
    """Return the :class:`Options` the configuration of ``step`` sets, with ``given`` ones (not None) over them.

    ``Execute.timeout`` (nbgrader's own cell timeout) and ``SandboxedExecute``'s limits, so that
    nbgrader's entry points and ``python -m autograder grade`` grade a course alike.
    """
    chosen = {"cell_timeout": step.cell_timeout, "wall_seconds": step.wall_seconds, "cpu_seconds": step.cpu_seconds,
              "memory_mb": step.memory_mb, "no_sandbox": step.no_sandbox}
    chosen.update({key: value for key, value in given.items() if value is not None})
    limits = sandbox.Limits(wall_seconds=chosen["wall_seconds"], cpu_seconds=chosen["cpu_seconds"],
                            memory_bytes=chosen["memory_mb"] * 1024**2)
    return Options(limits, chosen["cell_timeout"], chosen["no_sandbox"])


class SandboxedExecute(NbGraderPreprocessor):
    """Run the notebook in the sandbox and fill in every cell's outputs (see the module docstring)."""

    settings = Any(help="a Settings; by default, made from the configuration below and the course's").tag(config=True)
    wall_seconds = Float(sandbox.Limits.wall_seconds, help="seconds one notebook may take in all").tag(config=True)
    cpu_seconds = Integer(sandbox.Limits.cpu_seconds, help="CPU seconds per process").tag(config=True)
    memory_mb = Integer(sandbox.Limits.memory_bytes // 1024**2, help="address space per process").tag(config=True)
    no_sandbox = Bool(False, help="run student code WITHOUT isolation (trusted work only)").tag(config=True)

    @property
    def cell_timeout(self) -> float:
        """Return nbgrader's ``Execute.timeout`` where the course sets it, else nbgrader's default."""
        value = self.config.Execute.get("timeout") if "Execute" in self.config else None
        return float(value) if isinstance(value, (int, float)) and value > 0 else DEFAULT_CELL_TIMEOUT

    @default("settings")
    def _settings(self) -> Settings:
        # Made by nbgrader from a course's configuration: hide that course and its exchange.
        return Settings(options_from(self), isolation.of_course(self.config))

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.reports: dict[str, NotebookRun] = {}  # by notebook name, for whoever made this step

    def preprocess(self, nb, resources):
        name = resources["nbgrader"]["notebook"]
        # Checked here, not only by sandbox.run, for a message naming the command that grades without
        # it: nbgrader logs it and leaves the student ungraded, better than running them unsandboxed.
        if not self.settings.options.no_sandbox and (why := sandbox.why_unavailable()):
            raise sandbox.SandboxUnavailable(
                f"{why}: this course grades student code in a sandbox only. Install "
                f"bubblewrap, or grade trusted work with `python -m autograder grade "
                f"{resources['nbgrader']['assignment']} --course . --no-sandbox`")
        if _kernel(nb).lower() not in PYTHON_KERNELS:
            run = self._refuse(nb, name, flags.unknown_kernel(_kernel(nb) or "no kernel"))
        else:
            folder = resources["metadata"]["path"]
            tests = prepare.test_cells(nb)
            planned = prepare.plan(tests, self.settings.expectations)
            before = _listing(folder)
            returned = self._run(nb, folder, planned)
            run = self._fill(nb, name, tests, planned, returned)
            run = dataclasses.replace(run, flags=run.flags + tuple(_tidy(folder, before)))
        self.reports[name] = resources[RUN_RESOURCE] = run
        return nb, resources

    def _run(self, nb, folder: str, planned: dict) -> _Returned:
        """Run ``nb``'s job in ``folder`` under the sandbox, with the plan of the checks ``planned``; return what came back."""
        options, hidden = self.settings.options, self.settings.isolation
        with tempfile.TemporaryDirectory(prefix="autograder-run-") as scratch:
            records, mpl = os.path.join(scratch, "records"), os.path.join(scratch, "mpl")
            os.makedirs(records)
            _warm_matplotlib(mpl)
            plan_path, job_path, log_path = (os.path.join(scratch, n) for n in ("plan.json", "job.json", "log.jsonl"))
            with open(plan_path, "w", encoding="utf-8") as file:
                file.write(self.settings.expectations.packed_plan(planned))
            with open(job_path, "w", encoding="utf-8") as file:
                json.dump(prepare.job(nb, options.cell_timeout), file)
            finished = sandbox.run(
                [sys.executable, "-I", "-m", "autograder.grading.runner", job_path, log_path], folder,
                hide=hidden.hide, binds=hidden.binds, writable=[scratch], limits=options.limits,
                env=isolation.environment(plan_path, records, mpl), no_sandbox=options.no_sandbox)
            # Its messages go to the reports: they name no folder of the grader's.
            finished = dataclasses.replace(finished, stderr=finished.stderr.replace(scratch, "<grader>").replace(
                folder, "<notebook folder>"))
            recorded = {}
            for check in planned:
                try:
                    recorded[check] = cells.read_json(os.path.join(records, f"{check}.json"))
                except cells.Unreadable:
                    recorded[check] = None
            return _Returned(finished, RunLog.read(log_path), recorded)

    def _refuse(self, nb, notebook: str, flag: Flag) -> NotebookRun:
        """Score every test cell 0 without running anything (a kernel the grader cannot run)."""
        results = []
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = cells.not_run(flag.text) if prepare.is_test(cell) else []
                cell.execution_count = None
                if prepare.is_test(cell):
                    results.append(cells.plain_result(cell, notebook, flag.text))
        return NotebookRun(tuple(results), (flag,))

    def _fill(self, nb, notebook: str, tests, planned: dict, returned: _Returned) -> NotebookRun:
        """Write every code cell's outputs into ``nb`` (named ``notebook``): judged ones for checks, cleaned ones otherwise."""
        finished, log = returned.finished, returned.log
        timeout = self.settings.options.cell_timeout
        found = [flags.cell_timeout(i, timeout) for i, record in sorted(log.done.items()) if record.get("timed_out") is True]
        found += [flags.output_cut(i) for i, record in sorted(log.done.items()) if record.get("cut") is True]
        if log.unresponsive is not None:
            found.append(flags.unresponsive(log.unresponsive, timeout))
        if (died := log.died_in()) is not None:
            found.append(flags.kernel_died(died))
        found += [flags.shell_patched(cell, names) for cell, names in log.patched]
        if not finished.ok and died is None and log.unresponsive is None:
            last = (finished.stderr.strip().splitlines() or [""])[-1][:200]
            found.append(flags.run_stopped(finished.status, "" if finished.hit_limit else last))
        stopped = flags.reason(found) or flags.RECORDED_NOTHING
        checks = {test.index: test for test in tests}
        results, never_ran = [], []
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            record = log.done.get(index, {})
            count = record.get("count")
            cell.execution_count = count if type(count) is int and count > 0 else None
            if index in checks:
                test = checks[index]
                recorded = returned.recorded[test.name]
                result, text = cells.judge_test(planned[test.name], recorded, f"never ran: {stopped}", notebook)
                cell.outputs = cells.cell_outputs(text, result.score, cell.execution_count)
                results.append(result)
                if recorded is None:
                    never_ran.append(test.name)
                elif result.reason:  # a forbidden call, tampering: the score is 0 whatever the cases
                    found.append(flags.test_reason(test.name, result.reason))
                continue
            cell.outputs = cells.clean_outputs(record.get("outputs")) if record else []
            errors = [out for out in cell.outputs if out.get("output_type") == "error"]
            found += [flags.out_of_memory(index) for out in errors if out.ename.endswith("MemoryError")][:1]
            found += [flags.switched_off_import(index, name) for name in cells.switched_off_cells(errors)]
            if prepare.is_test(cell):
                if not record:  # nbgrader would score a test that never ran as passed: make it an error
                    cell.outputs = cells.not_run(f"never ran: {stopped}")
                    never_ran.append(cell.metadata.nbgrader["grade_id"])
                results.append(cells.plain_result(cell, notebook))
        if never_ran:
            found.append(flags.never_ran(never_ran, quiet_run=not found and finished.ok))
        cells_seconds = sum(r["seconds"] for r in log.done.values() if type(r.get("seconds")) in (int, float))
        return NotebookRun(tuple(results), tuple(dict.fromkeys(found)), round(finished.wall_seconds, 3),
                           round(cells_seconds, 3))
