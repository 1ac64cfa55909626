"""The functions a student implements, as the reference library `solutions` provides them.

Three kinds of checks, chapter by chapter:
- every worked example of the course specification, asserted exactly;
- each array function against the PyTorch computation it stands for, on random shapes and
  small-integer data (exact), which also checks the dtype rules (integers promote to float64,
  float32 stays float32) and that no function modifies its inputs (`STUDENT_CASES`);
- the counting functions (sizes, padding split, parameters, MACs, receptive field) against
  what PyTorch's layers actually do.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given
from hypothesis import strategies as st

import solutions
from strategies import (
    AVERAGE_TOLERANCE,
    EXACT_DTYPES,
    assert_close,
    assert_exact,
    call_pure,
    parity_settings,
    result_dtype,
    sample,
    torch_conv2d,
    torch_reference,
)

f64 = np.float64


def arr(values, dtype=f64) -> np.ndarray:
    return np.array(values, dtype=dtype)


def assert_int(value, expected: int) -> None:
    assert isinstance(value, numbers.Integral) and not isinstance(value, bool), (
        f"expected an int, got {type(value).__name__}")
    assert value == expected


# =============================================================================================
# Worked examples
# =============================================================================================

# --- ch1_cross_correlation -------------------------------------------------------------------

EDGE_X = np.ones((6, 8))
EDGE_X[:, 2:6] = 0
EDGE_K = arr([[1, -1]])
EDGE_Y = np.tile(arr([0, 1, 0, 0, 0, -1, 0]), (6, 1))


def test_corr2d_worked_example_5x5():
    X = arr([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]])
    K = arr([[0, 1, 2], [2, 2, 0], [0, 1, 2]])
    assert_exact(solutions.corr2d(X, K), arr([[12, 12, 17], [10, 17, 19], [9, 6, 14]]))


def test_corr2d_worked_example_3x3():
    X, K = np.arange(9).reshape(3, 3), np.array([[0, 1], [2, 3]])  # integers -> float64
    assert_exact(solutions.corr2d(X, K), arr([[19, 25], [37, 43]]))


def test_corr2d_detects_vertical_edges():
    assert_exact(solutions.corr2d(EDGE_X, EDGE_K), EDGE_Y)


def test_corr2d_sees_no_edge_in_transposed_image():
    assert_exact(solutions.corr2d(EDGE_X.T, EDGE_K), np.zeros((8, 5)))


def test_convolve2d_flips_the_kernel():
    X, K = np.arange(9).reshape(3, 3), np.array([[0, 1], [2, 3]])
    assert_exact(solutions.convolve2d(X, K), solutions.corr2d(X, K[::-1, ::-1]))
    assert_exact(solutions.convolve2d(X, K), arr([[5, 11], [23, 29]]))


def test_conv2d_layer_holds_kernel_shaped_weight_and_scalar_bias():
    layer = solutions.Conv2D((1, 2))
    assert np.shape(layer.weight) == (1, 2)
    assert np.ndim(layer.bias) == 0


def test_conv2d_layer_accepts_int_kernel_size():
    assert np.shape(solutions.Conv2D(3).weight) == (3, 3)


def test_conv2d_layer_computes_corr2d_plus_bias():
    rng = np.random.default_rng(0)
    X, K = sample(rng, (5, 6), f64), sample(rng, (2, 3), f64)
    layer = solutions.Conv2D((2, 3))
    layer.weight, layer.bias = K, 0.5
    expected = F.conv2d(torch.from_numpy(X)[None, None], torch.from_numpy(K)[None, None],
                        torch.tensor([0.5], dtype=torch.float64))[0, 0].numpy()
    assert_exact(call_pure(layer, X), expected)


def test_learn_kernel_first_step():
    # From K = 0 the residual is -Y, so dL/dK = 2 * corr2d(X, -Y) = [[-12, 12]]: each of the
    # 6 rows contributes 1*1 + 0*(-1) to the left tap and 0*1 + 1*(-1) to the right one.
    # One step of size lr = 0.02 gives 0.02 * [[12, -12]]. (L is a sum, not a mean.)
    K = call_pure(solutions.learn_kernel, EDGE_X, EDGE_Y, (1, 2), lr=0.02, steps=1)
    np.testing.assert_allclose(K, [[0.24, -0.24]], rtol=1e-12)


# The Hessian of L on the edge example is 2*[[18, 12], [12, 18]], eigenvalues 60 and 12: with
# lr = 0.02 the error shrinks by |1 - 0.02*60| = 0.2 and 1 - 0.02*12 = 0.76 per step, so after
# 100 steps it is below 0.76**100 ~ 1e-12 of the initial error (|[[1, -1]]| ~ 1).
LEARN_KERNEL_ATOL = 1e-9


def test_learn_kernel_recovers_edge_detector():
    K = call_pure(solutions.learn_kernel, EDGE_X, EDGE_Y, (1, 2), lr=0.02, steps=100)
    assert np.shape(K) == (1, 2)
    np.testing.assert_allclose(K, [[1, -1]], rtol=0, atol=LEARN_KERNEL_ATOL)


def test_learn_kernel_follows_gradient_descent_of_torch_autograd():
    rng = np.random.default_rng(1)
    X, K_true = sample(rng, (5, 7), f64), sample(rng, (2, 3), f64)
    Y = solutions.corr2d(X, K_true)
    lr, steps = 1e-3, 7
    K = torch.zeros((1, 1, 2, 3), dtype=torch.float64, requires_grad=True)
    for _ in range(steps):
        loss = ((F.conv2d(torch.from_numpy(X)[None, None], K) - torch.from_numpy(Y)) ** 2).sum()
        (grad,) = torch.autograd.grad(loss, K)
        K = (K - lr * grad).detach().requires_grad_()
    learned = solutions.learn_kernel(X, Y, (2, 3), lr=lr, steps=steps)
    # Same arithmetic up to summation order: float64 rounding only.
    np.testing.assert_allclose(learned, K.detach()[0, 0].numpy(), rtol=1e-12, atol=1e-12)


# --- ch2_padding_stride ----------------------------------------------------------------------


@pytest.mark.parametrize("kernel, padding, stride, shape", [
    ((3, 3), 1, 1, (8, 8)),
    ((5, 3), (2, 1), 1, (8, 8)),
    ((3, 3), 1, 2, (4, 4)),
    ((3, 5), (0, 1), (3, 4), (2, 2)),
])
def test_worked_output_shapes_on_8x8(kernel, padding, stride, shape):
    X, K = np.zeros((8, 8)), np.zeros(kernel)
    assert solutions.corr2d_pad_stride(X, K, padding=padding, stride=stride).shape == shape
    p, s = np.broadcast_to(padding, 2), np.broadcast_to(stride, 2)
    sizes = [solutions.output_size(8, int(k), int(pi), int(si)) for k, pi, si in zip(kernel, p, s)]
    assert tuple(sizes) == shape


@parity_settings(150)
@given(n=st.integers(1, 12), k=st.integers(1, 5), padding=st.integers(0, 3),
       stride=st.integers(1, 4), dilation=st.integers(1, 3))
def test_output_size_matches_torch(n, k, padding, stride, dilation):
    assume(dilation * (k - 1) + 1 <= n + 2 * padding)  # else no output: see test_errors.py
    with torch.no_grad():
        out = F.conv2d(torch.zeros(1, 1, n, 1), torch.zeros(1, 1, k, 1), stride=(stride, 1),
                       padding=(padding, 0), dilation=(dilation, 1))
    assert_int(solutions.output_size(n, k, padding, stride, dilation), out.shape[2])


@pytest.mark.parametrize("k, dilation, expected", [
    (1, 1, (0, 0)), (3, 1, (1, 1)), (4, 1, (1, 2)), (3, 2, (2, 2)), (2, 3, (1, 2)), (5, 1, (2, 2)),
])
def test_same_padding_worked(k, dilation, expected):
    assert tuple(solutions.same_padding(k, dilation)) == expected


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")  # torch's, not ours
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("dilation", [1, 2, 3])
def test_same_padding_is_how_torch_splits(k, dilation):
    before, after = solutions.same_padding(k, dilation)
    rng = np.random.default_rng(k * 10 + dilation)
    x = torch.from_numpy(sample(rng, (1, 1, 9, 9), f64))
    w = torch.from_numpy(sample(rng, (1, 1, k, k), f64))
    with torch.no_grad():
        same = F.conv2d(x, w, padding="same", dilation=dilation)
        explicit = F.conv2d(F.pad(x, (before, after, before, after)), w, dilation=dilation)
    assert torch.equal(same, explicit)


def test_pad2d_padding_forms_agree():
    X = np.arange(12).reshape(3, 4)
    one = solutions.pad2d(X, 1, mode="reflect")
    assert_exact(solutions.pad2d(X, (1, 1), mode="reflect"), one)
    assert_exact(solutions.pad2d(X, (1, 1, 1, 1), mode="reflect"), one)


def test_pad2d_four_values_are_top_bottom_left_right():
    assert_exact(solutions.pad2d(arr([[1, 2]]), (1, 0, 2, 0)),
                 arr([[0, 0, 0, 0], [0, 0, 1, 2]]))


# --- ch3_channels ----------------------------------------------------------------------------

CH3_X = arr([[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]])
CH3_K = arr([[[0, 1], [2, 3]], [[1, 2], [3, 4]]])


def test_corr2d_multi_in_worked_example():
    assert_exact(solutions.corr2d_multi_in(CH3_X, CH3_K), arr([[56, 72], [104, 120]]))


def test_corr2d_multi_in_out_worked_example():
    K = np.stack([CH3_K, CH3_K + 1, CH3_K + 2])
    expected = arr([[[56, 72], [104, 120]], [[76, 100], [148, 172]], [[96, 128], [192, 224]]])
    assert_exact(solutions.corr2d_multi_in_out(CH3_X, K), expected)


def test_conv2d_macs_worked_example():
    assert_int(solutions.conv2d_macs(100, 100, 5, 5, 64, 64), 1_024_000_000)


@parity_settings(60)
@given(data=st.data())
def test_conv2d_params_match_nn_conv2d(data):
    groups = data.draw(st.integers(1, 4))
    c_in, c_out = groups * data.draw(st.integers(1, 5)), groups * data.draw(st.integers(1, 5))
    kh, kw = data.draw(st.integers(1, 7)), data.draw(st.integers(1, 7))
    bias = data.draw(st.booleans())
    layer = torch.nn.Conv2d(c_in, c_out, (kh, kw), groups=groups, bias=bias, device="meta")
    expected = sum(p.numel() for p in layer.parameters())
    assert_int(solutions.conv2d_params(c_in, c_out, kh, kw, groups=groups, bias=bias), expected)


@parity_settings(40)
@given(data=st.data())
def test_conv2d_macs_count_the_products_of_a_real_convolution(data):
    # With all-ones input and weights each output is the number of products summed into it,
    # so the sum of the output is the number of multiply-accumulates.
    groups = data.draw(st.integers(1, 3))
    c_in, c_out = groups * data.draw(st.integers(1, 3)), groups * data.draw(st.integers(1, 3))
    kh, kw, oh, ow = (data.draw(st.integers(1, 4)) for _ in range(4))
    with torch.no_grad():
        out = F.conv2d(torch.ones(1, c_in, oh + kh - 1, ow + kw - 1, dtype=torch.float64),
                       torch.ones(c_out, c_in // groups, kh, kw, dtype=torch.float64),
                       groups=groups)
    assert_int(solutions.conv2d_macs(c_in, c_out, kh, kw, oh, ow, groups=groups),
               int(out.sum()))


# --- ch4_one_by_one --------------------------------------------------------------------------


def test_pointwise_as_linear_rgb_to_gray():
    rng = np.random.default_rng(2)
    X = rng.random((2, 3, 4, 5))
    Y = solutions.pointwise_as_linear(X, arr([[0.299, 0.587, 0.114]]), arr([0.0]))
    gray = 0.299 * X[:, 0] + 0.587 * X[:, 1] + 0.114 * X[:, 2]
    # Three products in another order: float64 rounding only.
    np.testing.assert_allclose(Y, gray[:, None], rtol=1e-12, atol=1e-15)


def test_one_by_one_is_corr2d_multi_in_out():
    rng = np.random.default_rng(3)
    X, K = sample(rng, (3, 4, 5), f64), sample(rng, (2, 3, 1, 1), f64)
    assert_exact(solutions.corr2d_multi_in_out_1x1(X, K), solutions.corr2d_multi_in_out(X, K))


# --- ch5_pooling -----------------------------------------------------------------------------


def test_pool2d_max_worked_example():
    assert_exact(solutions.pool2d(np.arange(9).reshape(3, 3), (2, 2)), arr([[4, 5], [7, 8]]))


def test_pool2d_avg_worked_example():
    assert_exact(solutions.pool2d(np.arange(9).reshape(3, 3), (2, 2), mode="avg"),
                 arr([[2, 3], [5, 6]]))


def test_pool2d_strided_stride_defaults_to_window():
    X = np.arange(16).reshape(1, 4, 4)
    assert_exact(solutions.pool2d_strided(X, (2, 2)), arr([[[5, 7], [13, 15]]]))


def test_pool2d_strided_avg_counts_padded_zeros():
    # Each 2x2 window of the padded 4x4 grid holds one input cell (a 1): divided by 4.
    X = np.ones((1, 2, 2))
    assert_exact(solutions.pool2d_strided(X, 2, padding=1, mode="avg"),
                 arr([[[0.25, 0.25], [0.25, 0.25]]]))


def test_pool2d_strided_max_pads_with_minus_infinity():
    X = -np.ones((1, 2, 2))
    assert_exact(solutions.pool2d_strided(X, 2, padding=1), -np.ones((1, 2, 2)))


# --- ch6_conv_variants -----------------------------------------------------------------------


def test_trans_conv_worked_example():
    X, K = arr([[0, 1], [2, 3]]), arr([[0, 1], [2, 3]])
    assert_exact(solutions.trans_conv(X, K), arr([[0, 0, 1], [0, 4, 6], [4, 12, 9]]))


def test_conv_matrix_worked_example():
    W = solutions.conv_matrix(arr([[1, 2], [3, 4]]), (3, 3))
    assert_exact(W, arr([[1, 2, 0, 3, 4, 0, 0, 0, 0],
                         [0, 1, 2, 0, 3, 4, 0, 0, 0],
                         [0, 0, 0, 1, 2, 0, 3, 4, 0],
                         [0, 0, 0, 0, 1, 2, 0, 3, 4]]))


@parity_settings(60)
@given(seed=st.integers(0, 2**32 - 1), dtype=st.sampled_from(EXACT_DTYPES))
def test_conv_matrix_is_corr2d_and_its_transpose_is_trans_conv(seed, dtype):
    rng = np.random.default_rng(seed)
    kh, kw = rng.integers(1, 4, 2)
    H, W_ = kh + rng.integers(0, 4), kw + rng.integers(0, 4)
    X, K = sample(rng, (H, W_), dtype), sample(rng, (kh, kw), dtype)
    W = call_pure(solutions.conv_matrix, K, (H, W_))
    oh, ow = H - kh + 1, W_ - kw + 1
    assert W.shape == (oh * ow, H * W_)
    assert W.dtype == result_dtype(dtype)
    assert_exact(W @ X.ravel().astype(W.dtype), solutions.corr2d(X, K).ravel())
    Y = sample(rng, (oh, ow), result_dtype(dtype))
    restored = (W.T @ Y.ravel()).reshape(H, W_)  # the input's shape, not its values
    expected = F.conv_transpose2d(torch.from_numpy(Y)[None, None],
                                  torch.from_numpy(K.astype(W.dtype))[None, None])[0, 0]
    assert_exact(restored, expected.numpy())


def test_two_3x3_layers_see_5x5():
    assert_int(solutions.receptive_field([3, 3]), 5)


@pytest.mark.parametrize("kernels, strides, dilations, expected", [
    ([3], None, None, 3),
    ([3, 3, 3], None, None, 7),
    ([3, 3], [2, 1], None, 7),
    ([3, 3, 3], [2, 2, 1], None, 15),
    ([3, 3], None, [1, 2], 7),
    ([2, 2], [2, 2], None, 4),
])
def test_receptive_field_worked(kernels, strides, dilations, expected):
    assert_int(solutions.receptive_field(kernels, strides, dilations), expected)


def torch_receptive_field(kernels, strides, dilations) -> int:
    """Span of the input cells that output cell 0 of a stack of 1-D convolutions depends on."""
    x = torch.ones(1, 1, 256, dtype=torch.float64, requires_grad=True)
    y = x
    for k, s, d in zip(kernels, strides, dilations):
        y = F.conv1d(y, torch.ones(1, 1, k, dtype=torch.float64), stride=s, dilation=d)
    (grad,) = torch.autograd.grad(y[0, 0, 0], x)
    touched = torch.nonzero(grad[0, 0]).ravel()
    return int(touched.max() - touched.min() + 1)


@parity_settings(60)
@given(layers=st.lists(st.tuples(st.integers(1, 4), st.integers(1, 2), st.integers(1, 2)),
                       min_size=1, max_size=4))
def test_receptive_field_matches_autograd(layers):
    kernels, strides, dilations = (list(v) for v in zip(*layers))
    assert_int(solutions.receptive_field(kernels, strides, dilations),
               torch_receptive_field(kernels, strides, dilations))


# =============================================================================================
# Every array function against PyTorch on random shapes (dtype rules and purity included)
# =============================================================================================


def _ints(rng, lo, hi, n=2) -> tuple[int, ...]:
    return tuple(int(v) for v in rng.integers(lo, hi + 1, n))


def _int_or_pair(rng, lo, hi):
    a, b = _ints(rng, lo, hi)
    return a if rng.random() < 0.5 else (a, b)


def _pair(v) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else v


def _extents(rng, smallest) -> tuple[int, ...]:
    return tuple(int(n + rng.integers(0, 5)) for n in smallest)


@dataclass(frozen=True)
class StudentCase:
    """How to call one student function on random data, and the PyTorch computation it equals.

    `make(rng, dtype)` returns `(args, kwargs)`; `reference` receives the same arguments, arrays
    turned into tensors (integers as float64), and returns the expected tensor.
    """

    id: str
    function: str
    make: Callable
    reference: Callable
    tolerance: dict | None = None  # None: exact


def _image_kernel(rng, dtype, max_k=4):
    kernel = _ints(rng, 1, max_k)
    return sample(rng, _extents(rng, kernel), dtype), sample(rng, kernel, dtype)


def _make_corr2d(rng, dtype):
    return _image_kernel(rng, dtype), {}


def _make_pad_stride(rng, dtype):
    mode = ["zeros", "reflect", "replicate", "circular"][rng.integers(4)]
    kernel, padding, stride = _ints(rng, 1, 4), _int_or_pair(rng, 0, 2), _int_or_pair(rng, 1, 3)
    smallest = []
    for k, p in zip(kernel, _pair(padding)):
        n = max(1, k - 2 * p)
        smallest.append(max(n, p + 1) if mode == "reflect" else max(n, p))
    X, K = sample(rng, _extents(rng, smallest), dtype), sample(rng, kernel, dtype)
    return (X, K), dict(padding=padding, stride=stride, padding_mode=mode)


def _make_pad2d(rng, dtype):
    mode = ["zeros", "reflect", "replicate", "circular"][rng.integers(4)]
    form = rng.integers(3)
    sides = _ints(rng, 0, 3, 4)
    padding = (sides[0], sides[0:2], sides)[form]
    rows, cols = ((sides[0],) * 2, (sides[0], sides[1]), (max(sides[:2]), max(sides[2:])))[form]
    smallest = [rows + (mode == "reflect"), cols + (mode == "reflect")]
    X = sample(rng, _extents(rng, [max(1, n) for n in smallest]), dtype)
    return (X, padding), dict(mode=mode)


def _torch_pad2d(X, padding, mode):
    if isinstance(padding, int):
        padding = (padding, padding)
    top, bottom, left, right = padding if len(padding) == 4 else np.repeat(padding, 2).tolist()
    torch_mode = "constant" if mode == "zeros" else mode
    return F.pad(X[None], (left, right, top, bottom), mode=torch_mode)[0]


def _make_multi_in(rng, dtype, c_out=None, one_by_one=False):
    c_in = int(rng.integers(1, 4))
    kernel = (1, 1) if one_by_one else _ints(rng, 1, 3)
    X = sample(rng, (c_in, *_extents(rng, kernel)), dtype)
    K = sample(rng, (c_in, *kernel) if c_out is None else (c_out, c_in, *kernel), dtype)
    return (X, K), {}


def _make_pointwise(rng, dtype):
    n, c_in, c_out, h, w = _ints(rng, 1, 4, 5)
    return (sample(rng, (n, c_in, h, w), dtype), sample(rng, (c_out, c_in), dtype),
            sample(rng, (c_out,), dtype)), {}


def _make_pool2d(mode):
    def make(rng, dtype):
        pool = _ints(rng, 1, 3)
        return (sample(rng, _extents(rng, pool), dtype), pool), dict(mode=mode)
    return make


def _make_pool2d_strided(mode):
    def make(rng, dtype):
        pool = _int_or_pair(rng, 1, 4)
        stride = None if rng.random() < 0.3 else _int_or_pair(rng, 1, 3)
        padding = tuple(int(rng.integers(0, k // 2 + 1)) for k in _pair(pool))
        smallest = [max(1, k - 2 * p) for k, p in zip(_pair(pool), padding)]
        X = sample(rng, (int(rng.integers(1, 4)), *_extents(rng, smallest)), dtype)
        return (X, pool), dict(stride=stride, padding=padding, mode=mode)
    return make


def _make_grouped(rng, dtype):
    groups = int(rng.integers(1, 4))
    c_in, c_out = groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3))
    kernel = _ints(rng, 1, 3)
    X = sample(rng, (c_in, *_extents(rng, kernel)), dtype)
    return (X, sample(rng, (c_out, c_in // groups, *kernel), dtype), groups), {}


def _make_depthwise_separable(rng, dtype):
    c_in, c_out = _ints(rng, 1, 4)
    kernel = _ints(rng, 1, 3)
    X = sample(rng, (c_in, *_extents(rng, kernel)), dtype)
    return (X, sample(rng, (c_in, 1, *kernel), dtype),
            sample(rng, (c_out, c_in, 1, 1), dtype)), {}


def _make_dilated(rng, dtype):
    kernel, dilation = _ints(rng, 1, 3), _int_or_pair(rng, 1, 3)
    smallest = [d * (k - 1) + 1 for k, d in zip(kernel, _pair(dilation))]
    return (sample(rng, _extents(rng, smallest), dtype), sample(rng, kernel, dtype), dilation), {}


def _make_trans_conv(rng, dtype):
    X, K = sample(rng, _ints(rng, 1, 4), dtype), sample(rng, _ints(rng, 1, 3), dtype)
    return (X, K), dict(stride=int(rng.integers(1, 4)))


def _single(fn):
    """Run a batched torch op on 2-D (H, W) arrays as a (1, 1, H, W) batch."""
    return lambda X, K, **kw: fn(X[None, None], K[None, None], **kw)[0, 0]


_max_pool, _avg_pool = F.max_pool2d, F.avg_pool2d

STUDENT_CASES = [
    StudentCase("corr2d", "corr2d", _make_corr2d, _single(F.conv2d)),
    StudentCase("convolve2d", "convolve2d", _make_corr2d,
                lambda X, K: _single(F.conv2d)(X, K.flip((0, 1)))),
    StudentCase("corr2d_pad_stride", "corr2d_pad_stride", _make_pad_stride,
                _single(torch_conv2d)),
    StudentCase("pad2d", "pad2d", _make_pad2d, _torch_pad2d),
    StudentCase("corr2d_multi_in", "corr2d_multi_in", _make_multi_in,
                lambda X, K: F.conv2d(X[None], K[None])[0, 0]),
    StudentCase("corr2d_multi_in_out", "corr2d_multi_in_out",
                lambda rng, dtype: _make_multi_in(rng, dtype, c_out=int(rng.integers(1, 4))),
                F.conv2d),
    StudentCase("corr2d_multi_in_out_1x1", "corr2d_multi_in_out_1x1",
                lambda rng, dtype: _make_multi_in(rng, dtype, c_out=int(rng.integers(1, 4)),
                                                  one_by_one=True),
                F.conv2d),
    StudentCase("pointwise_as_linear", "pointwise_as_linear", _make_pointwise,
                lambda X, W, b: F.linear(X.movedim(1, -1), W, b).movedim(-1, 1)),
    StudentCase("pool2d-max", "pool2d", _make_pool2d("max"),
                lambda X, pool_size, mode: _max_pool(X[None], pool_size, stride=1)[0]),
    StudentCase("pool2d-avg", "pool2d", _make_pool2d("avg"),
                lambda X, pool_size, mode: _avg_pool(X[None], pool_size, stride=1)[0],
                AVERAGE_TOLERANCE),
    StudentCase("pool2d_strided-max", "pool2d_strided", _make_pool2d_strided("max"),
                lambda X, pool_size, stride, padding, mode: _max_pool(X, pool_size, stride,
                                                                      padding)),
    StudentCase("pool2d_strided-avg", "pool2d_strided", _make_pool2d_strided("avg"),
                lambda X, pool_size, stride, padding, mode: _avg_pool(X, pool_size, stride,
                                                                      padding),
                AVERAGE_TOLERANCE),
    StudentCase("conv2d_grouped", "conv2d_grouped", _make_grouped,
                lambda X, K, groups: F.conv2d(X, K, groups=groups)),
    StudentCase("depthwise_separable", "depthwise_separable", _make_depthwise_separable,
                lambda X, Kd, Kp: F.conv2d(F.conv2d(X, Kd, groups=X.shape[0]), Kp)),
    StudentCase("corr2d_dilated", "corr2d_dilated", _make_dilated,
                lambda X, K, dilation: _single(F.conv2d)(X, K, dilation=dilation)),
    StudentCase("trans_conv", "trans_conv", _make_trans_conv, _single(F.conv_transpose2d)),
]


@pytest.mark.parametrize("case", STUDENT_CASES, ids=lambda c: c.id)
@parity_settings(30)
@given(seed=st.integers(0, 2**32 - 1), dtype=st.sampled_from(EXACT_DTYPES))
def test_student_function_matches_torch(case, seed, dtype):
    args, kwargs = case.make(np.random.default_rng(seed), dtype)
    actual = call_pure(getattr(solutions, case.function), *args, **kwargs)
    expected = torch_reference(case.reference)(*args, **kwargs)
    if case.tolerance is None:
        assert_exact(actual, expected)
    else:
        assert_close(actual, expected, case.tolerance)

