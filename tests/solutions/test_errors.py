"""Invalid arguments: `solutions` raises ValueError naming the argument, where PyTorch raises too.

Each row of `INVALID` is one invalid configuration: the call (made once with `solutions` and,
where PyTorch has the same operation, once with `torch_ops`), and a regular expression for the
argument name the message must contain. Where two arguments are equally to blame (a channel
mismatch between `x` and `weight`), the pattern accepts either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pytest
import torch

import solutions
from strategies import torch_ops

X_NAME, K_NAME, XK_NAMES = r"\bx\b", r"\bK\b", r"\b[XK]\b"

# What PyTorch raises for an invalid configuration varies by op; any of these counts.
TORCH_ERRORS = (RuntimeError, ValueError, NotImplementedError, IndexError)


def a(*shape) -> np.ndarray:
    return np.ones(shape)


@dataclass(frozen=True)
class Invalid:
    id: str
    call: Callable  # receives `solutions` or `torch_ops`
    match: str
    torch: bool | Callable | None = True  # True: `call(torch_ops)`; a callable: its own equivalent


X4, W4 = a(1, 4, 6, 6), a(2, 4, 3, 3)

INVALID = [
    # --- conv2d ---
    Invalid("conv2d-mismatched-channels", lambda m: m.conv2d(a(1, 3, 6, 6), W4), "weight"),
    Invalid("conv2d-groups-not-dividing-out-channels",
            lambda m: m.conv2d(X4, a(3, 2, 3, 3), groups=2), "groups"),
    Invalid("conv2d-groups-not-dividing-in-channels",
            lambda m: m.conv2d(a(1, 3, 6, 6), a(2, 2, 3, 3), groups=2), "groups|weight"),
    Invalid("conv2d-groups-zero", lambda m: m.conv2d(X4, W4, groups=0), "groups"),
    Invalid("conv2d-groups-negative", lambda m: m.conv2d(X4, W4, groups=-1), "groups"),
    Invalid("conv2d-stride-zero", lambda m: m.conv2d(X4, W4, stride=0), "stride"),
    Invalid("conv2d-stride-negative", lambda m: m.conv2d(X4, W4, stride=(1, -2)), "stride"),
    Invalid("conv2d-padding-negative", lambda m: m.conv2d(X4, W4, padding=-1), "padding"),
    Invalid("conv2d-padding-pair-negative", lambda m: m.conv2d(X4, W4, padding=(0, -1)),
            "padding"),
    Invalid("conv2d-dilation-zero", lambda m: m.conv2d(X4, W4, dilation=0), "dilation"),
    Invalid("conv2d-same-with-stride", lambda m: m.conv2d(X4, W4, padding="same", stride=2),
            "padding"),
    Invalid("conv2d-same-with-stride-pair",
            lambda m: m.conv2d(X4, W4, padding="same", stride=(1, 2)), "padding"),
    Invalid("conv2d-unknown-padding-string", lambda m: m.conv2d(X4, W4, padding="full"),
            "padding"),
    Invalid("conv2d-kernel-larger-than-input", lambda m: m.conv2d(a(1, 1, 3, 3), a(1, 1, 5, 5)),
            "weight|kernel"),
    Invalid("conv2d-dilated-kernel-larger-than-input",
            lambda m: m.conv2d(a(1, 1, 5, 5), a(1, 1, 3, 3), dilation=3),
            "weight|kernel|dilation"),
    Invalid("conv2d-unknown-padding-mode",
            lambda m: m.conv2d(X4, W4, padding=1, padding_mode="mirror"), "padding_mode"),
    Invalid("conv2d-reflect-padding-as-large-as-input",
            lambda m: m.conv2d(a(1, 1, 3, 3), a(1, 1, 3, 3), padding=3, padding_mode="reflect"),
            "padding"),
    Invalid("conv2d-circular-padding-larger-than-input",
            lambda m: m.conv2d(a(1, 1, 3, 3), a(1, 1, 3, 3), padding=4,
                               padding_mode="circular"), "padding"),
    Invalid("conv2d-weight-3d", lambda m: m.conv2d(X4, a(4, 3, 3)), "weight"),
    Invalid("conv2d-bias-wrong-length", lambda m: m.conv2d(X4, W4, a(3)), "bias"),
    Invalid("conv2d-input-2d", lambda m: m.conv2d(a(6, 6), W4), X_NAME),
    Invalid("conv2d-input-5d", lambda m: m.conv2d(a(1, 1, 4, 6, 6), W4), X_NAME),
    # --- conv_transpose2d ---
    Invalid("conv_transpose2d-mismatched-channels",
            lambda m: m.conv_transpose2d(a(1, 3, 4, 4), a(4, 2, 3, 3)), "weight"),
    Invalid("conv_transpose2d-groups-not-dividing",
            lambda m: m.conv_transpose2d(a(1, 4, 4, 4), a(4, 2, 3, 3), groups=3),
            "groups|weight"),
    Invalid("conv_transpose2d-output-padding-equal-to-stride",
            lambda m: m.conv_transpose2d(a(1, 2, 4, 4), a(2, 2, 3, 3), stride=2,
                                         output_padding=2), "output_padding"),
    Invalid("conv_transpose2d-output-padding-equal-to-dilation",
            lambda m: m.conv_transpose2d(a(1, 2, 4, 4), a(2, 2, 3, 3), dilation=2,
                                         output_padding=(0, 2)), "output_padding"),
    Invalid("conv_transpose2d-output-padding-negative",
            lambda m: m.conv_transpose2d(a(1, 2, 4, 4), a(2, 2, 3, 3), stride=2,
                                         output_padding=-1), "output_padding"),
    Invalid("conv_transpose2d-stride-zero",
            lambda m: m.conv_transpose2d(a(1, 1, 2, 2), a(1, 1, 3, 3), stride=0), "stride"),
    Invalid("conv_transpose2d-dilation-zero",
            lambda m: m.conv_transpose2d(a(1, 1, 2, 2), a(1, 1, 3, 3), dilation=0), "dilation"),
    Invalid("conv_transpose2d-padding-negative",
            lambda m: m.conv_transpose2d(a(1, 1, 2, 2), a(1, 1, 3, 3), padding=-1), "padding"),
    Invalid("conv_transpose2d-padding-leaves-no-output",
            lambda m: m.conv_transpose2d(a(1, 1, 2, 2), a(1, 1, 1, 1), padding=1), "padding"),
    Invalid("conv_transpose2d-weight-3d",
            lambda m: m.conv_transpose2d(a(1, 1, 6, 6), a(1, 3, 3)), "weight"),
    Invalid("conv_transpose2d-bias-wrong-length",
            lambda m: m.conv_transpose2d(a(1, 1, 6, 6), a(1, 2, 3, 3), a(3)), "bias"),
    Invalid("conv_transpose2d-input-5d",
            lambda m: m.conv_transpose2d(a(1, 1, 1, 6, 6), a(1, 2, 3, 3)), X_NAME),
    # --- max_pool2d ---
    Invalid("max_pool2d-padding-over-half-window",
            lambda m: m.max_pool2d(a(1, 1, 6, 6), 2, padding=2), "padding"),
    Invalid("max_pool2d-padding-negative",
            lambda m: m.max_pool2d(a(1, 1, 6, 6), 2, padding=-1), "padding"),
    Invalid("max_pool2d-stride-zero", lambda m: m.max_pool2d(a(1, 1, 6, 6), 2, stride=0),
            "stride"),
    Invalid("max_pool2d-kernel-zero", lambda m: m.max_pool2d(a(1, 1, 6, 6), 0, stride=1),
            "kernel_size"),
    Invalid("max_pool2d-dilation-zero", lambda m: m.max_pool2d(a(1, 1, 6, 6), 2, dilation=0),
            "dilation"),
    Invalid("max_pool2d-window-larger-than-input", lambda m: m.max_pool2d(a(1, 1, 3, 3), 5),
            "kernel_size"),
    Invalid("max_pool2d-input-2d", lambda m: m.max_pool2d(a(6, 6), 2), X_NAME),
    # --- avg_pool2d ---
    Invalid("avg_pool2d-padding-over-half-window",
            lambda m: m.avg_pool2d(a(1, 1, 6, 6), 2, padding=2), "padding"),
    Invalid("avg_pool2d-padding-negative",
            lambda m: m.avg_pool2d(a(1, 1, 6, 6), 2, padding=-1), "padding"),
    Invalid("avg_pool2d-stride-zero", lambda m: m.avg_pool2d(a(1, 1, 6, 6), 2, stride=0),
            "stride"),
    Invalid("avg_pool2d-kernel-zero", lambda m: m.avg_pool2d(a(1, 1, 6, 6), (2, 0), stride=1),
            "kernel_size"),
    Invalid("avg_pool2d-window-larger-than-input", lambda m: m.avg_pool2d(a(1, 1, 3, 3), 5),
            "kernel_size"),
    Invalid("avg_pool2d-divisor-override-zero",
            lambda m: m.avg_pool2d(a(1, 1, 4, 4), 2, divisor_override=0), "divisor_override"),
    Invalid("avg_pool2d-input-2d", lambda m: m.avg_pool2d(a(6, 6), 2), X_NAME),
    # --- pad ---
    Invalid("pad-reflect-as-large-as-input",
            lambda m: m.pad(a(1, 1, 3, 3), (3, 0, 0, 0), mode="reflect"), "pad"),
    Invalid("pad-circular-wraps-twice",
            lambda m: m.pad(a(1, 1, 3, 3), (0, 0, 4, 0), mode="circular"), "pad"),
    Invalid("pad-unknown-mode", lambda m: m.pad(a(1, 1, 3, 3), (1, 1, 1, 1), mode="wrap"),
            "mode"),
    Invalid("pad-odd-length", lambda m: m.pad(a(1, 1, 3, 3), (1, 1, 1)), "pad"),
    Invalid("pad-crops-below-nothing", lambda m: m.pad(a(1, 1, 3, 3), (-2, -2, 0, 0)), "pad"),
    # --- unfold and fold ---
    Invalid("unfold-kernel-larger-than-input", lambda m: m.unfold(a(1, 1, 3, 3), 5),
            "kernel_size"),
    Invalid("unfold-kernel-zero", lambda m: m.unfold(a(1, 1, 3, 3), 0), "kernel_size"),
    Invalid("unfold-stride-zero", lambda m: m.unfold(a(1, 1, 3, 3), 2, stride=0), "stride"),
    Invalid("unfold-dilation-zero", lambda m: m.unfold(a(1, 1, 3, 3), 2, dilation=0),
            "dilation"),
    Invalid("unfold-padding-negative", lambda m: m.unfold(a(1, 1, 3, 3), 2, padding=-1),
            "padding"),
    Invalid("unfold-input-2d", lambda m: m.unfold(a(3, 3), 2), X_NAME),
    Invalid("fold-wrong-block-count", lambda m: m.fold(a(1, 4, 5), (3, 3), 2),
            rf"output_size|{X_NAME}"),
    Invalid("fold-rows-not-multiple-of-kernel", lambda m: m.fold(a(1, 5, 4), 3, 2),
            rf"kernel_size|{X_NAME}"),
    Invalid("fold-input-4d", lambda m: m.fold(a(1, 4, 4, 1), 3, 2), X_NAME),
]

# Student functions: PyTorch has no function of the same name; where an equivalent
# configuration exists, `torch` gives it.
STUDENT_INVALID = [
    Invalid("corr2d-3d-input", lambda m: m.corr2d(a(2, 5, 5), a(2, 2)), r"\bX\b", None),
    Invalid("corr2d-1d-kernel", lambda m: m.corr2d(a(5, 5), a(3)), K_NAME, None),
    Invalid("corr2d-kernel-larger-than-input", lambda m: m.corr2d(a(3, 3), a(4, 4)), K_NAME,
            lambda: torch_ops.conv2d(a(1, 1, 3, 3), a(1, 1, 4, 4))),
    Invalid("corr2d_pad_stride-stride-zero",
            lambda m: m.corr2d_pad_stride(a(5, 5), a(2, 2), stride=0), "stride",
            lambda: torch_ops.conv2d(a(1, 1, 5, 5), a(1, 1, 2, 2), stride=0)),
    Invalid("corr2d_pad_stride-unknown-padding-mode",
            lambda m: m.corr2d_pad_stride(a(5, 5), a(2, 2), 1, padding_mode="mirror"),
            "padding_mode",
            lambda: torch_ops.conv2d(a(1, 1, 5, 5), a(1, 1, 2, 2), padding=1,
                                     padding_mode="mirror")),
    Invalid("pad2d-unknown-mode", lambda m: m.pad2d(a(3, 3), 1, mode="wrap"), "mode", None),
    Invalid("pad2d-three-values", lambda m: m.pad2d(a(3, 3), (1, 1, 1)), "padding", None),
    Invalid("pad2d-reflect-as-large-as-input", lambda m: m.pad2d(a(3, 3), 3, mode="reflect"),
            "padding", lambda: torch_ops.pad(a(1, 3, 3), (3, 3, 3, 3), mode="reflect")),
    Invalid("output_size-stride-zero", lambda m: m.output_size(8, 3, stride=0), "stride",
            lambda: torch_ops.conv2d(a(1, 1, 8, 8), a(1, 1, 3, 3), stride=0)),
    Invalid("output_size-kernel-larger-than-input", lambda m: m.output_size(3, 5), r"\bk\b",
            lambda: torch_ops.conv2d(a(1, 1, 3, 3), a(1, 1, 5, 5))),
    Invalid("same_padding-dilation-zero", lambda m: m.same_padding(3, dilation=0), "dilation",
            None),
    Invalid("corr2d_multi_in-mismatched-channels",
            lambda m: m.corr2d_multi_in(a(2, 5, 5), a(3, 2, 2)), XK_NAMES,
            lambda: torch_ops.conv2d(a(1, 2, 5, 5), a(1, 3, 2, 2))),
    Invalid("corr2d_multi_in_out-mismatched-channels",
            lambda m: m.corr2d_multi_in_out(a(2, 5, 5), a(4, 3, 2, 2)), XK_NAMES,
            lambda: torch_ops.conv2d(a(2, 5, 5), a(4, 3, 2, 2))),
    Invalid("corr2d_multi_in_out_1x1-kernel-not-1x1",
            lambda m: m.corr2d_multi_in_out_1x1(a(2, 5, 5), a(4, 2, 2, 2)), K_NAME, None),
    Invalid("pointwise_as_linear-mismatched-channels",
            lambda m: m.pointwise_as_linear(a(1, 3, 2, 2), a(4, 2), a(4)), r"\b[XW]\b",
            lambda: torch.nn.functional.linear(torch.ones(1, 2, 2, 3), torch.ones(4, 2))),
    Invalid("conv2d_params-groups-not-dividing", lambda m: m.conv2d_params(3, 4, 3, 3, groups=2),
            "groups", lambda: torch.nn.Conv2d(3, 4, 3, groups=2)),
    Invalid("conv2d_macs-groups-not-dividing",
            lambda m: m.conv2d_macs(4, 6, 3, 3, 8, 8, groups=4), "groups",
            lambda: torch.nn.Conv2d(4, 6, 3, groups=4)),
    Invalid("pool2d-unknown-mode", lambda m: m.pool2d(a(4, 4), (2, 2), mode="median"), "mode",
            None),
    Invalid("pool2d_strided-unknown-mode",
            lambda m: m.pool2d_strided(a(1, 4, 4), 2, mode="min"), "mode", None),
    Invalid("pool2d_strided-padding-over-half-window",
            lambda m: m.pool2d_strided(a(1, 4, 4), 2, padding=2), "padding",
            lambda: torch_ops.max_pool2d(a(1, 4, 4), 2, padding=2)),
    Invalid("conv2d_grouped-groups-not-dividing",
            lambda m: m.conv2d_grouped(a(4, 5, 5), a(3, 2, 3, 3), groups=2), "groups",
            lambda: torch_ops.conv2d(a(4, 5, 5), a(3, 2, 3, 3), groups=2)),
    Invalid("depthwise_separable-depth-kernel-not-per-channel",
            lambda m: m.depthwise_separable(a(3, 5, 5), a(3, 2, 3, 3), a(4, 3, 1, 1)),
            "K_depth", lambda: torch_ops.conv2d(a(3, 5, 5), a(3, 2, 3, 3), groups=3)),
    Invalid("depthwise_separable-point-kernel-mismatched",
            lambda m: m.depthwise_separable(a(3, 5, 5), a(3, 1, 3, 3), a(4, 2, 1, 1)),
            "K_point", lambda: torch_ops.conv2d(a(3, 3, 3), a(4, 2, 1, 1))),
    Invalid("corr2d_dilated-dilation-zero", lambda m: m.corr2d_dilated(a(5, 5), a(2, 2), 0),
            "dilation", lambda: torch_ops.conv2d(a(1, 1, 5, 5), a(1, 1, 2, 2), dilation=0)),
    Invalid("trans_conv-stride-zero", lambda m: m.trans_conv(a(2, 2), a(2, 2), stride=0),
            "stride", lambda: torch_ops.conv_transpose2d(a(1, 1, 2, 2), a(1, 1, 2, 2), stride=0)),
    Invalid("conv_matrix-kernel-larger-than-input",
            lambda m: m.conv_matrix(a(4, 4), (3, 3)), K_NAME + "|input_shape",
            lambda: torch_ops.conv2d(a(1, 1, 3, 3), a(1, 1, 4, 4))),
    Invalid("receptive_field-strides-wrong-length",
            lambda m: m.receptive_field([3, 3], strides=[1]), "strides", None),
    Invalid("Conv2D-kernel-size-zero", lambda m: m.Conv2D((0, 2)), "kernel_size",
            lambda: torch_ops.conv2d(a(1, 1, 3, 3), a(1, 1, 0, 2))),
]


@pytest.mark.parametrize("case", INVALID + STUDENT_INVALID, ids=lambda c: c.id)
def test_invalid_configuration_raises_value_error(case):
    with pytest.raises(ValueError, match=case.match):
        case.call(solutions)


@pytest.mark.parametrize("case", [c for c in INVALID + STUDENT_INVALID if c.torch is not None],
                         ids=lambda c: c.id)
def test_torch_rejects_it_too(case):
    # Guards the table: every configuration called invalid here is invalid for PyTorch as well.
    with pytest.raises(TORCH_ERRORS):
        case.call(torch_ops) if case.torch is True else case.torch()


def test_message_names_the_value():
    # Beyond the argument's name, the message shows what was passed.
    with pytest.raises(ValueError, match="-3"):
        solutions.conv2d(X4, W4, stride=(1, -3))
    with pytest.raises(ValueError, match="mirror"):
        solutions.conv2d(X4, W4, padding=1, padding_mode="mirror")
