"""Drive a real JupyterLab in headless Chromium: a server context manager and a page wrapper.

`JupyterLab` starts `jupyter lab` on 127.0.0.1 with a token, serving one folder, with every
Jupyter directory (runtime, data, config, user settings, workspaces) and IPython's directory
in a private temporary folder, autosave off, and cells always attached to the page. `LabPage`
wraps one Playwright page with one notebook open in it: run all cells, wait for the kernel,
find widgets by CSS class, move a slider, and watch a widget's pictures change.

The page is read through `window.jupyterapp` (the server runs with
`LabApp.expose_app_in_browser`): the kernel's own status and each cell's execution state, never
the toolbar, which lags behind the kernel. Pictures are compared by the bytes behind each
`img` element: the matplotlib inline backend replaces the element on every redraw and
`ipywidgets.Image` makes a new blob URL for every value, so element handles go stale and
URLs alone can differ with the same picture.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")

# Playwright adds --headless itself; these keep Chromium quiet and working as root here.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Lab settings for a test run, keyed by plugin id. Autosave off: the server serves a copy, but
# a save while a test runs would still change the notebook under the test's feet. Windowing
# off: with the default ("contentVisibility") cells below the fold are not painted, and a
# widget that was never painted cannot be checked or photographed.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
    "@jupyterlab/notebook-extension:tracker": {
        "windowingMode": "none",
        "autoStartDefaultKernel": True,
    },
    # No news feed or update check (no internet here), no toasts over the notebook.
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
        "doNotDisturbMode": True,
    },
    "@jupyterlab/extensionmanager-extension:plugin": {"enabled": False},
}


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago (the server may still retry)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LabStartError(RuntimeError):
    """The JupyterLab server did not come up; the message ends with its log."""


@dataclass
class JupyterLab:
    """A JupyterLab server on 127.0.0.1 serving `root_dir`, as a context manager.

    `work_dir` receives the private Jupyter directories and the server's log (`server.log`).
    `pythonpath` is put first on the server's PYTHONPATH, which its kernels inherit, so that the
    notebooks import the packages of the tree under test. NBGRADER_EXECUTION is removed from the
    server's environment: the course's widgets draw nothing while it is set.
    """

    root_dir: Path
    work_dir: Path
    pythonpath: list[Path] = field(default_factory=list)
    python: str = sys.executable
    startup_timeout: float = 60.0
    lab_settings: dict = field(default_factory=lambda: dict(LAB_SETTINGS))

    token: str = field(init=False, default_factory=lambda: secrets.token_hex(24))
    port: int | None = field(init=False, default=None)
    process: subprocess.Popen | None = field(init=False, default=None)

    @property
    def log_path(self) -> Path:
        return self.work_dir / "server.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def notebook_url(self, path: str, workspace: str | None = None) -> str:
        """Return the URL that opens `path` (relative to root_dir) in a fresh, empty workspace.

        A workspace of its own per page: the default one would reopen, and start kernels for,
        every notebook an earlier page had open.
        """
        workspace = workspace or f"t{uuid.uuid4().hex[:12]}"
        quoted = urllib.parse.quote(path)
        return f"{self.base_url}lab/workspaces/{workspace}/tree/{quoted}?reset&token={self.token}"

    def environment(self) -> dict[str, str]:
        """Return the environment the server (and so every kernel) runs with."""
        env = dict(os.environ)
        # Widgets are skipped under grading; matplotlib must use the inline backend.
        for name in ("NBGRADER_EXECUTION", "MPLBACKEND", "JUPYTER_PATH", "JUPYTER_PORT"):
            env.pop(name, None)
        for name in ("runtime", "data", "config"):
            env[f"JUPYTER_{name.upper()}_DIR"] = str(self.work_dir / f"jupyter-{name}")
        env["IPYTHONDIR"] = str(self.work_dir / "ipython")
        env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
        paths = [str(p) for p in self.pythonpath]
        if env.get("PYTHONPATH"):
            paths.append(env["PYTHONPATH"])
        if paths:
            env["PYTHONPATH"] = os.pathsep.join(paths)
        return env

    def write_settings(self) -> Path:
        """Write LAB_SETTINGS as user settings files; return the user settings folder."""
        settings_dir = self.work_dir / "lab-user-settings"
        for plugin_id, values in self.lab_settings.items():
            package, plugin = plugin_id.split(":")
            target = settings_dir / package / f"{plugin}.jupyterlab-settings"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values, indent=2))
        return settings_dir

    def command(self) -> list[str]:
        return [
            self.python, "-m", "jupyterlab",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={free_port()}",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root_dir}",
            "--ServerApp.open_browser=False",
            "--ServerApp.allow_root=True",
            "--ServerApp.terminals_enabled=False",
            "--LabApp.expose_app_in_browser=True",
            # No look-ups of extensions on PyPI from a test run.
            "--LabApp.extension_manager=readonly",
            f"--LabApp.user_settings_dir={self.write_settings()}",
            f"--LabApp.workspaces_dir={self.work_dir / 'lab-workspaces'}",
        ]

    def __enter__(self) -> JupyterLab:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        env = self.environment()
        for name in ("JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR", "IPYTHONDIR"):
            Path(env[name]).mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            # A session of its own, so that stopping it cannot reach the test process.
            self.process = subprocess.Popen(
                self.command(), cwd=self.root_dir, env=env, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        try:
            self._wait_until_up(Path(env["JUPYTER_RUNTIME_DIR"]))
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def _wait_until_up(self, runtime_dir: Path) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise LabStartError(
                    f"jupyter lab exited with code {self.process.returncode} while starting; "
                    f"log {self.log_path}:\n{self.log_tail()}")
            # The server writes the port it really bound (it retries when one is taken).
            for info_file in runtime_dir.glob("jpserver-*.json"):
                with contextlib.suppress(ValueError, OSError):
                    self.port = json.loads(info_file.read_text())["port"]
            if self.port and self._status_ok():
                return
            time.sleep(0.2)
        raise LabStartError(
            f"jupyter lab did not answer within {self.startup_timeout:.0f} s; "
            f"log {self.log_path}:\n{self.log_tail()}")

    def api(self, path: str, method: str = "GET", timeout: float = 10.0):
        """Call the server's REST API; return the decoded JSON answer (None when empty)."""
        request = urllib.request.Request(
            f"{self.base_url}api/{path}", method=method,
            headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def _status_ok(self) -> bool:
        try:
            self.api("status", timeout=2)
        except (urllib.error.URLError, OSError, ValueError):
            return False
        return True

    def shutdown_kernels(self) -> None:
        """Shut down every running kernel (between tests, to free the CPU for the next)."""
        for kernel in self.api("kernels"):
            with contextlib.suppress(urllib.error.URLError, OSError):
                self.api(f"kernels/{kernel['id']}", method="DELETE", timeout=30)

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the server (it shuts its kernels down), then anything left of its session."""
        if self.process is None:
            return
        pgid = self.process.pid  # the server leads its own session and process group
        if self.process.poll() is None:
            # Kernels run in process groups of their own: ask the server to end them first.
            with contextlib.suppress(urllib.error.URLError, OSError, ValueError):
                self.shutdown_kernels()
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)


def launch_chromium(playwright, executable: Path = CHROMIUM):
    """Launch Debian's Chromium, headless, through Playwright (never a downloaded browser)."""
    return playwright.chromium.launch(
        executable_path=str(executable), headless=True, args=CHROMIUM_ARGS)


# In-page helpers, installed before JupyterLab's own scripts run. Every function takes the
# notebook's path and looks the panel up afresh, so nothing goes stale across re-renders.
PAGE_HELPERS = r"""
window.__conv = (() => {
  const app = () => window.jupyterapp;
  function panel(path) {
    const a = app();
    if (!a || !a.shell) return null;
    for (const w of a.shell.widgets('main')) {
      if (w.context && w.context.path === path && w.content && w.sessionContext) return w;
    }
    return null;
  }
  function codeCells(p) {
    return p.content.widgets.filter(c => c.model.type === 'code');
  }
  function state(path) {
    const p = panel(path);
    if (!p) return {open: false};
    const kernel = p.sessionContext.session ? p.sessionContext.session.kernel : null;
    const cells = codeCells(p);
    const withSource = cells.filter(c => c.model.sharedModel.getSource().trim() !== '');
    return {
      open: true,
      ready: p.context.isReady && p.sessionContext.isReady,
      panelId: p.id,
      kernelStatus: kernel ? kernel.status : null,
      kernelId: kernel ? kernel.id : null,
      kernelName: kernel ? kernel.name : null,
      codeCells: withSource.length,
      executed: withSource.filter(c => c.model.executionCount !== null).length,
      running: cells.filter(c => c.model.executionState === 'running').length,
    };
  }
  function idle(path) {
    const s = state(path);
    return s.open && s.ready && s.kernelStatus === 'idle' && s.running === 0;
  }
  // Start a command on the notebook without waiting: the caller polls `run(path)`.
  function start(path, command) {
    const a = app(), p = panel(path);
    a.shell.activateById(p.id);
    const run = {done: false, ok: null, error: null, started: performance.now(), ended: null};
    window.__convRun = run;
    a.commands.execute(command).then(
      ok => { run.ok = ok; run.done = true; run.ended = performance.now(); },
      e => { run.error = String(e && e.stack || e); run.done = true; run.ended = performance.now(); });
  }
  // Run every code cell in order, one at a time, going on after a cell that raised.
  function startEach(path) {
    const a = app(), p = panel(path);
    a.shell.activateById(p.id);
    const run = {done: false, ok: true, error: null, started: performance.now(), ended: null};
    window.__convRun = run;
    (async () => {
      const nb = p.content;
      for (let i = 0; i < nb.widgets.length; i++) {
        if (nb.widgets[i].model.type !== 'code') continue;
        nb.activeCellIndex = i;
        nb.deselectAll();
        const ok = await a.commands.execute('notebook:run-cell');
        run.ok = run.ok && ok !== false;
      }
    })().then(
      () => { run.done = true; run.ended = performance.now(); },
      e => { run.error = String(e && e.stack || e); run.done = true; run.ended = performance.now(); });
  }
  function run() { return window.__convRun || null; }
  // Every error output of the notebook, with the index of its cell.
  function errors(path) {
    const p = panel(path), found = [];
    p.content.widgets.forEach((cell, index) => {
      if (cell.model.type !== 'code') return;
      const outputs = cell.model.outputs.toJSON();
      const widget = outputs.some(o => o.data && 'application/vnd.jupyter.widget-view+json' in o.data);
      for (const out of outputs) {
        if (out.output_type === 'error') {
          found.push({cell: index, ename: out.ename, evalue: out.evalue, widget,
                      source: cell.model.sharedModel.getSource().slice(0, 200)});
        }
      }
    });
    return found;
  }
  // Widget views that failed to render, anywhere in the notebook's outputs.
  function widgetErrors(path) {
    const p = panel(path), found = [];
    for (const el of p.node.querySelectorAll('.jp-OutputArea-output')) {
      if (el.querySelector('.jupyter-widgets-error-widget') ||
          el.textContent.trim().startsWith('Error displaying widget')) {
        found.push(el.textContent.trim().slice(0, 200) || 'a widget error view');
      }
    }
    return found;
  }
  function hex(buffer) {
    return Array.from(new Uint8Array(buffer)).map(b => b.toString(16).padStart(2, '0')).join('');
  }
  // A digest of the bytes behind each img in `root` (data: and blob: URLs alike).
  async function pictures(root) {
    const out = [];
    for (const img of root.querySelectorAll('img')) {
      const src = img.src;
      try {
        const bytes = await (await fetch(src)).arrayBuffer();
        out.push(hex(await crypto.subtle.digest('SHA-256', bytes)).slice(0, 16)
                 + ` ${img.naturalWidth}x${img.naturalHeight}`);
      } catch (e) {
        out.push('unreadable ' + src.slice(0, 60));
      }
    }
    return out;
  }
  // Describe a widget root: what a test needs to decide whether it rendered.
  function describe(root) {
    const box = root.getBoundingClientRect();
    const imgs = Array.from(root.querySelectorAll('img'));
    return {
      classes: Array.from(root.classList),
      width: box.width, height: box.height,
      sliders: root.querySelectorAll('.widget-slider').length,
      images: imgs.length,
      imagesLoaded: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
      widgetErrors: root.querySelectorAll('.jupyter-widgets-error-widget').length,
      text: root.innerText.slice(0, 2000),
    };
  }
  // Watch `root` for a picture that was not there before; the keydown that starts the move
  // and the first new picture are both stamped with the page's own clock.
  function watch(root) {
    const srcs = () => Array.from(root.querySelectorAll('img')).map(i => i.src);
    const before = new Set(srcs());
    const rec = {keydown: null, changed: null, lastMutation: performance.now()};
    const observer = new MutationObserver(() => {
      rec.lastMutation = performance.now();
      if (rec.changed === null && srcs().some(s => s && !before.has(s))) rec.changed = performance.now();
    });
    observer.observe(root, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
    document.addEventListener('keydown', () => { if (rec.keydown === null) rec.keydown = performance.now(); },
                              {capture: true, once: true});
    rec.stop = () => observer.disconnect();
    window.__convWatch = rec;
  }
  function watched() {
    const rec = window.__convWatch;
    return rec ? {keydown: rec.keydown, changed: rec.changed, quietFor: performance.now() - rec.lastMutation} : null;
  }
  return {panel, state, idle, start, startEach, run, errors, widgetErrors, pictures, describe, watch, watched};
})();
"""


class NotebookError(AssertionError):
    """Something in the page is not as a test expects; the message says what was seen."""


@dataclass
class SliderMove:
    """One key press on a widget's slider and what it did to the widget's pictures."""

    key: str
    latency_ms: float | None  # key press to the first new picture, in the page's clock
    before: list[str]
    after: list[str]

    @property
    def changed(self) -> bool:
        return self.before != self.after


class LabPage:
    """One notebook open in JupyterLab in one Playwright page.

    Timeouts are in seconds and only there to fail a hang; nothing here asserts on speed.
    """

    def __init__(self, page, lab: JupyterLab, timeout: float = 120.0):
        self.page = page
        self.lab = lab
        self.timeout = timeout
        self.path: str | None = None
        self.console: list[str] = []  # browser console errors and uncaught page errors
        page.add_init_script(PAGE_HELPERS)
        page.on("console", lambda m: m.type == "error" and self.console.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.console.append(f"page error: {e}"))

    # --- reading the page ---------------------------------------------------------------
    def js(self, expression: str, arg=None):
        """Evaluate `expression`, a function of (helpers, path, arg), in the page."""
        return self.page.evaluate(
            f"([path, arg]) => ({expression})(window.__conv, path, arg)", [self.path, arg])

    def state(self) -> dict:
        return self.js("(h, path) => h.state(path)")

    def errors(self) -> list[dict]:
        """Return the notebook's error outputs: cell index, exception name and value, and
        whether the same cell shows a widget."""
        return self.js("(h, path) => h.errors(path)")

    def _wait(self, predicate: str, what: str, timeout: float | None = None, arg=None) -> None:
        timeout = self.timeout if timeout is None else timeout
        try:
            self.page.wait_for_function(
                f"([path, arg]) => window.__conv && ({predicate})(window.__conv, path, arg)",
                arg=[self.path, arg], timeout=timeout * 1000, polling=50)
        except Exception as exc:  # Playwright's TimeoutError, or the page went away
            raise NotebookError(
                f"timed out after {timeout:.0f} s waiting for {what} ({type(exc).__name__}); "
                f"notebook state {self._safe_state()}; console {self.console[-5:]}") from None

    def _safe_state(self):
        try:
            return self.state()
        except Exception as exc:  # the page may be gone: say so rather than hide the cause
            return f"unreadable ({exc})"

    # --- notebook -----------------------------------------------------------------------
    def open_notebook(self, path: str) -> dict:
        """Open `path` (relative to the served folder) and wait until its kernel is idle.

        Returns the notebook's state with `seconds`: from loading the page to the idle kernel.
        """
        self.path = path
        t0 = time.monotonic()
        self.page.goto(self.lab.notebook_url(path), timeout=self.timeout * 1000)
        self.wait_kernel_idle(what=f"{path} to open with an idle kernel")
        return {"seconds": time.monotonic() - t0, **self.state()}

    def wait_kernel_idle(self, timeout: float | None = None, what: str = "an idle kernel") -> None:
        """Wait until the kernel reports idle and no cell is executing."""
        self._wait("(h, path) => h.idle(path)", what, timeout)

    def _run(self, start: str, what: str, timeout: float | None) -> dict:
        t0 = time.monotonic()
        self.js(start)
        self._wait("(h, path) => { const r = h.run(); return r && r.done && h.idle(path); }",
                   what, timeout)
        seconds = time.monotonic() - t0
        run = self.js("(h) => { const r = h.run(); return {ok: r.ok, error: r.error}; }")
        if run["error"]:
            raise NotebookError(f"{what} failed in the page: {run['error']}")
        return {"seconds": seconds, "ok": run["ok"], **self.state()}

    def run_all(self, timeout: float | None = None) -> dict:
        """Run all cells as the menu does; return the seconds until the kernel is idle again.

        Like the menu, this stops at the first cell that raises; `ok` is False then.
        """
        return self._run("(h, path) => h.start(path, 'notebook:run-all-cells')",
                         "Run All Cells to finish", timeout)

    def run_each_cell(self, timeout: float | None = None) -> dict:
        """Run every code cell in order, going on after a cell that raised."""
        return self._run("(h, path) => h.startEach(path)", "every cell to run", timeout)

    def widget_errors(self) -> list[str]:
        """Return the text of every widget view in the notebook that failed to render."""
        return self.js("(h, path) => h.widgetErrors(path)")

    # --- widgets ------------------------------------------------------------------------
    def notebook_locator(self):
        return self.page.locator(f"#{self.state()['panelId']}")

    def widgets(self, css_class: str):
        """Return a locator for the widget roots of the notebook that have `css_class`."""
        return self.notebook_locator().locator(f".{css_class}")

    def describe(self, widget) -> dict:
        return widget.evaluate("(root) => window.__conv.describe(root)")

    def pictures(self, widget) -> list[str]:
        """Return a digest of the bytes (and the size) of each picture in `widget`."""
        return widget.evaluate("(root) => window.__conv.pictures(root)")

    def image_src(self, widget) -> list[str]:
        return widget.evaluate(
            "(root) => Array.from(root.querySelectorAll('img')).map(i => i.src)")

    def wait_widgets_drawn(self, css_class: str, count: int = 1, timeout: float | None = None,
                           need_picture: bool = True) -> None:
        """Wait until `count` widgets with `css_class` are in the page and each has a slider
        and (if `need_picture`) every picture loaded."""
        self._wait(
            """(h, path, arg) => {
                 const p = h.panel(path);
                 if (!p) return false;
                 const roots = p.node.querySelectorAll('.' + arg.cls);
                 if (roots.length < arg.count) return false;
                 return Array.from(roots).every(r => {
                   const d = h.describe(r);
                   return d.sliders > 0 && d.height > 0 &&
                          (!arg.pictures || (d.images > 0 && d.imagesLoaded === d.images));
                 });
               }""",
            f"{count} drawn widget(s) .{css_class}", timeout,
            arg={"cls": css_class, "count": count, "pictures": need_picture})

    def move_slider(self, widget, slider: int = 0, timeout: float = 30.0,
                    settle_ms: float = 300.0) -> SliderMove:
        """Press an arrow key on the `slider`-th enabled slider of `widget`; wait for the redraw.

        The key goes towards the end of the range that is further away, so that the value
        always changes. Returns the latency from the key press to the first new picture and the
        picture digests before and after (after the kernel is idle and the widget has been
        quiet for `settle_ms`). A move whose picture never changes has `latency_ms` None.
        """
        # Disabled sliders (ipywidgets marks their noUiSlider target) ignore the keyboard.
        handle = widget.locator(".widget-slider .noUi-target:not([disabled]) .noUi-handle").nth(slider)
        now, low, high = (float(handle.get_attribute(a) or 0)
                          for a in ("aria-valuenow", "aria-valuemin", "aria-valuemax"))
        key = "ArrowRight" if high - now >= now - low else "ArrowLeft"
        before = self.pictures(widget)
        widget.evaluate("(root) => window.__conv.watch(root)")
        handle.focus()
        handle.press(key)
        try:
            self.page.wait_for_function(
                "() => { const w = window.__conv.watched(); return w && w.changed !== null; }",
                timeout=timeout * 1000, polling="raf")
        except Exception:
            latency = None  # no new picture: the caller's assertion says so with the digests
        else:
            w = self.page.evaluate("() => window.__conv.watched()")
            latency = w["changed"] - w["keydown"] if w["keydown"] is not None else None
        self.wait_kernel_idle(timeout, what=f"an idle kernel after {key} on a slider")
        self.page.wait_for_function(
            "(ms) => window.__conv.watched().quietFor >= ms", arg=settle_ms,
            timeout=timeout * 1000, polling=50)
        self.page.evaluate("() => window.__convWatch.stop()")
        return SliderMove(key, latency, before, self.pictures(widget))

    # --- evidence -----------------------------------------------------------------------
    def screenshot(self, folder: Path, name: str) -> list[Path]:
        """Save the page and each course widget as PNG files in `folder`; return their paths."""
        folder.mkdir(parents=True, exist_ok=True)
        shots = [folder / f"{name}.png"]
        self.page.screenshot(path=shots[0])
        if self.path is not None:
            with contextlib.suppress(Exception):
                roots = self.widgets("conv-widget")
                for i in range(roots.count()):
                    shot = folder / f"{name}-widget{i}.png"
                    roots.nth(i).screenshot(path=shot, timeout=10_000)
                    shots.append(shot)
        return shots


def median_ms(values) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 1) if values else None


class Measurements(dict):
    """Measurements by name (a notebook, a chapter), printed as they come and saved as JSON.

    Every line printed starts with `BROWSER-METRIC`, so that it can be found in any log.
    """

    PREFIX = "BROWSER-METRIC"

    def record(self, name: str, **values) -> None:
        self.setdefault(name, {}).update(values)
        print(self.line(name))

    def line(self, name: str) -> str:
        return f"{self.PREFIX} {name} {json.dumps(self[name], sort_keys=True)}"

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self, indent=2, sort_keys=True) + "\n")


def safe_name(name: str) -> str:
    """Return `name` as a file name: letters, digits, dot, dash and underscore only."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")


def copy_tree(source: Path, target: Path) -> Path:
    """Copy a folder without checkpoints or caches; return the copy's path."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(
        ".ipynb_checkpoints", "__pycache__", "*.pyc"), dirs_exist_ok=True)
    return target
