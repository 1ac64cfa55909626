"""How much padding each mode allows: `pad` and `pad2d` refuse exactly what `F.pad` refuses.

Reflection excludes the edge, so an axis of size n can give at most n-1 cells per side;
circular padding may wrap around once, n cells per side; zeros and replicate accept any amount.
Beyond those limits `solutions` raises ValueError whose message names the argument (`pad` for
`pad`, `padding` for `pad2d`) and the amounts and size that do not fit. Non-negative amounts
only: negative (cropping) amounts are covered by the parity tests of `pad`.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import solutions

SIDES = ("top", "bottom", "left", "right")


def image(h: int, w: int) -> np.ndarray:
    return np.arange(h * w, dtype=np.float64).reshape(h, w)


def torch_pad2d(X: np.ndarray, sides, mode: str) -> np.ndarray:
    """F.pad of a (H, W) image by (top, bottom, left, right), in pad2d's mode names."""
    top, bottom, left, right = sides
    mode = "constant" if mode == "zeros" else mode
    return F.pad(torch.from_numpy(X)[None], (left, right, top, bottom), mode=mode)[0].numpy()


def one_side(side: str, amount: int) -> tuple:
    return tuple(amount if s == side else 0 for s in SIDES)


# On a 3x3 image: reflect gives at most 2 cells a side, circular at most 3; one more is refused.
LIMITS = [("reflect", 3, True), ("reflect", 2, False), ("circular", 4, True), ("circular", 3, False)]


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("mode, amount, raises", LIMITS, ids=[f"{m}-{a}" for m, a, _ in LIMITS])
def test_reflect_and_circular_padding_stop_at_their_limit(mode, amount, raises, side):
    X, sides = image(3, 3), one_side(side, amount)
    if not raises:
        np.testing.assert_array_equal(solutions.pad2d(X, sides, mode=mode), torch_pad2d(X, sides, mode))
        return
    with pytest.raises(ValueError, match=rf"padding.*{mode}.*\(({amount}, 0|0, {amount})\).*size 3"):
        solutions.pad2d(X, sides, mode=mode)
    with pytest.raises(RuntimeError):
        torch_pad2d(X, sides, mode)


@pytest.mark.parametrize("mode", ["zeros", "replicate"])
def test_zeros_and_replicate_accept_any_amount(mode):
    X = image(2, 3)
    sides = (5, 0, 7, 6)
    np.testing.assert_array_equal(solutions.pad2d(X, sides, mode=mode), torch_pad2d(X, sides, mode))


@pytest.mark.parametrize("mode, amount", [("reflect", 3), ("circular", 4)])
def test_pad_names_its_argument_pad(mode, amount):
    # F.pad's argument order: (left, right, top, bottom) on the last two axes.
    x = image(3, 3)[None, None]
    with pytest.raises(ValueError, match=rf"^pad\b.*{mode}.*\(0, {amount}\).*size 3"):
        solutions.pad(x, (0, 0, 0, amount), mode=mode)
    with pytest.raises(RuntimeError):
        F.pad(torch.from_numpy(x), (0, 0, 0, amount), mode=mode)


def test_conv2d_padding_mode_names_padding():
    with pytest.raises(ValueError, match=r"^padding\b.*reflect.*\(3, 3\)"):
        solutions.conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 3, 3)), padding=3, padding_mode="reflect")


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
def test_pad2d_and_pad_raise_exactly_where_torch_does(mode):
    # Every size up to 3x3 and every per-side amount up to size + 1, one side or all at once.
    for (h, w), amount in itertools.product(itertools.product(range(1, 4), repeat=2), range(0, 5)):
        for sides in [*(one_side(side, amount) for side in SIDES), (amount,) * 4]:
            X = image(h, w)
            try:
                expected = torch_pad2d(X, sides, mode)
            except RuntimeError:
                expected = None
            top, bottom, left, right = sides
            calls = [lambda: solutions.pad2d(X, sides, mode=mode),
                     lambda: solutions.pad(X[None], (left, right, top, bottom),
                                           mode="constant" if mode == "zeros" else mode)[0]]
            for call in calls:
                if expected is None:
                    with pytest.raises(ValueError, match=r"pad"):
                        call()
                else:
                    np.testing.assert_array_equal(call(), expected, err_msg=f"{mode} {X.shape} {sides}")
