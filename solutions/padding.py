"""Padding: growing (or, with negative amounts, cropping) the border of an array.

Four modes, with PyTorch's semantics; for ``x = [1, 2, 3, 4]`` padded by 2 on each side:

======================  ===========================
``constant`` (zeros)    ``0 0 | 1 2 3 4 | 0 0``
``reflect``             ``3 2 | 1 2 3 4 | 3 2``   (mirror, edge not repeated)
``replicate``           ``1 1 | 1 2 3 4 | 4 4``   (edge repeated)
``circular``            ``3 4 | 1 2 3 4 | 1 2``   (wrap around)
======================  ===========================

Padding counts **per side**. A source that says "p_h rows of padding" may mean the total of
both sides; ``same_padding`` in :mod:`solutions.sizes` shows how PyTorch splits an odd total.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._args import as_float, choice

__all__ = ["pad", "pad2d"]

#: The modes of :func:`pad` (PyTorch's names) and of :func:`pad2d` (``nn.Conv2d``'s names).
PAD_MODES = ("constant", "reflect", "replicate", "circular")
CONV_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _source_index(n: int, before: int, after: int, mode: str) -> np.ndarray:
    """Return, for each output position along one axis, the input index it copies."""
    j = np.arange(-before, n + after)
    if mode == "replicate":
        return np.clip(j, 0, n - 1)
    if mode == "circular":
        return j % n
    # reflect: fold j into [0, n-1] about both edges without repeating them.
    return (n - 1) - np.abs((n - 1) - np.abs(j))


def _check_amounts(n: int, before: int, after: int, mode: str, axis: int, name: str) -> None:
    """Raise, naming the argument ``name`` and the amounts, where PyTorch refuses to pad an axis of size ``n``."""
    size = n + before + after
    if mode == "constant" and n + min(before, 0) + min(after, 0) < 0:
        raise ValueError(
            f"{name}: negative padding ({before}, {after}) crops more than dimension {axis} of size {n} holds"
        )
    if mode == "reflect" and max(before, after) >= n:
        raise ValueError(
            f"{name}: reflect padding must be smaller than the input size, got padding "
            f"({before}, {after}) for dimension {axis} of size {n}"
        )
    if mode == "circular" and max(before, after) > n:
        raise ValueError(
            f"{name}: circular padding may wrap around at most once, got padding "
            f"({before}, {after}) for dimension {axis} of size {n}"
        )
    if mode != "constant" and (n < 1 or size < 1):
        raise ValueError(
            f"{name}: {mode} padding ({before}, {after}) of dimension {axis} of size {n} leaves "
            f"{size} cells; it must leave at least one"
        )


def crop_negative(x: np.ndarray, widths) -> tuple[np.ndarray, tuple]:
    """Return ``x`` cropped by the negative amounts of ``widths``, and the amounts left to pad.

    ``widths`` holds one ``(before, after)`` pair per trailing axis of ``x`` ``(..., n1, ..., nm)``;
    a negative amount removes that many cells from that side (a view, nothing is copied), and
    the amounts returned are the positive ones, zero elsewhere.

    >>> crop_negative(np.arange(6), [(-1, 2)])
    (array([1, 2, 3, 4, 5]), ((0, 2),))
    """
    first = x.ndim - len(widths)
    crop = tuple(slice(max(-b, 0), n - max(-a, 0)) for n, (b, a) in zip(x.shape[first:], widths))
    return x[(...,) + crop], tuple((max(b, 0), max(a, 0)) for b, a in widths)


def pad_axes(x: np.ndarray, widths, mode: str = "constant", value: float = 0.0, name: str = "pad") -> np.ndarray:
    """Return ``x`` padded by ``widths``, one ``(before, after)`` pair per trailing axis.

    ``widths[0]`` applies to the first of the ``len(widths)`` last axes. Negative amounts crop.
    This is the engine of :func:`pad` and :func:`pad2d`; it checks amounts, not argument types,
    and names the caller's argument ``name`` when they do not fit.
    """
    first = x.ndim - len(widths)
    if not any(b or a for b, a in widths):
        return x
    if mode == "circular":
        # PyTorch crops first and then wraps within what is left (reflect and replicate index
        # the uncropped input, which _source_index does for them).
        for axis, (before, after) in enumerate(widths, start=first):
            _check_amounts(x.shape[axis], before, after, mode, axis, name)
        x, widths = crop_negative(x, widths)
    for axis, (before, after) in enumerate(widths, start=first):
        _check_amounts(x.shape[axis], before, after, mode, axis, name)
    if mode == "constant":
        x, widths = crop_negative(x, widths)
        shape = x.shape[:first] + tuple(n + b + a for n, (b, a) in zip(x.shape[first:], widths))
        out = np.full(shape, value, dtype=x.dtype)
        out[(...,) + tuple(slice(b, b + n) for n, (b, _) in zip(x.shape[first:], widths))] = x
        return out
    for axis, (before, after) in enumerate(widths, start=first):
        x = np.take(x, _source_index(x.shape[axis], before, after, mode), axis=axis)
    return x


def pad(x, pad, mode: str = "constant", value: float = 0.0) -> np.ndarray:
    """Return ``x`` padded as ``torch.nn.functional.pad(x, pad, mode, value)`` would pad it.

    ``pad`` lists ``(before, after)`` amounts starting from the **last** axis:
    ``(left, right)`` pads W, ``(left, right, top, bottom)`` pads W and H, and so on. Each
    axis grows from ``n`` to ``n + before + after``; negative amounts crop.

    Parameters
    ----------
    x : array ``(*, ...)``; integers are promoted to float64.
    pad : sequence of ints, even length ``2m`` with ``m <= x.ndim``.
    mode : ``"constant"`` (any number of axes) or ``"reflect"``, ``"replicate"``,
        ``"circular"`` (``m`` of 1, 2 or 3, on an input with ``m + 1`` or ``m + 2`` axes,
        as PyTorch requires). Reflect amounts must be smaller than the axis, circular ones at
        most its size.
    value : fill value for ``"constant"``.

    Examples
    --------
    >>> x = np.array([[1, 2, 3, 4]])
    >>> pad(x, (2, 1))
    array([[0., 0., 1., 2., 3., 4., 0.]])
    >>> pad(x, (2, 2), mode="reflect")
    array([[3., 2., 1., 2., 3., 4., 3., 2.]])
    >>> pad(x, (-1, 1), mode="circular")
    array([[2., 3., 4., 2.]])
    """
    x = as_float(x, "x")
    choice(mode, "mode", PAD_MODES)
    if isinstance(pad, (str, bytes)) or not hasattr(pad, "__len__") or not all(
        isinstance(p, numbers.Integral) and not isinstance(p, bool) for p in pad
    ):
        raise ValueError(f"pad must be a sequence of ints, got {pad!r}")
    if len(pad) % 2:
        raise ValueError(f"pad must have an even length (before, after per axis), got {len(pad)}: {pad!r}")
    m = len(pad) // 2
    if m > x.ndim:
        raise ValueError(f"pad has {m} (before, after) pairs but x has only {x.ndim} dimensions")
    if mode != "constant" and not (1 <= m <= 3 and x.ndim in (m + 1, m + 2)):
        raise ValueError(
            f"pad: mode {mode!r} pads the last 1, 2 or 3 axes of an input with one or two more "
            f"axes (batch, channel); got pad of length {len(pad)} for a {x.ndim}-D input"
        )
    # F.pad order is last axis first; pad_axes wants first axis first.
    widths = [(int(pad[2 * k]), int(pad[2 * k + 1])) for k in reversed(range(m))]
    return _fresh(pad_axes(x, widths, mode, value), x)


def pad2d(X, padding, mode: str = "zeros") -> np.ndarray:
    """Return ``X`` ``(..., H, W)`` padded to ``(..., top+H+bottom, left+W+right)``.

    ``padding`` is an int (all four sides), a pair ``(ph, pw)`` (``ph`` rows on top *and* on
    the bottom, ``pw`` columns on each side) or ``(top, bottom, left, right)``. ``mode`` is
    ``"zeros"``, ``"reflect"``, ``"replicate"`` or ``"circular"``, as in ``nn.Conv2d``.

    >>> pad2d(np.arange(4).reshape(2, 2), (1, 0))
    array([[0., 0.],
           [0., 1.],
           [2., 3.],
           [0., 0.]])
    >>> pad2d(np.arange(4).reshape(2, 2), (0, 0, 1, 1), mode="replicate")
    array([[0., 0., 1., 1.],
           [2., 2., 3., 3.]])
    """
    X = as_float(X, "X")
    if X.ndim < 2:
        raise ValueError(f"X must have at least 2 dimensions (..., H, W), got shape {X.shape}")
    choice(mode, "mode", CONV_PADDING_MODES)
    top, bottom, left, right = four_sides(padding)
    mode = "constant" if mode == "zeros" else mode
    return _fresh(pad_axes(X, [(top, bottom), (left, right)], mode, name="padding"), X)


def _fresh(result: np.ndarray, source: np.ndarray) -> np.ndarray:
    """Return ``result``, copied if it is ``source`` itself (zero padding), so callers never alias their input."""
    return result.copy() if result is source else result


def four_sides(padding) -> tuple[int, int, int, int]:
    """Return ``padding`` (int, ``(ph, pw)`` or ``(top, bottom, left, right)``) as four non-negative ints."""
    if isinstance(padding, numbers.Integral) and not isinstance(padding, bool):
        sides = (padding,) * 4
    elif isinstance(padding, (tuple, list)) and len(padding) == 2:
        sides = (padding[0], padding[0], padding[1], padding[1])
    elif isinstance(padding, (tuple, list)) and len(padding) == 4:
        sides = tuple(padding)
    else:
        raise ValueError(
            f"padding must be an int, (ph, pw) or (top, bottom, left, right), got {padding!r}"
        )
    if not all(isinstance(p, numbers.Integral) and not isinstance(p, bool) for p in sides):
        raise ValueError(f"padding must hold ints, got {padding!r}")
    if min(sides) < 0:
        raise ValueError(f"padding must be non-negative, got {padding!r}")
    return tuple(int(p) for p in sides)
