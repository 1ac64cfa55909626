"""Run one student's command in a sandbox and report what happened, never raising for it.

This is the isolation step of the batch grader: ``run(argv, workdir)`` starts ``argv`` (for
example the interpreter that executes a submitted notebook) under bubblewrap with

* the whole filesystem visible read-only, a private ``/tmp`` and ``/dev/shm``;
* the student's ``workdir`` read-write and used as the working directory;
* every path in ``hide`` replaced by an empty, read-only directory (the gradebook, the course
  source with its hidden tests, the exchange, the other students' folders);
* new namespaces for everything, so no network beyond a private loopback, no view of the
  host's processes, and no capabilities even when the grader runs as root;
* a clean environment (``PATH``, ``HOME=/tmp``, ``LANG``, ``TMPDIR`` plus what the caller passes);
* resource limits (:class:`Limits`): CPU seconds, address space, file size through
  ``setrlimit`` (inherited by bubblewrap and everything it starts), wall time enforced here by
  killing the whole sandbox, and a cap on the output kept.

What happened comes back as an :class:`Finished` whose ``status`` is one of ``"ok"``,
``"exit N"``, ``"killed by signal N (NAME)"``, ``"cpu time limit"``, ``"wall time limit"``,
``"memory limit"``, ``"file size limit"`` or ``"output limit"``. Only the instructor's mistakes
raise: a missing ``workdir`` (``ValueError``) or a machine where bubblewrap cannot run
(:class:`SandboxUnavailable`).

``run(..., no_sandbox=True)`` applies the same limits and clean environment without
bubblewrap, for machines without user namespaces. It does NOT isolate anything: the command can
read and write every file the grader can and reach the network.

Known limits of this step (see also the notes on :class:`Limits`):

* ``RLIMIT_CPU`` and ``RLIMIT_AS`` count per process, so a command that starts several processes
  can use a multiple of them; the wall limit still bounds the whole run.
* No limit on the number of processes: ``RLIMIT_NPROC`` counts per user and is ignored for root,
  the user CI grades as. A fork bomb is ended by the wall limit (the sandbox's PID namespace dies
  with it) but can load the machine until then. Cgroups (``systemd-run --scope -p TasksMax=``)
  would be the fix.
* The workdir lives on the real disk: ``file_bytes`` caps each file, not their number.
* Files outside ``hide`` stay readable; hiding secrets is the caller's job.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import resource
import selectors
import shutil
import signal
import sys
import subprocess
import tempfile
import time
from pathlib import Path

BWRAP = "bwrap"
DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"

# Flags shared by every sandboxed run and the availability probe. --unshare-user and
# --cap-drop ALL matter when the grader is root: without them the command would keep root's
# capabilities and could remount the read-only root filesystem.
BASE_FLAGS = (
    "--ro-bind", "/", "/",
    "--dev", "/dev",
    "--proc", "/proc",
    "--unshare-all",
    "--unshare-user",
    "--cap-drop", "ALL",
    "--die-with-parent",
    "--new-session",
)

INSTALL_HINT = (
    "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; it needs user namespaces) "
    "or pass --no-sandbox to grade without isolation"
)

# Under bubblewrap a command killed by signal S is reported as exit code 128 + S (the shell's
# convention); codes above this are read as signals.
SIGNAL_EXIT_BASE = 128


#: The statuses of a command that one of the limits ended (see :func:`classify`).
LIMIT_STATUSES = ("wall time limit", "output limit", "cpu time limit", "memory limit", "file size limit")


class SandboxUnavailable(RuntimeError):
    """Bubblewrap is missing or cannot create namespaces on this machine."""


@dataclasses.dataclass(frozen=True)
class Limits:
    """Resource limits of one run.

    ``cpu_seconds`` (RLIMIT_CPU: SIGXCPU at the limit, SIGKILL one second later),
    ``memory_bytes`` (RLIMIT_AS, address space: allocations beyond it fail, in Python with
    ``MemoryError``), ``file_bytes`` (RLIMIT_FSIZE, the largest file the command may write),
    ``tmp_bytes`` (size of each of the private ``/tmp`` and ``/dev/shm``, which live in memory
    that RLIMIT_AS does not count) and ``output_bytes`` (stdout and stderr kept together;
    the command is killed when it writes more) apply per process unless said otherwise;
    ``wall_seconds`` bounds the whole run.
    """

    cpu_seconds: int = 60
    wall_seconds: float = 120.0
    memory_bytes: int = 2 * 1024**3
    file_bytes: int = 64 * 1024**2
    tmp_bytes: int = 64 * 1024**2
    output_bytes: int = 1024**2


@dataclasses.dataclass(frozen=True)
class Finished:
    """What one run did: a ``status`` (see the module docstring), the exit code and signal,
    the output kept (decoded as UTF-8 with replacement) and the time it took."""

    status: str
    returncode: int
    signal: int | None
    stdout: str
    stderr: str
    truncated: bool
    wall_seconds: float
    sandboxed: bool

    @property
    def ok(self) -> bool:
        """Return True when the command exited with code 0 within every limit."""
        return self.status == "ok"

    @property
    def hit_limit(self) -> bool:
        """Return True when one of the :class:`Limits` ended the command."""
        return self.status in LIMIT_STATUSES


def bwrap_path() -> str | None:
    """Return the path of the bubblewrap executable, or None when it is not installed."""
    return shutil.which(BWRAP)


@functools.lru_cache(maxsize=1)
def _probe() -> str | None:
    """Return why bubblewrap cannot sandbox here, or None when it can (checked once)."""
    bwrap = bwrap_path()
    if bwrap is None:
        return f"bubblewrap ({BWRAP}) is not installed"
    true = shutil.which("true") or "/bin/true"
    try:
        done = subprocess.run(
            [bwrap, *BASE_FLAGS, true], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap could not start: {exc}"
    if done.returncode != 0:
        return f"bubblewrap cannot create a sandbox here: {done.stderr.strip()}"
    return None


def why_unavailable() -> str | None:
    """Return why bubblewrap cannot sandbox here, or None when it can."""
    return _probe()


def available() -> bool:
    """Return True when bubblewrap is installed and can create namespaces on this machine."""
    return _probe() is None


def require() -> None:
    """Raise :class:`SandboxUnavailable`, saying why and what to do, when bubblewrap cannot run here."""
    reason = _probe()
    if reason is not None:
        raise SandboxUnavailable(f"{reason}; {INSTALL_HINT}")


def bwrap_argv(argv, workdir: str, hide=(), limits: Limits = Limits(), binds=(), writable=()) -> list[str]:
    """Return the bubblewrap command line that runs ``argv`` in ``workdir`` with ``hide`` hidden.

    ``binds`` are ``(source, target)`` pairs shown read-only at ``target`` after the hiding
    (a stub in place of a package, a folder shown again inside a hidden one); ``writable`` are
    folders shown read-write besides ``workdir`` (where the command leaves its results). ``workdir``
    and all paths must be absolute and resolved (no symlinks).
    """
    size = str(limits.tmp_bytes)
    args = [bwrap_path() or BWRAP, *BASE_FLAGS]
    args += ["--size", size, "--tmpfs", "/tmp", "--size", size, "--tmpfs", "/dev/shm"]
    # The private /tmp would hide an interpreter, an environment or a checkout that lives there
    # (a clone under /tmp, say): show those again, read-only, before anything is hidden.
    for path in _needed_under_private_dirs(argv):
        args += ["--ro-bind", path, path]
    # Hidden directories first, so that a workdir inside one (all submissions hidden, this
    # student's folder shown) is bound on top; read-only last, once the workdir's mount point
    # exists in the empty directory.
    dirs = [path for path in hide if os.path.isdir(path)]
    for path in dirs:
        args += ["--size", "4096", "--tmpfs", path]
    for path in hide:
        if not os.path.isdir(path):
            args += ["--ro-bind", "/dev/null", path]  # a file reads as empty
    for source, target in binds:
        args += ["--ro-bind", source, target]
    args += ["--bind", workdir, workdir, "--chdir", workdir]
    for path in writable:
        args += ["--bind", path, path]
    for path in dirs:
        args += ["--remount-ro", path]
    return args + ["--", *argv]


PRIVATE_DIRS = ("/tmp", "/dev/shm")


def _needed_under_private_dirs(argv) -> list[str]:
    """Return the paths a command needs that lie under the private /tmp or /dev/shm, outermost first.

    They are the program itself, this Python's environment (``sys.prefix``, ``sys.base_prefix``)
    and the folder the course packages are imported from (an editable install points there).
    """
    program = shutil.which(argv[0]) if argv else None
    candidates = {sys.prefix, sys.base_prefix, str(Path(__file__).resolve().parents[2])}
    if program:
        candidates.add(os.path.dirname(os.path.realpath(program)))
        candidates.add(os.path.dirname(os.path.abspath(program)))
    inside = sorted(
        os.path.realpath(path) for path in candidates
        if any(os.path.realpath(path).startswith(private + "/") for private in PRIVATE_DIRS)
    )
    # A path inside another one already shown needs no mount of its own.
    return [path for i, path in enumerate(inside) if not any(path.startswith(p + "/") for p in inside[:i])]


def environment(env, home: str) -> dict[str, str]:
    """Return the clean environment of a run: PATH, HOME, LANG and TMPDIR, then ``env``."""
    clean = {"PATH": DEFAULT_PATH, "HOME": home, "LANG": "C.UTF-8", "TMPDIR": home}
    clean.update(env or {})
    return clean


def _set_limits(limits: Limits):
    """Return the function the child runs before exec to apply ``limits`` to itself."""

    def apply():
        # A second of grace between SIGXCPU and SIGKILL lets the kind of end be told apart.
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        # SIGXCPU dumps core by default; a core file in the workdir is litter.
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _kill_group(pid: int) -> None:
    """Kill the process group led by ``pid`` (the sandbox and all it started), if still there."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _collect(proc: subprocess.Popen, limits: Limits):
    """Read both pipes until they close, the wall time runs out or the output cap is passed.

    Return (stdout bytes, stderr bytes, truncated, timed_out, deadline). Nothing past the cap is
    kept, and the command is killed as soon as it passes it, so an endless print loop ends early.
    """
    deadline = time.monotonic() + limits.wall_seconds
    kept = {proc.stdout: bytearray(), proc.stderr: bytearray()}
    room = limits.output_bytes
    truncated = timed_out = False
    with selectors.DefaultSelector() as selector:
        for pipe in kept:
            selector.register(pipe, selectors.EVENT_READ)
        while selector.get_map() and not truncated:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            for key, _ in selector.select(timeout=remaining):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                kept[key.fileobj] += chunk[:room]
                truncated = truncated or len(chunk) > room
                room -= min(room, len(chunk))
    return bytes(kept[proc.stdout]), bytes(kept[proc.stderr]), truncated, timed_out, deadline


def _reap(pid: int, deadline: float):
    """Return (wait status, rusage, timed_out) of ``pid``, killing its group at ``deadline``.

    Whatever is left of its process group is killed while ``pid`` is still an unreaped zombie:
    only then is the group id certain not to have been reused by an unrelated process.
    """
    timed_out = False
    while os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        if time.monotonic() >= deadline:
            timed_out = True
            break
        time.sleep(0.005)
    _kill_group(pid)
    _, status, usage = os.wait4(pid, 0)
    return status, usage, timed_out


def classify(returncode: int, sig: int | None, stderr: str, used: float, limits: Limits,
             timed_out: bool, truncated: bool) -> str:
    """Return the status of a finished run; the first matching reason wins.

    ``used`` is the time the run took (CPU or wall, the larger): a SIGKILL the grader did not
    send, after at least ``cpu_seconds``, is read as the hard CPU limit (a command that ignores
    SIGXCPU gets SIGKILL a second later). A multi-threaded command can reach the CPU limit in
    less wall time; it then shows as "killed by signal 9 (SIGKILL)".

    A memory limit is recognised by text: Python turns a failed allocation into ``MemoryError``
    (numpy's ``_ArrayMemoryError`` included), which ends the program with exit code 1 and the
    traceback on stderr. The same holds for a file too large for ``file_bytes``
    (``OSError: [Errno 27] File too large``), since Python ignores SIGXFSZ.
    """
    if timed_out:
        return "wall time limit"
    if truncated:
        return "output limit"
    if sig == signal.SIGXCPU or (sig == signal.SIGKILL and used >= limits.cpu_seconds):
        return "cpu time limit"
    if returncode != 0 and ("MemoryError" in stderr or "std::bad_alloc" in stderr):
        return "memory limit"
    if sig == signal.SIGXFSZ or (returncode != 0 and "File too large" in stderr):
        return "file size limit"
    if sig is not None:
        return f"killed by signal {sig} ({signal.Signals(sig).name})"
    if returncode != 0:
        return f"exit {returncode}"
    return "ok"


def _signal_of(returncode: int, sandboxed: bool) -> int | None:
    """Return the signal that ended the command, read from its exit code, or None."""
    if returncode < 0:
        return -returncode
    if sandboxed and returncode > SIGNAL_EXIT_BASE:
        number = returncode - SIGNAL_EXIT_BASE
        if number in signal.valid_signals():
            return number
    return None


def run(argv, workdir, *, hide=(), binds=(), writable=(), limits: Limits = Limits(), env=None,
        no_sandbox: bool = False) -> Finished:
    """Run ``argv`` for one student in ``workdir`` and return its :class:`Finished`.

    Never raises for anything the command does. Raises ``ValueError`` when ``workdir`` is not
    a directory or a hidden path lies inside it, and :class:`SandboxUnavailable` when bubblewrap
    cannot run here and ``no_sandbox`` is False. ``env`` adds to (or overrides) the clean
    environment; ``binds`` are read-only ``(source, target)`` mounts made after the hiding and
    ``writable`` folders shown read-write (see :func:`bwrap_argv`); ``no_sandbox=True`` keeps the limits but isolates nothing (module docstring).
    """
    workdir = os.path.realpath(workdir)
    if not os.path.isdir(workdir):
        raise ValueError(f"workdir {workdir!r} is not a directory")
    hide = [os.path.realpath(path) for path in hide]
    inside = [path for path in hide if os.path.commonpath([path, workdir]) == workdir]
    if inside:
        raise ValueError(f"hide={inside!r} lies inside workdir {workdir!r}; hide it elsewhere")
    if not no_sandbox:
        require()

    with tempfile.TemporaryDirectory(prefix="sandbox-home-") as scratch:
        if no_sandbox:
            command, home = list(argv), scratch
        else:
            # hide paths that do not exist have nothing to hide; bubblewrap would fail on them
            present = [path for path in hide if os.path.lexists(path)]
            binds = [(os.path.realpath(s), os.path.realpath(t)) for s, t in binds if os.path.exists(s)]
            writable = [os.path.realpath(path) for path in writable]
            command, home = bwrap_argv(argv, workdir, present, limits, binds, writable), "/tmp"
        return _execute(command, workdir, environment(env, home), limits, not no_sandbox)


def _execute(command, workdir, env, limits: Limits, sandboxed: bool) -> Finished:
    """Start ``command`` under ``limits`` and return its :class:`Finished`."""
    start = time.monotonic()
    try:
        proc = subprocess.Popen(
            command, cwd=workdir, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, so one killpg ends everything
            preexec_fn=_set_limits(limits),
        )
    except OSError as exc:  # e.g. argv[0] does not exist (without the sandbox)
        return Finished("exit 127", 127, None, "", f"cannot start {command[0]!r}: {exc}\n",
                       False, time.monotonic() - start, sandboxed)
    try:
        out, err, truncated, timed_out, deadline = _collect(proc, limits)
        if timed_out or truncated:
            _kill_group(proc.pid)
        status, usage, late = _reap(proc.pid, deadline)
        timed_out = timed_out or late
    except BaseException:  # e.g. KeyboardInterrupt: leave no sandbox running behind
        _kill_group(proc.pid)
        proc.wait()
        raise
    finally:
        proc.stdout.close()
        proc.stderr.close()
    proc.returncode = returncode = os.waitstatus_to_exitcode(status)  # Popen must not reap again
    wall = time.monotonic() - start
    # Under bubblewrap the rusage misses the sandboxed processes (bwrap's inner init is not
    # reaped by the outer bwrap), so the larger of CPU and wall time stands in for CPU used.
    used = max(usage.ru_utime + usage.ru_stime, wall)
    sig = _signal_of(returncode, sandboxed)
    stdout = out.decode("utf-8", errors="replace")
    stderr = err.decode("utf-8", errors="replace")
    status_text = classify(returncode, sig, stderr, used, limits, timed_out, truncated)
    return Finished(status_text, returncode, sig, stdout, stderr, truncated, wall, sandboxed)
