"""numpy's convolutions switched off, as the grader's sandbox does, in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import numpy as np
    from autograder.kernel import forbidden, guard
    forbidden.switch_off_numpy()
    import numpy._core.multiarray as multiarray
    for call in (lambda: np.convolve([1, 2], [1]), lambda: np.correlate([1, 2], [1]),
                 lambda: multiarray.correlate2(np.ones(3), np.ones(2), 0)):
        outcome = guard.run(call, 1.0, watch=False)
        print(outcome.error_type, outcome.forbidden)
    # An honest call made without the profiler carries no label, and a stand-in keeps no numpy function.
    print(guard.run(lambda: np.ones(3).sum(), 1.0, watch=False).forbidden)
    cells = [c.cell_contents for c in np.correlate.__closure__ or ()]
    print(all(isinstance(c, str) for c in cells))
    # The seal takes the stand-ins for numpy's own (the recorder seals after switching them off).
    from autograder.kernel import tamper
    tamper.seal()
    print(tamper.problems())
""")


def test_the_sandbox_switches_off_numpys_convolutions_and_notes_each_call():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "ForbiddenCall ('numpy.convolve',)", "ForbiddenCall ('numpy.correlate',)", "ForbiddenCall ('numpy.correlate',)",
        "()", "True", "[]"]
