"""Each chapter's notebook in a real JupyterLab: run all cells, every widget draws, sliders redraw.

Two versions of each notebook are opened, each from a copy in the folder the server serves,
so that nothing in the repository is touched:

- the completed notebook: the instructor's source (`course/source/<id>/<id>.ipynb`), whose
  solution cells hold working code, i.e. what a student's notebook looks like once every stub
  is filled in. "Run All" must get through every cell without an error; every course widget
  must draw a picture with no problem reported; moving a slider must change the picture. The
  "Run All" time and the slider-to-redraw latency are recorded (measurements, not assertions).
- the student notebook (`exercises/<id>/<id>.ipynb`), with its stubs. Every cell is run in turn
  (as "Run All" would stop at the first stub that raises): the kernel must survive, and every
  widget must show its friendly "not implemented" message instead of crashing.

The chapters and their widgets come from the syllabus (:func:`autograder.casebook.chapters`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from lab import copy_tree, median_ms, safe_name

from autograder import casebook

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]

# Timeouts only end a hang; speed is measured and reported, never asserted.
NOTEBOOK_TIMEOUT = 120  # seconds, per notebook, for running its cells
WIDGET_TIMEOUT = 60  # seconds for the widgets to appear after the last cell ran
SLIDER_MOVES = 3  # key presses per widget; the median latency is reported
PROBLEM_MARK = "\u26a0"  # the warning sign a course widget puts before a problem it found


@dataclass(frozen=True)
class Chapter:
    id: str
    widgets: tuple[str, ...]  # CSS class of each course widget the notebook shows
    illustrations: tuple[str, ...] = ()  # those among them that draw no student function

    def notebook(self, folder: str) -> Path:
        return REPO / folder / self.id / f"{self.id}.ipynb"


# Every chapter of the syllabus, with the widgets it declares.
CHAPTERS = [Chapter(c.assignment, tuple(w.css for w in c.widgets), tuple(w.css for w in c.widgets if not w.draws))
            for c in casebook.chapters()]


def serve(chapter: Chapter, folder: str, served_root: Path, as_name: str) -> str:
    """Copy the chapter's folder from `folder` into the served root; return the notebook's path there."""
    source = chapter.notebook(folder)
    if not source.exists():
        pytest.skip(f"{source.relative_to(REPO)} does not exist yet")
    copy_tree(source.parent, served_root / as_name / chapter.id)
    return f"{as_name}/{chapter.id}/{source.name}"


def check_widgets_present(lab_page, chapter: Chapter) -> list[dict]:
    """Wait for the chapter's widgets; return the description of every course widget."""
    for css_class in chapter.widgets:
        lab_page.wait_widgets_drawn(css_class, timeout=WIDGET_TIMEOUT)
    assert lab_page.widget_errors() == [], "widget views failed to render"
    assert lab_page.widgets("conv-widget-skipped").count() == 0, \
        "widgets show the grading notice: NBGRADER_EXECUTION leaked into the kernel"
    roots = lab_page.widgets("conv-widget")
    found = [lab_page.describe(roots.nth(i)) for i in range(roots.count())]
    for widget in found:
        assert widget["width"] > 0 and widget["height"] > 0, widget
        assert widget["sliders"] > 0, widget
        assert widget["images"] > 0 and widget["imagesLoaded"] == widget["images"], widget
        assert widget["widgetErrors"] == 0, widget
    return found


def widget_names(found: list[dict]) -> list[str]:
    """Return a name for each widget: its own CSS class, numbered when it comes again."""
    names = []
    for description in found:
        named = [c for c in description["classes"] if c.startswith("conv-") and c != "conv-widget"]
        name = named[0] if named else "conv-widget"
        names.append(name if name not in names else f"{name}#{names.count(name) + 1}")
    return names


@pytest.mark.timeout(4 * NOTEBOOK_TIMEOUT)
@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.id for c in CHAPTERS])
def test_completed_notebook(chapter, lab_page, served_root, browser_report, artifacts):
    path = serve(chapter, "course/source", served_root, "completed")
    opened = lab_page.open_notebook(path)

    run = lab_page.run_all(timeout=NOTEBOOK_TIMEOUT)
    assert lab_page.errors() == [], "cells raised while running all cells"
    assert run["ok"] and run["executed"] == run["codeCells"], run

    found = check_widgets_present(lab_page, chapter)
    names = widget_names(found)
    for name, widget in zip(names, found):
        assert PROBLEM_MARK not in widget["text"], \
            f"{name} reports a problem with the solution: {widget['text']}"

    latencies, every_move = {}, {}
    roots = lab_page.widgets("conv-widget")
    for i, name in enumerate(names):
        moves = [lab_page.move_slider(roots.nth(i)) for _ in range(SLIDER_MOVES)]
        for move in moves:
            assert move.latency_ms is not None and move.changed, \
                f"{name}: {move.key} on its slider did not change the picture: {move}"
        latencies[name] = median_ms(m.latency_ms for m in moves)
        every_move[name] = [round(m.latency_ms, 1) for m in moves]
    assert lab_page.errors() == [], "moving the sliders made a cell raise"
    lab_page.screenshot(artifacts / safe_name(chapter.id), "after-slider-moves")
    browser_report.record(chapter.id, open_s=round(opened["seconds"], 2),
                          run_all_s=round(run["seconds"], 2), code_cells=run["codeCells"],
                          slider_to_redraw_ms=latencies, slider_moves_ms=every_move)


@pytest.mark.timeout(4 * NOTEBOOK_TIMEOUT)
@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.id for c in CHAPTERS])
def test_student_notebook(chapter, lab_page, served_root, browser_report, artifacts):
    path = serve(chapter, "exercises", served_root, "student")
    kernel = lab_page.open_notebook(path)["kernelId"]

    run = lab_page.run_each_cell(timeout=NOTEBOOK_TIMEOUT)
    assert run["kernelId"] == kernel and run["kernelStatus"] == "idle", \
        f"the kernel died or restarted while running the student notebook: {run}"
    assert run["executed"] == run["codeCells"], run

    found = check_widgets_present(lab_page, chapter)
    for name, widget in zip(widget_names(found), found):
        if name in chapter.illustrations:
            continue
        assert "NotImplementedError" in widget["text"], \
            f"{name} does not say that the student's function is a stub: {widget['text']}"
    errors = lab_page.errors()
    assert [e for e in errors if e["widget"]] == [], "a cell that shows a widget raised"
    lab_page.screenshot(artifacts / safe_name(chapter.id), "student")
    browser_report.record(f"{chapter.id} (student)", run_each_cell_s=round(run["seconds"], 2),
                          cells_raising=sorted({e["ename"] for e in errors}))
