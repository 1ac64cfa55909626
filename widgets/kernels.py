"""The preset kernels the widgets offer: single kernels (chapter 1) and kernel banks (chapter 3).

A single kernel is ``(kh, kw)``; a bank for a multi-channel convolution is
``(C_out, C_in, kh, kw)``, one kernel per input channel for each output channel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .images import LUMA


def identity(size: int = 3) -> np.ndarray:
    """Return the ``(size, size)`` kernel that copies the centre pixel."""
    K = np.zeros((size, size))
    K[size // 2, size // 2] = 1.0
    return K


def box(size: int = 3) -> np.ndarray:
    """Return the ``(size, size)`` box blur: every weight ``1/size**2``."""
    return np.full((size, size), 1.0 / size**2)


def gaussian(size: int = 3) -> np.ndarray:
    """Return the ``(size, size)`` Gaussian blur, standard deviation ``size/4``, weights summing to 1."""
    t = np.arange(size) - (size - 1) / 2
    g = np.exp(-0.5 * (t / (size / 4)) ** 2)
    K = np.outer(g, g)
    return K / K.sum()


VERTICAL_EDGE = np.array([[1.0, -1.0]])
HORIZONTAL_EDGE = VERTICAL_EDGE.T
SOBEL_X = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
SOBEL_Y = SOBEL_X.T.copy()
SHARPEN = np.array([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]])


@dataclass(frozen=True)
class Preset:
    """A named kernel; ``make(size)`` builds it, ``sized`` says whether ``size`` changes it."""

    make: Callable[[int], np.ndarray]
    sized: bool = False


# The order of the kernel gallery's dropdown.
GALLERY = {
    "identity": Preset(identity),
    "vertical edge [[1, -1]]": Preset(lambda size: VERTICAL_EDGE),
    "horizontal edge [[1], [-1]]": Preset(lambda size: HORIZONTAL_EDGE),
    "Sobel x (vertical edges)": Preset(lambda size: SOBEL_X),
    "Sobel y (horizontal edges)": Preset(lambda size: SOBEL_Y),
    "box blur": Preset(box, sized=True),
    "Gaussian blur": Preset(gaussian, sized=True),
    "sharpen": Preset(lambda size: SHARPEN),
}
CUSTOM = "custom"


def parse_rows(text: str) -> np.ndarray:
    """Return the kernel written in ``text``: one row per line (or per ``;``), numbers split by spaces or commas.

    >>> parse_rows("1 0 -1\\n2, 0, -2")
    array([[ 1.,  0., -1.],
           [ 2.,  0., -2.]])
    """
    lines = [line for line in text.replace(";", "\n").splitlines() if line.strip()]
    if not lines:
        raise ValueError("the custom kernel is empty: write one row of numbers per line")
    try:
        rows = [[float(v) for v in line.replace(",", " ").split()] for line in lines]
    except ValueError as error:
        raise ValueError(f"the custom kernel must hold numbers only ({error})") from None
    widths = sorted({len(row) for row in rows})
    if len(widths) > 1:
        raise ValueError(f"every row of the custom kernel needs the same number of entries, got {widths}")
    K = np.array(rows)
    if max(K.shape) > 15:
        raise ValueError(f"keep the custom kernel at most 15 x 15, got {K.shape[0]} x {K.shape[1]}")
    return K


@dataclass(frozen=True)
class Bank:
    """A ``(C_out, 3, kh, kw)`` kernel bank for an RGB input, with a name for each output channel."""

    K: np.ndarray
    outputs: tuple[str, ...]


def _per_channel(*kernels) -> np.ndarray:
    """Return one output channel's ``(3, kh, kw)`` kernels, ``None`` meaning zeros."""
    shape = next(k.shape for k in kernels if k is not None)
    return np.stack([np.zeros(shape) if k is None else k for k in kernels])


def channel_banks() -> dict[str, Bank]:
    """Return the preset kernel banks of the channel explorer, each with 2 or 3 output channels."""
    gray_blur = LUMA[:, None, None] * box(3)
    return {
        "grayscale blur and edges": Bank(
            np.stack([gray_blur, LUMA[:, None, None] * SOBEL_X, LUMA[:, None, None] * SOBEL_Y]),
            ("gray blur", "gray vertical edges", "gray horizontal edges"),
        ),
        "edges per channel": Bank(
            np.stack([_per_channel(SOBEL_X, None, None), _per_channel(None, SOBEL_X, None),
                      _per_channel(SOBEL_X, SOBEL_Y, None)]),
            ("vertical edges of red", "vertical edges of green",
             "red vertical + green horizontal edges"),
        ),
        "color opponents": Bank(
            np.stack([_per_channel(box(3), -box(3), None), _per_channel(-box(3) / 2, -box(3) / 2, box(3))]),
            ("red minus green", "blue minus yellow"),
        ),
        "channel pickers": Bank(
            np.stack([_per_channel(identity(3), None, None), _per_channel(None, identity(3), None),
                      _per_channel(None, None, identity(3))]),
            ("red only", "green only", "blue only"),
        ),
    }
