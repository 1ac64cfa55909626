"""Cheat attempts, each graded in a fresh Python process with an exact expected score.

Every script imports the autograder the way a notebook's setup cell does, defines the student's
``corr2d`` (a correct loop version, ``right``, is at hand) and ends with
``check("corr2d", corr2d, points=4, hidden=True)`` unless it says otherwise. A fresh process per
attempt keeps monkeypatching from leaking into other tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from student_code import CORR2D_LOOP

PRELUDE = "\nimport numpy as np\nfrom autograder import check\n" + CORR2D_LOOP.replace("def corr2d(", "def right(")
GRADE = '\nprint("SCORE", repr(check("corr2d", corr2d, points=4, hidden=True)))\n'


def grade(student: str, before: str = "", grade: str = GRADE, env: dict | None = None) -> list[tuple[float, str]]:
    """Run ``before``, the prelude, ``student`` and the grading in a new process; return (score, feedback) per check."""
    script = textwrap.dedent(before) + PRELUDE + textwrap.dedent(student) + grade
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")}
    environment.update(env or {})
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=environment)
    assert done.returncode == 0, done.stderr
    results, lines = [], []
    for line in done.stdout.splitlines():
        if line.startswith("SCORE "):
            results.append((float(line.split()[1]), "\n".join(lines)))
            lines = []
        else:
            lines.append(line)
    assert results, done.stdout + done.stderr
    return results


def graded(student: str, before: str = "", **kwargs) -> tuple[float, str]:
    return grade(student, before, **kwargs)[0]


def test_the_honest_baseline_scores_full_points():
    assert graded("corr2d = right\n")[0] == 4.0


def test_pickling_the_cases_is_not_tampering():
    # A process where checks run may also pickle (or deep-copy) cases, a test process say;
    # pickle caches __slotnames__ on their classes, which must not read as a replaced class.
    assert graded("""
        import pickle
        from autograder.casebook import lookup
        pickle.dumps([lookup("corr2d").calling, lookup("corr2d").cases(True)])
        corr2d = right
    """)[0] == 4.0


# --- (a) results that claim to be equal to anything ---------------------------------------------

def test_a_result_whose_comparisons_always_succeed_scores_zero():
    score, out = graded("""
        class Liar:
            shape = property(lambda self: (3, 3))
            dtype = np.dtype(float)
            def __eq__(self, other): return True
            def __ne__(self, other): return False
            __lt__ = __le__ = __gt__ = __ge__ = __eq__
            def __array__(self, *args, **kwargs): return np.zeros((3, 3))
            def __float__(self): return 0.0
            def __len__(self): return 3
            def __iter__(self): return iter([[0] * 3] * 3)
        corr2d = lambda X, K: Liar()
    """)
    assert score == 0.0 and "returned a Liar, not a NumPy array" in out


def test_an_ndarray_subclass_that_lies_is_judged_by_its_data_scores_zero():
    score, out = graded("""
        class Liar(np.ndarray):
            def __eq__(self, other): return np.ones(np.shape(other), bool)
            def __ne__(self, other): return np.zeros(np.shape(other), bool)
            def __sub__(self, other): return np.zeros(np.shape(other))
            def __array_ufunc__(self, ufunc, method, *inputs, **kwargs): return np.zeros(np.shape(inputs[0]))
        def corr2d(X, K):
            return np.full(right(X, K).shape, 7.0).view(Liar)
    """)
    assert score == 0.0 and "values differ" in out


def test_numbers_that_claim_equality_in_a_list_score_zero():
    score, out = graded("""
        class Yes(float):
            def __eq__(self, other): return True
            __hash__ = float.__hash__
        corr2d = lambda X, K: [[Yes(0)] * right(X, K).shape[1]] * right(X, K).shape[0]
    """)
    assert score == 0.0 and "returned a list that contains a Yes, not a number" in out


# --- (b) patching numpy, builtins or the grader -------------------------------------------------

@pytest.mark.parametrize("patch, message", [
    ("np.allclose = lambda *a, **k: True", "numpy.allclose was replaced"),
    ("np.testing.assert_allclose = lambda *a, **k: None", "numpy.testing.assert_allclose was replaced"),
    ("np.array_equal = lambda *a, **k: True", "numpy.array_equal was replaced"),
    ("import builtins; builtins.abs = lambda x: 0 * x", "builtins.abs was replaced"),
    ("import autograder.compare; autograder.compare.compare_values = lambda *a, **k: None",
     "autograder.compare.compare_values was replaced"),
    ("import autograder.kernel.forbidden; autograder.kernel.forbidden.Watch.profile = lambda *a: None",
     "autograder.kernel.forbidden.Watch was replaced"),
    ("import autograder.cases.ch1 as c; object.__setattr__(c.CORR2D, 'reference', lambda X, K: 0)",
     "autograder.cases.ch1.CORR2D was replaced"),
])
def test_patching_after_the_import_scores_zero(patch, message):
    score, out = graded(f"corr2d = lambda X, K: np.zeros((1, 1))\n{patch}\n")
    assert score == 0.0 and message in out and "grading refused" in out


@pytest.mark.parametrize("patch, message", [
    ("import numpy as np; np.allclose = lambda *a, **k: True", "numpy.allclose is not numpy's own"),
    ("import numpy as np; np.isnan = np.frompyfunc(lambda x: False, 1, 1)", "numpy.isnan is not numpy's own"),
    ("import builtins; builtins.abs = lambda x: 0 * x", "builtins.abs is not Python's own"),
])
def test_patching_before_the_import_scores_zero(patch, message):
    score, out = graded("corr2d = right\n", before=patch + "\n")
    assert score == 0.0 and message in out


def test_patching_from_inside_the_graded_function_scores_zero():
    score, out = graded("""
        def corr2d(X, K):
            np.isclose = lambda *a, **k: True
            return np.zeros((1, 1))
    """)
    assert score == 0.0 and "numpy.isclose was replaced" in out


# --- (c) a fake reference -----------------------------------------------------------------------

def test_a_fake_solutions_module_after_the_import_scores_zero():
    score, out = graded("""
        import sys, types
        sys.modules["solutions"] = types.ModuleType("solutions")
        corr2d = right
    """)
    assert score == 0.0 and "sys.modules['solutions'] was replaced" in out


def test_a_replaced_reference_function_scores_zero():
    score, out = graded("""
        import solutions
        solutions.corr2d = lambda X, K: np.zeros((1, 1))
        corr2d = lambda X, K: np.zeros((1, 1))
    """)
    assert score == 0.0 and "solutions.corr2d was replaced" in out


def test_a_fake_solutions_module_before_the_import_scores_zero():
    score, out = graded("corr2d = lambda X, K: np.zeros((1, 1))\n", before="""
        import sys, types, numpy as np, solutions
        fake = types.ModuleType("solutions")
        fake.__dict__.update({k: v for k, v in vars(solutions).items() if not k.startswith("__")})
        fake.__file__ = "/tmp/elsewhere/solutions/__init__.py"
        fake.corr2d = lambda X, K: np.zeros((1, 1))
        sys.modules["solutions"] = fake
    """)
    assert score == 0.0 and "sys.modules['solutions'] is not the course's reference package" in out


# --- (d) modifying the input --------------------------------------------------------------------

def test_modifying_the_input_fails_those_cases():
    # The cases with more than 20 input cells (8 of 13) fail; the other 5 pass: 4 * 5/13 = 1.54.
    score, out = graded("""
        def corr2d(X, K):
            Y = right(X, K)
            if X.size > 20:
                X[...] = 0
            return Y
    """)
    assert score == 1.54 and "modifies its input X" in out


def test_zeroing_the_input_cannot_make_the_expected_value_zero():
    score, out = graded("""
        def corr2d(X, K):
            X[...] = 0
            return right(X, K)
    """)
    assert score == 0.0 and "modifies its input X" in out


# --- (e) the global random generator ------------------------------------------------------------

def test_reseeding_the_global_rng_changes_nothing():
    honest, _ = graded("""
        def corr2d(X, K):
            np.random.seed(0)
            return right(X, K)
    """)
    guess, out = graded("""
        np.random.seed(0)
        def corr2d(X, K):  # bets that the cases come from the global generator, seeded 0
            np.random.seed(0)
            return right(np.random.uniform(-2, 2, np.shape(X)), K)
    """)
    assert (honest, guess) == (4.0, 0.0)


# --- (f) library calls that do the job ----------------------------------------------------------

TORCH_ATTEMPTS = {
    "alias": """
        from torch.nn.functional import conv2d as f
        def corr2d(X, K):
            return f(torch.as_tensor(X, dtype=torch.float64)[None, None],
                     torch.as_tensor(K, dtype=torch.float64)[None, None])[0, 0].numpy()
    """,
    "torch.conv2d": """
        def corr2d(X, K):
            x, k = torch.as_tensor(np.asarray(X, float))[None, None], torch.as_tensor(np.asarray(K, float))[None, None]
            return getattr(torch, "conv" + "2d")(x, k)[0, 0].numpy()
    """,
    "nn.Conv2d": """
        def corr2d(X, K):
            K = np.asarray(K, float)
            layer = torch.nn.Conv2d(1, 1, K.shape, bias=False).double()
            with torch.no_grad():
                layer.weight[:] = torch.as_tensor(K)
                return layer(torch.as_tensor(np.asarray(X, float))[None, None])[0, 0].numpy()
    """,
    "aten": """
        def corr2d(X, K):
            x, k = torch.as_tensor(np.asarray(X, float))[None, None], torch.as_tensor(np.asarray(K, float))[None, None]
            return torch.ops.aten.convolution(x, k, None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1)[0, 0].numpy()
    """,
    "map": """
        def corr2d(X, K):  # a built-in calling a built-in: no profiler event, torch's mode sees it
            x, k = torch.as_tensor(np.asarray(X, float))[None, None], torch.as_tensor(np.asarray(K, float))[None, None]
            return list(map(torch.conv2d, [x], [k]))[0][0, 0].numpy()
    """,
    "thread": """
        import threading
        def corr2d(X, K):
            out = []
            x, k = torch.as_tensor(np.asarray(X, float))[None, None], torch.as_tensor(np.asarray(K, float))[None, None]
            t = threading.Thread(target=lambda: out.append(torch.nn.functional.conv2d(x, k)))
            t.start(); t.join()
            return out[0][0, 0].numpy()
    """,
}


def test_torch_convolutions_score_zero_however_they_are_reached():
    student = "import torch\n" + "".join(
        textwrap.dedent(code) + GRADE for code in TORCH_ATTEMPTS.values())
    results = grade(student, grade="")
    assert [score for score, _ in results] == [0.0] * len(TORCH_ATTEMPTS)
    for (score, out), name in zip(results, TORCH_ATTEMPTS):
        assert "corr2d: 0 of 4 points: it calls" in out and "conv" in out, name


def test_torch_imported_inside_the_function_scores_zero():
    # The first call imports torch (seconds on a busy machine): a budget that cuts the import
    # short would test the timer, not the watch.
    score, out = graded("""
        def corr2d(X, K):
            import torch.nn.functional as F
            x, k = F.torch.as_tensor(np.asarray(X, float))[None, None], F.torch.as_tensor(np.asarray(K, float))[None, None]
            return F.conv2d(x, k)[0, 0].numpy()
    """, env={"AUTOGRADER_TIME_LIMIT": "60"})
    assert score == 0.0 and "torch.conv2d" in out


NUMPY_AND_REFERENCE = {
    "numpy.correlate": ("""
        def corr2d(X, K):
            X, K = np.asarray(X, float), np.asarray(K, float)
            rows = [sum(np.correlate(X[i + u], K[u], mode="valid") for u in range(K.shape[0]))
                    for i in range(X.shape[0] - K.shape[0] + 1)]
            return np.array(rows)
    """, "numpy.correlate"),
    "numpy.convolve": ("""
        def corr2d(X, K):
            X, K = np.asarray(X, float), np.asarray(K, float)
            rows = [sum(np.convolve(X[i + u], K[u][::-1], mode="valid") for u in range(K.shape[0]))
                    for i in range(X.shape[0] - K.shape[0] + 1)]
            return np.array(rows)
    """, "numpy.convolve"),
    "solutions": ("""
        from solutions import corr2d as reference
        corr2d = lambda X, K: reference(X, K)
    """, "solutions.correlation.corr2d (the reference solution)"),
    "solutions.conv2d": ("""
        import solutions
        corr2d = lambda X, K: solutions.conv2d(np.asarray(X)[None, None], np.asarray(K)[None, None])[0, 0]
    """, "solutions.conv.conv2d (the reference solution)"),
    "setprofile": ("""
        import sys
        def corr2d(X, K):
            sys.setprofile(None)
            return right(X, K)
    """, "sys.setprofile"),
}


def test_numpy_convolutions_and_the_reference_score_zero():
    student = "".join(textwrap.dedent(code) + GRADE for code, _ in NUMPY_AND_REFERENCE.values())
    results = grade(student, grade="")
    assert [score for score, _ in results] == [0.0] * len(NUMPY_AND_REFERENCE)
    for (score, out), (name, (_, label)) in zip(results, NUMPY_AND_REFERENCE.items()):
        assert label in out, (name, out)


def test_scipy_convolutions_score_zero(tmp_path):
    # scipy is not a course dependency: a stand-in package with scipy's layout shows that the
    # watch recognises its files, without installing it.
    for module, body in (("signal", "def correlate2d(X, K, mode='valid'):\n    return REF(X, K)\n"),
                         ("ndimage", "def correlate(X, K):\n    return REF(X, K)\n")):
        package = tmp_path / "scipy" / module
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("import numpy as np\nREF = None\n" + body)
    (tmp_path / "scipy" / "__init__.py").write_text("")
    student = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(tmp_path)!r})
        import scipy.signal, scipy.ndimage
        scipy.signal.REF = scipy.ndimage.REF = right
        corr2d = lambda X, K: scipy.signal.correlate2d(X, K, mode="valid")
    """) + GRADE + "corr2d = lambda X, K: scipy.ndimage.correlate(X, K)\n"
    results = grade(student, grade=GRADE)
    assert [score for score, _ in results] == [0.0, 0.0]
    assert "scipy.signal.correlate2d" in results[0][1] and "scipy.ndimage.correlate" in results[1][1]
