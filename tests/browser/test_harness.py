"""The browser harness on a small notebook of its own, independent of the course content.

The notebook has the two kinds of picture the course widgets use: an `ipywidgets.Image` whose
bytes are replaced, and matplotlib inline output redrawn inside an `Output` widget. A cell that
raises sits in the middle, as a stub does in a student notebook. If this test fails, the
harness or the environment (Chromium, JupyterLab, ipywidgets) is broken, not a course notebook.
"""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from lab import median_ms

pytestmark = pytest.mark.browser

SETUP = """\
import io
import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
"""

IMAGE_WIDGET = """\
def png(n):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.imshow((np.arange(64).reshape(8, 8) * (n + 1)) % 7, cmap="viridis")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()

size = W.IntSlider(value=1, min=0, max=5, description="n")
image = W.Image(value=png(1), format="png", layout=W.Layout(width="200px"))
size.observe(lambda change: setattr(image, "value", png(change["new"])), names="value")
box = W.VBox([size, image])
box.add_class("conv-widget")
box.add_class("harness-image")
box
"""

MATPLOTLIB_WIDGET = """\
power = W.IntSlider(value=2, min=1, max=6, description="power")
out = W.Output()

def draw(change=None):
    with out:
        out.clear_output(wait=True)
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.plot(np.linspace(0, 1, 50) ** power.value)
        plt.show()

power.observe(draw, names="value")
draw()
box = W.VBox([power, out])
box.add_class("conv-widget")
box.add_class("harness-matplotlib")
box
"""

STUB = """\
def corr2d(X, K):
    raise NotImplementedError()
"""


def write_notebook(path, *sources):
    cells = [new_markdown_cell("# Harness check")]
    cells += [new_code_cell(source) for source in sources]
    notebook = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)


def test_harness(lab_page, served_root, browser_report, artifacts):
    write_notebook(served_root / "harness" / "harness.ipynb",
                   SETUP, STUB, "corr2d(np.ones((3, 3)), np.ones((2, 2)))",
                   IMAGE_WIDGET, MATPLOTLIB_WIDGET, "plt.plot([1, 3, 2]); plt.show()")
    kernel = lab_page.open_notebook("harness/harness.ipynb")["kernelId"]

    run = lab_page.run_each_cell()
    assert run["ok"] is False  # one cell raised...
    assert run["executed"] == run["codeCells"] == 6  # ...and the cells after it ran anyway
    assert run["kernelId"] == kernel and run["kernelStatus"] == "idle"
    assert [(e["cell"], e["ename"]) for e in lab_page.errors()] == [(3, "NotImplementedError")]

    latencies = {}
    for css_class in ("harness-image", "harness-matplotlib"):
        lab_page.wait_widgets_drawn(css_class, timeout=30)
        widget = lab_page.widgets(css_class)
        assert widget.count() == 1
        moves = [lab_page.move_slider(widget) for _ in range(3)]
        for move in moves:
            assert move.changed and move.latency_ms is not None, move
        latencies[css_class] = median_ms(m.latency_ms for m in moves)
    assert lab_page.widget_errors() == []
    lab_page.screenshot(artifacts / "harness", "harness")
    browser_report.record("harness", run_each_cell_s=round(run["seconds"], 2),
                          slider_to_redraw_ms=latencies)
