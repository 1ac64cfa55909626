"""The chapter 4-6 widgets, without a browser: they build, redraw, survive stubs, and step aside while grading."""

import doctest
import html
import importlib

import ipywidgets
import numpy as np
import pytest

import solutions
import widgets
from autograder import casebook
from widget_checks import PROBLEM, assert_draws_and_redraws, assert_stub_noted_once, sliders, stub, wrong_shape

# The modules, not the widget functions of the same name that the package exports.
dilation_explorer, groups_diagram, pooling_explorer, transposed_stepper = (
    importlib.import_module(f"widgets.{name}")
    for name in ("dilation_explorer", "groups_diagram", "pooling_explorer", "transposed_stepper"))

#: Every widget the syllabus declares, by function: what it draws with and its CSS class come from there.
DECLARED = {widget.function: widget for chapter in casebook.chapters() for widget in chapter.widgets}
# The widgets of chapters 4-6: control changes that must each change the picture (applied in order).
CHANGES = {
    "channel_mixer": [("w_red", 0.5), ("weights", "sepia (3 outputs)"), ("w_blue", 0.3),
                      ("weights", "swap R and B (3 outputs)")],
    "pooling_explorer": [("window", 3), ("padding", 1), ("stride", 1), ("window", 4), ("padding", 2)],
    "groups_diagram": [("groups", 4), ("k", 5), ("groups", 1)],
    "dilation_explorer": [("d", 1), ("k", 5), ("d", 4)],
    "transposed_stepper": [("step", 2), ("stride", 2), ("step", 4), ("stride", 3)],
}
#: The widgets that draw with a student function (an illustration takes none).
STUDENT_CASES = [case for case in CHANGES if DECLARED[case].draws]


def build(case, func=None):
    make, draws = getattr(widgets, case), DECLARED[case].draws
    return make() if not draws else make(getattr(solutions, draws) if func is None else func)


@pytest.mark.parametrize("case", CHANGES)
def test_builds_with_the_reference_function_and_redraws_at_every_change(case):
    widget = build(case)
    assert sliders(widget) or any(isinstance(c, ipywidgets.SelectionSlider) for c in widget.controls.values())
    assert_draws_and_redraws(widget, DECLARED[case].css, CHANGES[case])


@pytest.mark.parametrize("case", STUDENT_CASES)
def test_a_stub_shows_a_message_and_the_widget_keeps_working(case):
    assert_stub_noted_once(build(case, stub), CHANGES[case][0])


@pytest.mark.parametrize("case", STUDENT_CASES)
def test_a_wrong_shape_is_reported(case):
    widget = build(case, wrong_shape)
    assert "wrong_shape returned shape (" in widget.notes.value and "expected (" in widget.notes.value


def test_channel_mixer_presets_and_sliders_follow_each_other():
    widget = widgets.channel_mixer(solutions.corr2d_multi_in_out_1x1)
    c = widget.controls
    assert [c[f"w_{x}"].value for x in ("red", "green", "blue")] == pytest.approx([0.299, 0.587, 0.114])
    c["weights"].value = "red only"
    assert [c[f"w_{x}"].value for x in ("red", "green", "blue")] == [1.0, 0.0, 0.0]
    c["w_green"].value = 0.5
    assert c["weights"].value == "custom (the sliders)"
    assert "by the 1×3 weights" in widget.notes.value


def test_channel_mixer_one_redraw_per_move(monkeypatch):
    widget = widgets.channel_mixer(solutions.corr2d_multi_in_out_1x1)
    calls = []
    monkeypatch.setattr(widget, "_draw", lambda draw=widget._draw: calls.append(1) or draw())
    widget.controls["weights"].value = "red only"  # sets three sliders
    widget.controls["w_blue"].value = 0.2  # selects custom
    assert len(calls) == 2


def test_channel_mixer_passes_a_1x1_kernel_bank():
    shapes = []

    def spy(X, K):
        shapes.append((X.shape, K.shape))
        return solutions.corr2d_multi_in_out_1x1(X, K)

    widget = widgets.channel_mixer(spy)
    widget.controls["weights"].value = "sepia (3 outputs)"
    assert [K for _, K in shapes] == [(1, 3, 1, 1), (3, 3, 1, 1)]
    assert shapes[0][0][0] == 3


def test_pooling_explorer_winners_and_padding_limit():
    X = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0], [3.0, 4.0, 9.0]])
    rows, cols = pooling_explorer.max_winners(X, 2, 1, 0)
    np.testing.assert_array_equal(rows, [[1, 1], [1, 2]])  # ties go to the first in reading order
    np.testing.assert_array_equal(cols, [[0, 2], [0, 2]])
    assert pooling_explorer.size_text(8, 3, 2, 1)[1] == 4
    widget = widgets.pooling_explorer(solutions.pool2d_strided)
    c = widget.controls
    c["window"].value = 4
    c["padding"].value = 2
    c["window"].value = 2
    assert (c["padding"].max, c["padding"].value) == (1, 1)
    assert PROBLEM not in widget.notes.value


def test_pooling_explorer_outlines_a_wrong_average():
    def sum_not_mean(X, pool_size, stride=None, padding=0, mode="max"):
        Y = solutions.pool2d_strided(X, pool_size, stride, padding, mode)
        return Y * 4 if mode == "avg" else Y

    notes = html.unescape(widgets.pooling_explorer(sum_not_mean).notes.value)
    assert '16 of the 16 cells of the "avg" output differ' in notes
    assert 'the "max" output agrees' in notes


def test_groups_diagram_offers_common_divisors_and_counts_weights():
    widget = widgets.groups_diagram(6, 12)
    assert list(widget.controls["groups"].options) == [1, 2, 3, 6]
    widget.controls["groups"].value, widget.controls["k"].value = 3, 3
    assert "(12, 2, 3, 3), 216 weights" in widget.notes.value
    assert groups_diagram.cost_text(8, 8, 2, 3).endswith("= 288")
    with pytest.raises(ValueError, match="c_in"):
        widgets.groups_diagram(0, 8)


def test_dilation_explorer_checks_the_output():
    X = dilation_explorer.checkerboard(6)
    np.testing.assert_array_equal(dilation_explorer.dilated_sums(X, 2, 2),
                                  solutions.corr2d_dilated(X, np.ones((2, 2)), 2))
    assert "= 17: wider than the 12×12 input" in dilation_explorer.span_text(5, 4, 12)
    widget = widgets.dilation_explorer(lambda X, K, d: solutions.corr2d_dilated(X, K, 1)[:X.shape[0] - d * (K.shape[0] - 1),
                                                                                         :X.shape[1] - d * (K.shape[1] - 1)])
    assert "outputs of corr2d_dilated differ" in widget.notes.value


def test_transposed_stepper_scatter_and_comparison():
    X = K = np.array([[0.0, 1.0], [2.0, 3.0]])
    np.testing.assert_array_equal(transposed_stepper.scatter(X, K, 1, 4), [[0, 0, 1], [0, 4, 6], [4, 12, 9]])
    np.testing.assert_array_equal(transposed_stepper.scatter(X, K, 1, 2), [[0, 0, 1], [0, 2, 3], [0, 0, 0]])
    widget = widgets.transposed_stepper(solutions.trans_conv)
    widget.controls["step"].value = 4
    assert "trans_conv(X, K, stride=1) agrees with the scatter-add" in widget.notes.value
    widget = widgets.transposed_stepper(lambda X, K, s: solutions.trans_conv(X, K, s) + (s > 1))
    widget.controls["step"].value = 4
    assert "agrees" in widget.notes.value
    widget.controls["stride"].value = 2
    assert "differs from the scatter-add in 16 of 16 cells" in widget.notes.value


def test_docstring_examples():
    assert doctest.testmod(groups_diagram).failed == 0
