"""Input checks shared by every physgen module.

One rule everywhere: a value of the wrong *type* raises ``TypeError``; a value of
the right type that is out of range, non-finite, of the wrong shape or not among
the allowed options raises ``ValueError``. Every message names the function
(``where``), the argument, the value received, and how to fix it::

    simulate: method=3 must be a str, one of ('exact', ...); pass e.g. method='exact'.

Each checker returns the cleaned value (a Python ``float``/``int``/``bool``, a
``tuple`` or a float64 array), so callers write ``x = real(x, "x", where)``.
"""

from __future__ import annotations

import math
import numbers
from typing import TypeVar

import numpy as np

_T = TypeVar("_T")

__all__ = [
    "short",
    "real",
    "integer",
    "boolean",
    "choice",
    "instance",
    "array",
    "same_shape",
    "sequence",
    "seed",
    "readonly",
]


def short(value) -> str:
    """``repr(value)``, cut to 80 characters."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _say(where, name, value, what, fix):
    head = f"{where}: " if where else ""
    tail = f"; {fix}" if fix else ""
    return f"{head}{name}={short(value)} {what}{tail}"


def real(
    value,
    name,
    where="",
    *,
    unit="",
    positive=False,
    nonnegative=False,
    lower=None,
    upper=None,
    below=None,
    fix="",
) -> float:
    """A finite real number (not a bool), optionally > 0, >= 0, in [lower, upper], < below."""
    u = f" [{unit}]" if unit else ""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(_say(where, name, value, f"must be a real number{u}", fix))
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(_say(where, name, value, f"must be finite{u}", fix))
    if positive and v <= 0:
        raise ValueError(_say(where, name, value, f"must be > 0{u}", fix))
    if nonnegative and v < 0:
        raise ValueError(_say(where, name, value, f"must be >= 0{u}", fix))
    if (lower is not None and v < lower) or (upper is not None and v > upper):
        raise ValueError(_say(where, name, value, f"must lie in [{lower}, {upper}]{u}", fix))
    if below is not None and v >= below:
        raise ValueError(_say(where, name, value, f"must be < {below}{u}", fix))
    return v


def integer(value, name, where="", *, minimum=None, fix="") -> int:
    """An integer (not a bool), optionally >= ``minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(_say(where, name, value, "must be an int", fix))
    if minimum is not None and value < minimum:
        raise ValueError(_say(where, name, value, f"must be an int >= {minimum}", fix))
    return int(value)


def boolean(value, name, where="", *, fix="pass True or False.") -> bool:
    """True or False (NumPy booleans accepted)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(_say(where, name, value, "must be True or False", fix))
    return bool(value)


def choice(value, name, where, options, *, fix="") -> str:
    """One of the strings ``options``."""
    fix = fix or f"pass one of {tuple(options)}."
    if not isinstance(value, str):
        raise TypeError(_say(where, name, value, f"must be a str, one of {tuple(options)}", fix))
    if value not in options:
        raise ValueError(_say(where, name, value, f"is not one of {tuple(options)}", fix))
    return value


def instance(value: _T, types, name, where, *, fix) -> _T:
    """An instance of ``types`` (a class or a tuple of classes)."""
    if not isinstance(value, types):
        names = (
            types.__name__ if isinstance(types, type) else " or ".join(t.__name__ for t in types)
        )
        raise TypeError(
            f"{where}: {name} must be a {names}, got {type(value).__name__} ({short(value)}); {fix}"
        )
    return value


def array(
    value,
    name,
    where="",
    *,
    ndim=None,
    shape=None,
    finite=True,
    nonempty=True,
    positive=False,
    nonnegative=False,
    unit="",
    fix="",
) -> np.ndarray:
    """A float64 array of real numbers.

    ``ndim`` is an int or a tuple of allowed ranks; ``shape`` a tuple in which
    ``None`` matches any length.
    """
    u = f" [{unit}]" if unit else ""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(_say(where, name, value, f"must be an array of real numbers{u}", fix))
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and exotic objects
        raise TypeError(
            _say(where, name, value, f"must be an array of real numbers{u}", fix)
        ) from exc
    if arr.dtype == bool or arr.dtype.kind not in "iuf":
        raise TypeError(
            _say(where, name, value, f"must hold real numbers{u}, got dtype {arr.dtype}", fix)
        )
    arr = arr.astype(np.float64, copy=False)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            raise ValueError(
                _say(
                    where,
                    name,
                    f"<array of shape {arr.shape}>",
                    f"must have {' or '.join(map(str, allowed))} dimension(s)",
                    fix,
                )
            )
    if shape is not None and (
        arr.ndim != len(shape)
        or any(s is not None and s != a for s, a in zip(shape, arr.shape, strict=True))
    ):
        want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
        raise ValueError(
            _say(where, name, f"<array of shape {arr.shape}>", f"must have shape {want}", fix)
        )
    if nonempty and arr.size == 0:
        raise ValueError(
            _say(where, name, f"<empty array of shape {arr.shape}>", "must not be empty", fix)
        )
    shown = value if arr.size <= 8 else f"<array of shape {arr.shape}>"
    for bad, what, default_fix in (
        (
            ~np.isfinite(arr) if finite else None,
            "non-finite value(s) (NaN/inf)",
            f"remove the NaN/inf entries from {name}.",
        ),
        (arr <= 0 if positive else None, f"value(s) <= 0{u}, where it must be > 0", ""),
        (arr < 0 if nonnegative else None, f"negative value(s){u}, where it must be >= 0", ""),
    ):
        if bad is not None and np.any(bad):
            first = np.ravel(arr[bad])[0] if arr.ndim else arr.item()
            raise ValueError(
                _say(
                    where,
                    name,
                    shown,
                    f"has {int(np.sum(bad))} {what}, the first {float(first)!r}",
                    fix or default_fix,
                )
            )
    return arr


def same_shape(a, b, names, where, *, fix) -> None:
    """Arrays ``a`` and ``b`` (named ``names[0]``, ``names[1]``) must have one shape."""
    if np.shape(a) != np.shape(b):
        raise ValueError(
            f"{where}: {names[0]} has shape {np.shape(a)} but {names[1]} has shape "
            f"{np.shape(b)}; they must have the same shape: {fix}"
        )


def sequence(value, name, where="", *, item=None, nonempty=True, fix="") -> tuple:
    """A non-string iterable as a tuple; ``item(x, f"{name}[i]")`` checks each element."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(_say(where, name, value, "must be a sequence", fix))
    out = tuple(value)
    if nonempty and not out:
        raise ValueError(_say(where, name, value, "must not be empty", fix))
    if item is not None:
        out = tuple(item(x, f"{name}[{i}]") for i, x in enumerate(out))
    return out


def seed(value, name="seed", where="") -> int:
    """A non-negative integer seed."""
    return integer(value, name, where, minimum=0, fix=f"pass e.g. {name}=0.")


def readonly(value) -> np.ndarray:
    """``value`` as an array marked read-only (no copy when it already is an array).

    Results hand out their arrays read-only so a caller cannot change a frozen
    result in place; pass a private array (copy first if the caller keeps it).
    """
    arr = np.asarray(value)
    arr.setflags(write=False)
    return arr
