"""nbgrader configuration of the course "convolution, hands-on".

Run nbgrader from this folder (`cd course && nbgrader ...`, or `make release` from the
repository root): nbgrader reads `nbgrader_config.py` from the working directory.

Layout, relative to this folder:

    source/<assignment>/<assignment>.ipynb   instructor notebooks: solutions and hidden tests
    ../exercises/<assignment>/                the student versions (`generate_assignment`)
    gradebook.db                              the gradebook (SQLite, not committed)
    submitted/, autograded/, feedback/, ...   nbgrader's working folders (not committed)

The assignment ids are fixed by the syllabus: ch1_cross_correlation, ch2_padding_stride,
ch3_channels, ch4_one_by_one, ch5_pooling, ch6_conv_variants, one notebook each, named like
its assignment. nbgrader 0.9 has no list of assignments in its configuration: `nbgrader
generate_assignment` adds each one to the gradebook when it first generates it
(`GenerateAssignment.create_assignment`, on by default).
"""

import os

from autograder.grading import steps

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

# nbgrader's own entry points (`nbgrader autograde`, formgrader's Autograde button) grade as
# `python -m autograder grade` does: student code in the sandbox, checks judged outside it,
# flagged notebooks marked in the gradebook, the feedback without hidden tests.
steps.configure(c)
# The cell timeout of both (nbgrader's own setting); the sandbox's other limits can be set here too,
# e.g. c.SandboxedExecute.wall_seconds = 120, c.SandboxedExecute.memory_mb = 2048.
c.Execute.timeout = 30

# The folder of this file, not the working directory: the same course whatever folder
# nbgrader is started from, and a copy of the folder (as the tests make) is a course of its own.
HERE = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.root = HERE
c.CourseDirectory.course_id = "convolution-hands-on"

# The student versions go straight to the repository's exercises/ folder, which is committed:
# the release step's folder name is taken relative to the root, so `../exercises` puts
# assignment <id> in exercises/<id>/. nbgrader's exchange (`nbgrader release_assignment`) reads
# from the same folder, so what students fetch is exactly what the repository holds.
c.CourseDirectory.release_directory = os.path.join(os.pardir, "exercises")

# The default gradebook: SQLite in this folder. For parallel or multi-machine grading pass a
# PostgreSQL URL instead: `--CourseDirectory.db_url=postgresql://user@host/dbname`.
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(HERE, "gradebook.db")

# nbgrader's default stub, stated here because the course relies on it: a student function
# raises NotImplementedError until it is written, and the tests of the release look for it.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
