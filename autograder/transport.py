"""Carrying cases into the sandbox and what student code did out of it, as plain JSON read back trusting nothing.

The grader writes the *plan* of a sandboxed run (for each graded name, a :class:`CheckPlan`:
its :class:`~autograder.calling.Calling`, the cases' inputs, the time budget, and the visible
cases of the other graded functions the student's function may call) with :func:`pack_plan`,
to the file named by :data:`PLAN_ENV`; the sandbox's ``check`` (:mod:`autograder.kernel.recorder`)
reads it with :func:`unpack_plan` and writes one record per check into the folder
:data:`RECORD_ENV` names.

Inside the sandbox, :func:`pack_observation` turns an :class:`~autograder.observations.Observation`
into JSON data: the returned value becomes a tagged tree of numbers, strings, lists, tuples and
dicts with string keys, with arrays as dtype, shape and base64 bytes; any other object becomes
only a description of its type. Outside, :func:`unpack_observation` rebuilds it with the same Python and NumPy types
(so :mod:`autograder.compare` judges it exactly as in a test cell) after checking every field:
numeric dtypes only, sizes that add up, strings clipped. Nothing is unpickled and no code of the
student's runs outside the sandbox. Anything malformed raises :class:`Malformed`.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import math

import numpy as np

from . import compare
from .calling import Calling, Case, Raises
from .observations import Observation, Outcome
from .problems import Kind, Problem

#: Environment variables of a sandboxed run: the plan's path, and the folder the records go to.
PLAN_ENV = "AUTOGRADER_PLAN"
RECORD_ENV = "AUTOGRADER_RECORD"

#: Nesting and length limits of a packed value; deeper or longer results are described, not sent.
MAX_DEPTH = 8
MAX_ITEMS = 100_000
MAX_ARRAY_BYTES = 64 * 1024**2
MAX_TEXT = 4000

# The NumPy scalar types compare.py accepts as numbers, by name (Python's int and float have tags of their own).
_INTS = {t.__name__: t for t in compare.INTEGERS if t is not int}
_FLOATS = {t.__name__: t for t in compare.FLOATS if t is not float}


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
    if kind is dict and depth < MAX_DEPTH and len(value) <= MAX_ITEMS and all(type(k) is str for k in value):
        return {"t": "dict", "v": [[key[:MAX_TEXT], _pack(item, depth + 1)] for key, item in value.items()]}
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
    if tag == "dict" and type(v) is list and depth < MAX_DEPTH and len(v) <= MAX_ITEMS:
        if not all(type(pair) is list and len(pair) == 2 and type(pair[0]) is str for pair in v):
            raise Malformed("a dict whose items are not [key, value] pairs")
        return {key[:MAX_TEXT]: unpack(item, depth + 1) for key, item in v}
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


def pack_problem(problem: Problem | None):
    """Return a :class:`~autograder.problems.Problem` as JSON data (None stays None)."""
    return None if problem is None else {"kind": problem.kind.name, "text": problem.text}


def unpack_problem(data) -> Problem | None:
    """Return the :class:`Problem` :func:`pack_problem` described, or raise :class:`Malformed`."""
    if data is None:
        return None
    if type(data) is not dict or type(data.get("kind")) is not str or data["kind"] not in Kind.__members__:
        raise Malformed(f"not a problem: {str(data)[:80]}")
    return Problem(Kind[data["kind"]], _text(data.get("text")))


def pack_observation(seen: Observation) -> dict:
    """Return one case's :class:`Observation` as JSON data."""
    outcome = seen.outcome
    data = {"changed": list(seen.changed), "skipped": pack_problem(seen.skipped)}
    if outcome is not None:
        data["outcome"] = {
            "value": pack(outcome.value), "problem": pack_problem(outcome.problem),
            "error_type": outcome.error_type, "import_name": outcome.import_name,
            "forbidden": list(outcome.forbidden), "output": outcome.output,
            "output_chars": outcome.output_chars, "warnings": list(outcome.warnings),
            "seconds": outcome.seconds,
        }
    return data


def _text(value) -> str:
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


def unpack_observation(data) -> Observation:
    """Return the :class:`Observation` :func:`pack_observation` described, or raise :class:`Malformed`."""
    if type(data) is not dict:
        raise Malformed("an observation that is not an object")
    raw = data.get("outcome")
    outcome = None
    if raw is not None:
        if type(raw) is not dict:
            raise Malformed("an outcome that is not an object")
        outcome = Outcome(
            value=unpack(raw.get("value")), problem=unpack_problem(raw.get("problem")),
            error_type=_text(raw.get("error_type")), import_name=_text(raw.get("import_name")),
            forbidden=_texts(raw.get("forbidden")), output=_text(raw.get("output")),
            output_chars=_number(raw.get("output_chars"), int), warnings=_texts(raw.get("warnings")),
            seconds=_number(raw.get("seconds"), float))
    return Observation(outcome, _texts(data.get("changed")), unpack_problem(data.get("skipped")))


# --- the plan: what goes into the sandbox (written by the grader, so trusted, but still only data) ---

def _tuples(value):
    """Return JSON lists as tuples, recursively (a result spec or a tolerance)."""
    return tuple(_tuples(v) for v in value) if type(value) is list else value


def pack_calling(calling: Calling) -> dict:
    return {"name": calling.name, "positional": list(calling.positional), "result": calling.result,
            "harness": calling.harness}


def unpack_calling(data: dict) -> Calling:
    return Calling(data["name"], tuple(data["positional"]), _tuples(data["result"]), data["harness"])


def pack_expected(value) -> dict:
    """Return an expected value as JSON data: a :class:`~autograder.calling.Raises`, or a value :func:`pack` takes."""
    if type(value) is Raises:
        return {"t": "raises", "error": value.error, "why": value.why}
    return pack(value)


def unpack_expected(data):
    """Return the expected value :func:`pack_expected` described, or raise :class:`Malformed`.

    Only here does a :class:`Raises` come back: a value the student's code returned never becomes one.
    """
    if type(data) is dict and data.get("t") == "raises":
        return Raises(_text(data.get("error")), _text(data.get("why")))
    return unpack(data)


def pack_case(case: Case, expected: bool = False) -> dict:
    """Return a :class:`Case` as JSON data; its expected value only with ``expected=True``."""
    data = {"values": [[name, pack(value)] for name, value in case.values], "label": case.label,
            "hidden": case.hidden, "tolerance": case.tolerance}
    if expected:
        data["expected"] = pack_expected(case.expected)
    return data


def unpack_case(data: dict) -> Case:
    return Case(tuple((name, unpack(value)) for name, value in data["values"]), data["label"], data["hidden"],
                unpack_expected(data["expected"]) if "expected" in data else None, _tuples(data["tolerance"]))


@dataclasses.dataclass(frozen=True)
class CheckPlan:
    """What the sandbox's ``check`` of one graded name gets: how to call it, the cases' inputs, the budget.

    ``related`` maps the other graded functions that the student's function may call (the same
    chapter's and the earlier ones') to their ``(Calling, visible cases)``: when it does call
    one of them, the recorder runs that one's visible cases too, so that the judge can say
    which function to fix first.
    """

    calling: Calling
    cases: list
    budget: float
    related: dict = dataclasses.field(default_factory=dict)


def pack_plan(plan: dict) -> str:
    """Return the plan ``{name: CheckPlan}`` as JSON text, without any expected value.

    The related functions' cases are written once, however many checks may call them.
    """
    related = {}
    for entry in plan.values():
        related.update(entry.related)
    return json.dumps({
        "checks": {name: {"calling": pack_calling(entry.calling), "cases": [pack_case(case) for case in entry.cases],
                          "budget": entry.budget, "related": list(entry.related)} for name, entry in plan.items()},
        "related": {name: {"calling": pack_calling(calling), "cases": [pack_case(case) for case in cases]}
                    for name, (calling, cases) in related.items()},
    })


def unpack_plan(text: str) -> dict:
    """Return the plan :func:`pack_plan` wrote: ``{name: CheckPlan}``."""
    data = json.loads(text)
    related = {name: (unpack_calling(entry["calling"]), [unpack_case(case) for case in entry["cases"]])
               for name, entry in data["related"].items()}
    return {name: CheckPlan(unpack_calling(entry["calling"]), [unpack_case(case) for case in entry["cases"]],
                            float(entry["budget"]), {other: related[other] for other in entry["related"]})
            for name, entry in data["checks"].items()}


def pack_related(observed: dict) -> list:
    """Return ``{name: [Observation]}`` (the related functions' visible cases, as the recorder saw them) as JSON data."""
    return [[name, [pack_observation(seen) for seen in observations]] for name, observations in observed.items()]


def unpack_related(data, counts: dict) -> dict:
    """Return the ``{name: [Observation]}`` :func:`pack_related` described, keeping only the names of ``counts``
    whose number of observations is right (``counts``: name -> number of cases); raise :class:`Malformed`."""
    if type(data) is not list:
        raise Malformed("related observations that are not a list")
    found = {}
    for item in data[:len(counts)]:
        if type(item) is not list or len(item) != 2 or type(item[0]) is not str or type(item[1]) is not list:
            raise Malformed("a related function's observations that are not [name, observations]")
        name, observations = item
        if counts.get(name) == len(observations) and name not in found:
            found[name] = [unpack_observation(seen) for seen in observations]
    return found
