"""The sandbox step: each hostile behaviour runs `python -c ...` inside it and gets one status.

Tests that need bubblewrap skip without it (and under CI=true a skip fails, see conftest.py).
"""

import os
import socket
import sys
import threading
import uuid
from pathlib import Path

import pytest
from processes import processes_mentioning

from autograder.grading import sandbox
from autograder.grading.sandbox import Limits, SandboxUnavailable, run

ROOT = Path(__file__).resolve().parents[3]

needs_bwrap = pytest.mark.skipif(
    sandbox.bwrap_path() is None, reason="bubblewrap (bwrap) is not installed"
)


def python(code, workdir, **kwargs):
    """Return the Finished of running `code` with this interpreter in the sandbox."""
    return run([sys.executable, "-c", code], workdir, **kwargs)


@pytest.fixture
def workdir(tmp_path):
    path = tmp_path / "student"
    path.mkdir()
    return path


@needs_bwrap
def test_normal_command_is_ok_with_its_output(workdir):
    outcome = python("import sys; print('hello'); print('warn', file=sys.stderr)", workdir)
    assert outcome.status == "ok" and outcome.ok
    assert (outcome.returncode, outcome.signal, outcome.truncated) == (0, None, False)
    assert outcome.stdout == "hello\n" and outcome.stderr == "warn\n"
    assert outcome.sandboxed


@needs_bwrap
def test_environment_is_clean(workdir, monkeypatch):
    monkeypatch.setenv("GRADER_SECRET", "s3cret")
    code = "import os; print(sorted(os.environ)); print(os.getcwd()); print(os.environ['EXTRA'])"
    outcome = python(code, workdir, env={"EXTRA": "given"})
    names, cwd, extra = outcome.stdout.splitlines()
    assert "GRADER_SECRET" not in names and "HOME" in names
    assert (cwd, extra) == (str(workdir), "given")


@needs_bwrap
def test_files_written_in_workdir_are_kept(workdir):
    outcome = python("open('answer.txt', 'w').write('42')", workdir)
    assert outcome.status == "ok"
    assert (workdir / "answer.txt").read_text() == "42"


@needs_bwrap
@pytest.mark.parametrize("outside", [ROOT, Path("/root"), Path("/etc")])
def test_writing_outside_workdir_fails(workdir, outside):
    target = outside / f"sandbox-escape-{uuid.uuid4().hex}"
    outcome = python(f"open({str(target)!r}, 'w').write('x')", workdir)
    assert outcome.status == "exit 1"
    assert "Read-only file system" in outcome.stderr
    assert not target.exists()


@needs_bwrap
def test_hidden_folder_appears_empty(tmp_path, workdir):
    secret = tmp_path / "gradebook"
    secret.mkdir()
    (secret / "answers.txt").write_text("hidden tests")
    code = (
        f"import os; print(os.listdir({str(secret)!r}));"
        f"open({str(secret / 'planted')!r}, 'w')"
    )
    outcome = python(code, workdir, hide=[secret])
    assert outcome.stdout == "[]\n"
    assert "Read-only file system" in outcome.stderr
    assert sorted(os.listdir(secret)) == ["answers.txt"]


@needs_bwrap
def test_workdir_inside_a_hidden_folder_stays_usable(tmp_path, workdir):
    # All submissions hidden, this student's folder shown: the batch grader's usual call.
    (tmp_path / "other_student.txt").write_text("someone else's work")
    code = "import os; print(os.listdir('..')); open('mine.txt', 'w').write('ok')"
    outcome = python(code, workdir, hide=[tmp_path])
    assert outcome.status == "ok"
    assert outcome.stdout == "['student']\n"
    assert (workdir / "mine.txt").read_text() == "ok"


@pytest.fixture
def tcp_server():
    """Yield the port of a TCP server on 127.0.0.1 that accepts connections until closed."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def accept():
        while True:
            try:
                server.accept()[0].close()
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1]
    server.close()


CONNECT = (
    "import socket; socket.create_connection(('127.0.0.1', {port}), timeout=2);"
    "print('connected')"
)


@needs_bwrap
def test_network_of_the_host_is_unreachable(workdir, tcp_server):
    outcome = python(CONNECT.format(port=tcp_server), workdir)
    assert outcome.status == "exit 1"
    assert "ConnectionRefusedError" in outcome.stderr
    # the same command without the sandbox does connect, so the test means something
    outcome = python(CONNECT.format(port=tcp_server), workdir, no_sandbox=True)
    assert outcome.stdout == "connected\n"


@needs_bwrap
def test_infinite_loop_stops_at_the_cpu_limit(workdir):
    outcome = python("while True: pass", workdir, limits=Limits(cpu_seconds=1, wall_seconds=10))
    assert outcome.status == "cpu time limit"
    assert outcome.wall_seconds < 5


@needs_bwrap
def test_ignoring_sigxcpu_still_stops_at_the_cpu_limit(workdir):
    code = "import signal; signal.signal(signal.SIGXCPU, signal.SIG_IGN)\nwhile True: pass"
    outcome = python(code, workdir, limits=Limits(cpu_seconds=1, wall_seconds=10))
    assert outcome.status == "cpu time limit"


@needs_bwrap
def test_sleep_stops_at_the_wall_limit_and_leaves_no_process(workdir):
    marker = f"marker-{uuid.uuid4().hex}"
    # a child process too, so that "the whole group" is tested, not just the first process
    code = (
        "import subprocess, sys, time;"
        f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(100)', {marker!r}]);"
        "time.sleep(100)"
    )
    outcome = run([sys.executable, "-c", code, marker], workdir, limits=Limits(wall_seconds=1))
    assert outcome.status == "wall time limit"
    assert 1 <= outcome.wall_seconds < 3
    assert processes_mentioning(marker) == []


@needs_bwrap
def test_memory_bomb_stops_at_the_memory_limit(workdir):
    outcome = python("bytearray(4 * 1024**3)", workdir, limits=Limits(memory_bytes=512 * 1024**2))
    assert outcome.status == "memory limit"
    assert "MemoryError" in outcome.stderr


@needs_bwrap
def test_flood_of_output_is_cut_at_the_cap(workdir):
    code = "import sys; sys.stdout.write('x' * 50_000_000)"
    outcome = python(code, workdir, limits=Limits(output_bytes=1024**2))
    assert outcome.status == "output limit" and outcome.truncated
    assert outcome.stdout == "x" * 1024**2
    assert outcome.wall_seconds < 5


@needs_bwrap
def test_large_file_stops_at_the_file_size_limit(workdir):
    code = "open('big', 'wb').write(b'x' * 2 * 1024**2)"
    outcome = python(code, workdir, limits=Limits(file_bytes=1024**2))
    assert outcome.status == "file size limit"
    assert (workdir / "big").stat().st_size == 1024**2


@needs_bwrap
def test_exit_code_and_signal_are_reported(workdir):
    assert python("import os; os._exit(3)", workdir).status == "exit 3"
    outcome = python("import os, signal; os.kill(os.getpid(), signal.SIGSEGV)", workdir)
    assert outcome.status == "killed by signal 11 (SIGSEGV)" and outcome.signal == 11


def test_missing_bubblewrap_raises_with_a_hint(workdir, monkeypatch):
    monkeypatch.setattr(sandbox, "BWRAP", "bwrap-that-is-not-installed")
    sandbox._probe.cache_clear()
    try:
        assert not sandbox.available()
        with pytest.raises(SandboxUnavailable, match="install bubblewrap.*--no-sandbox"):
            python("pass", workdir)
        # without the sandbox the same limits still apply
        outcome = python(
            "while True: pass", workdir, no_sandbox=True,
            limits=Limits(cpu_seconds=1, wall_seconds=10),
        )
        assert outcome.status == "cpu time limit" and not outcome.sandboxed
    finally:
        sandbox._probe.cache_clear()


def test_instructor_mistakes_raise(tmp_path):
    with pytest.raises(ValueError, match="not a directory"):
        python("pass", tmp_path / "missing", no_sandbox=True)
    with pytest.raises(ValueError, match="inside workdir"):
        python("pass", tmp_path, hide=[tmp_path / "sub"], no_sandbox=True)


@needs_bwrap
def test_a_program_under_tmp_stays_runnable(tmp_path, workdir):
    # The sandbox's private /tmp must not hide an interpreter or checkout that lives there.
    tool = tmp_path / "env" / "bin" / "tool"
    tool.parent.mkdir(parents=True)
    tool.write_text("#!/bin/sh\necho from-the-tool\n")
    tool.chmod(0o755)
    outcome = run([str(tool)], workdir)
    assert outcome.status == "ok" and "from-the-tool" in outcome.stdout, outcome
