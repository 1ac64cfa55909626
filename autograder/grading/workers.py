"""Grading students in parallel: worker processes forked from the batch, each taking the next student.

:func:`run` calls ``grade(task)`` for every task, in ``workers`` processes forked from this one
(so they share what the batch prepared, the expected values above all, without copying it
again), and calls ``started(worker, task)`` and ``finished(worker, result)`` in this process as
they happen. With one worker everything runs in this process.

Each student is independent (their own staging folder, sandbox and record), so the only
shared resource is the gradebook: PostgreSQL takes parallel writers as it is; SQLite is opened
with a long busy timeout (:func:`gradebook_url`), its writes being short.

A worker dies with the batch (``PR_SET_PDEATHSIG``): a batch killed with ``kill -9`` leaves no
grading behind it, and its finished students' records; a rerun grades the others. A worker that
dies on its own (the machine's out-of-memory killer, say) loses only the student it was grading,
whose task is returned as failed (``finished(worker, None)``) and which a rerun grades again.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import signal
import traceback

_PR_SET_PDEATHSIG = 1


def gradebook_url(url: str) -> str:
    """Return ``url`` for parallel writers: SQLite waits up to a minute for a lock instead of failing at once."""
    if url.startswith("sqlite:") and "timeout=" not in url:
        return url + ("&" if "?" in url else "?") + "timeout=60"
    return url


def _die_with_parent() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the worker outlives a killed batch, and finishes its student
        pass


def _work(number: int, grade, tasks, events) -> None:
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the batch's to handle
    while True:
        task = tasks.get()
        if task is None:
            return
        events.put(("start", number, task))
        try:
            result = grade(task)
        except BaseException:  # noqa: BLE001 - a bug of the grader's: this task fails, the others go on
            events.put(("error", number, (task, traceback.format_exc(limit=20))))
        else:
            events.put(("done", number, result))


def run(tasks: list, grade, workers: int, started=None, finished=None) -> list:
    """Return ``grade(task)`` for every task (None where a worker failed), in order of ``tasks``.

    ``started(worker, task)`` and ``finished(worker, result_or_None)`` are called in this process
    as tasks begin and end, in the order they do.
    """
    started = started or (lambda worker, task: None)
    finished = finished or (lambda worker, result: None)
    if workers <= 1 or len(tasks) <= 1:
        results = []
        for task in tasks:
            started(0, task)
            results.append(grade(task))
            finished(0, results[-1])
        return results
    context = multiprocessing.get_context("fork")
    queued, events = context.Queue(), context.Queue()
    for task in tasks:
        queued.put(task)
    count = min(workers, len(tasks))
    for _ in range(count):
        queued.put(None)
    processes = [context.Process(target=_work, args=(n, grade, queued, events), daemon=True) for n in range(count)]
    for process in processes:
        process.start()
    position = {repr(task): i for i, task in enumerate(tasks)}
    results: list = [None] * len(tasks)
    current: dict[int, object] = {}
    remaining = len(tasks)
    try:
        while remaining:
            try:
                kind, number, payload = events.get(timeout=1.0)
            except queue.Empty:
                for number, process in enumerate(processes):
                    if not process.is_alive() and number in current:  # died while grading
                        task = current.pop(number)
                        remaining -= 1
                        finished(number, None)
                if not any(p.is_alive() for p in processes) and events.empty():
                    break
                continue
            if kind == "start":
                current[number] = payload
                started(number, payload)
                continue
            task = current.pop(number, None)
            remaining -= 1
            if kind == "done":
                results[position[repr(task)]] = payload
                finished(number, payload)
            else:
                task, trace = payload
                print(f"autograder: grading {task} failed inside the grader:\n{trace}", flush=True)
                finished(number, None)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join(timeout=5)
    return results
