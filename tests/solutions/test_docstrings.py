"""Docstring examples of `solutions`: every module's doctests pass, every public function has one.

A docstring example is documentation a reader copies; running it keeps it true. Modules are
found with pkgutil, so a new module is covered without editing this file.
"""

import doctest
import importlib
import inspect
import pkgutil

import pytest

import solutions
from autograder import casebook

MODULES = ["solutions"] + sorted(
    info.name for info in pkgutil.walk_packages(solutions.__path__, prefix="solutions.")
)

# The public names: each graded function of the syllabus and every name `solutions` exports
# (the PyTorch-parity ops among them) must be importable from `solutions` and carry an example.
SPEC_API = sorted(set(casebook.graded_names()) | set(solutions.__all__))

OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def public_objects(module):
    """(name, object) of the functions and classes `module` defines for its users."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    for name in names:
        obj = getattr(module, name)
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module.__name__:
            yield name, obj


def has_example(obj) -> bool:
    return ">>>" in (inspect.getdoc(obj) or "")


@pytest.mark.parametrize("name", MODULES)
def test_doctests_pass(name):
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=OPTIONS)
    report = []
    for test in doctest.DocTestFinder().find(module, name):
        runner.run(test, out=report.append)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, (
        f"{name}: {result.failed} of {result.attempted} doctest examples failed\n"
        + "".join(report))


@pytest.mark.parametrize("name", [m for m in MODULES if not m.rpartition(".")[2].startswith("_")])
def test_every_public_function_has_an_example(name):
    # A module whose name starts with an underscore is private as a whole.
    module = importlib.import_module(name)
    missing = [n for n, obj in public_objects(module) if not has_example(obj)]
    assert not missing, f"{name}: no '>>>' example in the docstring of {', '.join(missing)}"


@pytest.mark.parametrize("name", SPEC_API)
def test_spec_api_is_exported_with_an_example(name):
    assert hasattr(solutions, name), f"solutions does not export {name}"
    assert name in solutions.__all__, f"solutions.__all__ lacks {name}"  # `from solutions import *` gets it too
    assert has_example(getattr(solutions, name)), f"solutions.{name} has no '>>>' example"
