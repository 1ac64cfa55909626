"""The student edition: built into a wheel, installed in a fresh virtualenv, it checks and holds no answers.

The fresh environment gets the wheel through pip and sees this environment's third-party
packages (numpy, ipykernel, nbgrader, ...) through a path file, so that nothing is downloaded:
that path is added to ``sys.path`` without running the path files found there, so this
checkout's editable install (``solutions`` and the full ``autograder``) stays invisible.
"""

from __future__ import annotations

import base64
import json
import os
import re
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder import casebook
from autograder.tools import edition, simulate
from nbgrader_course import EXERCISES, ROOT, SOURCE, read, source_path, student_path
from student_code import OUTPUT_SIZE_PADDING_ONCE, PAD2D_UNCHECKED, REFUSED, UPSTREAM

pytestmark = pytest.mark.slow

CH1 = "ch1_cross_correlation"
MIN_LINE = 25  # shorter lines (`return Y`, `)`) may well appear anywhere


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return edition.build(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel):
    """A fresh virtualenv with the student edition installed; returns its python."""
    home = tmp_path_factory.mktemp("student-env")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(home)], check=True)
    python = home / "bin" / "python"
    lib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              capture_output=True, text=True, check=True).stdout.strip())
    (lib / "course-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                           "--no-index", str(wheel)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return python


def run_in(python, *args, cwd, timeout=300):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOGRADER_", "NBGRADER_", "PYTHON"))}
    env["PATH"] = f"{python.parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run([str(python), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def installed_files(python) -> list[Path]:
    code = ("import importlib.metadata as m, json; d = m.distribution('convolution-hands-on-student');"
            "print(json.dumps([str(d.locate_file(f)) for f in d.files]))")
    done = run_in(python, "-c", code, cwd=python.parent)
    assert done.returncode == 0, done.stderr
    return [Path(p) for p in json.loads(done.stdout) if Path(p).is_file()]


def test_the_wheel_is_named_for_students_and_holds_no_answers(wheel):
    assert "student" in wheel.name and wheel.suffix == ".whl"
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if n.startswith(("solutions/", "autograder/cases/", "autograder/grading/"))], names
    assert "autograder/edition_cases.json" in names and "widgets/__init__.py" in names


def test_import_solutions_fails_and_the_instructor_commands_say_why(venv, tmp_path):
    done = run_in(venv, "-c", "import solutions", cwd=tmp_path)
    assert done.returncode != 0 and "No module named 'solutions'" in done.stderr
    done = run_in(venv, "-c", "import autograder.cases", cwd=tmp_path)
    assert done.returncode != 0
    done = run_in(venv, "-m", "autograder", "grade", CH1, "--course", ".", cwd=tmp_path)
    assert done.returncode == 2 and "not part of the student edition" in done.stderr


def notebook_with(tmp_path, answers: str) -> Path:
    """Return a copy of chapter 1's student notebook, solved (``"right"``) or with a wrong corr2d."""
    folder = tmp_path / answers
    folder.mkdir()
    source, release = read(source_path(CH1)), read(student_path(CH1))
    changes = {} if answers == "right" else {"corr2d": "def corr2d(X, K):\n    return np.zeros((2, 2))\n"}
    path = folder / f"{CH1}.ipynb"
    nbformat.write(simulate.solved(source, release, **changes), path)
    return path


def test_the_self_check_runs_the_visible_cases_only_and_says_so(venv, tmp_path):
    right = run_in(venv, "-m", "autograder", "check", str(notebook_with(tmp_path, "right")), cwd=tmp_path)
    assert right.returncode == 0, right.stderr
    assert "visible cases only: this is the student edition" in right.stdout
    assert "[hidden]" not in right.stdout
    total = re.search(r"Total: (\S+) of (\S+) points", right.stdout)
    assert total and total[1] == total[2], right.stdout
    wrong = run_in(venv, "-m", "autograder", "check", str(notebook_with(tmp_path, "wrong")), cwd=tmp_path)
    assert wrong.returncode == 0, wrong.stderr
    assert re.search(r"== \w*corr2d: 0 of 4 points", wrong.stdout), wrong.stdout
    assert "wrong shape: expected (3, 3), got (2, 2)" in wrong.stdout
    assert "hint: one row or column short" in wrong.stdout  # from the shape hints built into the edition


def test_a_known_mistake_is_named_from_the_built_data(venv, tmp_path):
    code = ("import numpy as np\nfrom autograder import check\n"
            "def corr2d(X, K):\n"
            "    X, K = np.asarray(X, float), np.asarray(K, float)[::-1, ::-1]\n"
            "    h, w = K.shape\n"
            "    return np.array([[(X[i:i+h, j:j+w] * K).sum() for j in range(X.shape[1]-w+1)]"
            " for i in range(X.shape[0]-h+1)])\n"
            "print(float(check('corr2d', corr2d, 4)))\n")
    done = run_in(venv, "-c", code, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "hint: you rotated the kernel by 180 degrees" in done.stdout


def test_dependency_hints_refusals_and_the_html_result_work_from_the_built_data(venv, tmp_path):
    # Every visible case of this corr2d_pad_stride fails, each with the hint about output_size.
    code = ("import numpy as np\nfrom autograder import check\n" + OUTPUT_SIZE_PADDING_ONCE + PAD2D_UNCHECKED
            + "def corr2d_pad_stride(X, K, padding=0, stride=1, padding_mode='zeros'):\n"
            "    n = output_size(len(X), len(K), padding if np.ndim(padding) == 0 else padding[0])\n"
            "    return np.zeros((n, n))\n"
            "score = check('corr2d_pad_stride', corr2d_pad_stride, 4)\n"
            "print(score._repr_html_())\n"
            "check('pad2d', pad2d, 4)\n")
    done = run_in(venv, "-c", code, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert UPSTREAM in done.stdout
    assert "<b>corr2d_pad_stride</b>: visible 0/5 passed; the hidden cases run" in done.stdout
    assert REFUSED in done.stdout


def test_the_widgets_work_in_the_edition(venv, tmp_path):
    code = ("import numpy as np, widgets\n"
            "def corr2d(X, K):\n    return np.zeros((X.shape[0]-K.shape[0]+1, X.shape[1]-K.shape[1]+1))\n"
            "w = widgets.window_stepper(corr2d)\nprint(type(w).__name__)\n")
    done = run_in(venv, "-c", code, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ConvWidget", done.stdout  # the course's widget, not an error stub


def _secret_lines() -> set[str]:
    """Return the lines of the reference, the case modules and the instructor notebooks' solutions and
    hidden tests that appear in nothing the edition may hold (its own modules, the student notebooks)."""
    secret = set()
    for folder in (ROOT / "solutions", ROOT / "autograder" / "cases"):
        for path in folder.rglob("*.py"):
            secret |= {line.strip() for line in path.read_text().splitlines()}
    for path in SOURCE.glob("*/*.ipynb"):
        for cell in read(path).cells:
            for block in re.findall(r"BEGIN (?:SOLUTION|HIDDEN TESTS)(.*?)END (?:SOLUTION|HIDDEN TESTS)",
                                    cell.source, re.S):
                secret |= {line.strip() for line in block.splitlines()}
    public = set()
    for relative in edition.KEPT:
        path = ROOT / relative
        for file in ([path] if path.is_file() else path.rglob("*.py")):
            public |= {line.strip() for line in file.read_text().splitlines()}
    for path in EXERCISES.glob("*/*.ipynb"):
        for cell in read(path).cells:
            public |= {line.strip() for line in cell.source.splitlines()}
    # The labels and hints of the visible cases go into the edition on purpose (a hint may quote code).
    sentences = set()
    for chapter in edition.edition_data()["chapters"]:
        for item in chapter["graded"]:
            sentences |= {item["hint"]} | {case["label"] for case in item["cases"]}
            sentences |= {case["expected"]["why"] for case in item["cases"] if case["expected"].get("t") == "raises"}
            sentences |= {hint for pairs in item["wrong"] for hint, _ in pairs}
            sentences |= {hint for table in item["shapes"] for _, hint in table}
    kept = {line for line in secret - public if len(line) >= MIN_LINE and re.search(r"[A-Za-z]{3}", line)}
    return {line for line in kept if not any(line.strip('",') in sentence for sentence in sentences)}


def _hidden_arrays() -> list[np.ndarray]:
    arrays = []
    for name in casebook.graded_names():
        for case in casebook.lookup(name).cases(True):
            if case.hidden:
                arrays += [value for _, value in case.values if isinstance(value, np.ndarray) and value.size >= 4]
    return arrays


def test_no_hidden_case_input_or_reference_source_is_installed(venv):
    files = installed_files(venv)
    assert files
    contents = [path.read_bytes() for path in files]
    text = b"\n".join(contents).decode("utf-8", "replace")
    secret = _secret_lines()
    assert len(secret) > 500  # the reference, the case modules and the solutions, as lines
    leaked = sorted(line for line in secret if line in text)
    assert not leaked, f"{len(leaked)} lines of the reference or the solutions are installed, e.g. {leaked[:3]}"
    arrays = _hidden_arrays()
    assert len(arrays) > 50
    blob = b"\n".join(contents)
    for array in arrays:
        raw = np.ascontiguousarray(array).tobytes()
        assert raw not in blob and base64.b64encode(raw) not in blob, "a hidden case's input is installed"
