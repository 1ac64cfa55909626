"""Carrying what student code did out of the sandbox as plain JSON, and reading it back trusting nothing.

Inside the sandbox, :func:`pack_observation` turns an :class:`~autograder.observe.Observation`
into JSON data: the returned value becomes a tagged tree of numbers, strings, lists and tuples,
with arrays as dtype, shape and base64 bytes; any other object becomes only a description of
its type. Outside, :func:`unpack_observation` rebuilds it with the same Python and NumPy types
(so :mod:`autograder.compare` judges it exactly as in a test cell) after checking every field:
numeric dtypes only, sizes that add up, strings clipped. Nothing is unpickled and no code of the
student's runs outside the sandbox. Anything malformed raises :class:`Malformed`.
"""

from __future__ import annotations

import base64
import binascii
import math

import numpy as np

from . import compare, guard
from .observe import Observation

#: Nesting and length limits of a packed value; deeper or longer results are described, not sent.
MAX_DEPTH = 8
MAX_ITEMS = 100_000
MAX_ARRAY_BYTES = 64 * 1024**2
MAX_TEXT = 4000

# The NumPy scalar types compare.py accepts as numbers, by name (Python's int and float have tags of their own).
_INTS = {t.__name__: t for t in compare.INTEGERS if t is not int}
_FLOATS = {t.__name__: t for t in compare.PLAIN_NUMBERS if t is not float and t not in compare.INTEGERS}


class Malformed(ValueError):
    """Data from the sandbox that is not what :func:`pack` writes."""


def pack(value, depth: int = 0) -> dict:
    """Return ``value`` as tagged JSON data (see the module docstring); never raises."""
    try:
        return _pack(value, depth)
    except Exception:  # noqa: BLE001 - a hostile object whose inspection fails is described as foreign
        return {"t": "foreign", "kind": "an object that could not be read"}


def _pack(value, depth: int) -> dict:
    kind = type(value)
    if value is None:
        return {"t": "none"}
    if kind is bool or kind is np.bool_:
        return {"t": "bool" if kind is bool else "np.bool_", "v": bool(value)}
    if kind is int:
        return {"t": "int", "v": value}
    if kind is float:
        return {"t": "float", "v": value}
    if kind.__name__ in _INTS and kind is _INTS[kind.__name__]:
        return {"t": kind.__name__, "v": int(value)}
    if kind.__name__ in _FLOATS and kind is _FLOATS[kind.__name__]:
        return {"t": kind.__name__, "v": float(value)}
    if kind is str:
        return {"t": "str", "v": value[:MAX_TEXT]}
    if kind in (list, tuple) and depth < MAX_DEPTH and len(value) <= MAX_ITEMS:
        return {"t": kind.__name__, "v": [_pack(item, depth + 1) for item in value]}
    if isinstance(value, np.ndarray):
        array = np.ndarray.view(value, np.ndarray)
        if array.dtype.kind in "biuf" and array.nbytes <= MAX_ARRAY_BYTES:
            data = np.ascontiguousarray(array).tobytes()
            return {"t": "array", "dtype": array.dtype.str, "shape": list(array.shape),
                    "data": base64.b64encode(data).decode("ascii")}
        if array.dtype.kind == "O":
            return {"t": "objects"}
    return {"t": "foreign", "kind": compare.kind_name(value)}


def unpack(data, depth: int = 0):
    """Return the value :func:`pack` described, or raise :class:`Malformed`."""
    if type(data) is not dict or type(data.get("t")) is not str:
        raise Malformed(f"not a packed value: {str(data)[:80]}")
    tag, v = data["t"], data.get("v")
    if tag == "none":
        return None
    if tag in ("bool", "np.bool_") and type(v) is bool:
        return v if tag == "bool" else np.bool_(v)
    if tag == "int" and type(v) is int:
        return v
    if tag == "float" and type(v) in (int, float):
        return float(v)
    if tag in _INTS and type(v) is int:
        info = np.iinfo(_INTS[tag])
        if info.min <= v <= info.max:
            return _INTS[tag](v)
    if tag in _FLOATS and type(v) in (int, float):
        return _FLOATS[tag](v)
    if tag == "str" and type(v) is str:
        return v[:MAX_TEXT]
    if tag in ("list", "tuple") and type(v) is list and depth < MAX_DEPTH and len(v) <= MAX_ITEMS:
        items = [unpack(item, depth + 1) for item in v]
        return items if tag == "list" else tuple(items)
    if tag == "array":
        return _unpack_array(data)
    if tag == "objects":
        return np.empty(0, dtype=object)
    if tag == "foreign" and type(data.get("kind")) is str:
        return compare.Foreign(data["kind"][:200])
    raise Malformed(f"not a packed value: {str(data)[:80]}")


def _unpack_array(data: dict) -> np.ndarray:
    dtype_text, shape, text = data.get("dtype"), data.get("shape"), data.get("data")
    if type(dtype_text) is not str or type(shape) is not list or type(text) is not str:
        raise Malformed("an array without dtype, shape or data")
    if len(shape) > 32 or not all(type(n) is int and n >= 0 for n in shape):
        raise Malformed(f"an array with shape {str(shape)[:80]}")
    try:
        dtype = np.dtype(dtype_text)
    except TypeError:
        raise Malformed(f"an array of dtype {dtype_text[:40]!r}") from None
    if dtype.kind not in "biuf" or dtype.str != dtype_text:
        raise Malformed(f"an array of dtype {dtype_text[:40]!r}")
    if len(text) > 2 * MAX_ARRAY_BYTES:
        raise Malformed("an array too large")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Malformed("an array whose data is not base64") from None
    if len(raw) != math.prod(shape) * dtype.itemsize:
        raise Malformed(f"an array of shape {tuple(shape)} and dtype {dtype} with {len(raw)} bytes")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def pack_observation(seen: Observation) -> dict:
    """Return one case's :class:`Observation` as JSON data."""
    outcome = seen.outcome
    data = {"changed": list(seen.changed), "skipped": seen.skipped}
    if outcome is not None:
        data["outcome"] = {
            "value": pack(outcome.value), "error": outcome.error, "error_type": outcome.error_type,
            "timed_out": outcome.timed_out, "interrupted": outcome.interrupted,
            "forbidden": list(outcome.forbidden), "output": outcome.output,
            "output_chars": outcome.output_chars, "warnings": list(outcome.warnings),
            "seconds": outcome.seconds,
        }
    return data


def _text(value, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if type(value) is not str:
        raise Malformed(f"expected text, got {str(value)[:80]}")
    return value[:MAX_TEXT]


def _texts(value, limit: int = 20) -> tuple[str, ...]:
    if type(value) is not list:
        raise Malformed(f"expected a list of texts, got {str(value)[:80]}")
    return tuple(_text(item) for item in value[:limit])


def _number(value, kind):
    if type(value) is bool or type(value) not in (int, float) or not math.isfinite(value) or value < 0:
        raise Malformed(f"expected a non-negative number, got {str(value)[:80]}")
    return kind(value)


def _flag(value) -> bool:
    if type(value) is not bool:
        raise Malformed(f"expected true or false, got {str(value)[:80]}")
    return value


def unpack_observation(data) -> Observation:
    """Return the :class:`Observation` :func:`pack_observation` described, or raise :class:`Malformed`."""
    if type(data) is not dict:
        raise Malformed("an observation that is not an object")
    raw = data.get("outcome")
    outcome = None
    if raw is not None:
        if type(raw) is not dict:
            raise Malformed("an outcome that is not an object")
        outcome = guard.Outcome(
            value=unpack(raw.get("value")), error=_text(raw.get("error"), optional=True),
            error_type=_text(raw.get("error_type"), optional=True), timed_out=_flag(raw.get("timed_out")),
            interrupted=_flag(raw.get("interrupted")), forbidden=_texts(raw.get("forbidden")),
            output=_text(raw.get("output")), output_chars=_number(raw.get("output_chars"), int),
            warnings=_texts(raw.get("warnings")), seconds=_number(raw.get("seconds"), float))
    return Observation(outcome, _texts(data.get("changed")), _text(data.get("skipped", "")))
