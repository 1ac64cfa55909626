"""Arithmetic of shapes and costs: output sizes, 'same' padding, receptive fields, parameters, MACs.

Along one axis of length ``n``, a kernel of size ``k`` with dilation ``d`` spans ``d*(k-1) + 1``
cells; with ``p`` cells of padding per side and stride ``s`` it fits
``floor((n + 2p - d*(k-1) - 1) / s) + 1`` times (:func:`solutions.windows.window_count`, which
:func:`output_size` checks its arguments for).
"""

from __future__ import annotations

import numbers

from ._args import pair
from .windows import window_count


def _int(value, name: str, minimum: int) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise ValueError(f"{name} must be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def output_size(n: int, k: int, padding: int = 0, stride: int = 1, dilation: int = 1) -> int:
    """Return the output length of a convolution or max-pool along one axis.

    ``floor((n + 2*padding - dilation*(k-1) - 1) / stride) + 1`` for input length ``n`` and
    kernel size ``k``; ``padding`` counts per side.

    >>> output_size(8, 3, padding=1)
    8
    >>> output_size(8, 3, padding=1, stride=2)
    4
    >>> output_size(8, 5, padding=1, stride=4)
    2
    >>> output_size(7, 3, dilation=2)
    3
    """
    n, k = _int(n, "n", 1), _int(k, "k", 1)
    padding, stride, dilation = _int(padding, "padding", 0), _int(stride, "stride", 1), _int(dilation, "dilation", 1)
    span = dilation * (k - 1) + 1
    if span > n + 2 * padding:
        raise ValueError(
            f"kernel of size k={k} with dilation={dilation} spans {span} cells, more than the "
            f"padded input n + 2*padding = {n} + 2*{padding} = {n + 2 * padding}"
        )
    return window_count(n, k, stride, dilation, padding)


def same_padding(k, dilation=1):
    """Return the ``(before, after)`` padding that keeps a stride-1 output as large as its input.

    The total is ``dilation*(k-1)``; PyTorch puts ``total // 2`` before and the rest after, so an
    even kernel gets the extra cell at the end. With a pair ``k`` (or ``dilation``) the result is
    one ``(before, after)`` pair per axis.

    >>> same_padding(3)
    (1, 1)
    >>> same_padding(4)
    (1, 2)
    >>> same_padding(3, dilation=2)
    (2, 2)
    >>> same_padding((3, 2))
    ((1, 1), (0, 1))
    """
    if isinstance(k, numbers.Integral) and isinstance(dilation, numbers.Integral):
        k, dilation = _int(k, "k", 1), _int(dilation, "dilation", 1)
        total = dilation * (k - 1)
        return total // 2, total - total // 2
    (kh, kw), (dh, dw) = pair(k, "k"), pair(dilation, "dilation")
    return same_padding(kh, dh), same_padding(kw, dw)


def receptive_field(kernel_sizes, strides=None, dilations=None):
    """Return how many input cells along one axis one output cell of a stack of layers sees.

    Layer ``l`` adds ``d_l*(k_l-1)`` cells, each counted in units of the product of the strides
    of the layers before it: ``r = 1 + sum_l d_l*(k_l-1) * prod_{m<l} s_m``. With pairs in
    ``kernel_sizes`` the result is an ``(rows, columns)`` pair.

    >>> receptive_field([3, 3])
    5
    >>> receptive_field([3, 3, 3], strides=[2, 1, 1])
    11
    >>> receptive_field([3, 3], dilations=[1, 2])
    7
    >>> receptive_field([(3, 1), (3, 3)])
    (5, 3)
    """
    kernel_sizes = list(kernel_sizes)
    n = len(kernel_sizes)
    if n == 0:
        raise ValueError("kernel_sizes must list at least one layer, got an empty list")
    strides = [1] * n if strides is None else list(strides)
    dilations = [1] * n if dilations is None else list(dilations)
    for name, values in (("strides", strides), ("dilations", dilations)):
        if len(values) != n:
            raise ValueError(f"{name} must have one entry per layer ({n}), got {len(values)}: {values!r}")
    if all(isinstance(k, numbers.Integral) for k in kernel_sizes):
        field, jump = 1, 1
        for k, s, d in zip(kernel_sizes, strides, dilations):
            k, s, d = _int(k, "kernel_sizes entry", 1), _int(s, "strides entry", 1), _int(d, "dilations entry", 1)
            field += d * (k - 1) * jump
            jump *= s
        return field
    return tuple(
        receptive_field(
            [pair(k, "kernel_sizes entry")[a] for k in kernel_sizes],
            [pair(s, "strides entry")[a] for s in strides],
            [pair(d, "dilations entry")[a] for d in dilations],
        )
        for a in (0, 1)
    )


def _check_groups(c_in: int, c_out: int, groups: int) -> None:
    if c_in % groups or c_out % groups:
        raise ValueError(f"groups={groups} must divide both c_in={c_in} and c_out={c_out}")


def conv2d_params(c_in: int, c_out: int, kh: int, kw: int, groups: int = 1, bias: bool = True) -> int:
    """Return the number of parameters of a convolution layer.

    Weights ``(c_out, c_in/groups, kh, kw)`` plus ``c_out`` biases when ``bias``.

    >>> conv2d_params(3, 64, 3, 3)
    1792
    >>> conv2d_params(64, 64, 3, 3, groups=64, bias=False)
    576
    """
    c_in, c_out, kh, kw = (_int(v, name, 1) for v, name in ((c_in, "c_in"), (c_out, "c_out"), (kh, "kh"), (kw, "kw")))
    groups = _int(groups, "groups", 1)
    _check_groups(c_in, c_out, groups)
    return c_out * (c_in // groups) * kh * kw + (c_out if bias else 0)


def conv2d_macs(c_in: int, c_out: int, kh: int, kw: int, oh: int, ow: int, groups: int = 1) -> int:
    """Return the multiply-accumulates of a convolution layer: ``c_in*c_out*kh*kw*oh*ow / groups``.

    Each of the ``c_out*oh*ow`` outputs sums ``(c_in/groups)*kh*kw`` products.

    >>> conv2d_macs(100, 100, 5, 5, 64, 64)
    1024000000
    >>> conv2d_macs(64, 64, 3, 3, 56, 56, groups=64)
    1806336
    """
    values = (c_in, c_out, kh, kw, oh, ow)
    c_in, c_out, kh, kw, oh, ow = (_int(v, n, 1) for v, n in zip(values, ("c_in", "c_out", "kh", "kw", "oh", "ow")))
    groups = _int(groups, "groups", 1)
    _check_groups(c_in, c_out, groups)
    return c_in * c_out * kh * kw * oh * ow // groups
