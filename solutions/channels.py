"""Channels: summing over input channels, stacking output channels, mixing them 1x1, grouping them.

A multi-channel convolution correlates each input channel with its own kernel slice and sums:
``Y[o] = sum_c corr2d(X[c], K[o, c])``. With ``C_out`` kernels stacked, the output has ``C_out``
channels. A 1x1 kernel sees one pixel, so it only mixes channels: a matrix product at every
pixel. Groups split the channels into independent convolutions; depthwise is the extreme case
of one channel per group.
"""

from __future__ import annotations

import numpy as np

from ._args import as_float, batched
from .conv import conv2d


def _ndim(x, name: str, ndim: int, layout: str) -> np.ndarray:
    x = as_float(x, name)
    if x.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D {layout}, got {x.ndim}-D with shape {x.shape}")
    return x


def _same_channels(X: np.ndarray, K: np.ndarray, axis: int) -> None:
    """Check that ``K``'s input-channel axis matches ``X``'s channels, naming both shapes if not."""
    if K.shape[axis] != X.shape[0]:
        raise ValueError(f"K {K.shape} has {K.shape[axis]} input channels but X {X.shape} has {X.shape[0]}")


def corr2d_multi_in(X, K) -> np.ndarray:
    """Return the sum over channels of the cross-correlations: ``(C, H, W) x (C, kh, kw) -> (oh, ow)``.

    >>> X = np.array([[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]])
    >>> K = np.array([[[0, 1], [2, 3]], [[1, 2], [3, 4]]])
    >>> corr2d_multi_in(X, K)
    array([[ 56.,  72.],
           [104., 120.]])
    """
    X = _ndim(X, "X", 3, "(C, H, W)")
    K = _ndim(K, "K", 3, "(C, kh, kw)")
    _same_channels(X, K, 0)
    return conv2d(X, K[None])[0]


def corr2d_multi_in_out(X, K) -> np.ndarray:
    """Return one output channel per kernel: ``(C_in, H, W) x (C_out, C_in, kh, kw) -> (C_out, oh, ow)``.

    >>> X = np.array([[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]])
    >>> K = np.array([[[0, 1], [2, 3]], [[1, 2], [3, 4]]])
    >>> corr2d_multi_in_out(X, np.stack([K, K + 1, K + 2]))
    array([[[ 56.,  72.],
            [104., 120.]],
    <BLANKLINE>
           [[ 76., 100.],
            [148., 172.]],
    <BLANKLINE>
           [[ 96., 128.],
            [192., 224.]]])
    """
    X = _ndim(X, "X", 3, "(C_in, H, W)")
    K = _ndim(K, "K", 4, "(C_out, C_in, kh, kw)")
    _same_channels(X, K, 1)
    return conv2d(X, K)


def corr2d_multi_in_out_1x1(X, K) -> np.ndarray:
    """Return the 1x1 convolution of ``X`` ``(C_in, H, W)`` by ``K`` ``(C_out, C_in, 1, 1)`` as one matrix product.

    ``(C_out, C_in) @ (C_in, H*W)``, reshaped to ``(C_out, H, W)``: every pixel's channel vector
    is multiplied by the same matrix. ``K`` may also be given as ``(C_out, C_in)``.

    >>> X = np.arange(8).reshape(2, 2, 2)
    >>> corr2d_multi_in_out_1x1(X, np.array([[[[1]], [[10]]]]))
    array([[[40., 51.],
            [62., 73.]]])
    """
    X = _ndim(X, "X", 3, "(C_in, H, W)")
    K = as_float(K, "K")
    if K.ndim == 4 and K.shape[2:] == (1, 1):
        K = K[:, :, 0, 0]
    if K.ndim != 2:
        raise ValueError(f"K must be (C_out, C_in, 1, 1) or (C_out, C_in), got shape {K.shape}")
    C_in, H, W = X.shape
    if K.shape[1] != C_in:
        raise ValueError(f"K has {K.shape[1]} input channels but X has C_in={C_in}")
    return (K @ X.reshape(C_in, H * W)).reshape(K.shape[0], H, W)


def pointwise_as_linear(X, W, b=None) -> np.ndarray:
    """Return the 1x1 convolution of ``X`` ``(N, C_in, H, W)`` as a fully connected layer at every pixel.

    Each pixel's channel vector ``x`` ``(C_in,)`` becomes ``W @ x + b`` with ``W`` ``(C_out, C_in)``
    and ``b`` ``(C_out,)``; the result is ``(N, C_out, H, W)`` (unbatched ``(C_in, H, W)`` gives
    ``(C_out, H, W)``).

    >>> X = np.ones((1, 3, 2, 2))
    >>> pointwise_as_linear(X, np.array([[0.299, 0.587, 0.114]]), np.array([0.0]))
    array([[[[1., 1.],
             [1., 1.]]]])
    """
    X, unbatched = batched(X, "X")
    W = _ndim(W, "W", 2, "(C_out, C_in)")
    if W.shape[1] != X.shape[1]:
        raise ValueError(f"W has {W.shape[1]} input channels but X has C_in={X.shape[1]}")
    pixels = np.moveaxis(X, 1, -1)  # (N, H, W, C_in): one row per pixel
    Y = pixels @ W.T
    if b is not None:
        b = _ndim(b, "b", 1, "(C_out,)")
        if b.shape != (W.shape[0],):
            raise ValueError(f"b must have shape (C_out,) = ({W.shape[0]},), got {b.shape}")
        Y = Y + b
    Y = np.ascontiguousarray(np.moveaxis(Y, -1, 1))
    return Y[0] if unbatched else Y


def conv2d_grouped(X, K, groups) -> np.ndarray:
    """Return the grouped convolution ``(C_in, H, W) x (C_out, C_in/groups, kh, kw) -> (C_out, oh, ow)``.

    Input channels are cut into ``groups`` consecutive blocks of ``C_in/groups``, output channels
    into blocks of ``C_out/groups``; output block ``g`` sees input block ``g`` only, which divides
    the parameters and the multiply-accumulates by ``groups``.

    >>> X = np.stack([np.ones((3, 3)), 10 * np.ones((3, 3))])
    >>> conv2d_grouped(X, np.ones((2, 1, 2, 2)), groups=2)[:, 0, 0]
    array([ 4., 40.])
    """
    X = _ndim(X, "X", 3, "(C_in, H, W)")
    K = _ndim(K, "K", 4, "(C_out, C_in/groups, kh, kw)")
    return conv2d(X, K, groups=groups)


def depthwise_separable(X, K_depth, K_point) -> np.ndarray:
    """Return a depthwise then pointwise convolution: ``(C_in, H, W) -> (C_out, oh, ow)``.

    ``K_depth`` ``(C_in, 1, kh, kw)`` filters each channel on its own (``groups = C_in``);
    ``K_point`` ``(C_out, C_in, 1, 1)`` then mixes the channels. Parameters:
    ``C_in*kh*kw + C_out*C_in`` instead of a full convolution's ``C_out*C_in*kh*kw``.

    >>> X = np.ones((2, 3, 3))
    >>> depthwise_separable(X, np.ones((2, 1, 2, 2)), np.array([[[[1.0]], [[-1.0]]]]))
    array([[[0., 0.],
            [0., 0.]]])
    """
    X = _ndim(X, "X", 3, "(C_in, H, W)")
    K_depth = _ndim(K_depth, "K_depth", 4, "(C_in, 1, kh, kw)")
    K_point = _ndim(K_point, "K_point", 4, "(C_out, C_in, 1, 1)")
    C_in = X.shape[0]
    if K_depth.shape[:2] != (C_in, 1):
        raise ValueError(f"K_depth must be (C_in, 1, kh, kw) = ({C_in}, 1, kh, kw), got {K_depth.shape}")
    if K_point.shape[1:] != (C_in, 1, 1):
        raise ValueError(f"K_point must be (C_out, C_in, 1, 1) = (C_out, {C_in}, 1, 1), got {K_point.shape}")
    return conv2d(conv2d(X, K_depth, groups=C_in), K_point)
