"""The course being graded: its nbgrader configuration, folders, gradebook and roster.

:func:`open_course` reads ``DIR/nbgrader_config.py`` the way the ``nbgrader`` command does, with
the course root set to ``DIR`` and, if given, the gradebook URL (``--db``) overriding the
configured one; it raises :class:`CourseError` with a sentence for the instructor when the
folder, the configuration or an assignment is not there.
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config, PyFileConfigLoader


def gradebook_url(url: str) -> str:
    """Return ``url`` for parallel writers: SQLite waits up to a minute for a lock instead of failing at once."""
    if url.startswith("sqlite:") and "timeout=" not in url:
        return url + ("&" if "?" in url else "?") + "timeout=60"
    return url


class CourseError(ValueError):
    """The course folder, its configuration or an assignment is not usable; the message says why."""


@dataclasses.dataclass
class Course:
    """An nbgrader course: its root folder, configuration and gradebook URL."""

    root: Path
    config: Config
    db_url: str

    @property
    def course_id(self) -> str:
        return self.config.CourseDirectory.get("course_id", "")

    def path(self, kind: str, student: str = ".", assignment: str = ".") -> Path:
        """Return ``root/<kind>/<student>/<assignment>`` for kind in submitted, autograded, feedback, source."""
        return (self.root / kind / student / assignment).resolve()

    def gradebook(self) -> Gradebook:
        return Gradebook(self.db_url, self.course_id)

    def for_parallel_writers(self) -> "Course":
        """Return this course with a gradebook URL fit for several processes writing at once (see :mod:`.workers`)."""
        url = gradebook_url(self.db_url)
        config = copy.deepcopy(self.config)  # Config() would share the course's sections
        config.CourseDirectory.db_url = url
        return dataclasses.replace(self, config=config, db_url=url)

    def notebooks(self, assignment: str) -> list[str]:
        """Return the notebook names of ``assignment`` in the gradebook; raise :class:`CourseError` when it is not there."""
        with self.gradebook() as gb:
            try:
                return [notebook.name for notebook in gb.find_assignment(assignment).notebooks]
            except MissingEntry:
                raise CourseError(
                    f"assignment {assignment!r} is not in the gradebook {self.db_url}: run "
                    f"`nbgrader generate_assignment {assignment}` in {self.root} first"
                    + ("" if self.db_url.startswith("sqlite") else f" (with --db {self.db_url})")) from None

    def autograded_points(self, assignment: str) -> dict[tuple[str, str], float]:
        """Return the points of each autograded test cell of ``assignment``, by ``(notebook, grade_id)``.

        A ``grade_id`` is unique within a notebook only: two notebooks of one assignment may both have a ``foo``.
        """
        points = {}
        with self.gradebook() as gb:
            for notebook in gb.find_assignment(assignment).notebooks:
                answers = {cell.name for cell in notebook.solution_cells}  # manually graded
                points.update({(notebook.name, cell.name): float(cell.max_score) for cell in notebook.grade_cells
                               if cell.cell_type == "code" and cell.name not in answers})
        return points

    def students(self, assignment: str) -> list[str]:
        """Return every student known for ``assignment``: in the gradebook, or with a submitted folder."""
        with self.gradebook() as gb:
            known = {student.id for student in gb.students}
        submitted = self.root / "submitted"
        if submitted.is_dir():
            known |= {entry.name for entry in submitted.iterdir()
                      if entry.is_dir() and not entry.is_symlink() and (entry / assignment).exists()}
        return sorted(known)


def open_course(root, db_url: str | None = None) -> Course:
    """Return the :class:`Course` at ``root``; raise :class:`CourseError` if it cannot be used."""
    root = Path(root).resolve()
    if not root.is_dir():
        raise CourseError(f"course folder {str(root)!r} does not exist")
    config = Config()
    if (root / "nbgrader_config.py").exists():
        try:
            config.merge(PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config())
        except Exception as error:  # noqa: BLE001 - any error in the instructor's file is reported
            raise CourseError(f"cannot read {root / 'nbgrader_config.py'}: {error}") from None
    config.CourseDirectory.root = str(root)
    if db_url:
        config.CourseDirectory.db_url = db_url
    coursedir = CourseDirectory(config=config)
    if not (root / "source").is_dir():
        raise CourseError(f"{root} has no source/ folder: it is not an nbgrader course root")
    return Course(root, config, coursedir.db_url)


def assignments_exist(course: Course, assignments) -> dict[str, list[str]]:
    """Return each assignment's notebook names; raise :class:`CourseError` for one that is unknown."""
    if not assignments:
        raise CourseError("name at least one assignment to grade")
    return {assignment: course.notebooks(assignment) for assignment in assignments}

