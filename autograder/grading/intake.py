"""Looking at a submission before anything runs, and copying what will be graded to a staging folder.

nbgrader reads the staging copy, never ``submitted/`` itself, so no grading step can change or
lose a submitted file. :func:`stage` copies the assignment's notebooks, ``timestamp.txt`` and
every other regular file the student submitted (a data file, a helper module: nbgrader copies
them next to the notebook, where it runs), and says what it found:

* a notebook that is too large, not JSON or not a valid notebook is not copied (it then scores
  0, as a missing notebook does in nbgrader) and the student is flagged with the reason;
* a missing notebook is flagged, naming the ``.ipynb`` files that are there instead (renamed?);
* links, devices and other special files are not copied, nor files beyond the limits
  (:data:`MAX_FILE_BYTES` each, :data:`MAX_FILES` and :data:`MAX_TOTAL_BYTES` in all): flagged;
* notebooks that are not the assignment's are not graded (nbgrader skips them too): only listed.
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
from .sandbox import Limits

#: Largest notebook read (a notebook with saved outputs of many images is a few MB).
MAX_NOTEBOOK_BYTES = 20 * 1024**2
#: Other submitted files: the largest one copied (the sandbox's file-size limit), how many, how much.
MAX_FILE_BYTES = Limits.file_bytes
MAX_FILES = 500
MAX_TOTAL_BYTES = 256 * 1024**2
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
    assignment = {f"{name}.ipynb" for name in notebooks}
    other_notebooks, odd, skipped = [], [], []
    files = total = 0
    for relative, info in _walk(submitted):
        name = str(relative)
        if stat.S_ISDIR(info.st_mode):
            continue
        if not stat.S_ISREG(info.st_mode):
            odd.append(name)
            continue
        if name.endswith(".ipynb") and name not in assignment:
            other_notebooks.append(name)
            continue
        limit = MAX_NOTEBOOK_BYTES if name in assignment else MAX_FILE_BYTES
        if info.st_size > limit:  # read nothing that large
            intake.flags.append(flags.too_large(name, info.st_size, limit))
            continue
        if name not in assignment and (files + 1 > MAX_FILES or total + info.st_size > MAX_TOTAL_BYTES):
            skipped.append(name)
            continue
        raw = (submitted / relative).read_bytes()  # read once: checked, hashed and staged from the same bytes
        if name in assignment and (problem := _notebook_problem(name, raw)):
            intake.flags.append(problem)
            continue
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        (target / relative).write_bytes(raw)
        digest.update(name.encode() + b"\0" + raw + b"\0")
        if name in assignment:
            intake.staged.append(name[:-6])
        else:
            files, total = files + 1, total + info.st_size
    for name in notebooks:
        if not (submitted / f"{name}.ipynb").exists():
            intake.flags.append(flags.missing_notebook(name, other_notebooks))
    if odd:
        intake.flags.append(flags.special_files(odd))
    if skipped:
        intake.flags.append(flags.too_many_files(skipped, MAX_FILES, MAX_TOTAL_BYTES))
    if other_notebooks:
        intake.notes.append(flags.extra_files(other_notebooks))
    intake.fingerprint = digest.hexdigest()
    return intake
