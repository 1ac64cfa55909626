"""Chapter 3, channels: ``corr2d_multi_in``, ``corr2d_multi_in_out``, ``conv2d_params``, ``conv2d_macs``."""

from __future__ import annotations

import numpy as np
from solutions import conv2d_macs, conv2d_params, corr2d, corr2d_multi_in, corr2d_multi_in_out

from ..syllabus import Chapter, Widget
from .base import Case, Graded, Mistake, floats, ints, random_array

X_WORKED = ints([[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]])
K_WORKED = ints([[0, 1], [2, 3]], [[1, 2], [3, 4]])


def _sizes(rng, channels: int):
    H, W = (int(v) for v in rng.integers(3, 9, size=2))
    kh, kw = int(rng.integers(1, min(H, 3) + 1)), int(rng.integers(1, min(W, 3) + 1))
    return (channels, H, W), (kh, kw)


# --- corr2d_multi_in ----------------------------------------------------------------------------

def _multi_in_visible() -> list[Case]:
    return [
        Case((("X", X_WORKED), ("K", K_WORKED)), "worked example", expected=floats([[56, 72], [104, 120]])),
        Case((("X", X_WORKED[:1]), ("K", K_WORKED[:1])), "one channel: the same as corr2d",
             expected=floats([[19, 25], [37, 43]])),
    ]


def _multi_in_hidden(rng) -> list[Case]:
    cases = []
    for channels in (2, 3, 4):
        x_shape, k_shape = _sizes(rng, channels)
        cases.append(Case((("X", random_array(rng, x_shape)), ("K", random_array(rng, (channels,) + k_shape))), "random"))
    cases += [
        Case((("X", random_array(rng, (3, 1, 1))), ("K", random_array(rng, (3, 1, 1)))), "1x1 input"),
        Case((("X", random_array(rng, (2, 3, 5))), ("K", random_array(rng, (2, 3, 5)))), "kernel as large as the input"),
        Case((("X", random_array(rng, (3, 5, 4), "int64")), ("K", random_array(rng, (3, 2, 2), "int64"))),
             "integer input"),
        Case((("X", random_array(rng, (2, 6, 5), "float32")), ("K", random_array(rng, (2, 3, 2), "float32"))),
             "float32 input (the result stays float32)"),
    ]
    return cases


def _per_channel(X, K):
    return np.stack([corr2d(x, k) for x, k in zip(X, K)])


def _multi_in_shape(expected, got, arguments):
    C = len(arguments["X"])
    if tuple(got) == (C,) + tuple(expected):
        return "the channels are not summed: add the C per-channel correlations into one (oh, ow) output"
    return f"the output is one (H-kh+1, W-kw+1) = {expected} map, summed over the channels"


CORR2D_MULTI_IN = Graded(
    name="corr2d_multi_in",
    reference=corr2d_multi_in,
    positional=("X", "K"),
    visible=_multi_in_visible,
    hidden=_multi_in_hidden,
    mistakes=(
        Mistake("the channels are not summed: add the C per-channel correlations into one (oh, ow) output",
                _per_channel),
        Mistake("only the first channel is used: sum corr2d(X[c], K[c]) over every channel c",
                lambda X, K: corr2d(X[0], K[0])),
        Mistake("only the last channel counts: the output is overwritten for each channel instead of "
                "accumulated (Y += corr2d(X[c], K[c]))", lambda X, K: corr2d(X[-1], K[-1])),
        Mistake("the channels are averaged; they are summed", lambda X, K: _per_channel(X, K).mean(axis=0)),
    ),
    shape_hint=_multi_in_shape,
    hint="Y = sum over c of corr2d(X[c], K[c]): each input channel with its own kernel slice, then added up",
)


# --- corr2d_multi_in_out ------------------------------------------------------------------------

def _multi_in_out_visible() -> list[Case]:
    return [
        Case((("X", X_WORKED), ("K", np.stack([K_WORKED, K_WORKED + 1, K_WORKED + 2]))),
             "worked example: K, K+1, K+2 stacked",
             expected=floats([[[56, 72], [104, 120]], [[76, 100], [148, 172]], [[96, 128], [192, 224]]])),
        Case((("X", X_WORKED), ("K", K_WORKED[None])), "one output channel"),
    ]


def _multi_in_out_hidden(rng) -> list[Case]:
    cases = []
    for c_in, c_out in ((2, 3), (3, 2), (3, 3)):
        x_shape, k_shape = _sizes(rng, c_in)
        cases.append(Case((("X", random_array(rng, x_shape)), ("K", random_array(rng, (c_out, c_in) + k_shape))),
                          "random"))
    cases += [
        Case((("X", random_array(rng, (2, 1, 1))), ("K", random_array(rng, (3, 2, 1, 1)))), "1x1 input"),
        Case((("X", random_array(rng, (1, 4, 3))), ("K", random_array(rng, (2, 1, 4, 3)))), "kernel as large as the input"),
        Case((("X", random_array(rng, (2, 5, 4), "int64")), ("K", random_array(rng, (2, 2, 2, 2), "int64"))),
             "integer input"),
        Case((("X", random_array(rng, (3, 5, 6), "float32")), ("K", random_array(rng, (2, 3, 2, 3), "float32"))),
             "float32 input (the result stays float32)"),
    ]
    return cases


def _multi_in_out_shape(expected, got, arguments):
    C_out, C_in = np.shape(arguments["K"])[:2]
    if tuple(got) == (C_out, C_in) + tuple(expected[1:]):
        return "the input channels are not summed: each output channel is corr2d_multi_in(X, K[o])"
    return f"the output is (C_out, oh, ow) = {expected}: one map per kernel K[o]"


CORR2D_MULTI_IN_OUT = Graded(
    name="corr2d_multi_in_out",
    reference=corr2d_multi_in_out,
    positional=("X", "K"),
    visible=_multi_in_out_visible,
    hidden=_multi_in_out_hidden,
    mistakes=(
        Mistake("the input channels are not summed: each output channel is corr2d_multi_in(X, K[o])",
                lambda X, K: np.stack([_per_channel(X, k) for k in K])),
        Mistake("only the last input channel counts: each output channel sums corr2d(X[c], K[o, c]) "
                "over every input channel c (accumulate, don't overwrite)",
                lambda X, K: np.stack([corr2d(X[-1], k[-1]) for k in K])),
        Mistake("K is (C_out, C_in, kh, kw): output channel o uses K[o], not K[:, o]",
                lambda X, K: corr2d_multi_in_out(X, np.swapaxes(K, 0, 1))),
    ),
    shape_hint=_multi_in_out_shape,
    hint="stack one output channel per kernel: Y[o] = corr2d_multi_in(X, K[o])",
)


# --- conv2d_params ------------------------------------------------------------------------------

def _params_case(label, c_in, c_out, kh, kw, expected=None, **options) -> Case:
    values = (("c_in", c_in), ("c_out", c_out), ("kh", kh), ("kw", kw)) + tuple(options.items())
    return Case(values, label, expected=expected)


def _params_visible() -> list[Case]:
    return [
        _params_case("RGB input, 64 filters", 3, 64, 3, 3, expected=1792),
        _params_case("depthwise, no bias", 64, 64, 3, 3, expected=576, groups=64, bias=False),
        _params_case("no bias", 16, 32, 5, 5, expected=12800, bias=False),
    ]


def _params_hidden(rng) -> list[Case]:
    cases = []
    for _ in range(6):
        groups = int(rng.choice([1, 1, 2, 4]))
        c_in, c_out = groups * int(rng.integers(1, 9)), groups * int(rng.integers(1, 9))
        kh, kw = (int(v) for v in rng.integers(1, 8, size=2))
        cases.append(_params_case("random", c_in, c_out, kh, kw, groups=groups, bias=bool(rng.integers(0, 2))))
    return cases + [_params_case("1x1 kernel", 7, 5, 1, 1), _params_case("grouped, bias", 6, 9, 3, 1, groups=3)]


def _params(c_in, c_out, kh, kw, groups=1, bias=True, *, per_group=None, biases=None):
    weights = c_out * (c_in // groups if per_group is None else per_group(c_in, groups)) * kh * kw
    return weights + ((c_out if biases is None else biases(c_in, c_out)) if bias else 0)


CONV2D_PARAMS = Graded(
    name="conv2d_params",
    reference=conv2d_params,
    positional=("c_in", "c_out", "kh", "kw"),
    visible=_params_visible,
    hidden=_params_hidden,
    result="int",
    mistakes=(
        Mistake("the biases are missing: one per output channel, c_out in all, when bias=True",
                lambda *a, **o: _params(*a, **o, biases=lambda c_in, c_out: 0)),
        Mistake("groups is ignored: each filter sees c_in/groups input channels",
                lambda *a, **o: _params(*a, **o, per_group=lambda c_in, g: c_in)),
        Mistake("groups is applied twice: the weights are (c_out, c_in/groups, kh, kw), c_out is not divided",
                lambda c_in, c_out, kh, kw, groups=1, bias=True:
                (c_out // groups) * (c_in // groups) * kh * kw + (c_out if bias else 0)),
        Mistake("one bias per output channel (c_out), not per input channel",
                lambda *a, **o: _params(*a, **o, biases=lambda c_in, c_out: c_in)),
    ),
    hint="weights (c_out, c_in/groups, kh, kw), plus c_out biases when bias=True",
)


# --- conv2d_macs --------------------------------------------------------------------------------

def _macs_case(label, c_in, c_out, kh, kw, oh, ow, expected=None, **options) -> Case:
    values = (("c_in", c_in), ("c_out", c_out), ("kh", kh), ("kw", kw), ("oh", oh), ("ow", ow)) + tuple(options.items())
    return Case(values, label, expected=expected)


def _macs_visible() -> list[Case]:
    return [
        _macs_case("worked example", 100, 100, 5, 5, 64, 64, expected=1_024_000_000),
        _macs_case("depthwise", 64, 64, 3, 3, 56, 56, expected=1_806_336, groups=64),
    ]


def _macs_hidden(rng) -> list[Case]:
    cases = []
    for _ in range(6):
        groups = int(rng.choice([1, 2, 3]))
        c_in, c_out = groups * int(rng.integers(1, 17)), groups * int(rng.integers(1, 17))
        kh, kw, oh, ow = (int(v) for v in rng.integers(1, 30, size=4))
        cases.append(_macs_case("random", c_in, c_out, kh, kw, oh, ow, groups=groups))
    return cases + [_macs_case("1x1 everything", 1, 1, 1, 1, 1, 1), _macs_case("grouped", 8, 4, 3, 3, 10, 7, groups=4)]


CONV2D_MACS = Graded(
    name="conv2d_macs",
    reference=conv2d_macs,
    positional=("c_in", "c_out", "kh", "kw", "oh", "ow"),
    visible=_macs_visible,
    hidden=_macs_hidden,
    result="int",
    mistakes=(
        Mistake("groups is ignored: with groups, each output sums only (c_in/groups)*kh*kw products",
                lambda c_in, c_out, kh, kw, oh, ow, groups=1: c_in * c_out * kh * kw * oh * ow),
        Mistake("you divided with /, which gives a float; the count is an int: use //",
                lambda c_in, c_out, kh, kw, oh, ow, groups=1: c_in * c_out * kh * kw * oh * ow / groups),
        Mistake("groups is applied twice: divide by groups once",
                lambda c_in, c_out, kh, kw, oh, ow, groups=1: c_in * c_out * kh * kw * oh * ow // groups**2),
        Mistake("the output size is missing: each of the c_out*oh*ow outputs costs (c_in/groups)*kh*kw MACs",
                lambda c_in, c_out, kh, kw, oh, ow, groups=1: c_in * c_out * kh * kw // groups),
    ),
    hint="c_in*c_out*kh*kw*oh*ow // groups: every output cell sums (c_in/groups)*kh*kw products",
)


CHAPTER = Chapter(
    assignment="ch3_channels",
    graded=(CORR2D_MULTI_IN, CORR2D_MULTI_IN_OUT, CONV2D_PARAMS, CONV2D_MACS),
    widgets=(
        Widget("channel_explorer", "corr2d_multi_in_out"),
    ),
)
