"""Chapter 1: one output cell of a cross-correlation, worked out from its window."""

from __future__ import annotations

import ipywidgets
import numpy as np

from . import drawing
from .frame import ConvWidget, Note, course_widget
from .student import call, name_of

# The worked example of chapter 1; corr2d(X, K) == [[12, 12, 17], [10, 17, 19], [9, 6, 14]].
EXAMPLE_X = [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]
EXAMPLE_K = [[0, 1, 2], [2, 2, 0], [0, 1, 2]]
MAX_TERMS_WRITTEN = 9  # longer sums are shown by their total only


def _grid(A, name: str) -> np.ndarray:
    A = np.asarray(A, dtype=float)
    if A.ndim != 2 or 0 in A.shape:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {A.shape}")
    return A


def example(X, K, default_X, default_K) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """Return ``X`` ``(H, W)`` and ``K`` ``(kh, kw)`` as float grids (the defaults where None), and the
    valid output's shape ``(H-kh+1, W-kw+1)``; raise ``ValueError`` when ``K`` does not fit in ``X``.

    >>> example(None, [[1, -1]], [[1, 2, 3]], None)[2]
    (1, 2)
    """
    X = _grid(default_X if X is None else X, "X")
    K = _grid(default_K if K is None else K, "K")
    (H, W), (kh, kw) = X.shape, K.shape
    if kh > H or kw > W:
        raise ValueError(f"K of shape {K.shape} does not fit in X of shape {X.shape}")
    return X, K, (H - kh + 1, W - kw + 1)


def window_sums(X: np.ndarray, K: np.ndarray) -> np.ndarray:
    """Return, for every output cell, the sum of its window times ``K``: ``(H-kh+1, W-kw+1)``.

    The widget's own check of the student's output, written as the definition reads.
    """
    kh, kw = K.shape
    return np.array([[(X[i:i + kh, j:j + kw] * K).sum() for j in range(X.shape[1] - kw + 1)]
                     for i in range(X.shape[0] - kh + 1)])


def _sum_text(products: np.ndarray) -> str:
    terms = [drawing.format_number(v) for v in products.ravel()]
    total = drawing.format_number(products.sum())
    if len(terms) > MAX_TERMS_WRITTEN:
        return f"sum of the {len(terms)} products = {total}"
    written = " + ".join(terms).replace("+ -", "- ")
    return f"sum = {written} = {total}"


@course_widget("conv-window-stepper")
def window_stepper(corr2d, X=None, K=None) -> ConvWidget:
    """Return a widget that works out one output cell ``Y[i, j]`` of ``Y = corr2d(X, K)``.

    ``X`` is ``(H, W)`` and ``K`` is ``(kh, kw)`` (by default the chapter's worked example);
    ``Y[i, j] = (X[i:i+kh, j:j+kw] * K).sum()``, of shape ``(H-kh+1, W-kw+1)``. Sliders pick
    ``i`` and ``j``; the picture shows the window in ``X``, the kernel, their elementwise product
    and its sum, and the output of the given ``corr2d`` with the cell highlighted. Cells where
    that output differs from the sum of its window's products are outlined in red.
    """
    name = name_of(corr2d, "corr2d")
    X, K, shape = example(X, K, EXAMPLE_X, EXAMPLE_K)
    kh, kw = K.shape
    sums = window_sums(X, K)
    # The output does not depend on the sliders: one call, however often the picture changes.
    result = call(corr2d, X, K, name=name, shape=shape)
    wrong = None if not result.ok else ~np.isclose(result.value, sums, rtol=1e-6, atol=1e-9)
    row = ipywidgets.IntSlider(value=0, min=0, max=shape[0] - 1, description="output row i")
    col = ipywidgets.IntSlider(value=0, min=0, max=shape[1] - 1, description="output col j")
    x_cmap, x_norm = drawing.grid_norm(X)
    k_cmap, k_norm = drawing.grid_norm(K)
    canvas, (ax_x, ax_k, ax_p, ax_y) = drawing.panels([X.shape, K.shape, K.shape, shape], gap=0.9,
                                                       cell=0.5, bottom=0.5)

    def draw():
        i, j = row.value, col.value
        window = X[i:i + kh, j:j + kw]
        products = window * K
        drawing.number_grid(ax_x, X, cmap=x_cmap, norm=x_norm)
        drawing.highlight(ax_x, i, j, kh, kw)
        drawing.title(ax_x, f"X, window X[{i}:{i + kh}, {j}:{j + kw}]")
        drawing.number_grid(ax_k, K, cmap=k_cmap, norm=k_norm)
        drawing.title(ax_k, "kernel K")
        drawing.number_grid(ax_p, products)
        drawing.highlight(ax_p, 0, 0, kh, kw)
        drawing.title(ax_p, "window × K")
        ax_p.set_xlabel(_sum_text(products), fontsize=10, color=drawing.HIGHLIGHT)
        total = products.sum()
        notes = []
        if not result.ok:
            drawing.message(ax_y, result.problem, f"Y = {name}(X, K)", width=26)
            notes.append(Note(result.problem, "problem"))
        else:
            Y = result.value
            drawing.number_grid(ax_y, Y)
            drawing.highlight(ax_y, i, j)
            for r, c in zip(*np.nonzero(wrong)):
                drawing.highlight(ax_y, r, c, colour=drawing.MISMATCH, linewidth=2, linestyle="--")
            drawing.title(ax_y, f"Y = {name}(X, K), cell Y[{i}, {j}]")
            mine = drawing.format_number(Y[i, j])
            if wrong[i, j]:
                notes.append(Note(f"{name} gives Y[{i}, {j}] = {mine}, but the products of its window "
                                  f"sum to {drawing.format_number(total)}", "problem"))
            else:
                notes.append(Note(f"Y[{i}, {j}] = {mine}: {name} agrees with the sum of the products", "ok"))
            if wrong.any():
                notes.append(Note(f"{int(wrong.sum())} of the {wrong.size} cells of {name}'s output differ "
                                  "from the sum of their window's products (outlined in red dashes)", "problem"))
                ax_y.set_xlabel(f"{int(wrong.sum())} cell(s) differ", fontsize=10, color=drawing.MISMATCH)
        return notes

    return ConvWidget({"row": row, "col": col}, canvas, draw)
