"""Figures of pendulums: trajectories, phase portraits, periods, errors, animations.

Every plotting helper takes an optional matplotlib ``ax`` (a new figure is
made when it is ``None``), draws on it, labels both axes *with units*, and
returns the axes, so figures compose::

    fig, (left, right) = plt.subplots(1, 2)
    plot_trajectories(traj, ax=left)
    plot_phase_portrait(traj, ax=right, scaled=True)

Nothing here changes matplotlib's global state (no ``rcParams`` on import).
The helpers read a trajectory through its attributes ``t`` [s], ``theta``
[rad], ``omega`` [rad/s], ``length`` [m] and ``g`` [m/s^2] (a
:class:`physgen.Trajectory`, or any object with those attributes), and use
only NumPy and matplotlib.

Two ways to animate a batch of pendulums are provided:
:func:`animate_pendulums` returns a matplotlib
:class:`~matplotlib.animation.FuncAnimation` (for a notebook, or to save as a
video), and :func:`pendulum_animation_html` returns a small, self-contained
SVG + JavaScript snippet that plays on a static web page and weighs a few
kilobytes instead of the megabytes of a frame-by-frame image animation.

Pendulum ``k`` of a batch is drawn in colour ``"C{k}"`` by every helper, so the
same pendulum has the same colour in every figure of a chapter.
"""

from __future__ import annotations

import hashlib
import html
import json
import numbers
from collections.abc import Mapping

import numpy as np

from physgen import _validation as check

__all__ = [
    "plot_trajectories",
    "plot_phase_portrait",
    "plot_period_vs_amplitude",
    "plot_error_over_time",
    "plot_energy_drift",
    "animate_pendulums",
    "pendulum_animation_html",
]

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


# --------------------------------------------------------------------------- plots
def plot_trajectories(
    traj,
    ax=None,
    *,
    which=None,
    color=None,
    alpha: float = 0.9,
    linewidth: float = 1.2,
    label_params: bool = False,
    **line_kwargs,
):
    """Plot the angle θ(t) of every pendulum of a (batch) trajectory.

    Parameters
    ----------
    traj : physgen.Trajectory
        Times ``t`` (T,) [s] and angles ``theta`` S + (T,) [rad]; any batch shape S.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when None.
    which : int or sequence of int, optional
        Flat indices (C order) of the trajectories to draw; all when None.
    color : color, optional
        One colour for all lines; by default trajectory ``k`` gets ``"C{k}"``.
    alpha, linewidth : float
        Line opacity and width.
    label_params : bool
        If True, label each line with its length [m], g [m/s^2], θ0 [rad] and
        ω0 [rad/s] (shown by ``ax.legend()``).
    **line_kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.axes.Axes
        x label ``time t [s]``, y label ``angle θ [rad]``.

    Examples
    --------
    >>> import numpy as np, matplotlib.pyplot as plt
    >>> from physgen import simulate, plot_trajectories
    >>> traj = simulate([0.5, 1.0], 0.0, np.linspace(0, 2, 50), method="small_angle")
    >>> ax = plot_trajectories(traj)
    >>> ax.get_xlabel(), ax.get_ylabel(), len(ax.lines)
    ('time t [s]', 'angle θ [rad]', 2)
    >>> plt.close("all")
    """
    t, theta, _, length, g, idx = _flat_batch(traj, "plot_trajectories", which)
    ax = _get_ax(ax)
    th0 = _flat_param(traj, "theta0")
    om0 = _flat_param(traj, "omega0")
    for k, c in enumerate(_colors(idx, color)):
        label = None
        if label_params:
            j = idx[k]
            label = (
                f"l = {length[k]:.2f} m, g = {g[k]:.2f} m/s², "
                f"θ₀ = {th0[j]:.2f} rad, ω₀ = {om0[j]:.2f} rad/s"
            )
        ax.plot(t, theta[k], color=c, alpha=alpha, linewidth=linewidth, label=label, **line_kwargs)
    ax.set_xlabel(_T_LABEL)
    ax.set_ylabel(_THETA_LABEL)
    ax.set_xlim(t[0], t[-1])
    return ax


def _flat_param(traj, name):
    """A parameter flattened to the batch (NaN when absent)."""
    theta = np.asarray(traj.theta)
    shape = theta.shape[:-1]
    return np.broadcast_to(_param(traj, name, shape), shape).reshape(-1)


def _wrap_with_breaks(theta: np.ndarray, y: np.ndarray):
    """Wrap angles into [-π, π) and insert NaN where the wrapped line jumps."""
    wrapped = (theta + np.pi) % (2 * np.pi) - np.pi
    jumps = np.flatnonzero(np.abs(np.diff(wrapped)) > np.pi)
    if jumps.size == 0:
        return wrapped, y
    x = np.insert(wrapped, jumps + 1, np.nan)
    y = np.insert(np.asarray(y, dtype=float), jumps + 1, np.nan)
    return x, y


def plot_phase_portrait(
    traj=None,
    ax=None,
    *,
    scaled: bool = False,
    separatrix: bool = True,
    wrap: bool = True,
    length=None,
    g=None,
    which=None,
    color=None,
    alpha: float = 0.9,
    linewidth: float = 1.2,
    **line_kwargs,
):
    r"""Plot trajectories in phase space (θ, ω), with the separatrix.

    The separatrix is the boundary between swinging and rotating motion: the
    orbit with exactly the energy needed to reach the top, on which

    .. math:: \omega = \pm 2\sqrt{g/l}\,\cos(\theta/2).

    With ``scaled=True`` the velocity is divided by the natural angular
    frequency :math:`\Omega = \sqrt{g/l}` [rad/s] of each pendulum, so pendulums
    of different lengths and gravities share one separatrix,
    :math:`\omega/\Omega = \pm 2\cos(\theta/2)`.

    Parameters
    ----------
    traj : physgen.Trajectory, optional
        Trajectories to draw (``t`` [s], ``theta``, ``omega``, ``length`` [m],
        ``g`` [m/s^2]); None draws only the separatrix.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when None.
    scaled : bool
        Plot ω/Ω [dimensionless] instead of ω [rad/s].
    separatrix : bool
        Draw the separatrix (black dashed).
    wrap : bool
        Wrap angles into [-π, π) (a pendulum that goes over the top re-enters
        on the other side); otherwise plot the continuous angle.
    length, g : float, optional
        Length [m] and gravity [m/s^2] of the separatrix when ``scaled=False``.
        By default taken from ``traj`` when all its pendulums share them.
    which, color, alpha, linewidth, **line_kwargs
        As in :func:`plot_trajectories`.

    Returns
    -------
    matplotlib.axes.Axes
        x label ``angle θ [rad]``; y label ``angular velocity ω [rad/s]`` or
        the scaled velocity [dimensionless].

    Raises
    ------
    ValueError
        If ``scaled=False``, ``separatrix=True`` and the pendulums differ in
        length or g while ``length``/``g`` are not given.

    Examples
    --------
    >>> import numpy as np, matplotlib.pyplot as plt
    >>> from physgen import simulate, plot_phase_portrait
    >>> traj = simulate(1.0, 0.0, np.linspace(0, 3, 100), method="small_angle")
    >>> ax = plot_phase_portrait(traj)
    >>> ax.get_ylabel()
    'angular velocity ω [rad/s]'
    >>> plt.close("all")
    """
    func = "plot_phase_portrait"
    ax = _get_ax(ax)
    sep_l = sep_g = None
    if traj is not None:
        _t, theta, omega, lengths, gs, idx = _flat_batch(traj, func, which, need_omega=True)
        if scaled:
            w0 = np.sqrt(gs / lengths)
            if not np.all(np.isfinite(w0)) or np.any(w0 <= 0):
                raise ValueError(
                    f"{func}: scaled=True needs positive finite traj.length [m] and traj.g "
                    "[m/s^2]; pass a physgen.Trajectory (or scaled=False)."
                )
            omega = omega / w0[:, None]
        elif separatrix and (length is None or g is None):
            if np.ptp(lengths) > 0 or np.ptp(gs) > 0 or not np.all(np.isfinite(lengths * gs)):
                raise ValueError(
                    f"{func}: the pendulums differ in length or g, so they have no common "
                    "separatrix in (θ, ω); pass scaled=True (one separatrix for all), or "
                    "length= and g= for the separatrix to draw, or separatrix=False."
                )
            sep_l = lengths[0] if length is None else length
            sep_g = gs[0] if g is None else g
        for k, c in enumerate(_colors(idx, color)):
            if wrap:
                x, y = _wrap_with_breaks(theta[k], omega[k])
            else:
                x, y = theta[k], omega[k]
            ax.plot(x, y, color=c, alpha=alpha, linewidth=linewidth, **line_kwargs)
    if separatrix:
        if scaled:
            amp = 2.0
        else:
            sep_l = length if sep_l is None else sep_l
            sep_g = g if sep_g is None else sep_g
            if sep_l is None or sep_g is None:
                raise ValueError(
                    f"{func}: to draw the separatrix in (θ, ω) pass length= [m] and g= "
                    "[m/s^2] (or a trajectory, or scaled=True)."
                )
            sep_l, sep_g = float(sep_l), float(sep_g)
            if not (np.isfinite(sep_l) and np.isfinite(sep_g) and sep_l > 0 and sep_g > 0):
                raise ValueError(
                    f"{func}: length and g must be positive and finite, got length={sep_l!r}, "
                    f"g={sep_g!r}; pass e.g. length=1.0, g=9.81."
                )
            amp = 2.0 * np.sqrt(sep_g / sep_l)
        xs = np.linspace(-np.pi, np.pi, 401)
        lo, hi = ax.get_xlim() if (traj is not None and not wrap) else (-np.pi, np.pi)
        shifts = range(
            int(np.floor((lo + np.pi) / (2 * np.pi))), int(np.ceil((hi - np.pi) / (2 * np.pi))) + 1
        )
        for i, s in enumerate(shifts):
            for sign in (1, -1):
                ax.plot(
                    xs + 2 * np.pi * s,
                    sign * amp * np.cos(xs / 2),
                    color="black",
                    linestyle="--",
                    linewidth=1.0,
                    label="separatrix" if (i == 0 and sign == 1) else None,
                )
    if wrap:
        ax.set_xlim(-np.pi, np.pi)
    ax.set_xlabel(_THETA_LABEL)
    ax.set_ylabel(_OMEGA_SCALED_LABEL if scaled else _OMEGA_LABEL)
    return ax


def plot_period_vs_amplitude(
    amplitude,
    period,
    ax=None,
    *,
    small_angle=None,
    relative: bool = False,
    degrees: bool = True,
    label: str = "exact",
    small_angle_label: str = "small-angle 2π√(l/g)",
    **line_kwargs,
):
    r"""Plot a pendulum's period against its amplitude.

    Parameters
    ----------
    amplitude : array_like, shape (N,)
        Amplitudes θmax [rad].
    period : array_like, shape (N,)
        Periods [s] at those amplitudes (``inf`` on the separatrix is allowed
        and not drawn).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when None.
    small_angle : float, optional
        The small-angle period :math:`T_0 = 2\pi\sqrt{l/g}` [s], drawn as a
        dashed horizontal line. Required when ``relative=True``.
    relative : bool
        Plot :math:`T/T_0` [dimensionless] instead of T [s].
    degrees : bool
        Show amplitudes in degrees (the input is always in radians).
    label, small_angle_label : str
        Legend labels.
    **line_kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot` for the exact curve.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np, matplotlib.pyplot as plt
    >>> from physgen import plot_period_vs_amplitude
    >>> amp = np.linspace(0.1, 3.0, 20)
    >>> ax = plot_period_vs_amplitude(amp, 2.0 + amp**2 / 8, small_angle=2.0)
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('amplitude θmax [°]', 'period T [s]')
    >>> plt.close("all")
    """
    func = "plot_period_vs_amplitude"
    amp = _finite_1d("amplitude", amplitude, func)
    per = _finite_1d("period", period, func)
    check.same_shape(
        amp, per, ("amplitude", "period"), func, fix="pass one period [s] per amplitude [rad]."
    )
    if not np.all(np.isfinite(amp)) or np.any(np.isnan(per)) or np.any(per <= 0):
        raise ValueError(
            f"{func}: amplitudes must be finite [rad] and periods positive [s] (inf allowed); "
            "check the inputs for NaN or negative values."
        )
    if small_angle is not None:
        small_angle = float(small_angle)
        if not (np.isfinite(small_angle) and small_angle > 0):
            raise ValueError(
                f"{func}: small_angle must be a positive finite period [s], got {small_angle!r}; "
                "pass 2 * np.pi * np.sqrt(length / g)."
            )
    if relative and small_angle is None:
        raise ValueError(
            f"{func}: relative=True plots T/T0 and needs small_angle=T0 [s]; "
            "pass small_angle=2 * np.pi * np.sqrt(length / g)."
        )
    ax = _get_ax(ax)
    x = np.degrees(amp) if degrees else amp
    y = np.where(np.isfinite(per), per, np.nan)
    if relative:
        y = y / small_angle
    ax.plot(x, y, label=label, **line_kwargs)
    if small_angle is not None:
        ax.axhline(
            1.0 if relative else small_angle, color="0.4", linestyle="--", label=small_angle_label
        )
    ax.set_xlabel("amplitude θmax [°]" if degrees else "amplitude θmax [rad]")
    ax.set_ylabel("period ratio T/T₀ [dimensionless]" if relative else "period T [s]")
    return ax


def _series(name, values, n_t, func):
    """A mapping label -> 1-D array of length n_t, from a mapping or one array."""
    items = list(values.items()) if isinstance(values, Mapping) else [(None, values)]
    if not items:
        raise ValueError(f"{func}: {name} is empty; pass an array or a dict label -> array.")
    out = []
    for label, v in items:
        arr = np.asarray(v, dtype=float)
        if arr.shape != (n_t,):
            raise ValueError(
                f"{func}: each {name} series must have shape ({n_t},) like t, got {arr.shape}"
                + (f" for {label!r}" if label is not None else "")
                + "; pass one value per time."
            )
        out.append((label, arr))
    return out


def plot_error_over_time(
    t,
    errors,
    ax=None,
    *,
    log: bool = True,
    ylabel: str = "error |θ − θ_exact| [rad]",
    **line_kwargs,
):
    """Plot one or several error curves against time.

    Parameters
    ----------
    t : array_like, shape (T,)
        Times [s].
    errors : array_like of shape (T,), or mapping str -> array_like (T,)
        Errors (e.g. the absolute angle error [rad] of each method); with a
        mapping each key is a legend label.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when None.
    log : bool
        Logarithmic y axis (zeros are not drawn).
    ylabel : str
        y label; it must state the unit in square brackets.
    **line_kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np, matplotlib.pyplot as plt
    >>> from physgen import plot_error_over_time
    >>> t = np.linspace(0, 1, 5)
    >>> ax = plot_error_over_time(t, {"A": 1e-3 * t, "B": 1e-4 * t})
    >>> [line.get_label() for line in ax.lines]
    ['A', 'B']
    >>> plt.close("all")
    """
    func = "plot_error_over_time"
    tt = _finite_1d("t", t, func)
    if not isinstance(ylabel, str) or "[" not in ylabel:
        raise ValueError(
            f"{func}: ylabel must be a string with the unit in square brackets, got {ylabel!r}; "
            "pass e.g. ylabel='error [rad]'."
        )
    series = _series("errors", errors, tt.size, func)
    ax = _get_ax(ax)
    for label, arr in series:
        y = np.abs(arr)
        if log:
            y = np.where(y > 0, y, np.nan)
        ax.plot(tt, y, label=label, **line_kwargs)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(_T_LABEL)
    ax.set_ylabel(ylabel)
    ax.set_xlim(tt[0], tt[-1])
    return ax


def plot_energy_drift(t, energies, ax=None, *, log: bool = True, **line_kwargs):
    """Plot the relative energy error :math:`|E(t) - E(0)| / E(0)` against time.

    A perfect solution conserves energy; a numerical method's drift shows
    how far its pendulum has wandered to a different orbit.

    Parameters
    ----------
    t : array_like, shape (T,)
        Times [s].
    energies : array_like of shape (T,), or mapping str -> array_like (T,)
        Energies [J] (any constant factor cancels); with a mapping each key is
        a legend label.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when None.
    log : bool
        Logarithmic y axis.
    **line_kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np, matplotlib.pyplot as plt
    >>> from physgen import plot_energy_drift
    >>> t = np.linspace(0, 1, 5)
    >>> ax = plot_energy_drift(t, 1.0 + 1e-3 * t)
    >>> ax.get_ylabel()
    'relative energy error |E − E₀|/E₀ [dimensionless]'
    >>> plt.close("all")
    """
    func = "plot_energy_drift"
    tt = _finite_1d("t", t, func)
    series = _series("energies", energies, tt.size, func)
    drifts = {}
    for label, e in series:
        if not (np.isfinite(e[0]) and e[0] > 0):
            raise ValueError(
                f"{func}: the initial energy must be positive and finite to measure a relative "
                f"drift, got E(0) = {e[0]!r}"
                + (f" for {label!r}" if label is not None else "")
                + "; measure energy from the bottom, E = ½ml²ω² + mgl(1 − cos θ), and avoid the "
                "pendulum at rest at the bottom."
            )
        drifts[label] = np.abs(e - e[0]) / e[0]
    if list(drifts) == [None]:
        drifts = drifts[None]
    return plot_error_over_time(
        tt,
        drifts,
        ax=ax,
        log=log,
        ylabel="relative energy error |E − E₀|/E₀ [dimensionless]",
        **line_kwargs,
    )


# --------------------------------------------------------------------------- animation
def _animation_frames(traj, which, fps, duration, func):
    """Angles at the animation's frame times: (n, F) array, frame times (F,), params."""
    t, theta, _, length, g, idx = _flat_batch(traj, func, which)
    fps = check.real(fps, "fps", func, positive=True, upper=120, fix="pass e.g. fps=25.")
    span = t[-1] - t[0]
    duration = check.real(
        span if duration is None else duration,
        "duration",
        func,
        unit="s",
        positive=True,
        upper=span,
        fix="pass at most the trajectory's time span, or simulate longer.",
    )
    if np.any(np.diff(t) <= 0):
        raise ValueError(f"{func}: traj.t must be increasing; pass a sorted time grid [s].")
    n_frames = max(2, round(duration * fps))
    frame_t = t[0] + np.arange(n_frames) / fps
    frame_t = frame_t[frame_t <= t[-1]]
    angles = np.stack([np.interp(frame_t, t, th) for th in theta])
    return angles, frame_t, length, g, idx


def animate_pendulums(
    traj,
    *,
    which=None,
    fps: float = 20,
    duration=None,
    figsize=(4.0, 2.0),
    dpi: int = 60,
):
    """Animate a batch of pendulums swinging side by side (matplotlib).

    Rod lengths are drawn to scale (the longest pendulum fills its cell); time
    runs at real speed when played at ``fps`` frames per second.

    Parameters
    ----------
    traj : physgen.Trajectory
        Trajectories to animate (``t`` [s], ``theta`` [rad], ``length`` [m]).
    which : int or sequence of int, optional
        Flat indices of the pendulums to show; all when None (keep it to a few).
    fps : float
        Frames per second of the animation (and of the resampling of ``t``).
    duration : float, optional
        Seconds of motion to animate, from ``t[0]``; the whole trajectory by default.
    figsize : (float, float)
        Figure size [inch].
    dpi : int
        Resolution of the frames [dots per inch] (keep it low for web pages).

    Returns
    -------
    matplotlib.animation.FuncAnimation
        Call ``.to_jshtml()`` for an embeddable HTML player (every frame is a
        PNG image, so the HTML grows with frames x pixels), or ``.save(...)``.
        For web pages prefer :func:`pendulum_animation_html`.
    """
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    func = "animate_pendulums"
    angles, frame_t, length, _, idx = _animation_frames(traj, which, fps, duration, func)
    n = len(idx)
    rel = _relative_lengths(length)
    fig, ax = plt.subplots(figsize=figsize, dpi=dpi, layout="constrained")
    ax.set_xlim(-1.1, 2.2 * n - 1.1)
    ax.set_ylim(-1.1, 1.1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("pendulums drawn to scale (longest rod = 1 unit)")
    pivots = 2.2 * np.arange(n)
    ax.plot(pivots, np.zeros(n), "k.", markersize=4)
    rods = [ax.plot([], [], color="0.35", linewidth=1.5)[0] for _ in range(n)]
    bobs = [ax.plot([], [], "o", color=f"C{int(k) % 10}", markersize=8)[0] for k in idx]
    clock = ax.text(0.01, 0.98, "", transform=ax.transAxes, va="top", fontsize=8)

    def update(f):
        for i in range(n):
            x = pivots[i] + rel[i] * np.sin(angles[i, f])
            y = -rel[i] * np.cos(angles[i, f])
            rods[i].set_data([pivots[i], x], [0.0, y])
            bobs[i].set_data([x], [y])
        clock.set_text(f"t = {frame_t[f]:.1f} s")
        return [*rods, *bobs, clock]

    anim = FuncAnimation(fig, update, frames=len(frame_t), interval=1000.0 / fps, blit=True)
    plt.close(fig)
    return anim


def _relative_lengths(length):
    """Rod lengths relative to the longest (1 when unknown)."""
    length = np.asarray(length, dtype=float)
    if not np.all(np.isfinite(length)) or np.any(length <= 0):
        return np.ones_like(length)
    return length / length.max()


def pendulum_animation_html(
    traj,
    *,
    which=None,
    fps: float = 25,
    duration=None,
    alt: str = "Animation of pendulums swinging side by side.",
    cell_size: int = 140,
    columns=None,
    decimals: int = 3,
    autoplay: bool = True,
) -> str:
    """A lightweight animation of pendulums as self-contained SVG + JavaScript.

    The returned HTML holds one SVG drawing (a rod and a bob per pendulum,
    rods to scale) and a short script that moves the rods through the angles,
    stored once as numbers: a few kilobytes where a frame-by-frame PNG
    animation needs megabytes. It plays on a static web page and in Jupyter
    (``IPython.display.HTML(...)``), loops, has a play/pause button, and
    starts paused for readers who ask their system for reduced motion. The
    output is deterministic (angles rounded to ``decimals``; element ids
    derived from the content), so re-running a notebook reproduces it exactly.

    Parameters
    ----------
    traj : physgen.Trajectory
        Trajectories to animate (``t`` [s], ``theta`` [rad], ``length`` [m],
        ``g`` [m/s^2]).
    which : int or sequence of int, optional
        Flat indices of the pendulums to show; all when None (keep it to a few).
    fps : float
        Frames per second; the motion is resampled to this rate, and plays in
        real time.
    duration : float, optional
        Seconds of motion to animate from ``t[0]``; the whole trajectory by
        default. The animation loops.
    alt : str
        Text alternative for screen readers (the SVG's title).
    cell_size : int
        Width and height of each pendulum's square cell [px] (the drawing
        scales to the page width).
    columns : int, optional
        Pendulums per row; all in one row when None.
    decimals : int
        Angles are stored rounded to this many decimals [rad].
    autoplay : bool
        Start playing when the page loads (unless reduced motion is requested).

    Returns
    -------
    str
        HTML; display it with ``IPython.display.HTML(...)``.

    Examples
    --------
    >>> import numpy as np
    >>> from physgen import simulate, pendulum_animation_html
    >>> traj = simulate([0.5, 2.0], 0.0, np.linspace(0, 2, 201), method="small_angle")
    >>> page = pendulum_animation_html(traj, fps=10)
    >>> page.count('class="bob"'), len(page) < 6000
    (2, True)
    """
    func = "pendulum_animation_html"
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"{func}: alt must be a non-empty description, got {alt!r}.")
    decimals = check.integer(decimals, "decimals", func, minimum=1, fix="pass e.g. decimals=3.")
    cell_size = check.integer(cell_size, "cell_size", func, minimum=40, fix="pass e.g. 110 (px).")
    if decimals > 6 or cell_size > 400:
        raise ValueError(
            f"{func}: decimals={decimals} must be at most 6 and cell_size="
            f"{cell_size} at most 400 px; pass e.g. decimals=3, cell_size=110."
        )
    angles, frame_t, length, g, idx = _animation_frames(traj, which, fps, duration, func)
    n = len(idx)
    rel = _relative_lengths(length)
    if columns is None:
        columns = n
    columns = check.integer(
        columns, "columns", func, minimum=1, fix="pass e.g. columns=3, or None."
    )
    columns = min(int(columns), n)
    rows = -(-n // columns)
    size = int(cell_size)
    radius = 0.42 * size
    row_h = size + 34
    width, height = columns * size, rows * row_h
    palette = [
        "#1f77b4",
        "#ff7f0e",
        "#2ca02c",
        "#d62728",
        "#9467bd",
        "#8c564b",
        "#e377c2",
        "#7f7f7f",
        "#bcbd22",
        "#17becf",
    ]
    data = {
        "fps": float(fps),
        "r": [round(float(radius * x), 2) for x in rel],
        "a": np.round(angles, int(decimals)).tolist(),
        "t0": round(float(frame_t[0]), 6),
    }
    payload = json.dumps(data, separators=(",", ":"))
    uid = "pgani-" + hashlib.sha256((payload + alt).encode()).hexdigest()[:10]
    parts = [
        f'<div id="{uid}" class="physgen-animation" style="max-width:{width}px">',
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{uid}-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{uid}-title">{html.escape(alt)}</title>',
    ]
    for i in range(n):
        row, col = divmod(i, columns)
        cx, cy = size * col + size / 2, row_h * row + size / 2
        color = palette[int(idx[i]) % 10]
        x0 = cx + data["r"][i] * np.sin(angles[i, 0])
        y0 = cy + data["r"][i] * np.cos(angles[i, 0])
        parts.append(
            f'<circle cx="{cx:g}" cy="{cy:g}" r="{data["r"][i]:g}" fill="none" stroke="#999" '
            f'stroke-width="0.8" stroke-dasharray="2 4"/>'
        )
        parts.append(
            f'<line x1="{cx:g}" y1="{cy:g}" x2="{x0:.2f}" y2="{y0:.2f}" '
            f'stroke="#555" stroke-width="2" class="rod"/>'
        )
        parts.append(f'<circle cx="{x0:.2f}" cy="{y0:.2f}" r="8" fill="{color}" class="bob"/>')
        parts.append(f'<rect x="{cx - 3:g}" y="{cy - 2:g}" width="6" height="4" fill="#333"/>')
        lab = []
        if np.isfinite(length[i]):
            lab.append(f"l = {length[i]:.2f} m")
        if np.isfinite(g[i]):
            lab.append(f"g = {g[i]:.2f} m/s²")
        parts.append(
            f'<text x="{cx:g}" y="{row_h * row + size + 12}" font-size="11" text-anchor="middle" '
            f'fill="#777">{html.escape(", ".join(lab[:1]))}</text>'
        )
        if len(lab) > 1:
            parts.append(
                f'<text x="{cx:g}" y="{row_h * row + size + 26}" font-size="11" '
                f'text-anchor="middle" fill="#777">{html.escape(lab[1])}</text>'
            )
    parts.append("</svg>")
    parts.append(
        f'<div style="font:12px sans-serif"><button type="button" class="pg-toggle">pause</button> '
        f'<span class="pg-clock">t = {frame_t[0]:.1f} s</span></div>'
    )
    script = (
        "(function(){"
        f"var D={payload};"
        f"var root=document.getElementById('{uid}');if(!root)return;"
        "var rods=root.querySelectorAll('line.rod'),bobs=root.querySelectorAll('circle.bob');"
        "var btn=root.querySelector('.pg-toggle'),clock=root.querySelector('.pg-clock');"
        "var F=D.a[0].length,f=0,last=null,acc=0,dt=1000/D.fps;"
        "var rm=window.matchMedia&&window.matchMedia('(prefers-reduced-motion: reduce)').matches;"
        f"var playing={'true' if autoplay else 'false'}&&!rm;"
        "function draw(){for(var i=0;i<rods.length;i++){var cx=+rods[i].getAttribute('x1'),"
        "cy=+rods[i].getAttribute('y1'),a=D.a[i][f],x=cx+D.r[i]*Math.sin(a),y=cy+D.r[i]*Math.cos(a);"
        "rods[i].setAttribute('x2',x.toFixed(2));rods[i].setAttribute('y2',y.toFixed(2));"
        "bobs[i].setAttribute('cx',x.toFixed(2));bobs[i].setAttribute('cy',y.toFixed(2));}"
        "clock.textContent='t = '+(D.t0+f/D.fps).toFixed(1)+' s';}"
        "function step(ts){if(!playing){last=null;return;}if(last!==null){acc+=ts-last;"
        "while(acc>=dt){acc-=dt;f=(f+1)%F;}draw();}last=ts;requestAnimationFrame(step);}"
        "function label(){btn.textContent=playing?'pause':'play';}"
        "btn.addEventListener('click',function(){playing=!playing;label();"
        "if(playing)requestAnimationFrame(step);});"
        "label();draw();if(playing)requestAnimationFrame(step);"
        "})();"
    )
    parts.append(f"<script>{script}</script>")
    parts.append("</div>")
    return "\n".join(p for p in parts if p)


# --- chapter 3 --------------------------------------------------------------------------
# Plots of chapter 3: predictive distributions.
__all__ += ["plot_reliability", "plot_sampled_trajectories"]


def plot_reliability(curves, ax=None, **line_kwargs):
    """Reliability diagram: observed against nominal coverage of central intervals.

    Parameters
    ----------
    curves : mapping of str to CalibrationCurve
        Label -> :func:`physgen.calibration.calibration_curve` result.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure if None.
    **line_kwargs
        Passed to every ``ax.plot`` of a curve.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if not hasattr(curves, "items"):
        raise TypeError(
            "plot_reliability: curves must map labels to CalibrationCurve objects, "
            f"got {type(curves).__name__}."
        )
    ax = _get_ax(ax, figsize=(4.8, 4.6))
    ax.plot([0, 1], [0, 1], "k--", lw=1, label="perfect")
    markers = "osv^D<>ph"
    for k, (label, curve) in enumerate(curves.items()):
        levels = np.asarray(getattr(curve, "levels", None), dtype=float)
        observed = np.asarray(getattr(curve, "observed", None), dtype=float)
        if levels.ndim != 1 or levels.shape != observed.shape:
            raise ValueError(
                f"plot_reliability: curve {label!r} needs 1-d levels and observed "
                "of the same length (a CalibrationCurve)."
            )
        kwargs = {"marker": markers[k % len(markers)], "ms": 3, **line_kwargs}
        ax.plot(levels, observed, label=label, **kwargs)
    ax.set(xlabel="nominal coverage [-]", ylabel="observed coverage [-]", xlim=(0, 1), ylim=(0, 1))
    ax.legend(fontsize=8)
    return ax


def plot_sampled_trajectories(
    t, samples, ax=None, *, truth=None, observed=None, sample_color="0.55"
):
    """Sampled trajectories (grey) over the truth (black) and observations (dots).

    Parameters
    ----------
    t : array_like, shape (T,)
        Times [s].
    samples : array_like, shape (n_samples, T)
        Sampled angles [rad], one row per sampled trajectory.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure if None.
    truth : array_like, shape (T,), optional
        The true angle [rad].
    observed : array_like, shape (T,), optional
        Noisy observations [rad], drawn as dots.
    sample_color : color, keyword-only
        Colour of the samples.

    Returns
    -------
    matplotlib.axes.Axes
    """
    t = _finite_1d("t", t, "plot_sampled_trajectories")
    samples = np.asarray(samples, dtype=float)
    if samples.ndim != 2 or samples.shape[1] != t.size:
        raise ValueError(
            f"plot_sampled_trajectories: samples must have shape (n_samples, "
            f"{t.size}), got {samples.shape}."
        )
    ax = _get_ax(ax)
    if observed is not None:
        ax.plot(
            t,
            _finite_1d("observed", observed, "plot_sampled_trajectories"),
            ".",
            ms=1.5,
            color="tab:blue",
            label="observations",
        )
    for k, s in enumerate(samples):
        ax.plot(t, s, color=sample_color, lw=0.6, label="samples" if k == 0 else None)
    if truth is not None:
        ax.plot(
            t, _finite_1d("truth", truth, "plot_sampled_trajectories"), "k", lw=1.5, label="truth"
        )
    ax.set(xlabel=_T_LABEL, ylabel=_THETA_LABEL)
    return ax
