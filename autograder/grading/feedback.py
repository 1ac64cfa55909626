"""The feedback a student gets: nbgrader's feedback HTML, made from the notebook autograde just wrote.

:class:`Feedback` does what nbgrader's ``GenerateFeedback`` does for one student (a fresh
``feedback/<student>/<assignment>/``, the assignment's other files copied from ``autograded/``,
each notebook exported to HTML after ``GetGrades``, the files' permissions set), with the
settings of a ``GenerateFeedback`` made once for the batch (:func:`converter`: the course's own
template if its configuration names one, else nbgrader's ``feedback`` template), and with two
differences:

* it starts from the notebooks in memory, as autograde left them, instead of reading them again,
  and one exporter serves the whole batch (its template is compiled once, not once per student),
  without the exporter's last pass (see :class:`FeedbackExporter`);
* the hidden tests stay hidden (:data:`.steps.FEEDBACK`): nbgrader's ``ClearHiddenTests`` removes
  their code (which nbgrader itself only does when it releases an assignment), and the
  tracebacks of test cells that hold hidden tests are cut to their last line, since a traceback
  quotes the failing line.
"""

from __future__ import annotations

import copy
import os
import re
import shutil

from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbgrader.converters import GenerateFeedback
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import find_all_files
from traitlets.config import Config

from . import steps
from .course import Course


def converter(course_config: Config) -> GenerateFeedback:
    """Return nbgrader's feedback converter for a course, whose settings the feedback follows.

    Its ``config`` is the exporter's as nbgrader makes it: the course's own template where the
    course names one, else nbgrader's ``feedback`` template, and no nbconvert default
    preprocessors; its ``permissions`` and ``coursedir.ignore`` are those of the files written.
    """
    # A copy: the converter adds its settings to the configuration it is given, in place.
    config = copy.deepcopy(course_config)
    return GenerateFeedback(coursedir=CourseDirectory(config=config), config=config)


# An <img> tag without an alt attribute (the feedback's images are the template's, or a markdown cell's).
_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt=)([^>]*?)(\s*/?)>", re.IGNORECASE)
MISSING_ALT = "No description has been provided for this image"  # nbconvert's words


class FeedbackExporter(HTMLExporter):
    """nbconvert's ``HTMLExporter`` for nbgrader's feedback template, without its slow last pass.

    ``HTMLExporter.from_notebook_node`` ends by parsing the whole page with BeautifulSoup to give
    every image an alt text and JupyterLab's cells a ``tabindex``. nbgrader's feedback template
    extends the *classic* one, which has no JupyterLab cells, so only the alt text changes
    anything, and the parse of a page of highlighted code costs 0.1 to 0.3 s a notebook, half the
    feedback's time. Here the images get the same alt text without it: parsed again, the page is
    exactly the one ``HTMLExporter`` writes (a test compares them).
    """

    def from_notebook_node(self, nb, resources=None, **kw):
        """Return ``(html, resources)`` for ``nb``, as ``HTMLExporter`` does (nbconvert 7.17)."""
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        self.register_filter("highlight_code",
                             self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
        resources = self._init_resources(resources)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return _IMG_WITHOUT_ALT.sub(rf'<img\1 alt="{MISSING_ALT}"\2>', html), resources


class Feedback:
    """Writes the feedback of one student after another, as nbgrader's ``GenerateFeedback`` would."""

    def __init__(self, course: Course):
        self.course = course
        self.converter = converter(course.config)  # once per batch: the workers inherit it
        self._exporter = None

    def exporter(self) -> FeedbackExporter:
        """Return the batch's HTML exporter (made on first use: in each worker process, once)."""
        if self._exporter is None:
            config = self.converter.config
            exporter = FeedbackExporter(config=config)
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
            for path in find_all_files(str(source), self.converter.coursedir.ignore + ["*.ipynb"]):
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
            self.converter.set_permissions(assignment, student)
        except Exception as error:  # noqa: BLE001 - this student's feedback failed; the batch goes on
            return f"{type(error).__name__}: {error}"
        return None
