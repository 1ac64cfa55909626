"""Run one prepared notebook inside the sandbox, cell by cell, saving what happened as it goes.

``python -I -m autograder.runner NOTEBOOK RESULTS --cell-timeout SECONDS`` executes the notebook
in a fresh kernel (``nbclient``; the kernel's working directory is the notebook's folder), with
errors allowed, as nbgrader does. After every cell it saves the executed notebook to
``RESULTS/executed.ipynb`` and appends to ``RESULTS/events.jsonl`` what went wrong, if anything:

* ``{"event": "timeout", "cell": i}``: the cell ran past the timeout and was interrupted;
  after :data:`MAX_TIMEOUTS` of them the kernel is taken as unresponsive and the run stops;
* ``{"event": "died", "cell": i}``: the kernel died (``os._exit``, a crash); the run stops;
* ``{"event": "output", "cell": i, "chars": n}``: the cell printed more than the limit; the
  rest of its output was dropped.

Saving as it goes means that a run the sandbox kills (wall time, memory, output) still leaves
everything up to the last finished cell. The grader outside trusts none of these files: it reads
them as data (:mod:`autograder.grading.execute`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

#: Characters of output one cell may keep (its streams, error text and plain-text results).
OUTPUT_CHARS = 20_000
#: Outputs one cell may keep (a loop of plt.show() makes one image each).
OUTPUT_ITEMS = 50
#: Cells that may time out before the run stops.
MAX_TIMEOUTS = 2
TIMEOUT_NAME = "CellTimeoutError"


def _size(output) -> int:
    if output.get("output_type") == "stream":
        return len(output.get("text", ""))
    if output.get("output_type") == "error":
        return sum(len(line) for line in output.get("traceback", []))
    return sum(len(str(value)) for value in output.get("data", {}).values())


class Client(NotebookClient):
    """A client that keeps at most :data:`OUTPUT_CHARS` and :data:`OUTPUT_ITEMS` of each cell's output."""

    def __init__(self, *args, events, **kwargs):
        super().__init__(*args, **kwargs)
        self.events = events
        self.kept: dict[int, int] = {}  # characters kept so far, by cell
        self.cut: set[int] = set()

    def output(self, outs, msg, display_id, cell_index):
        out = super().output(outs, msg, display_id, cell_index)
        if out is None or not outs or outs[-1] is not out:
            return out
        kept = self.kept.get(cell_index, 0) + _size(out)
        self.kept[cell_index] = kept
        if kept > OUTPUT_CHARS or len(outs) > OUTPUT_ITEMS:
            outs.pop()
            if cell_index not in self.cut:  # the first overflow: say so once
                self.cut.add(cell_index)
                self.events.write({"event": "output", "cell": cell_index, "chars": kept})
                outs.append(nbformat.v4.new_output(
                    "stream", name="stdout", text=f"\n[output cut: the cell printed more than "
                                                  f"{OUTPUT_CHARS} characters or {OUTPUT_ITEMS} outputs]\n"))
        return out


class Events:
    """The ``events.jsonl`` log: one JSON object per line, flushed at once."""

    def __init__(self, path: str):
        self.file = open(path, "a", encoding="utf-8")

    def write(self, event: dict) -> None:
        self.file.write(json.dumps(event) + "\n")
        self.file.flush()


def _save(nb, path: str) -> None:
    with open(path + ".tmp", "w", encoding="utf-8") as file:
        nbformat.write(nb, file)
    os.replace(path + ".tmp", path)


def run(notebook: str, results: str, cell_timeout: float) -> None:
    """Execute ``notebook`` cell by cell, saving the executed copy and the events in ``results``."""
    nb = nbformat.read(notebook, as_version=4)
    events = Events(os.path.join(results, "events.jsonl"))
    executed = os.path.join(results, "executed.ipynb")
    timeouts = []

    def on_executed(cell, cell_index, execute_reply):
        content = (execute_reply or {}).get("content", {})
        if content.get("ename") == TIMEOUT_NAME:
            timeouts.append(cell_index)
            events.write({"event": "timeout", "cell": cell_index})
            cell.outputs.append(nbformat.v4.new_output(
                "error", ename=TIMEOUT_NAME, evalue=content.get("evalue", ""), traceback=[content.get("evalue", "")]))

    client = Client(
        nb, events=events, timeout=cell_timeout, kernel_name="python3", allow_errors=True,
        interrupt_on_timeout=True, shutdown_kernel="immediate", record_timing=False,
        error_on_timeout={"ename": TIMEOUT_NAME, "evalue": f"the cell ran longer than {cell_timeout:g} s and was "
                                                           f"interrupted", "traceback": []},
        on_cell_executed=on_executed, resources={"metadata": {"path": os.path.dirname(os.path.abspath(notebook))}})
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            try:
                client.execute_cell(cell, index)
            except DeadKernelError:
                events.write({"event": "died", "cell": index})
                break
            finally:
                _save(nb, executed)
            if len(timeouts) >= MAX_TIMEOUTS:
                break
    _save(nb, executed)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.runner")
    parser.add_argument("notebook")
    parser.add_argument("results")
    parser.add_argument("--cell-timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    run(args.notebook, args.results, args.cell_timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
