"""Chapter 7, the backward pass: ``numerical_gradient``, ``corr2d_backward``, ``conv2d_backward``,
``max_pool2d_backward``, ``avg_pool2d_backward``, ``tiny_cnn_loss``.

The library's backward ops take the student's arguments by position (``X, W, dY`` are its
``x, weight, grad_output``; ``pool_size`` its ``kernel_size``); ``stride`` and ``padding`` have
the same names in both. ``numerical_gradient``'s function argument is a name from
:data:`autograder.calling.OBJECTIVES` (a case's arguments are data); the ``objective`` harness
hands the student's function, the reference and every mistake the function itself.
"""

from __future__ import annotations

import numpy as np
from solutions import (avg_pool2d_backward, conv2d, conv2d_backward, corr2d, corr2d_backward, max_pool2d,
                       max_pool2d_backward, numerical_gradient, output_size, tiny_cnn_loss)
from solutions._args import pair
from solutions.windows import windows

from ..compare import ARRAY, SCALAR, TOLERANCES, dict_of, tuple_of
from ..syllabus import Chapter, Widget
from .base import Case, Graded, Mistake, floats, ints, random_array

X_SMALL = np.arange(9).reshape(3, 3)
K_SMALL = ints([0, 1], [2, 3])
X_16 = np.arange(16).reshape(1, 4, 4)
TIE = ints([[1, 3, 3], [3, 0, 3]])  # (1, 2, 3): both 2x2 windows (stride 1) have the maximum 3 three times


def _random_dtype_triples(rng, shapes):
    """Yield (label, arrays) for the edge cases every backward function shares: integer and float32 input."""
    yield "integer input (the gradients are float64)", tuple(random_array(rng, s, "int64") for s in shapes)
    yield ("float32 input (the gradients stay float32)", tuple(random_array(rng, s, "float32") for s in shapes))


# --- numerical_gradient -------------------------------------------------------------------------

# Two correct ways of nudging an entry (X[idx] = x + eps, or X + eps * E) can differ by the
# rounding of f divided by eps: about 1e-16 * |f| / 1e-6 = 1e-10 * |f|. (rtol, atol) = (1e-6, 1e-7)
# covers |f| up to ~1000, and still fails a one-sided difference (an error of eps/2 * f'',
# 5e-4 * f'' at eps = 1e-3) or an eps that is not the one given (eps**2/6 * f''' at eps = 1e-2).
ROUNDED = (1e-6, 1e-7)


def _gradient_case(label, f, X, eps=None, expected=None) -> Case:
    values = (("f", f), ("X", X)) + ((("eps", eps),) if eps is not None else ())
    return Case(values, label, expected=expected, tolerance=ROUNDED)


def _numerical_visible() -> list[Case]:
    return [
        _gradient_case("worked example: the sum of squares has the gradient 2X", "sum of squares",
                       floats([[1, 2], [3, 4]]), expected=floats([[2, 4], [6, 8]])),
        _gradient_case("sum of sines, 3-D input, eps=1e-3", "sum of sines",
                       np.linspace(-2, 2, 24).reshape(2, 3, 4), eps=1e-3),
        _gradient_case("float32 input (the gradient is float64)", "sum of squares",
                       np.array([0.5, -1.5, 2.0], dtype=np.float32), eps=1e-3),
    ]


def _numerical_hidden(rng) -> list[Case]:
    cases = [
        _gradient_case(f"random, {f}" + (f", eps={eps}" if eps else ""), f, random_array(rng, shape), eps)
        for f, shape, eps in (("sum of squares", (4, 5), None), ("sum of sines", (3,), 1e-4),
                              ("weighted sum of cubes", (2, 3, 4), 1e-3), ("log-sum-exp", (5, 4), 1e-2),
                              ("weighted sum of cubes", (3, 3), 1e-2), ("sum of sines", (2, 2, 2, 2), 1e-5))
    ]
    return cases + [
        _gradient_case("1x1 input", "sum of sines", random_array(rng, (1, 1)), 1e-3),
        _gradient_case("a single number, X of shape ()", "weighted sum of cubes", np.array(1.5), 1e-3),
        _gradient_case("integer input (the gradient is float64)", "weighted sum of cubes",
                       random_array(rng, (3, 4), "int64"), 1e-3),
        _gradient_case("float32 input (the gradient is float64, nudged in float64)", "sum of sines",
                       random_array(rng, (2, 5), "float32")),
    ]


def _forward(f, X, eps=1e-6):
    """A one-sided difference, (f(X + eps) - f(X)) / eps."""
    X = np.array(X, dtype=np.float64)
    grad, base = np.zeros(X.shape), f(X)
    for index in np.ndindex(X.shape):
        nudged = X.copy()
        nudged[index] += eps
        grad[index] = (f(nudged) - base) / eps
    return grad


def _in_own_dtype(f, X, eps=1e-6):
    """Central differences on a copy of X in its own dtype: an integer array cannot hold X + eps."""
    X = np.array(X)
    grad = np.zeros(X.shape)
    for index in np.ndindex(X.shape):
        original = X[index]
        X[index] = original + eps
        above = f(X)
        X[index] = original - eps
        below = f(X)
        X[index] = original
        grad[index] = (above - below) / (2 * eps)
    return grad


NUMERICAL_GRADIENT = Graded(
    name="numerical_gradient",
    reference=numerical_gradient,
    positional=("f", "X"),
    visible=_numerical_visible,
    hidden=_numerical_hidden,
    harness="objective",
    mistakes=(
        Mistake("that is a one-sided difference (f(X + eps) - f(X)) / eps, whose error is of order eps; the "
                "central difference (f(X + eps) - f(X - eps)) / (2 * eps) is much more accurate", _forward),
        Mistake("the difference f(X + eps) - f(X - eps) spans 2 * eps: divide it by 2 * eps, not by eps",
                lambda f, X, eps=1e-6: 2 * numerical_gradient(f, X, eps)),
        Mistake("use the eps you are given (the third argument), not a fixed 1e-6",
                lambda f, X, eps=1e-6: numerical_gradient(f, X)),
        Mistake("work on a float64 copy of X (np.array(X, dtype=np.float64)): an integer array cannot hold "
                "X + eps, and in float32 the nudge is mostly rounding", _in_own_dtype),
    ),
    hint="for every index of X: grad[idx] = (f(X with X[idx] + eps) - f(X with X[idx] - eps)) / (2 * eps), "
         "on a float64 copy of X",
)


# --- corr2d_backward ----------------------------------------------------------------------------

def _triple_case(label, X, K, dY, expected=None) -> Case:
    return Case((("X", X), ("K", K), ("dY", dY)), label, expected=expected)


def _dy_shape(X, K):
    return tuple(output_size(n, k) for n, k in zip(X.shape, K.shape))


def _corr_backward_visible() -> list[Case]:
    return [
        _triple_case("worked example: dY all ones", X_SMALL, K_SMALL, np.ones((2, 2)),
                     expected=(floats([[0, 1, 1], [2, 6, 4], [2, 5, 3]]), floats([[8, 12], [20, 24]]))),
        _triple_case("non-square kernel, dY not all ones", np.arange(12.0).reshape(3, 4),
                     np.array([[1.0, 0.0, -1.0]]), np.arange(6.0).reshape(3, 2) - 2),
    ]


def _corr_backward_hidden(rng) -> list[Case]:
    def case(label, X, K):
        return _triple_case(label, X, K, random_array(rng, _dy_shape(X, K), X.dtype))

    cases = []
    for _ in range(3):
        H, W = (int(v) for v in rng.integers(3, 9, size=2))
        kh, kw = int(rng.integers(1, min(H, 4) + 1)), int(rng.integers(1, min(W, 4) + 1))
        cases.append(case("random", random_array(rng, (H, W)), random_array(rng, (kh, kw))))
    cases += [
        case("1x1 input", random_array(rng, (1, 1)), random_array(rng, (1, 1))),
        case("kernel as large as the input (dY is 1x1)", random_array(rng, (3, 4)), random_array(rng, (3, 4))),
        case("non-square", random_array(rng, (2, 7)), random_array(rng, (2, 3))),
    ]
    for label, (X, K, dY) in _random_dtype_triples(rng, ((5, 6), (2, 3), (4, 4))):
        cases.append(_triple_case(label, X, K, dY))
    return cases


def _corr_not_rotated(X, K, dY):
    kh, kw = np.shape(K)
    full = np.pad(np.asarray(dY, dtype=float), ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    return corr2d(full, K), corr2d(X, dY)


def _corr_unweighted(X, K, dY):
    """dX scatters K itself, forgetting to weight it by dY[i, j] (right whenever dY is all ones)."""
    return corr2d_backward(X, K, np.ones(np.shape(dY)))[0], corr2d(X, dY)


CORR2D_BACKWARD = Graded(
    name="corr2d_backward",
    reference=corr2d_backward,
    positional=("X", "K", "dY"),
    visible=_corr_backward_visible,
    hidden=_corr_backward_hidden,
    result=tuple_of(("dX", ARRAY), ("dK", ARRAY)),
    mistakes=(
        Mistake("dX has the right shape but the kernel is not rotated: the full correlation of dY uses "
                "K[::-1, ::-1] (or scatter dY[i, j] * K onto each window, which needs no rotation)",
                _corr_not_rotated),
        Mistake("dK is rotated: dK = corr2d(X, dY), X correlated with dY as it is",
                lambda X, K, dY: (corr2d_backward(X, K, dY)[0], corr2d(X, np.asarray(dY)[::-1, ::-1]))),
        Mistake("each output cell sends dY[i, j] * K back onto its window, not K: weight the kernel by dY[i, j]",
                _corr_unweighted),
        Mistake("the pair is in the wrong order: return (dX, dK), dX of X's shape first",
                lambda X, K, dY: corr2d_backward(X, K, dY)[::-1]),
    ),
    hint="for every output cell (i, j): dX[i:i+kh, j:j+kw] += dY[i, j] * K and dK += dY[i, j] * X[i:i+kh, j:j+kw]",
)


# --- conv2d_backward ----------------------------------------------------------------------------

def _layer_case(label, X, W, dY, stride=None, padding=None, expected=None) -> Case:
    values = (("X", X), ("W", W), ("dY", dY))
    values += ((("stride", stride),) if stride is not None else ()) + ((("padding", padding),) if padding is not None else ())
    return Case(values, label, expected=expected)


def _out_shape(X, W, stride, padding):
    sizes = zip(X.shape[2:], W.shape[2:], pair(padding, "padding"), pair(stride, "stride"))
    return (len(X), len(W)) + tuple(output_size(n, k, p, s) for n, k, p, s in sizes)


def _conv_visible() -> list[Case]:
    return [
        _layer_case("worked example: stride 2, padding 1, weights and dY all ones", X_16[None],
                    np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), stride=2, padding=1,
                    expected=(floats(np.outer([1, 2, 1, 1], [1, 2, 1, 1]))[None, None],
                              floats([[5, 10, 12], [10, 20, 24], [18, 36, 40]])[None, None], floats([4]))),
        _layer_case("corr2d_backward's worked example as a layer", X_SMALL[None, None], K_SMALL[None, None],
                    np.ones((1, 1, 2, 2)),
                    expected=(floats([[0, 1, 1], [2, 6, 4], [2, 5, 3]])[None, None],
                              floats([[8, 12], [20, 24]])[None, None], floats([4]))),
        _layer_case("a batch of 2, 3 channels in, 2 out", np.arange(2 * 3 * 4 * 5.0).reshape(2, 3, 4, 5) % 7 - 3,
                    np.arange(2 * 3 * 2 * 2.0).reshape(2, 3, 2, 2) % 5 - 2, np.arange(2 * 2 * 3 * 4.0).reshape(2, 2, 3, 4) % 3),
    ]


def _conv_hidden(rng) -> list[Case]:
    def case(label, x_shape, w_shape, stride=None, padding=None, dtype="float64"):
        X, W = random_array(rng, x_shape, dtype), random_array(rng, w_shape, dtype)
        dY = random_array(rng, _out_shape(X, W, 1 if stride is None else stride, 0 if padding is None else padding), dtype)
        return _layer_case(label, X, W, dY, stride, padding)

    cases = []
    for _ in range(3):
        N, C_in, C_out = (int(v) for v in rng.integers(1, 4, size=3))
        kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
        stride = tuple(int(v) for v in rng.integers(1, 3, size=2))
        padding = tuple(int(rng.integers(0, k)) for k in (kh, kw))
        H, W = (int(v) for v in rng.integers(4, 8, size=2))
        cases.append(case(f"random, stride={stride}, padding={padding}", (N, C_in, H, W), (C_out, C_in, kh, kw),
                          stride, padding))
    return cases + [
        case("1x1 input and kernel", (2, 1, 1, 1), (3, 1, 1, 1)),
        case("kernel as large as the input", (2, 2, 3, 4), (2, 2, 3, 4)),
        case("non-square, stride (1, 3), padding (2, 0)", (1, 2, 3, 8), (2, 2, 2, 3), (1, 3), (2, 0)),
        case("stride 3 with a 2x2 kernel: some cells are in no window", (2, 1, 7, 7), (2, 1, 2, 2), 3),
        case("the last rows are read by no window (the floor in the output size)", (1, 2, 6, 6), (1, 2, 3, 3), 2),
        case("padding 2 with a 3x3 kernel", (2, 2, 4, 4), (3, 2, 3, 3), 1, 2),
        case("integer input (the gradients are float64)", (2, 2, 5, 5), (2, 2, 3, 3), 2, 1, "int64"),
        case("float32 input (the gradients stay float32)", (2, 3, 5, 6), (2, 3, 3, 2), (2, 1), (1, 0), "float32"),
    ]


def _conv_kwargs(stride, padding):
    return {"stride": 1 if stride is None else stride, "padding": 0 if padding is None else padding}


def _conv_variant(dX=None, dW=None, db=None):
    """Return a conv2d_backward whose parts are computed by the given functions (default: right)."""
    def wrong(X, W, dY, stride=None, padding=None):
        kwargs = _conv_kwargs(stride, padding)
        right = conv2d_backward(X, W, dY, **kwargs)
        parts = (dX, dW, db)
        return tuple(right[i] if part is None else part(X, W, dY, **kwargs) for i, part in enumerate(parts))
    return wrong


def _first_image(part):
    return lambda X, W, dY, **kwargs: conv2d_backward(np.asarray(X)[:1], W, np.asarray(dY)[:1], **kwargs)[part]


def _not_cropped(X, W, dY, stride, padding):
    """dX with the padding still on: the gradient of the padded input."""
    (ph, pw) = pair(padding, "padding")
    padded = np.pad(np.asarray(X), ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    return conv2d_backward(padded, W, dY, stride=stride)[0]


CONV2D_BACKWARD = Graded(
    name="conv2d_backward",
    reference=conv2d_backward,
    positional=("X", "W", "dY"),
    visible=_conv_visible,
    hidden=_conv_hidden,
    result=tuple_of(("dX", ARRAY), ("dW", ARRAY), ("db", ARRAY)),
    mistakes=(
        Mistake("dX has the right shape but the kernel is not rotated: the full correlation of dY uses "
                "W rotated by 180 degrees (or scatter dY into each window through W, which needs no rotation)",
                _conv_variant(dX=lambda X, W, dY, **k: conv2d_backward(X, np.asarray(W)[..., ::-1, ::-1], dY, **k)[0])),
        Mistake("dW and db must sum over the whole batch (every image uses the same weights), not take "
                "the first image only",
                _conv_variant(dW=_first_image(1), db=_first_image(2))),
        Mistake("db sums dY over the batch and the positions: dY.sum(axis=(0, 2, 3)), one number per output channel",
                _conv_variant(db=_first_image(2))),
        Mistake("dW is a sum over the batch, not a mean: do not divide by N",
                _conv_variant(dW=lambda X, W, dY, **k: conv2d_backward(X, W, dY, **k)[1] / len(X),
                              db=lambda X, W, dY, **k: conv2d_backward(X, W, dY, **k)[2] / len(X))),
        Mistake("dX still has the padding: compute the gradient of the padded input, then cut `padding` rows "
                "and columns off each side, back to X's shape", _conv_variant(dX=_not_cropped)),
        Mistake("dW pairs output channel o with input channel c in that order: shape (C_out, C_in, kh, kw)",
                _conv_variant(dW=lambda X, W, dY, **k: conv2d_backward(X, W, dY, **k)[1].transpose(1, 0, 2, 3))),
    ),
    hint="for each kernel offset (a, b) take the strided slice S = Xp[:, :, a:a+sh*(oh-1)+1:sh, b:b+sw*(ow-1)+1:sw] "
         "of the padded input: dW[:, :, a, b] = einsum('noij,ncij->oc', dY, S), and the same slice of dXp gets "
         "einsum('noij,oc->ncij', dY, W[:, :, a, b]); db = dY.sum(axis=(0, 2, 3)); crop the padding off dXp",
)


# --- max_pool2d_backward and avg_pool2d_backward ------------------------------------------------

def _pool_case(label, X, dY, pool_size, stride=None, expected=None) -> Case:
    values = (("X", X), ("dY", dY), ("pool_size", pool_size)) + ((("stride", stride),) if stride is not None else ())
    return Case(values, label, expected=expected)


def _pooled_shape(X, pool_size, stride):
    # No padding and no ceil_mode in the chapter's poolings: output_size is their size too.
    sizes, strides = pair(pool_size, "pool_size"), pair(pool_size if stride is None else stride, "stride")
    return (len(X),) + tuple(output_size(n, k, 0, s) for n, k, s in zip(X.shape[1:], sizes, strides))


def _pool_hidden(rng, extra) -> list[Case]:
    """Return the hidden cases both poolings share, plus ``extra(case)``'s own."""
    def case(label, X, pool_size, stride=None):
        dtype = X.dtype if X.dtype.kind == "f" else "float64"
        return _pool_case(label, X, random_array(rng, _pooled_shape(X, pool_size, stride), dtype), pool_size, stride)

    cases = [
        case("random, stride = the window", random_array(rng, (2, 6, 6)), 2),
        case("random, overlapping windows (stride 1)", random_array(rng, (2, 5, 6)), 3, 1),
        case("random, pairs: window (3, 2), stride (2, 3)", random_array(rng, (3, 7, 8)), (3, 2), (2, 3)),
        case("stride larger than the window: some cells are in no window", random_array(rng, (1, 7, 7)), 2, 3),
        case("1x1 input", random_array(rng, (2, 1, 1)), 1),
        case("window as large as the input", random_array(rng, (2, 3, 4)), (3, 4)),
        case("non-square, one channel", random_array(rng, (1, 2, 9)), (1, 3), (1, 2)),
        case("integer input (the gradient is float64)", random_array(rng, (2, 4, 6), "int64"), 2),
        case("float32 input (the gradient stays float32)", random_array(rng, (2, 6, 5), "float32"), (2, 2), (2, 1)),
    ]
    return cases + extra(case)


def _max_extra(case) -> list[Case]:
    rng = np.random.default_rng(7)  # a fixed pattern of ties, the same for every student
    return [
        case("many ties (values 0, 1, 2), overlapping windows", rng.integers(0, 3, (2, 5, 5)).astype(float), 2, 1),
        case("a constant input: every window is a tie", np.full((1, 4, 6), 2.5), (2, 3)),
        case("negative values only", -1 - np.abs(random_array(rng, (2, 4, 4))), 2),
    ]


def _max_visible() -> list[Case]:
    return [
        _pool_case("worked example", X_16, floats([[[1, 2], [3, 4]]]), 2,
                   expected=floats([[[0, 0, 0, 0], [0, 1, 0, 2], [0, 0, 0, 0], [0, 3, 0, 4]]])),
        _pool_case("a tie and overlapping windows: the first maximum, twice", TIE, np.ones((1, 1, 2)), 2, 1,
                   expected=floats([[[0, 2, 0], [0, 0, 0]]])),
        _pool_case("a window of equal values: the first cell gets it all", np.ones((1, 2, 2)), floats([[[5]]]), 2,
                   expected=floats([[[5, 0], [0, 0]]])),
    ]


def _windows(X, pool_size, stride):
    """Return the pooling windows of X (C, oH, oW, ph, pw), the window size and the stride, as pairs."""
    size, step = pair(pool_size, "pool_size"), pair(pool_size if stride is None else stride, "stride")
    return windows(np.asarray(X, dtype=float), size, step), size, step


def _route(X, dY, pool_size, stride=None, *, choose, overwrite=False):
    """A max-pool backward that sends each window's dY to the cells ``choose(window)`` marks (a boolean mask)."""
    view, (ph, pw), (sh, sw) = _windows(X, pool_size, stride)
    dY = np.asarray(dY, dtype=float)
    dX = np.zeros(np.shape(X))
    for c, i, j in np.ndindex(dY.shape):
        mask = choose(view[c, i, j])
        block = dX[c, i * sh:i * sh + ph, j * sw:j * sw + pw]
        if overwrite:
            block[mask] = dY[c, i, j]
        else:
            block[mask] += dY[c, i, j]
    return dX


def _first_of(window, index):
    mask = np.zeros(window.shape, dtype=bool)
    mask.flat[index] = True
    return mask


def _last_max(window):
    return _first_of(window, window.size - 1 - int(np.argmax(window.ravel()[::-1])))


MAX_POOL2D_BACKWARD = Graded(
    name="max_pool2d_backward",
    reference=max_pool2d_backward,
    positional=("X", "dY", "pool_size"),
    visible=_max_visible,
    hidden=lambda rng: _pool_hidden(rng, _max_extra),
    mistakes=(
        Mistake("on a tie the whole gradient goes to the first maximum in reading order (np.argmax of the "
                "flattened window), not to every tied cell",
                lambda *a, **k: _route(*a, **k, choose=lambda w: w == w.max())),
        Mistake("on a tie the gradient goes to the first maximum in reading order, not the last: np.argmax of "
                "the flattened window returns the first", lambda *a, **k: _route(*a, **k, choose=_last_max)),
        Mistake("a cell that wins several overlapping windows receives the sum of their gradients: add (+=), "
                "do not overwrite", lambda *a, **k: _route(*a, **k, overwrite=True,
                                                          choose=lambda w: _first_of(w, int(np.argmax(w))))),
        Mistake("look for the maximum among the window's own cells (np.argmax), not starting from 0: a window "
                "of negative numbers still has a largest one",
                lambda *a, **k: _route(*a, **k, choose=lambda w: _first_of(w, int(np.argmax(np.maximum(w, 0)))))),
        Mistake("max pooling sends the whole dY of a window to its maximum; spreading dY / (ph*pw) over the "
                "window is average pooling", lambda X, dY, pool_size, stride=None:
                avg_pool2d_backward(X, dY, pool_size, stride)),
    ),
    hint="for every window: find its first maximum (np.argmax of the flattened window) and add the window's "
         "dY to that cell of dX",
)


def _avg_visible() -> list[Case]:
    return [
        _pool_case("worked example", X_16, floats([[[4, 8], [12, 16]]]), 2,
                   expected=floats([[[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]])),
        _pool_case("overlapping windows add up", np.zeros((1, 3, 3)), np.ones((1, 2, 2)), 2, 1,
                   expected=floats([[[1, 2, 1], [2, 4, 2], [1, 2, 1]]]) / 4),
    ]


def _spread(X, dY, pool_size, stride=None, *, divide=True, overwrite=False):
    (ph, pw) = pair(pool_size, "pool_size")
    return _route(X, np.asarray(dY, dtype=float) / (ph * pw if divide else 1), pool_size, stride,
                  choose=lambda w: np.ones(w.shape, dtype=bool), overwrite=overwrite)


AVG_POOL2D_BACKWARD = Graded(
    name="avg_pool2d_backward",
    reference=avg_pool2d_backward,
    positional=("X", "dY", "pool_size"),
    visible=_avg_visible,
    hidden=lambda rng: _pool_hidden(rng, lambda case: []),
    mistakes=(
        Mistake("each cell of a window gets dY / (ph*pw): the window's mean gives every cell the weight "
                "1/(ph*pw)", lambda *a, **k: _spread(*a, **k, divide=False)),
        Mistake("where windows overlap their shares add up (+=), they do not overwrite each other",
                lambda *a, **k: _spread(*a, **k, overwrite=True)),
    ),
    hint="for every window (i, j): dX[:, i*sh:i*sh+ph, j*sw:j*sw+pw] += dY[:, i, j, None, None] / (ph*pw)",
)


# --- tiny_cnn_loss ------------------------------------------------------------------------------

PARAMETERS = ("W1", "b1", "W2", "b2")
# float32 parameters and images: the loss and gradients are float32 sums of a few hundred terms,
# accurate to ~1e-6 of their largest term. The loss is a Python float, judged as float64 unless
# the case says otherwise: it gets float32 arrays' tolerance.
FLOAT32 = TOLERANCES[np.dtype(np.float32)]


def _params(rng, channels, dtype="float64") -> dict:
    """Return random parameters of the chapter's CNN with ``channels`` kernels."""
    return {"W1": rng.normal(0, 0.6, (channels, 1, 3, 3)).astype(dtype),
            "b1": rng.normal(0, 0.1, channels).astype(dtype),
            "W2": rng.normal(0, 0.3, (10, channels * 16)).astype(dtype),
            "b2": rng.normal(0, 0.1, 10).astype(dtype)}


def _cnn_case(label, params, X, y, tolerance=None) -> Case:
    return Case((("params", params), ("X", X), ("y", np.asarray(y, dtype=np.int64))), label, tolerance=tolerance)


def _cnn_visible() -> list[Case]:
    rng = np.random.default_rng(70)
    zeros = {"W1": np.zeros((2, 1, 3, 3)), "b1": np.zeros(2), "W2": np.zeros((10, 32)), "b2": np.zeros(10)}
    return [
        _cnn_case("all parameters zero: the loss is log(10)", zeros, rng.normal(size=(5, 1, 8, 8)), [3, 3, 0, 9, 1]),
        _cnn_case("random parameters, 2 channels, a batch of 4", _params(rng, 2), rng.normal(size=(4, 1, 8, 8)),
                  [7, 1, 7, 4]),
    ]


def _cnn_hidden(rng) -> list[Case]:
    large = _params(rng, 3)
    large["b2"] += 800.0  # every logit near 800: exp(800) is inf in float64, the softmax itself is harmless
    cases = []
    for channels, N in ((3, 6), (1, 5), (4, 3)):
        cases.append(_cnn_case(f"random, {channels} channel(s), a batch of {N}", _params(rng, channels),
                               rng.normal(size=(N, 1, 8, 8)), rng.integers(0, 10, N)))
    return cases + [
        _cnn_case("a batch of one image", _params(rng, 2), rng.normal(size=(1, 1, 8, 8)), [6]),
        _cnn_case("logits near 800, where np.exp overflows (subtract each row's maximum first)", large,
                  rng.normal(size=(4, 1, 8, 8)), rng.integers(0, 10, 4)),
        _cnn_case("integer images (0 to 16, like the digits)", _params(rng, 2), rng.integers(0, 17, (3, 1, 8, 8)),
                  rng.integers(0, 10, 3)),
        _cnn_case("float32 parameters and images (the gradients stay float32)", _params(rng, 2, dtype="float32"),
                  rng.normal(size=(3, 1, 8, 8)).astype(np.float32), rng.integers(0, 10, 3), tolerance=FLOAT32),
    ]


def _cnn(params, X, y, *, mean=True, grads_mean=True, relu=True, sign=1.0, channels_last=False):
    """The chapter's CNN loss and gradients, with one of the typical slips switched on."""
    W1, b1, W2, b2 = (np.asarray(params[name], dtype=float) for name in PARAMETERS)
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    N, C = len(X), len(W1)
    Z = conv2d(X, W1, b1, padding=1)
    A = np.maximum(Z, 0)
    P = max_pool2d(A, 2)
    h = P.reshape(N, -1)
    logits = h @ W2.T + b2
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(N)
    loss = -log_p[rows, y].sum() / (N if mean else 1)
    dz = np.exp(log_p)
    dz[rows, y] -= 1
    dz *= sign / (N if grads_mean else 1)
    dh = dz @ W2
    dP = dh.reshape(N, *P.shape[2:], C).transpose(0, 3, 1, 2) if channels_last else dh.reshape(P.shape)
    dA = max_pool2d_backward(A, dP, 2)
    dZ = dA * (Z > 0) if relu else dA
    _, dW1, db1 = conv2d_backward(X, W1, dZ, padding=1)
    return float(loss), {"W1": dW1, "b1": db1, "W2": dz.T @ h, "b2": dz.sum(axis=0)}


TINY_CNN_LOSS = Graded(
    name="tiny_cnn_loss",
    reference=tiny_cnn_loss,
    positional=("params", "X", "y"),
    visible=_cnn_visible,
    hidden=_cnn_hidden,
    result=tuple_of(("loss", SCALAR), ("grads", dict_of(*((name, ARRAY) for name in PARAMETERS)))),
    mistakes=(
        Mistake("the loss is the mean over the batch, not the sum: divide the loss, and so every gradient, by N",
                lambda *a: _cnn(*a, mean=False, grads_mean=False)),
        Mistake("the loss is a mean over the batch, so its gradient is (softmax - one-hot) / N: divide dz by N",
                lambda *a: _cnn(*a, grads_mean=False)),
        Mistake("the ReLU passes the gradient only where its input Z1 was positive: dZ1 = dA1 * (Z1 > 0)",
                lambda *a: _cnn(*a, relu=False)),
        Mistake("the gradient of the cross-entropy with respect to the logits is softmax - one-hot (divided by "
                "N), not one-hot - softmax: every gradient has the wrong sign", lambda *a: _cnn(*a, sign=-1.0)),
        Mistake("dh goes back to the shape of P, (N, C, 4, 4), with dh.reshape(P.shape): the flatten was in C "
                "order, channel first", lambda *a: _cnn(*a, channels_last=True)),
    ),
    hint="dz = (softmax(logits) - one_hot(y)) / N; dW2 = dz.T @ h, db2 = dz.sum(0), dh = dz @ W2; dP = dh reshaped "
         "like P; dA1 by max_pool2d_backward on (N*C, 8, 8); dZ1 = dA1 * (Z1 > 0); dW1, db1 by conv2d_backward "
         "with padding=1",
)


CHAPTER = Chapter(
    assignment="ch7_backward",
    graded=(NUMERICAL_GRADIENT, CORR2D_BACKWARD, CONV2D_BACKWARD, MAX_POOL2D_BACKWARD, AVG_POOL2D_BACKWARD,
            TINY_CNN_LOSS),
    widgets=(
        Widget("gradient_flow", "corr2d_backward"),
        Widget("training_monitor", "tiny_cnn_loss"),
    ),
)
