"""The instructor's batch process: ``python -m autograder grade``, nbgrader's autograde with student code in a sandbox."""
