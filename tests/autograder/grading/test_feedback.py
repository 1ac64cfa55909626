"""The feedback exporter writes the page nbconvert's ``HTMLExporter`` writes, without its re-parse."""

import base64
import copy

import nbformat
from bs4 import BeautifulSoup
from nbconvert.exporters import HTMLExporter
from nbgrader_course import source_path
from traitlets.config import Config

from autograder.grading.feedback import MISSING_ALT, FeedbackExporter, converter

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(40))).decode()


def graded_notebook():
    """Return a course notebook (highlighted code, formulas, tables) with the outputs a graded one has."""
    nb = nbformat.read(source_path("ch1_cross_correlation"), 4)
    nb.cells.append(nbformat.v4.new_markdown_cell(
        f'<img src="data:image/png;base64,{PNG}">, ![a described image](data:image/png;base64,{PNG}) and '
        f'<IMG alt="already said" src="x.png"/>'))
    code = nbformat.v4.new_code_cell("plot()")
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="a < b & c > d\n"),
                    nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
                    nbformat.v4.new_output("display_data", data={"image/png": PNG}, metadata={"width": 50}),
                    nbformat.v4.new_output("error", ename="AssertionError", evalue="no", traceback=["boom <here>"])]
    nb.cells.append(code)
    for cell in nb.cells:  # what GetGrades leaves on every graded cell
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
            cell.metadata.nbgrader["score"] = 1.0
    return nb


def test_the_page_is_the_html_exporters_once_parsed():
    config = converter(Config()).config
    resources = {"nbgrader": {"notebook": "ch1", "score": 3.0, "max_score": 13.0, "late_penalty": 0}}
    nb = graded_notebook()
    theirs, _ = HTMLExporter(config=config).from_notebook_node(copy.deepcopy(nb), copy.deepcopy(resources))
    ours, _ = FeedbackExporter(config=config).from_notebook_node(nb, resources)
    assert ours.count(f'alt="{MISSING_ALT}"') == 3  # the two outputs and the markdown's bare <img>
    assert 'alt="already said"' in ours and 'alt="a described image"' in ours
    assert str(BeautifulSoup(ours, features="html.parser")) == theirs


def test_a_course_that_names_its_own_template_gets_it_as_with_nbgrader():
    course = Config()
    course.HTMLExporter.template_name = "classic"
    resources = {"nbgrader": {"notebook": "ch1", "score": 3.0, "max_score": 13.0, "late_penalty": 0}}
    theirs, _ = FeedbackExporter(config=converter(course).config).from_notebook_node(
        graded_notebook(), copy.deepcopy(resources))
    stock, _ = FeedbackExporter(config=converter(Config()).config).from_notebook_node(graded_notebook(), resources)
    # nbgrader's feedback template titles the page with the notebook's name and shows its score.
    assert "<title>ch1</title>" in stock and "Score" in stock
    assert "<title>ch1</title>" not in theirs and "Score" not in theirs
    assert course == {"HTMLExporter": {"template_name": "classic"}}  # the course's configuration is left as it was
