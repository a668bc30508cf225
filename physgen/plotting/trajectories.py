"""Trajectories in time and in the phase plane, real and sampled."""

from __future__ import annotations

import numpy as np

from physgen.plotting._common import (
    _OMEGA_LABEL,
    _OMEGA_SCALED_LABEL,
    _T_LABEL,
    _THETA_LABEL,
    _colors,
    _finite_1d,
    _flat_batch,
    _get_ax,
    _param,
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
            omega = omega / _natural_frequencies(lengths, gs, func)[:, None]
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
            amp = _separatrix_height(sep_l, sep_g, func)
        lo, hi = ax.get_xlim() if (traj is not None and not wrap) else (-np.pi, np.pi)
        _draw_separatrix(ax, amp, lo, hi)
    if wrap:
        ax.set_xlim(-np.pi, np.pi)
    ax.set_xlabel(_THETA_LABEL)
    ax.set_ylabel(_OMEGA_SCALED_LABEL if scaled else _OMEGA_LABEL)
    return ax


def _natural_frequencies(lengths, gs, func: str) -> np.ndarray:
    """sqrt(g / l) [rad/s] of each pendulum, which must be positive and finite."""
    w0 = np.sqrt(gs / lengths)
    if not np.all(np.isfinite(w0)) or np.any(w0 <= 0):
        raise ValueError(
            f"{func}: scaled=True needs positive finite traj.length [m] and traj.g "
            "[m/s^2]; pass a physgen.Trajectory (or scaled=False)."
        )
    return w0


def _separatrix_height(length, g, func: str) -> float:
    """Largest |ω| [rad/s] on the separatrix, 2 sqrt(g / l), of a pendulum that must be given."""
    if length is None or g is None:
        raise ValueError(
            f"{func}: to draw the separatrix in (θ, ω) pass length= [m] and g= "
            "[m/s^2] (or a trajectory, or scaled=True)."
        )
    length, g = float(length), float(g)
    if not (np.isfinite(length) and np.isfinite(g) and length > 0 and g > 0):
        raise ValueError(
            f"{func}: length and g must be positive and finite, got length={length!r}, "
            f"g={g!r}; pass e.g. length=1.0, g=9.81."
        )
    return 2.0 * np.sqrt(g / length)


def _draw_separatrix(ax, amp: float, lo: float, hi: float) -> None:
    """The separatrix ω = ±amp cos(θ/2), repeated every 2π over θ in [lo, hi]."""
    xs = np.linspace(-np.pi, np.pi, 401)
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
