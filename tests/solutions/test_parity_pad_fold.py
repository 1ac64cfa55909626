"""`solutions.pad`, `solutions.unfold` and `solutions.fold` against torch.nn.functional.

`pad` takes F.pad's argument order (last dimension first) and its four modes; negative
constant padding crops. `unfold` lists every window as a column, `fold` sums columns back
into an image, which makes it the adjoint of `unfold`. All of them move or add small
integers, so they must agree with PyTorch exactly.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import solutions
from strategies import (
    EXACT_DTYPES,
    PAD_MODES,
    assert_exact,
    assert_parity,
    fold_cases,
    make_case,
    pad_cases,
    parity_settings,
    sample,
    unfold_cases,
)

each_dtype = pytest.mark.parametrize("dtype", EXACT_DTYPES, ids=lambda d: np.dtype(d).name)


# --- pad -------------------------------------------------------------------------------------


@parity_settings(300)
@given(pad_cases())
def test_pad_matches_torch(case):
    assert_parity("pad", case)


@pytest.mark.parametrize("mode", PAD_MODES)
@each_dtype
def test_pad_each_mode(mode, dtype):
    assert_parity("pad", make_case((2, 3, 4, 5), dtype=dtype, pad=(1, 2, 3, 0), mode=mode))


@pytest.mark.parametrize("mode", PAD_MODES)
def test_pad_unbatched(mode):
    assert_parity("pad", make_case((2, 4, 5), pad=(2, 1, 0, 3), mode=mode))


def test_pad_constant_value():
    assert_parity("pad", make_case((1, 2, 3, 3), pad=(1, 1, 2, 0), mode="constant", value=-7.5))


def test_pad_last_dimension_only():
    assert_parity("pad", make_case((1, 2, 3, 4), pad=(2, 1)))


def test_pad_negative_crops():
    case = make_case((1, 1, 5, 6), pad=(-1, -2, 0, -3))
    assert_parity("pad", case)
    np.testing.assert_array_equal(solutions.pad(*case.arrays, **case.kwargs),
                                  case.arrays[0][:, :, 0:2, 1:4])


def test_pad_negative_and_positive_mixed():
    assert_parity("pad", make_case((2, 1, 4, 5), pad=(-2, 3, 1, -1), value=1.0))


def test_reflect_pad_up_to_size_minus_one():
    # Reflection excludes the edge, so n-1 is the most it can add on a side of size n.
    assert_parity("pad", make_case((1, 1, 3, 4), pad=(3, 3, 2, 2), mode="reflect"))


def test_circular_pad_as_large_as_input():
    assert_parity("pad", make_case((1, 1, 3, 4), pad=(4, 4, 3, 3), mode="circular"))


def test_replicate_pad_larger_than_input():
    assert_parity("pad", make_case((1, 1, 2, 2), pad=(5, 0, 0, 4), mode="replicate"))


def test_pad_integer_input_is_float64():
    case = make_case((1, 1, 2, 3), dtype=np.int16, pad=(1, 1, 1, 1), value=0.5)
    assert_parity("pad", case)


# --- unfold and fold -------------------------------------------------------------------------


@parity_settings(200)
@given(unfold_cases())
def test_unfold_matches_torch(case):
    assert_parity("unfold", case)


@parity_settings(200)
@given(fold_cases())
def test_fold_matches_torch(case):
    assert_parity("fold", case)


@each_dtype
def test_unfold_defaults(dtype):
    assert_parity("unfold", make_case((2, 3, 4, 5), dtype=dtype, kernel_size=2))


def test_unfold_everything_non_square():
    assert_parity("unfold", make_case((2, 2, 7, 8), kernel_size=(2, 3), dilation=(2, 1),
                                      padding=(1, 2), stride=(2, 3)))


def test_unfold_unbatched():
    # (C, H, W) -> (C*kh*kw, L)
    assert_parity("unfold", make_case((3, 4, 4), kernel_size=(2, 3)))


@each_dtype
def test_fold_overlapping_blocks_add_up(dtype):
    assert_parity("fold", make_case((2, 2 * 9, 16), dtype=dtype, output_size=(6, 6),
                                    kernel_size=3))


def test_fold_everything_non_square():
    # blocks: (7 + 2 - 2*(2-1) - 1)//2 + 1 = 4 rows, (8 + 4 - 1*(3-1) - 1)//3 + 1 = 4 columns
    assert_parity("fold", make_case((1, 2 * 2 * 3, 16), output_size=(7, 8), kernel_size=(2, 3),
                                    dilation=(2, 1), padding=(1, 2), stride=(2, 3)))


def test_fold_unbatched():
    # (C*kh*kw, L) -> (C, H, W)
    assert_parity("fold", make_case((2 * 4, 9), output_size=4, kernel_size=2))


def test_fold_of_unfold_of_ones_counts_window_coverage():
    ones = np.ones((1, 1, 4, 4))
    counts = solutions.fold(solutions.unfold(ones, 3), (4, 4), 3)
    np.testing.assert_array_equal(counts[0, 0], [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2],
                                                 [1, 2, 2, 1]])


@parity_settings(100)
@given(unfold_cases(dtypes=(np.float64,)), st.integers(0, 2**32 - 1))
def test_fold_is_adjoint_of_unfold(case, seed):
    # <unfold(x), y> == <x, fold(y)> for every x and y; with integer data both sides are exact.
    (x,), kwargs = case.arrays, case.kwargs
    columns = solutions.unfold(x, **kwargs)
    y = sample(np.random.default_rng(seed), columns.shape, np.float64)
    assert np.sum(columns * y) == np.sum(x * solutions.fold(y, x.shape[-2:], **kwargs))


def test_unfold_then_matmul_is_conv2d():
    # The im2col identity: conv2d(x, w) == w.reshape(C_out, -1) @ unfold(x), reshaped.
    x, w = make_case((2, 3, 6, 5), (4, 3, 2, 3), dtype=np.float64).arrays
    columns = solutions.unfold(x, (2, 3), padding=1, stride=(1, 2))
    expected = solutions.conv2d(x, w, padding=1, stride=(1, 2))
    assert_exact((w.reshape(4, -1) @ columns).reshape(expected.shape), expected)
