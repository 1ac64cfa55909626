"""Argument normalisation and validation shared by every op of the library.

Every check raises ``ValueError`` with a message that names the argument and the value it got,
so that a student (or the grader's feedback) can see at once which argument was wrong.
"""

from __future__ import annotations

import numbers

import numpy as np


def pair(value, name: str) -> tuple[int, int]:
    """Return ``value`` as a ``(height, width)`` pair of ints; an int is used for both."""
    # Fast paths for the common plain-int arguments: this runs several times per call.
    if type(value) is int:
        return value, value
    if type(value) is tuple and len(value) == 2 and type(value[0]) is int and type(value[1]) is int:
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value), int(value)
    if isinstance(value, (tuple, list, np.ndarray)) and len(value) == 2 and all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value
    ):
        return int(value[0]), int(value[1])
    raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")


def positive_pair(value, name: str) -> tuple[int, int]:
    """Return ``pair(value)`` after checking both entries are at least 1."""
    result = pair(value, name)
    if min(result) < 1:
        raise ValueError(f"{name} must be positive, got {value!r}")
    return result


def non_negative_pair(value, name: str) -> tuple[int, int]:
    """Return ``pair(value)`` after checking both entries are at least 0."""
    result = pair(value, name)
    if min(result) < 0:
        raise ValueError(f"{name} must be non-negative, got {value!r}")
    return result


def as_float(x, name: str) -> np.ndarray:
    """Return ``x`` as a float array: integers and booleans become float64, floats keep their dtype."""
    try:
        array = np.asarray(x)
    except Exception as error:  # ragged nested lists and the like
        raise ValueError(f"{name} must be a numeric array, got {type(x).__name__}: {error}") from None
    if array.dtype.kind in "biu":
        return array.astype(np.float64)
    if array.dtype.kind != "f":
        raise ValueError(f"{name} must be a real numeric array, got dtype {array.dtype}")
    return array


def common_float(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Return the float arrays cast to their common dtype (float32 with float64 gives float64)."""
    dtype = np.result_type(*arrays)
    return tuple(a.astype(dtype, copy=False) for a in arrays)


def batched(x, name: str = "x") -> tuple[np.ndarray, bool]:
    """Return ``x`` as a float ``(N, C, H, W)`` array and whether it came unbatched ``(C, H, W)``."""
    x = as_float(x, name)
    if x.ndim == 3:
        return x[None], True
    if x.ndim == 4:
        return x, False
    raise ValueError(
        f"{name} must be 3-D (C, H, W) or 4-D (N, C, H, W), got {x.ndim}-D with shape {x.shape}"
    )


def matrix(x, name: str) -> np.ndarray:
    """Return ``x`` as a float 2-D ``(H, W)`` array, or raise naming its actual shape."""
    x = as_float(x, name)
    if x.ndim != 2:
        raise ValueError(f"{name} must be 2-D (H, W), got {x.ndim}-D with shape {x.shape}")
    return x


def choice(value, name: str, allowed) -> str:
    """Return ``value`` if it is one of ``allowed``, else raise listing the allowed values."""
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return value
