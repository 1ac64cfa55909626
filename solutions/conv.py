"""2-D convolution (cross-correlation) of batches, with PyTorch's ``F.conv2d`` semantics.

``y[n, o, i, j] = bias[o] + sum_{c, u, v} w[o, c, u, v] * xp[n, g*Cig + c, i*sh + u*dh, j*sw + v*dw]``
where ``xp`` is the padded input, ``g = o // (C_out/groups)`` the group of output channel ``o``
and ``Cig = C_in/groups`` the input channels of a group.

Three ways of evaluating the sum; :func:`correlate` picks by shape because none is fastest
everywhere. im2col (and strided depthwise) read the windows through the library's one window
view, :func:`solutions.windows.windows`. At stride 1 the other two read the same cells as
contiguous slices of the flattened padded image (:func:`_flat_rows`), the one layout in which
BLAS can consume a shifted input without copying it:

* **im2col**: copy the windows into a ``(Cig*kh*kw, oH*oW)`` matrix per group and multiply it
  by the ``(Cog, Cig*kh*kw)`` weights: one large matrix product. Good when channels are few
  (a 3-channel first layer) or the stride skips cells.
* **shifted products**: for stride 1, the ``kh*kw`` kernel offsets each contribute
  ``w[:, :, u, v] @ x_shifted``. Laid out flat, each shifted input is a contiguous slice of the
  padded image (rows wrap into the next row, and those columns are dropped afterwards), so no
  window matrix is ever built. Good for channel-heavy layers.
* **depthwise**: with one input channel per group a matrix product degenerates to a scaling,
  so the ``kh*kw`` offsets are multiply-added elementwise.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._args import as_float, batched, choice, common_float, non_negative_pair, positive_pair
from .padding import CONV_PADDING_MODES, pad_axes
from .sizes import same_padding
from .windows import window_count, windows

__all__ = ["conv2d"]

# Channels per group from which the shifted-products method beats im2col on this kind of CPU
# (measured with benchmarks/bench.py: below it the matrix products are too thin for BLAS).
SHIFTED_MIN_CHANNELS = 16


def _im2col(xp: np.ndarray, w: np.ndarray, stride, dilation) -> np.ndarray:
    """(N, G, Cig, Hp, Wp) x (G, Cog, Cig, kh, kw) -> (N, G, Cog, oH, oW) by one product per group."""
    N, G, Cig = xp.shape[:3]
    _, Cog, _, kh, kw = w.shape
    view = windows(xp, (kh, kw), stride, dilation)  # (N, G, Cig, oH, oW, kh, kw)
    oH, oW = view.shape[3:5]
    cols = view.transpose(0, 1, 2, 5, 6, 3, 4).reshape(N, G, Cig * kh * kw, oH * oW)
    return np.matmul(w.reshape(G, Cog, Cig * kh * kw), cols).reshape(N, G, Cog, oH, oW)


def _shifted(xp: np.ndarray, w: np.ndarray, dilation) -> np.ndarray:
    """(N, G, Cig, Hp, Wp) x (G, Cog, Cig, kh, kw) -> (N, G, Cog, oH, oW), stride 1, no window copy."""
    N, G, Cig, Hp, Wp = xp.shape
    _, Cog, _, kh, kw = w.shape
    dh, dw = dilation
    oH, oW = window_count(Hp, kh, 1, dh), window_count(Wp, kw, 1, dw)
    flat = _flat_rows(xp)
    length = oH * Wp
    acc = np.empty((N, G, Cog, length), dtype=xp.dtype)
    term = np.empty_like(acc)
    for u in range(kh):
        for v in range(kw):
            start = u * dh * Wp + v * dw
            shifted = flat[..., start : start + length]
            target = acc if (u, v) == (0, 0) else term
            np.matmul(np.ascontiguousarray(w[..., u, v]), shifted, out=target)
            if target is term:
                acc += term
    return acc.reshape(N, G, Cog, oH, Wp)[..., :oW]


def _flat_rows(xp: np.ndarray) -> np.ndarray:
    """Return ``xp`` ``(..., Hp, Wp)`` flattened to ``(..., (Hp+1)*Wp)`` with a spare zero row.

    In this layout the input seen by kernel offset ``(u, v)`` at stride 1 is the contiguous
    slice starting at ``u*dh*Wp + v*dw``, of length ``oH*Wp``: each output row is computed at
    full padded width (the last ``Wp - oW`` columns wrap into the next row and are dropped),
    and the last offset runs ``(kw-1)*dw`` cells into the spare row.
    """
    Hp, Wp = xp.shape[-2:]
    flat = np.zeros(xp.shape[:-2] + ((Hp + 1) * Wp,), dtype=xp.dtype)
    flat[..., : Hp * Wp] = xp.reshape(xp.shape[:-2] + (Hp * Wp,))
    return flat


# Elements per block of groups in the depthwise loop: a block and its accumulator stay in the
# L2 cache across the kh*kw multiply-adds (measured best among 4K to 256K floats, and about
# 1.6x faster than one pass over everything).
DEPTHWISE_BLOCK = 65536


def _depthwise(xp: np.ndarray, w: np.ndarray, stride, dilation) -> np.ndarray:
    """(N, G, 1, Hp, Wp) x (G, Cog, 1, kh, kw) -> (N, G, Cog, oH, oW) by elementwise multiply-adds."""
    N, G, _, Hp, Wp = xp.shape
    _, Cog, _, kh, kw = w.shape
    if stride != (1, 1):
        view = windows(xp, (kh, kw), stride, dilation)  # (N, G, 1, oH, oW, kh, kw)
        scale = w[None, :, :, 0, :, :, None, None]  # (1, G, Cog, kh, kw, 1, 1)
        acc = view[..., 0, 0] * scale[:, :, :, 0, 0]
        for u in range(kh):
            for v in range(kw):
                if (u, v) != (0, 0):
                    acc += view[..., u, v] * scale[:, :, :, u, v]
        return acc
    dh, dw = dilation
    oH, oW = window_count(Hp, kh, 1, dh), window_count(Wp, kw, 1, dw)
    length = oH * Wp
    flat = _flat_rows(xp[:, :, 0])  # (N, G, (Hp+1)*Wp)
    scale = w[:, :, 0].reshape(G, Cog, kh * kw)
    starts = [u * dh * Wp + v * dw for u in range(kh) for v in range(kw)]
    out = np.empty((N, G, Cog, length), dtype=xp.dtype)
    block = max(1, min(G, DEPTHWISE_BLOCK // max(1, N * length)))
    term = np.empty((N, block, length), dtype=xp.dtype)
    for g0 in range(0, G, block):  # a loop over groups, in blocks
        g1 = min(G, g0 + block)
        t = term[:, : g1 - g0]
        for o in range(Cog):
            acc, s = out[:, g0:g1, o], scale[g0:g1, o, :, None]  # s: (block, kh*kw, 1)
            np.multiply(flat[:, g0:g1, starts[0] : starts[0] + length], s[:, 0], out=acc)
            for k in range(1, len(starts)):
                np.multiply(flat[:, g0:g1, starts[k] : starts[k] + length], s[:, k], out=t)
                acc += t
    return out.reshape(N, G, Cog, oH, Wp)[..., :oW]


def correlate(xp: np.ndarray, w: np.ndarray, stride=1, dilation=1, groups: int = 1) -> np.ndarray:
    """Return the grouped cross-correlation of an already padded batch, without bias.

    ``xp`` ``(N, C_in, Hp, Wp)`` and ``w`` ``(C_out, C_in/groups, kh, kw)`` of one float dtype;
    the result is ``(N, C_out, oH, oW)`` with ``oH = (Hp - dh*(kh-1) - 1)//sh + 1``. Arguments
    are assumed valid (:func:`conv2d` checks them).
    """
    N, C_in, Hp, Wp = xp.shape
    C_out, Cig, kh, kw = w.shape
    G = groups
    xg = xp.reshape(N, G, Cig, Hp, Wp)
    wg = w.reshape(G, C_out // G, Cig, kh, kw)
    stride, dilation = tuple(stride), tuple(dilation)
    if Cig == 1 and C_out // G <= 4:
        out = _depthwise(xg, wg, stride, dilation)
    elif stride == (1, 1) and Cig >= SHIFTED_MIN_CHANNELS and (kh, kw) != (1, 1):
        out = _shifted(xg, wg, dilation)
    else:
        out = _im2col(xg, wg, stride, dilation)
    return np.ascontiguousarray(out).reshape(N, C_out, *out.shape[-2:])


def conv_padding(padding, kernel_size, dilation, stride) -> tuple[tuple[int, int], tuple[int, int]]:
    """Return ``((top, bottom), (left, right))`` for an int, a pair, ``"valid"`` or ``"same"``."""
    if isinstance(padding, str):
        choice(padding, "padding", ("valid", "same"))
        if padding == "valid":
            return (0, 0), (0, 0)
        if stride != (1, 1):
            raise ValueError(f"padding='same' needs stride 1 (the output could not match the input), got stride={stride}")
        return same_padding(kernel_size, dilation)
    ph, pw = non_negative_pair(padding, "padding")
    return (ph, ph), (pw, pw)


def check_weight(weight, C_in: int, groups, *, transposed: bool = False) -> np.ndarray:
    """Return ``weight`` as a float 4-D array after checking it against the input and groups.

    A convolution's weight is ``(C_out, C_in/groups, kh, kw)``; a transposed convolution's is
    ``(C_in, C_out/groups, kh, kw)``.
    """
    weight = as_float(weight, "weight")
    layout = "(C_in, C_out/groups, kh, kw)" if transposed else "(C_out, C_in/groups, kh, kw)"
    if weight.ndim != 4:
        raise ValueError(f"weight must be 4-D {layout}, got {weight.ndim}-D with shape {weight.shape}")
    if not isinstance(groups, numbers.Integral) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"groups must be a positive int, got {groups!r}")
    if min(weight.shape) < 1:
        raise ValueError(f"weight must not be empty, got shape {weight.shape}")
    if C_in % groups:
        raise ValueError(f"groups={groups} must divide the input channels C_in={C_in}")
    per_group = weight.shape[0] if transposed else weight.shape[1] * groups
    if per_group != C_in:
        expected = f"weight.shape[0] == C_in = {C_in}" if transposed else (
            f"weight.shape[1] * groups == C_in, but {weight.shape[1]} * {groups} != {C_in}")
        raise ValueError(f"weight {weight.shape} does not fit input channels: need {expected}")
    if not transposed and weight.shape[0] % groups:
        raise ValueError(f"groups={groups} must divide the output channels C_out={weight.shape[0]}")
    return weight


def check_bias(bias, C_out: int):
    """Return ``bias`` as a float ``(C_out,)`` array (or ``None``) after checking its shape."""
    if bias is None:
        return None
    bias = as_float(bias, "bias")
    if bias.shape != (C_out,):
        raise ValueError(f"bias must have shape (C_out,) = ({C_out},), got {bias.shape}")
    return bias


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros"):
    """Return the 2-D cross-correlation of ``x`` with ``weight``, as ``torch.nn.functional.conv2d``.

    Parameters
    ----------
    x : ``(N, C_in, H, W)`` or unbatched ``(C_in, H, W)``; integers are promoted to float64.
    weight : ``(C_out, C_in/groups, kh, kw)``.
    bias : ``(C_out,)`` or None.
    stride, dilation : int or ``(sh, sw)`` / ``(dh, dw)``, at least 1.
    padding : int or ``(ph, pw)`` per side, ``"valid"`` (none) or ``"same"`` (stride 1 only:
        ``d*(k-1)`` in total, ``total//2`` before and the rest after).
    groups : splits the channels into ``groups`` independent convolutions.
    padding_mode : ``"zeros"``, ``"reflect"``, ``"replicate"`` or ``"circular"`` (as ``nn.Conv2d``).

    Returns
    -------
    ``(N, C_out, oH, oW)`` (or ``(C_out, oH, oW)``), ``oH = floor((H + 2ph - dh*(kh-1) - 1) / sh) + 1``,
    in the common float dtype of ``x`` and ``weight``.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 4, 4)
    >>> conv2d(x, np.ones((1, 1, 2, 2)))
    array([[[10., 14., 18.],
            [26., 30., 34.],
            [42., 46., 50.]]])
    >>> conv2d(x, np.ones((1, 1, 2, 2)), stride=2, padding=1).shape
    (1, 3, 3)
    >>> conv2d(x, np.ones((2, 1, 3, 3)), padding="same", padding_mode="circular").shape
    (2, 4, 4)
    """
    x, unbatched = batched(x)
    N, C_in, H, W = x.shape
    weight = check_weight(weight, C_in, groups)
    C_out, _, kh, kw = weight.shape
    bias = check_bias(bias, C_out)
    stride = positive_pair(stride, "stride")
    dilation = positive_pair(dilation, "dilation")
    choice(padding_mode, "padding_mode", CONV_PADDING_MODES)
    (top, bottom), (left, right) = conv_padding(padding, (kh, kw), dilation, stride)
    mode = "constant" if padding_mode == "zeros" else padding_mode
    x, weight = common_float(x, weight)
    xp = pad_axes(x, [(top, bottom), (left, right)], mode)
    span = (dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1)
    if span[0] > xp.shape[2] or span[1] > xp.shape[3]:
        raise ValueError(
            f"kernel_size {(kh, kw)} with dilation {dilation} spans {span}, more than the padded "
            f"input {xp.shape[2:]} (input {(H, W)} with padding {padding!r})"
        )
    y = correlate(xp, weight, stride, dilation, groups)
    if bias is not None:
        y += bias.astype(y.dtype)[:, None, None]
    return y[0] if unbatched else y
