"""Fixtures for the browser tests: one JupyterLab server and one Chromium for this folder's
tests (stopped as soon as they are done), a fresh page per test, evidence on failure, and a
report of the measurements.

Evidence and measurements go to the artifacts folder: $BROWSER_ARTIFACTS if set, else
`.pytest_cache/d/browser/`; it is emptied at the start of each run. A failed test gets a
screenshot of the page and of each course widget there, and its failure message lists them
with the browser's console errors and the server's log. At the end of the session
`browser-report.json` holds every measurement, and the terminal summary prints them on lines
that start with `BROWSER-METRIC`.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from lab import CHROMIUM, JupyterLab, LabPage, Measurements, launch_chromium, safe_name

REPO = Path(__file__).resolve().parents[2]

measurements_key = pytest.StashKey[Measurements]()
artifacts_key = pytest.StashKey[Path]()


def artifacts_dir(config) -> Path:
    """Return this run's artifacts folder, emptied at its first use in the run."""
    if artifacts_key not in config.stash:
        if os.environ.get("BROWSER_ARTIFACTS"):
            folder = Path(os.environ["BROWSER_ARTIFACTS"]).resolve()
        elif getattr(config, "cache", None) is not None:
            folder = config.cache.mkdir("browser")
        else:  # pytest -p no:cacheprovider
            folder = Path(config.rootpath) / ".pytest_cache" / "d" / "browser"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        config.stash[artifacts_key] = folder
    return config.stash[artifacts_key]


@pytest.fixture(scope="session")
def artifacts(request) -> Path:
    """The folder for screenshots and the measurement report."""
    return artifacts_dir(request.config)


@pytest.fixture(scope="session")
def browser_report(request) -> Measurements:
    """The session's measurements: `browser_report.record(name, key=value, ...)`."""
    return request.config.stash.setdefault(measurements_key, Measurements())


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium); "
                    "the browser tests drive it and never download a browser of their own")
    return CHROMIUM


@pytest.fixture(scope="package")
def served_root(tmp_path_factory) -> Path:
    """The folder JupyterLab serves: tests copy the notebooks they open into it."""
    return tmp_path_factory.mktemp("served")


@pytest.fixture(scope="package")
def jupyter_lab(chromium_executable, served_root, tmp_path_factory):
    """The JupyterLab server; its kernels import the packages of this checkout."""
    with JupyterLab(root_dir=served_root, work_dir=tmp_path_factory.mktemp("jupyter"),
                    pythonpath=[REPO]) as lab:
        yield lab


@pytest.fixture(scope="package")
def chromium(chromium_executable):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright, chromium_executable)
        yield browser
        browser.close()


@pytest.fixture(scope="package")
def browser_context(chromium):
    # One context for all the pages, so that its HTTP cache spares each page most of
    # JupyterLab's JavaScript; each test still gets a page and a workspace of its own.
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    yield context
    context.close()


@pytest.fixture
def lab_page(browser_context, jupyter_lab):
    """A fresh JupyterLab page; the kernels it started are shut down afterwards."""
    page = LabPage(browser_context.new_page(), jupyter_lab)
    yield page
    page.page.close()
    jupyter_lab.shutdown_kernels()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # While the page is still open: photograph it and add the evidence to the failure report.
    outcome = yield
    report = outcome.get_result()
    page = getattr(item, "funcargs", {}).get("lab_page")
    if report.when != "call" or not report.failed or page is None:
        return
    folder = artifacts_dir(item.config) / safe_name(item.name)
    lines = [f"artifacts: {folder}"]
    try:
        lines += [f"screenshot: {shot}" for shot in page.screenshot(folder, "failure")]
    except Exception as exc:  # a dead page must not hide the test's own failure
        lines.append(f"no screenshot: {type(exc).__name__}: {exc}")
    lines += page.console[-20:]
    lines.append(f"server log: {page.lab.log_path}")
    report.sections.append(("browser evidence", "\n".join(lines)))


def pytest_sessionfinish(session):
    measurements = session.config.stash.get(measurements_key, None)
    if measurements:
        measurements.save(artifacts_dir(session.config) / "browser-report.json")


def pytest_terminal_summary(terminalreporter, config):
    measurements = config.stash.get(measurements_key, None)
    if not measurements:
        return
    terminalreporter.section("browser measurements")
    for name in measurements:
        terminalreporter.write_line(measurements.line(name))
    terminalreporter.write_line(f"report and screenshots: {artifacts_dir(config)}")
