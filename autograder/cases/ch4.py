"""Chapter 4, 1x1 convolution: ``corr2d_multi_in_out_1x1``, ``pointwise_as_linear``."""

from __future__ import annotations

import numpy as np
from solutions import corr2d_multi_in_out, corr2d_multi_in_out_1x1, pointwise_as_linear

from ..syllabus import Chapter, Widget
from .base import Case, Graded, Mistake, floats, random_array

GRAY = np.array([0.299, 0.587, 0.114])


# --- corr2d_multi_in_out_1x1 --------------------------------------------------------------------

def _one_by_one_visible() -> list[Case]:
    return [
        Case((("X", np.arange(8).reshape(2, 2, 2)), ("K", np.array([[[[1]], [[10]]]]))),
             "two channels mixed 1 : 10", expected=floats([[[40, 51], [62, 73]]])),
        Case((("X", np.arange(12.0).reshape(3, 2, 2)), ("K", GRAY.reshape(1, 3, 1, 1))), "RGB to gray"),
        Case((("X", np.arange(8.0).reshape(2, 2, 2)), ("K", np.array([[[[0.0]], [[1.0]]], [[[1.0]], [[0.0]]]]))),
             "swap two channels", expected=floats([[[4, 5], [6, 7]], [[0, 1], [2, 3]]])),
    ]


def _one_by_one_hidden(rng) -> list[Case]:
    cases = []
    for c_in, c_out in ((3, 2), (2, 4), (4, 4)):
        H, W = (int(v) for v in rng.integers(1, 8, size=2))
        cases.append(Case((("X", random_array(rng, (c_in, H, W))), ("K", random_array(rng, (c_out, c_in, 1, 1)))),
                          "random"))
    return cases + [
        Case((("X", random_array(rng, (3, 1, 1))), ("K", random_array(rng, (2, 3, 1, 1)))), "1x1 input"),
        Case((("X", random_array(rng, (1, 4, 5))), ("K", random_array(rng, (3, 1, 1, 1)))), "one input channel"),
        Case((("X", random_array(rng, (2, 3, 4), "int64")), ("K", random_array(rng, (2, 2, 1, 1), "int64"))),
             "integer input"),
        Case((("X", random_array(rng, (3, 4, 2), "float32")), ("K", random_array(rng, (2, 3, 1, 1), "float32"))),
             "float32 input (the result stays float32)"),
    ]


CORR2D_MULTI_IN_OUT_1X1 = Graded(
    name="corr2d_multi_in_out_1x1",
    reference=corr2d_multi_in_out_1x1,
    positional=("X", "K"),
    visible=_one_by_one_visible,
    hidden=_one_by_one_hidden,
    mistakes=(
        Mistake("the weight matrix is transposed: K[o, c] weighs input channel c in output channel o, "
                "so Y = K.reshape(C_out, C_in) @ X.reshape(C_in, H*W)",
                lambda X, K: corr2d_multi_in_out(X, np.swapaxes(K, 0, 1))),
    ),
    shape_hint=lambda expected, got, arguments: (
        f"the output is (C_out, H, W) = {expected}: reshape X to (C_in, H*W), multiply by "
        f"K.reshape(C_out, C_in), reshape the product back to (C_out, H, W)"),
    hint="Y = (K.reshape(C_out, C_in) @ X.reshape(C_in, H * W)).reshape(C_out, H, W)",
)


# --- pointwise_as_linear ------------------------------------------------------------------------

def _linear_visible() -> list[Case]:
    return [
        Case((("X", np.arange(12.0).reshape(1, 3, 2, 2)), ("W", GRAY[None]), ("b", np.zeros(1))), "RGB to gray"),
        Case((("X", np.arange(8).reshape(1, 2, 2, 2)), ("W", np.array([[1, 10], [0, 1]])), ("b", np.array([0.5, -1.0]))),
             "two outputs with biases", expected=floats([[[[40.5, 51.5], [62.5, 73.5]], [[3, 4], [5, 6]]]])),
    ]


def _linear_hidden(rng) -> list[Case]:
    cases = []
    for n, c_in, c_out in ((1, 3, 2), (2, 2, 3), (3, 4, 4)):
        H, W = (int(v) for v in rng.integers(1, 6, size=2))
        cases.append(Case((("X", random_array(rng, (n, c_in, H, W))), ("W", random_array(rng, (c_out, c_in))),
                           ("b", random_array(rng, (c_out,)))), "random"))
    return cases + [
        Case((("X", random_array(rng, (2, 3, 1, 1))), ("W", random_array(rng, (2, 3))), ("b", random_array(rng, (2,)))),
             "1x1 input"),
        Case((("X", random_array(rng, (1, 2, 3, 3), "int64")), ("W", random_array(rng, (3, 2), "int64")),
              ("b", random_array(rng, (3,), "int64"))), "integer input"),
        Case((("X", random_array(rng, (2, 3, 2, 4), "float32")), ("W", random_array(rng, (2, 3), "float32")),
              ("b", random_array(rng, (2,), "float32"))), "float32 input (the result stays float32)"),
    ]


POINTWISE_AS_LINEAR = Graded(
    name="pointwise_as_linear",
    reference=pointwise_as_linear,
    positional=("X", "W", "b"),
    visible=_linear_visible,
    hidden=_linear_hidden,
    mistakes=(
        Mistake("the bias is missing: every pixel's channel vector x becomes W @ x + b",
                lambda X, W, b: pointwise_as_linear(X, W)),
        Mistake("W is (C_out, C_in): each pixel's x becomes W @ x, that is x @ W.T, not x @ W",
                lambda X, W, b: pointwise_as_linear(X, np.asarray(W).T, b)),
    ),
    shape_hint=lambda expected, got, arguments: (
        f"the output is (N, C_out, H, W) = {expected}: move the channels last, (N, H, W, C_in) @ W.T + b, "
        f"and move them back"),
    hint="move the channels last, apply the layer to every pixel, move them back: "
         "np.moveaxis(np.moveaxis(X, 1, -1) @ W.T + b, -1, 1)",
)


CHAPTER = Chapter(
    assignment="ch4_one_by_one",
    graded=(CORR2D_MULTI_IN_OUT_1X1, POINTWISE_AS_LINEAR),
    widgets=(
        Widget("channel_mixer", "corr2d_multi_in_out_1x1"),
    ),
)
