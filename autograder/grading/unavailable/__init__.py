# Mounted by the grader's sandbox in place of torch, scipy and the reference package `solutions`
# (see autograder/grading/isolation.py): importing any of them there fails with this message.
raise ImportError(
    f"{__name__} is not available while notebooks are graded: graded functions compute with "
    f"NumPy alone, and the grader switches off the libraries that would do the job for them"
)
