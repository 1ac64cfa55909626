"""A tour of the course in numbers: the worked examples of each chapter, then a quick benchmark.

Usage: python benchmarks/tour.py

Every example is computed twice: by the course's reference library `solutions` (NumPy) and by
PyTorch, printed side by side. Then the benchmark runs in quick mode (benchmarks/bench.py).
"""

import bench  # first: it pins numpy and torch to one thread before they load

from itertools import zip_longest

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

import solutions


def tensor(a):
    """Return ``a`` as a float64 torch tensor with batch and channel axes: (H, W) -> (1, 1, H, W), (C, H, W) -> (1, C, H, W)."""
    t = torch.as_tensor(np.asarray(a, dtype=np.float64))
    return t.reshape((1,) * (4 - t.dim()) + tuple(t.shape))


def show(title, ours, theirs):
    """Print ``ours`` (solutions) and ``theirs`` (torch) side by side, and whether they agree."""
    ours = np.asarray(ours)
    theirs = np.asarray(theirs.detach().squeeze(0) if isinstance(theirs, torch.Tensor) else theirs)
    theirs = theirs.reshape(ours.shape) if theirs.size == ours.size else theirs
    left = np.array2string(ours).splitlines()
    right = np.array2string(theirs).splitlines()
    width = max(map(len, left + ["solutions"]))
    print(title)
    print(f"    {'solutions':<{width}}    torch")
    for a, b in zip_longest(left, right, fillvalue=""):
        print(f"    {a:<{width}}    {b}".rstrip())
    same = ours.shape == theirs.shape and np.allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    print(f"    same numbers: {'yes' if same else 'NO'}\n")


def heading(text):
    print(f"\n{text}\n{'=' * len(text)}\n")


def chapter1():
    heading("Chapter 1: cross-correlation")
    X = np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]])
    K = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]])
    show("corr2d: slide the 3x3 kernel K over the 5x5 input X; each output is sum(window * K)",
         solutions.corr2d(X, K), F.conv2d(tensor(X), tensor(K)))

    X, K = np.arange(9).reshape(3, 3), np.array([[0, 1], [2, 3]])
    show("corr2d of arange(9).reshape(3, 3) with [[0, 1], [2, 3]]: 0*0 + 1*1 + 3*2 + 4*3 = 19, ...",
         solutions.corr2d(X, K), F.conv2d(tensor(X), tensor(K)))

    X = np.ones((6, 8))
    X[:, 2:6] = 0
    K = np.array([[1, -1]])
    show("Edge detection: a white image with a black vertical band (columns 2..5), kernel [[1, -1]];\n"
         "1 marks a white-to-black edge, -1 a black-to-white one",
         solutions.corr2d(X, K), F.conv2d(tensor(X), tensor(K)))
    show("The same kernel on the transposed image sees no vertical edge: all zero",
         solutions.corr2d(X.T, K), F.conv2d(tensor(X.T), tensor(K)))

    Y = solutions.corr2d(X, K)
    lr, steps = 0.03, 20
    K_torch = torch.zeros(1, 1, 1, 2, dtype=torch.float64, requires_grad=True)
    for _ in range(steps):  # the same gradient descent, with the gradient from autograd
        loss = ((F.conv2d(tensor(X), K_torch) - tensor(Y)) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            K_torch -= lr * K_torch.grad
            K_torch.grad.zero_()
    show(f"Learning the kernel back from (X, Y): {steps} gradient steps on the squared error, lr={lr}",
         solutions.learn_kernel(X, Y, (1, 2), lr=lr, steps=steps).round(4), K_torch.detach().round(decimals=4))


def chapter3():
    heading("Chapter 3: channels")
    X = np.array([[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]])
    K = np.array([[[0, 1], [2, 3]], [[1, 2], [3, 4]]])
    show("Two input channels, one kernel per channel; the two responses are summed",
         solutions.corr2d_multi_in(X, K), F.conv2d(tensor(X), tensor(K)))
    K3 = np.stack([K, K + 1, K + 2])
    show("Three kernels (K, K+1, K+2): three output channels",
         solutions.corr2d_multi_in_out(X, K3), F.conv2d(tensor(X), torch.as_tensor(K3, dtype=torch.float64)))

    with FlopCounterMode(display=False) as counter:  # meta tensors: counted, never computed
        F.conv2d(torch.empty(1, 100, 68, 68, device="meta"), torch.empty(100, 100, 5, 5, device="meta"))
    print("Cost of a 5x5 convolution, 100 -> 100 channels, 64x64 output (multiply-accumulates):")
    print(f"    solutions.conv2d_macs: {solutions.conv2d_macs(100, 100, 5, 5, 64, 64):,}")
    print(f"    torch's flop counter:  {counter.get_total_flops() // 2:,}  (it counts 2 flops per MAC)\n")


def chapter5():
    heading("Chapter 5: pooling")
    X = np.arange(9).reshape(3, 3)
    show("2x2 max pooling, stride 1, of arange(9).reshape(3, 3)",
         solutions.pool2d(X, 2), F.max_pool2d(tensor(X), 2, stride=1))
    show("2x2 average pooling, stride 1",
         solutions.pool2d(X, 2, mode="avg"), F.avg_pool2d(tensor(X), 2, stride=1))


def chapter6():
    heading("Chapter 6: transposed convolution and receptive fields")
    X, K = np.array([[0, 1], [2, 3]]), np.array([[0, 1], [2, 3]])
    show("Transposed convolution: each input cell adds a copy of K scaled by its value",
         solutions.trans_conv(X, K), F.conv_transpose2d(tensor(X), tensor(K)))

    # Torch has no receptive-field function: measure it instead. The gradient of one output cell
    # of two stacked 3x3 convolutions is nonzero exactly on the input cells that it sees.
    x = torch.zeros(1, 1, 11, 11, requires_grad=True)
    ones = torch.ones(1, 1, 3, 3)
    F.conv2d(F.conv2d(x, ones), ones)[0, 0, 3, 3].backward()
    seen = x.grad[0, 0].nonzero()
    print("Receptive field of two stacked 3x3 convolutions:")
    print(f"    solutions.receptive_field([3, 3]): {solutions.receptive_field([3, 3])}")
    print(f"    torch, measured with a gradient:   {int(seen[:, 0].max() - seen[:, 0].min() + 1)}"
          " (rows of input that move one output)\n")


def main():
    print(__doc__.splitlines()[0])
    np.set_printoptions(suppress=True, precision=4)
    chapter1()
    chapter3()
    chapter5()
    chapter6()
    heading("Speed: solutions against torch and against the naive loops (quick run)")
    bench.main(["--quick"])
    print("\nFor the full benchmark: make bench")


if __name__ == "__main__":
    main()
