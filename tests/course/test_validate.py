"""The notebooks' contract with the autograder and the widgets, and `nbgrader validate` on both versions.

Structure (fast, no notebook runs): each notebook, instructor and student version alike, starts
its code with the locked setup cell, has one graded test cell per SPEC function of its chapter in
exactly the form the autograder expects (points in the metadata and in the call agree), a
solution cell for each function before its test, a manually graded written answer, and the
widget calls of its chapter after the function they draw with; nbgrader's own schema check
accepts its metadata.

Validation (slow, runs every notebook): the real `nbgrader validate` gives each instructor
notebook full points with no error in any cell (`--Validator.validate_all`), and fails each
student notebook on every graded cell (the stubs raise NotImplementedError, the written answer
is still empty). The two groups run as two processes side by side.
"""

from __future__ import annotations

import re
import subprocess

import pytest
from nbgrader.nbgraderformat import MetadataValidator
from nbgrader_course import (
    ROOT,
    SYLLABUS,
    WIDGET_CALLS,
    assignments,
    nbgrader_command,
    nbgrader_env,
    nbgrader_meta,
    read,
    source_path,
    student_path,
)

ASSIGNMENTS = assignments()
VERSIONS = {"source": source_path, "student": student_path}
CASES = [(a, v) for a in ASSIGNMENTS for v in VERSIONS]
IDS = [f"{a}-{v}" for a, v in CASES]

SETUP_SOURCE = "%matplotlib inline\nimport numpy as np\nfrom autograder import check\nimport widgets"
# The test cell of the instructor version; the student version lacks the hidden block.
TEST_CELL = re.compile(
    r"from autograder import check  # the real one, whatever the notebook rebound\n"
    r"hidden = False\n"
    r"(?P<hidden>### BEGIN HIDDEN TESTS\nhidden = True\n### END HIDDEN TESTS\n)?"
    r'check\("(?P<name>\w+)", (?P=name), points=(?P<points>\d+(?:\.\d+)?), hidden=hidden\)'
)
# A widget draws with a student function; an illustration (`widgets.groups_diagram()`) takes none.
WIDGET_CALL = re.compile(r"widgets\.(?P<widget>\w+)\((?P<function>\w*)\)")
POINTS_PER_NOTEBOOK = (10, 20)
VALIDATE_TIMEOUT = 900  # seconds for each group of notebooks


def notebook(assignment, version):
    return read(VERSIONS[version](assignment))


def code_cells(nb):
    return [(index, cell) for index, cell in enumerate(nb.cells) if cell.cell_type == "code"]


def test_assignment_ids_follow_the_syllabus():
    assert ASSIGNMENTS, "course/source holds no notebooks"
    unknown = sorted(set(ASSIGNMENTS) - set(SYLLABUS))
    assert not unknown, f"course/source has assignments the syllabus does not name: {unknown}"


@pytest.mark.parametrize("assignment, version", CASES, ids=IDS)
def test_nbgrader_metadata_is_valid(assignment, version):
    nb = notebook(assignment, version)
    MetadataValidator().validate_nb(nb)  # raises on a missing grade_id, points, duplicate ids...
    assert nb.metadata.kernelspec.name == "python3"
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if meta:
            assert meta["schema_version"] == 3, f"cell {meta.get('grade_id')!r}: schema_version {meta['schema_version']}"


@pytest.mark.parametrize("assignment, version", CASES, ids=IDS)
def test_first_code_cell_is_the_locked_setup(assignment, version):
    _, first = code_cells(notebook(assignment, version))[0]
    meta = nbgrader_meta(first)
    assert first.source == SETUP_SOURCE
    assert meta.get("locked") is True and not meta.get("grade") and not meta.get("solution"), meta
    assert not meta.get("points"), "the setup cell gives no points"


def graded_tests(nb):
    """Return {function name: (cell index, points in the metadata, the match of TEST_CELL)}."""
    tests = {}
    for index, cell in code_cells(nb):
        meta = nbgrader_meta(cell)
        if meta.get("grade"):
            match = TEST_CELL.fullmatch(cell.source)
            assert match, f"graded cell {meta['grade_id']!r} is not in the form of the autograder contract:\n{cell.source}"
            assert meta["locked"] and not meta["solution"], f"graded cell {meta['grade_id']!r} must be locked, not a solution"
            assert match["name"] not in tests, f"{match['name']} has two test cells"
            tests[match["name"]] = (index, meta["points"], match)
    return tests


@pytest.mark.parametrize("assignment, version", CASES, ids=IDS)
def test_one_graded_test_cell_per_function(assignment, version):
    tests = graded_tests(notebook(assignment, version))
    assert list(tests) == SYLLABUS[assignment], "one test cell per SPEC function, in the SPEC's order"
    for name, (_, points, match) in tests.items():
        assert points > 0, f"{name}: no points"
        assert float(match["points"]) == points, f"{name}: check(points={match['points']}) but the cell is worth {points}"
        assert bool(match["hidden"]) == (version == "source"), (
            f"{name}: the hidden block belongs in the instructor version only")


@pytest.mark.parametrize("assignment, version", CASES, ids=IDS)
def test_each_function_has_a_solution_cell_before_its_test(assignment, version):
    nb = notebook(assignment, version)
    tests = graded_tests(nb)
    for name in SYLLABUS[assignment]:
        defining = [
            index for index, cell in code_cells(nb)
            if re.search(rf"^(def|class) {name}\b", cell.source, re.MULTILINE)
        ]
        assert len(defining) == 1, f"{name} must be defined in exactly one cell, found {len(defining)}"
        cell = nb.cells[defining[0]]
        meta = nbgrader_meta(cell)
        assert meta.get("solution") and not meta.get("grade") and not meta.get("locked"), (
            f"{name}: its cell must be an autograded answer (solution, not graded, not locked): {meta}")
        marker = "### BEGIN SOLUTION" if version == "source" else "raise NotImplementedError()"
        assert marker in cell.source, f"{name}: {marker!r} missing from its cell"
        assert defining[0] < tests[name][0], f"{name}: the test cell comes before the function"


@pytest.mark.parametrize("assignment, version", CASES, ids=IDS)
def test_written_answer_and_total_points(assignment, version):
    nb = notebook(assignment, version)
    answers = [nbgrader_meta(c) for c in nb.cells
               if c.cell_type == "markdown" and nbgrader_meta(c).get("solution") and nbgrader_meta(c).get("grade")]
    assert answers, "no manually graded written answer"
    assert all(1 <= meta["points"] <= 2 for meta in answers), answers
    total = sum(nbgrader_meta(c).get("points", 0) for c in nb.cells if nbgrader_meta(c).get("grade"))
    low, high = POINTS_PER_NOTEBOOK
    assert low <= total <= high, f"{total} points in all; a chapter is worth {low} to {high}"


@pytest.mark.parametrize("assignment, version", CASES, ids=IDS)
def test_widgets_draw_with_the_students_function(assignment, version):
    nb = notebook(assignment, version)
    tests = graded_tests(nb)
    calls = {cell.source.strip(): index for index, cell in code_cells(nb) if WIDGET_CALL.fullmatch(cell.source.strip())}
    assert calls, "no cell calls a widget, like `widgets.kernel_gallery(corr2d)`"
    assert any(WIDGET_CALL.fullmatch(call)["function"] in tests for call in calls), (
        "no widget draws with a graded student function, like `widgets.kernel_gallery(corr2d)`")
    for call in WIDGET_CALLS.get(assignment, []):
        assert call in calls, f"the SPEC's widget call `{call}` is missing (each in a cell of its own)"
    for call, index in calls.items():
        function = WIDGET_CALL.fullmatch(call)["function"]
        if function in tests:
            assert index > tests[function][0], f"`{call}` comes before {function} is written and tested"


# --- nbgrader validate ------------------------------------------------------------------------

SUMMARY = re.compile(
    r"(?P<passed>Success! Your notebook passes all the tests\.)"
    r"|VALIDATION FAILED ON (?P<failed>\d+) CELL\(S\)!"
    r"|THE CONTENTS OF (?P<changed>\d+) TEST CELL\(S\) HAVE CHANGED!"
    r"|THE TYPES OF (?P<types>\d+) CELL\(S\) HAVE CHANGED!"
)


@pytest.fixture(scope="module")
def validated():
    """Run `nbgrader validate` on all notebooks; return {(assignment, version): (summary match, output)}.

    One nbgrader process per version (its start-up alone takes seconds), both at once. nbgrader
    prints one summary line per notebook, in the order of its arguments.
    """
    groups = {
        "source": ["--Validator.validate_all=True"],  # an error in any cell fails, not just in graded ones
        "student": [],
    }
    processes = {}
    for version, options in groups.items():
        paths = [str(VERSIONS[version](a)) for a in ASSIGNMENTS]
        processes[version] = subprocess.Popen(
            nbgrader_command("validate", *options, *paths), cwd=ROOT, env=nbgrader_env(),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
    results = {}
    for version, process in processes.items():
        try:
            output, _ = process.communicate(timeout=VALIDATE_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
            pytest.fail(f"nbgrader validate of the {version} notebooks took more than {VALIDATE_TIMEOUT} s:\n{output}")
        summaries = list(SUMMARY.finditer(output))
        assert len(summaries) == len(ASSIGNMENTS), f"nbgrader validate ({version}) did not report on every notebook:\n{output}"
        for assignment, summary in zip(ASSIGNMENTS, summaries):
            results[assignment, version] = (summary, output)
    return results


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_instructor_notebook_passes_validate(validated, assignment):
    summary, output = validated[assignment, "source"]
    assert summary["passed"], f"nbgrader validate course/source/{assignment}: {summary[0]}\n{output}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_notebook_fails_validate_on_every_graded_cell(validated, assignment):
    summary, output = validated[assignment, "student"]
    graded = sum(1 for cell in notebook(assignment, "student").cells if nbgrader_meta(cell).get("grade"))
    assert summary["failed"] and int(summary["failed"]) == graded, (
        f"nbgrader validate exercises/{assignment}: expected {graded} failed cells, got: {summary[0]}\n{output}")
