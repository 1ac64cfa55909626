"""The shapes that switch `solutions` onto its faster code paths, each against PyTorch.

The property tests of the other parity files draw small layers (at most two channels per
group, kernels of at most four taps a side), which never reach some branches: the weight
gradient that lays its gradient out positions first (32 channels a group and more), the
uint16 tap index of a max-pool window of more than 255 cells, the phase layout with more
phases than taps. On small-integer data every result is exact, so the comparisons are too.
"""

from __future__ import annotations

import numpy as np
import pytest

import solutions
from solutions.backward import POSITIONS_FIRST_MIN_CHANNELS
from strategies import Case, assert_parity, backward_case, make_case


@pytest.mark.parametrize("kwargs", [dict(padding=1), dict(stride=2, padding=1), dict(padding=2, dilation=2),
                                    dict(groups=2, padding=1)],
                         ids=["stride1", "stride2", "dilation2", "groups2"])
def test_conv2d_backward_with_wide_groups_lays_the_gradient_out_positions_first(kwargs):
    channels = POSITIONS_FIRST_MIN_CHANNELS * kwargs.get("groups", 1)
    case = backward_case("conv2d", (2, channels, 7, 6), (channels, POSITIONS_FIRST_MIN_CHANNELS, 3, 3),
                         **kwargs)
    assert_parity("conv2d_backward", case)


def test_conv2d_backward_just_below_the_positions_first_threshold():
    channels = POSITIONS_FIRST_MIN_CHANNELS - 1
    assert_parity("conv2d_backward", backward_case("conv2d", (2, channels, 6, 5), (channels, channels, 3, 3),
                                                   padding=1))


@pytest.mark.parametrize("multiplier", [1, 3])
def test_depthwise_conv2d_with_bias_over_several_blocks_of_groups(multiplier):
    # 40 groups of 4x24x24 images: more than one block of the depthwise loop, the last one partial.
    assert_parity("conv2d", make_case((4, 40, 24, 24), (40 * multiplier, 1, 3, 3), (40 * multiplier,),
                                      padding=1, groups=40))


def test_depthwise_conv2d_backward_dilated_and_padded_unevenly():
    assert_parity("conv2d_backward", backward_case("conv2d", (2, 5, 9, 8), (10, 1, 3, 2), groups=5,
                                                   padding=(2, 1), dilation=(2, 3)))


def test_max_pool2d_window_of_more_than_255_cells():
    # 16x17 = 272 taps: the winning tap no longer fits in a uint8.
    x, grad = backward_case("max_pool2d", (2, 2, 20, 19), kernel_size=(16, 17), stride=2).arrays
    kwargs = dict(kernel_size=(16, 17), stride=2)
    assert_parity("max_pool2d_backward", Case((x, grad), kwargs))
    assert_parity("max_pool2d", Case((x,), dict(kwargs, return_indices=True)))


@pytest.mark.parametrize("kwargs", [dict(kernel_size=2, stride=3), dict(kernel_size=(2, 3), stride=(4, 3), padding=1),
                                    dict(kernel_size=3, stride=2, dilation=2, padding=1)],
                         ids=["stride-skips-cells", "stride-beyond-kernel-padded", "dilation-even-stride"])
def test_max_pool2d_backward_phases_that_no_tap_reads(kwargs):
    # With a stride larger than the kernel (or dilation and stride sharing a factor) some
    # phases of the input hold cells no window reads: their gradient is zero.
    case = backward_case("max_pool2d", (2, 3, 11, 13), **kwargs)
    assert_parity("max_pool2d_backward", case)
    grad_input = solutions.max_pool2d_backward(*case.arrays, **case.kwargs)
    assert grad_input.flags.c_contiguous


def test_max_pool2d_backward_never_returns_negative_zero():
    # PyTorch adds each window's gradient onto zeros, so a cell that wins nothing holds +0.0;
    # multiplying a negative gradient by False would give -0.0, which prints as "-0.".
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    grad_input = solutions.max_pool2d_backward(x, -np.ones((1, 1, 2, 2)), 2)
    assert not np.signbit(grad_input[grad_input == 0]).any()
