"""What every figure helper shares: axis labels, axes, batches of pendulums, colours."""

from __future__ import annotations

import numbers

import numpy as np

from physgen import _validation as check

# Axis labels (units in square brackets).
_T_LABEL = "time t [s]"
_THETA_LABEL = "angle θ [rad]"
_OMEGA_LABEL = "angular velocity ω [rad/s]"
_OMEGA_SCALED_LABEL = "scaled velocity ω/Ω [dimensionless], Ω = √(g/l)"


# --------------------------------------------------------------------------- helpers
def _get_ax(ax, figsize=None):
    """Return ``ax`` or the axes of a new figure; check the type."""
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
        return ax
    if not isinstance(ax, Axes):
        raise TypeError(
            f"ax must be a matplotlib Axes or None, got {type(ax).__name__}; "
            "pass e.g. ax=plt.subplots()[1], or leave ax=None for a new figure."
        )
    return ax


def _attr(traj, name: str, func: str) -> np.ndarray:
    """Read attribute ``name`` of a trajectory as a float array."""
    if not hasattr(traj, name):
        raise TypeError(
            f"{func}: traj must be a physgen.Trajectory (an object with attributes t, theta, "
            f"omega, length, g), got {type(traj).__name__} without attribute {name!r}; "
            "pass the result of physgen.simulate(...) or physgen.generate(...)."
        )
    return np.asarray(getattr(traj, name), dtype=float)


def _flat_batch(traj, func: str, which=None, need_omega: bool = False):
    """Return t (T,), theta (n, T), omega (n, T) or None, length (n,), g (n,), indices (n,).

    The batch shape S of the trajectory is flattened (C order); ``which``
    selects flat indices (int, sequence of ints or None for all).
    """
    t = _attr(traj, "t", func)
    theta = _attr(traj, "theta", func)
    if t.ndim != 1 or t.size < 2:
        raise ValueError(
            f"{func}: traj.t must be a 1-D array of at least 2 times [s], got shape {t.shape}; "
            "simulate on a time grid such as np.linspace(0, 5, 501)."
        )
    if theta.shape[-1:] != t.shape:
        raise ValueError(
            f"{func}: traj.theta must have shape S + (T,) with T = len(t) = {t.size}, "
            f"got shape {theta.shape}; pass a physgen.Trajectory unchanged."
        )
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(theta))):
        raise ValueError(
            f"{func}: traj contains non-finite times or angles; check the simulation "
            "that produced it (NaN/inf values cannot be plotted meaningfully)."
        )
    batch_shape = theta.shape[:-1]
    n = int(np.prod(batch_shape, dtype=int))
    theta2 = theta.reshape(n, t.size)
    omega2 = None
    if need_omega:
        omega = _attr(traj, "omega", func)
        if omega.shape != theta.shape:
            raise ValueError(
                f"{func}: traj.omega must have the shape of traj.theta {theta.shape}, "
                f"got {omega.shape}; pass a physgen.Trajectory unchanged."
            )
        omega2 = omega.reshape(n, t.size)
    length = np.broadcast_to(_param(traj, "length", batch_shape), batch_shape).reshape(n)
    g = np.broadcast_to(_param(traj, "g", batch_shape), batch_shape).reshape(n)
    idx = _which(which, n, func)
    return (
        t,
        theta2[idx],
        None if omega2 is None else omega2[idx],
        length[idx],
        g[idx],
        idx,
    )


def _param(traj, name, batch_shape):
    """A pendulum parameter broadcast to the batch shape (NaN when absent)."""
    if not hasattr(traj, name):
        return np.full(batch_shape, np.nan)
    return np.asarray(getattr(traj, name), dtype=float)


def _which(which, n: int, func: str) -> np.ndarray:
    """Validate a selection of flat batch indices."""
    if which is None:
        return np.arange(n)
    if isinstance(which, bool):
        raise TypeError(f"{func}: which must be an int, a sequence of ints or None, got {which!r}.")
    if isinstance(which, numbers.Integral):
        which = [which]
    idx = np.asarray(which)
    if idx.ndim != 1 or idx.size == 0 or not np.issubdtype(idx.dtype, np.integer):
        raise TypeError(
            f"{func}: which must be an int, a non-empty sequence of ints or None, got {which!r}; "
            "pass e.g. which=[0, 1, 2]."
        )
    if np.any(idx < -n) or np.any(idx >= n):
        raise ValueError(
            f"{func}: which={which!r} is out of range for a batch of {n} trajectories; "
            f"pass indices between 0 and {n - 1}."
        )
    return idx % n


def _colors(idx, color):
    """One colour per selected trajectory: ``color`` or the index's cycle colour."""
    if color is not None:
        return [color] * len(idx)
    return [f"C{int(k) % 10}" for k in idx]


def _finite_1d(name: str, value, func: str) -> np.ndarray:
    return check.array(
        value, name, func, ndim=1, finite=False, fix="pass a non-empty 1-D float array."
    )
