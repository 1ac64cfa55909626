"""nbgrader's autograde and feedback steps with the grader's in place: one list for every entry point.

``python -m autograder grade`` runs nbgrader's converters with these steps (:mod:`.workflow`,
:mod:`.feedback`), and so do nbgrader's own entry points, ``nbgrader autograde`` and
formgrader's Autograde button, once the course's ``nbgrader_config.py`` says::

    from autograder.grading import steps
    steps.configure(c)

:data:`AUTOGRADE` is nbgrader's autograde list with its ``Execute`` replaced by
:class:`~.execute.SandboxedExecute` (student code in the sandbox, checks judged outside) and
:class:`SaveFlags` at the end (the gradebook marks a notebook to look at); :data:`FEEDBACK` is
nbgrader's feedback list with the hidden tests removed and their tracebacks cut.
"""

from __future__ import annotations

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.api import Gradebook
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearHiddenTests, GetGrades,
                                    IgnorePattern, LimitOutput, NbGraderPreprocessor, SaveAutoGrades)

from . import prepare
from .execute import RUN_RESOURCE, SandboxedExecute


class HideHiddenTracebacks(NbGraderPreprocessor):
    """Cut the error outputs of test cells with hidden tests to one line: ``AssertionError: message``.

    A traceback quotes the line that failed, which may be a hidden test's.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and prepare.has_hidden_tests(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}" if output.evalue else output.ename]
        return cell, resources


class SaveFlags(NbGraderPreprocessor):
    """Mark the submitted notebook as flagged in the gradebook when its run gave a reason to look at it.

    formgrader shows nbgrader's ``flagged`` mark on the submission. A notebook graded without a
    reason keeps the mark it had, which may be an instructor's.
    """

    def preprocess(self, nb, resources):
        run = resources.get(RUN_RESOURCE)
        if run is not None and run.flags:
            mark(resources["nbgrader"]["db_url"], resources["nbgrader"]["assignment"],
                 resources["nbgrader"]["student"], [resources["nbgrader"]["notebook"]])
        return nb, resources


def mark(db_url: str, assignment: str, student: str, notebooks) -> None:
    """Set nbgrader's ``flagged`` mark on ``student``'s submitted ``notebooks`` of ``assignment``."""
    with Gradebook(db_url) as gb:
        for name in notebooks:
            gb.find_submission_notebook(name, assignment, student).flagged = True
        gb.db.commit()


# nbgrader's order: the grades are saved from the outputs Execute wrote, late penalties apply to them.
AUTOGRADE = [SandboxedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
             AssignLatePenalties, CheckCellMetadata, SaveFlags]
FEEDBACK = [GetGrades, HideHiddenTracebacks, ClearHiddenTests, CSSHTMLHeaderPreprocessor]


def configure(c) -> None:
    """Make nbgrader's own entry points grade as ``python -m autograder grade`` does (``c``: a course's config)."""
    c.Autograde.autograde_preprocessors = AUTOGRADE
    # A deleted test cell is put back (and scores), as the grader's own command does.
    c.OverwriteCells.add_missing_cells = True
    c.GenerateFeedback.preprocessors = FEEDBACK
