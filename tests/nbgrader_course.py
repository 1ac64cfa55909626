"""What the notebook tests share: where the course lives, its syllabus, and running nbgrader.

The instructor notebooks are ``course/source/<id>/<id>.ipynb``; ``make release`` generates the
student versions ``exercises/<id>/<id>.ipynb`` from them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "course"
SOURCE = COURSE / "source"
EXERCISES = ROOT / "exercises"

#: The syllabus (SPEC.md): each assignment id and the graded functions of its notebook, in order.
SYLLABUS = {
    "ch1_cross_correlation": ["corr2d", "convolve2d", "Conv2D", "learn_kernel"],
    "ch2_padding_stride": ["output_size", "pad2d", "corr2d_pad_stride", "same_padding"],
    "ch3_channels": ["corr2d_multi_in", "corr2d_multi_in_out", "conv2d_params", "conv2d_macs"],
    "ch4_one_by_one": ["corr2d_multi_in_out_1x1", "pointwise_as_linear"],
    "ch5_pooling": ["pool2d", "pool2d_strided"],
    "ch6_conv_variants": [
        "conv2d_grouped", "depthwise_separable", "corr2d_dilated", "trans_conv", "conv_matrix",
        "receptive_field",
    ],
}

#: The widget calls the SPEC fixes for each chapter.
WIDGET_CALLS = {
    "ch1_cross_correlation": ["widgets.kernel_gallery(corr2d)", "widgets.window_stepper(corr2d)"],
    "ch2_padding_stride": ["widgets.padding_explorer(output_size)"],
    "ch3_channels": ["widgets.channel_explorer(corr2d_multi_in_out)"],
    "ch4_one_by_one": ["widgets.channel_mixer(corr2d_multi_in_out_1x1)"],
    "ch5_pooling": ["widgets.pooling_explorer(pool2d_strided)"],
    "ch6_conv_variants": [
        "widgets.groups_diagram()", "widgets.dilation_explorer(corr2d_dilated)",
        "widgets.transposed_stepper(trans_conv)",
    ],
}


def assignments() -> list[str]:
    """Return the ids of the assignments that have an instructor notebook, sorted."""
    return sorted(p.parent.name for p in SOURCE.glob("*/*.ipynb") if p.stem == p.parent.name)


def source_path(assignment: str) -> Path:
    return SOURCE / assignment / f"{assignment}.ipynb"


def student_path(assignment: str, exercises: Path = EXERCISES) -> Path:
    return exercises / assignment / f"{assignment}.ipynb"


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def nbgrader_meta(cell) -> dict:
    """Return the cell's nbgrader metadata ({} for an ordinary cell)."""
    return dict(cell.metadata.get("nbgrader", {}))


def nbgrader_command(*args: str) -> list[str]:
    """Return the command line of ``nbgrader ARGS`` in the environment running the tests."""
    return [sys.executable, "-m", "nbgrader", *args]


def nbgrader_env() -> dict[str, str]:
    """Return the environment for nbgrader: it starts ``alembic`` by name, so this env's bin/ comes first."""
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    return env


def run_nbgrader(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in ``cwd`` and return the finished process (output captured as text)."""
    return subprocess.run(
        nbgrader_command(*args), cwd=cwd, env=nbgrader_env(), capture_output=True, text=True,
        timeout=timeout, stdin=subprocess.DEVNULL,
    )
