"""Chapter 1, cross-correlation: ``corr2d``, ``convolve2d``, ``Conv2D``, ``learn_kernel``."""

from __future__ import annotations

import numpy as np
import solutions
from solutions import convolve2d, corr2d, learn_kernel

from ..syllabus import Chapter, Widget
from .base import Case, Graded, Mistake, floats, ints, random_array, size_hint

# --- shared inputs ------------------------------------------------------------------------------

X_WORKED = ints([3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1])
K_WORKED = ints([0, 1, 2], [2, 2, 0], [0, 1, 2])
X_SMALL = np.arange(9).reshape(3, 3)
K_SMALL = ints([0, 1], [2, 3])


def edges() -> np.ndarray:
    """Return the 6x8 image of the text: ones, with columns 2..5 black (0)."""
    X = np.ones((6, 8))
    X[:, 2:6] = 0
    return X


EDGE_KERNEL = np.array([[1.0, -1.0]])


def _random_pairs(rng):
    """Yield (label, X, K) for random windowed cases and the edge cases every such function gets."""
    for _ in range(3):
        H, W = (int(v) for v in rng.integers(3, 10, size=2))
        kh, kw = int(rng.integers(1, min(H, 4) + 1)), int(rng.integers(1, min(W, 4) + 1))
        yield "random", random_array(rng, (H, W)), random_array(rng, (kh, kw))
    yield "1x1 input", random_array(rng, (1, 1)), random_array(rng, (1, 1))
    yield "kernel as large as the input", random_array(rng, (4, 6)), random_array(rng, (4, 6))
    yield "non-square", random_array(rng, (2, 9)), random_array(rng, (1, 4))
    yield "integer input", random_array(rng, (6, 5), "int64"), random_array(rng, (2, 3), "int64")
    yield ("float32 input (the result stays float32)", random_array(rng, (6, 7), "float32"),
           random_array(rng, (3, 2), "float32"))


def _pair_cases(rng) -> list[Case]:
    return [Case((("X", X), ("K", K)), label=label) for label, X, K in _random_pairs(rng)]


def _corr_size_hint(expected, got, arguments):
    return size_hint(expected, got, f"(H-kh+1, W-kw+1) = {expected}")


# --- corr2d -------------------------------------------------------------------------------------

_UNFILLED = ("the last row or column of the output is never filled: the loops must run over "
             "range(H - kh + 1) and range(W - kw + 1), one window per output cell")


def _unfilled(rows: int, columns: int):
    """Return a corr2d whose loops stop one row and/or column early, leaving zeros (a typical slip)."""
    def wrong(X, K):
        Y = corr2d(X, K)
        Y[Y.shape[0] - rows:, :] = 0
        Y[:, Y.shape[1] - columns:] = 0
        return Y
    return wrong


def _corr2d_visible() -> list[Case]:
    return [
        Case((("X", X_WORKED), ("K", K_WORKED)), "worked example",
             expected=floats([[12, 12, 17], [10, 17, 19], [9, 6, 14]])),
        Case((("X", X_SMALL), ("K", K_SMALL)), "worked example", expected=floats([[19, 25], [37, 43]])),
        Case((("X", edges()), ("K", EDGE_KERNEL)), "worked example (vertical edges)",
             expected=floats([[0, 1, 0, 0, 0, -1, 0]] * 6)),
        Case((("X", edges().T.copy()), ("K", EDGE_KERNEL)), "worked example (transposed image: no response)",
             expected=np.zeros((8, 5))),
        Case((("X", np.arange(12.0).reshape(3, 4)), ("K", np.array([[1.0, 0.0, -1.0]]))), "non-square kernel"),
    ]


CORR2D = Graded(
    name="corr2d",
    reference=corr2d,
    positional=("X", "K"),
    visible=_corr2d_visible,
    hidden=_pair_cases,
    mistakes=(
        Mistake("you rotated the kernel by 180 degrees: that is convolve2d, not corr2d; "
                "cross-correlation uses K as it is", convolve2d),
        Mistake("you used the transposed kernel K.T; use K as it is", lambda X, K: corr2d(X, np.asarray(K).T)),
        Mistake("the result is transposed: Y[i, j] belongs to the window starting at row i, column j",
                lambda X, K: corr2d(np.asarray(X).T, np.asarray(K).T)),
        *(Mistake(_UNFILLED, _unfilled(rows, columns)) for rows, columns in ((1, 1), (1, 0), (0, 1))),
    ),
    shape_hint=_corr_size_hint,
    hint="each output cell is one window times the kernel, summed: Y[i, j] = (X[i:i+kh, j:j+kw] * K).sum()",
)


# --- convolve2d ---------------------------------------------------------------------------------

def _convolve2d_visible() -> list[Case]:
    return [
        Case((("X", X_SMALL), ("K", K_SMALL)), "worked example", expected=floats([[5, 11], [23, 29]])),
        Case((("X", X_WORKED), ("K", K_WORKED)), "the worked example of corr2d, convolved"),
        Case((("X", np.arange(12.0).reshape(3, 4)), ("K", np.array([[1.0, 0.0, -1.0]]))), "non-square kernel"),
    ]


CONVOLVE2D = Graded(
    name="convolve2d",
    reference=convolve2d,
    positional=("X", "K"),
    visible=_convolve2d_visible,
    hidden=_pair_cases,
    mistakes=(
        Mistake("the kernel is not rotated: that is corr2d; a true convolution first rotates K by "
                "180 degrees, K[::-1, ::-1]", corr2d),
        Mistake("you flipped only the rows of K; rotating by 180 degrees flips both axes: K[::-1, ::-1]",
                lambda X, K: corr2d(X, np.asarray(K)[::-1])),
        Mistake("you flipped only the columns of K; rotating by 180 degrees flips both axes: K[::-1, ::-1]",
                lambda X, K: corr2d(X, np.asarray(K)[:, ::-1])),
        Mistake("K.T transposes the kernel, it does not rotate it: use K[::-1, ::-1]",
                lambda X, K: corr2d(X, np.asarray(K).T)),
    ),
    shape_hint=_corr_size_hint,
    hint="convolve2d(X, K) is corr2d(X, K[::-1, ::-1]): the kernel rotated by 180 degrees",
)


# --- Conv2D -------------------------------------------------------------------------------------

def _reference_layer(kernel_size, weight, bias, X):
    layer = solutions.Conv2D(kernel_size)
    layer.weight, layer.bias = weight, bias
    return layer(X)


def _layer_case(rng, label, X, kernel_size):
    weight = random_array(rng, kernel_size, X.dtype if X.dtype.kind == "f" else "float64")
    bias = float(np.round(rng.uniform(-1, 1), 3))
    return Case((("kernel_size", kernel_size), ("weight", weight), ("bias", bias), ("X", X)), label)


def _conv2d_visible() -> list[Case]:
    return [
        Case((("kernel_size", (1, 2)), ("weight", EDGE_KERNEL), ("bias", 0.5), ("X", np.array([[1.0, 1.0, 0.0]]))),
             "weight [[1, -1]], bias 0.5", expected=floats([[0.5, 1.5]])),
        Case((("kernel_size", (1, 2)), ("weight", EDGE_KERNEL), ("bias", 0.0), ("X", edges())),
             "the edge detector of the text", expected=floats([[0, 1, 0, 0, 0, -1, 0]] * 6)),
        Case((("kernel_size", (2, 2)), ("weight", K_SMALL.astype(float)), ("bias", -1.0), ("X", X_SMALL)),
             "weight [[0, 1], [2, 3]], bias -1", expected=floats([[18, 24], [36, 42]])),
    ]


def _conv2d_hidden(rng) -> list[Case]:
    return [_layer_case(rng, label, X, K.shape) for label, X, K in _random_pairs(rng)]


CONV2D = Graded(
    name="Conv2D",
    reference=_reference_layer,
    positional=("kernel_size", "weight", "bias", "X"),
    visible=_conv2d_visible,
    hidden=_conv2d_hidden,
    harness="layer",
    mistakes=(
        Mistake("the bias is missing: the layer returns corr2d(X, self.weight) + self.bias",
                lambda kernel_size, weight, bias, X: corr2d(X, weight)),
        Mistake("the bias is subtracted: the layer returns corr2d(X, self.weight) + self.bias",
                lambda kernel_size, weight, bias, X: corr2d(X, weight) - bias),
        Mistake("the layer rotates its kernel (convolve2d); it computes corr2d(X, self.weight) + self.bias",
                lambda kernel_size, weight, bias, X: convolve2d(X, weight) + bias),
    ),
    shape_hint=_corr_size_hint,
    hint="calling the layer returns corr2d(X, self.weight) + self.bias, with the weight and bias it holds now",
)


# --- learn_kernel -------------------------------------------------------------------------------

# Converging cases compare the learned kernel within this (rtol, atol): a run of gradient
# descent that starts elsewhere than 0 or takes a slightly different step still ends there.
CONVERGED = (1e-3, 1e-3)


def _learn_visible() -> list[Case]:
    X = edges()
    return [
        Case((("X", X), ("Y", corr2d(X, EDGE_KERNEL)), ("kernel_shape", (1, 2)), ("lr", 0.03), ("steps", 20)),
             "worked example: learn the edge detector [[1, -1]]", expected=floats([[1, -1]]), tolerance=(0, 2e-2)),
        Case((("X", X), ("Y", corr2d(X, EDGE_KERNEL)), ("kernel_shape", (1, 2)), ("lr", 0.03), ("steps", 1)),
             "one step from K = 0 (checks the gradient)"),
    ]


def _learn_hidden(rng) -> list[Case]:
    cases = []
    for label, steps, shape, kernel, dtype in (
        ("one step from K = 0", 1, (5, 6), (2, 2), "float64"),
        ("3 steps from K = 0", 3, (6, 5), (2, 3), "float64"),
        ("3 steps from K = 0, integer input", 3, (5, 5), (2, 2), "int64"),
        ("3 steps from K = 0, float32 input (K stays float32)", 3, (6, 6), (3, 2), "float32"),
        ("converges to the true kernel", 60, (8, 8), (2, 2), "float64"),
        ("converges to the true kernel, non-square", 60, (7, 9), (1, 3), "float64"),
    ):
        X = random_array(rng, shape, dtype)
        Y = corr2d(X, random_array(rng, kernel)).astype(X.dtype if dtype != "int64" else "float64")
        if dtype == "int64":
            Y = np.round(Y).astype(np.int64)
        # The step: 0.9 / L, with L = 2 * (largest singular value of "K -> corr2d(X, K)")**2 the
        # curvature of the loss along its steepest direction; any step below 1 / L converges.
        lr = float(np.round(0.9 / (2 * np.linalg.norm(_window_matrix(X, kernel), 2) ** 2), 5))
        tolerance = CONVERGED if steps > 10 else None
        cases.append(Case((("X", X), ("Y", Y), ("kernel_shape", kernel), ("lr", lr), ("steps", steps)),
                          label, tolerance=tolerance))
    return cases


def _window_matrix(X, kernel) -> np.ndarray:
    """Return the matrix A with ``A @ K.ravel() == corr2d(X, K).ravel()`` (its rows are X's windows)."""
    kh, kw = kernel
    view = np.lib.stride_tricks.sliding_window_view(np.asarray(X, dtype=float), (kh, kw))
    return view.reshape(-1, kh * kw)


def _gradient_descent(scale_gradient, sign=1.0):
    """Return a learn_kernel that scales its gradient by ``scale_gradient(Y)`` (a typical slip)."""
    def learn(X, Y, kernel_shape, lr, steps):
        X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
        K = np.zeros(kernel_shape)
        for _ in range(int(steps)):
            K -= sign * lr * scale_gradient(Y) * corr2d(X, corr2d(X, K) - Y)
        return K
    return learn


LEARN_KERNEL = Graded(
    name="learn_kernel",
    reference=learn_kernel,
    positional=("X", "Y", "kernel_shape", "lr", "steps"),
    visible=_learn_visible,
    hidden=_learn_hidden,
    mistakes=(
        Mistake("the gradient misses its factor 2: dL/dYhat = 2 * (Yhat - Y) for L = sum((Yhat - Y)**2)",
                _gradient_descent(lambda Y: 1.0)),
        Mistake("the loss is the sum of squared errors, not their mean: do not divide the gradient by Y.size",
                _gradient_descent(lambda Y: 2.0 / Y.size)),
        Mistake("the step goes uphill: gradient descent subtracts, K -= lr * dL/dK",
                _gradient_descent(lambda Y: 2.0, sign=-1.0)),
    ),
    hint=("start from K = 0 and repeat `steps` times: Yhat = corr2d(X, K); "
          "K -= lr * corr2d(X, 2 * (Yhat - Y))"),
)


CHAPTER = Chapter(
    assignment="ch1_cross_correlation",
    graded=(CORR2D, CONVOLVE2D, CONV2D, LEARN_KERNEL),
    widgets=(
        Widget("kernel_gallery", "corr2d"),
        Widget("window_stepper", "corr2d"),
    ),
)
