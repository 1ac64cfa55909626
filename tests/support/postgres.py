"""A throwaway PostgreSQL server for the tests (not a test module): ``with Server() as server``.

The server is a private cluster in a temporary folder, reachable only through a Unix socket in
that folder (no TCP listener), so it cannot clash with, or reach, any other PostgreSQL on the
machine; leaving the ``with`` block stops it and deletes the folder. PostgreSQL refuses to run
as root, so under root (as in CI) the server runs as the ``postgres`` system user, which the
Debian ``postgresql`` package creates.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

#: SQLAlchemy 2.1's default driver for postgresql:// URLs (requirements.txt pins it).
DRIVER = "psycopg"
#: The system user the server runs as under root, and the database superuser it creates.
SYSTEM_USER = SUPERUSER = "postgres"
RUN_AS_ROOT = os.geteuid() == 0


def bin_dir() -> Path | None:
    """Return the folder holding initdb and pg_ctl: initdb's on PATH, else the newest Debian one."""
    on_path = shutil.which("initdb")
    # Debian puts the server binaries outside PATH, one folder per major version.
    candidates = ([os.path.realpath(on_path)] if on_path else []) + sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: [int(n) for n in re.findall(r"\d+", p)],
        reverse=True,
    )
    for initdb in candidates:
        folder = Path(initdb).parent
        if os.access(folder / "pg_ctl", os.X_OK):  # both from the same installation
            return folder
    return None


def unavailable() -> str | None:
    """Return why no server can be started here (None when one can)."""
    if bin_dir() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql"
    try:
        __import__(DRIVER)
    except ImportError as error:
        return f"PostgreSQL driver {DRIVER!r} not importable ({error}): pip install -r requirements.txt"
    if RUN_AS_ROOT:
        try:
            pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            return f"running as root, and there is no {SYSTEM_USER!r} user to run PostgreSQL as"
        if shutil.which("runuser") is None:
            return "running as root, and runuser (util-linux) is missing"
    return None


def free_port() -> int:
    """Return a TCP port nobody listens on; the server only uses it to name its socket file."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A private PostgreSQL server, started by ``with`` (or start()) and removed by stop()."""

    def __init__(self):
        self.root: Path | None = None
        self.port = free_port()

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def start(self) -> None:
        reason = unavailable()
        if reason:
            raise RuntimeError(reason)
        self.bin = bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="pgtest-"))
        try:
            self.socket_dir.mkdir()
            if RUN_AS_ROOT:
                user = pwd.getpwnam(SYSTEM_USER)
                for path in (self.root, self.socket_dir):
                    os.chown(path, user.pw_uid, user.pw_gid)
            # C locale: the result must not depend on the locales the machine has generated.
            self._run("initdb", "-D", self.data, "--auth=trust", "-U", SUPERUSER, "--no-sync",
                      "--encoding=UTF8", "--locale=C")
            options = (f"-k {shlex.quote(str(self.socket_dir))} -c listen_addresses='' "
                       f"-p {self.port} -c fsync=off")
            # -l: the server's output goes to a file, or it would hold our pipes open.
            self._run("pg_ctl", "-w", "-D", self.data, "-l", self.log, "-o", options, "start")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server (if it runs) and delete its folder; safe to call more than once."""
        if self.root is None:
            return
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def _run(self, program: str, *args) -> None:
        """Run a server binary as the server's user; raise with its output and the log if it fails."""
        command = [str(self.bin / program), *map(str, args)]
        if RUN_AS_ROOT:
            command = ["runuser", "-u", SYSTEM_USER, "--", *command]
        # cwd: the postgres user may not be allowed into ours (e.g. /root).
        done = subprocess.run(command, cwd=self.root, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=120)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"{shlex.join(command)} exited with {done.returncode}:\n"
                               f"{done.stdout}{done.stderr}\n--- server log ---\n{log}")

    def url(self, dbname: str = "postgres") -> str:
        """Return the SQLAlchemy URL of database ``dbname``, over the server's Unix socket."""
        from sqlalchemy import URL

        url = URL.create(f"postgresql+{DRIVER}", username=SUPERUSER, database=dbname,
                         query={"host": str(self.socket_dir), "port": str(self.port)})
        return url.render_as_string(hide_password=False)

    def create_database(self, name: str) -> str:
        """Create database ``name`` and return its SQLAlchemy URL."""
        import psycopg
        from psycopg import sql

        # CREATE DATABASE cannot run inside a transaction, hence autocommit.
        with psycopg.connect(host=str(self.socket_dir), port=self.port, user=SUPERUSER,
                             dbname="postgres", autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)
