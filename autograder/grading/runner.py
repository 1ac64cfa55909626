"""Run one notebook's code cells inside the sandbox, in an IPython shell of this process, logging each cell as it ends.

``python -I -m autograder.grading.runner JOB LOG`` reads ``JOB`` (JSON: the cells' sources with
their indices, the cell timeout and the output limits) and runs the cells one by one in an
IPython ``InteractiveShell``: magics, input transformers, ``get_ipython()``, displays and the
execution count work as in a Jupyter kernel, without a kernel's start-up, messaging or imports
(nbformat, jsonschema, zmq). It appends to ``LOG``, one JSON object per line, flushed at once:

* ``{"event": "start", "cell": i}`` before a cell runs;
* ``{"event": "done", "cell": i, "count": n, "outputs": [...], "timed_out": bool, "cut": bool,
  "seconds": s}`` when it ends; the outputs are nbformat 4 outputs (streams, displays, the
  execute result) and, last, the error of a cell that failed, taken from the shell's own result
  of the cell whatever the cell did to the display of tracebacks (nbgrader's rule: the reply's
  status counts);
* ``{"event": "patched", "cell": i, "names": [...]}`` when a cell replaced a method of the shell
  (the plain-assert test cells after it ran in a patched shell: the grader flags it);
* ``{"event": "unresponsive", "cell": i}`` when a cell went on after its timeout's interrupt:
  the run ends there;
* ``{"event": "end"}`` when every cell ran (or two cells timed out).

A ``start`` without its ``done`` means the process died in that cell (``os._exit``, a crash, a
limit of the sandbox). A cell's timeout interrupts it as Jupyter does (``KeyboardInterrupt``);
one that swallows the interrupt for :data:`GRACE_SECONDS` more ends the run. ``%matplotlib
inline`` only names the inline backend, which matplotlib loads (and IPython wires up) the day a
cell imports pyplot: the import costs a second, and most graded notebooks never plot.

The process then leaves without tearing down its modules (:func:`leave`): numpy, matplotlib and
IPython take 0.1 to 0.2 s to unload, a tenth of a notebook's grading, for nothing.

The grader outside trusts nothing of the log: it reads it as data (:mod:`.execute`).
"""

from __future__ import annotations

import atexit
import gc
import io
import json
import os
import signal
import sys
import threading
import time
import traceback

from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

#: Characters of output one cell may keep (its streams, error text and plain-text results).
OUTPUT_CHARS = 20_000
#: Outputs one cell may keep (a loop of plt.show() makes one image each), and characters of their images.
OUTPUT_ITEMS = 50
IMAGE_CHARS = 8 * 1024**2
#: Cells that may time out before the run stops.
MAX_TIMEOUTS = 2
#: Seconds a cell has to give up after its timeout's interrupt.
GRACE_SECONDS = 3.0
#: Lines of a traceback kept, and characters of an error's message and of each line of its traceback.
TRACEBACK_LINES, ERROR_CHARS = 60, 2000
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


class CellOutputs:
    """The outputs of the cell that is running, within :data:`OUTPUT_CHARS`, :data:`IMAGE_CHARS` and :data:`OUTPUT_ITEMS`."""

    def __init__(self):
        self.items: list[dict] = []
        self.chars = self.image_chars = 0
        self.cut = False

    def _room(self, data: dict) -> bool:
        """Take the text of ``data`` into the count, its images into theirs; return whether it fits."""
        text = sum(len(v) for k, v in data.items() if isinstance(v, str) and not k.startswith("image/"))
        images = sum(len(v) for k, v in data.items() if isinstance(v, str) and k.startswith("image/"))
        if (self.cut or self.chars + text > OUTPUT_CHARS or self.image_chars + images > IMAGE_CHARS
                or len(self.items) >= OUTPUT_ITEMS):
            self.cut = True
            return False
        self.chars += text
        self.image_chars += images
        return True

    def stream(self, name: str, text: str) -> None:
        if not text:
            return
        room = max(0, OUTPUT_CHARS - self.chars)
        if len(text) > room or len(self.items) >= OUTPUT_ITEMS:
            text, self.cut = text[:room], True
        self.chars += len(text)
        if not text:
            return
        last = self.items[-1] if self.items else None
        if last is not None and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text  # consecutive writes to one stream make one output, as in Jupyter
        elif len(self.items) < OUTPUT_ITEMS:
            self.items.append({"output_type": "stream", "name": name, "text": text})

    def rich(self, kind: str, data: dict, metadata: dict, count=None) -> None:
        data = {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in dict(data).items()
                if isinstance(v, (str, dict, list))}
        if self._room(data):
            output = {"output_type": kind, "data": data, "metadata": dict(metadata or {})}
            if kind == "execute_result":
                output["execution_count"] = count
            self.items.append(output)

    def clear(self) -> None:
        self.items, self.chars, self.image_chars = [], 0, 0


class Stream:
    """``sys.stdout``/``sys.stderr`` while a cell runs: text goes to the cell's outputs."""

    encoding, errors = "utf-8", "replace"

    def __init__(self, runner: "Runner", name: str):
        self.runner, self.name = runner, name

    def write(self, text) -> int:
        text = text if isinstance(text, str) else str(text)
        self.runner.outputs.stream(self.name, text)
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return 1 if self.name == "stdout" else 2


class Publisher(DisplayPublisher):
    """``display(...)`` and ``clear_output()``: into the running cell's outputs."""

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
        self.shell.runner.outputs.rich("display_data", data, metadata)

    def clear_output(self, wait=False):
        self.shell.runner.outputs.clear()


class ResultHook(DisplayHook):
    """A cell's last expression: an ``execute_result`` with every format IPython makes of it."""

    def write_output_prompt(self):
        pass

    def write_format_data(self, format_dict, md_dict=None):
        self.shell.runner.outputs.rich("execute_result", format_dict, md_dict, self.prompt_count)

    def finish_displayhook(self):
        pass


class Shell(InteractiveShell):
    """IPython's shell with the displays of a kernel and no traceback printing (errors are logged as data)."""

    displayhook_class = ResultHook
    display_pub_class = Publisher
    runner: "Runner"

    def _showtraceback(self, etype, evalue, stb):
        pass  # the error is taken from the cell's result, whatever this prints


def _error(error: BaseException) -> dict:
    """Return the nbformat error output of ``error``, its traceback without the runner's own frames."""
    try:
        evalue = str(error)
    except BaseException:  # noqa: BLE001 - a student's exception whose __str__ fails
        evalue = "<unprintable message>"
    lines = traceback.format_exception(type(error), error, error.__traceback__)
    lines = [line for line in lines if __file__ not in line and "/IPython/core/" not in line]
    return {"output_type": "error", "ename": type(error).__name__, "evalue": evalue[:ERROR_CHARS],
            "traceback": [line.rstrip("\n")[:ERROR_CHARS] for line in lines[-TRACEBACK_LINES:]]}


class Log:
    """The runner's log: one JSON object per line, flushed and synced as soon as it is written."""

    def __init__(self, path: str):
        self.file = open(path, "a", encoding="utf-8")

    def write(self, record: dict) -> None:
        self.file.write(json.dumps(record) + "\n")
        self.file.flush()


def _light_matplotlib(shell):
    """Return a ``%matplotlib`` that names the inline backend for later, instead of loading pyplot now."""
    real = shell.find_line_magic("matplotlib")

    def matplotlib(line: str = ""):
        if line.strip() in ("", "inline") and "matplotlib" not in sys.modules:
            os.environ["MPLBACKEND"] = INLINE_BACKEND
            return None
        return real(line)

    return matplotlib


#: Methods of the shell a cell might replace to hide its errors (nbgrader's fixture cheats do).
_WATCHED = ("run_cell", "run_cell_async", "run_code", "run_ast_nodes", "showtraceback", "_showtraceback",
            "showsyntaxerror", "get_exception_only", "transform_cell")


class Runner:
    """Runs the cells of one job in one shell and logs them."""

    def __init__(self, job: dict, log: Log):
        self.job, self.log = job, log
        self.timeout = float(job["cell_timeout"])
        self.outputs = CellOutputs()
        self.in_cell = False
        config = Config()
        config.HistoryManager.hist_file = ":memory:"  # as nbgrader starts its kernels: no history file
        self.shell = Shell.instance(config=config)
        self.shell.runner = self
        self.shell.register_magic_function(_light_matplotlib(self.shell), "line", "matplotlib")
        # The methods the runner relies on, taken before any student code runs.
        self._run_cell = Shell.run_cell
        self._watched = self._methods()

    def _methods(self) -> dict:
        found = {}
        for name in _WATCHED:
            for owner in (InteractiveShell, Shell):
                found[f"{owner.__name__}.{name}"] = owner.__dict__.get(name)
            found[f"shell.{name}"] = self.shell.__dict__.get(name)
        return found

    def run(self) -> None:
        timeouts = 0
        for cell in self.job["cells"]:
            index = cell["index"]
            self.log.write({"event": "start", "cell": index})
            record = self._run_one(index, cell["source"])
            self.log.write(record)
            patched = [name for name, value in self._methods().items() if value is not self._watched[name]]
            if patched:
                self.log.write({"event": "patched", "cell": index, "names": patched})
                self._watched = self._methods()
            timeouts += record["timed_out"]
            if timeouts >= MAX_TIMEOUTS:
                break
        self.log.write({"event": "end"})

    def _run_one(self, index: int, source: str) -> dict:
        start = time.monotonic()
        self.outputs = CellOutputs()
        done = threading.Event()
        timed_out = threading.Event()
        watchdog = threading.Thread(target=self._watch, args=(index, done, timed_out), daemon=True)
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = Stream(self, "stdout"), Stream(self, "stderr")
        error, count = None, self.shell.execution_count
        watchdog.start()
        try:
            self.in_cell = True
            result = self._run_cell(self.shell, source, store_history=True)
            self.in_cell = False
            error, count = result.error_before_exec or result.error_in_exec, result.execution_count
        except BaseException as raised:  # noqa: BLE001 - the shell itself failed (a patched method, an interrupt)
            self.in_cell = False
            error = raised
        finally:
            done.set()
            sys.stdout, sys.stderr = saved
        outputs = list(self.outputs.items)
        if self.outputs.cut:
            outputs.append({"output_type": "stream", "name": "stdout",
                            "text": f"\n[output cut: the cell printed more than {OUTPUT_CHARS} characters "
                                    f"or {OUTPUT_ITEMS} outputs]\n"})
        if timed_out.is_set():
            error = TimeoutError(f"the cell ran longer than {self.timeout:g} s and was interrupted")
        if error is not None:
            outputs.append(_error(error))
        return {"event": "done", "cell": index, "count": count, "outputs": outputs,
                "timed_out": timed_out.is_set(), "cut": self.outputs.cut, "seconds": round(time.monotonic() - start, 4)}

    def interrupt(self, signum, frame):
        """SIGINT: a KeyboardInterrupt in the cell that runs, and nowhere else (not between cells)."""
        if self.in_cell:
            raise KeyboardInterrupt

    def _watch(self, index: int, done: threading.Event, timed_out: threading.Event) -> None:
        if done.wait(self.timeout):
            return
        timed_out.set()
        os.kill(os.getpid(), signal.SIGINT)  # KeyboardInterrupt in the cell, as a kernel's interrupt
        if done.wait(GRACE_SECONDS):
            return
        self.log.write({"event": "unresponsive", "cell": index})
        os._exit(124)  # noqa: SLF001 - the cell ignores interrupts: nothing else can stop it


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: python -m autograder.grading.runner JOB LOG", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as file:
        job = json.load(file)
    runner = Runner(job, Log(argv[1]))
    signal.signal(signal.SIGINT, runner.interrupt)
    runner.run()
    return 0


def leave(status: int) -> None:
    """End the process with ``status``: what a normal exit does that anyone can see, without the teardown.

    The atexit handlers run (IPython's empties the notebook's namespace: what only the notebook
    held goes, and its files close) and every file still open is flushed, so what the notebook
    wrote is complete, as when nbgrader's kernel shuts down; the modules are not unloaded one by one.
    """
    atexit._run_exitfuncs()  # noqa: SLF001 - what the interpreter's own exit calls first
    writers = (io.TextIOWrapper, io.BufferedWriter, io.BufferedRandom)  # io's ABCs would cost 0.05 s here
    for thing in gc.get_objects():
        if isinstance(thing, writers) and not thing.closed:
            try:
                thing.flush()
            except Exception:  # noqa: BLE001, S112 - a pipe closed, a file not writable: nothing to keep
                continue
    os._exit(status)


if __name__ == "__main__":
    leave(main())
