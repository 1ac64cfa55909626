"""Noticing that student code replaced what grading relies on: numpy, builtins, ``solutions``, the autograder.

Two complementary checks, both cheap enough to run before and after every graded function:

* :func:`seal` (called once, when a test cell imports :mod:`autograder.kernel.check`, or by the
  sandbox's first ``check``) records the objects behind
  every public name of numpy (and ``numpy.testing``, ``numpy.random``), of a list of builtins,
  of ``sys``/``signal``/``threading``'s few functions the guard uses, and of every module of
  ``solutions`` and ``autograder`` (with each function's code object, so ``f.__code__ = ...``
  shows too). :func:`problems` compares with the record: a patch made *after* the import shows.
* :func:`seal` also checks, once, that those objects are what they claim to be: numpy's
  functions are defined in numpy's own files, builtins are the interpreter's, ``solutions`` is
  the package installed beside the autograder. A patch made *before* the import shows too.

Either finding is reported by name ("numpy.allclose was replaced") and the check scores 0.
"""

from __future__ import annotations

import builtins
import dataclasses
import os
import signal
import sys
import threading
import types

import numpy as np

from . import forbidden
from .forbidden import AUTOGRADER_DIR, SOLUTIONS_DIR

_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: set on classes made by Python code, never on C types
_NUMPY_DIR = os.path.dirname(os.path.abspath(np.__file__)) + os.sep
_NUMPY_MODULES = ("numpy", "numpy.testing", "numpy.random", "numpy.linalg")
_OWN_PACKAGES = ("solutions", "autograder")
_BUILTINS = (
    "abs", "all", "any", "bool", "callable", "dict", "float", "getattr", "hasattr", "id", "int",
    "isinstance", "issubclass", "iter", "len", "list", "max", "min", "next", "object", "print",
    "range", "repr", "round", "set", "setattr", "sorted", "str", "sum", "super", "tuple", "type",
    "zip", "BaseException", "Exception", "compile", "exec", "eval", "__import__",
)
_SYSTEM = (
    (sys, ("setprofile", "getprofile", "modules")),
    (signal, ("signal", "setitimer", "getsignal")),
    (threading, ("setprofile", "getprofile", "current_thread", "main_thread")),
)

_record: list[tuple] = []  # (name, how to read it now, deep?, what it was)
_seal_problems: list[str] = []


def _shallow(value) -> tuple:
    """Return what must stay identical in ``value``: itself and, for functions, their code and defaults."""
    if type(value) is types.FunctionType:
        return (value, value.__code__, value.__defaults__, value.__kwdefaults__)
    if getattr(type(value), "__name__", "") == "_ArrayFunctionDispatcher":
        implementation = getattr(value, "_implementation", None)
        return (value, implementation, getattr(implementation, "__code__", None))
    return (value,)


def _fingerprint(value, deep: bool = False) -> tuple:
    """Return :func:`_shallow`, and with ``deep`` also the contents of classes, mappings and dataclasses.

    ``deep`` is for the course's own packages, whose classes and tables a student could edit in
    place (``Watch.profile = ...``, ``GRADED[...] = ...``). Keys are kept as strings, compared by value.
    """
    found = _shallow(value)
    if not deep:
        return found
    if isinstance(value, type):
        # __slotnames__ is a cache that pickle (copyreg) adds to a class the first time one of its
        # objects is pickled or deep-copied (a test process may do so after a check sealed).
        items = [(k, v) for k, v in vars(value).items() if k != "__slotnames__"]
    elif isinstance(value, (dict, types.MappingProxyType)):
        items = [(k if type(k) is str else repr(k), v) for k, v in value.items()]
    elif dataclasses.is_dataclass(value):
        items = [(f.name, getattr(value, f.name, None)) for f in dataclasses.fields(value)]
    else:
        return found
    for key, item in items:
        found += (str(key),) + _shallow(item)
    return found


def _same(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(x is y or (type(x) is str and type(y) is str and x == y) for x, y in zip(a, b))


def _static_type(cls) -> bool:
    return type(cls) is type and not (cls.__flags__ & _HEAPTYPE)


def _numpy_owned(value, depth: int = 0) -> bool:
    """Return whether a public numpy callable is numpy's own (see the module docstring), or the
    sandbox's stand-in for one of numpy's convolutions (:func:`.forbidden.switch_off_numpy`)."""
    if depth > 4:
        return False
    if forbidden.is_stand_in(value):
        return True
    kind = type(value)
    if kind is types.FunctionType:
        if os.path.abspath(value.__code__.co_filename).startswith(_NUMPY_DIR):
            return True
        wrapped = value.__dict__.get("__wrapped__")  # contextmanager-decorated functions
        return wrapped is not None and _numpy_owned(wrapped, depth + 1)
    if kind is types.MethodType:
        return _numpy_owned(value.__func__, depth + 1)
    if kind is types.BuiltinFunctionType:
        module = value.__module__ if type(value.__module__) is str else ""
        return module.startswith("numpy")
    if kind.__name__ == "_ArrayFunctionDispatcher" and kind.__module__ == "numpy" and _static_type(kind):
        return _numpy_owned(value._implementation, depth + 1)
    if kind.__name__ == "ufunc" and _static_type(kind):
        # np.frompyfunc makes ufuncs too, with object-only loops; numpy's public ones have numeric loops.
        return not all("O" in signature for signature in value.types)
    if isinstance(value, type):
        return not (value.__flags__ & _HEAPTYPE) or str(value.__module__).startswith(("numpy", "unittest"))
    module = getattr(value, "__module__", None)
    return type(module) is str and module.startswith("numpy")


def _where(value) -> str:
    code = getattr(value, "__code__", None) or getattr(getattr(value, "_implementation", None), "__code__", None)
    if code is None:
        return f"{type(value).__name__}"
    filename = code.co_filename
    # A notebook cell's code lives in a temporary file of the kernel's (or in "<ipython-input-...>").
    if filename.startswith("<ipython-input") or "/ipykernel_" in filename or filename.startswith("<"):
        return "defined in the notebook"
    return f"defined in {filename}"


def _validate_numpy(module_name: str, module) -> None:
    for name, value in list(vars(module).items()):
        if name.startswith("_") or isinstance(value, types.ModuleType) or not callable(value):
            continue
        if not _numpy_owned(value):
            _seal_problems.append(f"{module_name}.{name} is not numpy's own ({_where(value)})")


def _validate_builtins() -> None:
    for name in _BUILTINS:
        value = getattr(builtins, name, None)
        if type(value) is types.BuiltinFunctionType:
            ok = value.__name__ == name and getattr(value.__self__, "__name__", None) == "builtins"
        else:
            ok = _static_type(value) and value.__name__ == name and value.__module__ == "builtins"
        if not ok:
            _seal_problems.append(f"builtins.{name} is not Python's own ({_where(value)})")


def _inside_solutions(path) -> bool:
    if type(path) is not str:
        return False
    real, root = os.path.realpath(path), os.path.realpath(SOLUTIONS_DIR)
    return real.startswith(root + os.sep)


def _validate_solutions() -> None:
    for module_name, module in _own_modules("solutions"):
        if not _inside_solutions(getattr(module, "__file__", None)):
            _seal_problems.append(
                f"sys.modules[{module_name!r}] is not the course's reference package "
                f"(loaded from {getattr(module, '__file__', None)}, expected inside {SOLUTIONS_DIR})")
            continue
        for name, value in vars(module).items():
            code = getattr(value, "__code__", None)
            claims = type(value) is types.FunctionType and str(value.__module__).startswith("solutions")
            if claims and not _inside_solutions(code.co_filename):
                _seal_problems.append(f"{module_name}.{name} is not the reference's own ({_where(value)})")


def _validate_references() -> None:
    """Check that every function the case modules hold comes from ``solutions`` or the autograder itself."""
    own = AUTOGRADER_DIR + os.sep
    for module_name, module in _own_modules("autograder.cases"):
        for name, value in vars(module).items():
            code = getattr(value, "__code__", None)
            if type(value) is types.FunctionType and not (
                    _inside_solutions(code.co_filename) or os.path.abspath(code.co_filename).startswith(own)):
                _seal_problems.append(f"{module_name}.{name} is neither the reference's nor the autograder's "
                                      f"({_where(value)})")


def _own_modules(package: str):
    return [(name, module) for name, module in list(sys.modules.items())
            if (name == package or name.startswith(package + ".")) and isinstance(module, types.ModuleType)]


def _remember(label: str, read, deep: bool = False) -> None:
    try:
        _record.append((label, read, deep, _fingerprint(read(), deep)))
    except Exception:  # noqa: BLE001 - an attribute that cannot be read is recorded as missing
        _record.append((label, read, deep, (None,)))


def _remember_namespace(module_name: str, module, own: bool) -> None:
    _remember(f"sys.modules[{module_name!r}]", lambda n=module_name: sys.modules.get(n))
    for name in list(vars(module)):
        if not own and name.startswith("_"):
            continue
        # Dunder entries (__builtins__ is the live builtins dict, which IPython edits) are kept shallow.
        deep = own and not (name.startswith("__") and name.endswith("__"))
        _remember(f"{module_name}.{name}", lambda m=module, n=name: vars(m).get(n), deep=deep)


def seal() -> None:
    """Record and validate what grading relies on; only the first call of a session does anything."""
    if _record:
        return
    import numpy.testing  # noqa: F401 - part of what a student might patch

    for module_name in _NUMPY_MODULES:
        module = sys.modules.get(module_name)
        if module is not None:
            _validate_numpy(module_name, module)
            _remember_namespace(module_name, module, own=False)
    _validate_builtins()
    for name in _BUILTINS:
        _remember(f"builtins.{name}", lambda n=name: vars(builtins).get(n))
    _remember("sys.modules['builtins']", lambda: sys.modules.get("builtins"))
    for module, names in _SYSTEM:
        for name in names:
            _remember(f"{module.__name__}.{name}", lambda m=module, n=name: vars(m).get(n))
    _validate_solutions()
    _validate_references()
    for package in _OWN_PACKAGES:
        for module_name, module in _own_modules(package):
            _remember_namespace(module_name, module, own=True)


def problems(limit: int = 3) -> list[str]:
    """Return up to ``limit`` sentences naming what was replaced since (or before) :func:`seal`."""
    found = list(_seal_problems)
    for label, read, deep, fingerprint in _record:
        if len(found) >= limit:
            break
        try:
            now = _fingerprint(read(), deep)
        except Exception:  # noqa: BLE001
            now = (None,)
        if not _same(now, fingerprint):
            found.append(f"{label} was replaced" if now[0] is not None else f"{label} was removed")
    return found[:limit]
