"""`solutions.conv_transpose2d` against `torch.nn.functional.conv_transpose2d`.

Property tests draw stride, padding, output_padding (below max(stride, dilation)), dilation,
groups, bias, batched and unbatched input and every dtype; the named tests pin one variant each.
The weight of a transposed convolution is laid out (C_in, C_out/groups, kh, kw).
"""

import numpy as np
import pytest
from hypothesis import given

from strategies import (
    EXACT_DTYPES,
    FLOAT_DTYPES,
    NORMAL_TOLERANCE,
    assert_parity,
    conv_transpose2d_cases,
    make_case,
    parity_settings,
)

each_dtype = pytest.mark.parametrize("dtype", EXACT_DTYPES, ids=lambda d: np.dtype(d).name)


@parity_settings(300)
@given(conv_transpose2d_cases())
def test_conv_transpose2d_matches_torch_exactly_on_small_integers(case):
    assert_parity("conv_transpose2d", case)


@parity_settings(60)
@given(conv_transpose2d_cases(normal=True, dtypes=FLOAT_DTYPES, max_kernel=3))
def test_conv_transpose2d_matches_torch_on_normal_data(case):
    assert_parity("conv_transpose2d", case, NORMAL_TOLERANCE)


@each_dtype
def test_conv_transpose2d_defaults(dtype):
    assert_parity("conv_transpose2d", make_case((2, 3, 4, 5), (3, 2, 3, 3), dtype=dtype))


@each_dtype
def test_conv_transpose2d_bias_unbatched(dtype):
    assert_parity("conv_transpose2d", make_case((3, 4, 5), (3, 2, 2, 3), (2,), dtype=dtype))


def test_strided_conv_transpose2d():
    assert_parity("conv_transpose2d", make_case((1, 2, 3, 4), (2, 3, 3, 3), stride=(2, 3)))


def test_strided_conv_transpose2d_kernel_smaller_than_stride():
    # Gaps between the scattered blocks stay zero (plus the bias).
    assert_parity("conv_transpose2d", make_case((1, 1, 3, 3), (1, 1, 2, 2), (1,), stride=3))


def test_padded_conv_transpose2d():
    # Padding of a transposed convolution crops the full output.
    assert_parity("conv_transpose2d", make_case((1, 2, 4, 4), (2, 2, 3, 3), padding=(1, 2)))


def test_conv_transpose2d_output_padding():
    assert_parity("conv_transpose2d", make_case((2, 2, 3, 4), (2, 1, 3, 3), stride=(2, 3),
                                                padding=1, output_padding=(1, 2)))


def test_conv_transpose2d_output_padding_below_dilation():
    # stride 1 still allows output_padding < dilation.
    assert_parity("conv_transpose2d", make_case((1, 1, 3, 3), (1, 1, 2, 2), dilation=3,
                                                output_padding=2))


def test_grouped_conv_transpose2d():
    assert_parity("conv_transpose2d", make_case((2, 4, 3, 3), (4, 3, 2, 2), (6,), groups=2))


def test_depthwise_conv_transpose2d():
    assert_parity("conv_transpose2d", make_case((1, 3, 4, 4), (3, 1, 3, 3), groups=3, stride=2))


def test_dilated_conv_transpose2d():
    assert_parity("conv_transpose2d", make_case((1, 2, 3, 4), (2, 2, 3, 2), dilation=(2, 3)))


def test_conv_transpose2d_everything_non_square():
    assert_parity("conv_transpose2d", make_case((2, 4, 3, 5), (4, 1, 3, 2), (2,), stride=(2, 1),
                                                padding=(2, 1), output_padding=(1, 0),
                                                groups=2, dilation=(2, 3)))


def test_conv_transpose2d_padding_crops_to_one_pixel():
    # (1-1)*1 - 2*1 + 1*(3-1) + 0 + 1 = 1
    assert_parity("conv_transpose2d", make_case((1, 1, 1, 1), (1, 1, 3, 3), padding=1))
