"""Which library calls do the student's job for them, spotted while the student's code runs.

A :class:`Watch` is a profile function (``sys.setprofile``). It sees every Python function
entered (``'call'`` events, judged by the file the code lives in and its name) and every
built-in called from Python (``'c_call'`` events, judged by the built-in's module and name),
however the student reached them: an alias (``from torch.nn.functional import conv2d as f``),
``getattr``, a module object, a lambda. Forbidden:

* anything in the reference package ``solutions`` (the answers);
* PyTorch's convolutions and poolings: ``torch.nn.functional`` and ``torch.conv2d`` & friends,
  the ``nn.Conv*``/``nn.*Pool*`` modules, ``torch.nn.grad``, ``torch.ops.aten.convolution``;
* SciPy's convolution and correlation in ``scipy.signal`` and ``scipy.ndimage``;
* ``numpy.convolve`` and ``numpy.correlate``;
* ``sys.setprofile`` itself (switching the watch off).

Nothing here imports torch or scipy: files are recognised by their path.

In the batch grader's sandbox, where torch, scipy and ``solutions`` are absent, numpy's own
convolutions are made absent too (:func:`switch_off_numpy`): a call raises :class:`ForbiddenCall`
and is noted for the watched call it happened in (:func:`take_calls`), so the sandbox needs no
profiler, which slows the student's own code down by half again.
"""

from __future__ import annotations

import importlib
import os
import re
import sys

#: Where the autograder is installed: its code is the grader's, never a student's.
AUTOGRADER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: Where the reference package lives: beside the autograder, in the same installation.
SOLUTIONS_DIR = os.path.join(os.path.dirname(AUTOGRADER_DIR), "solutions")

# "conv" but not "convert"/"conversion"; "pool" as in max_pool2d, AvgPool2d, adaptive pools.
_TORCH_NAME = re.compile(r"conv(?!er)|pool", re.IGNORECASE)
_SCIPY_NAME = re.compile(r"conv(?!er)|correl", re.IGNORECASE)
_NUMPY_NAMES = frozenset({"convolve", "correlate"})
_NUMPY_C_NAMES = frozenset({"correlate", "correlate2"})
# Files whose every function is a convolution or pooling layer (or its gradient).
_TORCH_FILES = ("/torch/nn/modules/conv.py", "/torch/nn/modules/pooling.py", "/torch/nn/grad.py")

_ALLOW, _ALL, _TORCH, _SCIPY, _NUMPY = range(5)
_real_setprofile = sys.setprofile
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _classify(filename: str) -> int:
    """Return the rule for code defined in ``filename`` (one of the ``_ALLOW``... constants)."""
    try:
        path = os.path.realpath(os.path.abspath(filename))
    except (TypeError, ValueError):
        return _ALLOW
    if path.startswith(_SOLUTIONS_REAL + os.sep) or os.path.abspath(filename).startswith(SOLUTIONS_DIR + os.sep):
        return _ALL
    norm = path.replace(os.sep, "/")
    if "/torch/" in norm:
        return _ALL if norm.endswith(_TORCH_FILES) else _TORCH
    if "/scipy/signal/" in norm or "/scipy/ndimage/" in norm:
        return _SCIPY
    if norm.endswith("/numpy/_core/numeric.py"):
        return _NUMPY
    return _ALLOW


_SOLUTIONS_REAL = os.path.realpath(SOLUTIONS_DIR)


def _python_label(frame) -> str:
    code = frame.f_code
    if code.co_filename.replace(os.sep, "/").endswith("/numpy/_core/numeric.py"):
        return f"numpy.{code.co_name}"
    module = frame.f_globals.get("__name__", "?")
    return f"{module}.{getattr(code, 'co_qualname', code.co_name)}"


def _importing(frame, depth: int = 200) -> bool:
    """Return whether ``frame`` runs inside an ``import`` made during the call (torch importing itself).

    Walks up to the guard's own frame: an import machinery frame on the way means the code runs
    because a module is being loaded, not because the student called it.
    """
    while frame is not None and depth:
        filename = frame.f_code.co_filename
        if filename.startswith("<frozen importlib"):
            return True
        if filename.startswith(_PACKAGE_DIR):
            return False
        frame, depth = frame.f_back, depth - 1
    return False


#: numpy's convolutions, where they live: switched off in the sandbox (the label says which public function).
NUMPY_FUNCTIONS = (
    ("numpy", {"convolve": "numpy.convolve", "correlate": "numpy.correlate"}),
    ("numpy._core.numeric", {"convolve": "numpy.convolve", "correlate": "numpy.correlate"}),
    ("numpy._core.multiarray", {"correlate": "numpy.correlate", "correlate2": "numpy.correlate"}),
    ("numpy._core._multiarray_umath", {"correlate": "numpy.correlate", "correlate2": "numpy.correlate"}),
)
_stand_ins: set = set()
_calls: list[str] = []  # labels of switched-off calls since the last take_calls()


class ForbiddenCall(Exception):
    """Raised by a switched-off library function (see :func:`switch_off_numpy`)."""


def _stand_in(label: str):
    def switched_off(*args, **kwargs):
        _calls.append(label)
        raise ForbiddenCall(f"{label} is switched off while notebooks are graded: write the computation yourself")
    switched_off.__qualname__ = switched_off.__name__ = label.rpartition(".")[2]
    _stand_ins.add(switched_off)
    return switched_off


def switch_off_numpy() -> None:
    """Replace numpy's convolutions everywhere numpy keeps them by functions that refuse (the sandbox only).

    The stand-ins keep no reference to numpy's functions, so student code cannot reach those through them.
    """
    for module_name, names in NUMPY_FUNCTIONS:
        module = importlib.import_module(module_name)
        for name, label in names.items():
            if hasattr(module, name):
                setattr(module, name, _stand_in(label))


def is_stand_in(value) -> bool:
    """Return whether ``value`` is one of :func:`switch_off_numpy`'s stand-ins (numpy's own, for the seal)."""
    try:
        return value in _stand_ins
    except TypeError:  # unhashable
        return False


def take_calls() -> list[str]:
    """Return the labels of the switched-off functions called since the last time, and forget them."""
    taken = list(dict.fromkeys(_calls))
    _calls.clear()
    return taken


def c_label(function) -> str | None:
    """Return a label if the built-in ``function`` is forbidden, else ``None``."""
    name = getattr(function, "__name__", None)
    if type(name) is not str:
        return None
    if "conv" not in name and "pool" not in name and "correlate" not in name and name != "setprofile":
        return None
    if function is _real_setprofile:
        return "sys.setprofile (it switches off the autograder's watch on library calls)"
    module = getattr(function, "__module__", None)
    module = module if type(module) is str else ""
    if module.startswith("torch") and _TORCH_NAME.search(name):
        return f"{module}.{name}"
    if module.startswith("numpy") and name in _NUMPY_C_NAMES:
        return f"numpy.correlate/numpy.convolve ({module}.{name})"
    if module.startswith("scipy") and _SCIPY_NAME.search(name):
        return f"{module}.{name}"
    return None


class Watch:
    """A profile function that records the forbidden calls it sees, in order, each once."""

    def __init__(self):
        self.labels: dict[str, None] = {}
        self.rules: dict[str, int] = {}  # file -> rule, for this watch only (nothing shared to tamper with)

    def _forbidden(self, code) -> bool:
        """Return whether entering ``code`` is a forbidden call."""
        rule = self.rules.get(code.co_filename)
        if rule is None:
            rule = self.rules[code.co_filename] = _classify(code.co_filename)
        if rule == _ALLOW:
            return False
        name = code.co_name
        return (
            rule == _ALL
            or (rule == _TORCH and _TORCH_NAME.search(name) is not None)
            or (rule == _SCIPY and _SCIPY_NAME.search(name) is not None)
            or (rule == _NUMPY and name in _NUMPY_NAMES)
        )

    def profile(self, frame, event, arg):
        # Only the outermost forbidden call of a chain is recorded: the one the student made.
        if event == "call":
            if self._forbidden(frame.f_code):
                caller = frame.f_back
                if (caller is None or not self._forbidden(caller.f_code)) and not _importing(frame):
                    self.labels.setdefault(_python_label(frame), None)
        elif event == "c_call":
            label = c_label(arg)
            if label is not None and not self._forbidden(frame.f_code) and not _importing(frame):
                if arg is _real_setprofile and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
                    return  # the guard itself, switching the watch off after the call
                self.labels.setdefault(label, None)

    def torch_mode(self):
        """Return a context manager that records torch convolutions and poolings (or a no-op without torch).

        The profiler misses a built-in called by another built-in (``map(torch.conv2d, ...)``);
        torch's own function modes see every call of its API, whoever makes it. torch is only
        used when the student's code already imported it.
        """
        torch = sys.modules.get("torch")
        overrides = getattr(torch, "overrides", None)
        if overrides is None or not hasattr(overrides, "TorchFunctionMode"):
            return _NoMode()
        labels = self.labels

        class Spy(overrides.TorchFunctionMode):
            def __torch_function__(self, func, types, args=(), kwargs=None):
                name = getattr(func, "__name__", "")
                if type(name) is str and _TORCH_NAME.search(name):
                    module = getattr(func, "__module__", None)
                    labels.setdefault(f"{module if type(module) is str else 'torch'}.{name}", None)
                return func(*args, **(kwargs or {}))

        return Spy()


class _NoMode:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
