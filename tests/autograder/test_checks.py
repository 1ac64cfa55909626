"""The checks the test cells call: cases, scores and feedback of ``autograder.check``.

Student implementations here are written the way a student would (Python loops over the output
cells), so the tests also show that a correct loop version passes within its time budget.
The reference is graded through a copy of the ``solutions`` package under another name: the
real one is, by design, a forbidden call for student code.
"""

from __future__ import annotations

import importlib
import shutil
import sys
import time
import warnings

import numpy as np
from student_code import (CORR2D_LOOP, CORR2D_PAD_STRIDE, OUTPUT_SIZE, OUTPUT_SIZE_PADDING_ONCE, REFLECT_TOO_LARGE,
                          UPSTREAM, naive)
import pytest
import solutions

from autograder import Score, casebook, check, verdicts
from autograder.calling import Raises
from autograder.cases import GRADED

NAMES = casebook.graded_names()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The reference package, copied under the name ``reference_copy`` (not a forbidden call)."""
    root = tmp_path_factory.mktemp("reference")
    shutil.copytree(solutions.__path__[0], root / "reference_copy")
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("reference_copy")
    finally:
        sys.path.remove(str(root))
        sys.modules.pop("reference_copy", None)


@pytest.fixture(autouse=True)
def _visible_only_by_default(monkeypatch):
    monkeypatch.delenv("AUTOGRADER_ALL_CASES", raising=False)
    monkeypatch.delenv("AUTOGRADER_TIME_LIMIT", raising=False)


def run(capsys, *args, **kwargs) -> tuple[Score, str]:
    """Return the score of a check and what it printed (failing the test if it wrote to stderr)."""
    score = check(*args, **kwargs)
    out, err = capsys.readouterr()
    assert err == "", f"check wrote to stderr: {err!r}"
    return score, out


# --- the cases ----------------------------------------------------------------------------------

def test_every_spec_function_has_cases():
    assert set(NAMES) <= set(GRADED)
    for name in NAMES:
        visible, everything = GRADED[name].cases(False), GRADED[name].cases(True)
        assert visible and len(everything) > len(visible), name
        assert all(case.description for case in everything)
        assert not any(case.hidden for case in visible) and everything[-1].hidden


@pytest.mark.parametrize("name", NAMES)
def test_worked_examples_agree_with_the_reference(name):
    graded = GRADED[name]
    for case in graded.cases(True):
        if case.expected is None:
            continue
        if isinstance(case.expected, Raises):  # arguments the reference refuses, as the case says
            with pytest.raises(Exception) as refused:
                graded.calling.call_plain(graded.reference, case.arguments())
            assert type(refused.value).__name__ == case.expected.error, case.description
            continue
        computed = graded.calling.call_plain(graded.reference, case.arguments())
        assert verdicts.compare_case(graded, case, case.expected, computed) is None, case.description
        if graded.result == "int":
            assert computed == case.expected


def test_visible_cases_are_the_spec_worked_examples():
    def expected(name):
        return [case.expected.tolist() if isinstance(case.expected, np.ndarray) else case.expected
                for case in GRADED[name].cases(False)]

    assert [[12, 12, 17], [10, 17, 19], [9, 6, 14]] in expected("corr2d")
    assert [[19, 25], [37, 43]] in expected("corr2d")
    assert [[0, 1, 0, 0, 0, -1, 0]] * 6 in expected("corr2d")
    assert np.zeros((8, 5)).tolist() in expected("corr2d")
    assert [[1, -1]] in expected("learn_kernel")
    assert [[56, 72], [104, 120]] in expected("corr2d_multi_in")
    stacked = expected("corr2d_multi_in_out")[0]
    assert stacked[1] == [[76, 100], [148, 172]] and stacked[2] == [[96, 128], [192, 224]]
    assert 1_024_000_000 in expected("conv2d_macs")
    assert [[4, 5], [7, 8]] in expected("pool2d") and [[2, 3], [5, 6]] in expected("pool2d")
    assert [[0, 0, 1], [0, 4, 6], [4, 12, 9]] in expected("trans_conv")
    assert expected("receptive_field")[0] == 5
    assert [8, 8, 4, 2] == [e for e in expected("output_size")][:3] + [expected("output_size")[4]]
    shapes = [GRADED["corr2d_pad_stride"].expected(case).shape for case in GRADED["corr2d_pad_stride"].cases(False)[:4]]
    assert shapes == [(8, 8), (8, 8), (4, 4), (2, 2)]


def test_cases_are_the_same_every_time_whatever_the_global_rng():
    np.random.seed(1)
    first = [case.description for case in GRADED["corr2d"].cases(True)]
    inputs = [case.values[0][1].copy() for case in GRADED["corr2d"].cases(True)]
    np.random.seed(2)
    assert first == [case.description for case in GRADED["corr2d"].cases(True)]
    assert all((a == b.values[0][1]).all() for a, b in zip(inputs, GRADED["corr2d"].cases(True)))


def test_hidden_cases_cover_the_edge_cases():
    for name in ("corr2d", "convolve2d", "corr2d_multi_in", "corr2d_multi_in_out"):
        labels = " ".join(case.label for case in GRADED[name].cases(True) if case.hidden)
        for edge in ("1x1 input", "kernel as large as the input", "integer input", "float32 input"):
            assert edge in labels, (name, edge)


def test_same_padding_grades_its_pair_forms():
    arguments = [dict(case.values) for case in GRADED["same_padding"].cases(True)]
    visible = [dict(case.values) for case in GRADED["same_padding"].cases(False)]
    assert any(type(a["k"]) is tuple for a in visible), "a visible case with a pair k"
    assert any(type(a.get("dilation")) is tuple for a in arguments), "a dilation pair"
    assert any(type(a["k"]) is list for a in arguments) and any(type(a.get("dilation")) is list for a in arguments)


def test_a_visible_grouped_case_has_two_input_channels_per_group():
    shapes = [(dict(case.values)["K"].shape, dict(case.values)["groups"]) for case in GRADED["conv2d_grouped"].cases(False)]
    assert any(groups > 1 and K[1] >= 2 for K, groups in shapes), shapes


def test_pad2d_refuses_padding_too_large_for_reflect_and_circular():
    refused = [case for case in GRADED["pad2d"].cases(True) if isinstance(case.expected, Raises)]
    modes = {(dict(case.values)["mode"], case.hidden) for case in refused}
    assert ("reflect", False) in modes and ("circular", True) in modes
    assert REFLECT_TOO_LARGE in [case.expected.why for case in refused if not case.hidden]


# --- full marks ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_the_reference_scores_full_points(name, reference, capsys):
    score, out = run(capsys, name, getattr(reference, name), points=4, hidden=True)
    assert score == 4.0 and score.passed == score.total, out
    assert f"{name}: {score.total}/{score.total} cases passed, 4 of 4 points" in out


@pytest.mark.parametrize("name", NAMES)
def test_a_correct_loop_implementation_scores_full_points_quickly(name, capsys):
    start = time.perf_counter()
    score, out = run(capsys, name, getattr(naive, name), points=3, hidden=True)
    assert score == 3.0 and score.passed == score.total, out
    assert time.perf_counter() - start < 2.0


def test_hidden_false_runs_only_the_visible_cases(capsys, monkeypatch):
    score, out = run(capsys, "corr2d", naive.corr2d, points=4)
    assert score.total == len(GRADED["corr2d"].cases(False)) and "[hidden]" not in out
    assert out.rstrip().endswith("corr2d: visible 5/5 passed; the hidden cases run when the notebook is graded")
    assert " points" not in out.splitlines()[-1] and not score.complete
    monkeypatch.setenv("AUTOGRADER_ALL_CASES", "1")
    score, out = run(capsys, "corr2d", naive.corr2d, points=4)
    assert score.total == len(GRADED["corr2d"].cases(True)) and "[hidden]" in out


# --- the score ----------------------------------------------------------------------------------

def test_the_score_is_a_float_that_nbgrader_reads_as_partial_credit(capsys):
    from nbgrader.utils import get_partial_grade

    def float64_only(X, K):  # fails the float32 case only
        return naive.corr2d(np.asarray(X, dtype=float), np.asarray(K, dtype=float))

    score, out = run(capsys, "corr2d", float64_only, points=4, hidden=True)
    assert (score.passed, score.total) == (12, 13)
    assert repr(score) == "3.69" and float(repr(score)) == 3.69
    assert out.rstrip().endswith("corr2d: 12/13 cases passed, 3.69 of 4 points")
    assert get_partial_grade({"data": {"text/plain": repr(score)}}, 4) == 3.69
    assert "wrong dtype: expected float32, got float64" in out and "np.result_type(X, K, 1.0)" in out


def test_the_cell_result_is_a_coloured_summary_in_html_and_the_float_in_plain_text(capsys):
    from IPython.core.formatters import DisplayFormatter
    from nbgrader.utils import get_partial_grade

    score, out = run(capsys, "corr2d", naive.corr2d, points=4)
    data, _ = DisplayFormatter().format(score)
    assert data["text/plain"] == "4.0" and get_partial_grade({"data": data}, 4) == 4.0
    assert ("<b>corr2d</b>: visible 5/5 passed; the hidden cases run when the notebook is graded" in data["text/html"]
            and "#2e7d32" in data["text/html"])

    score, out = run(capsys, "corr2d", lambda X, K: naive.corr2d(np.asarray(X, float), np.asarray(K, float)),
                     points=4, hidden=True)
    data, _ = DisplayFormatter().format(score)
    assert data["text/plain"] == "3.69" and get_partial_grade({"data": data}, 4) == 3.69
    assert "<b>corr2d</b>: 12/13 cases passed, 3.69 of 4 points" in data["text/html"] and "#b26a00" in data["text/html"]

    score, out = run(capsys, "corr2d", lambda X, K: np.zeros((1, 1)), points=4)
    assert "#c62828" in score._repr_html_() and repr(score) == "0.0"


def test_a_stub_scores_zero_and_says_not_implemented(capsys):
    def corr2d(X, K):
        raise NotImplementedError

    score, out = run(capsys, "corr2d", corr2d, points=4, hidden=True)
    assert score == 0.0 and repr(score) == "0.0"
    assert "corr2d: not implemented yet" in out


# --- feedback per failure -----------------------------------------------------------------------

def test_shape_mismatch_feedback(capsys):
    def corr2d(X, K):  # one row and column short
        return naive.corr2d(X, K)[:-1, :-1]

    score, out = run(capsys, "corr2d", corr2d, points=4)
    assert score == 0.0
    assert "FAIL  worked example: X (5, 5) int64, K (3, 3) int64" in out
    assert "wrong shape: expected (3, 3), got (2, 2)" in out
    assert "hint: one row or column short: the output is (H-kh+1, W-kw+1) = (3, 3)" in out


def test_the_dtype_hint_names_the_functions_own_arrays(capsys):
    def pad2d(X, padding, mode="zeros"):
        return naive.pad2d(np.asarray(X, dtype=np.float64), padding, mode)  # float32 in, float64 out

    score, out = run(capsys, "pad2d", pad2d, points=4, hidden=True)
    assert "wrong dtype: expected float32, got float64" in out
    assert "hint: float in, the same float out" in out and "np.result_type(X, 1.0)" in out and "K" not in out


def test_dtype_mismatch_feedback(capsys):
    def corr2d(X, K):
        return naive.corr2d(X, K).astype(int)

    score, out = run(capsys, "corr2d", corr2d, points=4)
    assert score == 0.0
    assert "wrong dtype: expected float64, got int64 (results are float arrays" in out


def test_value_mismatch_feedback_names_the_first_index_and_the_max_error(capsys):
    def corr2d(X, K):
        Y = naive.corr2d(X, K)
        Y[1, 2] += 0.5
        Y[2, 0] -= 2.0
        return Y

    score, out = run(capsys, "corr2d", corr2d, points=4)
    assert score == 0.0
    assert ("values differ: at index (1, 2) expected 19, got 19.5; 2 of 9 values differ, "
            "max abs error 2") in out
    assert "expected: [[12., 12., 17.]," in out
    assert "hint: each output cell is one window times the kernel" in out


def test_an_exception_is_a_failed_case_with_its_message_and_line(capsys):
    def corr2d(X, K):
        return X[100]

    score, out = run(capsys, "corr2d", corr2d, points=4)
    assert score == 0.0
    assert "raised IndexError: index 100 is out of bounds for axis 0 with size 5" in out
    assert "in corr2d: return X[100])" in out


def test_nan_is_its_own_failure(capsys):
    def corr2d(X, K):
        Y = naive.corr2d(X, K)
        Y[0, 1] = np.nan
        return Y

    score, out = run(capsys, "corr2d", corr2d, points=4)
    assert score == 0.0
    assert "result contains NaN (1 of 9 values, the first at index (0, 1))" in out


@pytest.mark.parametrize("result, message", [
    (None, "returned None, not a NumPy array"),
    ("12", "returned a str, not a NumPy array"),
    (3.0, "returned a single number (3.0), not an array"),
    ([[1, "a"]], "returned a list that contains a str, not a number"),
    ([[1.0], [1.0, 2.0]], "returned a ragged list"),
    (np.array([[object()]]), "returned an array of Python objects (dtype object), not of numbers"),
])
def test_a_wrong_kind_of_result_is_a_failed_case(capsys, result, message):
    score, out = run(capsys, "corr2d", lambda X, K: result, points=4)
    assert score == 0.0 and message in out


def test_nested_lists_of_numbers_are_accepted(capsys):
    score, out = run(capsys, "corr2d", lambda X, K: naive.corr2d(X, K).tolist(), points=4)
    assert score == 4.0, out


def test_a_slow_call_times_out_and_the_rest_are_skipped(capsys, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_TIME_LIMIT", "0.2")

    def corr2d(X, K):
        while True:
            try:
                time.sleep(1)
            except Exception:  # the timeout is a BaseException: this does not hold on to it
                pass

    start = time.perf_counter()
    score, out = run(capsys, "corr2d", corr2d, points=4, hidden=True)
    assert time.perf_counter() - start < 3
    assert score == 0.0
    assert out.count("took longer than its time budget of 0.2 s") == 2
    assert "not run: 2 cases already ran out of time" in out


def test_printing_warnings_and_stderr_never_reach_the_cell(capfd):
    import os

    def corr2d(X, K):
        print("x" * 100_000)
        print("to stderr", file=sys.stderr)
        print("to the real stderr", file=sys.__stderr__)
        os.write(2, b"straight to fd 2\n")
        warnings.warn("careful")
        np.float64(1) / np.float64(0)
        return naive.corr2d(X, K)[:-1]  # fails, so the feedback shows the output

    score = check("corr2d", corr2d, points=4)
    out, err = capfd.readouterr()
    assert err == ""
    assert score == 0.0
    assert "it printed: xxxx" in out and "characters in all)" in out
    assert len(out) < 20_000  # the flood is cut
    assert "warning: UserWarning: careful" in out


def test_a_function_that_modifies_its_input_fails(capsys):
    def corr2d(X, K):
        Y = naive.corr2d(X, K)
        X[0, 0] = 42
        return Y

    score, out = run(capsys, "corr2d", corr2d, points=4)
    assert score == 0.0 and "modifies its input X" in out


def test_the_layer_harness_checks_weight_and_bias(capsys):
    class Conv2D:
        def __init__(self, kernel_size):
            self.kernel = np.zeros(kernel_size)

    score, out = run(capsys, "Conv2D", Conv2D, points=3)
    assert score == 0.0 and "has no attribute 'weight'" in out

    class Transposed(naive.Conv2D):
        def __init__(self, kernel_size):
            super().__init__(kernel_size)
            self.weight = self.weight.T

    score, out = run(capsys, "Conv2D", Transposed, points=3)
    assert "Conv2D(2, 2).weight" not in out and "weight has shape (2, 1), expected (1, 2)" in out


def test_not_a_function(capsys):
    score, out = run(capsys, "corr2d", 5, points=4)
    assert score == 0.0 and "corr2d is a int, not a function" in out


def test_the_docstring_example_runs():
    import doctest

    import autograder.kernel.check

    failures, tried = doctest.testmod(autograder.kernel.check, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert tried >= 3 and failures == 0


@pytest.mark.parametrize("module", ["calling", "problems", "score", "syllabus"])
def test_the_shared_modules_docstring_examples_run(module):
    import doctest

    failures, tried = doctest.testmod(importlib.import_module(f"autograder.{module}"))
    assert tried >= 2 and failures == 0


def test_test_cell_mistakes_raise_for_the_instructor():
    with pytest.raises(ValueError, match="no graded function named 'corr3d'"):
        check("corr3d", naive.corr2d, points=4)
    with pytest.raises(ValueError, match="points must be a non-negative number"):
        check("corr2d", naive.corr2d, points=-1)


# --- functions that call other graded functions -------------------------------------------------

def notebook(source: str) -> dict:
    """Return the names a notebook defines with ``source`` after a correct pad2d (their globals, as in a kernel)."""
    namespace = {"np": np, "pad2d": naive.pad2d}
    exec(compile(source, "<notebook cell>", "exec"), namespace)
    return namespace


def test_a_wrong_graded_function_called_inside_is_named_in_the_failed_cases(capsys):
    student = notebook(OUTPUT_SIZE_PADDING_ONCE + CORR2D_PAD_STRIDE)
    score, out = run(capsys, "corr2d_pad_stride", student["corr2d_pad_stride"], points=4)
    assert 0 < score < 4
    failed = out.count("  FAIL  ")
    assert failed and out.count(UPSTREAM) == failed, out
    assert "one row or column" not in out  # the shape hint gives way


def test_only_a_dependency_that_fails_its_visible_cases_is_named(capsys):
    student = notebook(OUTPUT_SIZE + CORR2D_PAD_STRIDE.replace("* K).sum()", "* K[::-1, ::-1]).sum()"))
    score, out = run(capsys, "corr2d_pad_stride", student["corr2d_pad_stride"], points=4)
    assert score < 4 and "FAIL" in out and " first" not in out


def test_the_dependency_hint_also_explains_an_exception(capsys):
    student = notebook(OUTPUT_SIZE.replace("//", "/") + CORR2D_PAD_STRIDE)
    score, out = run(capsys, "corr2d_pad_stride", student["corr2d_pad_stride"], points=4)
    assert score == 0.0 and out.count("raised TypeError") == 5
    assert out.count("hint: your output_size(8, 3, padding=1) is wrong (returned a float (8.0), not an int") == 5


def test_the_functions_called_inside_run_only_when_a_failed_case_can_name_them(capsys):
    # The student's corr2d_pad_stride calls output_size by position; output_size's own visible
    # cases pass keywords: a call with keywords is the check looking into output_size.
    spy = """
keywords = []
_output_size = output_size
def output_size(n, k, *args, **kwargs):
    keywords.append(sorted(kwargs))
    return _output_size(n, k, *args, **kwargs)
"""
    student = notebook(OUTPUT_SIZE + spy + CORR2D_PAD_STRIDE)
    score, _ = run(capsys, "corr2d_pad_stride", student["corr2d_pad_stride"], points=4)
    assert score == 4.0 and student["keywords"] and not any(student["keywords"])
    student = notebook(OUTPUT_SIZE + spy + CORR2D_PAD_STRIDE.replace("* K).sum()", "* K[::-1, ::-1]).sum()"))
    score, _ = run(capsys, "corr2d_pad_stride", student["corr2d_pad_stride"], points=4)
    assert score < 4 and any(student["keywords"])


def test_a_class_calling_a_graded_function_in_its_methods_is_looked_into(capsys):
    student = notebook(CORR2D_LOOP.replace("+ 1, X.shape[1] - w + 1", ", X.shape[1] - w") + """
class Conv2D:
    def __init__(self, kernel_size):
        self.weight, self.bias = np.zeros(kernel_size), 0.0

    def __call__(self, X):
        return corr2d(X, self.weight) + self.bias
""")
    score, out = run(capsys, "Conv2D", student["Conv2D"], points=3)
    assert score == 0.0 and "hint: your corr2d(X, K) on X (5, 5) int64, K (3, 3) int64 is wrong (wrong shape" in out


# --- cases whose arguments must be refused ------------------------------------------------------

REFUSAL = ("FAIL  reflect padding as large as the input: X (4, 4) float64, padding=(4, 0), mode='reflect'\n"
           "        expected a ValueError: reflect padding of 4 rows on a 4-row input is too large, as in PyTorch; ")


def test_a_case_that_must_raise_passes_only_with_that_exception(capsys):
    score, out = run(capsys, "pad2d", naive.pad2d, points=4)
    assert score == 4.0 and "PASS  reflect padding as large as the input" in out

    def unchecked(X, padding, mode="zeros"):  # numpy's reflect and wrap go on past the input's size
        if mode not in ("reflect", "circular"):
            return naive.pad2d(X, padding, mode)
        top, bottom, left, right = naive.sides(padding)
        return np.pad(np.asarray(X, dtype=np.result_type(X, 1.0)), ((top, bottom), (left, right)),
                      mode={"reflect": "reflect", "circular": "wrap"}[mode])

    score, out = run(capsys, "pad2d", unchecked, points=4)
    assert REFUSAL + "it returned a float64 array of shape (12, 4) instead" in out
    assert "hint: check the arguments before computing anything, and raise ValueError(...)" in out
    assert score.passed == score.total - 1

    def pad2d(X, padding, mode="zeros"):
        if mode == "reflect" and padding[0] >= len(X):
            raise IndexError("too much")
        return naive.pad2d(X, padding, mode)

    score, out = run(capsys, "pad2d", pad2d, points=4)
    assert REFUSAL + "it raised IndexError: too much" in out and score.passed == score.total - 1


def test_a_stub_is_still_not_implemented_on_a_case_that_must_raise(capsys):
    def pad2d(X, padding, mode="zeros"):
        raise NotImplementedError

    score, out = run(capsys, "pad2d", pad2d, points=4)
    assert out.strip() == "pad2d: not implemented yet (it raises NotImplementedError): visible 0/6 passed"
