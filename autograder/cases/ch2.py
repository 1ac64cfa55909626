"""Chapter 2, padding and stride: ``output_size``, ``pad2d``, ``corr2d_pad_stride``, ``same_padding``."""

from __future__ import annotations

import numpy as np
from solutions import corr2d, corr2d_pad_stride, output_size, pad2d, same_padding
from solutions.padding import four_sides, pad_axes

from ..calling import Raises
from ..syllabus import Chapter, Widget
from .base import Case, Graded, Mistake, floats, random_array, size_hint

# --- output_size --------------------------------------------------------------------------------


def _size_case(label="", n=8, k=3, **params) -> Case:
    return Case((("n", n), ("k", k)) + tuple(params.items()), label)


def _output_size_visible() -> list[Case]:
    worked = "worked example (8x8 input)"
    return [
        Case((("n", 8), ("k", 3), ("padding", 1)), worked, expected=8),
        Case((("n", 8), ("k", 5), ("padding", 2)), worked, expected=8),
        Case((("n", 8), ("k", 3), ("padding", 1), ("stride", 2)), worked, expected=4),
        Case((("n", 8), ("k", 3), ("stride", 3)), worked, expected=2),
        Case((("n", 8), ("k", 5), ("padding", 1), ("stride", 4)), worked, expected=2),
        Case((("n", 7), ("k", 3), ("dilation", 2)), "dilated kernel", expected=3),
    ]


def _output_size_hidden(rng) -> list[Case]:
    cases = []
    for _ in range(8):
        n = int(rng.integers(1, 40))
        padding, stride, dilation = int(rng.integers(0, 4)), int(rng.integers(1, 5)), int(rng.integers(1, 4))
        longest = (n + 2 * padding - 1) // dilation + 1  # the largest k whose span fits
        k = int(rng.integers(1, longest + 1))
        cases.append(_size_case("random", n, k, padding=padding, stride=stride, dilation=dilation))
    cases += [
        _size_case("kernel as large as the padded input", 5, 7, padding=1),
        _size_case("stride larger than the input", 4, 2, stride=9),
        _size_case("1x1 input", 1, 1),
        _size_case("stride that does not divide evenly", 10, 3, stride=4),
    ]
    return cases


def _size(n, k, padding=0, stride=1, dilation=1, *, span=None, pad=None, divide=None, plus=1):
    """The output-size formula with one of its parts swapped for a typical slip."""
    span = dilation * (k - 1) + 1 if span is None else span
    total = n + (2 * padding if pad is None else pad(padding)) - span
    return (divide or (lambda a, b: a // b))(total, stride) + plus


OUTPUT_SIZE = Graded(
    name="output_size",
    reference=output_size,
    positional=("n", "k"),
    visible=_output_size_visible,
    hidden=_output_size_hidden,
    result="int",
    mistakes=(
        Mistake("you divided with /, which gives a float; the formula floors: use //",
                lambda *a, **p: _size(*a, **p, divide=lambda x, s: x / s)),
        Mistake("you rounded up; the formula floors, a window must fit entirely: (n + 2p - d*(k-1) - 1) // s + 1",
                lambda *a, **p: _size(*a, **p, divide=lambda x, s: -(-x // s))),
        Mistake("padding counts per side: the padded length is n + 2*padding",
                lambda *a, **p: _size(*a, **p, pad=lambda q: q)),
        Mistake("the dilation is missing: a dilated kernel spans d*(k-1) + 1 cells",
                lambda n, k, padding=0, stride=1, dilation=1: _size(n, k, padding, stride, dilation, span=k)),
        Mistake("a dilated kernel spans d*(k-1) + 1 cells, not d*k",
                lambda n, k, padding=0, stride=1, dilation=1: _size(n, k, padding, stride, dilation, span=dilation * k)),
        Mistake("the + 1 is missing: the first window counts too",
                lambda *a, **p: _size(*a, **p, plus=0)),
    ),
    hint="output_size is floor((n + 2*padding - dilation*(k-1) - 1) / stride) + 1",
)


# --- pad2d --------------------------------------------------------------------------------------

def _pad_case(label, X, padding, mode=None) -> Case:
    values = (("X", X), ("padding", padding)) + ((("mode", mode),) if mode else ())
    return Case(values, label)


def _pad2d_visible() -> list[Case]:
    X = np.arange(4).reshape(2, 2)
    return [
        Case((("X", X), ("padding", (1, 0))), "(ph, pw): ph rows on top and at the bottom",
             expected=floats([[0, 0], [0, 1], [2, 3], [0, 0]])),
        Case((("X", X), ("padding", (0, 0, 1, 1)), ("mode", "replicate")), "(top, bottom, left, right)",
             expected=floats([[0, 0, 1, 1], [2, 2, 3, 3]])),
        Case((("X", np.array([[1.0, 2.0, 3.0, 4.0]])), ("padding", (0, 2)), ("mode", "reflect")), "reflect",
             expected=floats([[3, 2, 1, 2, 3, 4, 3, 2]])),
        Case((("X", np.array([[1.0, 2.0, 3.0, 4.0]])), ("padding", (0, 2)), ("mode", "circular")), "circular",
             expected=floats([[3, 4, 1, 2, 3, 4, 1, 2]])),
        _pad_case("int padding", np.arange(9.0).reshape(3, 3), 1),
        _too_large("reflect padding as large as the input", np.arange(16.0).reshape(4, 4), (4, 0), "reflect"),
    ]


def _too_large(label, X, padding, mode) -> Case:
    """Return a case whose padding PyTorch refuses for ``mode``: the right outcome is a ValueError.

    Reflect adds at most n - 1 cells on a side of an axis of n (the edge is not repeated),
    circular at most n (it wraps around once).
    """
    top, bottom, left, right = four_sides(padding)
    (H, W), extra = X.shape, int(mode == "circular")
    amount, n, unit = (max(top, bottom), H, "row") if max(top, bottom) >= H + extra else (max(left, right), W, "column")
    why = f"{mode} padding of {amount} {unit}s on a {n}-{unit} input is too large, as in PyTorch"
    return Case((("X", X), ("padding", padding), ("mode", mode)), label, expected=Raises("ValueError", why))


def _pad2d_hidden(rng) -> list[Case]:
    cases = []
    for mode in ("zeros", "reflect", "replicate", "circular"):
        H, W = (int(v) for v in rng.integers(3, 7, size=2))
        top, bottom, left, right = (int(v) for v in rng.integers(0, 3, size=4))
        ph, pw = (int(v) for v in rng.integers(0, 3, size=2))
        cases.append(_pad_case(f"{mode}, (ph, pw)", random_array(rng, (H, W)), (ph, pw), mode))
        cases.append(_pad_case(f"{mode}, (top, bottom, left, right)", random_array(rng, (H, W)),
                               (top, bottom, left, right), mode))
    cases += [
        _pad_case("1x1 input", random_array(rng, (1, 1)), 2, "replicate"),
        _pad_case("no padding", random_array(rng, (3, 4)), 0),
        _pad_case("integer input", random_array(rng, (4, 3), "int64"), (1, 2), "reflect"),
        _pad_case("float32 input (the result stays float32)", random_array(rng, (3, 5), "float32"), (2, 1, 0, 3)),
        _pad_case("reflect padding of n - 1, the most there is", random_array(rng, (3, 5)), (2, 2, 4, 0), "reflect"),
        _pad_case("circular padding of n, the most there is", random_array(rng, (2, 3)), (2, 0, 1, 3), "circular"),
        _too_large("reflect padding larger than the input", random_array(rng, (5, 3)), (0, 0, 1, 4), "reflect"),
        _too_large("circular padding larger than the input", random_array(rng, (3, 4)), (1, 5), "circular"),
    ]
    return cases


def _pad_sides(X, sides, mode="zeros"):
    top, bottom, left, right = sides
    return pad_axes(np.asarray(X, dtype=float), [(top, bottom), (left, right)], "constant" if mode == "zeros" else mode)


def _torch_order(X, padding, mode="zeros"):
    if isinstance(padding, int) or len(padding) != 4:
        raise ValueError("only a 4-tuple has an order to mix up")
    left, right, top, bottom = padding
    return _pad_sides(X, (top, bottom, left, right), mode)


def _pair_as_total(X, padding, mode="zeros"):
    if isinstance(padding, int) or len(padding) != 2:
        raise ValueError("only (ph, pw) can be read as a total")
    ph, pw = padding
    return _pad_sides(X, (ph // 2, ph - ph // 2, pw // 2, pw - pw // 2), mode)


def _one_side(X, padding, mode="zeros"):
    top, bottom, left, right = four_sides(padding)
    return _pad_sides(X, (top + bottom, 0, left + right, 0), mode)


def _symmetric(X, padding, mode="zeros"):
    if mode != "reflect":
        raise ValueError("only reflect has a symmetric look-alike")
    top, bottom, left, right = four_sides(padding)
    return np.pad(np.asarray(X, dtype=float), ((top, bottom), (left, right)), mode="symmetric")


def _pair_swapped(X, padding, mode="zeros"):
    if isinstance(padding, int) or len(padding) != 2:
        raise ValueError("only (ph, pw) can be swapped")
    return pad2d(X, (padding[1], padding[0]), mode)


PAD2D = Graded(
    name="pad2d",
    reference=pad2d,
    positional=("X", "padding"),
    visible=_pad2d_visible,
    hidden=_pad2d_hidden,
    mistakes=(
        Mistake("a 4-tuple is (top, bottom, left, right), rows first; you read it in F.pad's order "
                "(left, right, top, bottom)", _torch_order),
        Mistake("(ph, pw) counts per side: ph rows on top AND ph rows at the bottom, not ph in total", _pair_as_total),
        Mistake("(ph, pw) is rows first: ph rows on top and bottom, pw columns left and right", _pair_swapped),
        Mistake("the padding is applied on one side only; it goes on both sides (top and bottom, left and right)",
                _one_side),
        Mistake("reflect mirrors about the edge without repeating it ([1 2 3] -> 3 2 | 1 2 3 | 2 1); repeating "
                "the edge is numpy's 'symmetric'", _symmetric),
    ),
    shape_hint=lambda expected, got, arguments: (
        f"the padded shape is (top + H + bottom, left + W + right) = {expected}; an int pads all four "
        f"sides, (ph, pw) pads ph rows on top and bottom and pw columns left and right"),
    hint=("zeros fills with 0, reflect mirrors without repeating the edge, replicate repeats the edge cell, "
          "circular wraps around to the other side"),
)


# --- corr2d_pad_stride --------------------------------------------------------------------------

def _ps_case(label, X, K, **params) -> Case:
    return Case((("X", X), ("K", K)) + tuple(params.items()), label)


def _pad_stride_visible() -> list[Case]:
    X = np.arange(64).reshape(8, 8) % 7
    worked = "worked shape (8x8 input)"
    return [
        _ps_case(f"{worked}: k=3, p=1 -> 8x8", X, np.ones((3, 3)), padding=1),
        _ps_case(f"{worked}: k=(5, 3), p=(2, 1) -> 8x8", X, np.arange(15.0).reshape(5, 3) % 4, padding=(2, 1)),
        _ps_case(f"{worked}: k=3, p=1, s=2 -> 4x4", X, np.arange(9.0).reshape(3, 3) - 4, padding=1, stride=2),
        _ps_case(f"{worked}: k=(3, 5), p=(0, 1), s=(3, 4) -> 2x2", X, np.ones((3, 5)), padding=(0, 1), stride=(3, 4)),
        _ps_case("reflect padding", np.arange(12.0).reshape(3, 4), np.array([[1.0, -1.0]]), padding=1,
                 padding_mode="reflect"),
    ]


def _pad_stride_hidden(rng) -> list[Case]:
    cases = []
    for mode in ("zeros", "zeros", "reflect", "replicate", "circular"):
        H, W = (int(v) for v in rng.integers(4, 11, size=2))
        kh, kw = (int(v) for v in rng.integers(1, 5, size=2))
        ph, pw = (int(v) for v in rng.integers(0, 3, size=2))
        sh, sw = (int(v) for v in rng.integers(1, 4, size=2))
        params = dict(padding=(ph, pw), stride=(sh, sw))
        if mode != "zeros":
            params["padding_mode"] = mode
        cases.append(_ps_case(f"random, {mode}", random_array(rng, (H, W)), random_array(rng, (kh, kw)), **params))
    cases += [
        _ps_case("int padding and stride", random_array(rng, (9, 7)), random_array(rng, (3, 3)), padding=2, stride=3),
        _ps_case("no padding, stride 2", random_array(rng, (7, 8)), random_array(rng, (2, 3)), stride=2),
        _ps_case("1x1 input", random_array(rng, (1, 1)), random_array(rng, (1, 1)), padding=1, stride=2),
        _ps_case("kernel as large as the padded input", random_array(rng, (3, 4)), random_array(rng, (5, 6)), padding=1),
        _ps_case("integer input", random_array(rng, (7, 6), "int64"), random_array(rng, (2, 3), "int64"),
                 padding=(1, 0), stride=(2, 1)),
        _ps_case("float32 input (the result stays float32)", random_array(rng, (6, 8), "float32"),
                 random_array(rng, (3, 3), "float32"), padding=1, stride=2),
    ]
    return cases


def _stride_on_input(X, K, padding=0, stride=1, padding_mode="zeros"):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    return corr2d(pad2d(X, padding, padding_mode)[::sh, ::sw], K)


def _one_side_padding(X, K, padding=0, stride=1, padding_mode="zeros"):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    padded = _pad_sides(X, (2 * ph, 0, 2 * pw, 0), padding_mode)
    return corr2d_pad_stride(padded, K, 0, stride)


def _no_stride(X, K, padding=0, stride=1, padding_mode="zeros"):
    return corr2d_pad_stride(X, K, padding, 1, padding_mode)


def _no_padding(X, K, padding=0, stride=1, padding_mode="zeros"):
    return corr2d_pad_stride(X, K, 0, stride)


def _zeros_only(X, K, padding=0, stride=1, padding_mode="zeros"):
    if padding_mode == "zeros":
        raise ValueError("only a non-zero padding mode can be ignored")
    return corr2d_pad_stride(X, K, padding, stride)


def _pad_stride_size(expected, got, arguments):
    return size_hint(expected, got, f"floor((H + 2ph - kh) / sh) + 1 by floor((W + 2pw - kw) / sw) + 1 = {expected}")


CORR2D_PAD_STRIDE = Graded(
    name="corr2d_pad_stride",
    reference=corr2d_pad_stride,
    positional=("X", "K"),
    visible=_pad_stride_visible,
    hidden=_pad_stride_hidden,
    mistakes=(
        Mistake("the stride was applied to the input (X[::s, ::s], then a stride-1 correlation); stride "
                "skips output positions: Y[i, j] is the window starting at row i*sh, column j*sw of the "
                "padded input", _stride_on_input),
        Mistake("the padding is applied on one side only; pad both sides (ph rows on top and at the bottom)",
                _one_side_padding),
        Mistake("the stride is ignored: Y[i, j] is the window starting at row i*sh, column j*sw", _no_stride),
        Mistake("the padding is ignored: pad X first (pad2d), then slide the kernel", _no_padding),
        Mistake("padding_mode is ignored: the border is filled as padding_mode says, not always with zeros",
                _zeros_only),
    ),
    shape_hint=_pad_stride_size,
    hint="pad X (pad2d with padding_mode), then Y[i, j] = (Xp[i*sh:i*sh+kh, j*sw:j*sw+kw] * K).sum()",
)


# --- same_padding -------------------------------------------------------------------------------

def _same_visible() -> list[Case]:
    return [
        Case((("k", 3),), "odd kernel", expected=(1, 1)),
        Case((("k", 4),), "even kernel: the extra cell goes after", expected=(1, 2)),
        Case((("k", 3), ("dilation", 2)), "dilated kernel", expected=(2, 2)),
        Case((("k", 1),), "1x1 kernel", expected=(0, 0)),
        Case((("k", (3, 2)),), "a pair (kh, kw): one (before, after) per axis", expected=((1, 1), (0, 1))),
    ]


def _same_hidden(rng) -> list[Case]:
    cases = [Case((("k", int(k)), ("dilation", int(d))), "random")
             for k, d in zip(rng.integers(1, 10, size=6), rng.integers(1, 4, size=6))]
    return cases + [
        Case((("k", 6),), "even kernel"), Case((("k", 2), ("dilation", 3)), "even kernel, odd total"),
        Case((("k", (5, 4)), ("dilation", (1, 3))), "pairs for k and dilation"),
        Case((("k", 3), ("dilation", (2, 1))), "an int k with a dilation pair"),
        Case((("k", [4, 1]),), "a list as the pair"),
        Case((("k", [2, 3]), ("dilation", [3, 2])), "lists for k and dilation"),
    ]


def _split(total, before_first=False):
    small, large = total // 2, total - total // 2
    return (large, small) if before_first else (small, large)


SAME_PADDING = Graded(
    name="same_padding",
    reference=same_padding,
    positional=("k",),
    visible=_same_visible,
    hidden=_same_hidden,
    result="int",
    mistakes=(
        Mistake("the extra cell of an odd total goes after, not before: (total // 2, total - total // 2)",
                lambda k, dilation=1: _split(dilation * (k - 1), before_first=True)),
        Mistake("the dilation is missing: the total is dilation*(k-1)",
                lambda k, dilation=1: _split(k - 1)),
        Mistake("the total is dilation*(k-1), not k", lambda k, dilation=1: _split(dilation * k)),
        Mistake("return one amount per side, (before, after), not the total",
                lambda k, dilation=1: dilation * (k - 1)),
        Mistake("for a pair k, return one (before, after) pair per axis, ((top, bottom), (left, right)), "
                "not four numbers in a row", lambda k, dilation=1: sum(same_padding(k, dilation), ())),
        Mistake("a dilation pair is (rows, columns), like k: the rows use dh, the columns dw",
                lambda k, dilation=1: same_padding(k, tuple(reversed(dilation)))),
    ),
    hint="the total is dilation*(k-1): total // 2 before, the rest after; with pairs, once per axis",
)


CHAPTER = Chapter(
    assignment="ch2_padding_stride",
    graded=(OUTPUT_SIZE, PAD2D, CORR2D_PAD_STRIDE, SAME_PADDING),
    widgets=(
        Widget("padding_explorer", "output_size"),
    ),
)
