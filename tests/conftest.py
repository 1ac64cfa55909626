"""Shared pytest configuration.

Under CI (environment variable CI=true) a skipped test counts as a failure: a skip usually
means a missing dependency (`pytest.importorskip`, a `skipif` on an absent browser or
sandbox), and CI must install everything rather than pass without running the test.
An expected failure (xfail) is not a skip and stays allowed.
"""

import os
import sys
from pathlib import Path

import pytest

# The helpers every test folder shares live in tests/support/ and are imported by module name
# (`from nbgrader_course import ...`); test modules never import one another.
sys.path.insert(0, str(Path(__file__).resolve().parent / "support"))

import postgres  # noqa: E402 - tests/support/postgres.py: the server behind the postgres_server fixture
import slurm  # noqa: E402 - tests/support/slurm.py: the cluster behind the slurm_cluster fixture

IN_CI = os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def skip_reason(report):
    """Return the reason pytest recorded for a skipped report."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # (path, lineno, reason)
        path, lineno, reason = longrepr
        return f"{reason.removeprefix('Skipped: ')} (at {path}:{lineno})"
    return str(longrepr)


def fail_skip(report):
    """Turn a skipped report into a failed one whose message gives the reason for the skip."""
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which counts as a failure: {skip_reason(report)}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Skips in setup (skip/skipif markers, importorskip in a fixture) and in the test body.
    outcome = yield
    fail_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    # Skips while importing a test module (module-level importorskip or
    # pytest.skip(allow_module_level=True)).
    outcome = yield
    fail_skip(outcome.get_result())


@pytest.fixture(scope="session")
def postgres_server():
    """A private PostgreSQL server (tests/support/postgres.py) shared by the session; skipped (so failed
    under CI) when the server binaries or the driver are missing."""
    reason = postgres.unavailable()
    if reason:
        pytest.skip(reason)
    with postgres.Server() as server:
        yield server


@pytest.fixture(scope="session")
def slurm_cluster(tmp_path_factory):
    """A private single-node SLURM cluster (tests/support/slurm.py) shared by the session; skipped (so
    failed under CI) when SLURM or MUNGE is missing or the tests do not run as root."""
    reason = slurm.unavailable()
    if reason:
        pytest.skip(reason)
    with slurm.Cluster(tmp_path_factory.mktemp("slurm")) as cluster:
        yield cluster
