"""Reading results made of several arrays: a tuple of gradients, a loss with a dict of gradients.

The backward functions of chapter 7 return more than one array (``corr2d_backward`` gives
``(dX, dK)``, ``tiny_cnn_loss`` gives ``(loss, grads)``). :mod:`widgets.student` calls the
function and turns an exception into a message; the functions here check what came back and
say, in words, which part is missing or has the wrong shape.
"""

from __future__ import annotations

import numbers

import numpy as np

from .student import Result, _shape, as_array


def arrays(result: Result, name: str, shapes: dict[str, tuple[int, ...]]) -> Result:
    """Return the tuple ``result.value`` as float arrays of ``shapes`` (in order), or the problem.

    ``shapes`` names the parts, e.g. ``{"dX": (3, 3), "dK": (2, 2)}``; the value must be a tuple
    or list with one array per name.

    >>> arrays(Result((np.ones((3, 3)), [[1, 2], [3, 4]])), "f", {"dX": (3, 3), "dK": (2, 2)}).value[1]
    array([[1., 2.],
           [3., 4.]])
    >>> arrays(Result(np.zeros((2, 2))), "f", {"dX": (3, 3), "dK": (2, 2)}).problem
    'f returned an array of shape (2, 2); expected a pair (dX, dK) of shapes (3, 3) and (2, 2)'
    >>> arrays(Result((np.ones(3), np.ones(2))), "f", {"dX": (3, 3), "dK": (2, 2)}).problem
    'f returned dX of shape (3,); expected (3, 3)'
    """
    if not result.ok:
        return result
    names = list(shapes)
    wanted = (f"a pair ({', '.join(names)})" if len(names) == 2 else f"a tuple ({', '.join(names)})")
    wanted += " of shapes " + " and ".join(_shape(s) for s in shapes.values())
    value = result.value
    if not isinstance(value, (tuple, list)):
        what = (f"an array of shape {_shape(np.shape(value))}" if isinstance(value, np.ndarray)
                else "None (a missing return?)" if value is None else f"a {type(value).__name__}")
        return Result(problem=f"{name} returned {what}; expected {wanted}")
    if len(value) != len(names):
        return Result(problem=f"{name} returned {len(value)} values; expected {wanted}")
    parts = []
    for part, (label, shape) in zip(value, shapes.items()):
        array = as_array(part, shape, label)
        if isinstance(array, str):
            return Result(problem=f"{name} returned {array}")
        parts.append(array)
    return Result(tuple(parts))


def loss_and_gradients(result: Result, name: str, shapes: dict[str, tuple[int, ...]]) -> Result:
    """Return ``(loss, grads)`` from ``result.value``: a finite float and a dict of float arrays of ``shapes``.

    >>> loss_and_gradients(Result((0.5, {"b": [1, 2]})), "f", {"b": (2,)}).value
    (0.5, {'b': array([1., 2.])})
    >>> loss_and_gradients(Result((0.5, {"a": 1})), "f", {"b": (2,)}).problem
    "f returned grads without the key 'b' (it has 'a'); expected the keys of params: 'b'"
    """
    if not result.ok:
        return result
    value = result.value
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return Result(problem=f"{name} returned a {type(value).__name__}; expected a pair (loss, grads)")
    loss, grads = value
    if isinstance(loss, np.ndarray) and loss.size == 1:
        loss = loss.reshape(())[()]
    if not isinstance(loss, numbers.Real) or isinstance(loss, bool):
        return Result(problem=f"{name} returned a loss that is a {type(loss).__name__}, not a number")
    if not np.isfinite(loss):
        return Result(problem=f"{name} returned the loss {float(loss)}, not a finite number")
    if not isinstance(grads, dict):
        return Result(problem=f"{name} returned grads that are a {type(grads).__name__}, not a dict")
    keys = ", ".join(repr(k) for k in shapes)
    checked = {}
    for key, shape in shapes.items():
        if key not in grads:
            present = ", ".join(repr(k) for k in grads) or "no key"
            return Result(problem=f"{name} returned grads without the key {key!r} (it has {present}); "
                                  f"expected the keys of params: {keys}")
        array = as_array(grads[key], shape, f'grads["{key}"]')
        if isinstance(array, str):
            return Result(problem=f"{name} returned {array}")
        checked[key] = array
    return Result((float(loss), checked))
