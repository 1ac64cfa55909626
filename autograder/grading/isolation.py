"""What the sandbox of one student's run hides, replaces and passes in.

* **hidden** (shown as empty folders): the course root (gradebook, source notebooks with the
  hidden tests, every student's submitted, autograded and feedback folders, the release), the
  nbgrader exchange, and the course checkout's ``course/`` and ``tests/`` folders;
* **replaced** by a package that fails to import with a clear message (:mod:`.unavailable`):
  ``solutions`` (the answers), PyTorch and SciPy (they would do the job). Making them absent
  rather than watching for their use is what makes it hold against any trick inside the kernel;
* **environment**: the kernel finds :mod:`autograder.kernel.recorder` as ``check`` through
  ``AUTOGRADER_RECORD`` and ``AUTOGRADER_PLAN``; ``NBGRADER_EXECUTION=autograde`` (the widgets stay
  quiet); one thread for BLAS, so that a run uses one core and runs can be spread over cores.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import sys
from pathlib import Path

from ..transport import PLAN_ENV, RECORD_ENV

STUB = str(Path(__file__).resolve().parent / "unavailable")
CHECKOUT = Path(__file__).resolve().parents[2]
#: Packages replaced by the stub: the reference, and the libraries that do the job.
SWITCHED_OFF = ("solutions", "torch", "functorch", "torchgen", "scipy")
#: The class name of the stub's ImportError (unavailable/__init__.py), to tell it from other errors.
SWITCHED_OFF_ERROR = "SwitchedOff"


@dataclasses.dataclass(frozen=True)
class Isolation:
    """The ``hide`` and ``binds`` arguments of :func:`autograder.sandbox.run` for grading."""

    hide: tuple[str, ...]
    binds: tuple[tuple[str, str], ...]


def package_dir(name: str) -> str | None:
    """Return the folder of the installed package ``name``, without importing it, or None."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    locations = list(spec.submodule_search_locations or []) if spec else []
    return os.path.realpath(locations[0]) if locations else None


def isolation(course_root: str, exchange_root: str | None = None) -> Isolation:
    """Return what to hide and replace when grading in the course at ``course_root``."""
    hide = [course_root] + ([exchange_root] if exchange_root else [])
    if (CHECKOUT / "pyproject.toml").exists():  # an editable install: the checkout holds the instructor's files
        hide += [str(CHECKOUT / "course"), str(CHECKOUT / "tests")]
    binds = [(STUB, path) for path in map(package_dir, SWITCHED_OFF) if path]
    return Isolation(tuple(os.path.realpath(p) for p in hide if os.path.exists(p)), tuple(binds))


def of_course(config) -> Isolation:
    """Return :func:`isolation` for the course of the nbgrader configuration ``config``: its
    ``CourseDirectory.root`` (else the current folder, as for the ``nbgrader`` command) and its exchange."""
    # .get(): reading a section of a traitlets Config that is not there would add it.
    course, exchange = config.get("CourseDirectory", {}).get("root"), config.get("Exchange", {}).get("root")
    return isolation(os.path.realpath(str(course or os.getcwd())), str(exchange) if exchange else None)


def environment(plan: str, record: str, mpl: str) -> dict[str, str]:
    """Return the variables of a grading run (added to the sandbox's clean environment)."""
    return {
        "PATH": os.path.dirname(sys.executable) + os.pathsep + "/usr/local/bin:/usr/bin:/bin",
        PLAN_ENV: plan, RECORD_ENV: record, "NBGRADER_EXECUTION": "autograde", "MPLCONFIGDIR": mpl,
        "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
    }
