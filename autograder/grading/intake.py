"""Looking at a submission before anything runs, and copying what will be graded to a staging folder.

nbgrader reads the staging copy, never ``submitted/`` itself, so no grading step can change or
lose a submitted file. :func:`stage` copies the assignment's notebooks and ``timestamp.txt``
only (regular files; links, devices and other files are left out) and says what it found:

* a notebook that is too large, not JSON or not a valid notebook is not copied (it then scores
  0, as a missing notebook does in nbgrader) and the student is flagged with the reason;
* a missing notebook is flagged, naming the ``.ipynb`` files that are there instead (renamed?);
* other files are not graded; links and files beyond the limits are flagged, ordinary extras
  (a scratch file) are only listed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import stat
import warnings
from pathlib import Path

import nbformat

from . import flags
from .flags import Flag, Note

#: Largest notebook read (a notebook with saved outputs of many images is a few MB).
MAX_NOTEBOOK_BYTES = 20 * 1024**2
#: Names nbgrader itself ignores in a submission, and the file its exchange adds on submit.
IGNORED = (".ipynb_checkpoints", "__pycache__", "feedback", "submission_secret.txt")


@dataclasses.dataclass
class Intake:
    """What :func:`stage` found: reasons to flag, notebooks copied, and a fingerprint of them."""

    flags: list[Flag] = dataclasses.field(default_factory=list)
    notes: list[Note] = dataclasses.field(default_factory=list)
    staged: list[str] = dataclasses.field(default_factory=list)
    fingerprint: str = ""


def _notebook_problem(name: str, raw: bytes) -> Flag | None:
    """Return why the file ``name`` holding ``raw`` cannot be graded as a notebook, or None."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as error:
        return flags.not_a_notebook(name, str(error)[:120])
    try:
        nb = nbformat.from_dict(data)
        if nb.get("nbformat") != 4:
            return flags.old_notebook(name)
        with warnings.catch_warnings():  # nbformat warns about old notebooks it can still read
            warnings.simplefilter("ignore")
            nbformat.validate(nb)
    except (nbformat.ValidationError, AttributeError, TypeError) as error:
        return flags.invalid_notebook(name, str(error).splitlines()[0][:120])
    return None


def _walk(folder: Path):
    """Yield every entry below ``folder`` (relative path, lstat), skipping nbgrader's ignored names."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in IGNORED)
        for name in sorted(dirnames + [f for f in filenames if f not in IGNORED]):
            path = Path(dirpath) / name
            yield path.relative_to(folder), path.lstat()


def stage(submitted: Path, notebooks: list[str], target: Path) -> Intake:
    """Copy the gradable part of the submission folder ``submitted`` to ``target``; return what was found."""
    intake = Intake()
    digest = hashlib.sha256()
    target.mkdir(parents=True)
    wanted = {f"{name}.ipynb" for name in notebooks} | {"timestamp.txt"}
    extras, odd = [], []
    for relative, info in _walk(submitted):
        name = str(relative)
        if stat.S_ISDIR(info.st_mode):
            continue
        if name not in wanted:
            (odd if not stat.S_ISREG(info.st_mode) else extras).append(name)
            continue
        if not stat.S_ISREG(info.st_mode):
            odd.append(name)
            continue
        if info.st_size > MAX_NOTEBOOK_BYTES:  # read nothing that large
            intake.flags.append(flags.too_large(name, info.st_size, MAX_NOTEBOOK_BYTES))
            continue
        raw = (submitted / relative).read_bytes()  # read once: checked, hashed and staged from the same bytes
        if name.endswith(".ipynb") and (problem := _notebook_problem(name, raw)):
            intake.flags.append(problem)
            continue
        (target / relative).write_bytes(raw)
        digest.update(name.encode() + b"\0" + raw + b"\0")
        if name.endswith(".ipynb"):
            intake.staged.append(name[:-6])
    for name in notebooks:
        if not (submitted / f"{name}.ipynb").exists():
            intake.flags.append(flags.missing_notebook(name, [extra for extra in extras if extra.endswith(".ipynb")]))
    if odd:
        intake.flags.append(flags.special_files(odd))
    if extras:
        intake.notes.append(flags.extra_files(extras))
    intake.fingerprint = digest.hexdigest()
    return intake
