"""Running one call of student code under watch: a time budget, captured output, no library shortcuts.

:func:`run` calls a function and always returns an :class:`Outcome`, whatever the function does:

* **time**: a ``SIGALRM`` timer (main thread only) raises :class:`Timeout` inside the call once
  the budget is spent, and again every 0.1 s until the call gives up. ``Timeout`` is a
  ``BaseException``, so ``except Exception`` lets it through; only code that swallows *every*
  exception inside an endless loop outlasts it, and that is left to the notebook's cell timeout;
* **output**: ``sys.stdout``/``sys.stderr`` and the file descriptors 1 and 2 point to private
  sinks during the call, so nothing the student prints or warns reaches the notebook's stderr
  (stock nbgrader scores a test cell that writes to stderr as 0); floods are cut at
  :data:`KEEP_CHARS`;
* **shortcuts**: a profiler (``sys.setprofile``) reports calls of forbidden library code
  (:mod:`autograder.forbidden`) however they were reached, and the outcome notes it when the
  call removed the profiler or the timer.

Exceptions of every kind, ``SystemExit`` and ``KeyboardInterrupt`` included, become part of
the outcome. The global state a call may change in passing (numpy's error settings, the
warning filters, ``sys.stdout``) is put back afterwards.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
import threading
import time
import traceback
import warnings

import numpy as np

from .. import problems
from ..calling import Unfit
from ..observations import Outcome
from . import forbidden

#: Characters of printed output kept per call; the rest is counted, not stored.
KEEP_CHARS = 2000
#: Interval at which the timer fires again after the budget, until the call gives up.
REFIRE_SECONDS = 0.1

_setprofile, _getprofile = sys.setprofile, sys.getprofile
_threading_setprofile, _threading_getprofile = threading.setprofile, threading.getprofile


class Timeout(BaseException):
    """Raised inside a call that ran past its budget (a BaseException, so ``except Exception`` misses it)."""


class _Sink:
    """A write-only text stream that keeps the first ``KEEP_CHARS`` characters and counts the rest."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self):
        self.parts, self.kept, self.total = [], 0, 0

    def write(self, text):
        text = text if isinstance(text, str) else str(text)
        self.total += len(text)
        if self.kept < KEEP_CHARS:
            self.parts.append(text[: KEEP_CHARS - self.kept])
            self.kept += len(self.parts[-1])
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        pass

    def isatty(self):
        return False

    def fileno(self):
        raise OSError("the autograder captures this stream; it has no file descriptor")

    def text(self) -> str:
        return "".join(self.parts)


class _FdCapture:
    """Point file descriptors 1 and 2 at a temporary file (output of C code, ``os.write``, ``sys.__stderr__``)."""

    def __init__(self):
        self.file = None
        self.saved = []

    def __enter__(self):
        try:
            for stream in (sys.__stdout__, sys.__stderr__):
                if stream is not None:
                    stream.flush()
            self.file = tempfile.TemporaryFile()
            for fd in (1, 2):
                self.saved.append((fd, os.dup(fd)))
                os.dup2(self.file.fileno(), fd)
        except (OSError, ValueError):
            self._restore()
        return self

    def _restore(self):
        for fd, copy in self.saved:
            os.dup2(copy, fd)
            os.close(copy)
        self.saved = []

    def __exit__(self, *exc):
        try:
            for stream in (sys.__stdout__, sys.__stderr__):
                if stream is not None:
                    stream.flush()
        except (OSError, ValueError):
            pass
        self._restore()

    def read(self) -> tuple[str, int]:
        """Return the first ``KEEP_CHARS`` characters written and the number of bytes written."""
        if self.file is None:
            return "", 0
        size = self.file.seek(0, os.SEEK_END)
        self.file.seek(0)
        text = self.file.read(KEEP_CHARS).decode("utf-8", "replace")
        self.file.close()
        return text, size


class _Timer:
    """The SIGALRM budget of one call. ``armed`` is cleared before disarming, so a late signal is ignored."""

    def __init__(self, seconds: float):
        self.seconds, self.armed, self.fired, self.previous = seconds, False, False, None
        self.usable = seconds and seconds > 0 and threading.current_thread() is threading.main_thread()

    def _handler(self, signum, frame):
        if self.armed:
            self.fired = True
            raise Timeout

    def start(self):
        if self.usable:
            self.previous = signal.signal(signal.SIGALRM, self._handler)
            self.armed = True
            signal.setitimer(signal.ITIMER_REAL, self.seconds, REFIRE_SECONDS)

    def stop(self) -> bool:
        """Disarm; return whether our handler was still in place (a call may have replaced it)."""
        if not self.usable:
            return True
        while True:
            try:
                self.armed = False
                signal.setitimer(signal.ITIMER_REAL, 0)
                ours = signal.getsignal(signal.SIGALRM) == self._handler
                signal.signal(signal.SIGALRM, self.previous if self.previous is not None else signal.SIG_DFL)
                return ours
            except Timeout:
                self.fired = True


def _student_line(tb) -> str:
    """Return ' (line N: source)' for the innermost traceback frame outside the autograder."""
    frames = [f for f in traceback.extract_tb(tb)
              if not os.path.abspath(f.filename).startswith(forbidden.AUTOGRADER_DIR)]
    if not frames:
        return ""
    frame = frames[-1]
    source = (frame.line or "").strip()
    where = f"line {frame.lineno}" + (f" in {frame.name}" if frame.name not in ("<module>", "<lambda>") else "")
    return f" ({where}: {source[:120]})" if source else f" ({where})"


def _describe(error: BaseException) -> str:
    try:
        message = str(error)
    except BaseException:  # a student's exception class whose __str__ fails
        message = "<unprintable message>"
    message = message if len(message) <= 300 else message[:300] + "..."
    name = type(error).__name__
    return f"{name}: {message}" if message else name


_active = [False]


def run(call, budget: float, watch: bool = True) -> Outcome:
    """Return the :class:`Outcome` of ``call()`` run under a ``budget`` of seconds (0: no limit).

    ``watch=False`` runs it without the profiler that spots forbidden library calls: for the
    sandbox, where those libraries are absent (:func:`.forbidden.switch_off_numpy`). Not re-entrant: called from inside a watched call (student code reaching for the guard to
    replace the watch with its own), it raises ``RuntimeError`` into that call.
    """
    if _active[0]:
        raise RuntimeError("the autograder's guard cannot run inside a watched call")
    _active[0] = True
    try:
        return _run(call, budget, watch)
    finally:
        _active[0] = False


def _run(call, budget: float, watching: bool) -> Outcome:
    outcome = Outcome()
    sink = _Sink()
    watch = forbidden.Watch()
    # One bound method, so that "is" below compares like with like; None: no profiler at all.
    profile = watch.profile if watching else None
    forbidden.take_calls()  # switched-off calls made before this one are not its own
    timer = _Timer(budget)
    saved_streams = (sys.stdout, sys.stderr)
    saved_err = np.geterr()
    saved_profile, saved_thread_profile = _getprofile(), _threading_getprofile()
    fds = _FdCapture()
    clock = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with fds:
            sys.stdout = sys.stderr = sink
            try:
                try:
                    if watching:
                        _threading_setprofile(profile)
                        _setprofile(profile)
                    timer.start()
                    with watch.torch_mode() if watching else contextlib.nullcontext():
                        outcome.value = call()
                finally:
                    timer_kept = timer.stop()
                    profile_kept = not watching or _getprofile() is profile
                    if watching:
                        _setprofile(saved_profile)
                        _threading_setprofile(saved_thread_profile)
            except Timeout:
                timer.fired = True
            except Unfit as error:  # the case's harness refusing the student's object: its message is the problem
                outcome.problem = problems.unfit(str(error.args[0]) if error.args else "Unfit")
            except KeyboardInterrupt as error:
                # Most likely the user pressed stop: the caller runs no further case.
                outcome.problem = problems.interrupted(_describe(error) + _student_line(error.__traceback__))
                outcome.error_type = "KeyboardInterrupt"
            except BaseException as error:  # noqa: BLE001 - every failure of student code is an outcome
                outcome.error_type = type(error).__name__
                if isinstance(error, NotImplementedError):
                    outcome.problem = problems.not_implemented()
                else:
                    outcome.problem = problems.raised(_describe(error) + _student_line(error.__traceback__))
                if isinstance(error, ImportError) and type(getattr(error, "name", None)) is str:
                    outcome.import_name = error.name
            finally:
                sys.stdout, sys.stderr = saved_streams
                np.seterr(**saved_err)
    outcome.seconds = time.perf_counter() - clock
    if timer.fired:
        outcome.value, outcome.problem, outcome.error_type = None, problems.timed_out(budget), "Timeout"
    text, size = fds.read()
    outcome.output = (sink.text() + text)[:KEEP_CHARS]
    outcome.output_chars = sink.total + size
    outcome.warnings = tuple(dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught))[:3]
    labels = list(watch.labels) + forbidden.take_calls()
    if not profile_kept:
        labels.append("sys.setprofile (it removed the autograder's watch on library calls)")
    if not timer_kept:
        labels.append("signal.signal (it replaced the autograder's timer)")
    outcome.forbidden = tuple(dict.fromkeys(labels))
    return outcome
