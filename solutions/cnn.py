"""A tiny convolutional network, its loss and its gradients, built from the library's own ops.

One convolution layer and one linear layer, the network chapter 7 trains on 8x8 digits:

    X (N, 1, 8, 8) -> conv 3x3, padding 1 (W1, b1) -> (N, C, 8, 8) -> ReLU
      -> max-pool 2x2 -> (N, C, 4, 4) -> flatten, C order -> h (N, C*16)
      -> h @ W2.T + b2 -> logits (N, 10) -> mean softmax cross-entropy with labels y

The backward pass runs the same steps in reverse, each one's gradient by the library's
backward ops (:func:`solutions.conv2d_backward`, :func:`solutions.max_pool2d_backward`) or by a
line of algebra (softmax, linear layer, ReLU).
"""

from __future__ import annotations

import numpy as np

from ._args import as_float, common_float
from .backward import conv2d_backward, max_pool2d_backward
from .conv import conv2d
from .pooling import max_pool2d

__all__ = ["tiny_cnn_loss"]

PARAMETERS = ("W1", "b1", "W2", "b2")


def tiny_cnn_loss(params, X, y):
    """Return ``(loss, grads)`` of the tiny CNN on images ``X`` with labels ``y``.

    Parameters
    ----------
    params : dict with ``"W1"`` ``(C, 1, 3, 3)``, ``"b1"`` ``(C,)``, ``"W2"`` ``(10, C*16)``,
        ``"b2"`` ``(10,)`` (more generally ``W1`` ``(C, C_in, 3, 3)`` and ``W2``
        ``(classes, C*(H//2)*(W//2))``).
    X : ``(N, 1, 8, 8)`` images (more generally ``(N, C_in, H, W)``); integers are promoted.
    y : ``(N,)`` integer labels in ``[0, classes)``.

    Returns
    -------
    ``loss``, a float: the mean over the batch of ``-log softmax(logits)[y]``; and ``grads``, a
    dict with ``dloss/dparam`` for each key of ``params``, in that parameter's shape and float
    dtype. The network is conv 3x3 with padding 1, ReLU, 2x2 max-pool, flatten ``(C, 4, 4)`` in
    C order, linear ``h @ W2.T + b2`` (see the module doc).

    Examples
    --------
    With all parameters zero every class is equally likely, so the loss is ``log(10)``:

    >>> params = {"W1": np.zeros((2, 1, 3, 3)), "b1": np.zeros(2), "W2": np.zeros((10, 32)), "b2": np.zeros(10)}
    >>> loss, grads = tiny_cnn_loss(params, np.ones((1, 1, 8, 8)), np.array([3]))
    >>> round(loss, 6), round(float(np.log(10)), 6)
    (2.302585, 2.302585)
    >>> grads["b2"]
    array([ 0.1,  0.1,  0.1, -0.9,  0.1,  0.1,  0.1,  0.1,  0.1,  0.1])
    >>> {name: g.shape for name, g in grads.items()}
    {'W1': (2, 1, 3, 3), 'b1': (2,), 'W2': (10, 32), 'b2': (10,)}
    """
    (W1, b1, W2, b2, X), y, dtypes = _check(params, X, y)
    N = X.shape[0]
    # Forward, keeping what the backward pass needs.
    Z = conv2d(X, W1, b1, padding=1)                 # (N, C, H, W)
    A = np.maximum(Z, 0)                             # ReLU
    P = max_pool2d(A, 2)                             # (N, C, H//2, W//2)
    h = P.reshape(N, -1)                             # C order: channel, then row, then column
    logits = h @ W2.T + b2                           # (N, classes)
    shifted = logits - logits.max(axis=1, keepdims=True)  # exp cannot overflow
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(N)
    loss = -log_probs[rows, y].mean()
    # Backward: d(mean cross-entropy)/dlogits = (softmax - one_hot(y)) / N.
    dlogits = np.exp(log_probs)
    dlogits[rows, y] -= 1
    dlogits /= N
    dW2, db2 = dlogits.T @ h, dlogits.sum(axis=0)
    dP = (dlogits @ W2).reshape(P.shape)
    dA = max_pool2d_backward(A, dP, 2)
    dZ = np.where(Z > 0, dA, 0)                      # ReLU passes the gradient where it was active
    _, dW1, db1 = conv2d_backward(X, W1, dZ, padding=1)
    grads = dict(W1=dW1, b1=db1, W2=dW2, b2=db2)
    return float(loss), {name: grads[name].astype(dtypes[name], copy=False) for name in PARAMETERS}


def _check(params, X, y):
    """Return ``(W1, b1, W2, b2, X)`` in one float dtype, ``y``, and each parameter's own float dtype.

    Raises ``ValueError`` naming the argument whose shape or values do not fit.
    """
    if not isinstance(params, dict):
        raise ValueError(f"params must be a dict with keys {PARAMETERS}, got {type(params).__name__}")
    missing = [name for name in PARAMETERS if name not in params]
    if missing:
        raise ValueError(f"params is missing {', '.join(missing)}; it needs {', '.join(PARAMETERS)}")
    W1, b1, W2, b2 = (as_float(params[name], f'params["{name}"]') for name in PARAMETERS)
    X = as_float(X, "X")
    if X.ndim != 4 or X.shape[0] == 0:
        raise ValueError(f"X must be a non-empty batch (N, C_in, H, W), got shape {X.shape}")
    N, C_in, H, W = X.shape
    if W1.ndim != 4 or W1.shape[1:] != (C_in, 3, 3):
        raise ValueError(f'params["W1"] must have shape (C, {C_in}, 3, 3) for X {X.shape}, got {W1.shape}')
    C = W1.shape[0]
    features = C * (H // 2) * (W // 2)
    if b1.shape != (C,):
        raise ValueError(f'params["b1"] must have shape ({C},), got {b1.shape}')
    if W2.ndim != 2 or W2.shape[1] != features:
        raise ValueError(
            f'params["W2"] must have shape (classes, C*(H//2)*(W//2)) = (classes, {features}), got {W2.shape}')
    classes = W2.shape[0]
    if b2.shape != (classes,):
        raise ValueError(f'params["b2"] must have shape ({classes},), got {b2.shape}')
    y = np.asarray(y)
    if y.shape != (N,) or y.dtype.kind not in "iu" or y.min() < 0 or y.max() >= classes:
        raise ValueError(f"y must hold {N} integer labels in [0, {classes}), got {y.dtype} of shape {y.shape}")
    dtypes = dict(zip(PARAMETERS, (W1.dtype, b1.dtype, W2.dtype, b2.dtype)))
    return common_float(W1, b1, W2, b2, X), y, dtypes
