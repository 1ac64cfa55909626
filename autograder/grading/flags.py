"""Why a student is flagged for the instructor to look at: a kind to branch on, and the sentence in the reports.

Grading steps return :class:`Flag` objects; whoever tells them apart does so by their
:class:`FlagKind`, never by their wording, which lives here alone.
A :class:`Note` is something worth knowing that does not flag the student (an extra file).

>>> flag = kernel_died(3)
>>> flag.kind is FlagKind.RUN, flag.text
(True, 'the kernel died while running cell 4 (os._exit, a crash or a kill)')
"""

from __future__ import annotations

import dataclasses
import enum


class FlagKind(enum.Enum):
    SUBMISSION = "submission"  # what was submitted cannot all be graded (invalid, missing, links, too large)
    RUN = "run"  # the notebook's run went wrong (timeout, dead kernel, limits, output cut)
    IMPORT = "import"  # a cell imports a package switched off while grading
    TEST = "test"  # a test scored 0 whatever its cases (a forbidden call, tampering) or never ran
    AUTOGRADE = "autograde"  # nbgrader's autograde failed for this student
    FEEDBACK = "feedback"  # nbgrader's feedback failed for this student


@dataclasses.dataclass(frozen=True)
class Flag:
    kind: FlagKind
    text: str

    def __str__(self) -> str:
        return self.text


@dataclasses.dataclass(frozen=True)
class Note:
    text: str

    def __str__(self) -> str:
        return self.text


def reason(flags, notes=()) -> str:
    """Return the one-line reason of the reports: every flag, then every note, each once."""
    return "; ".join(dict.fromkeys(str(item) for item in [*flags, *notes]))


# --- the submission (intake) ------------------------------------------------------------------

def too_large(name: str, size: int, limit: int) -> Flag:
    return Flag(FlagKind.SUBMISSION, f"{name} is {size / 1024**2:.0f} MB, over the {limit // 1024**2} MB limit")


def not_a_notebook(name: str, detail: str) -> Flag:
    return Flag(FlagKind.SUBMISSION, f"{name} is not a notebook (invalid JSON: {detail})")


def invalid_notebook(name: str, detail: str) -> Flag:
    return Flag(FlagKind.SUBMISSION, f"{name} is not a valid notebook ({detail})")


def old_notebook(name: str) -> Flag:
    return Flag(FlagKind.SUBMISSION, f"{name} is not an nbformat 4 notebook")


def missing_notebook(name: str, others) -> Flag:
    instead = f"; found {', '.join(others[:3])} (renamed?)" if others else ""
    return Flag(FlagKind.SUBMISSION, f"{name}.ipynb is missing{instead}")


def special_files(names) -> Flag:
    return Flag(FlagKind.SUBMISSION, f"links or special files were not graded: {', '.join(names[:5])}")


def too_many_files(names, max_files: int, max_bytes: int) -> Flag:
    return Flag(FlagKind.SUBMISSION, f"files beyond the limit of {max_files} files or {max_bytes // 1024**2} MB "
                                     f"were not copied: {', '.join(names[:5])}")


def extra_files(names) -> Note:
    return Note(f"other notebooks were not graded: {', '.join(names[:5])}")


# --- the run (execute) ------------------------------------------------------------------------

def cell_timeout(cell: int, seconds: float) -> Flag:
    """``cell`` counts from 0; the reports count from 1, as a reader does."""
    return Flag(FlagKind.RUN, f"cell {cell + 1} ran longer than {seconds:g} s and was interrupted")


def kernel_died(cell: int) -> Flag:
    return Flag(FlagKind.RUN, f"the kernel died while running cell {cell + 1} (os._exit, a crash or a kill)")


def output_cut(cell: int) -> Flag:
    return Flag(FlagKind.RUN, f"cell {cell + 1} printed too much; its output was cut")


def unresponsive(cell: int, seconds: float) -> Flag:
    return Flag(FlagKind.RUN, f"cell {cell + 1} ran longer than {seconds:g} s and ignored the interrupt; "
                              f"the cells after it did not run")


def shell_patched(cell: int, names) -> Flag:
    return Flag(FlagKind.TEST, f"cell {cell + 1} replaced the grader's IPython shell ({', '.join(names)}): the "
                               f"instructor's assert tests after it ran in a patched shell")


def wrote_special_files(names) -> Flag:
    return Flag(FlagKind.RUN, f"the notebook made links or special files, removed: {', '.join(names[:5])}")


def wrote_too_much(count: int, size: int, max_count: int, max_size: int) -> Flag:
    return Flag(FlagKind.RUN, f"the notebook wrote {count} files ({size / 1024**2:.1f} MB), over the limit of "
                              f"{max_count} files or {max_size // 1024**2} MB; they were not kept")


def no_sandbox(node: str, why: str | None) -> Flag:
    return Flag(FlagKind.RUN, f"no sandbox on node {node} ({why}): not graded; grade again where bubblewrap runs")


def unknown_kernel(kernel: str) -> Flag:
    return Flag(FlagKind.SUBMISSION, f"the notebook's kernel is {kernel!r}, not Python: it was not run, and its "
                                     f"tests score 0")


def run_stopped(status: str, detail: str = "") -> Flag:
    return Flag(FlagKind.RUN, f"the run was stopped: {status}" + (f" ({detail})" if detail else ""))


def out_of_memory(cell: int) -> Flag:
    return Flag(FlagKind.RUN, f"cell {cell + 1} ran out of memory")


def switched_off_import(cell: int, name: str) -> Flag:
    return Flag(FlagKind.IMPORT, f"cell {cell + 1} imports {name}, switched off while grading")


def test_reason(test: str, why: str) -> Flag:
    return Flag(FlagKind.TEST, f"{test}: {why}")


#: Why a test cell may have recorded nothing though the run went well.
RECORDED_NOTHING = "the test cell recorded nothing: it failed before calling check, or check was replaced"


def never_ran(tests, quiet_run: bool) -> Flag:
    """``quiet_run``: nothing else went wrong in the run that would explain it."""
    return Flag(FlagKind.TEST, f"not graded, the test never ran: {', '.join(tests)}"
                               + (f" ({RECORDED_NOTHING})" if quiet_run else ""))


# --- nbgrader ---------------------------------------------------------------------------------

def autograde_failed(error: str) -> Flag:
    return Flag(FlagKind.AUTOGRADE, f"nbgrader could not autograde: {error}")


def feedback_failed(error: str) -> Flag:
    return Flag(FlagKind.FEEDBACK, f"nbgrader could not write the feedback: {error}")
