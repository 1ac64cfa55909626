"""Typical wrong implementations: partial credit, and a hint that names the mistake.

Each implementation below is written the way a student would get it wrong. Graded with every
case (hidden ones included), it must score strictly between 0 and full points (the cases the
slip does not affect still pass) and the feedback must name the slip.
"""

from __future__ import annotations

import numpy as np
import pytest
from student_code import naive

from autograder import check

corr2d = naive.corr2d


def _loops(X, K, rows, columns):
    """corr2d whose loops run over ``rows`` and ``columns`` (given as functions of H-kh, W-kw)."""
    X, K = np.asarray(X), np.asarray(K)
    h, w = K.shape
    Y = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(rows(X.shape[0] - h)):
        for j in range(columns(X.shape[1] - w)):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


def corr2d_rotated(X, K):
    return corr2d(X, np.asarray(K)[::-1, ::-1])


def corr2d_loops_one_short(X, K):
    return _loops(X, K, rows=lambda n: n, columns=lambda n: n)


def convolve2d_not_rotated(X, K):
    return corr2d(X, K)


def convolve2d_rows_only(X, K):
    return corr2d(X, np.asarray(K)[::-1])


class Conv2DWithoutBias(naive.Conv2D):
    def __call__(self, X):
        return corr2d(X, self.weight)


def learn_kernel_without_2(X, Y, kernel_shape, lr=0.03, steps=20):
    K = np.zeros(kernel_shape)
    for _ in range(steps):
        K -= lr * corr2d(X, corr2d(X, K) - Y)
    return K


def output_size_ceil(n, k, padding=0, stride=1, dilation=1):
    return -(-(n + 2 * padding - dilation * (k - 1) - 1) // stride) + 1


def output_size_padding_once(n, k, padding=0, stride=1, dilation=1):
    return (n + padding - dilation * (k - 1) - 1) // stride + 1


def output_size_no_dilation(n, k, padding=0, stride=1, dilation=1):
    return (n + 2 * padding - k) // stride + 1


def pad2d_torch_order(X, padding, mode="zeros"):
    if isinstance(padding, tuple) and len(padding) == 4:
        left, right, top, bottom = padding
        padding = (top, bottom, left, right)
    return naive.pad2d(X, padding, mode)


def pad2d_pair_as_total(X, padding, mode="zeros"):
    if isinstance(padding, tuple) and len(padding) == 2:
        ph, pw = padding
        padding = (ph // 2, ph - ph // 2, pw // 2, pw - pw // 2)
    return naive.pad2d(X, padding, mode)


def pad2d_one_side(X, padding, mode="zeros"):
    top, bottom, left, right = naive.sides(padding)
    return naive.pad2d(X, (top + bottom, 0, left + right, 0), mode)


def pad2d_symmetric(X, padding, mode="zeros"):
    if mode != "reflect":
        return naive.pad2d(X, padding, mode)
    top, bottom, left, right = naive.sides(padding)
    return np.pad(np.asarray(X, dtype=float), ((top, bottom), (left, right)), mode="symmetric")


def pad_stride_on_the_input(X, K, padding=0, stride=1, padding_mode="zeros"):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    return corr2d(naive.pad2d(X, (ph, pw), padding_mode)[::sh, ::sw], K)


def pad_stride_one_side(X, K, padding=0, stride=1, padding_mode="zeros"):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    Xp = naive.pad2d(X, (2 * ph, 0, 2 * pw, 0), padding_mode)
    return naive.corr2d_pad_stride(Xp, K, 0, stride)


def same_padding_extra_before(k, dilation=1):
    total = dilation * (k - 1)
    return total - total // 2, total // 2


def _per_axis(k, dilation):
    """Return ((kh, kw), (dh, dw)) from ints, pairs or lists."""
    return tuple(np.broadcast_to(value, 2).tolist() for value in (k, dilation))


def same_padding_four_numbers(k, dilation=1):
    if np.ndim(k) == 0 and np.ndim(dilation) == 0:
        return naive.same_padding(k, dilation)
    (kh, kw), (dh, dw) = _per_axis(k, dilation)
    return naive.same_padding(kh, dh) + naive.same_padding(kw, dw)


def same_padding_dilation_swapped(k, dilation=1):
    if np.ndim(k) == 0 and np.ndim(dilation) == 0:
        return naive.same_padding(k, dilation)
    (kh, kw), (dh, dw) = _per_axis(k, dilation)
    return naive.same_padding(kh, dw), naive.same_padding(kw, dh)


def multi_in_overwrites(X, K):
    for x, k in zip(X, K):
        Y = corr2d(x, k)  # should be Y += ...
    return Y


def multi_in_not_summed(X, K):
    return np.stack([corr2d(x, k) for x, k in zip(X, K)])


def multi_in_out_overwrites(X, K):
    return np.stack([multi_in_overwrites(X, k) for k in K])


def params_without_bias(c_in, c_out, kh, kw, groups=1, bias=True):
    return c_out * (c_in // groups) * kh * kw


def params_without_groups(c_in, c_out, kh, kw, groups=1, bias=True):
    return c_out * c_in * kh * kw + (c_out if bias else 0)


def macs_without_groups(c_in, c_out, kh, kw, oh, ow, groups=1):
    return c_in * c_out * kh * kw * oh * ow


def pool2d_always_max(X, pool_size, mode="max"):
    return naive.pool2d(X, pool_size, "max")


def pool2d_strided_stride_one(X, pool_size, stride=None, padding=0, mode="max"):
    return naive.pool2d_strided(X, pool_size, 1 if stride is None else stride, padding, mode)


def pool2d_strided_zero_padding(X, pool_size, stride=None, padding=0, mode="max"):
    X = np.pad(naive.as_float(X), ((0, 0), (padding, padding), (padding, padding)))
    return naive.pool2d_strided(X, pool_size, stride, 0, mode)


def pool2d_strided_avg_of_real_cells(X, pool_size, stride=None, padding=0, mode="max"):
    counted = naive.pool2d_strided(X, pool_size, stride, padding, mode)
    if mode != "avg":
        return counted
    # Dividing by the real cells of each window only: count_include_pad=False.
    real = naive.pool2d_strided(np.ones(np.shape(X)), pool_size, stride, padding, "avg")
    return counted / real


def trans_conv_with_output_padding(X, K, stride=1):
    return np.pad(naive.trans_conv(X, K, stride), ((0, stride - 1), (0, stride - 1)))


def conv_matrix_transposed(K, input_shape):
    return naive.conv_matrix(K, input_shape).T


def trans_conv_rotated(X, K, stride=1):
    return naive.trans_conv(X, np.asarray(K)[::-1, ::-1], stride)


def receptive_field_stride_too_early(kernel_sizes, strides=None, dilations=None):
    strides = strides or [1] * len(kernel_sizes)
    dilations = dilations or [1] * len(kernel_sizes)
    field, jump = 1, 1
    for k, s, d in zip(kernel_sizes, strides, dilations):
        jump *= s
        field += d * (k - 1) * jump
    return field


def pointwise_without_bias(X, W, b):
    return naive.pointwise_as_linear(X, W, np.zeros(len(b)))


def grouped_interleaved(X, K, groups):
    X, K = np.asarray(X), np.asarray(K)
    out = np.zeros((K.shape[0],) + corr2d(X[0], K[0, 0]).shape)
    for g in range(groups):
        out[g::groups] = naive.corr2d_multi_in_out(X[g::groups], K[g::groups])
    return out


def conv_matrix_rotated(K, input_shape):
    return naive.conv_matrix(np.asarray(K)[::-1, ::-1], input_shape)


PARTIAL = [
    ("corr2d", corr2d_rotated, "you rotated the kernel by 180 degrees: that is convolve2d, not corr2d"),
    ("corr2d", corr2d_loops_one_short, "the last row or column of the output is never filled"),
    ("convolve2d", convolve2d_not_rotated, "the kernel is not rotated: that is corr2d"),
    ("convolve2d", convolve2d_rows_only, "you flipped only the rows of K"),
    ("Conv2D", Conv2DWithoutBias, "the bias is missing"),
    ("learn_kernel", learn_kernel_without_2, "the gradient misses its factor 2"),
    ("output_size", output_size_ceil, "you rounded up; the formula floors"),
    ("output_size", output_size_padding_once, "padding counts per side"),
    ("output_size", output_size_no_dilation, "the dilation is missing"),
    ("pad2d", pad2d_torch_order, "a 4-tuple is (top, bottom, left, right)"),
    ("pad2d", pad2d_pair_as_total, "(ph, pw) counts per side"),
    ("pad2d", pad2d_one_side, "the padding is applied on one side only"),
    ("pad2d", pad2d_symmetric, "reflect mirrors about the edge without repeating it"),
    ("corr2d_pad_stride", pad_stride_on_the_input, "the stride was applied to the input"),
    ("corr2d_pad_stride", pad_stride_one_side, "the padding is applied on one side only"),
    ("same_padding", same_padding_extra_before, "the extra cell of an odd total goes after"),
    ("same_padding", same_padding_four_numbers, "for a pair k, return one (before, after) pair per axis"),
    ("same_padding", same_padding_dilation_swapped, "a dilation pair is (rows, columns)"),
    ("corr2d_multi_in", multi_in_overwrites, "only the last channel counts"),
    ("corr2d_multi_in_out", multi_in_out_overwrites, "only the last input channel counts"),
    ("conv2d_params", params_without_bias, "the biases are missing"),
    ("conv2d_params", params_without_groups, "groups is ignored"),
    ("conv2d_macs", macs_without_groups, "groups is ignored"),
    ("pointwise_as_linear", pointwise_without_bias, "the bias is missing"),
    ("pool2d", pool2d_always_max, "max and avg are swapped (or mode is ignored)"),
    ("pool2d_strided", pool2d_strided_stride_one, "the stride defaults to the window size"),
    ("pool2d_strided", pool2d_strided_zero_padding, "max pooling pads with -inf"),
    ("conv2d_grouped", grouped_interleaved, "groups are consecutive blocks of channels"),
    ("pool2d_strided", pool2d_strided_avg_of_real_cells, "average pooling counts the padded zeros"),
    ("trans_conv", trans_conv_rotated, "the kernel is rotated"),
    ("trans_conv", trans_conv_with_output_padding, "the output ends with the last stamp"),
    ("conv_matrix", conv_matrix_transposed, "W is transposed"),
    ("conv_matrix", conv_matrix_rotated, "the kernel is rotated"),
    ("receptive_field", receptive_field_stride_too_early, "a layer's own stride does not widen its own field"),
]


@pytest.mark.parametrize("name, wrong, hint", PARTIAL, ids=[w.__name__ for _, w, _ in PARTIAL])
def test_a_typical_mistake_gets_partial_credit_and_its_hint(name, wrong, hint, capsys, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_ALL_CASES", "1")
    score = check(name, wrong, points=4)
    out, err = capsys.readouterr()
    assert err == ""
    assert 0 < score < 4, out
    assert f"hint: {hint}" in out, out


ZERO = [
    ("corr2d", lambda X, K: corr2d(X, K)[:-1, :-1], "one row or column short: the output is (H-kh+1, W-kw+1)"),
    ("corr2d_multi_in", multi_in_not_summed, "the channels are not summed"),
    ("output_size", lambda n, k, padding=0, stride=1, dilation=1: (n + 2 * padding - dilation * (k - 1) - 1) / stride + 1,
     "use // for a floor division"),
]


@pytest.mark.parametrize("name, wrong, hint", ZERO, ids=["corr2d_short_output", "multi_in_not_summed", "output_size_slash"])
def test_a_mistake_that_fails_every_case_still_gets_its_hint(name, wrong, hint, capsys, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_ALL_CASES", "1")
    score = check(name, wrong, points=4)
    out, err = capsys.readouterr()
    assert err == ""
    assert score == 0.0 and hint in out, out
