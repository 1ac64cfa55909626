"""Chapter 7's cases: typical slips lose points and are named (that correct loop versions score full
points, test_checks.py shows for every graded function).

Each wrong implementation below is written the way a student would get it wrong (no call of
the reference: that would be a forbidden call and score 0 for another reason). Graded with
every case, hidden ones included, it must lose points, keep those of the cases its slip does
not affect (where there are such cases), and the feedback must name the slip.
"""

from __future__ import annotations

import numpy as np
import pytest
from student_code import naive

from autograder import check


def run(capsys, name, function, points=4):
    score = check(name, function, points=points, hidden=True)
    out, err = capsys.readouterr()
    assert err == "", err
    return score, out


def pairs(value):
    return (value, value) if isinstance(value, int) else tuple(value)


# --- numerical_gradient -------------------------------------------------------------------------

def gradient(f, X, eps, difference, dtype=np.float64):
    X = np.array(X, dtype=dtype)
    grad = np.zeros(X.shape)
    for index in np.ndindex(X.shape):
        grad[index] = difference(f, X, index, eps)
    return grad


def nudged(X, index, by):
    copy = X.copy()
    copy[index] = copy[index] + by
    return copy


def forward_difference(f, X, eps=1e-6):
    return gradient(f, X, eps, lambda f, X, i, e: (f(nudged(X, i, e)) - f(X)) / e)


def divided_by_eps(f, X, eps=1e-6):
    return gradient(f, X, eps, lambda f, X, i, e: (f(nudged(X, i, e)) - f(nudged(X, i, -e))) / e)


def fixed_eps(f, X, eps=1e-6):
    return naive.numerical_gradient(f, X)


def own_dtype(f, X, eps=1e-6):
    X = np.array(X)
    return gradient(f, X, eps, lambda f, X, i, e: (f(nudged(X, i, e)) - f(nudged(X, i, -e))) / (2 * e), X.dtype)


# --- corr2d_backward ----------------------------------------------------------------------------

def corr_not_rotated(X, K, dY):
    K, dY = np.asarray(K, dtype=float), np.asarray(dY, dtype=float)
    kh, kw = K.shape
    full = np.pad(dY, ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    return naive.corr2d(full, K), naive.corr2d(X, dY)


def corr_dK_rotated(X, K, dY):
    dX, _ = naive.corr2d_backward(X, K, dY)
    return dX, naive.corr2d(X, np.asarray(dY)[::-1, ::-1])


def corr_unweighted(X, K, dY):
    dX, dK = naive.corr2d_backward(X, K, dY)
    return naive.corr2d_backward(X, K, np.ones(np.shape(dY)))[0], dK


def corr_swapped(X, K, dY):
    return naive.corr2d_backward(X, K, dY)[::-1]


# --- conv2d_backward ----------------------------------------------------------------------------

def conv_first_image_only(X, W, dY, stride=1, padding=0):
    dX, _, _ = naive.conv2d_backward(X, W, dY, stride, padding)
    _, dW, db = naive.conv2d_backward(np.asarray(X)[:1], W, np.asarray(dY)[:1], stride, padding)
    return dX, dW, db


def conv_db_first_image(X, W, dY, stride=1, padding=0):
    dX, dW, _ = naive.conv2d_backward(X, W, dY, stride, padding)
    return dX, dW, np.asarray(dY)[0].sum(axis=(1, 2)).astype(dW.dtype)


def conv_mean_over_batch(X, W, dY, stride=1, padding=0):
    dX, dW, db = naive.conv2d_backward(X, W, dY, stride, padding)
    return dX, dW / len(X), db / len(X)


def conv_not_cropped(X, W, dY, stride=1, padding=0):
    ph, pw = pairs(padding)
    padded = np.pad(np.asarray(X), ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    return naive.conv2d_backward(padded, W, dY, stride, 0)


def conv_channels_swapped(X, W, dY, stride=1, padding=0):
    dX, dW, db = naive.conv2d_backward(X, W, dY, stride, padding)
    return dX, dW.transpose(1, 0, 2, 3), db


def conv_not_rotated(X, W, dY, stride=1, padding=0):
    dX, _, _ = naive.conv2d_backward(X, np.asarray(W)[..., ::-1, ::-1], dY, stride, padding)
    _, dW, db = naive.conv2d_backward(X, W, dY, stride, padding)
    return dX, dW, db


# --- pooling ------------------------------------------------------------------------------------

def windows(X, dY, pool_size, stride):
    """Yield (c, i, j, row, col, window) for every pooling window, as a student's loops would."""
    h, w = pairs(pool_size)
    sh, sw = (h, w) if stride is None else pairs(stride)
    X = np.asarray(X, dtype=float)
    for c, i, j in np.ndindex(np.shape(dY)):
        yield c, i, j, i * sh, j * sw, X[c, i * sh:i * sh + h, j * sw:j * sw + w]


def route(choose, overwrite=False):
    def backward(X, dY, pool_size, stride=None):
        dX, dY = np.zeros(np.shape(X)), np.asarray(dY, dtype=float)
        for c, i, j, row, col, window in windows(X, dY, pool_size, stride):
            block = dX[c, row:row + window.shape[0], col:col + window.shape[1]]
            mask = choose(window)
            if overwrite:
                block[mask] = dY[c, i, j]
            else:
                block[mask] += dY[c, i, j]
        return dX
    return backward


def first(index_of):
    def choose(window):
        mask = np.zeros(window.shape, dtype=bool)
        mask.flat[index_of(window)] = True
        return mask
    return choose


def running_max_from_zero(window):
    best, where = 0.0, 0
    for k, value in enumerate(window.ravel()):
        if value > best:
            best, where = value, k
    return where


max_every_tied = route(lambda window: window == window.max())
max_last_tied = route(first(lambda window: window.size - 1 - int(np.argmax(window.ravel()[::-1]))))
max_overwrites = route(first(lambda window: int(np.argmax(window))), overwrite=True)
max_from_zero = route(first(running_max_from_zero))


def max_spreads(X, dY, pool_size, stride=None):
    return naive.avg_pool2d_backward(X, dY, pool_size, stride)


def avg_undivided(X, dY, pool_size, stride=None):
    h, w = pairs(pool_size)
    return naive.avg_pool2d_backward(X, np.asarray(dY) * (h * w), pool_size, stride)


avg_overwrites = route(lambda window: np.ones(window.shape, dtype=bool), overwrite=True)


def avg_overwrites_divided(X, dY, pool_size, stride=None):
    h, w = pairs(pool_size)
    return avg_overwrites(X, np.asarray(dY, dtype=float) / (h * w), pool_size, stride)


# --- tiny_cnn_loss ------------------------------------------------------------------------------

def cnn(loss_sum=False, grads_undivided=False, relu=True, sign=1.0, channels_last=False, stable=True):
    """The chapter's CNN written with loops, with one slip switched on."""
    def tiny_cnn_loss(params, X, y):
        W1, b1, W2, b2 = (np.asarray(params[k], dtype=float) for k in ("W1", "b1", "W2", "b2"))
        X = np.asarray(X, dtype=float)
        N, C = len(X), len(W1)
        Z = naive.conv2d_forward(X, W1, b1, padding=1)
        A = np.maximum(Z, 0)
        P = A.reshape(N, C, 4, 2, 4, 2).max(axis=(3, 5))
        h = P.reshape(N, -1)
        logits = h @ W2.T + b2
        if stable:
            logits = logits - logits.max(axis=1, keepdims=True)
        with np.errstate(all="ignore"):  # the unstable softmax overflows on purpose
            probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
            loss = -np.log(probs[np.arange(N), y]).sum() / (1 if loss_sum else N)
        dz = probs.copy()
        dz[np.arange(N), y] -= 1
        dz *= sign / (1 if grads_undivided else N)
        dh = dz @ W2
        dP = dh.reshape(N, 4, 4, C).transpose(0, 3, 1, 2) if channels_last else dh.reshape(P.shape)
        dA = naive.max_pool2d_backward(A.reshape(N * C, 8, 8), dP.reshape(N * C, 4, 4), 2).reshape(A.shape)
        _, dW1, db1 = naive.conv2d_backward(X, W1, dA * (Z > 0) if relu else dA, padding=1)
        return float(loss), {"W1": dW1, "b1": db1, "W2": dz.T @ h, "b2": dz.sum(axis=0)}
    return tiny_cnn_loss


# name, wrong implementation, words of the hint (or of the failing case) the feedback must show,
# and whether some cases still pass (partial credit) or none does.
MISTAKES = [
    ("numerical_gradient", forward_difference, "one-sided difference", True),
    ("numerical_gradient", divided_by_eps, "divide it by 2 * eps, not by eps", False),
    ("numerical_gradient", fixed_eps, "use the eps you are given", True),
    ("numerical_gradient", own_dtype, "work on a float64 copy of X", True),
    ("corr2d_backward", corr_not_rotated, "dX has the right shape but the kernel is not rotated", True),
    ("corr2d_backward", corr_dK_rotated, "dK is rotated", True),
    ("corr2d_backward", corr_unweighted, "weight the kernel by dY[i, j]", True),
    ("corr2d_backward", corr_swapped, "the pair is in the wrong order", False),
    ("conv2d_backward", conv_first_image_only, "sum over the whole batch", True),
    ("conv2d_backward", conv_db_first_image, "db sums dY over the batch and the positions", True),
    ("conv2d_backward", conv_mean_over_batch, "a sum over the batch, not a mean", True),
    ("conv2d_backward", conv_not_cropped, "dX still has the padding", True),
    ("conv2d_backward", conv_channels_swapped, "shape (C_out, C_in, kh, kw)", True),
    ("conv2d_backward", conv_not_rotated, "dX has the right shape but the kernel is not rotated", True),
    ("max_pool2d_backward", max_every_tied, "not to every tied cell", True),
    ("max_pool2d_backward", max_last_tied, "not the last", True),
    ("max_pool2d_backward", max_overwrites, "add (+=), do not overwrite", True),
    ("max_pool2d_backward", max_from_zero, "not starting from 0", True),
    ("max_pool2d_backward", max_spreads, "is average pooling", True),
    ("avg_pool2d_backward", avg_undivided, "each cell of a window gets dY / (ph*pw)", True),
    ("avg_pool2d_backward", avg_overwrites_divided, "they do not overwrite each other", True),
    ("tiny_cnn_loss", cnn(loss_sum=True, grads_undivided=True), "the mean over the batch, not the sum", True),
    ("tiny_cnn_loss", cnn(grads_undivided=True), "divide dz by N", True),
    ("tiny_cnn_loss", cnn(relu=False), "dZ1 = dA1 * (Z1 > 0)", True),
    ("tiny_cnn_loss", cnn(sign=-1.0), "the wrong sign", False),
    ("tiny_cnn_loss", cnn(channels_last=True), "the flatten was in C order", True),
    ("tiny_cnn_loss", cnn(stable=False), "subtract each row's maximum first", True),
]


@pytest.mark.parametrize("name, wrong, words, partial", MISTAKES,
                         ids=[f"{name}-{i}" for i, (name, _, _, _) in enumerate(MISTAKES)])
def test_a_typical_mistake_loses_points_and_is_named(capsys, name, wrong, words, partial):
    score, out = run(capsys, name, wrong)
    assert score < 4, out
    assert (score > 0) == partial, out
    assert words in out, out


def test_feedback_names_the_gradient_and_the_index(capsys):
    def dK_off_by_one(X, K, dY):
        dX, dK = naive.corr2d_backward(X, K, dY)
        dK[0, 1] += 1
        return dX, dK

    _, out = run(capsys, "corr2d_backward", dK_off_by_one)
    assert "dK: values differ: at index (0, 1) expected 12, got 13" in out

    def W2_transposed(params, X, y):
        loss, grads = naive.tiny_cnn_loss(params, X, y)
        return loss, {**grads, "W2": grads["W2"].T}

    _, out = run(capsys, "tiny_cnn_loss", W2_transposed)
    assert "grads: ['W2']: wrong shape: expected (10, 32), got (32, 10)" in out
