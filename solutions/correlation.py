"""Single-channel 2-D cross-correlation and what chapters 1 and 2 build from it.

``Y[i, j] = sum_{u, v} X[i*s + u*d, j*s + v*d] * K[u, v]`` over the (padded) input ``X``:
the kernel slides over the input and each output cell is the sum of a window times the kernel.
Deep-learning libraries call this "convolution"; the convolution of signal processing first
rotates the kernel by 180 degrees (:func:`convolve2d`). For a learned kernel the difference does
not matter: the network learns the rotated kernel instead.
"""

from __future__ import annotations

import numpy as np

from ._args import matrix, positive_pair
from .conv import conv2d


def _single(X, K, **kwargs) -> np.ndarray:
    """Run ``conv2d`` on a 2-D ``X`` and ``K``, seen as one image of one channel."""
    X, K = matrix(X, "X"), matrix(K, "K")
    try:
        return conv2d(X[None, None], K[None, None], **kwargs)[0, 0]
    except ValueError as error:
        # conv2d speaks of x and weight; a student passed X and K.
        raise ValueError(f"X {X.shape} and K {K.shape}: {error}") from None


def corr2d(X, K) -> np.ndarray:
    """Return the cross-correlation of ``X`` ``(H, W)`` with ``K`` ``(kh, kw)``: ``(H-kh+1, W-kw+1)``.

    >>> X = np.arange(9).reshape(3, 3)
    >>> corr2d(X, np.array([[0, 1], [2, 3]]))
    array([[19., 25.],
           [37., 43.]])
    """
    return _single(X, K)


def convolve2d(X, K) -> np.ndarray:
    """Return the true convolution of ``X`` ``(H, W)`` with ``K`` ``(kh, kw)``: ``(H-kh+1, W-kw+1)``.

    Cross-correlation with the kernel rotated by 180 degrees, ``K[::-1, ::-1]``.

    >>> convolve2d(np.arange(9).reshape(3, 3), np.array([[0, 1], [2, 3]]))
    array([[ 5., 11.],
           [23., 29.]])
    """
    K = matrix(K, "K")
    return corr2d(X, K[::-1, ::-1])


def corr2d_pad_stride(X, K, padding=0, stride=1, padding_mode="zeros") -> np.ndarray:
    """Return the cross-correlation of ``X`` ``(H, W)`` with ``K`` ``(kh, kw)`` after padding, with a stride.

    ``padding`` (per side) and ``stride`` are ints or ``(rows, columns)`` pairs; ``padding_mode``
    is ``"zeros"``, ``"reflect"``, ``"replicate"`` or ``"circular"``. Output
    ``floor((H + 2ph - kh) / sh) + 1`` by ``floor((W + 2pw - kw) / sw) + 1``.

    >>> corr2d_pad_stride(np.ones((8, 8)), np.ones((3, 5)), padding=(0, 1), stride=(3, 4)).shape
    (2, 2)
    """
    return _single(X, K, padding=padding, stride=stride, padding_mode=padding_mode)


def corr2d_dilated(X, K, dilation) -> np.ndarray:
    """Return the cross-correlation of ``X`` ``(H, W)`` with ``K`` ``(kh, kw)`` spread by ``dilation``.

    Kernel taps sit ``dilation`` cells apart (an int or a pair), so the kernel spans
    ``d*(k-1) + 1`` cells and the output is ``(H - dh*(kh-1), W - dw*(kw-1))``.

    >>> corr2d_dilated(np.arange(25).reshape(5, 5), np.ones((2, 2)), 2)
    array([[24., 28., 32.],
           [44., 48., 52.],
           [64., 68., 72.]])
    """
    return _single(X, K, dilation=dilation)


class Conv2D:
    """A convolution layer of one channel: ``layer(X) = corr2d(X, layer.weight) + layer.bias``.

    ``weight`` ``(kh, kw)`` starts uniform in ``[0, 1)`` (from ``rng``, or a fixed seed for
    reproducible notebooks) and ``bias`` at 0.

    >>> layer = Conv2D((1, 2))
    >>> layer.weight = np.array([[1.0, -1.0]]); layer.bias = 0.5
    >>> layer(np.array([[1, 1, 0]]))
    array([[0.5, 1.5]])
    """

    def __init__(self, kernel_size, rng=None):
        kh, kw = positive_pair(kernel_size, "kernel_size")
        rng = np.random.default_rng(0) if rng is None else rng
        self.weight = rng.uniform(size=(kh, kw))
        self.bias = 0.0

    def __call__(self, X) -> np.ndarray:
        return corr2d(X, self.weight) + self.bias

    def __repr__(self) -> str:
        return f"Conv2D(kernel_size={self.weight.shape}, bias={self.bias})"


def learn_kernel(X, Y, kernel_shape, lr=0.03, steps=20) -> np.ndarray:
    """Return a kernel ``K`` ``kernel_shape`` fitted so that ``corr2d(X, K)`` approximates ``Y``.

    Gradient descent from ``K = 0`` on the squared error ``L = sum((corr2d(X, K) - Y)**2)``.
    Since ``Yhat[i, j] = sum_{u,v} X[i+u, j+v] K[u, v]``, the gradient is itself a
    cross-correlation: ``dL/dK = corr2d(X, dL/dYhat)`` with ``dL/dYhat = 2 * (Yhat - Y)``.
    Each of the ``steps`` updates is ``K -= lr * dL/dK``.

    >>> X = np.ones((6, 8)); X[:, 2:6] = 0
    >>> Y = corr2d(X, np.array([[1, -1]]))
    >>> learn_kernel(X, Y, (1, 2), lr=0.03, steps=20).round(3)
    array([[ 1., -1.]])
    """
    X, Y = matrix(X, "X"), matrix(Y, "Y")
    kh, kw = positive_pair(kernel_shape, "kernel_shape")
    expected = (X.shape[0] - kh + 1, X.shape[1] - kw + 1)
    if Y.shape != expected:
        raise ValueError(f"Y must have shape {expected} (X {X.shape} correlated with a {(kh, kw)} kernel), got {Y.shape}")
    K = np.zeros((kh, kw), dtype=np.result_type(X, Y))
    for _ in range(int(steps)):
        grad_Y = 2 * (corr2d(X, K) - Y)
        K -= lr * corr2d(X, grad_Y)
    return K
