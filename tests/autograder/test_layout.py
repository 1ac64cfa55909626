"""The import rules the autograder's folders stand for, read from the source (every import, at any depth).

- ``kernel/`` runs beside student code: it imports no ``solutions``, no case module, nothing of
  the batch grader or the tools (the student edition and the sandbox have none of them);
- the shared modules at the top import none of the folders, except that ``casebook`` reaches
  the case modules (the full install's cases) by a lazy import;
- ``cases/`` imports no ``kernel/``, ``grading/`` or ``tools/``;
- ``grading/`` and ``tools/`` never import ``kernel/``: importing ``kernel.check`` seals numpy and
  the autograder for the session, which the instructor's process must not do;
- no module imports torch or scipy, and there is no import cycle.

A fresh interpreter then checks the rule that matters at run time: importing every module of
the batch grader and the tools loads nothing of ``kernel/`` and seals nothing.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "autograder"
SHARED = {"autograder." + p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__")}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str) -> set[str]:
    """Return every module ``name`` imports, at any depth of its code, as absolute names."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module
            # `from . import x` imports the module x when x is one, else a name of the module `prefix`
            submodules = {f"{prefix}.{alias.name}" for alias in node.names if f"{prefix}.{alias.name}" in MODULES}
            found |= submodules
            if len(submodules) < len(node.names):
                found.add(prefix)
    return found


def within(imported: str, package: str) -> bool:
    return imported == package or imported.startswith(package + ".")


def in_folder(name: str, folder: str) -> bool:
    return within(name, f"autograder.{folder}")


@pytest.mark.parametrize("name", [n for n in MODULES if in_folder(n, "kernel")])
def test_kernel_imports_neither_answers_nor_instructor_code(name):
    bad = sorted(i for i in imports(name) if within(i, "solutions") or any(
        in_folder(i, folder) for folder in ("cases", "grading", "tools")))
    assert not bad, f"{name} runs beside student code and must not import {bad}"


@pytest.mark.parametrize("name", sorted(SHARED))
def test_shared_modules_import_no_folder(name):
    bad = sorted(i for i in imports(name) if within(i, "solutions") or any(
        in_folder(i, folder) for folder in ("kernel", "grading", "tools", "cases")))
    if name == "autograder.casebook":  # the full install's cases, found lazily
        bad = [i for i in bad if not in_folder(i, "cases")]
    assert not bad, f"{name} is shared by every side and must not import {bad}"


@pytest.mark.parametrize("name", [n for n in MODULES if in_folder(n, "cases")])
def test_cases_import_no_kernel_grading_or_tools(name):
    bad = sorted(i for i in imports(name) if any(in_folder(i, f) for f in ("kernel", "grading", "tools")))
    assert not bad, f"{name} must not import {bad}"


@pytest.mark.parametrize("name", [n for n in MODULES if in_folder(n, "grading") or in_folder(n, "tools")])
def test_batch_process_never_imports_the_kernel_side(name):
    bad = sorted(i for i in imports(name) if in_folder(i, "kernel"))
    assert not bad, f"{name} runs in the instructor's process and must not import {bad}"


@pytest.mark.parametrize("name", list(MODULES))
def test_no_module_imports_torch_or_scipy(name):
    bad = sorted(i for i in imports(name) if within(i, "torch") or within(i, "scipy"))
    assert not bad, f"{name} imports {bad}"


def test_there_is_no_import_cycle():
    graph = {name: {i for i in imports(name) if i in MODULES and i != name} for name in MODULES}
    # A package's __init__ is imported with each of its modules: an edge to it is not a cycle by itself.
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node):
        state[node] = 1
        path.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt]
                if not all(MODULES[n].name == "__init__.py" for n in cycle[1:-1]):
                    raise AssertionError(f"import cycle: {' -> '.join(cycle)}")
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for name in graph:
        if name not in state:
            visit(name)


def test_the_batch_process_loads_nothing_that_seals():
    script = f"""
import importlib, sys
for name in {sorted(n for n in MODULES if in_folder(n, 'grading') or in_folder(n, 'tools'))!r}:
    if name.endswith("unavailable"):
        continue  # the stub mounted over switched-off packages: importing it fails by design
    importlib.import_module(name)
loaded = sorted(m for m in sys.modules if m.startswith("autograder.kernel"))
assert not loaded, loaded
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_the_package_docstring_lists_every_module():
    import autograder

    chapters = [name for name in MODULES if in_folder(name, "cases") and name.rpartition(".")[2].startswith("ch")]
    listed = [name for name in MODULES if name.startswith("autograder.") and name not in chapters
              and not name.endswith(("__main__", "unavailable")) and MODULES[name].name != "__init__.py"]
    missing = [name for name in listed if f"``{name.removeprefix('autograder.')}``" not in autograder.__doc__]
    assert not missing, f"autograder/__init__.py does not list {missing}"
    assert chapters and f"``cases.ch{len(chapters)}``" in autograder.__doc__  # "cases.ch1 ... cases.chN"
