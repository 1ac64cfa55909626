"""`solutions.conv2d` against `torch.nn.functional.conv2d` (and `nn.Conv2d` for padding modes).

Property tests draw random valid configurations (stride, padding as int, pair, "same" or
"valid", dilation, groups, every padding_mode, bias, batched and unbatched input, float32,
float64 and integer data); the named tests below pin one variant each.
"""

import numpy as np
import pytest
from hypothesis import given

from strategies import (
    EXACT_DTYPES,
    FLOAT_DTYPES,
    NORMAL_TOLERANCE,
    assert_parity,
    conv2d_cases,
    make_case,
    parity_settings,
)

each_dtype = pytest.mark.parametrize("dtype", EXACT_DTYPES, ids=lambda d: np.dtype(d).name)


@parity_settings(300)
@given(conv2d_cases())
def test_conv2d_matches_torch_exactly_on_small_integers(case):
    assert_parity("conv2d", case)


@parity_settings(60)
@given(conv2d_cases(normal=True, dtypes=FLOAT_DTYPES, max_kernel=3))
def test_conv2d_matches_torch_on_normal_data(case):
    assert_parity("conv2d", case, NORMAL_TOLERANCE)


@each_dtype
def test_conv2d_defaults(dtype):
    assert_parity("conv2d", make_case((2, 3, 7, 6), (4, 3, 3, 3), dtype=dtype))


@each_dtype
def test_conv2d_bias(dtype):
    assert_parity("conv2d", make_case((2, 3, 5, 5), (4, 3, 2, 2), (4,), dtype=dtype))


@each_dtype
def test_conv2d_unbatched(dtype):
    assert_parity("conv2d", make_case((3, 6, 5), (2, 3, 3, 2), (2,), dtype=dtype, padding=1))


def test_conv2d_non_square_everything():
    assert_parity("conv2d", make_case((2, 2, 9, 7), (3, 2, 3, 2), stride=(2, 1),
                                      padding=(1, 2), dilation=(1, 2)))


@each_dtype
def test_grouped_conv2d(dtype):
    assert_parity("conv2d", make_case((2, 6, 7, 5), (4, 3, 3, 2), (4,), dtype=dtype, groups=2))


def test_depthwise_conv2d():
    # groups == C_in: every input channel has its own kernel(s); here a channel multiplier of 2.
    assert_parity("conv2d", make_case((2, 3, 6, 6), (6, 1, 3, 3), groups=3, padding=1))


def test_dilated_conv2d():
    assert_parity("conv2d", make_case((1, 2, 9, 8), (2, 2, 3, 3), dilation=(2, 3)))


def test_strided_conv2d():
    assert_parity("conv2d", make_case((2, 2, 9, 8), (3, 2, 3, 3), stride=(3, 2), padding=1))


def test_even_kernel_conv2d():
    assert_parity("conv2d", make_case((1, 1, 6, 7), (1, 1, 4, 2), padding=(1, 2)))


def test_kernel_as_large_as_input():
    assert_parity("conv2d", make_case((2, 2, 3, 4), (3, 2, 3, 4), (3,)))


def test_1x1_input():
    assert_parity("conv2d", make_case((2, 3, 1, 1), (4, 3, 1, 1), (4,)))


def test_valid_padding():
    assert_parity("conv2d", make_case((1, 2, 6, 5), (2, 2, 3, 2), padding="valid"))


@pytest.mark.parametrize("kernel", [(3, 3), (4, 4), (2, 5)])
def test_same_padding(kernel):
    assert_parity("conv2d", make_case((1, 2, 6, 7), (3, 2, *kernel), padding="same"))


def test_same_padding_even_kernel():
    # d*(k-1) = 3 in total: 1 row/column before, 2 after.
    case = make_case((1, 1, 5, 6), (1, 1, 4, 4), padding="same")
    assert_parity("conv2d", case)


def test_same_padding_dilated():
    assert_parity("conv2d", make_case((1, 1, 7, 8), (1, 1, 3, 2), padding="same", dilation=(2, 3)))


@pytest.mark.parametrize("padding", [1, (2, 1), "same"])
def test_reflect_padding_mode(padding):
    assert_parity("conv2d", make_case((2, 2, 5, 6), (3, 2, 3, 4), padding=padding,
                                      padding_mode="reflect"))


@pytest.mark.parametrize("padding", [1, (2, 1), "same"])
def test_replicate_padding_mode(padding):
    assert_parity("conv2d", make_case((2, 2, 5, 6), (3, 2, 3, 4), padding=padding,
                                      padding_mode="replicate"))


@pytest.mark.parametrize("padding", [1, (2, 1), "same"])
def test_circular_padding_mode(padding):
    assert_parity("conv2d", make_case((2, 2, 5, 6), (3, 2, 3, 4), padding=padding,
                                      padding_mode="circular"))


def test_circular_padding_as_large_as_input():
    assert_parity("conv2d", make_case((1, 1, 3, 2), (1, 1, 3, 3), padding=(3, 2),
                                      padding_mode="circular"))


def test_padding_mode_with_stride_and_groups():
    assert_parity("conv2d", make_case((2, 4, 7, 6), (2, 2, 3, 3), (2,), padding=2, stride=2,
                                      groups=2, padding_mode="reflect"))


@pytest.mark.parametrize("groups", [1, 2], ids=["dense", "depthwise"])
def test_conv2d_empty_batch(groups):
    assert_parity("conv2d", make_case((0, 2, 5, 5), (4, 2 // groups, 3, 3), groups=groups))


def test_conv2d_non_contiguous_input():
    case = make_case((2, 3, 6, 5), (2, 3, 3, 3))
    x, weight = case.arrays
    case.arrays = (x.transpose(0, 1, 3, 2), weight[:, :, ::-1, :])
    assert_parity("conv2d", case)


def test_conv2d_accepts_integer_input_as_float64():
    case = make_case((1, 2, 5, 5), (3, 2, 3, 3), (3,), dtype=np.int32, padding=1)
    assert_parity("conv2d", case)
