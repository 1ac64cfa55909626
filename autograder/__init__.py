"""The course's autograder: the checks that test cells call, the sandboxed batch grader, and its tools.

A graded test cell ends with ``check(name, fn, points, hidden=...)``, which runs the cases of the
SPEC function ``name`` against the student's ``fn``, prints feedback and returns the points as
the cell's value (a float nbgrader reads as partial credit).

The folders say where the code runs:

===============================  ==================================================================
**shared** (pure, run anywhere)
``problems``                     what can be wrong with a case: kinds, and the sentences students read
``compare``                      shape, dtype, then values with written tolerances
``calling``                      a case's arguments and how a graded function is called (all the sandbox knows)
``observations``                 what a watched call of student code did, as data
``verdicts``                     judging a case, summing up a check, the feedback text
``score``                        ``Score``: the float a test cell returns
``transport``                    the plan into the sandbox and the records out of it, as JSON
``casebook``                     the syllabus and the cases: from the case modules, or the student edition's data
``syllabus``                     what a chapter declares: assignment id, graded functions, widgets
**kernel/** (beside student code, in a student's kernel or in the sandbox)
``kernel.check``                 ``check`` in a test cell: observe, judge, print, return the score
``kernel.recorder``              ``check`` in the sandbox: observe and record, judge nothing
``kernel.observe``               the student's call on each case
``kernel.guard``                 one watched call: time budget, captured output, forbidden calls
``kernel.forbidden``             which library calls do the job (torch, scipy, numpy, ``solutions``)
``kernel.tamper``                noticing replaced numpy, builtins, ``solutions`` or autograder code
**cases/** (the instructor's: references, hidden cases, known mistakes; never in the student edition)
``cases.base``                   ``Graded`` and ``Mistake``, random inputs, size hints
``cases.ch1`` ... ``cases.ch7``  one chapter each, ending with its syllabus entry ``CHAPTER``
**grading/** (the instructor's batch process: ``python -m autograder grade``, ``report``, ``slurm``)
``grading.command``              the ``grade`` and ``report`` commands
``grading.pipeline``             every student through the steps below, then the reports
``grading.workers``              students graded in parallel worker processes
``grading.course``               the course folder, its configuration, gradebook and roster
``grading.intake``               looking at a submission and staging what will be graded
``grading.workflow``             nbgrader's own autograde and feedback, run in-process
``grading.steps``                nbgrader's autograde and feedback steps with ours in place, for every entry point
``grading.execute``              nbgrader's Execute step, replaced: run in the sandbox, judge outside
``grading.prepare``              the test cells, the plan of cases, the notebook that runs in the sandbox
``grading.sandbox``              running one command under bubblewrap, with limits
``grading.isolation``            what the sandbox hides, switches off and passes in
``grading.runner``               runs the prepared notebook inside the sandbox
``grading.cells``                the autograded cells: tests judged from the records, other outputs cleaned
``grading.feedback``             the feedback HTML, from the notebooks autograde left in memory
``grading.flags``                why a student is flagged: kinds, and the sentences of the reports
``grading.results``              the record of one student's grading
``grading.records``              finished students' records, for resuming a batch
``grading.report``               grades.csv, tests.csv, grades.png and the table
``grading.progress``             the progress display
``grading.slurm``                the batch grader as a SLURM job array, and a report job after it
**tools/** (commands around grading)
``tools.selfcheck``              ``python -m autograder check NOTEBOOK``: run a notebook, print its grade
``tools.demo``                   ``python -m autograder demo``: a demo course, a simulated class, graded
``tools.simulate``               simulated student work on a released notebook
``tools.edition``                building the student edition, a wheel without answers
===============================  ==================================================================

``from autograder import check`` loads only the shared modules and ``kernel/`` (with numpy), and
the case modules on the first check (with ``solutions``), never torch or scipy. In the sandbox
of the batch grader (``AUTOGRADER_RECORD`` set) ``check`` is :func:`autograder.kernel.recorder.check`
instead, which only records what the student's function returns: the sandbox cannot reach
``solutions``, and the grading happens outside it.
"""

import os

__all__ = ["check", "Score"]


def __getattr__(name: str):
    if name == "check":
        from .transport import RECORD_ENV

        if os.environ.get(RECORD_ENV):
            from .kernel.recorder import check
        else:
            from .kernel.check import check
        return check
    if name == "Score":
        from .score import Score
        return Score
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
