"""Chapter 5, pooling: ``pool2d``, ``pool2d_strided``.

``pool_size`` is passed as a pair ``(ph, pw)``; ``stride`` and ``padding`` as ints.
"""

from __future__ import annotations

import numpy as np
from solutions import avg_pool2d, pool2d, pool2d_strided

from ..syllabus import Chapter, Widget
from .base import Case, Graded, Mistake, floats, random_array, size_hint

# --- pool2d -------------------------------------------------------------------------------------


def _pool_case(label, X, size, mode=None, expected=None) -> Case:
    values = (("X", X), ("pool_size", size)) + ((("mode", mode),) if mode else ())
    return Case(values, label, expected=expected)


def _pool2d_visible() -> list[Case]:
    X = np.arange(9).reshape(3, 3)
    return [
        _pool_case("worked example, max", X, (2, 2), expected=floats([[4, 5], [7, 8]])),
        _pool_case("worked example, avg", X, (2, 2), "avg", expected=floats([[2, 3], [5, 6]])),
        _pool_case("non-square window", np.arange(12.0).reshape(3, 4) % 5, (1, 3), "max"),
    ]


def _pool2d_hidden(rng) -> list[Case]:
    cases = []
    for mode in ("max", "avg", "max", "avg"):
        H, W = (int(v) for v in rng.integers(2, 9, size=2))
        size = (int(rng.integers(1, min(H, 4) + 1)), int(rng.integers(1, min(W, 4) + 1)))
        cases.append(_pool_case(f"random, {mode}", random_array(rng, (H, W)), size, mode))
    return cases + [
        _pool_case("negative values, max", -np.abs(random_array(rng, (4, 5))), (2, 2), "max"),
        _pool_case("1x1 input", random_array(rng, (1, 1)), (1, 1), "avg"),
        _pool_case("window as large as the input", random_array(rng, (3, 4)), (3, 4), "max"),
        _pool_case("integer input", random_array(rng, (4, 4), "int64"), (2, 3), "avg"),
        _pool_case("float32 input (the result stays float32)", random_array(rng, (5, 4), "float32"), (2, 2), "avg"),
    ]


def _other_mode(X, pool_size, mode="max"):
    return pool2d(X, pool_size, "avg" if mode == "max" else "max")


POOL2D = Graded(
    name="pool2d",
    reference=pool2d,
    positional=("X", "pool_size"),
    visible=_pool2d_visible,
    hidden=_pool2d_hidden,
    mistakes=(
        Mistake("max and avg are swapped (or mode is ignored): mode='max' takes the largest value of the "
                "window, mode='avg' its mean", _other_mode),
    ),
    shape_hint=lambda expected, got, arguments: size_hint(expected, got, f"(H-ph+1, W-pw+1) = {expected}"),
    hint="Y[i, j] = X[i:i+ph, j:j+pw].max() (or .mean() for mode='avg'), stride 1",
)


# --- pool2d_strided -----------------------------------------------------------------------------

def _strided_case(label, X, size, expected=None, **params) -> Case:
    return Case((("X", X), ("pool_size", size)) + tuple(params.items()), label, expected=expected)


def _strided_visible() -> list[Case]:
    X = np.arange(16).reshape(1, 4, 4)
    return [
        _strided_case("worked example: 3x3 window, stride 2, padding 1", X, (3, 3), stride=2, padding=1,
                      expected=floats([[[5, 7], [13, 15]]])),
        _strided_case("the stride defaults to the window", X, (2, 2), expected=floats([[[5, 7], [13, 15]]])),
        _strided_case("avg counts the padded zeros", X, (3, 3), stride=2, padding=1, mode="avg"),
        _strided_case("two channels, pooled separately", np.stack([X[0], -X[0]]), (2, 2), stride=1),
    ]


def _strided_hidden(rng) -> list[Case]:
    cases = []
    for mode in ("max", "avg", "max", "avg"):
        C, H, W = int(rng.integers(1, 4)), int(rng.integers(3, 9)), int(rng.integers(3, 9))
        k = int(rng.integers(1, 4))
        params = dict(stride=int(rng.integers(1, 4)), padding=int(rng.integers(0, k // 2 + 1)), mode=mode)
        cases.append(_strided_case(f"random, {mode}", random_array(rng, (C, H, W)), (k, k), **params))
    return cases + [
        _strided_case("default stride, non-square window", random_array(rng, (2, 6, 7)), (2, 3)),
        _strided_case("negative values, max with padding", -np.abs(random_array(rng, (2, 5, 5))), (3, 3),
                      stride=2, padding=1),
        _strided_case("1x1 input", random_array(rng, (2, 1, 1)), (1, 1)),
        _strided_case("integer input", random_array(rng, (2, 5, 4), "int64"), (2, 2), stride=1, mode="avg"),
        _strided_case("float32 input (the result stays float32)", random_array(rng, (2, 6, 6), "float32"), (2, 2),
                      padding=1, mode="avg"),
    ]


def _stride_one(X, pool_size, stride=None, padding=0, mode="max"):
    return pool2d_strided(X, pool_size, 1 if stride is None else stride, padding, mode)


def _zero_padded_max(X, pool_size, stride=None, padding=0, mode="max"):
    if mode != "max" or not padding:
        raise ValueError("only max pooling with padding pads differently")
    return pool2d_strided(np.pad(np.asarray(X, float), ((0, 0), (padding, padding), (padding, padding))),
                          pool_size, stride, 0, mode)


def _excluding_padding(X, pool_size, stride=None, padding=0, mode="max"):
    if mode != "avg" or not padding:
        raise ValueError("only average pooling with padding can leave the padding out")
    return avg_pool2d(np.asarray(X, float), pool_size, stride, padding, count_include_pad=False)


POOL2D_STRIDED = Graded(
    name="pool2d_strided",
    reference=pool2d_strided,
    positional=("X", "pool_size"),
    visible=_strided_visible,
    hidden=_strided_hidden,
    mistakes=(
        Mistake("the stride defaults to the window size (stride=None means stride = pool_size), not to 1", _stride_one),
        Mistake("max pooling pads with -inf, so that padding never wins; zeros beat negative values",
                _zero_padded_max),
        Mistake("average pooling counts the padded zeros (PyTorch's count_include_pad=True): divide by ph*pw",
                _excluding_padding),
    ),
    shape_hint=lambda expected, got, arguments: size_hint(
        expected, got, f"(C, floor((H + 2p - ph) / s) + 1, floor((W + 2p - pw) / s) + 1) = {expected}"),
    hint="pad each channel (-inf for max, 0 for avg), then pool windows that start every `stride` cells",
)


CHAPTER = Chapter(
    assignment="ch5_pooling",
    graded=(POOL2D, POOL2D_STRIDED),
    widgets=(
        Widget("pooling_explorer", "pool2d_strided"),
    ),
)
