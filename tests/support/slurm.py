"""A throwaway single-node SLURM cluster for the tests (not a test module): ``with Cluster(folder) as cluster``.

It writes a ``slurm.conf`` naming this machine as the controller and the one compute node
(every path in ``folder``, its own ports), starts MUNGE's daemon if it is not running (as the
``munge`` user, which Debian's ``munge`` package creates together with its key), then
``slurmctld`` and ``slurmd`` in the foreground as children of the test, and waits until the
node is idle. Client commands find the cluster through ``SLURM_CONF`` (:meth:`Cluster.env`).
Leaving the ``with`` block cancels every job and stops the daemons (and MUNGE, if it started
it). Root only, as the daemons are (CI runs as root); Debian's ``slurm-wlm`` and ``munge``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

DAEMONS = ("slurmctld", "slurmd", "sbatch", "squeue", "scancel", "sinfo", "munged")
MUNGE_RUN = Path("/run/munge")


def unavailable() -> str | None:
    """Return why no cluster can be started here (None when one can)."""
    if os.geteuid() != 0:
        return "the SLURM daemons of the test cluster run as root"
    missing = [name for name in DAEMONS if shutil.which(name) is None and not Path(f"/usr/sbin/{name}").exists()]
    if missing:
        return f"SLURM or MUNGE is not installed ({', '.join(missing)} missing): apt-get install slurm-wlm munge"
    if not Path("/etc/munge/munge.key").exists():
        return "MUNGE has no key (/etc/munge/munge.key): reinstall Debian's munge package"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _munge_running() -> bool:
    return subprocess.run(["pgrep", "-x", "munged"], capture_output=True).returncode == 0


class Cluster:
    """The cluster (see the module docstring)."""

    def __init__(self, folder: Path, cpus: int | None = None):
        self.folder = Path(folder)
        self.node = socket.gethostname().split(".")[0]
        self.cpus = cpus or os.cpu_count() or 1
        self.conf = self.folder / "slurm.conf"
        self.processes: list[subprocess.Popen] = []
        self.started_munge = False

    def env(self) -> dict[str, str]:
        """Return this process's environment with the cluster's ``SLURM_CONF``."""
        return {**os.environ, "SLURM_CONF": str(self.conf)}

    def write_conf(self) -> None:
        (self.folder / "state").mkdir(parents=True, exist_ok=True)
        (self.folder / "spool").mkdir(exist_ok=True)
        folder = self.folder
        self.conf.write_text("\n".join([
            "ClusterName=autograder-test",
            f"SlurmctldHost={self.node}",
            "SlurmUser=root",
            "AuthType=auth/munge",
            "CredType=cred/munge",
            # No cgroups: processes are tracked by their parents, and tasks are not pinned.
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core",
            "SchedulerType=sched/backfill",
            "MpiDefault=none",
            "ReturnToService=2",
            "JobCompType=jobcomp/none",
            "AccountingStorageType=accounting_storage/none",
            f"SlurmctldPort={_free_port()}",
            f"SlurmdPort={_free_port()}",
            f"StateSaveLocation={folder / 'state'}",
            f"SlurmdSpoolDir={folder / 'spool'}",
            f"SlurmctldPidFile={folder / 'slurmctld.pid'}",
            f"SlurmdPidFile={folder / 'slurmd.pid'}",
            f"SlurmctldLogFile={folder / 'slurmctld.log'}",
            f"SlurmdLogFile={folder / 'slurmd.log'}",
            f"NodeName={self.node} CPUs={self.cpus} State=UNKNOWN",
            f"PartitionName=grading Nodes={self.node} Default=YES MaxTime=INFINITE State=UP",
            ""]))

    def _start_munge(self) -> None:
        if _munge_running():
            return
        MUNGE_RUN.mkdir(parents=True, exist_ok=True)
        for path in (MUNGE_RUN, Path("/var/log/munge"), Path("/var/lib/munge")):
            path.mkdir(parents=True, exist_ok=True)
            shutil.chown(path, "munge", "munge")
        subprocess.run(["runuser", "-u", "munge", "--", "munged"], check=True, capture_output=True)
        self.started_munge = True

    def _wait_idle(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, env=self.env())
            if done.returncode == 0 and done.stdout.strip() == "idle":
                return
            time.sleep(0.3)
        raise RuntimeError(f"the test SLURM cluster did not come up: {self.log_tail()}")

    def log_tail(self) -> str:
        parts = []
        for name in ("slurmctld.log", "slurmd.log"):
            path = self.folder / name
            if path.exists():
                parts.append(f"{name}: " + " | ".join(path.read_text().splitlines()[-5:]))
        return "; ".join(parts)

    def __enter__(self) -> "Cluster":
        self.write_conf()
        self._start_munge()
        try:
            for daemon in ("slurmctld", "slurmd"):
                self.processes.append(subprocess.Popen(
                    [daemon, "-D", "-f", str(self.conf)], env=self.env(), stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
                if daemon == "slurmctld":
                    time.sleep(0.5)  # slurmd registers with a controller that is up
            self._wait_idle()
        except BaseException:
            self.__exit__()
            raise
        return self

    def jobs(self) -> list[str]:
        """Return the ids of the jobs (array tasks included) the cluster still has."""
        done = subprocess.run(["squeue", "-h", "-o", "%i"], capture_output=True, text=True, env=self.env())
        return done.stdout.split()

    def wait_empty(self, timeout: float = 600.0) -> None:
        """Wait until every job has ended."""
        deadline = time.monotonic() + timeout
        while self.jobs() and time.monotonic() < deadline:
            time.sleep(0.5)

    def __exit__(self, *exc) -> None:
        subprocess.run(["scancel", "--full", "--user=root"], capture_output=True, env=self.env())
        for process in reversed(self.processes):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.started_munge:
            subprocess.run(["pkill", "-x", "munged"], capture_output=True)
