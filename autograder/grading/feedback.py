"""The feedback a student gets: nbgrader's feedback HTML, made from the notebook autograde just wrote.

:class:`Feedback` does what nbgrader's ``GenerateFeedback`` does for one student (a fresh
``feedback/<student>/<assignment>/``, the assignment's other files copied from ``autograded/``,
each notebook exported to HTML with nbgrader's ``feedback`` template after ``GetGrades``), with
two differences:

* it starts from the notebooks in memory, as autograde left them, instead of reading them again,
  and one exporter serves the whole batch (its template is compiled once, not once per student);
* the hidden tests stay hidden (:data:`.steps.FEEDBACK`): nbgrader's ``ClearHiddenTests`` removes
  their code (which nbgrader itself only does when it releases an assignment), and the
  tracebacks of test cells that hold hidden tests are cut to their last line, since a traceback
  quotes the failing line.
"""

from __future__ import annotations

import os
import shutil

import nbgrader
from nbconvert.exporters import HTMLExporter
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import find_all_files
from traitlets.config import Config

from . import steps
from .course import Course

_NBGRADER = os.path.dirname(os.path.abspath(nbgrader.__file__))
TEMPLATES = os.path.join(_NBGRADER, "server_extensions", "formgrader", "templates")
STYLES = os.path.join(_NBGRADER, "server_extensions", "formgrader", "static", "node_modules", "bootstrap", "dist", "css")


class Feedback:
    """Writes the feedback of one student after another, as nbgrader's ``GenerateFeedback`` would."""

    def __init__(self, course: Course):
        self.course = course
        self._exporter = None

    def exporter(self) -> HTMLExporter:
        """Return the batch's HTML exporter (made on first use: in each worker process, once)."""
        if self._exporter is None:
            config = Config(self.course.config)
            config.HTMLExporter.template_name = "feedback"
            config.HTMLExporter.extra_template_basedirs = [TEMPLATES]
            config.HTMLExporter.extra_template_paths = [STYLES]
            exporter = HTMLExporter(config=config)
            for step in steps.FEEDBACK:
                exporter.register_preprocessor(step(config=config), enabled=True)
            self._exporter = exporter
        return self._exporter

    def write(self, assignment: str, student: str, notebooks: dict) -> str | None:
        """Write ``student``'s feedback for ``notebooks`` (name -> autograded notebook); return an error, or None."""
        source = self.course.path("autograded", student, assignment)
        target = self.course.path("feedback", student, assignment)
        try:
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            ignore = list(CourseDirectory(config=self.course.config).ignore)
            for path in find_all_files(str(source), ignore + ["*.ipynb"]):
                destination = target / os.path.relpath(path, source)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, destination)
            for name, nb in notebooks.items():
                resources = {"unique_key": name, "output_extension": ".html",
                             "metadata": {"name": name, "path": str(source)},
                             "nbgrader": {"student": student, "assignment": assignment, "notebook": name,
                                          "db_url": self.course.db_url}}
                html, _ = self.exporter().from_notebook_node(nb, resources)  # the notebook is ours to consume
                (target / f"{name}.html").write_text(html, encoding="utf-8")
            for path in target.rglob("*"):
                if path.is_file():
                    path.chmod(0o644)
        except Exception as error:  # noqa: BLE001 - this student's feedback failed; the batch goes on
            return f"{type(error).__name__}: {error}"
        return None
