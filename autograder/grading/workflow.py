"""nbgrader's own autograde for one student, run in-process, and the zero of an empty submission.

:func:`autograde` runs nbgrader's ``Autograde`` converter on the course exactly as the
``nbgrader autograde`` command would, with these changes:

* it reads the staging copy (:mod:`.intake`) instead of ``submitted/``;
* its ``Execute`` step is a :class:`~autograder.grading.execute.SandboxedExecute` made for this
  student (whose ``reports`` say what the run gave), and deleted test cells are put back
  (``OverwriteCells.add_missing_cells``) so that deleting one earns nothing;
* a last step keeps the autograded notebooks, from which the feedback is made (:mod:`.feedback`).

It returns the error nbgrader logged when it failed (None when it worked); nothing raises for
a bad submission, so one student cannot stop the batch.
"""

from __future__ import annotations

import copy
import logging
import os
import shutil
import sys

from nbgrader.converters import Autograde
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets.config import Config

from . import steps
from .course import Course
from .execute import SandboxedExecute, Settings

def put_environment_first() -> None:
    """Put this interpreter's ``bin/`` first on ``PATH``: nbgrader runs ``alembic`` by name when it
    opens a new gradebook, and the grader may run from a virtualenv that was never activated."""
    bin_dir = os.path.dirname(sys.executable)
    path = os.environ.get("PATH", "")
    if path.split(os.pathsep)[0] != bin_dir:
        os.environ["PATH"] = bin_dir + os.pathsep + path


class Kept(NbGraderPreprocessor):
    """The last step: keep each notebook as autograde leaves it, by name."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.notebooks: dict = {}

    def preprocess(self, nb, resources):
        self.notebooks[resources["nbgrader"]["notebook"]] = nb
        return nb, resources


class _Errors(logging.Handler):
    """Collects the errors nbgrader logs during one step (the exception it raises only says "see above")."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage().strip())

    def summary(self) -> str:
        """Return the error in a line: the last line of the traceback nbgrader logged, else its first message."""
        for message in self.messages:
            if message.startswith("Traceback") and message.splitlines()[-1:]:
                return message.splitlines()[-1][:300]
        return next((m.splitlines()[0][:300] for m in self.messages if m), "")


def _convert(converter_class, course: Course, assignment: str, student: str, changes: Config,
             **attributes) -> str | None:
    config = copy.deepcopy(course.config)  # Config() would share the course's sections, which this changes
    config.merge(changes)
    config.CourseDirectory.assignment_id = assignment
    config.CourseDirectory.student_id = student
    converter = converter_class(coursedir=CourseDirectory(config=config), config=config)
    # Set on the converter, not through the configuration, which would deep-copy an object given.
    for name, value in attributes.items():
        setattr(converter, name, value)
    converter.force = True  # a student without a finished record is graded again from scratch
    errors, log = _Errors(), converter.log
    # nbgrader logs every file it copies; only its errors matter here, and they go in the report.
    level = log.level
    log.addHandler(errors)
    log.setLevel(logging.ERROR)
    try:
        converter.start()
    except Exception as error:  # noqa: BLE001 - nbgrader's failure for this student, reported, never raised
        found = errors.summary() or f"{type(error).__name__}: {error}"
        # The reports name the student's files, not the grader's staging copy of them.
        staged = str(config.CourseDirectory.get("submitted_directory", ""))
        return found.replace(staged, "submitted") if staged else found
    finally:
        log.removeHandler(errors)
        log.setLevel(level)
    return None


def autograde(course: Course, assignment: str, student: str, staging,
              settings: Settings) -> tuple[str | None, dict, dict]:
    """Autograde the staged submission of ``student`` into ``autograded/`` and the gradebook.

    Return nbgrader's error (None when it worked), the sandboxed runs' reports and the
    autograded notebooks, both by notebook name.
    """
    step, kept = SandboxedExecute(settings=settings), Kept()
    changes = Config()
    steps.configure(changes)
    changes.CourseDirectory.submitted_directory = str(staging)
    # This student's own sandboxed step (it keeps their reports) where the list names the class.
    preprocessors = [step if cls is SandboxedExecute else cls for cls in steps.AUTOGRADE] + [kept]
    error = _convert(Autograde, course, assignment, student, changes, autograde_preprocessors=preprocessors)
    return error, step.reports, kept.notebooks


def zero(course: Course, assignment: str, student: str, timestamp: str | None) -> None:
    """Record a submission with nothing gradable: every grade 0, no autograded notebook or feedback left over."""
    for kind in ("autograded", "feedback"):
        shutil.rmtree(course.path(kind, student, assignment), ignore_errors=True)
    with course.gradebook() as gb:
        gb.update_or_create_student(student)
        submission = gb.update_or_create_submission(assignment, student, **({"timestamp": timestamp} if timestamp else {}))
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score, grade.manual_score, grade.needs_manual_grade = 0, None, False
        gb.db.commit()
