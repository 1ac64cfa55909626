"""What runs beside student code: in a student's kernel (a test cell's ``check``) or in the grader's sandbox.

Nothing here imports ``solutions`` or the case modules (:mod:`autograder.cases`), which the
sandbox hides and the student edition leaves out; the expected values reach a test cell's
``check`` through :mod:`autograder.casebook`.
"""
