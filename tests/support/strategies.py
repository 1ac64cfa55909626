"""Shared hypothesis strategies, tolerances and comparison helpers for the test suite.

A parity test draws a `Case` (the array arguments and the keyword arguments of one call),
runs it through `solutions` and through the PyTorch reference `torch_ops`, and compares the
two with `assert_parity`. This file is a plain module, not a test: `tests/conftest.py` puts `tests/support/` on
`sys.path`, so test files say `from strategies import ...`.

Data are small integers by default. Every product and partial sum of a convolution or a
pooling of integers in [-4, 4] is an integer far below 2**24, which float32 represents
exactly, so the order of summation cannot change a result: NumPy and PyTorch must agree
bit for bit, and any difference is a real disagreement, not rounding.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, assume, settings
from hypothesis import strategies as st

import solutions

# The tensors here are tiny: with more than one thread PyTorch spends ~10x longer starting its
# thread pool than computing, and the results cannot depend on it (integer data are exact).
torch.set_num_threads(1)

# ---------------------------------------------------------------------------------------------
# Tolerances, written down once.
# ---------------------------------------------------------------------------------------------

SMALL_INT = 4
"""Integer data are drawn from [-SMALL_INT, SMALL_INT]: exact in float32 (see module docstring)."""

NORMAL_TOLERANCE = {
    # SPEC's contract for standard-normal data: NumPy and PyTorch add the terms of each output
    # in different orders, so float32 results differ in the last bits. The normal-data
    # strategies keep sizes small (at most a few dozen terms per output) so that rounding alone
    # stays inside rtol=1e-5, atol=1e-6 (it did on thousands of random draws).
    np.dtype(np.float32): (1e-5, 1e-6),
    # float64 has 29 more mantissa bits than float32; 1e-12 leaves room for summation order only.
    np.dtype(np.float64): (1e-12, 1e-12),
}

AVERAGE_TOLERANCE = {
    # Average pooling of integers: the window sum is exact, but the final division may be done
    # as a multiplication by the reciprocal, which can be one ulp off a true division.
    # rtol=1e-6 is about 8 float32 ulps; 1e-12 is far above a float64 ulp. No atol: an exact
    # zero sum divides to an exact zero on both sides.
    np.dtype(np.float32): (1e-6, 0.0),
    np.dtype(np.float64): (1e-12, 0.0),
}

GRADIENT_TOLERANCE = {
    # Gradients on standard-normal data. grad_weight sums N*oH*oW products (up to a few hundred
    # in the strategies below) and grad_input sums the overlapping windows' stamps, in another
    # order than PyTorch; where such a sum nearly cancels its relative error is unbounded, so
    # an absolute floor is needed. The largest float32 difference seen over 300 draws was
    # 1.9e-6: atol=1e-5 leaves 5x room; float64 differences stayed below 4e-15.
    np.dtype(np.float32): (1e-5, 1e-5),
    np.dtype(np.float64): (1e-12, 1e-12),
}

AVERAGE_GRADIENT_TOLERANCE = {
    # Average-pool gradients: each window's share grad/divisor is rounded once (not exact for a
    # divisor of 3, say), then up to ceil(k/s)**2 shares add up in another order than
    # PyTorch's. With |grad| <= SMALL_INT every share is below 4, so the sum is off by a few
    # float32 ulps of 4 (4.8e-7 each) at most; sums that cancel to about 0 need that as an
    # absolute floor. Largest differences seen over 800 draws: 2.4e-7 (float32), 2.2e-16
    # (float64).
    np.dtype(np.float32): (1e-6, 2e-6),
    np.dtype(np.float64): (1e-12, 1e-14),
}

EXACT_DTYPES = (np.float32, np.float64, np.int64)
"""Dtypes of integer-valued test data: int64 checks the promotion of integer input to float64."""

FLOAT_DTYPES = (np.float32, np.float64)

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
PAD_MODES = ("constant", "reflect", "replicate", "circular")


def parity_settings(max_examples: int) -> settings:
    """Hypothesis settings for this suite: reproducible in CI, no deadline, no database."""
    return settings(
        max_examples=max_examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


# ---------------------------------------------------------------------------------------------
# Arrays, dtypes, and the PyTorch side.
# ---------------------------------------------------------------------------------------------


def result_dtype(dtype) -> np.dtype:
    """The dtype `solutions` must return for input of `dtype`: integers promote to float64."""
    dtype = np.dtype(dtype)
    return np.dtype(np.float64) if dtype.kind in "iub" else dtype


def sample(rng: np.random.Generator, shape, dtype, normal: bool = False) -> np.ndarray:
    """An array of `shape` and `dtype`: small integers, or standard-normal values if `normal`."""
    if normal:
        return rng.standard_normal(shape).astype(dtype)
    return rng.integers(-SMALL_INT, SMALL_INT + 1, size=shape).astype(dtype)


def to_torch(a):
    """A tensor with `a`'s values in the dtype `solutions` computes in (None passes through)."""
    if a is None:
        return None
    return torch.from_numpy(np.ascontiguousarray(a, dtype=result_dtype(a.dtype)))


def _to_numpy(out):
    if isinstance(out, tuple):
        return tuple(_to_numpy(o) for o in out)
    return out.detach().numpy()


def torch_reference(fn: Callable) -> Callable:
    """Wrap a tensor function so that it takes and returns NumPy arrays (see `to_torch`)."""

    def call(*args, **kwargs):
        args = [to_torch(a) if isinstance(a, np.ndarray) else a for a in args]
        with torch.no_grad(), warnings.catch_warnings():
            # F.conv2d warns about even kernels with padding="same"; the warning is not ours.
            warnings.simplefilter("ignore")
            return _to_numpy(fn(*args, **kwargs))

    call.__name__ = getattr(fn, "__name__", "torch_reference")
    return call


def torch_conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
                 padding_mode="zeros"):
    """What `nn.Conv2d(..., padding_mode=padding_mode)` computes, on tensors.

    F.conv2d has no padding_mode, so the non-zero modes go through an nn.Conv2d built with
    the same configuration and the given weights: the reference is PyTorch's own layer.
    """
    if padding_mode == "zeros":
        return F.conv2d(x, weight, bias, stride, padding, dilation, groups)
    c_out, c_in_per_group, kh, kw = weight.shape
    layer = torch.nn.Conv2d(c_in_per_group * groups, c_out, (kh, kw), stride, padding, dilation,
                            groups, bias is not None, padding_mode, dtype=weight.dtype)
    layer.weight.copy_(weight)
    if bias is not None:
        layer.bias.copy_(bias)
    return layer(x)


torch_ops = SimpleNamespace(
    conv2d=torch_reference(torch_conv2d),
    conv_transpose2d=torch_reference(F.conv_transpose2d),
    max_pool2d=torch_reference(F.max_pool2d),
    avg_pool2d=torch_reference(F.avg_pool2d),
    pad=torch_reference(F.pad),
    unfold=torch_reference(F.unfold),
    fold=torch_reference(F.fold),
)
"""The PyTorch-parity ops of `solutions`, computed by torch.nn.functional on NumPy arrays."""


def torch_gradients(forward: Callable, inputs: tuple, grad_output, **kwargs) -> tuple:
    """The gradients `torch.autograd` gives `inputs` of `forward(*inputs, **kwargs)` for `grad_output`."""
    with torch.enable_grad():  # torch_reference computes under no_grad
        leaves = [t.detach().requires_grad_() for t in inputs]
        return torch.autograd.grad(forward(*leaves, **kwargs), leaves, grad_output)


def torch_conv2d_backward(x, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """(grad_input, grad_weight, grad_bias) of F.conv2d with a bias, by torch.autograd."""
    bias = torch.zeros(weight.shape[0], dtype=weight.dtype)
    return torch_gradients(F.conv2d, (x, weight, bias), grad_output, stride=stride, padding=padding,
                    dilation=dilation, groups=groups)


def torch_max_pool2d_backward(x, grad_output, kernel_size, stride=None, padding=0, dilation=1,
                              ceil_mode=False):
    """grad_input of F.max_pool2d, by torch.autograd."""
    return torch_gradients(F.max_pool2d, (x,), grad_output, kernel_size=kernel_size, stride=stride,
                    padding=padding, dilation=dilation, ceil_mode=ceil_mode)[0]


def torch_avg_pool2d_backward(x, grad_output, kernel_size, stride=None, padding=0, ceil_mode=False,
                              count_include_pad=True, divisor_override=None):
    """grad_input of F.avg_pool2d, by torch.autograd."""
    return torch_gradients(F.avg_pool2d, (x,), grad_output, kernel_size=kernel_size, stride=stride,
                    padding=padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad,
                    divisor_override=divisor_override)[0]


torch_ops.conv2d_backward = torch_reference(torch_conv2d_backward)
torch_ops.max_pool2d_backward = torch_reference(torch_max_pool2d_backward)
torch_ops.avg_pool2d_backward = torch_reference(torch_avg_pool2d_backward)


# ---------------------------------------------------------------------------------------------
# Calling and comparing.
# ---------------------------------------------------------------------------------------------


def call_pure(fn: Callable, *args, **kwargs):
    """Call `fn` and fail if it changed any of its array arguments in place."""
    before = [np.copy(a) if isinstance(a, np.ndarray) else None for a in args]
    out = fn(*args, **kwargs)
    for i, (arg, copy) in enumerate(zip(args, before)):
        if copy is not None:
            assert np.array_equal(arg, copy, equal_nan=True), (
                f"{fn.__name__} modified its argument #{i} in place")
    return out


def _check_array(actual, expected: np.ndarray) -> None:
    assert isinstance(actual, np.ndarray), f"expected an ndarray, got {type(actual).__name__}"
    assert actual.dtype == expected.dtype, f"dtype {actual.dtype}, expected {expected.dtype}"
    assert actual.shape == expected.shape, f"shape {actual.shape}, expected {expected.shape}"


def assert_exact(actual, expected) -> None:
    """Same type, dtype, shape and values (tuples compared item by item)."""
    if isinstance(expected, tuple):
        assert isinstance(actual, tuple) and len(actual) == len(expected), (
            f"expected a tuple of {len(expected)} arrays, got {type(actual).__name__}")
        for a, e in zip(actual, expected):
            assert_exact(a, e)
        return
    _check_array(actual, expected)
    np.testing.assert_array_equal(actual, expected)


def assert_close(actual, expected, tolerance: dict) -> None:
    """Same type, dtype and shape; values within `tolerance[dtype] = (rtol, atol)` (tuples item by item)."""
    if isinstance(expected, tuple):
        assert isinstance(actual, tuple) and len(actual) == len(expected), (
            f"expected a tuple of {len(expected)} arrays, got {type(actual).__name__}")
        for a, e in zip(actual, expected):
            assert_close(a, e, tolerance)
        return
    _check_array(actual, expected)
    rtol, atol = tolerance[expected.dtype]
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


@dataclass
class Case:
    """One call: positional array arguments (None allowed) and keyword arguments."""

    arrays: tuple
    kwargs: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        # Hypothesis prints this on failure: small arrays are written out in full so that the
        # report is a copy-pasteable reproducer.
        parts = [_describe(a) for a in self.arrays]
        parts += [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"Case({', '.join(parts)})"

    def _repr_pretty_(self, printer, cycle) -> None:  # hypothesis' pretty-printer protocol
        printer.text(repr(self))


def _describe(a) -> str:
    if a is None:
        return "None"
    if a.size == 0:
        return f"np.zeros({a.shape}, dtype=np.{a.dtype})"
    if a.size <= 200:
        values = np.array2string(a.astype(np.int64) if _is_integral(a) else a, separator=", ",
                                 threshold=201)
        return f"np.array({values}, dtype=np.{a.dtype})"
    return f"<{a.dtype} array of shape {a.shape}>"


def _is_integral(a: np.ndarray) -> bool:
    return bool(np.all(np.isfinite(a)) and np.all(a == np.round(a)))


def assert_parity(op: str, case: Case, tolerance: dict | None = None) -> None:
    """`solutions.<op>` agrees with `torch_ops.<op>` on `case`: exactly, or within `tolerance`."""
    actual = call_pure(getattr(solutions, op), *case.arrays, **case.kwargs)
    expected = getattr(torch_ops, op)(*case.arrays, **case.kwargs)
    if tolerance is None:
        assert_exact(actual, expected)
    else:
        assert_close(actual, expected, tolerance)


def make_case(*shapes, dtype=np.float32, seed: int = 0, **kwargs) -> Case:
    """A `Case` of small-integer arrays of the given shapes (None for an absent argument)."""
    rng = np.random.default_rng(seed)
    arrays = tuple(None if s is None else sample(rng, s, dtype) for s in shapes)
    return Case(arrays, kwargs)


# ---------------------------------------------------------------------------------------------
# Size arithmetic the strategies need to stay on valid configurations.
# ---------------------------------------------------------------------------------------------


def as_pair(v) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else tuple(v)


def same_split(k: int, d: int) -> tuple[int, int]:
    """padding='same' per side: d*(k-1) in total, total//2 before, the rest after."""
    total = d * (k - 1)
    return total // 2, total - total // 2


def pool_output_size(n, k, s, p, d, ceil_mode) -> int:
    """PyTorch's pooling output size, including ceil_mode's rule for the last window."""
    span = n + 2 * p - d * (k - 1) - 1
    if not ceil_mode:
        return span // s + 1
    out = -(-span // s) + 1
    if (out - 1) * s >= n + p:  # the last window would start inside the right padding
        out -= 1
    return out


def windows_touch_input(n, k, s, p, d, out) -> bool:
    """Whether every pooling window has at least one tap inside the input (not only padding)."""
    return all(any(0 <= o * s - p + j * d < n for j in range(k)) for o in range(out))


def int_or_pair(lo: int, hi: int):
    """An int in [lo, hi] or a pair of them: the two forms every size argument accepts."""
    one = st.integers(lo, hi)
    return st.one_of(one, st.tuples(one, one))


def _extent(draw, lo: int, spread: int = 4) -> int:
    return draw(st.integers(lo, lo + spread))


def _batch(draw) -> tuple:
    """() for the unbatched (C, H, W) form, else (N,); PyTorch accepts an empty batch N = 0."""
    return draw(st.sampled_from(((), (1,), (2,), (3,), (0,))))


def _rng(draw) -> np.random.Generator:
    return np.random.default_rng(draw(st.integers(0, 2**32 - 1)))


# ---------------------------------------------------------------------------------------------
# Strategies: each draws a valid Case for one op.
# ---------------------------------------------------------------------------------------------


@st.composite
def conv2d_cases(draw, normal=False, dtypes=EXACT_DTYPES, max_per_group=2, max_kernel=4,
                 padding_modes=PADDING_MODES):
    dtype = draw(st.sampled_from(dtypes))
    groups = draw(st.sampled_from((1, 1, 2, 3)))
    c_in = groups * draw(st.integers(1, max_per_group))
    c_out = groups * draw(st.integers(1, max_per_group))
    kernel = (draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel)))
    dilation = draw(int_or_pair(1, 3))
    padding_mode = draw(st.sampled_from(padding_modes))
    padding = draw(st.one_of(int_or_pair(0, 2), st.sampled_from(("same", "valid"))))
    stride = 1 if padding == "same" else draw(int_or_pair(1, 3))
    spatial = []
    for k, d, p in zip(kernel, as_pair(dilation), as_pair(0 if padding == "valid" else padding)):
        before, after = same_split(k, d) if padding == "same" else (p, p)
        lo = max(1, d * (k - 1) + 1 - before - after)
        if padding_mode == "reflect":
            lo = max(lo, before + 1, after + 1)
        elif padding_mode == "circular":
            lo = max(lo, before, after)
        spatial.append(_extent(draw, lo))
    batch = _batch(draw)
    has_bias = draw(st.booleans())
    rng = _rng(draw)
    x = sample(rng, (*batch, c_in, *spatial), dtype, normal)
    weight = sample(rng, (c_out, c_in // groups, *kernel), dtype, normal)
    bias = sample(rng, (c_out,), dtype, normal) if has_bias else None
    return Case((x, weight, bias), dict(stride=stride, padding=padding, dilation=dilation,
                                        groups=groups, padding_mode=padding_mode))


@st.composite
def conv_transpose2d_cases(draw, normal=False, dtypes=EXACT_DTYPES, max_per_group=2,
                           max_kernel=4):
    dtype = draw(st.sampled_from(dtypes))
    groups = draw(st.sampled_from((1, 1, 2, 3)))
    c_in = groups * draw(st.integers(1, max_per_group))
    c_out = groups * draw(st.integers(1, max_per_group))
    kernel = (draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel)))
    stride = draw(int_or_pair(1, 3))
    dilation = draw(int_or_pair(1, 3))
    padding = draw(int_or_pair(0, 3))
    # output_padding must be smaller than stride or dilation, per dimension.
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1))
                           for s, d in zip(as_pair(stride), as_pair(dilation)))
    if output_padding[0] == output_padding[1] and draw(st.booleans()):
        output_padding = output_padding[0]
    spatial = []
    for k, s, d, p, op in zip(kernel, as_pair(stride), as_pair(dilation), as_pair(padding),
                              as_pair(output_padding)):
        # (n-1)*s - 2p + d*(k-1) + op + 1 >= 1
        missing = max(0, 2 * p - d * (k - 1) - op)
        spatial.append(_extent(draw, 1 + -(-missing // s)))
    batch = _batch(draw)
    has_bias = draw(st.booleans())
    rng = _rng(draw)
    x = sample(rng, (*batch, c_in, *spatial), dtype, normal)
    weight = sample(rng, (c_in, c_out // groups, *kernel), dtype, normal)
    bias = sample(rng, (c_out,), dtype, normal) if has_bias else None
    return Case((x, weight, bias), dict(stride=stride, padding=padding,
                                        output_padding=output_padding, groups=groups,
                                        dilation=dilation))


def _pool_padding(draw, kernel):
    """Padding of at most half the window per side, as PyTorch requires."""
    kh, kw = as_pair(kernel)
    padding = (draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2)))
    return padding[0] if padding[0] == padding[1] and draw(st.booleans()) else padding


@st.composite
def max_pool2d_cases(draw, normal=False, dtypes=EXACT_DTYPES):
    dtype = draw(st.sampled_from(dtypes))
    kernel = draw(int_or_pair(1, 4))
    stride = draw(st.one_of(st.none(), int_or_pair(1, 3)))
    padding = _pool_padding(draw, kernel)
    dilation = draw(int_or_pair(1, 3))
    ceil_mode = draw(st.booleans())
    spatial = []
    for k, s, p, d in zip(as_pair(kernel), as_pair(stride or kernel), as_pair(padding),
                          as_pair(dilation)):
        n = _extent(draw, max(1, d * (k - 1) + 1 - 2 * p), spread=5)
        # With dilation a window can fall entirely into the padding; PyTorch then returns -inf
        # with an index outside the input, which no implementation is expected to reproduce.
        assume(windows_touch_input(n, k, s, p, d, pool_output_size(n, k, s, p, d, ceil_mode)))
        spatial.append(n)
    shape = (*_batch(draw), draw(st.integers(1, 3)), *spatial)
    x = sample(_rng(draw), shape, dtype, normal)
    return Case((x,), dict(kernel_size=kernel, stride=stride, padding=padding,
                           dilation=dilation, ceil_mode=ceil_mode,
                           return_indices=draw(st.booleans())))


@st.composite
def avg_pool2d_cases(draw, normal=False, dtypes=EXACT_DTYPES):
    dtype = draw(st.sampled_from(dtypes))
    kernel = draw(int_or_pair(1, 4))
    stride = draw(st.one_of(st.none(), int_or_pair(1, 3)))
    padding = _pool_padding(draw, kernel)
    spatial = [_extent(draw, max(1, k - 2 * p), spread=5)
               for k, p in zip(as_pair(kernel), as_pair(padding))]
    shape = (*_batch(draw), draw(st.integers(1, 3)), *spatial)
    x = sample(_rng(draw), shape, dtype, normal)
    return Case((x,), dict(kernel_size=kernel, stride=stride, padding=padding,
                           ceil_mode=draw(st.booleans()),
                           count_include_pad=draw(st.booleans()),
                           divisor_override=draw(st.one_of(st.none(), st.integers(1, 5)))))


@st.composite
def pad_cases(draw, normal=False, dtypes=EXACT_DTYPES):
    dtype = draw(st.sampled_from(dtypes))
    mode = draw(st.sampled_from(PAD_MODES))
    # F.pad takes the last dimension first: (left, right) or (left, right, top, bottom).
    # Non-constant modes on (C, H, W) / (N, C, H, W) take four values; constant takes 2 or 4.
    n_values = draw(st.sampled_from((2, 4))) if mode == "constant" else 4
    lo = -2 if mode == "constant" else 0  # negative constant padding crops
    pad = tuple(draw(st.integers(lo, 3)) for _ in range(n_values))
    sides = [pad[0:2], pad[2:4] if n_values == 4 else (0, 0)]  # (W sides, H sides)
    spatial = []
    for before, after in reversed(sides):
        n = max(1, 1 - min(before, 0) - min(after, 0))
        if mode == "reflect":
            n = max(n, before + 1, after + 1)
        elif mode == "circular":
            n = max(n, before, after)
        spatial.append(_extent(draw, n))
    shape = (*_batch(draw), draw(st.integers(1, 3)), *spatial)
    x = sample(_rng(draw), shape, dtype, normal)
    kwargs = dict(pad=pad, mode=mode)
    if mode == "constant":
        kwargs["value"] = draw(st.sampled_from((0.0, 1.0, -2.5)))
    return Case((x,), kwargs)


def _window_kwargs(draw):
    return dict(kernel_size=draw(int_or_pair(1, 3)), dilation=draw(int_or_pair(1, 2)),
                padding=draw(int_or_pair(0, 2)), stride=draw(int_or_pair(1, 3)))


def _window_extents(draw, kwargs):
    """Input extents (H, W) with at least one block, and the number of blocks along each."""
    extents, blocks = [], []
    for k, d, p, s in zip(*(as_pair(kwargs[a]) for a in ("kernel_size", "dilation", "padding",
                                                           "stride"))):
        n = _extent(draw, max(1, d * (k - 1) + 1 - 2 * p))
        extents.append(n)
        blocks.append((n + 2 * p - d * (k - 1) - 1) // s + 1)
    return extents, blocks


@st.composite
def unfold_cases(draw, normal=False, dtypes=EXACT_DTYPES):
    dtype = draw(st.sampled_from(dtypes))
    kwargs = _window_kwargs(draw)
    extents, _ = _window_extents(draw, kwargs)
    shape = (*_batch(draw), draw(st.integers(1, 3)), *extents)
    return Case((sample(_rng(draw), shape, dtype, normal),), kwargs)


@st.composite
def fold_cases(draw, normal=False, dtypes=EXACT_DTYPES):
    dtype = draw(st.sampled_from(dtypes))
    kwargs = _window_kwargs(draw)
    extents, blocks = _window_extents(draw, kwargs)
    kh, kw = as_pair(kwargs["kernel_size"])
    output_size = tuple(extents)
    if output_size[0] == output_size[1] and draw(st.booleans()):
        output_size = output_size[0]
    shape = (*_batch(draw), draw(st.integers(1, 3)) * kh * kw, math.prod(blocks))
    x = sample(_rng(draw), shape, dtype, normal)
    return Case((x,), dict(output_size=output_size, **kwargs))



# ---------------------------------------------------------------------------------------------
# Backward ops: a forward case plus a grad_output of the forward output's shape.
# ---------------------------------------------------------------------------------------------


def forward_shape(op: str, case: Case) -> tuple:
    """The shape of PyTorch's forward output for `case` (the shape grad_output must have)."""
    return getattr(torch_ops, op)(*case.arrays, **case.kwargs).shape


def with_grad_output(draw, op: str, case: Case, normal: bool) -> Case:
    """`case` with a random grad_output of its forward output's shape inserted after its arrays."""
    x = case.arrays[0]
    grad_output = sample(_rng(draw), forward_shape(op, case), x.dtype, normal)
    return Case((*case.arrays, grad_output), case.kwargs)


def backward_case(forward: str, *shapes, dtype=np.float32, seed=0, **kwargs) -> Case:
    """A small-integer case for `<forward>_backward`: the forward arrays plus a fitting grad_output."""
    case = make_case(*shapes, dtype=dtype, seed=seed, **kwargs)
    grad = sample(np.random.default_rng(seed + 1), forward_shape(forward, case), dtype)
    return Case((*case.arrays, grad), case.kwargs)


@st.composite
def conv2d_backward_cases(draw, normal=False, dtypes=EXACT_DTYPES, max_per_group=2, max_kernel=4):
    case = draw(conv2d_cases(normal, dtypes, max_per_group, max_kernel, padding_modes=("zeros",)))
    x, weight, _ = case.arrays
    kwargs = {k: v for k, v in case.kwargs.items() if k != "padding_mode"}
    return with_grad_output(draw, "conv2d", Case((x, weight), kwargs), normal)


@st.composite
def max_pool2d_backward_cases(draw, normal=False, dtypes=EXACT_DTYPES):
    case = draw(max_pool2d_cases(normal, dtypes))
    case.kwargs.pop("return_indices")
    return with_grad_output(draw, "max_pool2d", case, normal)


@st.composite
def avg_pool2d_backward_cases(draw, normal=False, dtypes=EXACT_DTYPES):
    return with_grad_output(draw, "avg_pool2d", draw(avg_pool2d_cases(normal, dtypes)), normal)
