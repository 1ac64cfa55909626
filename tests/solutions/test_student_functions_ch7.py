"""The ch7 functions a student implements, as `solutions` provides them.

- the worked examples of the course specification, asserted exactly, through the student
  signatures (`conv2d_backward(X, W, dY, stride, padding)` on `(N, C_in, H, W)`, the pool
  gradients on `(C, H, W)` with `pool_size` given positionally);
- `corr2d_backward` against torch.autograd and against the formulas the chapter derives;
- `numerical_gradient` against gradients known in closed form and against `corr2d_backward`;
- `tiny_cnn_loss` against the same network in PyTorch, against `numerical_gradient`, and
  trained by SGD on scikit-learn's 8x8 digits;
- invalid arguments raise ValueError naming the argument.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

import solutions
from strategies import EXACT_DTYPES, assert_exact, call_pure, parity_settings, result_dtype, sample, torch_gradients

# Central differences with eps=1e-6 on float64 functions whose values are O(1..100): truncation
# error ~ eps**2 * f''' is negligible, rounding error ~ |f| * 1e-16 / eps ~ 1e-8. 1e-6 is
# a hundredfold margin over that and far below any real gradient error.
NUMERICAL_ATOL = 1e-6

# tiny_cnn_loss against PyTorch, float64: the softmax and log are computed by different
# libraries (and different summation orders), so results differ by rounding only. Losses and
# gradients are O(1..100); 1e-10 is ~10^5 float64 ulps, and far below a wrong formula.
CNN_TOLERANCE = dict(rtol=1e-10, atol=1e-10)

X3 = np.arange(9).reshape(3, 3)
K2 = np.array([[0, 1], [2, 3]])


# --- worked examples -------------------------------------------------------------------------


def test_corr2d_backward_worked_example():
    dX, dK = solutions.corr2d_backward(X3, K2, np.ones((2, 2)))
    assert_exact(dK, np.array([[8.0, 12.0], [20.0, 24.0]]))
    assert_exact(dX, np.array([[0.0, 1.0, 1.0], [2.0, 6.0, 4.0], [2.0, 5.0, 3.0]]))


def test_conv2d_backward_worked_example_through_the_student_signature():
    # SPEC ch7: Y = corr2d(X, K) for X = arange(9) 3x3, K = [[0,1],[2,3]], dY = ones.
    dX, dW, db = solutions.conv2d_backward(X3[None, None], K2[None, None], np.ones((1, 1, 2, 2)), 1, 0)
    assert_exact(dW, np.array([[[[8.0, 12.0], [20.0, 24.0]]]]))
    assert_exact(dX, np.array([[[[0.0, 1.0, 1.0], [2.0, 6.0, 4.0], [2.0, 5.0, 3.0]]]]))
    assert_exact(db, np.array([4.0]))


def test_max_pool2d_backward_worked_example():
    dX = solutions.max_pool2d_backward(np.arange(16).reshape(1, 4, 4), np.array([[[1, 2], [3, 4]]]), 2)
    expected = np.zeros((1, 4, 4))
    expected[0, 1, 1], expected[0, 1, 3], expected[0, 3, 1], expected[0, 3, 3] = 1, 2, 3, 4
    assert_exact(dX, expected)


def test_avg_pool2d_backward_worked_example():
    # SPEC ch7: 2x2 average pool of a 4x4 input, dY = [[4, 8], [12, 16]].
    dX = solutions.avg_pool2d_backward(np.arange(16).reshape(1, 4, 4), np.array([[[4, 8], [12, 16]]]), 2)
    assert_exact(dX, np.array([[[1.0, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]]))


@pytest.mark.parametrize("op", ["max_pool2d_backward", "avg_pool2d_backward"])
def test_pool_backward_student_signature_with_stride(op):
    # (X, dY, pool_size, stride) positionally, on (C, H, W).
    rng = np.random.default_rng(0)
    X, dY = sample(rng, (2, 5, 5), np.float64), sample(rng, (2, 2, 2), np.float64)
    forward = getattr(F, op.removesuffix("_backward"))
    expected = torch_gradients(forward, (torch.from_numpy(X),), torch.from_numpy(dY),
                               kernel_size=(2, 3), stride=(2, 2))[0].numpy()
    np.testing.assert_allclose(getattr(solutions, op)(X, dY, (2, 3), 2), expected, rtol=1e-12)


def test_conv2d_backward_student_signature_with_pairs():
    rng = np.random.default_rng(0)
    X, W = sample(rng, (2, 3, 7, 6), np.float64), sample(rng, (4, 3, 3, 2), np.float64)
    dY = sample(rng, (2, 4, 4, 5), np.float64)
    expected = torch_gradients(F.conv2d, tuple(map(torch.from_numpy, (X, W))), torch.from_numpy(dY),
                               stride=(2, 1), padding=(1, 0))
    assert_exact(solutions.conv2d_backward(X, W, dY, (2, 1), (1, 0))[:2], tuple(t.numpy() for t in expected))


# --- corr2d_backward -------------------------------------------------------------------------


@parity_settings(60)
@given(seed=st.integers(0, 2**32 - 1), dtype=st.sampled_from(EXACT_DTYPES))
def test_corr2d_backward_matches_autograd(seed, dtype):
    rng = np.random.default_rng(seed)
    kh, kw = rng.integers(1, 4, 2)
    X = sample(rng, (kh + rng.integers(0, 5), kw + rng.integers(0, 5)), dtype)
    K = sample(rng, (kh, kw), dtype)
    dY = sample(rng, (X.shape[0] - kh + 1, X.shape[1] - kw + 1), dtype)
    dX, dK = call_pure(solutions.corr2d_backward, X, K, dY)
    as_tensor = lambda a: torch.from_numpy(a.astype(result_dtype(dtype)))[None, None]  # noqa: E731
    tX, tK = torch_gradients(F.conv2d, (as_tensor(X), as_tensor(K)), as_tensor(dY))
    assert_exact((dX, dK), (tX[0, 0].numpy(), tK[0, 0].numpy()))


@parity_settings(40)
@given(seed=st.integers(0, 2**32 - 1))
def test_corr2d_backward_is_the_chapters_two_correlations(seed):
    # dK = corr2d(X, dY); dX = corr2d(dY zero-padded by (kh-1, kw-1), K rotated by 180 degrees).
    rng = np.random.default_rng(seed)
    kh, kw = rng.integers(1, 4, 2)
    X = sample(rng, (kh + rng.integers(0, 4), kw + rng.integers(0, 4)), np.float64)
    K = sample(rng, (kh, kw), np.float64)
    dY = sample(rng, (X.shape[0] - kh + 1, X.shape[1] - kw + 1), np.float64)
    dX, dK = solutions.corr2d_backward(X, K, dY)
    assert_exact(dK, solutions.corr2d(X, dY))
    assert_exact(dX, solutions.corr2d(np.pad(dY, ((kh - 1, kh - 1), (kw - 1, kw - 1))), K[::-1, ::-1]))


# --- numerical_gradient ----------------------------------------------------------------------


def test_numerical_gradient_of_a_cubic():
    X = np.linspace(-2, 2, 12).reshape(3, 4)
    np.testing.assert_allclose(solutions.numerical_gradient(lambda X: (X ** 3).sum(), X), 3 * X ** 2,
                               atol=NUMERICAL_ATOL)


def test_numerical_gradient_of_a_product_of_entries():
    # f = X[0] * X[1] * X[2] on a 1-D array: each partial derivative is the product of the others.
    X = np.array([2.0, -3.0, 5.0])
    np.testing.assert_allclose(solutions.numerical_gradient(np.prod, X), [-15.0, 10.0, -6.0], atol=NUMERICAL_ATOL)


def test_numerical_gradient_is_float64_of_x_shape_and_leaves_x_alone():
    X = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    grad = call_pure(solutions.numerical_gradient, lambda Z: float((Z * 2).sum()), X)
    assert grad.dtype == np.float64 and grad.shape == X.shape
    np.testing.assert_allclose(grad, 2.0, atol=NUMERICAL_ATOL)


def test_numerical_gradient_accepts_integer_input_and_a_custom_eps():
    grad = solutions.numerical_gradient(lambda X: (X ** 2).sum(), np.array([[1, 2], [3, 4]]), eps=1e-4)
    np.testing.assert_allclose(grad, [[2, 4], [6, 8]], atol=NUMERICAL_ATOL)


@parity_settings(20)
@given(seed=st.integers(0, 2**32 - 1))
def test_numerical_gradient_agrees_with_corr2d_backward(seed):
    # L = sum(corr2d(X, K) * R) for a fixed R: dL/dY = R.
    rng = np.random.default_rng(seed)
    X, K = rng.standard_normal((5, 6)), rng.standard_normal((3, 2))
    R = rng.standard_normal((3, 5))
    dX, dK = solutions.corr2d_backward(X, K, R)
    np.testing.assert_allclose(solutions.numerical_gradient(lambda K: (solutions.corr2d(X, K) * R).sum(), K),
                               dK, atol=NUMERICAL_ATOL)
    np.testing.assert_allclose(solutions.numerical_gradient(lambda X: (solutions.corr2d(X, K) * R).sum(), X),
                               dX, atol=NUMERICAL_ATOL)


# --- tiny_cnn_loss ---------------------------------------------------------------------------


def cnn_inputs(rng, channels, batch, integer=False, dtype=np.float64):
    """Parameters, images and labels for tiny_cnn_loss; integer data make max-pool ties likely."""
    if integer:
        params = dict(W1=rng.integers(-1, 2, (channels, 1, 3, 3)), b1=rng.integers(-2, 3, channels),
                      W2=rng.integers(-1, 2, (10, channels * 16)), b2=rng.integers(-2, 3, 10))
        X = rng.integers(0, 3, (batch, 1, 8, 8))
    else:
        params = dict(W1=rng.standard_normal((channels, 1, 3, 3)), b1=rng.standard_normal(channels),
                      W2=0.3 * rng.standard_normal((10, channels * 16)), b2=rng.standard_normal(10))
        X = rng.standard_normal((batch, 1, 8, 8))
    return {k: v.astype(dtype) for k, v in params.items()}, X.astype(dtype), rng.integers(0, 10, batch)


def torch_tiny_cnn(params, X, y):
    """Loss and gradients of the SPEC's network, written with torch.nn.functional and autograd."""
    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    hidden = F.max_pool2d(F.relu(F.conv2d(torch.tensor(X), tensors["W1"], tensors["b1"], padding=1)), 2)
    loss = F.cross_entropy(hidden.flatten(1) @ tensors["W2"].T + tensors["b2"], torch.tensor(y))
    loss.backward()
    return loss.item(), {k: t.grad.numpy() for k, t in tensors.items()}


@parity_settings(40)
@given(seed=st.integers(0, 2**32 - 1), integer=st.booleans())
def test_tiny_cnn_loss_matches_autograd(seed, integer):
    rng = np.random.default_rng(seed)
    params, X, y = cnn_inputs(rng, int(rng.integers(1, 5)), int(rng.integers(1, 6)), integer)
    loss, grads = call_pure(solutions.tiny_cnn_loss, params, X, y)
    expected_loss, expected = torch_tiny_cnn(params, X, y)
    assert isinstance(loss, float)
    np.testing.assert_allclose(loss, expected_loss, **CNN_TOLERANCE)
    assert grads.keys() == params.keys()
    for name in params:
        assert grads[name].shape == params[name].shape and grads[name].dtype == np.float64
        np.testing.assert_allclose(grads[name], expected[name], **CNN_TOLERANCE, err_msg=name)


def test_tiny_cnn_loss_ties_in_max_pool_follow_pytorch():
    # Integer weights and a 0/1 image make the ReLU output full of equal values: max-pool ties
    # must send the gradient to the first cell, or W1's gradient differs.
    rng = np.random.default_rng(7)
    params, _, y = cnn_inputs(rng, 3, 4, integer=True)
    X = (rng.random((4, 1, 8, 8)) < 0.5).astype(np.float64)
    loss, grads = solutions.tiny_cnn_loss(params, X, y)
    expected_loss, expected = torch_tiny_cnn(params, X, y)
    for name in params:
        np.testing.assert_allclose(grads[name], expected[name], **CNN_TOLERANCE, err_msg=name)


def test_tiny_cnn_loss_gradients_agree_with_numerical_gradient():
    rng = np.random.default_rng(3)
    params, X, y = cnn_inputs(rng, 2, 3)
    _, grads = solutions.tiny_cnn_loss(params, X, y)
    for name in params:
        numeric = solutions.numerical_gradient(
            lambda value: solutions.tiny_cnn_loss({**params, name: value}, X, y)[0], params[name])
        np.testing.assert_allclose(grads[name], numeric, atol=NUMERICAL_ATOL, err_msg=name)


def test_tiny_cnn_loss_keeps_float32_parameters_float32():
    params, X, y = cnn_inputs(np.random.default_rng(0), 2, 3, dtype=np.float32)
    _, grads = solutions.tiny_cnn_loss(params, X, y)
    assert {g.dtype for g in grads.values()} == {np.dtype(np.float32)}


def test_tiny_cnn_loss_all_zero_parameters_give_log_10():
    params = dict(W1=np.zeros((2, 1, 3, 3)), b1=np.zeros(2), W2=np.zeros((10, 32)), b2=np.zeros(10))
    loss, grads = solutions.tiny_cnn_loss(params, np.ones((2, 1, 8, 8)), np.array([3, 3]))
    assert loss == pytest.approx(np.log(10), rel=1e-15)
    expected_b2 = np.full(10, 0.1)
    expected_b2[3] = -0.9
    np.testing.assert_allclose(grads["b2"], expected_b2, rtol=1e-15)
    assert not grads["W1"].any() and not grads["W2"].any()


def test_tiny_cnn_trains_on_digits_to_90_percent():
    # SPEC ch7: SGD on scikit-learn's 8x8 digits reaches at least 90% test accuracy.
    datasets = pytest.importorskip("sklearn.datasets")
    digits = datasets.load_digits()
    rng = np.random.default_rng(0)
    order = rng.permutation(len(digits.target))
    X, y = (digits.images / 16.0)[order, None], digits.target[order]
    X_train, y_train, X_test, y_test = X[:1400], y[:1400], X[1400:], y[1400:]
    params = dict(W1=rng.normal(0, 0.3, (8, 1, 3, 3)), b1=np.zeros(8), W2=rng.normal(0, 0.05, (10, 128)),
                  b2=np.zeros(10))
    for _ in range(8):
        for batch in np.array_split(rng.permutation(len(y_train)), len(y_train) // 32):
            _, grads = solutions.tiny_cnn_loss(params, X_train[batch], y_train[batch])
            params = {name: params[name] - 0.1 * grads[name] for name in params}
    hidden = solutions.max_pool2d(np.maximum(solutions.conv2d(X_test, params["W1"], params["b1"], padding=1), 0), 2)
    accuracy = np.mean((hidden.reshape(len(y_test), -1) @ params["W2"].T + params["b2"]).argmax(axis=1) == y_test)
    assert accuracy >= 0.9


# --- invalid arguments -----------------------------------------------------------------------

ZERO_PARAMS = dict(W1=np.zeros((2, 1, 3, 3)), b1=np.zeros(2), W2=np.zeros((10, 32)), b2=np.zeros(10))
IMAGES = np.zeros((2, 1, 8, 8))

INVALID = [
    ("corr2d_backward-dY-wrong-shape", lambda: solutions.corr2d_backward(X3, K2, np.ones((3, 3))), r"\bdY\b",
     lambda: torch_gradients(F.conv2d, (torch.ones(1, 1, 3, 3), torch.ones(1, 1, 2, 2)), torch.ones(1, 1, 3, 3))),
    ("corr2d_backward-K-larger-than-X", lambda: solutions.corr2d_backward(X3, np.ones((4, 4)), np.ones((1, 1))),
     r"\bK\b", lambda: F.conv2d(torch.ones(1, 1, 3, 3), torch.ones(1, 1, 4, 4))),
    ("corr2d_backward-3d-X", lambda: solutions.corr2d_backward(np.ones((1, 3, 3)), K2, np.ones((2, 2))),
     r"\bX\b", None),
    ("numerical_gradient-eps-zero", lambda: solutions.numerical_gradient(np.sum, X3, eps=0), "eps", None),
    ("numerical_gradient-eps-negative", lambda: solutions.numerical_gradient(np.sum, X3, eps=-1e-6), "eps", None),
    ("numerical_gradient-f-not-callable", lambda: solutions.numerical_gradient(3.0, X3), r"\bf\b", None),
    ("numerical_gradient-f-not-scalar", lambda: solutions.numerical_gradient(lambda X: X * 2, X3), r"\bf\b",
     lambda: torch.autograd.grad(torch.ones(2, requires_grad=True) * 2, [])),
    ("tiny_cnn_loss-missing-parameter",
     lambda: solutions.tiny_cnn_loss({k: v for k, v in ZERO_PARAMS.items() if k != "b2"}, IMAGES, [0, 1]),
     "params.*b2", None),
    ("tiny_cnn_loss-label-out-of-range", lambda: solutions.tiny_cnn_loss(ZERO_PARAMS, IMAGES, [0, 10]), r"\by\b",
     lambda: F.cross_entropy(torch.zeros(2, 10), torch.tensor([0, 10]))),
    ("tiny_cnn_loss-W2-wrong-width",
     lambda: solutions.tiny_cnn_loss({**ZERO_PARAMS, "W2": np.zeros((10, 31))}, IMAGES, [0, 1]), "W2",
     lambda: torch.zeros(2, 32) @ torch.zeros(10, 31).T),
    ("tiny_cnn_loss-W1-wrong-channels",
     lambda: solutions.tiny_cnn_loss({**ZERO_PARAMS, "W1": np.zeros((2, 3, 3, 3))}, IMAGES, [0, 1]), "W1",
     lambda: F.conv2d(torch.zeros(2, 1, 8, 8), torch.zeros(2, 3, 3, 3), padding=1)),
]


@pytest.mark.parametrize("call, match", [row[1:3] for row in INVALID], ids=[row[0] for row in INVALID])
def test_invalid_arguments_raise_value_error_naming_them(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("torch_call", [row[3] for row in INVALID if row[3]],
                         ids=[row[0] for row in INVALID if row[3]])
def test_torch_rejects_them_too(torch_call):
    with pytest.raises((RuntimeError, ValueError, IndexError)):
        torch_call()
