"""Measured curves: period against amplitude, errors and energy drift over time, reliability."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from physgen import _validation as check
from physgen.plotting._common import (
    _T_LABEL,
    _finite_1d,
    _get_ax,
)


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
        small_angle = check.real(
            small_angle,
            "small_angle",
            func,
            unit="s",
            positive=True,
            fix="pass the small-angle period 2 * np.pi * np.sqrt(length / g).",
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
        The axes, with one line per series.

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
        Logarithmic y axis (a drift spans decades).
    **line_kwargs
        Passed on to ``ax.plot``.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> import numpy as np, matplotlib.pyplot as plt
    >>> from physgen import plot_energy_drift
    >>> t = np.linspace(0.0, 1.0, 5)
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
    check.mapping(
        curves,
        "curves",
        "plot_reliability",
        what="label -> CalibrationCurve",
        fix="pass e.g. {'model': calibration_curve(y, mean, std)}.",
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
