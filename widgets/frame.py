"""What every widget shares: controls above a picture, notes below, and a pause while grading.

A widget module supplies its controls, a :class:`~widgets.drawing.Canvas` with its axes, and a
``draw`` function that reads the controls, draws on the canvas and returns a list of notes;
:class:`ConvWidget` does the rest: it redraws on every change of any control, renders the canvas
to PNG into an :class:`ipywidgets.Image`, and writes the notes (the problems found with the
student's function, or a confirmation) under it.

Under nbgrader (which sets the environment variable ``NBGRADER_EXECUTION`` while it autogrades
or validates a notebook) a widget is only a short notice: grading computes nothing it does not
score.
"""

from __future__ import annotations

import functools
import html
import time
from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets

from . import drawing
from .grading import grading, skipped_notice

ROOT_CLASS = "conv-widget"


@dataclass
class Note:
    """One line under the picture. ``kind`` is ``"problem"``, ``"ok"`` or ``"info"``."""

    text: str
    kind: str = "info"


_NOTE_STYLE = {
    "problem": ("&#9888;", drawing.MISMATCH),
    "ok": ("&#10003;", "#1a7f37"),
    "info": ("", "inherit"),
}


def notes_html(notes: list[Note]) -> str:
    """Return the notes as HTML lines, problems in red, confirmations in green."""
    lines = []
    for note in notes:
        mark, colour = _NOTE_STYLE[note.kind]
        lines.append(f'<div style="color:{colour}">{mark} {html.escape(note.text)}</div>')
    return "".join(lines)


class ConvWidget(ipywidgets.VBox):
    """The root of a course widget: a row of controls, the picture, the notes.

    ``controls`` maps names to the value widgets that ``draw`` reads; any change of their
    ``value`` redraws: the canvas is wiped, ``draw()`` draws on it and returns the notes.
    Attributes a test can use: ``controls``, ``picture`` (the :class:`ipywidgets.Image` whose
    ``value`` is the PNG), ``notes`` (an :class:`ipywidgets.HTML`), ``last_redraw_seconds``.
    """

    def __init__(self, controls: dict[str, ipywidgets.ValueWidget], canvas: drawing.Canvas,
                 draw: Callable[[], list[Note]], *, layout_rows: list[list[ipywidgets.Widget]] | None = None):
        super().__init__()
        self.controls = controls
        self.canvas = canvas
        self._draw = draw
        self.picture = ipywidgets.Image(format="png", layout=ipywidgets.Layout(max_width="100%", height="auto"))
        self.picture.add_class("conv-widget-picture")
        self.notes = ipywidgets.HTML()
        self.notes.add_class("conv-widget-notes")
        self.last_redraw_seconds = 0.0
        rows = layout_rows if layout_rows is not None else [list(controls.values())]
        boxes = [ipywidgets.HBox(row, layout=ipywidgets.Layout(flex_flow="row wrap")) for row in rows]
        self.children = [*boxes, self.picture, self.notes]
        for control in controls.values():
            control.observe(self.redraw, names="value")
        self.redraw()

    def redraw(self, change=None) -> None:
        """Draw the figure for the current control values and show it with its notes."""
        start = time.perf_counter()
        try:
            self.canvas.wipe()
            notes = self._draw()
            picture = self.canvas.png()
        except Exception as error:  # noqa: BLE001 - a widget must survive anything it is given
            problem = f"the widget could not draw: {type(error).__name__}: {error}"
            notes, picture = [Note(problem, "problem")], drawing.error_png(problem)
        self.picture.value = picture
        self.notes.value = notes_html(notes)
        self.last_redraw_seconds = time.perf_counter() - start


def course_widget(css_class: str):
    """Decorate a function that builds a :class:`ConvWidget`: CSS classes, and a notice while grading.

    The built widget carries the classes ``conv-widget`` and ``css_class``. While nbgrader
    grades, the function returns :func:`skipped_notice` without building anything.
    """
    def decorate(build):
        @functools.wraps(build)
        def widget(*args, **kwargs):
            if grading():
                return skipped_notice(build.__name__)
            root = build(*args, **kwargs)
            root.add_class(ROOT_CLASS)
            root.add_class(css_class)
            return root
        widget.css_class = css_class
        return widget
    return decorate
