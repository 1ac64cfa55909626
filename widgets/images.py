"""The photograph the widgets draw on: matplotlib's sample portrait, in gray or RGB, downscaled.

The picture ships with matplotlib (``mpl-data/sample_data/grace_hopper.jpg``, 600 x 512 pixels),
so it loads with no network. A student's loop version of ``corr2d`` makes one Python step per
output pixel; at about 128 pixels a side the widgets stay interactive with it.
"""

from __future__ import annotations

import functools

import matplotlib.cbook
import matplotlib.image
import numpy as np
from matplotlib.colors import LinearSegmentedColormap

CHANNELS = ("red", "green", "blue")
# Each channel drawn as the light of its colour: black where the channel is 0.
CHANNEL_CMAPS = tuple(LinearSegmentedColormap.from_list(c, ["black", c]) for c in CHANNELS)

SAMPLE = "grace_hopper.jpg"

# ITU-R BT.601 luma weights, the usual RGB-to-gray mix (chapter 4 teaches it as a 1x1 convolution).
LUMA = np.array([0.299, 0.587, 0.114])


@functools.lru_cache(maxsize=1)
def _full_rgb() -> np.ndarray:
    with matplotlib.cbook.get_sample_data(SAMPLE) as file:
        pixels = matplotlib.image.imread(file, format="jpg")
    pixels = pixels.astype(np.float64) / 255.0
    pixels.flags.writeable = False  # cached: callers get copies
    return pixels


def downscale(image: np.ndarray, factor: int) -> np.ndarray:
    """Return ``image`` shrunk by an integer ``factor``, each output pixel the mean of a block.

    ``(H, W, ...) -> (H // factor, W // factor, ...)``; rows and columns that do not fill a
    whole block are dropped.

    >>> downscale(np.arange(16.0).reshape(4, 4), 2)
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    if not isinstance(factor, int) or factor < 1:
        raise ValueError(f"factor must be a positive int, got {factor!r}")
    H, W = image.shape[0] // factor, image.shape[1] // factor
    if H == 0 or W == 0:
        raise ValueError(f"factor={factor} is larger than the image, of shape {image.shape}")
    blocks = image[: H * factor, : W * factor].reshape(H, factor, W, factor, *image.shape[2:])
    return blocks.mean(axis=(1, 3))


def _factor(size: int) -> int:
    """Return the block size that brings the photo's shorter side down to about ``size``."""
    return max(1, min(_full_rgb().shape[:2]) // size)


def photo_rgb(size: int = 96) -> np.ndarray:
    """Return the sample photo as ``(3, H, W)`` floats in [0, 1], its shorter side about ``size``.

    Channels first, the layout of the course's multi-channel functions.
    """
    return np.moveaxis(downscale(_full_rgb(), _factor(size)), -1, 0).copy()


def photo_gray(size: int = 128) -> np.ndarray:
    """Return the sample photo as ``(H, W)`` gray levels in [0, 1], its shorter side about ``size``."""
    return downscale(_full_rgb() @ LUMA, _factor(size))
