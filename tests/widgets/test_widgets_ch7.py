"""The chapter 7 widgets, without a browser: they build, redraw, survive stubs, and step aside while grading."""

import doctest
import html
import importlib
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import solutions
import widgets
from autograder import casebook
from widget_checks import (PROBLEM, STUB_MESSAGE, assert_draws_and_redraws, assert_stub_noted_once, sliders, stub,
                           wrong_shape)
from widgets.grading import ACCESSORS
from widgets.student import Result

# The modules, not the widget functions of the same name that the package exports.
gradient_flow, training_monitor, results = (
    importlib.import_module(f"widgets.{name}") for name in ("gradient_flow", "training_monitor", "results"))


ROOT = pathlib.Path(__file__).resolve().parents[2]


def digits(n=12, seed=0):
    """Return n made-up 8x8 "digits" (N, 1, 8, 8) and their labels (N,), for the monitor."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 1, 8, 8)), rng.integers(0, 10, n)


def cnn_params(channels=3, seed=1):
    rng = np.random.default_rng(seed)
    return {"W1": rng.normal(0, 0.5, (channels, 1, 3, 3)), "b1": np.zeros(channels),
            "W2": rng.normal(0, 0.2, (10, channels * 16)), "b2": np.zeros(10)}


def predict(params, X):
    """The CNN's classes, from its logits: the reference's forward pass, rebuilt from solutions' building blocks."""
    Z1 = solutions.conv2d(X, params["W1"], params["b1"], padding=1)
    P = solutions.max_pool2d(np.maximum(Z1, 0), 2)
    return (P.reshape(len(X), -1) @ params["W2"].T + params["b2"]).argmax(axis=1)


def monitor_with(loss_function, updates=0, channels=3):
    """Return a training monitor on made-up digits after `updates` updates with random parameters."""
    X, y = digits()
    monitor = widgets.training_monitor(loss_function)
    for step in range(1, updates + 1):
        params = cnn_params(channels, seed=step)
        monitor.update(10 * step, params, 2.5 / step, X, y, predict(params, X))
    return monitor


#: Every widget the syllabus declares, by function: what it draws with and its CSS class come from there.
DECLARED = {widget.function: widget for chapter in casebook.chapters() for widget in chapter.widgets}
# The widgets of chapter 7: control changes that must each change the picture (applied in order).
CHANGES = {
    "gradient_flow": [("col", 1), ("row", 1), ("show", gradient_flow.RUNNING_SUM), ("row", 0), ("col", 0)],
    "training_monitor": [("snapshot", 0), ("snapshot", 1), ("snapshot", 2)],
}
# How a widget is built from the student's function where calling it is not enough: the monitor
# needs a few updates before it has snapshots to step through.
BUILDS = {"training_monitor": lambda f: monitor_with(f, updates=3)}


@pytest.mark.parametrize("case", CHANGES)
def test_builds_with_the_reference_function_and_redraws_at_every_change(case):
    declared = DECLARED[case]
    build = BUILDS.get(case, getattr(widgets, case))
    widget = build(getattr(solutions, declared.draws))
    assert sliders(widget), "every widget needs a slider for the browser test to move"
    assert_draws_and_redraws(widget, declared.css, CHANGES[case])


def test_gradient_flow_stub_shows_a_message_and_keeps_working():
    assert_stub_noted_once(widgets.gradient_flow(stub), ("col", 1))


def test_training_monitor_stub_shows_a_message_and_keeps_working():
    monitor = monitor_with(stub)
    assert f"stub {STUB_MESSAGE}" in monitor.notes.value
    before = bytes(monitor.picture.value)
    X, y = digits()
    params = cnn_params()
    monitor.update(5, params, 2.3, X, y, predict(params, X))  # the curves and digits still come, without a test loss
    assert bytes(monitor.picture.value) != before
    assert monitor.notes.value.count(STUB_MESSAGE) == 1  # said once, however many calls failed


def test_wrong_shapes_are_reported():
    notes = html.unescape(widgets.gradient_flow(wrong_shape).notes.value)
    assert ("wrong_shape returned an array of shape (2, 2); expected a pair (dX, dK) of shapes (3, 3) and (2, 2)"
            in notes)
    notes = html.unescape(widgets.gradient_flow(lambda X, K, dY: (np.zeros(3), np.zeros((2, 2)))).notes.value)
    assert "corr2d_backward returned dX of shape (3,); expected (3, 3)" in notes
    notes = html.unescape(monitor_with(wrong_shape).notes.value)
    assert "wrong_shape returned a ndarray; expected a pair (loss, grads)" in notes

    def transposed_W2(params, X, y):
        loss, grads = solutions.tiny_cnn_loss(params, X, y)
        return loss, {**grads, "W2": grads["W2"].T}

    notes = html.unescape(monitor_with(transposed_W2).notes.value)
    assert 'transposed_W2 returned grads["W2"] of shape (32, 10); expected (10, 32)' in notes


def test_gradient_flow_draws_one_cells_share_and_the_whole_gradient():
    widget = widgets.gradient_flow(solutions.corr2d_backward)
    assert "corr2d_backward agrees with the scatter of dY at (0, 0)" in widget.notes.value
    widget.controls["show"].value = gradient_flow.RUNNING_SUM
    widget.controls["row"].value, widget.controls["col"].value = 1, 1
    assert "every cell of dY: this is the whole gradient" in widget.notes.value

    calls = []

    def spy(X, K, dY):
        calls.append(dY.copy())
        return solutions.corr2d_backward(X, K, dY)

    widget = widgets.gradient_flow(spy)
    widget.controls["col"].value = 1
    np.testing.assert_array_equal(calls[-1], [[0, 1], [0, 0]])  # only the chosen cell's gradient
    widget.controls["show"].value = gradient_flow.RUNNING_SUM
    widget.controls["row"].value = 1
    np.testing.assert_array_equal(calls[-1], [[1, 1], [1, 1]])
    widget.controls["row"].value = 0
    assert len(calls) == 4  # (0, 0) one cell, (0, 1) one cell, running (0, 1), running (1, 1); (0, 1) again is cached


def test_gradient_flow_outlines_an_unrotated_kernel():
    def not_rotated(X, K, dY):
        kh, kw = np.shape(K)
        full = np.pad(np.asarray(dY, float), ((kh - 1, kh - 1), (kw - 1, kw - 1)))
        return solutions.corr2d(full, K), solutions.corr2d(X, dY)

    widget = widgets.gradient_flow(not_rotated)
    notes = html.unescape(widget.notes.value)
    assert "4 of the 9 cells of dX differ from what dY at (0, 0) sends back" in notes
    assert "cells of dK differ" not in notes


def test_gradient_flow_takes_its_own_example():
    X, K = np.arange(20.0).reshape(4, 5), np.array([[1.0, -1.0, 2.0]])
    dY = np.arange(12.0).reshape(4, 3)
    widget = widgets.gradient_flow(solutions.corr2d_backward, X, K, dY)
    assert (widget.controls["row"].max, widget.controls["col"].max) == (3, 2)
    assert PROBLEM not in widget.notes.value
    dX, dK = gradient_flow.scatter_backward(X, K, dY)
    reference = solutions.corr2d_backward(X, K, dY)
    np.testing.assert_allclose(dX, reference[0])
    np.testing.assert_allclose(dK, reference[1])
    with pytest.raises(ValueError, match="dY must have the shape"):
        widgets.gradient_flow(solutions.corr2d_backward, X, K, np.ones((2, 2)))


def test_training_monitor_before_training_checks_the_loss_function():
    monitor = monitor_with(solutions.tiny_cnn_loss)
    assert "tiny_cnn_loss returns a loss and gradients of the right shapes" in monitor.notes.value
    assert monitor.controls["snapshot"].max == 0 and monitor.snapshots == []


def test_training_monitor_records_snapshots_and_starts_a_new_run():
    monitor = monitor_with(solutions.tiny_cnn_loss, updates=3)
    assert [s.step for s in monitor.snapshots] == [10, 20, 30]
    assert (monitor.controls["snapshot"].max, monitor.controls["snapshot"].value) == (2, 2)
    X, y = digits()
    params = cnn_params()
    snapshot = monitor.snapshots[-1]
    assert snapshot.test_loss.ok
    assert np.isclose(snapshot.test_loss.value[0], solutions.tiny_cnn_loss(cnn_params(seed=3), X, y)[0])
    np.testing.assert_array_equal(snapshot.mistakes, np.flatnonzero(predict(cnn_params(seed=3), X) != y))
    assert snapshot.kernels.shape == (3, 3, 3)
    assert "test accuracy" in monitor.notes.value
    monitor.update(10, params, 1.0, X, y, predict(params, X))  # a step not after the last: the training started again
    assert [s.step for s in monitor.snapshots] == [10]
    assert (monitor.controls["snapshot"].max, monitor.controls["snapshot"].value) == (0, 0)
    with pytest.raises(ValueError, match="predicted"):
        monitor.update(20, params, 1.0, X, y, np.zeros(3))
    with pytest.raises(ValueError, match="X_test"):
        monitor.update(20, params, 1.0, X[:, 0], y, predict(params, X))


def test_training_monitor_redraws_once_per_update(monkeypatch):
    monitor = monitor_with(solutions.tiny_cnn_loss, updates=1)
    calls = []
    monkeypatch.setattr(monitor, "_draw", lambda draw=monitor._draw: calls.append(1) or draw())
    X, y = digits()
    for step in (20, 30):
        monitor.update(step, cnn_params(), 1.0, X, y, predict(cnn_params(), X))
    assert len(calls) == 2


def test_training_monitor_shows_at_most_eight_kernels():
    monitor = monitor_with(solutions.tiny_cnn_loss, updates=2, channels=11)
    assert monitor.snapshots[-1].kernels.shape == (11, 3, 3)
    assert PROBLEM not in monitor.notes.value


def test_the_training_loop_finds_the_latest_monitor(monkeypatch):
    first, second = monitor_with(solutions.tiny_cnn_loss), monitor_with(solutions.tiny_cnn_loss)
    assert widgets.training_monitor.latest() is second is not first
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    monkeypatch.setattr(training_monitor, "_latest", [])
    widgets.training_monitor(stub)  # the grading notice: nothing to feed
    assert widgets.training_monitor.latest() is None


def test_results_messages():
    shapes = {"W1": (2, 1, 3, 3), "b1": (2,)}
    assert "not a finite number" in results.loss_and_gradients(Result((np.nan, {})), "f", shapes).problem
    assert "loss that is a str" in results.loss_and_gradients(Result(("1", {})), "f", shapes).problem
    problem = results.arrays(Result((np.ones((3, 3)),)), "f", {"dX": (3, 3), "dK": (2, 2)}).problem
    assert problem == "f returned 1 values; expected a pair (dX, dK) of shapes (3, 3) and (2, 2)"
    problem = results.arrays(Result(None), "f", {"dX": (3, 3), "dK": (2, 2)}).problem
    assert problem.startswith("f returned None (a missing return?)")


def test_while_graded_the_training_loop_finds_no_monitor():
    # Under nbgrader `widgets` exports stand-ins and loads no drawing module: the training
    # loop's call, made as the chapter 7 notebook makes it, must still work and find nothing.
    script = ("import sys, widgets\n"
              "widgets.training_monitor(None)\n"
              "assert widgets.training_monitor.latest() is None\n"
              "assert 'widgets.training_monitor' not in sys.modules\n")
    env = {**os.environ, "NBGRADER_EXECUTION": "autograde"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=120)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("name", widgets.__all__)
def test_the_grading_stand_ins_carry_the_accessors_of_the_widget_functions(name):
    real = getattr(widgets, name)
    accessors = {key for key, value in vars(real).items() if callable(value) and not key.startswith("_")}
    assert accessors == set(ACCESSORS.get(name, ()))


@pytest.mark.parametrize("module", [gradient_flow, training_monitor, results])
def test_docstring_examples(module):
    assert doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0
