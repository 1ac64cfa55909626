"""Time the vectorized `solutions` against torch.nn.functional and against the naive loops.

Usage: python benchmarks/bench.py [--quick] [--filter SUBSTR] [--json PATH]

Three tables, in one run, both sides pinned to a single thread:

1. solutions vs torch.nn.functional (float32) on a fixed grid of configurations, from
   course-sized (1x1x28x28) to CNN-sized (8x64x56x56). For each: the median time per call of
   each side, and the ratio solutions/torch (below 1 means solutions is faster). Each side is
   called repeatedly for about BUDGET seconds; the results of the two sides must agree, or
   the row says "mismatch" instead of a time.
2. the backward ops of solutions vs torch.autograd, timed the same way. PyTorch runs the
   forward pass once, recording it, and each timed call is `torch.autograd.grad` of its output
   for a fixed grad_output (retain_graph): the backward pass alone, with whatever the forward
   pass saved (max pooling's indices, among others). The solutions side receives the forward
   input, as its signature says, and does all its work in the timed call.
3. solutions vs the naive loops of `solutions.naive` on 64x64 inputs: the speed-up, timed the
   same way (the naive side may get a single timed call).

The targets below are printed with whether each is met; the exit status is 0 either way, so
that a slow machine does not fail a build.
"""

import os

# Before numpy and torch load: their thread pools read these once, at import time.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse
import json
import math
import platform
import statistics
import sys
import time
from functools import partial
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # so that a plain checkout runs
from report import print_table, print_targets  # noqa: E402 - this folder, on sys.path as the script's
import solutions  # noqa: E402
from solutions import naive  # noqa: E402

torch.set_num_threads(1)

TARGET_GEO_MEAN = 1.5   # geometric mean of solutions/torch over the grid, at most
TARGET_BACKWARD_GEO_MEAN = 1.5  # the same for the backward ops against torch.autograd
TARGET_WORST = 3.0      # solutions/torch of every configuration, at most
TARGET_NAIVE = 100.0    # speed-up of solutions over the naive loops on 64x64 inputs, at least

BUDGET = {"full": 0.4, "quick": 0.03}          # seconds per side and configuration, about
MIN_REPEATS, MAX_REPEATS = 3, 20_000
RTOL, ATOL = 1e-4, 1e-4                        # atol is scaled by the largest |expected value|
TEXT_COLUMNS = 3                               # configuration, input, output; then the numbers


class Case(NamedTuple):
    """One benchmark configuration: ``op`` is the function's name in `solutions`, torch.nn.functional and naive."""
    name: str
    op: str
    x: tuple                  # input shape (N, C, H, W); a backward op also gets a grad_output
    weight: tuple = None      # kernel shape, for the convolutions
    kwargs: dict = {}         # keyword arguments, passed unchanged to every side


# solutions vs torch.nn.functional.
CASES = [
    Case("conv 3x3, 1->8 (course)", "conv2d", (1, 1, 28, 28), (8, 1, 3, 3)),
    Case("conv 3x3, 16->16, pad 1", "conv2d", (8, 16, 56, 56), (16, 16, 3, 3), dict(padding=1)),
    Case("conv 3x3, 32->32, pad 1", "conv2d", (8, 32, 56, 56), (32, 32, 3, 3), dict(padding=1)),
    Case("conv 3x3, 64->64, pad 1", "conv2d", (8, 64, 56, 56), (64, 64, 3, 3), dict(padding=1)),
    Case("conv 5x5, 3->32, first layer", "conv2d", (8, 3, 64, 64), (32, 3, 5, 5), dict(padding=2)),
    Case("conv 5x5, 16->16, 'same'", "conv2d", (8, 16, 56, 56), (16, 16, 5, 5), dict(padding="same")),
    Case("conv 1x1, 64->128", "conv2d", (8, 64, 56, 56), (128, 64, 1, 1)),
    Case("conv 3x3, 64->128, stride 2", "conv2d", (8, 64, 56, 56), (128, 64, 3, 3), dict(stride=2, padding=1)),
    Case("conv 3x3 depthwise, groups 64", "conv2d", (8, 64, 56, 56), (64, 1, 3, 3), dict(padding=1, groups=64)),
    Case("conv 3x3, 64->64, groups 4", "conv2d", (8, 64, 56, 56), (64, 16, 3, 3), dict(padding=1, groups=4)),
    Case("conv 3x3, 32->32, dilation 2", "conv2d", (8, 32, 56, 56), (32, 32, 3, 3), dict(padding=2, dilation=2)),
    Case("transposed 4x4, 64->32, stride 2", "conv_transpose2d", (8, 64, 28, 28), (64, 32, 4, 4),
         dict(stride=2, padding=1)),
    Case("max pool 2x2 (course)", "max_pool2d", (1, 1, 28, 28), kwargs=dict(kernel_size=2)),
    Case("max pool 2x2, stride 2", "max_pool2d", (8, 64, 56, 56), kwargs=dict(kernel_size=2)),
    Case("max pool 3x3, stride 2, pad 1", "max_pool2d", (8, 64, 56, 56),
         kwargs=dict(kernel_size=3, stride=2, padding=1)),
    Case("avg pool 2x2, stride 2", "avg_pool2d", (8, 64, 56, 56), kwargs=dict(kernel_size=2)),
    Case("avg pool 3x3, stride 1, pad 1", "avg_pool2d", (8, 64, 56, 56),
         kwargs=dict(kernel_size=3, stride=1, padding=1)),
]

# solutions' backward ops vs torch.autograd.
BACKWARD_CASES = [
    Case("conv 3x3, 16->16, pad 1", "conv2d_backward", (8, 16, 56, 56), (16, 16, 3, 3), dict(padding=1)),
    Case("conv 3x3, 32->32, pad 1", "conv2d_backward", (8, 32, 56, 56), (32, 32, 3, 3), dict(padding=1)),
    Case("conv 3x3, 64->64, stride 2", "conv2d_backward", (8, 64, 56, 56), (64, 64, 3, 3),
         dict(stride=2, padding=1)),
    Case("conv 3x3 depthwise, groups 64", "conv2d_backward", (8, 64, 56, 56), (64, 1, 3, 3),
         dict(padding=1, groups=64)),
    Case("conv 3x3, 64->64, groups 4", "conv2d_backward", (8, 64, 56, 56), (64, 16, 3, 3),
         dict(padding=1, groups=4)),
    Case("conv 3x3, 32->32, dilation 2", "conv2d_backward", (8, 32, 56, 56), (32, 32, 3, 3),
         dict(padding=2, dilation=2)),
    Case("conv 5x5, 3->32, first layer", "conv2d_backward", (8, 3, 64, 64), (32, 3, 5, 5), dict(padding=2)),
    Case("max pool 2x2, stride 2", "max_pool2d_backward", (8, 64, 56, 56), kwargs=dict(kernel_size=2)),
    Case("max pool 3x3, stride 2, pad 1", "max_pool2d_backward", (8, 64, 56, 56),
         kwargs=dict(kernel_size=3, stride=2, padding=1)),
    Case("avg pool 2x2, stride 2", "avg_pool2d_backward", (8, 64, 56, 56), kwargs=dict(kernel_size=2)),
    Case("avg pool 3x3, pad 1, count_include_pad False", "avg_pool2d_backward", (8, 64, 56, 56),
         kwargs=dict(kernel_size=3, stride=1, padding=1, count_include_pad=False)),
]

# solutions vs the naive loops, on 64x64 inputs.
NAIVE_CASES = [
    Case("conv 3x3, 1->1", "conv2d", (1, 1, 64, 64), (1, 1, 3, 3)),
    Case("conv 3x3, 3->8, pad 1", "conv2d", (1, 3, 64, 64), (8, 3, 3, 3), dict(padding=1)),
    Case("max pool 2x2", "max_pool2d", (1, 1, 64, 64), kwargs=dict(kernel_size=2)),
    Case("transposed 3x3, stride 2", "conv_transpose2d", (1, 1, 64, 64), (1, 1, 3, 3), dict(stride=2)),
    Case("conv 3x3 backward, 3->8, pad 1", "conv2d_backward", (1, 3, 64, 64), (8, 3, 3, 3), dict(padding=1)),
    Case("max pool 2x2 backward", "max_pool2d_backward", (1, 1, 64, 64), kwargs=dict(kernel_size=2)),
]

# The three tables: baseline, configurations, title, column headers.
TABLES = [
    ("torch", CASES, "solutions vs torch.nn.functional (ratio < 1: solutions is faster)",
     ["configuration", "input", "output", "solutions", "torch", "solutions/torch"]),
    ("autograd", BACKWARD_CASES,
     "backward: solutions vs torch.autograd, PyTorch's backward pass only (ratio < 1: solutions is faster)",
     ["configuration", "input", "grad_output", "solutions", "torch", "solutions/torch"]),
    ("naive", NAIVE_CASES, "solutions vs the naive loops (solutions.naive)",
     ["configuration", "input", "output", "naive", "solutions", "speed-up"]),
]


def make_inputs(case, seed=0):
    """Return the positional arguments of one call as float32 arrays.

    ``(x,)`` or ``(x, weight, bias)`` for a forward op; ``(x, grad_output)`` or
    ``(x, weight, grad_output)`` for a backward op, grad_output shaped like the forward output.
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(case.x, dtype=np.float32)
    if case.op.endswith("_backward"):
        forward_args = (x,) if case.weight is None else (x, rng.standard_normal(case.weight, dtype=np.float32))
        forward = getattr(F, forward_name(case))
        shape = tuple(forward(*map(torch.from_numpy, forward_args), **case.kwargs).shape)
        return (*forward_args, rng.standard_normal(shape, dtype=np.float32))
    if case.weight is None:
        return (x,)
    weight = rng.standard_normal(case.weight, dtype=np.float32)
    # conv2d weights are (C_out, C_in/g, kh, kw); transposed ones are (C_in, C_out/g, kh, kw).
    c_out = case.weight[0] if case.op == "conv2d" else case.weight[1] * case.kwargs.get("groups", 1)
    return x, weight, rng.standard_normal(c_out, dtype=np.float32)


def forward_name(case):
    """Return the name of the forward op whose gradient a backward case computes."""
    return case.op.removesuffix("_backward")


def autograd_backward(case, args):
    """Return a call of ``torch.autograd.grad`` that repeats the backward pass of one recorded forward pass.

    ``args`` are the solutions side's arguments, the forward inputs then grad_output. A
    convolution gets a zero bias, so that PyTorch computes the bias gradient as solutions does.
    """
    *inputs, grad_output = [torch.from_numpy(a) for a in args]
    inputs = [t.requires_grad_() for t in inputs]
    if case.weight is not None:
        inputs.append(torch.zeros(case.weight[0], requires_grad=True))
    output = getattr(F, forward_name(case))(*inputs, **case.kwargs)
    return partial(torch.autograd.grad, output, inputs, grad_output, retain_graph=True)


def reference_call(case, baseline, args):
    """Return the baseline side of one case as a call without arguments."""
    if baseline == "autograd":
        return autograd_backward(case, args)
    if baseline == "torch":
        return partial(getattr(F, case.op), *[torch.from_numpy(a) for a in args], **case.kwargs)
    return partial(getattr(naive, case.op), *args, **case.kwargs)


def timed(function, budget, min_repeats):
    """Return ``(first result, median seconds per call, calls timed)`` of ``function()``.

    The first call warms up and estimates the cost; then ``function`` is called about
    ``budget`` seconds' worth of times in a row (at least ``min_repeats``, at most MAX_REPEATS),
    each call timed alone. The median ignores the odd call slowed down by the machine. (Taking
    turns with the other side, call by call, would be kinder to a busy machine but distorts
    both: each call then starts with the other's memory in the caches and allocator.)
    """
    start = time.perf_counter()
    result = function()
    first = time.perf_counter() - start
    repeats = int(min(MAX_REPEATS, max(min_repeats, budget / max(first, 1e-9))))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times), repeats


def as_arrays(Y):
    """Return a result as a tuple of numpy arrays (torch tensors are converted)."""
    items = Y if isinstance(Y, tuple) else (Y,)
    return tuple(y.numpy() if isinstance(y, torch.Tensor) else np.asarray(y) for y in items)


def disagreement(Y, Y_ref):
    """Return why ``Y`` does not match the reference ``Y_ref`` (tuples of arrays), or None if it does."""
    if len(Y) != len(Y_ref):
        return f"{len(Y)} results vs expected {len(Y_ref)}"
    for y, ref in zip(Y, Y_ref):
        if y.shape != ref.shape or y.dtype != ref.dtype:
            return f"{y.dtype} {y.shape} vs expected {ref.dtype} {ref.shape}"
        if not np.allclose(y, ref, rtol=RTOL, atol=ATOL * max(1.0, float(np.abs(ref).max(initial=0)))):
            return f"max abs error {np.abs(y.astype(np.float64) - ref).max():.3g}"
    return None


def run_case(case, baseline, mode):
    """Time one case with `solutions` and with ``baseline`` ("torch", "autograd" or "naive"); return a result dict.

    ``status`` is "ok", "mismatch: ..." (the two results differ) or "error: ..." (a side raised).
    """
    row = dict(name=case.name, op=case.op, input=list(case.x), weight=case.weight and list(case.weight),
               kwargs=case.kwargs, baseline=baseline, status="ok")
    try:
        args = make_inputs(case)
        ours = partial(getattr(solutions, case.op), *args, **case.kwargs)
        theirs = reference_call(case, baseline, args)
        Y, ours_s, ours_calls = timed(ours, BUDGET[mode], MIN_REPEATS)
        # The naive loops take up to a second a call: one timed call can be enough.
        Y_ref, theirs_s, theirs_calls = timed(theirs, BUDGET[mode], 1 if baseline == "naive" else MIN_REPEATS)
    except Exception as error:  # a missing or failing op is reported, not fatal
        row["status"] = f"error: {type(error).__name__}: {error}"
        return row
    Y, Y_ref = as_arrays(Y), as_arrays(Y_ref)
    # The output column: the forward output, or for a backward op the grad_output it was given.
    row["output"] = list(args[-1].shape if case.op.endswith("_backward") else Y_ref[0].shape)
    problem = disagreement(Y, Y_ref)
    if problem:
        row["status"] = f"mismatch: {problem}"
        return row
    row.update(solutions_s=ours_s, solutions_calls=ours_calls, baseline_s=theirs_s, baseline_calls=theirs_calls,
               ratio=ours_s / theirs_s)
    return row


def format_time(seconds):
    """Return a duration to 3 significant digits in a readable unit: ``'12.3 µs'``, ``'4.00 ms'``, ``'1.23 s'``."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if seconds >= scale or unit == "ns":
            value = seconds / scale
            return f"{value:.{max(0, 2 - math.floor(math.log10(max(value, 1e-3))))}f} {unit}"


def shape_text(shape):
    """Return a shape as ``'8x64x56x56'``."""
    return "x".join(map(str, shape)) if shape else ""


def table_rows(results, baseline):
    """Return printable rows: a failed case shows its status in place of the times."""
    rows = []
    for r in results:
        cells = [r["name"], shape_text(r["input"]), shape_text(r.get("output"))]
        if r["status"] != "ok":
            rows.append(cells + [r["status"]])
        elif baseline in ("torch", "autograd"):
            rows.append(cells + [format_time(r["solutions_s"]), format_time(r["baseline_s"]), f"{r['ratio']:.2f}x"])
        else:
            rows.append(cells + [format_time(r["baseline_s"]), format_time(r["solutions_s"]),
                                 f"{1 / r['ratio']:,.0f}x"])
    return rows


def ratio_summary(results):
    """Return ``(geometric mean, worst name, worst ratio)`` of the measured rows (Nones if none)."""
    measured = [r for r in results if r["status"] == "ok"]
    if not measured:
        return None, None, None
    worst = max(measured, key=lambda r: r["ratio"])
    return math.exp(statistics.fmean(math.log(r["ratio"]) for r in measured)), worst["name"], worst["ratio"]


def summarize(torch_results, naive_results, backward_results=()):
    """Return the summary: geometric-mean and worst ratios against torch, least speed-up over naive, targets met."""
    geo_mean, worst, worst_ratio = ratio_summary(torch_results)
    backward_geo_mean, backward_worst, backward_worst_ratio = ratio_summary(backward_results)
    speedups = [1 / r["ratio"] for r in naive_results if r["status"] == "ok"]
    summary = dict(
        geo_mean=geo_mean,
        worst=worst,
        worst_ratio=worst_ratio,
        backward_geo_mean=backward_geo_mean,
        backward_worst=backward_worst,
        backward_worst_ratio=backward_worst_ratio,
        least_naive_speedup=min(speedups, default=None),
        failed=[r["name"] for r in [*torch_results, *backward_results, *naive_results] if r["status"] != "ok"],
    )
    # True (met), False (missed) or None (nothing measured, as with a --filter).
    summary["targets"] = {
        f"geometric mean of solutions/torch <= {TARGET_GEO_MEAN}x":
            None if summary["geo_mean"] is None else summary["geo_mean"] <= TARGET_GEO_MEAN,
        f"every configuration: solutions/torch <= {TARGET_WORST}x":
            None if summary["worst_ratio"] is None else summary["worst_ratio"] <= TARGET_WORST,
        f"backward ops: geometric mean of solutions/torch.autograd <= {TARGET_BACKWARD_GEO_MEAN}x":
            None if backward_geo_mean is None else backward_geo_mean <= TARGET_BACKWARD_GEO_MEAN,
        f"solutions >= {TARGET_NAIVE:.0f}x faster than the naive loops on 64x64":
            None if summary["least_naive_speedup"] is None else summary["least_naive_speedup"] >= TARGET_NAIVE,
        "every result agrees with its reference": not summary["failed"],
    }
    return summary


def print_summary(summary):
    """Print the summary lines and each target, met or not."""
    if summary["geo_mean"] is not None:
        print(f"geometric-mean ratio solutions/torch: {summary['geo_mean']:.2f}x")
        print(f"worst configuration: {summary['worst']} ({summary['worst_ratio']:.2f}x)")
    if summary["backward_geo_mean"] is not None:
        print(f"backward ops, geometric-mean ratio solutions/torch.autograd: {summary['backward_geo_mean']:.2f}x")
        print(f"backward ops, worst configuration: {summary['backward_worst']} "
              f"({summary['backward_worst_ratio']:.2f}x)")
    if summary["least_naive_speedup"] is not None:
        print(f"least speed-up over the naive loops: {summary['least_naive_speedup']:,.0f}x")
    if summary["failed"]:
        print(f"no time for {len(summary['failed'])} configuration(s): {'; '.join(summary['failed'])}")
    print()
    print_targets(summary["targets"])


def parse_args(argv):
    """Return the command-line options (``argv`` None: those of the command line)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats: a smoke run of a few seconds")
    parser.add_argument("--filter", metavar="SUBSTR", default="",
                        help="only the configurations whose name contains SUBSTR (case-insensitive)")
    parser.add_argument("--json", metavar="PATH", type=Path, help="also save the results as JSON to PATH")
    return parser.parse_args(argv)


def main(argv=None):
    """Run both tables, print them and the targets; return 0 (the exit status), targets met or not."""
    args = parse_args(argv)
    mode = "quick" if args.quick else "full"
    threads = ", ".join(f"{v}={os.environ.get(v)}" for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                                             "MKL_NUM_THREADS"))
    print(f"Python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}, "
          f"{platform.machine()}; torch threads={torch.get_num_threads()}, {threads}")
    print(f"float32; median time per call, about {BUDGET[mode]} s of calls per side and configuration ({mode})\n")

    results = {}
    for baseline, cases, title, columns in TABLES:
        results[baseline] = [run_case(case, baseline, mode) for case in cases
                             if args.filter.lower() in case.name.lower()]
        if results[baseline]:
            print(title)
            print_table(columns, table_rows(results[baseline], baseline), TEXT_COLUMNS)
            print()

    summary = summarize(results["torch"], results["naive"], results["autograd"])
    print_summary(summary)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        report = dict(mode=mode, numpy=np.__version__, torch=torch.__version__, torch_threads=torch.get_num_threads(),
                      results=results, summary=summary)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"\nresults saved to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
