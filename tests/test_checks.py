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
from student_code import CORR2D_LOOP
import pytest
import solutions

from autograder import Score, check
from autograder.cases import GRADED

SPEC_NAMES = {
    "ch1": ["corr2d", "convolve2d", "Conv2D", "learn_kernel"],
    "ch2": ["output_size", "pad2d", "corr2d_pad_stride", "same_padding"],
    "ch3": ["corr2d_multi_in", "corr2d_multi_in_out", "conv2d_params", "conv2d_macs"],
    "ch4": ["corr2d_multi_in_out_1x1", "pointwise_as_linear"],
    "ch5": ["pool2d", "pool2d_strided"],
    "ch6": ["conv2d_grouped", "depthwise_separable", "corr2d_dilated", "trans_conv", "conv_matrix",
            "receptive_field"],
}
NAMES = [name for names in SPEC_NAMES.values() for name in names]


# --- a student's loop implementations (all correct) ---------------------------------------------

def _defined(source: str, name: str):
    namespace = {"np": np}
    exec(source, namespace)
    return namespace[name]


class naive:
    """Correct implementations in the style the notebooks teach: loops over output cells."""

    corr2d = staticmethod(_defined(CORR2D_LOOP, "corr2d"))

    @staticmethod
    def convolve2d(X, K):
        return naive.corr2d(X, np.asarray(K)[::-1, ::-1])

    class Conv2D:
        def __init__(self, kernel_size):
            self.weight = np.random.uniform(size=kernel_size)
            self.bias = 0.0

        def __call__(self, X):
            return naive.corr2d(X, self.weight) + self.bias

    @staticmethod
    def learn_kernel(X, Y, kernel_shape, lr=0.03, steps=20):
        K = np.zeros(kernel_shape, dtype=np.result_type(X, Y, 1.0))
        for _ in range(steps):
            K -= lr * naive.corr2d(X, 2 * (naive.corr2d(X, K) - Y))
        return K

    @staticmethod
    def output_size(n, k, padding=0, stride=1, dilation=1):
        return (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1

    @staticmethod
    def sides(padding):
        if isinstance(padding, int):
            return (padding,) * 4
        if len(padding) == 2:
            return padding[0], padding[0], padding[1], padding[1]
        return tuple(padding)

    @staticmethod
    def source(i, n, mode):
        if mode == "replicate":
            return min(max(i, 0), n - 1)
        if mode == "circular":
            return i % n
        i = -i if i < 0 else i
        return 2 * (n - 1) - i if i > n - 1 else i

    @staticmethod
    def pad2d(X, padding, mode="zeros"):
        X = np.asarray(X)
        top, bottom, left, right = naive.sides(padding)
        H, W = X.shape
        Y = np.zeros((top + H + bottom, left + W + right), dtype=np.result_type(X, 1.0))
        for i in range(Y.shape[0]):
            for j in range(Y.shape[1]):
                si, sj = i - top, j - left
                if mode != "zeros":
                    Y[i, j] = X[naive.source(si, H, mode), naive.source(sj, W, mode)]
                elif 0 <= si < H and 0 <= sj < W:
                    Y[i, j] = X[si, sj]
        return Y

    @staticmethod
    def corr2d_pad_stride(X, K, padding=0, stride=1, padding_mode="zeros"):
        K = np.asarray(K)
        ph, pw = (padding, padding) if isinstance(padding, int) else padding
        sh, sw = (stride, stride) if isinstance(stride, int) else stride
        Xp = naive.pad2d(X, (ph, pw), padding_mode)
        h, w = K.shape
        Y = np.zeros(((Xp.shape[0] - h) // sh + 1, (Xp.shape[1] - w) // sw + 1), dtype=np.result_type(Xp, K, 1.0))
        for i in range(Y.shape[0]):
            for j in range(Y.shape[1]):
                Y[i, j] = (Xp[i * sh:i * sh + h, j * sw:j * sw + w] * K).sum()
        return Y

    @staticmethod
    def same_padding(k, dilation=1):
        total = dilation * (k - 1)
        return total // 2, total - total // 2

    @staticmethod
    def corr2d_multi_in(X, K):
        return sum(naive.corr2d(x, k) for x, k in zip(X, K))

    @staticmethod
    def corr2d_multi_in_out(X, K):
        return np.stack([naive.corr2d_multi_in(X, k) for k in K])

    @staticmethod
    def conv2d_params(c_in, c_out, kh, kw, groups=1, bias=True):
        return c_out * (c_in // groups) * kh * kw + (c_out if bias else 0)

    @staticmethod
    def conv2d_macs(c_in, c_out, kh, kw, oh, ow, groups=1):
        return c_in * c_out * kh * kw * oh * ow // groups

    @staticmethod
    def as_float(A):
        A = np.asarray(A)
        return A.astype(np.float64) if A.dtype.kind in "biu" else A

    @staticmethod
    def corr2d_multi_in_out_1x1(X, K):
        X, K = naive.as_float(X), naive.as_float(K)
        c_in, H, W = X.shape
        return (K.reshape(K.shape[0], c_in) @ X.reshape(c_in, H * W)).reshape(-1, H, W)

    @staticmethod
    def pointwise_as_linear(X, W, b):
        X, W, b = naive.as_float(X), naive.as_float(W), naive.as_float(b)
        N, _, H, Wd = X.shape
        Y = np.zeros((N, W.shape[0], H, Wd), dtype=np.result_type(X, W, b))
        for n in range(N):
            for i in range(H):
                for j in range(Wd):
                    Y[n, :, i, j] = W @ X[n, :, i, j] + b
        return Y

    @staticmethod
    def pool2d(X, pool_size, mode="max"):
        X = naive.as_float(X)
        h, w = pool_size
        Y = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype)
        for i in range(Y.shape[0]):
            for j in range(Y.shape[1]):
                window = X[i:i + h, j:j + w]
                Y[i, j] = window.max() if mode == "max" else window.mean()
        return Y

    @staticmethod
    def pool2d_strided(X, pool_size, stride=None, padding=0, mode="max"):
        X = naive.as_float(X)
        h, w = pool_size
        sh, sw = (h, w) if stride is None else (stride, stride)
        fill = -np.inf if mode == "max" else 0
        Xp = np.pad(X, ((0, 0), (padding, padding), (padding, padding)), constant_values=fill)
        Y = np.zeros((X.shape[0], (Xp.shape[1] - h) // sh + 1, (Xp.shape[2] - w) // sw + 1), dtype=X.dtype)
        for c in range(Y.shape[0]):
            for i in range(Y.shape[1]):
                for j in range(Y.shape[2]):
                    window = Xp[c, i * sh:i * sh + h, j * sw:j * sw + w]
                    Y[c, i, j] = window.max() if mode == "max" else window.mean()
        return Y

    @staticmethod
    def conv2d_grouped(X, K, groups):
        X, K = np.asarray(X), np.asarray(K)
        ci, co = X.shape[0] // groups, K.shape[0] // groups
        return np.concatenate([naive.corr2d_multi_in_out(X[g * ci:(g + 1) * ci], K[g * co:(g + 1) * co])
                               for g in range(groups)])

    @staticmethod
    def depthwise_separable(X, K_depth, K_point):
        depth = np.stack([naive.corr2d(x, k[0]) for x, k in zip(np.asarray(X), np.asarray(K_depth))])
        return naive.corr2d_multi_in_out(depth, K_point)

    @staticmethod
    def corr2d_dilated(X, K, dilation):
        X, K = np.asarray(X), np.asarray(K)
        dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
        h, w = K.shape
        Y = np.zeros((X.shape[0] - dh * (h - 1), X.shape[1] - dw * (w - 1)), dtype=np.result_type(X, K, 1.0))
        for i in range(Y.shape[0]):
            for j in range(Y.shape[1]):
                Y[i, j] = (X[i:i + dh * (h - 1) + 1:dh, j:j + dw * (w - 1) + 1:dw] * K).sum()
        return Y

    @staticmethod
    def trans_conv(X, K, stride=1):
        X, K = np.asarray(X), np.asarray(K)
        h, w = K.shape
        Y = np.zeros(((X.shape[0] - 1) * stride + h, (X.shape[1] - 1) * stride + w), dtype=np.result_type(X, K, 1.0))
        for i in range(X.shape[0]):
            for j in range(X.shape[1]):
                Y[i * stride:i * stride + h, j * stride:j * stride + w] += X[i, j] * K
        return Y

    @staticmethod
    def conv_matrix(K, input_shape):
        K = naive.as_float(K)
        H, W = input_shape
        h, w = K.shape
        oh, ow = H - h + 1, W - w + 1
        M = np.zeros((oh * ow, H * W), dtype=K.dtype)
        for y in range(oh):
            for x in range(ow):
                image = np.zeros((H, W), dtype=K.dtype)
                image[y:y + h, x:x + w] = K
                M[y * ow + x] = image.ravel()
        return M

    @staticmethod
    def receptive_field(kernel_sizes, strides=None, dilations=None):
        strides = strides or [1] * len(kernel_sizes)
        dilations = dilations or [1] * len(kernel_sizes)
        field, jump = 1, 1
        for k, s, d in zip(kernel_sizes, strides, dilations):
            field += d * (k - 1) * jump
            jump *= s
        return field


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
        computed = graded.call_plain(graded.reference, case.arguments())
        assert graded.compare(case.expected, computed, case) is None, case.description
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
    assert score == 3.0, out
    assert time.perf_counter() - start < 2.0


def test_hidden_false_runs_only_the_visible_cases(capsys, monkeypatch):
    score, out = run(capsys, "corr2d", naive.corr2d, points=4)
    assert score.total == len(GRADED["corr2d"].cases(False)) and "[hidden]" not in out
    assert "visible cases passed" in out
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

    import autograder.checks

    failures, tried = doctest.testmod(autograder.checks, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert tried >= 3 and failures == 0


def test_test_cell_mistakes_raise_for_the_instructor():
    with pytest.raises(ValueError, match="no graded function named 'corr3d'"):
        check("corr3d", naive.corr2d, points=4)
    with pytest.raises(ValueError, match="points must be a non-negative number"):
        check("corr2d", naive.corr2d, points=-1)
