"""A small grading run's results, for the tests of the reports."""

# Renamed so that pytest does not take the dataclass for a test class.
from autograder.grading.results import StudentResult, TestResult as CellResult

REASON = 'forbidden call: np.convolve, "scipy"\nin corr2d'


def results():
    """A small run, out of order: graded, flagged (a reason with a comma, quotes and a newline),
    missing, a score with float noise, a zero maximum and an assignment nobody submitted."""
    return [
        StudentResult("ch2", "alice", "graded", "", 0.1 + 0.2, 3,
                      (CellResult("pad_more", "pad2d", 3, 0.1 + 0.2, 2, 3),)),
        StudentResult("ch1", "bob", "flagged", REASON, 4, 16, (
            CellResult("corr2d_tests", "corr2d", 10, 4, 2, 5),
            CellResult("apply_padding_tests", "pad", 6, 0, 0, 0, "not reached")), seconds=3.25),
        StudentResult("ch1", "carol", "missing", "no submission", 0, 16,
                      (CellResult("corr2d_tests", "corr2d", 10, 0),)),
        StudentResult("ch1", "alice", "graded", "", 13.5, 16, (
            CellResult("corr2d_tests", "corr2d", 10, 10, 5, 5),
            CellResult("apply_padding_tests", "pad", 6, 3.5, 2, 4)),
            feedback="feedback/ch1/alice.html", seconds=2.1),
        StudentResult("ch2", "dave", "graded", "", 0, 0),
        StudentResult("ch3", "carol", "missing", "no submission", 0, 5),
    ]
