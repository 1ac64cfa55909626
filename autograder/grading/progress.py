"""A progress display for a grading run: a redrawn bar on a terminal, plain lines in a log.

With several workers (:mod:`.workers`), :meth:`Progress.started` and :meth:`Progress.finished`
keep track of what each worker grades and of the time per student, from which the terminal line
shows the workers and both lines the time left (ETA).

>>> import io
>>> stream = io.StringIO()  # not a terminal: a line per result
>>> with Progress(2, stream) as progress:
...     progress.update(StudentResult("ch1", "alice", "graded", "", 13.5, 16, seconds=2.1))
>>> print(stream.getvalue(), end="")
[1/2] ch1 alice: 13.5/16 graded (2.1 s)
"""

from __future__ import annotations

import sys
import time

from .report import one_line, score_text
from .results import FLAGGED, StudentResult

_WIDTH = 100  # characters of the terminal line, so that it fits an ordinary terminal
_BAR = 20


class Progress:
    """A display of each result as it is graded, ``total`` results in all, on ``stream`` (stderr).

    On a terminal (``stream.isatty()``) one line is redrawn with ``\\r``; elsewhere (CI logs,
    pipes) each result gets a line of its own, since a redrawn line there becomes one long line
    of carriage returns. Writing never raises: grading must not fail because its display did.
    """

    def __init__(self, total: int, stream=None, workers: int = 1):
        self.total = total
        self.done = 0
        self.workers = workers
        self.stream = sys.stderr if stream is None else stream
        self._drawn = 0  # length of the terminal line on screen, 0 when there is none
        self._current: dict[int, str] = {}  # worker -> what it grades
        self._start = time.monotonic()
        try:
            self._tty = bool(self.stream.isatty())
        except (AttributeError, OSError, ValueError):  # no isatty, or a closed stream
            self._tty = False

    def started(self, worker: int, task) -> None:
        """Return None, having noted that ``worker`` grades ``task`` ``(assignment, student)`` now."""
        self._current[worker] = " ".join(map(str, task))

    def finished(self, worker: int, result: StudentResult | None) -> None:
        """Return None, having shown ``result`` (None: the worker failed on its task) as the next one done."""
        self._current.pop(worker, None)
        if result is not None:
            self.update(result, show_eta=True)
        else:
            self.done += 1

    def eta(self) -> str:
        """Return the time left, from the mean time per student done so far (with the workers running together)."""
        if not self.done:
            return ""
        seconds = (time.monotonic() - self._start) / self.done * max(self.total - self.done, 0)
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"

    def update(self, result: StudentResult, show_eta: bool = False) -> None:
        """Return None, having shown ``result`` as the next one done, with the time left if ``show_eta``."""
        self.done += 1
        eta = self.eta() if show_eta else ""  # counting this result: the first one gives an ETA
        summary = f"{result.assignment} {result.student}: {score_text(result)}"
        if self._tty:
            filled = round(_BAR * min(self.done / max(self.total, 1), 1))
            status = f"  eta {eta}" if eta else ""
            if self.workers > 1:
                status += f"  [{self.workers} workers: {', '.join(v for _, v in sorted(self._current.items())) or 'idle'}]"
            line = f"grading [{'#' * filled}{'.' * (_BAR - filled)}] {self.done}/{self.total}{status}  {summary}"
            line = line[:_WIDTH]
            # Spaces over the rest of a longer previous line, which \r alone leaves on screen.
            self._write("\r" + line.ljust(self._drawn))
            self._drawn = len(line)
        else:
            reason = f" - {one_line(result.reason)}" if result.status == FLAGGED and result.reason else ""
            left = f", eta {eta}" if eta and self.done < self.total else ""
            self._write(f"[{self.done}/{self.total}] {summary} ({result.seconds:.1f} s{left}){reason}\n")

    def close(self) -> None:
        """Return None, having ended the terminal line so that what is printed next starts a line."""
        if self._drawn:
            self._write("\n")
            self._drawn = 0

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed stream raises ValueError, a broken pipe OSError
            pass
