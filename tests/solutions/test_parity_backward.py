"""`solutions.conv2d_backward`, `max_pool2d_backward` and `avg_pool2d_backward` against torch.autograd.

The reference runs the forward op in PyTorch on the same data and asks `torch.autograd.grad`
for the gradients given the same `grad_output`. On small-integer data every gradient of a
convolution or a max-pool is a sum of integer products, exact in float32, so the two must
agree bit for bit; average pooling divides, so it is compared within a few ulps
(`AVERAGE_GRADIENT_TOLERANCE`), as is standard-normal data (`GRADIENT_TOLERANCE`).
Property tests draw the configurations of the forward parity tests (zero padding only: the
backward ops take no padding_mode); the named tests pin one variant each. A second oracle, the
loops of `solutions.naive`, checks the cases PyTorch cannot (it corrupts memory on a max-pool
window that holds no input cell).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

import solutions
from solutions import naive
from strategies import (
    AVERAGE_GRADIENT_TOLERANCE,
    EXACT_DTYPES,
    FLOAT_DTYPES,
    GRADIENT_TOLERANCE,
    Case,
    assert_close,
    assert_exact,
    assert_parity,
    avg_pool2d_backward_cases,
    backward_case,
    conv2d_backward_cases,
    max_pool2d_backward_cases,
    parity_settings,
    sample,
    torch_ops,
)

each_dtype = pytest.mark.parametrize("dtype", EXACT_DTYPES, ids=lambda d: np.dtype(d).name)


def conv_case(x, w, **kwargs) -> Case:
    return backward_case("conv2d", x, w, **kwargs)


def max_case(x, **kwargs) -> Case:
    return backward_case("max_pool2d", x, **kwargs)


def avg_case(x, **kwargs) -> Case:
    return backward_case("avg_pool2d", x, **kwargs)


# --- property tests --------------------------------------------------------------------------


@parity_settings(300)
@given(conv2d_backward_cases())
def test_conv2d_backward_matches_autograd_exactly_on_small_integers(case):
    assert_parity("conv2d_backward", case)


@parity_settings(60)
@given(conv2d_backward_cases(normal=True, dtypes=FLOAT_DTYPES, max_kernel=3))
def test_conv2d_backward_matches_autograd_on_normal_data(case):
    assert_parity("conv2d_backward", case, GRADIENT_TOLERANCE)


@parity_settings(300)
@given(max_pool2d_backward_cases())
def test_max_pool2d_backward_matches_autograd_exactly_on_small_integers(case):
    assert_parity("max_pool2d_backward", case)


@parity_settings(60)
@given(max_pool2d_backward_cases(normal=True, dtypes=FLOAT_DTYPES))
def test_max_pool2d_backward_matches_autograd_on_normal_data(case):
    assert_parity("max_pool2d_backward", case, GRADIENT_TOLERANCE)


@parity_settings(300)
@given(avg_pool2d_backward_cases())
def test_avg_pool2d_backward_matches_autograd_on_small_integers(case):
    assert_parity("avg_pool2d_backward", case, AVERAGE_GRADIENT_TOLERANCE)


@parity_settings(60)
@given(avg_pool2d_backward_cases(normal=True, dtypes=FLOAT_DTYPES))
def test_avg_pool2d_backward_matches_autograd_on_normal_data(case):
    assert_parity("avg_pool2d_backward", case, GRADIENT_TOLERANCE)


@parity_settings(40)
@given(conv2d_backward_cases(max_kernel=3))
def test_conv2d_backward_matches_the_naive_loops(case):
    assert_exact(solutions.conv2d_backward(*case.arrays, **case.kwargs),
                 naive.conv2d_backward(*case.arrays, **case.kwargs))


@parity_settings(40)
@given(max_pool2d_backward_cases())
def test_max_pool2d_backward_matches_the_naive_loops(case):
    assert_exact(solutions.max_pool2d_backward(*case.arrays, **case.kwargs),
                 naive.max_pool2d_backward(*case.arrays, **case.kwargs))


@parity_settings(40)
@given(avg_pool2d_backward_cases())
def test_avg_pool2d_backward_matches_the_naive_loops(case):
    assert_close(solutions.avg_pool2d_backward(*case.arrays, **case.kwargs),
                 naive.avg_pool2d_backward(*case.arrays, **case.kwargs), AVERAGE_GRADIENT_TOLERANCE)


# --- conv2d_backward, one variant each -------------------------------------------------------


@each_dtype
def test_conv2d_backward_defaults(dtype):
    assert_parity("conv2d_backward", conv_case((2, 3, 7, 6), (4, 3, 3, 3), dtype=dtype))


def test_conv2d_backward_unbatched():
    assert_parity("conv2d_backward", conv_case((3, 6, 5), (2, 3, 3, 2), padding=1))


def test_conv2d_backward_stride():
    assert_parity("conv2d_backward", conv_case((2, 2, 9, 8), (3, 2, 3, 3), stride=(3, 2)))


def test_conv2d_backward_stride_skips_the_last_rows():
    # 8 rows, 3x3 kernel, stride 3: windows start at rows 0 and 3, so rows 6 and 7 are never read
    # and their gradient is zero.
    case = conv_case((1, 1, 8, 8), (1, 1, 3, 3), stride=3)
    assert_parity("conv2d_backward", case)
    grad_input = solutions.conv2d_backward(*case.arrays, **case.kwargs)[0]
    assert not grad_input[0, 0, 6:].any()


def test_conv2d_backward_padding():
    assert_parity("conv2d_backward", conv_case((2, 2, 6, 7), (3, 2, 3, 3), padding=(2, 1)))


def test_conv2d_backward_same_padding_even_kernel():
    # d*(k-1) = 3: one row before, two after; the gradient is cropped accordingly.
    assert_parity("conv2d_backward", conv_case((1, 2, 5, 6), (2, 2, 4, 4), padding="same"))


def test_conv2d_backward_dilation():
    assert_parity("conv2d_backward", conv_case((1, 2, 9, 8), (2, 2, 3, 3), dilation=(2, 3)))


def test_conv2d_backward_groups():
    assert_parity("conv2d_backward", conv_case((2, 6, 7, 5), (4, 3, 3, 2), groups=2))


@pytest.mark.parametrize("multiplier", [1, 2])
def test_conv2d_backward_depthwise(multiplier):
    assert_parity("conv2d_backward", conv_case((2, 3, 6, 6), (3 * multiplier, 1, 3, 3), groups=3,
                                               padding=1))


def test_conv2d_backward_everything_non_square():
    assert_parity("conv2d_backward", conv_case((2, 4, 9, 7), (6, 2, 3, 2), stride=(2, 1),
                                               padding=(1, 2), dilation=(1, 2), groups=2))


def test_conv2d_backward_kernel_as_large_as_input():
    assert_parity("conv2d_backward", conv_case((2, 2, 3, 4), (3, 2, 3, 4)))


@pytest.mark.parametrize("groups", [1, 2], ids=["dense", "depthwise"])
def test_conv2d_backward_empty_batch(groups):
    assert_parity("conv2d_backward", conv_case((0, 2, 5, 5), (4, 2 // groups, 3, 3), groups=groups))


def test_conv2d_backward_non_contiguous_arrays():
    rng = np.random.default_rng(0)
    x = sample(rng, (2, 3, 5, 6), np.float32).transpose(0, 1, 3, 2)      # (2, 3, 6, 5), strided
    weight = sample(rng, (2, 3, 3, 3), np.float32)[:, :, ::-1, :]         # negative strides
    grad = sample(rng, (2, 2, 3, 4), np.float32).transpose(0, 1, 3, 2)   # (2, 2, 4, 3)
    assert_parity("conv2d_backward", Case((x, weight, grad), {}))


# --- max_pool2d_backward, one variant each ---------------------------------------------------


@each_dtype
def test_max_pool2d_backward_defaults(dtype):
    assert_parity("max_pool2d_backward", max_case((2, 3, 7, 6), dtype=dtype, kernel_size=2))


def test_max_pool2d_backward_unbatched():
    assert_parity("max_pool2d_backward", max_case((3, 5, 4), kernel_size=(2, 3), stride=1))


def test_max_pool2d_backward_overlapping_windows_add():
    # One cell is the maximum of all four 2x2 windows of a 3x3 input: it collects every gradient.
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 1
    grad = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    case = Case((x, grad), dict(kernel_size=2, stride=1))
    assert_parity("max_pool2d_backward", case)
    assert solutions.max_pool2d_backward(x, grad, 2, stride=1)[0, 0, 1, 1] == 10


def test_max_pool2d_backward_padding():
    assert_parity("max_pool2d_backward", max_case((2, 2, 6, 7), kernel_size=3, stride=2, padding=1))


def test_max_pool2d_backward_dilation():
    assert_parity("max_pool2d_backward", max_case((1, 2, 9, 8), kernel_size=(2, 3), dilation=(3, 2),
                                                  stride=1))


def test_max_pool2d_backward_ceil_mode():
    assert_parity("max_pool2d_backward", max_case((1, 2, 5, 5), kernel_size=2, ceil_mode=True))


def test_max_pool2d_backward_ceil_mode_drops_window_starting_in_padding():
    assert_parity("max_pool2d_backward", max_case((1, 1, 5, 5), kernel_size=2, stride=3, padding=1,
                                                  ceil_mode=True))


def test_max_pool2d_backward_dilation_padding_and_ceil_mode():
    assert_parity("max_pool2d_backward", max_case((2, 1, 8, 7), kernel_size=3, dilation=2, stride=2,
                                                  padding=1, ceil_mode=True))


def test_max_pool2d_backward_ties_go_to_the_first_cell():
    # Every window is a tie: its first cell in row-major order inside the input takes all.
    x = np.zeros((1, 1, 4, 5), dtype=np.float32)
    grad = np.arange(1, 10, dtype=np.float32).reshape(1, 1, 3, 3)
    case = Case((x, grad), dict(kernel_size=2, padding=1))
    assert_parity("max_pool2d_backward", case)
    expected = np.zeros((4, 5), dtype=np.float32)
    for (r, c), g in zip([(0, 0), (0, 1), (0, 3), (1, 0), (1, 1), (1, 3), (3, 0), (3, 1), (3, 3)], range(1, 10)):
        expected[r, c] = g
    np.testing.assert_array_equal(solutions.max_pool2d_backward(x, grad, 2, padding=1)[0, 0], expected)


def test_max_pool2d_backward_tie_within_a_window():
    x = np.array([[[[1, 3, 0], [3, 2, 3]]]], dtype=np.float64)
    case = Case((x, np.array([[[[5.0, 7.0]]]])), dict(kernel_size=2, stride=1))
    assert_parity("max_pool2d_backward", case)
    np.testing.assert_array_equal(solutions.max_pool2d_backward(*case.arrays, **case.kwargs),
                                  [[[[0, 12, 0], [0, 0, 0]]]])


def test_max_pool2d_backward_nan_takes_the_gradient():
    # The last NaN of a window wins, as max_pool2d's indices say.
    x = np.arange(16, dtype=np.float64).reshape(1, 1, 4, 4)
    x[0, 0, 0, 1] = x[0, 0, 1, 0] = x[0, 0, 2, 3] = np.nan
    grad = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    assert_parity("max_pool2d_backward", Case((x, grad), dict(kernel_size=2)))
    np.testing.assert_array_equal(solutions.max_pool2d_backward(x, grad, 2)[0, 0, :, :2],
                                  [[0, 0], [1, 0], [0, 0], [0, 3]])


def test_max_pool2d_backward_all_negative_infinity():
    # A window of -inf only (and -inf padding) sends its gradient to its first cell in the input.
    x = np.full((1, 1, 3, 3), -np.inf)
    assert_parity("max_pool2d_backward", Case((x, np.ones((1, 1, 2, 2))), dict(kernel_size=2, padding=1)))


def test_max_pool2d_backward_infinite_gradient_reaches_only_the_winner():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    grad = np.array([[[[np.inf, 1.0], [-np.inf, 2.0]]]])
    case = Case((x, grad), dict(kernel_size=2))
    assert_parity("max_pool2d_backward", case)
    assert not np.isnan(solutions.max_pool2d_backward(x, grad, 2)).any()


def test_max_pool2d_backward_follows_max_pool2d_indices():
    x, grad = max_case((2, 2, 7, 6), kernel_size=3, stride=2, padding=1, dilation=(1, 2)).arrays
    _, indices = solutions.max_pool2d(x, 3, stride=2, padding=1, dilation=(1, 2), return_indices=True)
    expected = np.zeros((2 * 2, 7 * 6), dtype=x.dtype)
    np.add.at(expected, (np.arange(4)[:, None], indices.reshape(4, -1)), grad.reshape(4, -1))
    np.testing.assert_array_equal(
        solutions.max_pool2d_backward(x, grad, 3, stride=2, padding=1, dilation=(1, 2)),
        expected.reshape(x.shape))


def test_max_pool2d_backward_window_with_no_input_cell_passes_nothing():
    # Dilation 2 and padding 1 on a 1x3 row: the windows at columns 0 and 2 hold cells -1, 1 and
    # 1, 3; vertically every window holds rows -1 and 1, outside a 1-row input. PyTorch returns
    # an index past the plane there and its backward writes out of bounds (it aborts with
    # "double free or corruption"), so the naive loops are the reference.
    x, grad = np.arange(1.0, 7.0).reshape(1, 2, 1, 3), np.ones((1, 2, 1, 3))
    result = solutions.max_pool2d_backward(x, grad, 2, stride=1, padding=1, dilation=2)
    assert_exact(result, naive.max_pool2d_backward(x, grad, 2, stride=1, padding=1, dilation=2))
    assert not result.any()


# --- avg_pool2d_backward, one variant each ---------------------------------------------------


@each_dtype
def test_avg_pool2d_backward_defaults(dtype):
    assert_parity("avg_pool2d_backward", avg_case((2, 3, 7, 6), dtype=dtype, kernel_size=2),
                  AVERAGE_GRADIENT_TOLERANCE)


def test_avg_pool2d_backward_unbatched_overlapping():
    assert_parity("avg_pool2d_backward", avg_case((3, 7, 5), kernel_size=(3, 2), stride=1),
                  AVERAGE_GRADIENT_TOLERANCE)


@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d_backward_count_include_pad(count_include_pad):
    assert_parity("avg_pool2d_backward", avg_case((1, 2, 5, 6), kernel_size=3, stride=2, padding=1,
                                                  count_include_pad=count_include_pad),
                  AVERAGE_GRADIENT_TOLERANCE)


def test_avg_pool2d_backward_divisor_override():
    assert_parity("avg_pool2d_backward", avg_case((1, 2, 6, 6), kernel_size=3, stride=2, padding=1,
                                                  count_include_pad=False, divisor_override=2),
                  AVERAGE_GRADIENT_TOLERANCE)


def test_avg_pool2d_backward_ceil_mode():
    assert_parity("avg_pool2d_backward", avg_case((1, 1, 5, 5), kernel_size=2, ceil_mode=True),
                  AVERAGE_GRADIENT_TOLERANCE)


@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d_backward_ceil_mode_with_padding(count_include_pad):
    assert_parity("avg_pool2d_backward", avg_case((1, 2, 5, 6), kernel_size=3, stride=2, padding=1,
                                                  ceil_mode=True, count_include_pad=count_include_pad),
                  AVERAGE_GRADIENT_TOLERANCE)


# --- invalid arguments -----------------------------------------------------------------------

X4, W4, G4 = np.ones((1, 4, 6, 6)), np.ones((2, 4, 3, 3)), np.ones((1, 2, 4, 4))
P4, Q4 = np.ones((1, 1, 6, 6)), np.ones((1, 1, 3, 3))  # a pool input and its 2x2-pool gradient

INVALID = [
    ("conv2d_backward-grad-output-wrong-shape", "conv2d_backward", (X4, W4, np.ones((1, 2, 3, 4))), {},
     "grad_output"),
    ("conv2d_backward-grad-output-wrong-channels", "conv2d_backward", (X4, W4, np.ones((1, 3, 4, 4))), {},
     "grad_output"),
    ("conv2d_backward-mismatched-channels", "conv2d_backward", (np.ones((1, 3, 6, 6)), W4, G4), {},
     "weight"),
    ("conv2d_backward-stride-zero", "conv2d_backward", (X4, W4, G4), dict(stride=0), "stride"),
    ("conv2d_backward-padding-negative", "conv2d_backward", (X4, W4, G4), dict(padding=-1), "padding"),
    ("conv2d_backward-dilation-zero", "conv2d_backward", (X4, W4, G4), dict(dilation=0), "dilation"),
    ("conv2d_backward-groups-not-dividing", "conv2d_backward", (X4, np.ones((3, 2, 3, 3)), G4),
     dict(groups=2), "groups"),
    ("conv2d_backward-kernel-larger-than-input", "conv2d_backward",
     (np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3)), np.ones((1, 1, 1, 1))), {}, "kernel_size|weight"),
    ("max_pool2d_backward-grad-output-wrong-shape", "max_pool2d_backward", (P4, np.ones((1, 1, 2, 2))),
     dict(kernel_size=2), "grad_output"),
    ("max_pool2d_backward-padding-over-half-window", "max_pool2d_backward", (P4, Q4),
     dict(kernel_size=2, padding=2), "padding"),
    ("max_pool2d_backward-stride-zero", "max_pool2d_backward", (P4, Q4), dict(kernel_size=2, stride=0),
     "stride"),
    ("max_pool2d_backward-kernel-larger-than-input", "max_pool2d_backward", (P4, Q4),
     dict(kernel_size=7), "kernel_size"),
    ("avg_pool2d_backward-grad-output-wrong-shape", "avg_pool2d_backward", (P4, np.ones((1, 2, 3, 3))),
     dict(kernel_size=2), "grad_output"),
    ("avg_pool2d_backward-divisor-override-zero", "avg_pool2d_backward", (P4, Q4),
     dict(kernel_size=2, divisor_override=0), "divisor_override"),
    ("avg_pool2d_backward-padding-negative", "avg_pool2d_backward", (P4, Q4),
     dict(kernel_size=2, padding=-1), "padding"),
]


@pytest.mark.parametrize("op, arrays, kwargs, match", [row[1:] for row in INVALID],
                         ids=[row[0] for row in INVALID])
def test_invalid_arguments_raise_value_error_naming_them(op, arrays, kwargs, match):
    with pytest.raises(ValueError, match=match):
        getattr(solutions, op)(*arrays, **kwargs)


@pytest.mark.parametrize("op, arrays, kwargs, match", [row[1:] for row in INVALID],
                         ids=[row[0] for row in INVALID])
def test_torch_rejects_them_too(op, arrays, kwargs, match):
    # Guards the table: each configuration is invalid for torch.autograd as well.
    with pytest.raises((RuntimeError, ValueError)):
        getattr(torch_ops, op)(*arrays, **kwargs)


def test_grad_output_message_names_the_expected_shape():
    with pytest.raises(ValueError, match=r"\(1, 2, 4, 4\)"):
        solutions.conv2d_backward(X4, W4, np.ones((1, 2, 3, 4)))


def test_backward_ops_return_float32_for_float32_and_float64_for_integers():
    x32, grad32 = np.ones((1, 1, 4, 4), np.float32), np.ones((1, 1, 2, 2), np.float32)
    assert solutions.max_pool2d_backward(x32, grad32, 2).dtype == np.float32
    assert solutions.avg_pool2d_backward(x32.astype(int), grad32.astype(int), 2).dtype == np.float64
    assert {g.dtype for g in solutions.conv2d_backward(x32, np.ones((1, 1, 3, 3), np.float32),
                                                       grad32)} == {np.dtype(np.float32)}
