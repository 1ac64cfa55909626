"""The gradient of a cross-correlation, derived by hand, and the finite differences that check it.

For ``Y = corr2d(X, K)``, ``Y[i, j] = sum_{u, v} X[i+u, j+v] * K[u, v]``, so a loss ``L`` with
``dY = dL/dY`` has

* ``dK[u, v] = sum_{i, j} dY[i, j] * X[i+u, j+v]``: the cross-correlation of ``X`` with ``dY``;
* ``dX[a, b] = sum_{u, v} dY[a-u, b-v] * K[u, v]``: each ``dY[i, j]`` stamps ``dY[i, j] * K``
  back onto the window it came from (a transposed convolution). Equivalently, the "full"
  cross-correlation of ``dY``, zero-padded by ``kh-1`` rows and ``kw-1`` columns on each
  side, with ``K`` rotated by 180 degrees.

:func:`numerical_gradient` checks such a derivation without trusting it: it nudges each input
by ``+-eps`` and measures how the function changes.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._args import as_float, matrix
from .backward import conv2d_backward

__all__ = ["numerical_gradient", "corr2d_backward"]


def numerical_gradient(f, X, eps=1e-6) -> np.ndarray:
    """Return the central-difference gradient of the scalar function ``f`` at ``X``: ``X``'s shape, float64.

    ``grad[idx] = (f(X + eps*e) - f(X - eps*e)) / (2*eps)``, ``e`` being 1 at ``idx`` and 0
    elsewhere, for every index of ``X`` (any shape). The error is of order ``eps**2`` times the
    third derivative, plus the rounding of ``f`` divided by ``eps``; ``1e-6`` balances the two
    for float64 functions of moderate size. Near a kink (ReLU at 0, a tie in a max) the two
    sides differ and the estimate is the average of the two slopes.

    ``f`` receives a float64 array of ``X``'s shape (the same array each time, changed in one
    place; ``X`` itself is never modified) and must return a number. This calls ``f`` twice per
    element of ``X``, in a Python loop: ``f`` is a black box, so no vectorization can do better.

    >>> numerical_gradient(lambda X: (X ** 2).sum(), np.array([[1., 2.], [3., 4.]])).round(6)
    array([[2., 4.],
           [6., 8.]])

    Checking a hand-derived gradient, here ``dK`` of ``L = corr2d(X, K).sum()``:

    >>> from solutions import corr2d
    >>> X, K = np.arange(9.0).reshape(3, 3), np.array([[0., 1.], [2., 3.]])
    >>> dK = numerical_gradient(lambda K: corr2d(X, K).sum(), K)
    >>> np.allclose(dK, corr2d_backward(X, K, np.ones((2, 2)))[1])
    True
    """
    if not callable(f):
        raise ValueError(f"f must be a function of X returning a number, got {type(f).__name__}")
    if not isinstance(eps, numbers.Real) or isinstance(eps, bool) or not 0 < eps < np.inf:
        raise ValueError(f"eps must be a positive finite number, got {eps!r}")
    point = as_float(X, "X").astype(np.float64)  # a copy: X is left alone
    grad = np.zeros_like(point)
    flat = point.reshape(-1)  # a view: writing to it moves the point f sees
    for idx in range(flat.size):
        original = flat[idx]
        flat[idx] = original + eps
        above = _scalar(f(point))
        flat[idx] = original - eps
        below = _scalar(f(point))
        flat[idx] = original
        grad.flat[idx] = (above - below) / (2 * eps)
    return grad


def _scalar(value) -> float:
    """Return ``f``'s value as a float, or raise if it is not one number."""
    value = np.asarray(value)
    if value.size != 1 or value.dtype.kind not in "biuf":
        raise ValueError(f"f must return a single real number, got {value.dtype} of shape {value.shape}")
    return float(value.reshape(()))


def corr2d_backward(X, K, dY) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(dX, dK)``, the gradients of a loss through ``Y = corr2d(X, K)``, shaped like ``X`` and ``K``.

    ``X`` ``(H, W)``, ``K`` ``(kh, kw)``, ``dY = dL/dY`` ``(H-kh+1, W-kw+1)``.
    ``dK = corr2d(X, dY)``; ``dX`` is the full cross-correlation of ``dY`` (zero-padded by
    ``kh-1``, ``kw-1`` on each side) with ``K`` rotated by 180 degrees, ``(H, W)`` again.

    >>> X, K = np.arange(9).reshape(3, 3), np.array([[0, 1], [2, 3]])
    >>> dX, dK = corr2d_backward(X, K, np.ones((2, 2)))
    >>> dK
    array([[ 8., 12.],
           [20., 24.]])
    >>> dX
    array([[0., 1., 1.],
           [2., 6., 4.],
           [2., 5., 3.]])
    """
    X, K, dY = matrix(X, "X"), matrix(K, "K"), matrix(dY, "dY")
    if K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
        raise ValueError(f"K {K.shape} must not be larger than X {X.shape}")
    expected = (X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1)
    if dY.shape != expected:
        raise ValueError(
            f"dY must have the shape of corr2d(X, K), {expected} for X {X.shape} and K {K.shape}; got {dY.shape}")
    # conv2d_backward casts X, K and dY to their common float dtype itself.
    dX, dK, _ = conv2d_backward(X[None, None], K[None, None], dY[None, None])
    return dX[0, 0], dK[0, 0]
