# Mounted by the grader's sandbox in place of torch, scipy and the reference package `solutions`
# (see autograder/grading/isolation.py): importing any of them there fails with this error. The
# grader recognises it by its class name (isolation.SWITCHED_OFF_ERROR) and the module by `name`.


class SwitchedOff(ImportError):
    """A package the grader switches off while notebooks are graded."""


raise SwitchedOff(
    f"{__name__} is not available while notebooks are graded: graded functions compute with "
    f"NumPy alone, and the grader switches off the libraries that would do the job for them",
    name=__name__,
)
