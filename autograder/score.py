"""The value a test cell ends with: a float that nbgrader reads as the cell's partial credit.

nbgrader parses the ``text/plain`` of the cell's result with ``float()`` and gives *full* credit
when that fails, so the representation must be a plain float literal: ``Score`` is a float
whose ``repr`` is exactly ``float.__repr__``, with the details as attributes.
"""

from __future__ import annotations


def points_for(points: float, passed: int, total: int) -> float:
    """Return ``points * passed / total`` rounded to 2 decimals (0 when there are no cases)."""
    return round(points * passed / total, 2) if total else 0.0


class Score(float):
    """The points a check earned; ``repr`` is a plain float, details are attributes.

    Attributes: ``name`` (the graded function), ``passed`` and ``total`` (cases), ``points``
    (the maximum) and ``reason`` (why it is 0 regardless of cases, e.g. a forbidden call).
    """

    def __new__(cls, value: float, name: str = "", passed: int = 0, total: int = 0,
                points: float = 0.0, reason: str = ""):
        score = super().__new__(cls, value)
        score.name, score.passed, score.total, score.points, score.reason = name, passed, total, points, reason
        return score

    def __repr__(self) -> str:
        return float.__repr__(self)

    __str__ = __repr__
