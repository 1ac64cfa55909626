"""Finding processes a test left behind, by a marker on their command line."""

from __future__ import annotations

import time
from pathlib import Path


def processes_mentioning(marker: str, settle_seconds: float = 5.0) -> list[int]:
    """Return the pids whose command line contains ``marker``, once they had ``settle_seconds`` to go.

    A killed process group or a sandbox's PID namespace is torn down by the kernel after the kill
    returns; on a loaded machine that takes a moment, so an immediate look would see the dying.
    """
    deadline = time.monotonic() + settle_seconds
    while (found := _mentioning(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def _mentioning(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:  # the process ended while we looked
            pass
    return found
