"""2-D convolution (cross-correlation) of batches, with PyTorch's ``F.conv2d`` semantics.

``y[n, o, i, j] = bias[o] + sum_{c, u, v} w[o, c, u, v] * xp[n, g*Cig + c, i*sh + u*dh, j*sw + v*dw]``
where ``xp`` is the padded input, ``g = o // (C_out/groups)`` the group of output channel ``o``
and ``Cig = C_in/groups`` the input channels of a group.

Three ways of evaluating the sum; :func:`correlate` picks by shape because none is fastest
everywhere. im2col (and strided depthwise) read the windows through the library's one window
view, :func:`solutions.windows.windows`. At stride 1 the other two read the same cells as
contiguous slices of the flattened padded image (:func:`flat_rows`), the one layout in which
BLAS can consume a shifted input without copying it:

* **im2col**: copy the windows into a ``(Cig*kh*kw, oH*oW)`` matrix per group and multiply it
  by the ``(Cog, Cig*kh*kw)`` weights: one large matrix product. Good when channels are few
  (a 3-channel first layer) or the stride skips cells.
* **shifted products**: for stride 1, the ``kh*kw`` kernel offsets each contribute
  ``w[:, :, u, v] @ x_shifted``. Laid out flat, each shifted input is a contiguous slice of the
  padded image (rows wrap into the next row, and those columns are dropped afterwards), so no
  window matrix is ever built. Good for channel-heavy layers.
* **depthwise**: with one input channel per group the product over channels vanishes; the
  ``kh*kw`` shifted slices of a block of groups are gathered (one copy, in buffers that stay
  in the cache) and weighed by one ``(Cog, kh*kw)`` matrix per group.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._args import as_float, batched, choice, common_float, non_negative_pair, positive_pair
from .padding import CONV_PADDING_MODES, crop_negative, pad_axes
from .sizes import same_padding
from .windows import window_count, windows

__all__ = ["conv2d"]

# Channels per group from which the shifted-products method beats im2col on this kind of CPU
# (measured with benchmarks/bench.py: below it the matrix products are too thin for BLAS).
SHIFTED_MIN_CHANNELS = 16


def _im2col(x: np.ndarray, w: np.ndarray, stride, dilation, widths) -> np.ndarray:
    """(N, G, Cig, H, W) x (G, Cog, Cig, kh, kw) -> (N, G, Cog, oH, oW) by one product per group."""
    N, G, Cig = x.shape[:3]
    _, Cog, _, kh, kw = w.shape
    view = windows(pad_axes(x, widths), (kh, kw), stride, dilation)  # (N, G, Cig, oH, oW, kh, kw)
    oH, oW = view.shape[3:5]
    cols = view.transpose(0, 1, 2, 5, 6, 3, 4).reshape(N, G, Cig * kh * kw, oH * oW)
    return np.matmul(w.reshape(G, Cog, Cig * kh * kw), cols).reshape(N, G, Cog, oH, oW)


def _shifted(x: np.ndarray, w: np.ndarray, dilation, widths) -> np.ndarray:
    """(N, G, Cig, H, W) x (G, Cog, Cig, kh, kw) -> (N, G, Cog, oH, oW), stride 1, no window copy."""
    N, G, Cig = x.shape[:3]
    _, Cog, _, kh, kw = w.shape
    flat = flat_rows(x, widths)
    (oH, oW), Wp = _flat_geometry(x, (kh, kw), dilation, widths)
    length = oH * Wp
    taps = flat_taps(flat, Wp, (kh, kw), dilation, length)  # (N, G, Cig, kh, kw, length)
    acc = np.empty((N, G, Cog, length), dtype=x.dtype)
    term = np.empty_like(acc)
    for u in range(kh):
        for v in range(kw):
            target = acc if (u, v) == (0, 0) else term
            np.matmul(np.ascontiguousarray(w[..., u, v]), taps[..., u, v, :], out=target)
            if target is term:
                acc += term
    return acc.reshape(N, G, Cog, oH, Wp)[..., :oW]


def flat_rows(x: np.ndarray, widths=((0, 0), (0, 0))) -> np.ndarray:
    """Return ``x`` ``(..., H, W)`` zero-padded and flattened to ``(..., (Hp+1)*Wp)``, a spare zero row last.

    ``widths`` is ``((top, bottom), (left, right))``; a negative amount crops. In this layout the
    input seen by kernel offset ``(u, v)`` at stride 1 is the contiguous slice starting at
    ``u*dh*Wp + v*dw``, of length ``oH*Wp``: each output row is computed at full padded width
    (the last ``Wp - oW`` columns wrap into the next row and are dropped), and the last offset
    runs ``(kw-1)*dw`` cells into the spare row. Padding is written here, in the same pass as
    the copy, rather than by a separate padded copy.
    """
    x, widths = crop_negative(x, widths)
    (top, bottom), (left, right) = widths
    Hp, Wp = x.shape[-2] + top + bottom, x.shape[-1] + left + right
    flat = np.zeros(x.shape[:-2] + ((Hp + 1) * Wp,), dtype=x.dtype)
    _interior(flat, x.shape[-2:], widths)[...] = x
    return flat


def flat_taps(flat: np.ndarray, width: int, kernel, dilation, length: int) -> np.ndarray:
    """Return every kernel offset's slice of a flat layout ``(..., L)`` as one view ``(..., kh, kw, length)``.

    ``view[..., u, v, p] == flat[..., u*dh*width + v*dw + p]``: the contiguous slice that kernel
    offset ``(u, v)`` reads at stride 1 in the layout of :func:`flat_rows` (``width`` is its
    padded row length ``Wp``), for all offsets at once. Nothing is copied; like the window view,
    the cells alias.

    >>> flat = flat_rows(np.arange(6.0).reshape(2, 3))   # 2x3 image, Wp = 3, a spare zero row
    >>> flat_taps(flat, 3, (2, 2), (1, 1), length=3)[..., 1, 0, :]   # offset (1, 0): the next row
    array([3., 4., 5.])
    """
    kh, kw = kernel
    step = flat.strides[-1]
    shape = flat.shape[:-1] + (kh, kw, length)
    strides = flat.strides[:-1] + (dilation[0] * width * step, dilation[1] * step, step)
    return as_strided(flat, shape=shape, strides=strides, writeable=False)


def _interior(flat: np.ndarray, size, widths) -> np.ndarray:
    """Return the view of the flat layout ``(..., (Hp+1)*Wp)`` where the unpadded ``size`` image goes."""
    (top, bottom), (left, right) = widths
    (H, W) = size
    Hp, Wp = H + top + bottom, W + left + right
    return flat[..., : Hp * Wp].reshape(flat.shape[:-1] + (Hp, Wp))[..., top : top + H, left : left + W]


def _flat_geometry(x: np.ndarray, kernel, dilation, widths) -> tuple[tuple[int, int], int]:
    """Return the stride-1 output size ``(oH, oW)`` of ``x`` padded by ``widths``, and the padded width."""
    (Hp, Wp) = (n + b + a for n, (b, a) in zip(x.shape[-2:], widths))
    return (window_count(Hp, kernel[0], 1, dilation[0]), window_count(Wp, kernel[1], 1, dilation[1])), Wp


# Elements per block of groups in the depthwise loop: a block's padded input and gathered
# taps stay in the cache between the copy and the matrix product. Measured on 8x64x56x56
# (3x3): blocks of 26K to 131K floats run alike; 256K is 1.5x slower.
DEPTHWISE_BLOCK = 65536


def _depthwise(x: np.ndarray, w: np.ndarray, stride, dilation, widths) -> np.ndarray:
    """(N, G, 1, H, W) x (G, Cog, 1, kh, kw) -> (N, G, Cog, oH, oW), one group at a time."""
    N, G = x.shape[:2]
    _, Cog, _, kh, kw = w.shape
    if stride != (1, 1):
        view = windows(pad_axes(x, widths), (kh, kw), stride, dilation)  # (N, G, 1, oH, oW, kh, kw)
        scale = w[None, :, :, 0, :, :, None, None]  # (1, G, Cog, kh, kw, 1, 1)
        acc = view[..., 0, 0] * scale[:, :, :, 0, 0]
        for u in range(kh):
            for v in range(kw):
                if (u, v) != (0, 0):
                    acc += view[..., u, v] * scale[:, :, :, u, v]
        return acc
    # Block by block, in buffers that stay in the cache: the block's images are written padded
    # into the flat layout, the kh*kw slices its kernel offsets read (flat_taps) are gathered by
    # one copy, and one matrix product per image and group, (Cog, kh*kw) @ (kh*kw, oH*Wp),
    # weighs and adds them; the result is cropped into the output. (One multiply and one add
    # per offset, elementwise, is 1.3x slower: 2*kh*kw passes over the block instead of two.)
    (oH, oW), Wp = _flat_geometry(x, (kh, kw), dilation, widths)
    x, widths = crop_negative(x[:, :, 0], widths)
    H, W = x.shape[-2:]
    length = oH * Wp
    kernels = np.ascontiguousarray(w[:, :, 0].reshape(G, Cog, kh * kw))  # for BLAS: not a flipped view
    out = np.empty((N, G, Cog, oH, oW), dtype=x.dtype)
    block = max(1, min(G, DEPTHWISE_BLOCK // max(1, N * length)))
    flat = flat_rows(np.zeros((N, block, H, W), dtype=x.dtype), widths)  # its padding stays zero
    interior = _interior(flat, (H, W), widths)
    taps = flat_taps(flat, Wp, (kh, kw), dilation, length)  # (N, block, kh, kw, length)
    gathered = np.empty((N, block, kh * kw, length), dtype=x.dtype)
    acc = np.empty((N, block, Cog, length), dtype=x.dtype)
    for g0 in range(0, G, block):  # a loop over groups, in blocks
        b = min(G, g0 + block) - g0
        interior[:, :b] = x[:, g0 : g0 + b]
        np.copyto(gathered[:, :b].reshape(N, b, kh, kw, length), taps[:, :b])
        np.matmul(kernels[g0 : g0 + b], gathered[:, :b], out=acc[:, :b])
        out[:, g0 : g0 + b] = acc[:, :b].reshape(N, b, Cog, oH, Wp)[..., :oW]
    return out


def correlate(x: np.ndarray, w: np.ndarray, stride=1, dilation=1, groups: int = 1,
              widths=((0, 0), (0, 0))) -> np.ndarray:
    """Return the grouped cross-correlation of a batch zero-padded by ``widths``, without bias.

    ``x`` ``(N, C_in, H, W)`` and ``w`` ``(C_out, C_in/groups, kh, kw)`` of one float dtype;
    ``widths`` is ``((top, bottom), (left, right))`` (negative amounts crop). The result is
    ``(N, C_out, oH, oW)`` with ``oH = (H + top + bottom - dh*(kh-1) - 1)//sh + 1``. Arguments
    are assumed valid (:func:`conv2d` checks them). Each method pads the way it reads: the
    flat layouts write the padding as they copy, im2col pads before taking windows.
    """
    N, C_in, H, W = x.shape
    C_out, Cig, kh, kw = w.shape
    G = groups
    xg = x.reshape(N, G, Cig, H, W)
    wg = w.reshape(G, C_out // G, Cig, kh, kw)
    stride, dilation, widths = tuple(stride), tuple(dilation), tuple(map(tuple, widths))
    if Cig == 1 and C_out // G <= 4:
        out = _depthwise(xg, wg, stride, dilation, widths)
    elif stride == (1, 1) and Cig >= SHIFTED_MIN_CHANNELS and (kh, kw) != (1, 1):
        out = _shifted(xg, wg, dilation, widths)
    else:
        out = _im2col(xg, wg, stride, dilation, widths)
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
    setup = convolution(x, weight, stride, padding, dilation, groups, padding_mode)
    bias = check_bias(bias, setup.weight.shape[0])
    y = correlate(setup.x, setup.weight, setup.stride, setup.dilation, groups, setup.widths)
    if bias is not None:
        y += bias.astype(y.dtype)[:, None, None]
    return y[0] if setup.unbatched else y


class Convolution(NamedTuple):
    """A checked convolution call: its arrays in one float dtype, and its geometry."""

    x: np.ndarray          # (N, C_in, H, W); already padded if the padding mode is not zeros
    unbatched: bool        # x came as (C_in, H, W)
    weight: np.ndarray     # (C_out, C_in/groups, kh, kw)
    stride: tuple
    dilation: tuple
    widths: tuple          # ((top, bottom), (left, right)): zeros still to add around x


def convolution(x, weight, stride, padding, dilation, groups, padding_mode="zeros") -> Convolution:
    """Check the arguments of a convolution (and of its gradient); return them normalised.

    Zero padding is left to :func:`correlate`, which writes it as it lays the input out; the
    other modes are applied here.
    """
    x, unbatched = batched(x)
    N, C_in, H, W = x.shape
    weight = check_weight(weight, C_in, groups)
    kh, kw = weight.shape[2:]
    stride = positive_pair(stride, "stride")
    dilation = positive_pair(dilation, "dilation")
    choice(padding_mode, "padding_mode", CONV_PADDING_MODES)
    widths = tuple(conv_padding(padding, (kh, kw), dilation, stride))
    x, weight = common_float(x, weight)
    if padding_mode != "zeros":
        x, widths = pad_axes(x, widths, padding_mode, name="padding"), ((0, 0), (0, 0))
    padded = tuple(n + b + a for n, (b, a) in zip(x.shape[2:], widths))
    span = (dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1)
    if span[0] > padded[0] or span[1] > padded[1]:
        raise ValueError(
            f"kernel_size {(kh, kw)} with dilation {dilation} spans {span}, more than the padded "
            f"input {padded} (input {(H, W)} with padding {padding!r})"
        )
    return Convolution(x, unbatched, weight, stride, dilation, widths)
