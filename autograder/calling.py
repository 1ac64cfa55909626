"""How a graded function is called: a :class:`Case` (the arguments of one call) and its :class:`Calling`.

This is all that the code running beside student code needs to know about a graded function,
and all that enters the sandbox: nothing here knows an expected value or imports ``solutions``.
The instructor's side adds the reference, the case generators and the known mistakes
(:class:`autograder.cases.base.Graded`). A case whose right outcome is an exception says so
with a :class:`Raises` as its expected value.

>>> calling = Calling("corr2d", positional=("X", "K"))
>>> case = Case((("X", np.arange(9).reshape(3, 3)), ("K", np.ones((2, 2)))), label="worked example")
>>> case.description
'worked example: X (3, 3) int64, K (2, 2) float64'
>>> calling.call_text(case)
'corr2d(X, K) on X (3, 3) int64, K (2, 2) float64'
>>> calling.call(lambda X, K: X.shape, case.arguments())
(3, 3)
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import numpy as np

from . import compare


#: Seconds a single case may take (``AUTOGRADER_TIME_LIMIT`` overrides). A loop implementation
#: of any graded function takes well under 0.1 s per case, so this only stops runaway code.
DEFAULT_TIME_LIMIT = 3.0


def time_budget() -> float:
    """Return the seconds one case may take: ``AUTOGRADER_TIME_LIMIT``, else :data:`DEFAULT_TIME_LIMIT`."""
    try:
        value = float(os.environ.get("AUTOGRADER_TIME_LIMIT", DEFAULT_TIME_LIMIT))
    except ValueError:
        return DEFAULT_TIME_LIMIT
    return value if value > 0 else DEFAULT_TIME_LIMIT


class Unfit(Exception):
    """Raised by a case's own harness (not the student's code) to fail the case with a plain message."""


@dataclasses.dataclass(frozen=True)
class Raises:
    """The expected outcome of a case whose arguments must be refused: an exception of class ``error``.

    ``why`` says, for the student, what is wrong with the arguments (``"reflect padding of 4 rows
    on a 4-row input is too large, as in PyTorch"``). The case passes when the student's function
    raises an exception of that class name (``error``; the grader only ever sees the name).
    """

    error: str
    why: str = ""


@dataclasses.dataclass(frozen=True)
class Case:
    """One call of the graded function: named arguments, and what it is meant to show.

    ``values`` holds ``(name, value)`` pairs in call order; the :class:`Calling` says which are
    passed by position. ``expected`` is given for the worked examples of the text (the case
    modules' tests check the reference agrees); otherwise the reference computes it.
    """

    values: tuple[tuple[str, Any], ...]
    label: str = ""
    hidden: bool = False
    expected: Any = None
    tolerance: tuple[float, float] | None = None

    def arguments(self) -> dict[str, Any]:
        """Return a fresh copy of the arguments (arrays copied, so no call sees another's changes)."""
        return {name: _copy(value) for name, value in self.values}

    def changed(self, arguments: dict[str, Any]) -> list[str]:
        """Return the names of the arguments (arrays, or dicts of arrays) that differ from the case's originals."""
        return [name for name, original in self.values if _changed(original, arguments[name])]

    @property
    def description(self) -> str:
        """Return the case in a line: ``'worked example: X (5, 5) int64, K (3, 3) int64'``."""
        text = ", ".join(describe_value(name, value) for name, value in self.values)
        return f"{self.label}: {text}" if self.label else text


def _copy(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if type(value) is dict:
        return {key: _copy(item) for key, item in value.items()}
    if type(value) is list:  # a list argument (a pair given as a list) that a call may append to
        return [_copy(item) for item in value]
    return value


def _changed(original, now) -> bool:
    if isinstance(original, np.ndarray):
        return (not isinstance(now, np.ndarray) or now.shape != original.shape or now.dtype != original.dtype
                or not (np.ndarray.view(now, np.ndarray) == original).all())
    if type(original) is dict:
        return type(now) is not dict or now.keys() != original.keys() or any(
            _changed(item, now[key]) for key, item in original.items())
    return False


def describe_value(name: str, value) -> str:
    """Return ``'X (5, 5) int64'`` for an array, ``'params {W1 (4, 1, 3, 3) float64, ...}'`` for a dict, else ``name=value``."""
    if isinstance(value, np.ndarray):
        return f"{name} {value.shape} {value.dtype}"
    if type(value) is dict:
        return f"{name} {{{', '.join(describe_value(str(key), item) for key, item in value.items())}}}"
    return f"{name}={value!r}"


@dataclasses.dataclass(frozen=True)
class Calling:
    """How to call one graded function of the SPEC, and what it returns.

    ``positional``: the argument names passed by position (the others by keyword); ``result``:
    the result spec (:data:`autograder.compare.ARRAY`, ``INT``, ``SCALAR`` or a structure of
    them); ``harness``: the name of a function in :data:`HARNESSES` that calls the student's
    object (a class, say), or of one in :data:`DECODERS` that turns the case's data into the
    arguments every callee takes, or ``""`` to call it directly.
    """

    name: str
    positional: tuple[str, ...]
    result: Any = compare.ARRAY
    harness: str = ""

    def split(self, arguments: dict[str, Any]) -> tuple[tuple, dict]:
        """Return ``(args, kwargs)`` for a call, from named arguments."""
        args = tuple(arguments[name] for name in self.positional if name in arguments)
        kwargs = {name: value for name, value in arguments.items() if name not in self.positional}
        return args, kwargs

    def decode(self, arguments: dict[str, Any]) -> tuple[tuple, dict]:
        """Return ``(args, kwargs)`` for a call, as every callee takes them (the student's function,
        the reference, a known mistake): split, then decoded if the harness is one of :data:`DECODERS`."""
        args, kwargs = self.split(arguments)
        decoder = DECODERS.get(self.harness)
        return decoder(args, kwargs) if decoder else (args, kwargs)

    def call(self, function, arguments: dict[str, Any]):
        """Call the student's ``function`` on ``arguments`` (through the harness, if there is one)."""
        args, kwargs = self.decode(arguments)
        harness = HARNESSES.get(self.harness)
        return harness(function, *args, **kwargs) if harness else function(*args, **kwargs)

    def call_plain(self, function, arguments: dict[str, Any]):
        """Call the reference or a known mistake: plain functions of the case's arguments, no harness."""
        args, kwargs = self.decode(arguments)
        return function(*args, **kwargs)

    def arrays(self) -> list[str]:
        """Return the names of the array arguments among the positional ones (for hints that name them)."""
        return [name for name in self.positional if name[:1].isupper()]

    def call_text(self, case: Case) -> str:
        """Return the call of ``case`` as code: ``'output_size(8, 3, padding=1)'``; arrays by name, described after."""
        args, kwargs = self.split(dict(case.values))
        names = {id(value): name for name, value in case.values}

        def shown(value) -> str:
            return names[id(value)] if isinstance(value, np.ndarray) or type(value) is dict else repr(value)

        text = ", ".join([shown(v) for v in args] + [f"{k}={shown(v)}" for k, v in kwargs.items()])
        arrays = [describe_value(n, v) for n, v in case.values if isinstance(v, np.ndarray) or type(v) is dict]
        return f"{self.name}({text})" + (f" on {', '.join(arrays)}" if arrays else "")


def run_layer(cls, kernel_size, weight, bias, X):
    """Build the student's layer, check its parameters, then set known ones and call it on ``X``.

    The harness of ``Conv2D`` (a class, not a function).
    """
    layer = cls(kernel_size)
    for attribute in ("weight", "bias"):
        if not hasattr(layer, attribute):
            raise Unfit(f"Conv2D{kernel_size} has no attribute {attribute!r}; the layer keeps "
                        f"its kernel in .weight and its scalar bias in .bias")
    try:
        shape = compare.as_array(layer.weight).shape
    except compare.Rejected as error:
        raise Unfit(f"Conv2D{kernel_size}.weight is not an array: it {error}") from None
    if shape != tuple(kernel_size):
        raise Unfit(f"Conv2D{kernel_size}.weight has shape {shape}, expected {tuple(kernel_size)}")
    layer.weight, layer.bias = weight, bias
    return layer(X)


def _weights(shape) -> np.ndarray:
    """Return fixed weights of ``shape`` from -1 to 1: a scalar function that depends on every position."""
    size = int(np.prod(shape))
    return np.linspace(-1.0, 1.0, size).reshape(shape) if size else np.zeros(shape)


#: Scalar functions of an array that a case can hand to a graded function (``numerical_gradient``)
#: by name: a case's arguments must be data, to travel into the sandbox.
OBJECTIVES = {
    "sum of squares": lambda X: float((np.asarray(X) ** 2).sum()),
    "sum of sines": lambda X: float(np.sin(X).sum()),
    "weighted sum of cubes": lambda X: float((np.asarray(X) ** 3 * _weights(np.shape(X))).sum()),
    "log-sum-exp": lambda X: float(np.log(np.exp(X).sum())),
}


def with_objective(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """Return the arguments with the scalar function that the first one names (:data:`OBJECTIVES`) in its place.

    The decoding of ``numerical_gradient(f, X, eps)``'s arguments, whose first is a function.
    """
    f, *rest = args
    return (OBJECTIVES[f], *rest), kwargs


#: The harnesses a :class:`Calling` can name: they call the student's object, a class say.
HARNESSES = {"layer": run_layer}
#: The decoders a :class:`Calling` can name instead: data into arguments, for every callee alike.
DECODERS = {"objective": with_objective}
