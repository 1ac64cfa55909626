"""The runner that executes a notebook's cells in the sandbox: outputs, errors, timeouts, deaths and cheats.

The runner is started here as the grader starts it, without the sandbox around it (the sandbox
is tested on its own): ``python -I -m autograder.grading.runner JOB LOG``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from autograder.grading.execute import RunLog


def run(tmp_path, *sources, timeout=5.0):
    """Run ``sources`` as the code cells 0, 1, ...; return (exit code, the log read as the grader reads it)."""
    job, log = tmp_path / "job.json", tmp_path / "log.jsonl"
    job.write_text(json.dumps({"cells": [{"index": i, "source": textwrap.dedent(s)} for i, s in enumerate(sources)],
                               "cell_timeout": timeout}))
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND",)}
    env["NBGRADER_EXECUTION"] = "autograde"
    done = subprocess.run([sys.executable, "-I", "-m", "autograder.grading.runner", str(job), str(log)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    return done.returncode, RunLog.read(str(log))


def texts(record, name="stdout"):
    return "".join(o["text"] for o in record["outputs"] if o["output_type"] == "stream" and o["name"] == name)


def error(record):
    """Return the error output of a cell's record (its last output), or None."""
    errors = [o for o in record["outputs"] if o["output_type"] == "error"]
    assert errors in ([], record["outputs"][-1:])  # one error at most, after everything the cell showed
    return errors[0] if errors else None


def test_streams_displays_and_the_result_come_out_as_nbformat_outputs(tmp_path):
    code, log = run(tmp_path, "print('hello')\nimport sys; print('warn', file=sys.stderr)\n6 * 7",
                       "from IPython.display import display, HTML\ndisplay(HTML('<b>x</b>'))\nx = 1;")
    assert code == 0 and log.ended
    first, second = log.done[0], log.done[1]
    assert texts(first) == "hello\n" and texts(first, "stderr") == "warn\n"
    result = [o for o in first["outputs"] if o["output_type"] == "execute_result"]
    assert result[0]["data"]["text/plain"] == "42" and result[0]["execution_count"] == first["count"] == 1
    assert second["count"] == 2 and error(first) is None
    assert [o["output_type"] for o in second["outputs"]] == ["display_data"]  # `x = 1;` shows nothing
    assert second["outputs"][0]["data"]["text/html"] == "<b>x</b>"


def test_an_error_is_recorded_from_the_result_and_the_next_cells_run(tmp_path):
    code, log = run(tmp_path, "a = 1", "assert a == 2", "print(a)")
    failed = error(log.done[1])
    assert failed["ename"] == "AssertionError" and failed in log.done[1]["outputs"]
    assert texts(log.done[2]) == "1\n" and log.ended


@pytest.mark.parametrize("patch", ["lambda *args, **kwargs: None", "None"])
def test_disabling_tracebacks_hides_no_error_and_is_reported(tmp_path, patch):
    # nbgrader's own fixtures submitted-cheat-attempt(-alternative).ipynb
    cheat = f"import IPython.core.interactiveshell\nIPython.core.interactiveshell.InteractiveShell.showtraceback = {patch}"
    _, log = run(tmp_path, cheat, "assert False", "b = 2")
    assert error(log.done[1]) is not None
    assert log.patched and log.patched[0][0] == 0 and "InteractiveShell.showtraceback" in log.patched[0][1]
    assert log.ended


def test_a_cell_past_its_timeout_is_interrupted_and_the_run_goes_on(tmp_path):
    code, log = run(tmp_path, "while True:\n    pass", "print('after')", timeout=1)
    assert log.done[0]["timed_out"] and error(log.done[0])["ename"] == "TimeoutError"
    assert texts(log.done[1]) == "after\n" and log.ended


def test_two_timeouts_stop_the_run(tmp_path):
    _, log = run(tmp_path, "import time; time.sleep(30)", "import time; time.sleep(30)", "print(1)", timeout=1)
    assert log.done[0]["timed_out"] and log.done[1]["timed_out"] and 2 not in log.done and log.ended


def test_a_cell_that_swallows_the_interrupt_ends_the_run(tmp_path):
    stubborn = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
    code, log = run(tmp_path, stubborn, "print('never')", timeout=1)
    assert code == 124 and log.unresponsive == 0 and 1 not in log.done and not log.ended
    assert log.died_in() is None


def test_a_process_that_dies_leaves_its_cell_started_and_not_done(tmp_path):
    code, log = run(tmp_path, "x = 1", "import os; os._exit(3)", "print('never')")
    assert code == 3 and log.died_in() == 1 and 0 in log.done and not log.ended


def test_a_flood_of_output_is_cut(tmp_path):
    _, log = run(tmp_path, "for i in range(10**5): print(i)")
    assert log.done[0]["cut"] and len(texts(log.done[0])) < 25_000 and "[output cut" in texts(log.done[0])


def test_matplotlib_inline_loads_nothing_until_a_cell_plots(tmp_path):
    _, log = run(tmp_path, "%matplotlib inline\nimport sys\nprint('matplotlib' in sys.modules)",
                    "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()")
    assert texts(log.done[0]) == "False\n"
    images = [o for o in log.done[1]["outputs"] if o["output_type"] == "display_data" and "image/png" in o["data"]]
    assert len(images) == 1, log.done[1]["outputs"]


def test_cells_run_in_the_notebooks_folder_under_nbgrader(tmp_path):
    (tmp_path / "data.txt").write_text("a\nb\n")
    _, log = run(tmp_path, "import os\nprint(open('data.txt').read().count('\\n'), os.environ['NBGRADER_EXECUTION'])")
    assert texts(log.done[0]) == "2 autograde\n"


def test_what_the_notebook_writes_is_complete_at_exit_as_after_a_kernels_shutdown(tmp_path):
    # The runner leaves without unloading its modules; files the notebook never closed still get their data.
    # (A file reachable only from a reference cycle loses its buffer under any CPython exit: not asked here.)
    code, log = run(tmp_path, "kept = open('kept.txt', 'w')\nkept.write('held by the notebook')",
                       "raw = open('raw.bin', 'wb')\nraw.write(b'bytes')",
                       "import atexit\natexit.register(lambda: open('atexit.txt', 'w').write('ran'))")
    assert code == 0 and log.ended
    assert (tmp_path / "kept.txt").read_text() == "held by the notebook"
    assert (tmp_path / "raw.bin").read_bytes() == b"bytes"
    assert (tmp_path / "atexit.txt").read_text() == "ran"
