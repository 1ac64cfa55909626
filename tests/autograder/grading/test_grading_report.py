"""The reports of a grading run: exact CSV tables, a PNG made without pyplot, the terminal table
and the progress display on a terminal, in a log and on a broken stream."""

import io
import pathlib
import struct
import subprocess
import sys

import pytest

from autograder.grading.progress import Progress
from autograder.grading.report import format_table, write_reports
from autograder.grading.results import StudentResult
from grading_results import results


def read(path):
    with open(path, newline="") as file:
        return file.read().split("\r\n")


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_grades_csv_is_exact(tmp_path):
    paths = write_reports(results(), tmp_path / "reports")
    assert read(paths["grades"]) == [
        "assignment,student,status,reason,score,max_score,percent,feedback",
        "ch1,alice,graded,,13.5,16,84.4,feedback/ch1/alice.html",
        'ch1,bob,flagged,"forbidden call: np.convolve, ""scipy"" in corr2d",4,16,25.0,',
        "ch1,carol,missing,no submission,0,16,0.0,",
        "ch2,alice,graded,,0.3,3,10.0,",
        "ch2,dave,graded,,0,0,,",
        "ch3,carol,missing,no submission,0,5,0.0,",
        "",
    ]


def test_tests_csv_in_notebook_order_without_missing_submissions(tmp_path):
    paths = write_reports(results(), tmp_path)
    assert read(paths["tests"]) == [
        "assignment,grade_id,name,points,students,mean_score,full_credit_rate,case_pass_rate",
        "ch1,corr2d_tests,corr2d,10,2,7,0.500,0.700",
        "ch1,apply_padding_tests,pad,6,2,1.75,0.000,0.500",
        "ch2,pad_more,pad2d,3,1,0.3,0.000,0.667",
        "",
    ]


def test_plot_is_a_png(tmp_path):
    width, height = png_size(write_reports(results(), tmp_path)["plot"])
    assert width > 0 and height > width  # three panels stacked


def test_plot_leaves_matplotlib_alone(tmp_path):
    # A fresh interpreter, since in this one an earlier test may already have changed the state.
    # Reading rcParams["backend"] would itself import pyplot to choose one, hence auto_select.
    script = f"""
import sys, matplotlib
sys.path.insert(0, {str(pathlib.Path(__file__).parents[2] / "support")!r})
from grading_results import results
from autograder.grading.report import write_reports
state = lambda: (matplotlib.get_backend(auto_select=False),
                 {{k: matplotlib.rcParams[k] for k in matplotlib.rcParams if k != "backend"}})
before = state()
write_reports(results(), {str(tmp_path)!r})
assert state() == before, "matplotlib's global state changed"
assert "matplotlib.pyplot" not in sys.modules, "pyplot was imported"
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=pathlib.Path(__file__).parents[3])
    assert run.returncode == 0, run.stderr
    png_size(tmp_path / "grades.png")


def test_files_are_replaced_without_leftovers(tmp_path):
    write_reports(results(), tmp_path)
    paths = write_reports(results()[:1], tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grades.csv", "grades.png", "tests.csv"]
    assert len(read(paths["grades"])) == 3
    assert paths == {"grades": tmp_path / "grades.csv", "tests": tmp_path / "tests.csv",
                     "plot": tmp_path / "grades.png"}


def test_empty_run(tmp_path):
    paths = write_reports([], tmp_path)
    assert read(paths["grades"]) == [
        "assignment,student,status,reason,score,max_score,percent,feedback", ""]
    assert len(read(paths["tests"])) == 2
    assert min(png_size(paths["plot"])) > 0
    assert format_table([]) == "no submissions"


def test_format_table():
    long = StudentResult("ch3", "erin", "flagged", "x" * 300, 1, 5)
    assert format_table(results() + [long]) == "\n".join([
        "student  ch1             ch2           ch3",
        "alice    13.5/16 graded  0.3/3 graded  -",
        "bob      4/16 FLAGGED    -             -",
        "carol    0/16 missing    -             0/5 missing",
        "dave     -               0/0 graded    -",
        "erin     -               -             1/5 FLAGGED",
        "",
        "flagged:",
        '  bob ch1: forbidden call: np.convolve, "scipy" in corr2d',
        "  erin ch3: " + "x" * 97 + "...",
    ])


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def test_progress_in_a_log_prints_a_line_per_result():
    stream = io.StringIO()
    ch1 = sorted(results()[1:4], key=lambda r: r.student)
    with Progress(3, stream) as progress:
        for result in ch1:
            progress.update(result)
    assert stream.getvalue().splitlines() == [
        "[1/3] ch1 alice: 13.5/16 graded (2.1 s)",
        '[2/3] ch1 bob: 4/16 FLAGGED (3.2 s) - forbidden call: np.convolve, "scipy" in corr2d',
        "[3/3] ch1 carol: 0/16 missing (0.0 s)",
    ]


def test_progress_gives_the_time_left_from_the_first_result_of_the_workers():
    stream = io.StringIO()
    alice, _, carol = sorted(results()[1:4], key=lambda r: r.student)
    with Progress(3, stream, workers=2) as progress:
        progress.started(0, ("ch1", "alice"))
        progress.started(1, ("ch1", "bob"))
        progress.finished(0, alice)
        progress.finished(1, None)  # a worker that died: counted, not shown
        progress.started(0, ("ch1", "carol"))
        progress.finished(0, carol)
    first, last = stream.getvalue().splitlines()
    assert first.startswith("[1/3] ch1 alice: 13.5/16 graded (2.1 s, eta 0:0")
    assert last == "[3/3] ch1 carol: 0/16 missing (0.0 s)"  # nothing left: no ETA


def test_progress_on_a_terminal_redraws_one_line():
    stream = FakeTTY()
    progress = Progress(20, stream)
    long = StudentResult("ch1_cross_correlation", "a" * 200, "graded", "", 1, 2)
    short = StudentResult("ch1", "bob", "graded", "", 13.5, 16)
    progress.update(long)
    progress.update(short)
    assert "\n" not in stream.getvalue()
    first, second = stream.getvalue().split("\r")[1:]
    assert len(first) == len(second) == 100  # clipped, then the leftovers blanked
    assert first.startswith("grading [#...................] 1/20  ch1_cross_correlation aaa")
    assert second.rstrip() == "grading [##..................] 2/20  ch1 bob: 13.5/16 graded"
    progress.close()
    assert stream.getvalue().endswith("\n") and stream.getvalue().count("\n") == 1
    progress.close()  # a second close adds nothing
    assert stream.getvalue().count("\n") == 1


class Broken(io.StringIO):
    def write(self, text):
        raise BrokenPipeError


@pytest.mark.parametrize("make", [io.StringIO, FakeTTY, Broken])
def test_progress_survives_a_closed_or_broken_stream(make):
    stream = make()
    with Progress(2, stream) as progress:
        progress.update(results()[0])
        stream.close()
        progress.update(results()[1])
