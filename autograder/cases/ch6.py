"""Chapter 6, variants: grouped, depthwise-separable, dilated and transposed convolution, the
convolution matrix, the receptive field."""

from __future__ import annotations

import numpy as np
from solutions import (conv2d_grouped, conv_matrix, corr2d, corr2d_dilated, corr2d_multi_in_out,
                       depthwise_separable, receptive_field, trans_conv)
from solutions._args import pair

from ..syllabus import Chapter, Widget
from .base import Case, Graded, Mistake, floats, ints, random_array, size_hint

# --- conv2d_grouped -----------------------------------------------------------------------------


def _grouped_case(label, X, K, groups, expected=None) -> Case:
    return Case((("X", X), ("K", K), ("groups", groups)), label, expected=expected)


def _grouped_visible() -> list[Case]:
    X = np.stack([np.ones((3, 3)), 10 * np.ones((3, 3))])
    return [
        _grouped_case("two groups of one channel", X, np.ones((2, 1, 2, 2)), 2,
                      expected=floats([[[4, 4], [4, 4]], [[40, 40], [40, 40]]])),
        _grouped_case("groups=1 is an ordinary convolution", np.arange(18.0).reshape(2, 3, 3) % 4,
                      np.arange(16.0).reshape(2, 2, 2, 2) - 7, 1),
        _grouped_case("two groups of two input channels", np.arange(36.0).reshape(4, 3, 3) % 5,
                      np.arange(32.0).reshape(4, 2, 2, 2) % 3 - 1, 2),
    ]


def _grouped_hidden(rng) -> list[Case]:
    cases = []
    for groups, per_in, per_out in ((2, 2, 1), (3, 1, 2), (2, 2, 2), (4, 1, 1)):
        H, W = (int(v) for v in rng.integers(3, 8, size=2))
        kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
        cases.append(_grouped_case(f"random, groups={groups}", random_array(rng, (groups * per_in, H, W)),
                                   random_array(rng, (groups * per_out, per_in, kh, kw)), groups))
    return cases + [
        _grouped_case("1x1 input", random_array(rng, (4, 1, 1)), random_array(rng, (2, 2, 1, 1)), 2),
        _grouped_case("integer input", random_array(rng, (4, 4, 4), "int64"), random_array(rng, (4, 2, 2, 2), "int64"), 2),
        _grouped_case("float32 input (the result stays float32)", random_array(rng, (2, 5, 4), "float32"),
                      random_array(rng, (2, 1, 3, 2), "float32"), 2),
    ]


def _interleaved(X, K, groups):
    """Groups taken as every groups-th channel instead of consecutive blocks."""
    X, K = np.asarray(X), np.asarray(K)
    c_in, c_out = X.shape[0] // groups, K.shape[0] // groups
    Y = np.empty((K.shape[0],) + corr2d(X[0], K[0, 0]).shape)
    for g in range(groups):
        Y[g::groups] = corr2d_multi_in_out(X[g::groups], K[g::groups])
    if c_in == 1 and c_out == 1:
        raise ValueError("with one channel per group both readings agree")
    return Y


CONV2D_GROUPED = Graded(
    name="conv2d_grouped",
    reference=conv2d_grouped,
    positional=("X", "K", "groups"),
    visible=_grouped_visible,
    hidden=_grouped_hidden,
    mistakes=(
        Mistake("groups are consecutive blocks of channels: group g is input channels "
                "g*C_in/groups ... (g+1)*C_in/groups - 1 and the same block of output channels", _interleaved),
    ),
    hint="cut X into `groups` consecutive blocks of channels and K into `groups` blocks of output channels; "
         "block g of the output is corr2d_multi_in_out(X block g, K block g)",
)


# --- depthwise_separable ------------------------------------------------------------------------

def _separable_case(label, X, K_depth, K_point) -> Case:
    return Case((("X", X), ("K_depth", K_depth), ("K_point", K_point)), label)


def _separable_visible() -> list[Case]:
    return [
        _separable_case("worked example: equal channels cancel", np.ones((2, 3, 3)), np.ones((2, 1, 2, 2)),
                        np.array([[[[1.0]], [[-1.0]]]])),
        _separable_case("two channels, two outputs", np.arange(18.0).reshape(2, 3, 3),
                        np.arange(8.0).reshape(2, 1, 2, 2) - 3, np.array([[[[1.0]], [[2.0]]], [[[0.5]], [[0.0]]]])),
    ]


def _separable_hidden(rng) -> list[Case]:
    cases = []
    for c_in, c_out in ((3, 2), (2, 4), (4, 4)):
        H, W = (int(v) for v in rng.integers(3, 8, size=2))
        kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
        cases.append(_separable_case("random", random_array(rng, (c_in, H, W)), random_array(rng, (c_in, 1, kh, kw)),
                                     random_array(rng, (c_out, c_in, 1, 1))))
    return cases + [
        _separable_case("1x1 input", random_array(rng, (2, 1, 1)), random_array(rng, (2, 1, 1, 1)),
                        random_array(rng, (3, 2, 1, 1))),
        _separable_case("integer input", random_array(rng, (2, 4, 4), "int64"), random_array(rng, (2, 1, 2, 2), "int64"),
                        random_array(rng, (2, 2, 1, 1), "int64")),
        _separable_case("float32 input (the result stays float32)", random_array(rng, (3, 5, 4), "float32"),
                        random_array(rng, (3, 1, 2, 2), "float32"), random_array(rng, (2, 3, 1, 1), "float32")),
    ]


def _depthwise_summed(X, K_depth, K_point):
    """The depthwise step done as a full convolution: every depthwise kernel sees every channel."""
    full = np.repeat(np.asarray(K_depth, dtype=float), np.shape(X)[0], axis=1)  # (C_in, C_in, kh, kw)
    return corr2d_multi_in_out(corr2d_multi_in_out(X, full), K_point)


DEPTHWISE_SEPARABLE = Graded(
    name="depthwise_separable",
    reference=depthwise_separable,
    positional=("X", "K_depth", "K_point"),
    visible=_separable_visible,
    hidden=_separable_hidden,
    mistakes=(
        Mistake("the depthwise step filters each channel on its own (groups = C_in): channel c with K_depth[c, 0], "
                "no sum over channels; the pointwise step mixes them afterwards", _depthwise_summed),
    ),
    hint="depthwise: Y1[c] = corr2d(X[c], K_depth[c, 0]) for every channel; pointwise: "
         "Y[o] = sum over c of K_point[o, c, 0, 0] * Y1[c]",
)


# --- corr2d_dilated -----------------------------------------------------------------------------

def _dilated_case(label, X, K, dilation, expected=None) -> Case:
    return Case((("X", X), ("K", K), ("dilation", dilation)), label, expected=expected)


def _dilated_visible() -> list[Case]:
    return [
        _dilated_case("worked example", np.arange(25).reshape(5, 5), np.ones((2, 2)), 2,
                      expected=floats([[24, 28, 32], [44, 48, 52], [64, 68, 72]])),
        _dilated_case("dilation 1 is corr2d", np.arange(12.0).reshape(3, 4), np.array([[1.0, -1.0]]), 1),
        _dilated_case("a pair: (rows, columns)", np.arange(30.0).reshape(5, 6), np.array([[1.0, 2.0], [3.0, 4.0]]), (1, 3)),
    ]


def _dilated_hidden(rng) -> list[Case]:
    cases = []
    for _ in range(4):
        dh, dw = (int(v) for v in rng.integers(1, 4, size=2))
        kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
        H, W = dh * (kh - 1) + int(rng.integers(1, 5)), dw * (kw - 1) + int(rng.integers(1, 5))
        dilation = dh if dh == dw else (dh, dw)
        cases.append(_dilated_case("random", random_array(rng, (H, W)), random_array(rng, (kh, kw)), dilation))
    return cases + [
        _dilated_case("dilated kernel as large as the input", random_array(rng, (5, 7)), random_array(rng, (3, 4)), 2),
        _dilated_case("integer input", random_array(rng, (6, 6), "int64"), random_array(rng, (2, 2), "int64"), 3),
        _dilated_case("float32 input (the result stays float32)", random_array(rng, (7, 5), "float32"),
                      random_array(rng, (2, 2), "float32"), (2, 1)),
    ]


CORR2D_DILATED = Graded(
    name="corr2d_dilated",
    reference=corr2d_dilated,
    positional=("X", "K", "dilation"),
    visible=_dilated_visible,
    hidden=_dilated_hidden,
    mistakes=(
        Mistake("dilation d puts the kernel taps d cells apart (d-1 cells between them), not d+1 apart",
                lambda X, K, dilation: corr2d_dilated(X, K, tuple(d + 1 for d in pair(dilation, "dilation")))),
        Mistake("a dilation pair is (rows, columns)",
                lambda X, K, dilation: corr2d_dilated(X, K, pair(dilation, "dilation")[::-1])),
    ),
    shape_hint=lambda expected, got, arguments: size_hint(
        expected, got, f"(H - dh*(kh-1), W - dw*(kw-1)) = {expected}"),
    hint="Y[i, j] = (X[i : i + dh*(kh-1) + 1 : dh, j : j + dw*(kw-1) + 1 : dw] * K).sum()",
)


# --- trans_conv ---------------------------------------------------------------------------------

def _trans_case(label, X, K, stride=None, expected=None) -> Case:
    return Case((("X", X), ("K", K)) + ((("stride", stride),) if stride else ()), label, expected=expected)


def _trans_visible() -> list[Case]:
    worked = ints([0, 1], [2, 3])
    return [
        _trans_case("worked example", worked, worked, expected=floats([[0, 0, 1], [0, 4, 6], [4, 12, 9]])),
        _trans_case("stride 2: the blocks tile", np.ones((2, 2)), np.ones((2, 2)), 2, expected=np.ones((4, 4))),
        _trans_case("stride 2, overlapping", np.arange(4.0).reshape(2, 2), np.arange(9.0).reshape(3, 3), 2),
    ]


def _trans_hidden(rng) -> list[Case]:
    cases = []
    for stride in (1, 2, 3, 1):
        H, W = (int(v) for v in rng.integers(1, 5, size=2))
        kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
        cases.append(_trans_case(f"random, stride {stride}", random_array(rng, (H, W)), random_array(rng, (kh, kw)),
                                 stride if stride > 1 else None))
    return cases + [
        _trans_case("1x1 input", random_array(rng, (1, 1)), random_array(rng, (2, 3))),
        _trans_case("integer input", random_array(rng, (3, 2), "int64"), random_array(rng, (2, 2), "int64"), 2),
        _trans_case("float32 input (the result stays float32)", random_array(rng, (2, 3), "float32"),
                    random_array(rng, (3, 2), "float32")),
    ]


TRANS_CONV = Graded(
    name="trans_conv",
    reference=trans_conv,
    positional=("X", "K"),
    visible=_trans_visible,
    hidden=_trans_hidden,
    mistakes=(
        Mistake("the kernel is rotated: the transposed convolution adds X[i, j] * K as it is onto the block "
                "at (i*s, j*s)", lambda X, K, stride=1: trans_conv(X, np.asarray(K)[::-1, ::-1], stride)),
        Mistake("the output ends with the last stamp, ((H-1)*s + kh, (W-1)*s + kw): the s-1 extra rows and "
                "columns are what output_padding adds, and trans_conv has none",
                lambda X, K, stride=1: np.pad(trans_conv(X, K, stride), ((0, stride - 1), (0, stride - 1)))),
    ),
    shape_hint=lambda expected, got, arguments: size_hint(
        expected, got, f"((H-1)*s + kh, (W-1)*s + kw) = {expected}"),
    hint="start from zeros ((H-1)*s + kh, (W-1)*s + kw) and add X[i, j] * K onto Y[i*s : i*s+kh, j*s : j*s+kw]",
)


# --- conv_matrix --------------------------------------------------------------------------------

def _matrix_case(label, K, shape, expected=None) -> Case:
    return Case((("K", K), ("input_shape", shape)), label, expected=expected)


def _matrix_visible() -> list[Case]:
    return [
        _matrix_case("worked example", ints([1, 2], [3, 4]), (2, 3),
                     expected=floats([[1, 2, 0, 3, 4, 0], [0, 1, 2, 0, 3, 4]])),
        _matrix_case("3x3 input, 2x2 kernel", np.arange(4.0).reshape(2, 2) + 1, (3, 3)),
    ]


def _matrix_hidden(rng) -> list[Case]:
    cases = []
    for _ in range(4):
        kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
        cases.append(_matrix_case("random", random_array(rng, (kh, kw)),
                                  (kh + int(rng.integers(0, 4)), kw + int(rng.integers(0, 4)))))
    return cases + [
        _matrix_case("kernel as large as the input", random_array(rng, (2, 3)), (2, 3)),
        _matrix_case("1x1 kernel", random_array(rng, (1, 1)), (2, 2)),
        _matrix_case("integer kernel", random_array(rng, (2, 2), "int64"), (3, 4)),
        _matrix_case("float32 kernel (the result stays float32)", random_array(rng, (2, 1), "float32"), (3, 2)),
    ]


def _matrix_shape(expected, got, arguments):
    if tuple(got) == tuple(expected)[::-1]:
        return f"the matrix is transposed: W is (oh*ow, H*W) = {expected}, one row per output cell"
    return f"W is (oh*ow, H*W) = {expected}: one row per output cell, one column per input cell"


CONV_MATRIX = Graded(
    name="conv_matrix",
    reference=conv_matrix,
    positional=("K", "input_shape"),
    visible=_matrix_visible,
    hidden=_matrix_hidden,
    mistakes=(
        Mistake("the kernel is rotated: row y*ow + x holds K as it is, placed at the window of output (y, x)",
                lambda K, input_shape: conv_matrix(np.asarray(K)[::-1, ::-1], input_shape)),
        Mistake("W is transposed: it maps the flattened input to the flattened output, (oh*ow, H*W); "
                "its transpose (H*W, oh*ow) goes back, as the transposed convolution",
                lambda K, input_shape: conv_matrix(K, input_shape).T),
    ),
    shape_hint=_matrix_shape,
    hint="row y*ow + x of W, reshaped to (H, W), is zero except K in the window starting at (y, x)",
)


# --- receptive_field ----------------------------------------------------------------------------

def _field_case(label, kernel_sizes, strides=None, dilations=None, expected=None) -> Case:
    values = (("kernel_sizes", kernel_sizes),)
    values += ((("strides", strides),) if strides is not None else ())
    values += ((("dilations", dilations),) if dilations is not None else ())
    return Case(values, label, expected=expected)


def _field_visible() -> list[Case]:
    return [
        _field_case("worked example: two 3x3 layers", [3, 3], expected=5),
        _field_case("a stride in the first layer", [3, 3, 3], [2, 1, 1], expected=11),
        _field_case("a dilated second layer", [3, 3], dilations=[1, 2], expected=7),
        _field_case("one layer", [5], expected=5),
    ]


def _field_hidden(rng) -> list[Case]:
    cases = []
    for _ in range(6):
        n = int(rng.integers(1, 6))
        kernels, strides, dilations = (rng.integers(1, top, size=n).tolist() for top in (6, 4, 3))
        cases.append(_field_case("random", kernels, strides, dilations))
    return cases + [_field_case("1x1 kernels", [1, 1, 1], [2, 2, 2])]


def _field(kernel_sizes, strides=None, dilations=None, *, jump_after=True, use_dilation=True):
    n = len(kernel_sizes)
    strides, dilations = strides or [1] * n, dilations or [1] * n
    field, jump = 1, 1
    for k, s, d in zip(kernel_sizes, strides, dilations):
        if not jump_after:
            jump *= s
        field += (d if use_dilation else 1) * (k - 1) * jump
        if jump_after:
            jump *= s
    return field


RECEPTIVE_FIELD = Graded(
    name="receptive_field",
    reference=receptive_field,
    positional=("kernel_sizes",),
    visible=_field_visible,
    hidden=_field_hidden,
    result="int",
    mistakes=(
        Mistake("a layer's own stride does not widen its own field: it multiplies the step of the layers after it",
                lambda *a, **k: _field(*a, **k, jump_after=False)),
        Mistake("the dilations are missing: a dilated layer adds d*(k-1) cells",
                lambda *a, **k: _field(*a, **k, use_dilation=False)),
        Mistake("the kernel sizes do not simply add up: each layer adds k-1 cells (times the dilation and the "
                "product of the earlier strides)", lambda kernel_sizes, **k: sum(kernel_sizes)),
    ),
    hint="r = 1 + sum over layers l of d_l*(k_l - 1) * (product of the strides of the layers before l)",
)


CHAPTER = Chapter(
    assignment="ch6_conv_variants",
    graded=(CONV2D_GROUPED, DEPTHWISE_SEPARABLE, CORR2D_DILATED, TRANS_CONV, CONV_MATRIX, RECEPTIVE_FIELD),
    widgets=(
        Widget("groups_diagram", ""),
        Widget("dilation_explorer", "corr2d_dilated"),
        Widget("transposed_stepper", "trans_conv"),
    ),
)
