"""Grading students in parallel: worker processes forked from the batch, each taking the next student.

:func:`run` calls ``grade(task)`` for every task, in ``workers`` processes forked from this one
(so they share what the batch prepared, the expected values above all, without copying it
again), and calls ``started(worker, task)`` and ``finished(worker, result)`` in this process as
they happen. With one worker everything runs in this process.

Each student is independent (their own staging folder, sandbox and record), so the only
shared resource is the gradebook: PostgreSQL takes parallel writers as it is; SQLite is opened
with a long busy timeout (:meth:`.course.Course.for_parallel_writers`), its writes being short.

A worker dies with the batch (``PR_SET_PDEATHSIG``): a batch killed with ``kill -9`` leaves no
grading behind it, and its finished students' records; a rerun grades the others. A worker that
dies on its own (the machine's out-of-memory killer, say) loses only the student it was grading,
whose task is returned as failed (``finished(worker, None)``) and which a rerun grades again;
a new worker takes its place.
"""

from __future__ import annotations

import collections
import ctypes
import multiprocessing
import multiprocessing.connection
import signal
import traceback

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the worker outlives a killed batch, and finishes its student
        pass


def _work(grade, connection) -> None:
    """A worker: grade each task the batch sends, answer each with ``("done", result)`` or ``("error", trace)``."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the batch's to handle
    while (task := connection.recv()) is not None:
        try:
            answer = ("done", grade(task))
        except BaseException:  # noqa: BLE001 - a bug of the grader's: this task fails, the others go on
            answer = ("error", traceback.format_exc(limit=20))
        connection.send(answer)


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
    pending = collections.deque(enumerate(tasks))
    results: list = [None] * len(tasks)
    current: dict[int, int] = {}  # worker -> position of the task it grades
    count = min(workers, len(tasks))
    connections, processes = [None] * count, [None] * count

    def spawn(number: int) -> None:
        # A pipe per worker, written synchronously: a worker that dies takes no finished result with
        # it (a multiprocessing.Queue writes from a thread that dies with the process).
        ours, theirs = context.Pipe()
        processes[number] = context.Process(target=_work, args=(grade, theirs), daemon=True)
        processes[number].start()
        theirs.close()
        connections[number] = ours

    def give(number: int) -> None:
        if pending:
            position, task = pending.popleft()
            current[number] = position
            connections[number].send(task)
            started(number, task)
        else:
            connections[number].send(None)

    def end(number: int, answer) -> None:
        position = current.pop(number)
        if answer is not None and answer[0] == "error":
            print(f"autograder: grading {tasks[position]} failed inside the grader:\n{answer[1]}", flush=True)
        results[position] = answer[1] if answer is not None and answer[0] == "done" else None
        finished(number, results[position])

    try:
        for number in range(count):
            spawn(number)
            give(number)
        while current:
            watched = {connections[n]: n for n in current} | {processes[n].sentinel: n for n in current}
            for ready in multiprocessing.connection.wait(list(watched)):
                number = watched[ready]
                if number not in current:
                    continue
                if ready is connections[number] or connections[number].poll():
                    try:
                        answer = connections[number].recv()
                    except (EOFError, OSError):
                        answer = None
                    end(number, answer)
                    if answer is not None:
                        give(number)
                else:  # the worker died while grading: its task is lost, a new worker takes the next
                    end(number, None)
                    processes[number].join()
                    spawn(number)
                    give(number)
    finally:
        for process in filter(None, processes):
            if process.is_alive():
                process.terminate()
            process.join(timeout=5)
    return results
