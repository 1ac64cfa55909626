"""Judging in the batch grader: what the sandbox records crosses as data, and outside it reads as in a test cell.

A small chapter-2 notebook runs through the sandboxed Execute step (and, for comparison, through
the same step without the sandbox): a function that calls a wrong ``output_size`` is told to fix
``output_size`` first, a ``pad2d`` that pads what PyTorch refuses fails the cases that must raise,
and each test cell's result carries its summary as HTML beside the float nbgrader reads.
"""

from __future__ import annotations

import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.utils import determine_grade
from nbgrader_course import graded_cell
from student_code import CORR2D_PAD_STRIDE, OUTPUT_SIZE_PADDING_ONCE, PAD2D_UNCHECKED, REFUSED, UPSTREAM

from autograder import transport
from autograder.calling import Calling, Case, Raises
from autograder.grading import cells, execute, isolation, prepare, sandbox

# A wrong output_size, a pad2d without its checks, and a right corr2d_pad_stride that calls them.
STUDENT = OUTPUT_SIZE_PADDING_ONCE + PAD2D_UNCHECKED + CORR2D_PAD_STRIDE


def _test_cell(name: str, points: float):
    source = f'from autograder import check\nhidden = False\n### BEGIN HIDDEN TESTS\nhidden = True\n### END HIDDEN TESTS\ncheck("{name}", {name}, points={points}, hidden=hidden)'
    return graded_cell(source, f"test_{name}", points)


def _graded(tmp_path, no_sandbox: bool):
    nb = new_notebook(cells=[new_code_cell("import numpy as np\nfrom autograder import check"), new_code_cell(STUDENT),
                             _test_cell("output_size", 2), _test_cell("pad2d", 4), _test_cell("corr2d_pad_stride", 4)],
                      metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}})
    folder = tmp_path / "course" / "autograded" / "student" / "ch2"
    folder.mkdir(parents=True)
    settings = execute.Settings(execute.Options(cell_timeout=60, no_sandbox=no_sandbox),
                                isolation.isolation(str(tmp_path / "course")))
    step = execute.SandboxedExecute(settings=settings)
    resources = {"nbgrader": {"notebook": "ch2", "assignment": "ch2_padding_stride"}, "metadata": {"path": str(folder)}}
    nb, _ = step.preprocess(nb, resources)
    return nb, {test.name: test for test in step.reports["ch2"].tests}


@pytest.mark.parametrize("no_sandbox", [False, True], ids=["sandbox", "no-sandbox"])
def test_dependency_hints_refusals_and_html_results_in_the_batch_grader(tmp_path, no_sandbox):
    if not no_sandbox and not sandbox.available():
        pytest.skip("bubblewrap cannot run here")
    nb, tests = _graded(tmp_path, no_sandbox)
    texts = {name: nb.cells[index].outputs[0].text for index, name in ((2, "output_size"), (3, "pad2d"),
                                                                       (4, "corr2d_pad_stride"))}
    failed = texts["corr2d_pad_stride"].count("  FAIL  ")
    assert failed and texts["corr2d_pad_stride"].count(UPSTREAM) == failed, texts["corr2d_pad_stride"]
    assert REFUSED in texts["pad2d"] and "FAIL  [hidden] circular padding larger than the input" in texts["pad2d"]
    assert tests["pad2d"].passed == tests["pad2d"].total - 3  # the three cases that must raise
    for index, name in ((2, "output_size"), (3, "pad2d"), (4, "corr2d_pad_stride")):
        result = nb.cells[index].outputs[1]
        assert result.data["text/plain"] == repr(tests[name].score)
        assert determine_grade(nb.cells[index])[0] == tests[name].score
        summary = texts[name].rstrip().splitlines()[-1]
        assert f"{tests[name].passed}/{tests[name].total} cases passed" in summary and " points" in summary
        assert summary.split(":", 1)[1] in result.data["text/html"] and f"<b>{name}</b>" in result.data["text/html"]


def test_the_plan_carries_the_related_functions_visible_cases_once_without_answers():
    tests = [prepare.TestCell(2, "test_pad2d", "pad2d", 4.0, True),
             prepare.TestCell(4, "test_corr2d_pad_stride", "corr2d_pad_stride", 4.0, True)]
    judged = prepare.plan(tests, prepare.Expectations())
    sent = prepare.sandbox_plan(judged)
    # The same chapter's and the earlier ones': chapter 1's, chapter 2's others, no later one.
    assert list(sent["corr2d_pad_stride"].related) == ["corr2d", "convolve2d", "Conv2D", "learn_kernel",
                                                       "output_size", "pad2d", "same_padding"]
    assert list(judged["pad2d"].related)[-3:] == ["output_size", "corr2d_pad_stride", "same_padding"]
    text = transport.pack_plan(sent)
    assert text.count('"n", {"t": "int", "v": 8}') == 5  # output_size's visible cases, written once
    assert '"expected"' not in text and "raises" not in text
    back = transport.unpack_plan(text)
    assert [c.description for c in back["corr2d_pad_stride"].related["pad2d"][1]] == [
        c.description for c in judged["corr2d_pad_stride"].related["pad2d"][1]]
    assert all(c.expected is None for c in back["pad2d"].cases)


def test_a_case_that_must_raise_crosses_as_data_and_only_as_an_expected_value():
    case = Case((("X", np.ones((4, 4))), ("padding", (4, 0)), ("mode", "reflect")), "too large",
                expected=Raises("ValueError", "too large, as in PyTorch"))
    data = transport.pack_case(case, expected=True)
    assert transport.unpack_case(data).expected == case.expected
    # A student's function that returns a Raises of its own gets it back only as a foreign object.
    assert type(transport.unpack(transport.pack(Raises("ValueError")))).__name__ == "Foreign"
    assert type(transport.unpack_expected(transport.pack(3))) is int


def test_related_observations_that_do_not_read_as_data_cost_a_hint_never_points():
    calling = Calling("output_size", ("n", "k"), "int")
    assert transport.unpack_related([["output_size", []], ["corr2d", [{}]]], {"output_size": 0}) == {"output_size": []}
    assert transport.unpack_related([["pad2d", [1, 2]]], {"pad2d": 1}) == {}
    with pytest.raises(transport.Malformed):
        transport.unpack_related({"output_size": []}, {"output_size": 1})
    assert calling.call_text(Case((("n", 8), ("k", 3), ("padding", 1)))) == "output_size(8, 3, padding=1)"


def test_a_test_cell_without_a_record_is_judged_with_its_summary_in_html():
    tests = [prepare.TestCell(2, "test_pad2d", "pad2d", 4.0, False)]
    judged = prepare.plan(tests, prepare.Expectations())
    result, text = cells.judge_test(judged["pad2d"], None, "never ran: the kernel died")
    outputs = cells.cell_outputs(text, result.score, 3)
    assert outputs[1].data["text/plain"] == "0.0" and "never ran: the kernel died" in outputs[1].data["text/html"]
    assert cells.cell_outputs("x", 1.5, 1)[1].data == {"text/plain": "1.5"}


def test_a_checks_plan_with_its_hidden_cases_is_packed_apart_from_the_one_without():
    # The batch packs each set of checks once: the same name asking for its hidden cases or not is two sets.
    expectations = prepare.Expectations()
    packed = [expectations.packed_plan(prepare.plan([prepare.TestCell(2, "test_pad2d", "pad2d", 4.0, hidden)],
                                                    expectations)) for hidden in (True, False)]
    counts = [len(transport.unpack_plan(text)["pad2d"].cases) for text in packed]
    assert counts[0] > counts[1] == len(expectations.cases("pad2d", False)[1])
