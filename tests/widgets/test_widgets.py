"""The interactive widgets, without a browser: they build, redraw, survive stubs, and step aside while grading.

Each widget is driven by setting its controls' ``value`` (what a slider move does in the
browser) and by comparing the PNG bytes of its picture before and after.
"""

import ast
import doctest
import os
import pathlib
import socket
import subprocess
import sys

import numpy as np
import pytest

import solutions
import widgets
from autograder import casebook
from widgets import drawing, grading, images, kernels, student
from widgets.frame import ConvWidget
from widgets.padding_explorer import formula
from widget_checks import PROBLEM, assert_draws_and_redraws, assert_stub_noted_once, sliders, stub, wrong_shape
from widgets.grading import SkippedNotice

ROOT = pathlib.Path(__file__).resolve().parents[2]
#: Every widget the syllabus declares, by function: what it draws with and its CSS class come from there.
DECLARED = {widget.function: widget for chapter in casebook.chapters() for widget in chapter.widgets}
# The widgets of chapters 1-3: control changes that must each change the picture (applied in order).
CHANGES = {
    "kernel_gallery": [("gain", 2.0), ("kernel", "box blur"), ("blur_size", 9), ("kernel", "custom"),
                       ("custom", "1 -1\n-1 1")],
    "window_stepper": [("row", 2), ("col", 1)],
    "padding_explorer": [("n", 9), ("k", 5), ("p", 2), ("s", 1), ("d", 2)],
    "channel_explorer": [("output", 1), ("kernels", "color opponents"), ("output", 0)],
}


def test_every_declared_widget_has_a_row_in_one_widget_test():
    # Each test module of this folder has its own CHANGES (they cannot import one another): read them all.
    rows = []
    for path in sorted(pathlib.Path(__file__).parent.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "CHANGES" for t in node.targets):
                rows += [key.value for key in node.value.keys]
    assert sorted(rows) == sorted(DECLARED), "one row per widget the syllabus declares, in one of the tests"


@pytest.mark.parametrize("case", CHANGES)
def test_builds_with_the_reference_function_and_redraws_at_every_change(case):
    declared = DECLARED[case]
    widget = getattr(widgets, case)(getattr(solutions, declared.draws))
    assert sliders(widget), "every widget needs a slider for the browser test to move"
    assert_draws_and_redraws(widget, declared.css, CHANGES[case])


@pytest.mark.parametrize("case", CHANGES)
def test_a_stub_shows_a_message_and_the_widget_keeps_working(case):
    assert_stub_noted_once(getattr(widgets, case)(stub), CHANGES[case][0])


@pytest.mark.parametrize("case", ["kernel_gallery", "window_stepper", "channel_explorer"])
def test_a_wrong_shape_is_reported(case):
    widget = getattr(widgets, case)(wrong_shape)
    assert "wrong_shape returned shape (2, 2); expected (" in widget.notes.value


def test_a_lambda_is_named_after_the_function_it_stands_for():
    widget = widgets.window_stepper(lambda X, K: None)
    assert "corr2d returned None (a missing return?)" in widget.notes.value


@pytest.mark.parametrize("mode", ["autograde", "validate"])
@pytest.mark.parametrize("name", widgets.__all__)
def test_widgets_are_skipped_while_grading(name, mode, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", mode)

    def must_not_run(*args, **kwargs):
        raise AssertionError("a widget computed while grading")

    notice = getattr(widgets, name)(must_not_run)
    assert isinstance(notice, SkippedNotice) and not isinstance(notice, ConvWidget)
    assert f"{name}: interactive widget skipped while grading." == repr(notice)
    assert 'class="conv-widget-skipped"' in notice._repr_html_()


def test_widgets_import_nothing_from_the_reference_library():
    for path in (ROOT / "widgets").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.split(".")[0] == "solutions" for n in names), f"{path} imports {names}"
    check = ("import sys, widgets; "
             "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'solutions' or m == 'matplotlib.pyplot'); "
             "assert not bad, bad")
    subprocess.run([sys.executable, "-c", check], cwd=ROOT, check=True, timeout=120)


def test_the_photo_loads_from_matplotlib_sample_data_without_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the photo must not need the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    images._full_rgb.cache_clear()
    gray, rgb = images.photo_gray(128), images.photo_rgb(96)
    assert gray.shape == (150, 128) and rgb.shape == (3, 120, 102)
    for photo in (gray, rgb):
        assert photo.dtype == np.float64 and 0.0 <= photo.min() < photo.max() <= 1.0
    gray[:] = 0  # callers get copies: the cache is not touched
    assert images.photo_gray(128).max() > 0


def test_downscale_averages_whole_blocks():
    image = np.arange(35.0).reshape(5, 7)
    np.testing.assert_array_equal(images.downscale(image, 2), [[4.0, 6.0, 8.0], [18.0, 20.0, 22.0]])
    with pytest.raises(ValueError, match="factor"):
        images.downscale(image, 6)


@pytest.mark.parametrize("module", [images, kernels, drawing, student, grading])
def test_docstring_examples(module):
    assert doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0


def test_student_functions_get_copies_of_their_arrays():
    X = np.ones((3, 3))

    def vandal(A):
        A[:] = 7
        return A

    assert student.call(vandal, X, name="f", shape=(3, 3)).ok
    assert (X == 1).all()


def test_window_stepper_outlines_the_cells_where_corr2d_is_wrong():
    def off_by_one(X, K):
        Y = solutions.corr2d(X, K)
        Y[2, 1] += 1
        return Y

    widget = widgets.window_stepper(solutions.corr2d)
    assert "Y[0, 0] = 12: corr2d agrees with the sum of the products" in widget.notes.value
    widget = widgets.window_stepper(off_by_one)
    assert "1 of the 9 cells" in widget.notes.value
    widget.controls["row"].value, widget.controls["col"].value = 2, 1
    assert "off_by_one gives Y[2, 1] = 7, but the products of its window sum to 6" in widget.notes.value


def test_window_stepper_takes_its_own_example():
    widget = widgets.window_stepper(solutions.corr2d, np.ones((6, 8)), [[1, -1]])
    assert (widget.controls["row"].max, widget.controls["col"].max) == (5, 6)
    with pytest.raises(ValueError, match="does not fit"):
        widgets.window_stepper(solutions.corr2d, np.ones((2, 2)), np.ones((3, 3)))


def test_padding_explorer_writes_out_the_formula():
    assert formula(7, 3, 1, 2, 1) == (
        "floor((n + 2p - d(k-1) - 1) / s) + 1 = floor((7 + 2·1 - 1·(3-1) - 1) / 2) + 1"
        " = floor(6/2) + 1 = 3 + 1 = 4", 4)
    text, fits = formula(2, 3, 0, 1, 3)
    assert fits is None and "no window fits" in text


def test_padding_explorer_judges_the_answer():
    widget = widgets.padding_explorer(lambda n, k, padding=0, stride=1, dilation=1:
                                      (n + 2 * padding - dilation * (k - 1) - 1) / stride + 1)
    assert "returned 4.0, a float" in widget.notes.value
    widget = widgets.padding_explorer(solutions.output_size)
    c = widget.controls
    c["n"].value, c["p"].value, c["d"].value = 2, 0, 3  # no window fits: a ValueError is right
    assert "raised ValueError" in widget.notes.value and PROBLEM not in widget.notes.value


def test_channel_explorer_checks_that_the_parts_add_up():
    def first_channel_only(X, K):
        return solutions.corr2d_multi_in_out(X[:1], K[:, :1])

    widget = widgets.channel_explorer(first_channel_only)
    assert "do not add up to first_channel_only(X, K)[0]" in widget.notes.value


def test_channel_explorer_slider_follows_the_kernel_bank():
    widget = widgets.channel_explorer(solutions.corr2d_multi_in_out)
    for name, bank in kernels.channel_banks().items():
        assert bank.K.shape[0] >= 2 and bank.K.shape[1] == 3 and len(bank.outputs) == bank.K.shape[0]
        widget.controls["kernels"].value = name
        assert widget.controls["output"].max == bank.K.shape[0] - 1
        assert "Y[0] is the sum of the three channels" in widget.notes.value


def test_kernel_gallery_reports_a_bad_custom_kernel():
    widget = widgets.kernel_gallery(solutions.corr2d)
    widget.controls["kernel"].value = "custom"
    widget.controls["custom"].value = "1 2\n3"
    assert "same number of entries" in widget.notes.value
    widget.controls["custom"].value = "1 x"
    assert "numbers only" in widget.notes.value


def test_under_nbgrader_the_package_draws_nothing_and_loads_no_matplotlib():
    # A graded notebook imports widgets in its first cell: under nbgrader that costs no plotting library.
    script = ("import sys, widgets\n"
              "assert 'matplotlib' not in sys.modules, sorted(m for m in sys.modules if 'matplotlib' in m)[:3]\n"
              "for name in widgets.__all__:\n"
              "    notice = getattr(widgets, name)(None)\n"
              "    assert notice.value == f'<i>{name}: interactive widget skipped while grading.</i>', notice.value\n")
    env = {**os.environ, "NBGRADER_EXECUTION": "autograde"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
