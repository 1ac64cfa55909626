"""Calling the student's function so that its bugs show up as messages, never as a dead widget.

A widget draws with whatever function the notebook gives it, often a stub that still raises
``NotImplementedError`` or a first attempt that returns the wrong shape. :func:`call` turns each
such outcome into a short message that the widget shows in place of the picture it could not
draw; the rest of the widget keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Result:
    """What a call of the student's function gave: a value, or a message saying what went wrong."""

    value: object = None
    problem: str | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def name_of(func, default: str) -> str:
    """Return the name the notebook knows ``func`` by, or ``default`` for a lambda or a partial."""
    name = getattr(func, "__name__", None)
    return name if name and name.isidentifier() else default


def _shape(shape) -> str:
    return "(" + ", ".join(str(n) for n in shape) + (",)" if len(shape) == 1 else ")")


def call(func, *args, name: str, shape: tuple[int, ...] | None = None) -> Result:
    """Return ``func(*args)`` as a float array of ``shape``, or the problem, in words.

    Every array argument is passed as a copy, so a function that writes into its input cannot
    change what the widget draws next.
    """
    args = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    try:
        value = func(*args)
    except NotImplementedError as error:
        return Result(problem=f"{name} raised NotImplementedError: implement it above, then re-run this cell",
                      error=error)
    except Exception as error:  # noqa: BLE001 - any bug of the student's is a message, not a crash
        detail = f": {error}" if str(error) else ""
        return Result(problem=f"{name} raised {type(error).__name__}{detail}", error=error)
    if shape is None:
        return Result(value)
    array = as_array(value, shape)
    return Result(problem=f"{name} returned {array}") if isinstance(array, str) else Result(array)


def as_array(value, shape: tuple[int, ...], part: str | None = None) -> np.ndarray | str:
    """Return ``value`` as a float array of ``shape``, or what is wrong, worded to follow "f returned ".

    ``part`` names the value when it is one part of what the function returned (``"dX"``,
    ``'grads["W1"]'``); without it the value is the whole result.

    >>> as_array([[1, 2]], (1, 2))
    array([[1., 2.]])
    >>> as_array(None, (2,))
    'None (a missing return?); expected an array of shape (2,)'
    >>> as_array([1, 2, 3], (2,), part="dK")
    'dK of shape (3,); expected (2,)'
    """
    if value is None:
        what = "None (a missing return?)" if part is None else f"{part} = None"
        return f"{what}; expected an array of shape {_shape(shape)}"
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return f"{'' if part is None else part + ' as '}a {type(value).__name__}, not an array of numbers"
    if array.shape != tuple(shape):
        return f"{'' if part is None else part + ' of '}shape {_shape(array.shape)}; expected {_shape(shape)}"
    return array
