"""Commands around grading: the self-check of a notebook, the demo course, simulated students, the student edition."""
