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
    "fraction",
    "boolean",
    "choice",
    "instance",
    "function",
    "mapping",
    "array",
    "same_shape",
    "broadcast",
    "increasing",
    "sequence",
    "widths",
    "seed",
    "readonly",
    "samples",
    "same_width",
    "sample_sets",
    "times",
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
    name: str,
    where: str = "",
    *,
    unit: str = "",
    positive: bool = False,
    nonnegative: bool = False,
    lower: float | None = None,
    upper: float | None = None,
    below: float | None = None,
    fix: str = "",
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


def fraction(value, name: str, where: str = "", *, zero: bool = False, fix: str = "") -> float:
    """A share or a probability: a real number in (0, 1), or in [0, 1) with ``zero``."""
    if zero:
        return real(value, name, where, lower=0.0, below=1.0, fix=fix)
    return real(value, name, where, positive=True, below=1.0, fix=fix)


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


def function(value: _T, name, where, *, what, fix) -> _T:
    """A callable; ``what`` says what it maps, e.g. ``"theta -> angular acceleration"``."""
    if not callable(value):
        raise TypeError(
            f"{where}: {name} must be a function {what}, got {type(value).__name__}; {fix}"
        )
    return value


def mapping(value: _T, name, where, *, what, fix) -> _T:
    """A mapping (anything with ``items``); ``what`` says what it maps, e.g. ``"label -> array"``."""
    if not hasattr(value, "items"):
        raise TypeError(
            f"{where}: {name} must be a mapping {what}, got {type(value).__name__}; {fix}"
        )
    return value


def array(
    value,
    name: str,
    where: str = "",
    *,
    ndim: int | tuple[int, ...] | None = None,
    shape: tuple[int | None, ...] | None = None,
    finite: bool = True,
    nonempty: bool = True,
    positive: bool = False,
    nonnegative: bool = False,
    unit: str = "",
    fix: str = "",
) -> np.ndarray:
    """A float64 array of real numbers.

    ``ndim`` is an int or a tuple of allowed ranks; ``shape`` a tuple in which
    ``None`` matches any length.
    """
    u = f" [{unit}]" if unit else ""
    arr = _real_array(value, name, where, u, fix)
    _check_shape(arr, name, where, ndim=ndim, shape=shape, nonempty=nonempty, fix=fix)
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


def _real_array(value, name: str, where: str, u: str, fix: str) -> np.ndarray:
    """``value`` as a float64 array, or TypeError if it does not hold real numbers."""
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
    return arr.astype(np.float64, copy=False)


def _check_shape(arr: np.ndarray, name: str, where: str, *, ndim, shape, nonempty, fix) -> None:
    """ValueError unless ``arr`` has an allowed rank, the ``shape`` and, if asked, values."""
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


def scalar_or_each(
    value,
    name: str,
    where: str,
    *,
    size: int,
    each: str,
    unit: str = "",
    positive: bool = False,
    nonnegative: bool = False,
    fix: str,
) -> np.ndarray:
    """A scalar, or a 1-D array with one value per ``each`` (``size`` of them),
    returned as a float array of shape ``(size,)``."""
    arr = array(
        value,
        name,
        where,
        ndim=(0, 1),
        positive=positive,
        nonnegative=nonnegative,
        unit=unit,
        fix=fix,
    )
    if arr.ndim == 1 and arr.size not in (1, size):
        raise ValueError(
            f"{where}: {name} must be a scalar or one value per {each} ({size}), got "
            f"{arr.size}; {fix}"
        )
    return np.broadcast_to(arr.reshape(-1) if arr.ndim else arr, (size,)).astype(float)


def same_shape(a, b, names, where, *, fix) -> None:
    """Arrays ``a`` and ``b`` (named ``names[0]``, ``names[1]``) must have one shape."""
    if np.shape(a) != np.shape(b):
        raise ValueError(
            f"{where}: {names[0]} has shape {np.shape(a)} but {names[1]} has shape "
            f"{np.shape(b)}; they must have the same shape: {fix}"
        )


def broadcast(arrays: dict, where: str, *, fix: str) -> tuple:
    """The shape the arrays (a dict name -> array) broadcast to, by NumPy's rules."""
    try:
        return np.broadcast_shapes(*(np.shape(a) for a in arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{k}{np.shape(a)}" for k, a in arrays.items())
        raise ValueError(
            f"{where}: the shapes {shapes} do not broadcast to one shape; {fix}"
        ) from None


def increasing(arr: np.ndarray, name: str, where: str, *, unit: str = "s", fix: str) -> np.ndarray:
    """A 1-D array (already checked by :func:`array`) whose values strictly increase."""
    down = np.diff(arr) <= 0
    if np.any(down):
        i = int(np.argmax(down))
        raise ValueError(
            f"{where}: {name} must be strictly increasing [{unit}], but {name}[{i + 1}]="
            f"{float(arr[i + 1])!r} <= {name}[{i}]={float(arr[i])!r}; {fix}"
        )
    return arr


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


def widths(value, name: str, where: str, *, example: str) -> tuple[int, ...]:
    """Layer widths of a network: a non-empty sequence of ints >= 1 (``example``: a tuple)."""
    fix = f"pass a tuple of positive layer widths, e.g. {name}={example}."
    return sequence(
        value,
        name,
        where,
        fix=fix,
        item=lambda w, item: integer(w, item, where, minimum=1, fix=fix),
    )


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


def _floats(value, name: str, where: str, *, what: str, fix: str) -> np.ndarray:
    """``value`` as a float array; a string, None or anything else NumPy cannot read is a
    ``TypeError`` (``what``: the kind of array expected)."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{where}: {name} must be {what}, got {short(value)}; {fix}")
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{where}: {name} must be {what}, got {type(value).__name__}; {fix}"
        ) from exc


def samples(
    name: str, value, where: str, *, allow_1d: bool = False, one_row: bool = False
) -> np.ndarray:
    """Samples as a finite float array of shape (n, d), one per row.

    A 1-D array becomes (n, 1) (``allow_1d``) or (1, d) (``one_row``).
    """
    arr = _floats(
        value,
        name,
        where,
        what="an array of samples (real numbers)",
        fix="pass a float array of shape (n, T).",
    )
    if arr.ndim == 1 and allow_1d:
        arr = arr[:, None]
    elif arr.ndim == 1 and one_row:
        arr = arr[None, :]
    if arr.ndim != 2:
        extra = " or (n,)" if allow_1d else " or (T,)" if one_row else ""
        raise ValueError(
            f"{where}: {name} must have shape (n, T){extra} (one sample per row), "
            f"got shape {arr.shape}; reshape it, e.g. {name}.reshape(n, -1)."
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(
            f"{where}: {name} is empty (shape {arr.shape}); pass at least one "
            "sample with at least one value."
        )
    if not np.all(np.isfinite(arr)):
        bad = np.flatnonzero(~np.all(np.isfinite(arr), axis=1))
        raise ValueError(
            f"{where}: {name} has non-finite values (NaN or inf) in "
            f"{bad.size} sample(s), first row {int(bad[0])}; drop those rows, "
            f"e.g. {name}[np.isfinite({name}).all(axis=1)]."
        )
    return arr


def same_width(where: str, **arrays) -> None:
    """Sample arrays (named by keyword) must have one row width: one time grid."""
    widths = {k: a.shape[1] for k, a in arrays.items()}
    if len(set(widths.values())) > 1:
        shown = ", ".join(f"{k} has {w}" for k, w in widths.items())
        raise ValueError(
            f"{where}: the sets must have the same number of values per sample "
            f"(T, the same time grid): {shown}; resample them onto one grid."
        )


def sample_sets(where: str, *, allow_1d: bool = False, **sets) -> tuple[np.ndarray, ...]:
    """Several sample arrays (named by keyword, see :func:`samples`) on one time grid."""
    arrays = {name: samples(name, value, where, allow_1d=allow_1d) for name, value in sets.items()}
    same_width(where, **arrays)
    return tuple(arrays.values())


def times(t, T: int, where: str) -> np.ndarray:
    """A finite, strictly increasing time grid [s] of ``T`` points (the samples' width)."""
    arr = _floats(
        t, "t", where, what="an array of times [s]", fix="pass e.g. t=np.linspace(0, 5, 100)."
    )
    if arr.ndim != 1:
        raise ValueError(
            f"{where}: t must be 1-D (the common time grid [s]), got shape "
            f"{arr.shape}; pass e.g. t=np.linspace(0, 5, 100)."
        )
    if arr.shape[0] != T:
        raise ValueError(
            f"{where}: t has {arr.shape[0]} times but the trajectories have "
            f"T = {T} values each; pass the time grid the trajectories were "
            "sampled on."
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(
            f"{where}: t must be finite [s], got non-finite times; remove "
            "NaN/inf from the time grid."
        )
    return increasing(
        arr,
        "t",
        where,
        fix="sort the times (and the trajectories' columns with them) or drop duplicates.",
    )
