"""`solutions.max_pool2d` and `solutions.avg_pool2d` against torch.nn.functional.

Max pooling selects values, so it must agree exactly on any data, indices included: integer
data create ties, where PyTorch returns the first maximum in row-major window order. Average
pooling divides an exact integer sum, so it is compared to within a few ulps
(`AVERAGE_TOLERANCE`). Property tests cover stride (default: the window), padding up to half
the window, dilation, ceil_mode, count_include_pad, divisor_override, return_indices,
batched and unbatched input and every dtype; the named tests pin one variant each.
"""

import numpy as np
import pytest
from hypothesis import given

import solutions
from strategies import (
    AVERAGE_GRADIENT_TOLERANCE,
    AVERAGE_TOLERANCE,
    EXACT_DTYPES,
    FLOAT_DTYPES,
    NORMAL_TOLERANCE,
    Case,
    assert_parity,
    avg_pool2d_cases,
    make_case,
    max_pool2d_cases,
    parity_settings,
    torch_ops,
)

each_dtype = pytest.mark.parametrize("dtype", EXACT_DTYPES, ids=lambda d: np.dtype(d).name)


def solutions_max_pool2d(case: Case):
    return solutions.max_pool2d(*case.arrays, **case.kwargs)


# --- max pooling -----------------------------------------------------------------------------


@parity_settings(300)
@given(max_pool2d_cases())
def test_max_pool2d_matches_torch_exactly_on_small_integers(case):
    assert_parity("max_pool2d", case)


@parity_settings(60)
@given(max_pool2d_cases(normal=True, dtypes=FLOAT_DTYPES))
def test_max_pool2d_matches_torch_exactly_on_normal_data(case):
    # No arithmetic happens in max pooling: even real-valued data must agree exactly.
    assert_parity("max_pool2d", case)


@each_dtype
def test_max_pool2d_defaults(dtype):
    # stride defaults to the window: 7x6 input, 2x2 windows -> 3x3.
    assert_parity("max_pool2d", make_case((2, 3, 7, 6), dtype=dtype, kernel_size=2))


@each_dtype
def test_max_pool2d_return_indices(dtype):
    assert_parity("max_pool2d", make_case((2, 2, 6, 7), dtype=dtype, kernel_size=3, stride=2,
                                          padding=1, return_indices=True))


def test_max_pool2d_unbatched_return_indices():
    assert_parity("max_pool2d", make_case((3, 5, 4), kernel_size=(2, 3), stride=1,
                                          return_indices=True))


def test_max_pool2d_non_square():
    assert_parity("max_pool2d", make_case((1, 2, 9, 7), kernel_size=(3, 2), stride=(2, 1),
                                          padding=(1, 0), return_indices=True))


def test_max_pool2d_padding_is_never_the_maximum():
    # All values negative: a zero-padded implementation would report 0 on the border.
    x = -1.0 - np.arange(25, dtype=np.float64).reshape(1, 1, 5, 5)
    assert_parity("max_pool2d", Case((x,), dict(kernel_size=3, stride=2, padding=1,
                                                return_indices=True)))


def test_max_pool2d_ceil_mode():
    # 5x5, 2x2 windows, stride 2: floor gives 2x2, ceil keeps the partial windows: 3x3.
    assert_parity("max_pool2d", make_case((1, 2, 5, 5), kernel_size=2, ceil_mode=True,
                                          return_indices=True))


def test_max_pool2d_ceil_mode_drops_window_starting_in_padding():
    # n=5, k=2, s=3, p=1: ceil((5+2-2)/3)+1 = 3, but the 3rd window would start at padded
    # position 6 >= n + p, inside the right padding, so PyTorch keeps 2.
    assert_parity("max_pool2d", make_case((1, 1, 5, 5), kernel_size=2, stride=3, padding=1,
                                          ceil_mode=True, return_indices=True))


def test_max_pool2d_dilation():
    assert_parity("max_pool2d", make_case((1, 2, 9, 8), kernel_size=(2, 3), dilation=(3, 2),
                                          stride=1, return_indices=True))


def test_max_pool2d_dilation_with_padding_and_ceil_mode():
    assert_parity("max_pool2d", make_case((2, 1, 8, 7), kernel_size=3, dilation=2, stride=2,
                                          padding=1, ceil_mode=True, return_indices=True))


def test_max_pool2d_indices_ties():
    # Every window is a tie: PyTorch reports the first cell of each window (row-major) that
    # lies inside the input. Padding 1, stride 2: windows start at rows/columns 0, 1 and 3.
    x = np.zeros((1, 1, 4, 5), dtype=np.float32)
    values, indices = np.zeros((1, 1, 3, 3), np.float32), np.array([[[[0, 1, 3],
                                                                       [5, 6, 8],
                                                                       [15, 16, 18]]]])
    case = Case((x,), dict(kernel_size=2, padding=1, return_indices=True))
    assert_parity("max_pool2d", case)
    actual_values, actual_indices = solutions_max_pool2d(case)
    np.testing.assert_array_equal(actual_values, values)
    np.testing.assert_array_equal(actual_indices, indices)


def test_max_pool2d_indices_ties_within_window():
    # Two maxima in one window: the first in row-major order wins.
    x = np.array([[[[1, 3, 0],
                    [3, 2, 3]]]], dtype=np.float64)
    case = Case((x,), dict(kernel_size=2, stride=1, return_indices=True))
    assert_parity("max_pool2d", case)
    np.testing.assert_array_equal(solutions_max_pool2d(case)[1], [[[[1, 1]]]])


def test_max_pool2d_all_negative_infinity():
    # A window of -inf has no strict maximum: PyTorch keeps its first in-bounds cell.
    x = np.full((1, 1, 3, 3), -np.inf)
    assert_parity("max_pool2d", Case((x,), dict(kernel_size=2, padding=1, return_indices=True)))


def test_max_pool2d_propagates_nan():
    x = np.arange(16, dtype=np.float64).reshape(1, 1, 4, 4)
    x[0, 0, 1, 2] = np.nan
    assert_parity("max_pool2d", Case((x,), dict(kernel_size=2, return_indices=True)))


def test_max_pool2d_indices_are_int64():
    _, indices = solutions_max_pool2d(make_case((1, 1, 4, 4), kernel_size=2, return_indices=True))
    assert indices.dtype == np.int64


# --- average pooling -------------------------------------------------------------------------


@parity_settings(300)
@given(avg_pool2d_cases())
def test_avg_pool2d_matches_torch_on_small_integers(case):
    assert_parity("avg_pool2d", case, AVERAGE_TOLERANCE)


@parity_settings(60)
@given(avg_pool2d_cases(normal=True, dtypes=FLOAT_DTYPES))
def test_avg_pool2d_matches_torch_on_normal_data(case):
    assert_parity("avg_pool2d", case, NORMAL_TOLERANCE)


@each_dtype
def test_avg_pool2d_defaults(dtype):
    assert_parity("avg_pool2d", make_case((2, 3, 7, 6), dtype=dtype, kernel_size=2),
                  AVERAGE_TOLERANCE)


def test_avg_pool2d_unbatched_non_square():
    assert_parity("avg_pool2d", make_case((3, 7, 5), kernel_size=(3, 2), stride=(2, 1)),
                  AVERAGE_TOLERANCE)


def test_avg_pool2d_count_include_pad_true():
    # Padded zeros count: a corner window of 3x3 with padding 1 divides by 9.
    assert_parity("avg_pool2d", make_case((1, 2, 5, 6), kernel_size=3, stride=2, padding=1),
                  AVERAGE_TOLERANCE)


def test_avg_pool2d_count_include_pad_false():
    # Only the cells inside the input count: the corner window divides by 4.
    assert_parity("avg_pool2d", make_case((1, 2, 5, 6), kernel_size=3, stride=2, padding=1,
                                          count_include_pad=False), AVERAGE_TOLERANCE)


def test_avg_pool2d_divisor_override():
    assert_parity("avg_pool2d", make_case((1, 2, 6, 6), kernel_size=3, stride=2, padding=1,
                                          divisor_override=2), AVERAGE_TOLERANCE)


def test_avg_pool2d_divisor_override_ignores_count_include_pad():
    assert_parity("avg_pool2d", make_case((1, 1, 5, 5), kernel_size=2, padding=1,
                                          count_include_pad=False, divisor_override=3),
                  AVERAGE_TOLERANCE)


def test_avg_pool2d_ceil_mode():
    # The partial windows on the right and bottom edges divide by their in-bounds size.
    assert_parity("avg_pool2d", make_case((1, 1, 5, 5), kernel_size=2, ceil_mode=True),
                  AVERAGE_TOLERANCE)


@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d_ceil_mode_with_padding(count_include_pad):
    # With count_include_pad, a window hanging past the right padding counts padding cells but
    # not the cells beyond it.
    assert_parity("avg_pool2d", make_case((1, 2, 5, 6), kernel_size=3, stride=2, padding=1,
                                          ceil_mode=True, count_include_pad=count_include_pad),
                  AVERAGE_TOLERANCE)


def test_avg_pool2d_ceil_mode_drops_window_starting_in_padding():
    assert_parity("avg_pool2d", make_case((1, 1, 5, 5), kernel_size=2, stride=3, padding=1,
                                          ceil_mode=True), AVERAGE_TOLERANCE)


# --- ceil_mode: a window longer than the padded axis -----------------------------------------
# PyTorch rounds up before it asks whether a window fits: (n + 2p - span + s - 1) // s + 1.
# A window that starts inside the input then counts even when it overhangs the padded axis.


def test_max_pool2d_ceil_mode_window_longer_than_the_input():
    # 2x2 input, 2x2 window of dilation 2 (span 3), stride 2: floor gives none, ceil gives 1x1.
    case = make_case((1, 1, 2, 2), kernel_size=2, stride=2, dilation=2, ceil_mode=True, return_indices=True)
    assert_parity("max_pool2d", case)
    assert solutions_max_pool2d(case)[0].shape == (1, 1, 1, 1)


def test_max_pool2d_backward_ceil_mode_window_longer_than_the_input():
    assert_parity("max_pool2d_backward", make_case((1, 1, 2, 2), (1, 1, 1, 1), kernel_size=2, stride=2,
                                                   dilation=2, ceil_mode=True))


@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d_ceil_mode_window_longer_than_the_padded_input(count_include_pad):
    # 1x1 input, padding 1, 4x4 window, stride 4: the padded axis holds 3 cells, the window 4.
    case = make_case((1, 2, 1, 1), kernel_size=4, stride=4, padding=1, ceil_mode=True,
                     count_include_pad=count_include_pad)
    assert_parity("avg_pool2d", case, AVERAGE_TOLERANCE)
    assert solutions.avg_pool2d(*case.arrays, **case.kwargs).shape == (1, 2, 1, 1)


@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d_backward_ceil_mode_window_longer_than_the_padded_input(count_include_pad):
    assert_parity("avg_pool2d_backward", make_case((1, 2, 1, 1), (1, 2, 1, 1), kernel_size=4, stride=4,
                                                   padding=1, ceil_mode=True,
                                                   count_include_pad=count_include_pad),
                  AVERAGE_GRADIENT_TOLERANCE)


@pytest.mark.parametrize("op, kwargs", [
    ("max_pool2d", dict(kernel_size=2, stride=2, dilation=2)),
    ("avg_pool2d", dict(kernel_size=4, stride=4, padding=1)),
])
def test_pool2d_without_ceil_mode_the_long_window_is_refused_as_by_torch(op, kwargs):
    shape = (1, 1, 2, 2) if op == "max_pool2d" else (1, 1, 1, 1)
    case = make_case(shape, **kwargs)
    with pytest.raises(RuntimeError):
        getattr(torch_ops, op)(*case.arrays, **case.kwargs)
    with pytest.raises(ValueError, match="leaves no window"):
        getattr(solutions, op)(*case.arrays, **case.kwargs)
