"""The value a test cell ends with: a float that nbgrader reads as the cell's partial credit.

nbgrader parses the ``text/plain`` of the cell's result with ``float()`` and gives *full* credit
when that fails, so that representation must be a plain float literal: ``Score`` is a float
whose ``repr`` is exactly ``float.__repr__``, with the details as attributes. JupyterLab shows
the ``text/html`` of a result where there is one: :meth:`Score._repr_html_` is the check's
summary line (from :mod:`autograder.verdicts`) in a box coloured by how many cases passed.

>>> score = Score(2.0, "corr2d", 2, 4, 4.0, summary="corr2d: 2/4 cases passed, 2 of 4 points", complete=True)
>>> repr(score)
'2.0'
>>> print(score._repr_html_())
<div class="autograder-score" style="border-left: 4px solid #b26a00; padding: 2px 8px"><b>corr2d</b>: 2/4 cases passed, 2 of 4 points</div>
"""

from __future__ import annotations

import html

#: The colour of the box: every case passed, some did, none did (or the check was refused).
PASSED, PARTIAL, FAILED = "#2e7d32", "#b26a00", "#c62828"


def points_for(points: float, passed: int, total: int) -> float:
    """Return ``points * passed / total`` rounded to 2 decimals (0 when there are no cases)."""
    return round(points * passed / total, 2) if total else 0.0


class Score(float):
    """The points a check earned; ``repr`` is a plain float, details are attributes.

    Attributes: ``name`` (the graded function), ``passed`` and ``total`` (cases), ``points``
    (the maximum), ``reason`` (why it is 0 regardless of cases, e.g. a forbidden call),
    ``complete`` (whether the hidden cases ran too: only then is the value the grade) and
    ``summary`` (the feedback's last line, shown as the cell's result in JupyterLab).
    """

    def __new__(cls, value: float, name: str = "", passed: int = 0, total: int = 0,
                points: float = 0.0, reason: str = "", summary: str = "", complete: bool = False):
        score = super().__new__(cls, value)
        score.name, score.passed, score.total, score.points, score.reason = name, passed, total, points, reason
        score.summary, score.complete = summary, complete
        return score

    def __repr__(self) -> str:
        return float.__repr__(self)

    __str__ = __repr__

    @property
    def colour(self) -> str:
        """Return :data:`PASSED`, :data:`PARTIAL` or :data:`FAILED` for the box around the summary."""
        if self.reason or not self.passed:
            return FAILED
        return PASSED if self.passed == self.total else PARTIAL

    def _repr_html_(self) -> str:
        text = self.summary or f"{self.name}: {float.__repr__(self)}"
        head, colon, rest = text.partition(":")
        body = f"<b>{html.escape(head)}</b>:{html.escape(rest)}" if colon and head == self.name else html.escape(text)
        return (f'<div class="autograder-score" style="border-left: 4px solid {self.colour}; '
                f'padding: 2px 8px">{body}</div>')
