r"""Learned laws of motion: derivatives from noisy data, integrators, and the length posterior.

Chapter 7 learns the pendulum's *law* (its equation of motion) instead of its
trajectory. This module holds the numerical parts that do not depend on how
the law was learned (numpy/scipy only):

- :func:`savgol_derivatives`: smooth a noisy, uniformly sampled angle and
  differentiate it (Savitzky–Golay: a local polynomial fitted to each window
  of ``window`` points, and its value, slope and curvature at the centre).
- :func:`integrate_verlet`: velocity Verlet for a learned acceleration
  :math:`\ddot\theta = a(\theta)` (e.g. a law found by equation discovery).
- :func:`integrate_rk4`: classic fourth-order Runge–Kutta for a learned
  vector field :math:`(\dot\theta, \dot\omega) = f(\theta, \omega)` (e.g. a
  Hamiltonian neural network, converted to numpy).
- :func:`length_posterior`: the posterior of a pendulum's length given one
  noisy trajectory, on a grid, with the exact solution (:func:`physgen.simulate`)
  inside the Gaussian likelihood.

A learned law can blow up outside the data it was fitted on; the integrators
then carry on with ``inf``/``nan`` (without warnings) and report it in
:attr:`LawTrajectory.diverged`, so that a search over many candidate laws can
score such a law as infinitely bad instead of stopping.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal

from physgen import _validation as check
from physgen.pendulum import simulate, verlet_step

__all__ = [
    "Derivatives",
    "savgol_derivatives",
    "LawTrajectory",
    "integrate_verlet",
    "integrate_rk4",
    "LengthPosterior",
    "length_posterior",
]


# --------------------------------------------------------------------------
# validation helpers
# --------------------------------------------------------------------------
def _uniform_times(t, where, *, min_points=2):
    """A finite, strictly increasing, uniform 1-D time grid [s] and its step."""
    t = check.array(t, "t", where, ndim=1, unit="s", fix="pass e.g. t=np.arange(500) * 0.01.")
    if t.size < min_points:
        raise ValueError(
            f"{where}: t must have at least {min_points} times, got {t.size}; "
            "pass a longer time grid, e.g. t=np.arange(500) * 0.01."
        )
    check.increasing(t, "t", where, fix="sort the times (np.sort) and drop repeated ones.")
    steps = np.diff(t)
    dt = (t[-1] - t[0]) / (t.size - 1)
    if not np.allclose(steps, dt, rtol=1e-6, atol=0.0):
        raise ValueError(
            f"{where}: t must be uniform (one fixed step), got steps from {steps.min()!r} "
            f"to {steps.max()!r} s; resample onto t = t0 + dt * np.arange(n)."
        )
    return t, float(dt)


def _batch(theta0, omega0, where):
    theta0 = check.array(theta0, "theta0", where, unit="rad", fix="pass finite initial angles.")
    omega0 = check.array(
        omega0, "omega0", where, unit="rad/s", fix="pass finite initial angular velocities."
    )
    state = {"theta0": theta0, "omega0": omega0}
    shape = check.broadcast(state, where, fix="pass arrays of equal shape (or scalars).")
    th, om = (np.broadcast_to(a, shape).astype(float) for a in state.values())
    return th, om


def _call(fn, name, where, *args):
    """Call a user's function and check that it returns one array per state, of the batch shape."""
    out = fn(*args)
    shape = args[0].shape
    arr = np.asarray(out, dtype=float)
    if arr.shape != shape:
        raise ValueError(
            f"{where}: {name} must return an array of the batch shape {shape} (one value per "
            f"pendulum), got shape {arr.shape}; make it vectorised over its arguments."
        )
    return arr


# --------------------------------------------------------------------------
# derivatives of noisy data
# --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Derivatives:
    r"""A smoothed series and its first two time derivatives (:func:`savgol_derivatives`).

    The first and last ``window // 2`` points, where the window sticks out of
    the data and the fitted polynomial extrapolates, are dropped.

    Attributes
    ----------
    t : ndarray, shape (T',)
        Times [s] of the kept points, ``T' = T - 2 * (window // 2)``.
    theta : ndarray, shape S + (T',)
        Smoothed angle [rad].
    omega : ndarray, shape S + (T',)
        Its first derivative :math:`\dot\theta` [rad/s].
    alpha : ndarray, shape S + (T',)
        Its second derivative :math:`\ddot\theta` [rad/s^2].
    window : int
        Points per window (odd).
    polyorder : int
        Degree of the local polynomial.

    All arrays are read-only.
    """

    t: np.ndarray
    theta: np.ndarray
    omega: np.ndarray
    alpha: np.ndarray
    window: int
    polyorder: int


def savgol_derivatives(theta, t, *, window, polyorder=3):
    r"""Smooth noisy angles and differentiate them twice (Savitzky–Golay).

    For every point, a polynomial of degree ``polyorder`` is fitted by least
    squares to the ``window`` points centred on it; its value, slope and
    curvature at the centre are the smoothed angle, :math:`\dot\theta` and
    :math:`\ddot\theta` (``scipy.signal.savgol_filter`` with ``deriv=0, 1, 2``).
    A longer window averages more noise away but flattens the curvature of
    the swing (a bias): the window is the knob chapter 7 chooses by validation.

    Parameters
    ----------
    theta : array_like, shape S + (T,)
        Observed angles [rad] on the time grid ``t`` (last axis), finite.
    t : array_like, shape (T,)
        Times [s]: finite, strictly increasing and uniform.
    window : int
        Points per window: odd, greater than ``polyorder``, at most ``T``.
    polyorder : int, default 3
        Degree of the local polynomial, >= 2 (a second derivative needs it).

    Returns
    -------
    Derivatives
        Smoothed angle and derivatives on the interior times (the first and
        last ``window // 2`` points dropped).

    Raises
    ------
    ValueError
        Non-finite ``theta`` or ``t``, ``t`` not strictly increasing or not
        uniform, a shape mismatch, an even window, a window longer than the
        series, or ``polyorder`` out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from physgen import savgol_derivatives
    >>> t = np.arange(200) * 0.01
    >>> d = savgol_derivatives(np.sin(t), t, window=21)
    >>> d.theta.shape, bool(np.allclose(d.alpha, -np.sin(d.t), atol=1e-3))
    ((180,), True)
    """
    where = "savgol_derivatives"
    times, dt = _uniform_times(t, where, min_points=3)
    theta = check.array(theta, "theta", where, unit="rad", finite=False)
    if theta.ndim == 0 or theta.shape[-1] != times.size:
        raise ValueError(
            f"{where}: theta must have the time axis last, of length len(t) = {times.size}, "
            f"got shape {theta.shape}; pass theta of shape (..., {times.size})."
        )
    theta = check.array(
        theta,
        "theta",
        where,
        unit="rad",
        fix="remove or interpolate the NaN/inf observations first.",
    )
    polyorder = check.integer(
        polyorder,
        "polyorder",
        where,
        minimum=2,
        fix="a second derivative needs polyorder >= 2; pass e.g. polyorder=3.",
    )
    window = check.integer(
        window, "window", where, minimum=1, fix="pass an odd number of points, e.g. window=61."
    )
    if window > times.size:
        raise ValueError(
            f"{where}: window={window} points is longer than the series ({times.size} points); "
            f"use a window of at most {times.size if times.size % 2 else times.size - 1} points, "
            "or a longer series."
        )
    if window % 2 == 0:
        raise ValueError(
            f"{where}: window must be odd (a centre point), got {window}; "
            f"pass window={window + 1} or {window - 1}."
        )
    if window <= polyorder:
        raise ValueError(
            f"{where}: window={window} must be greater than polyorder={polyorder}; "
            f"pass window >= {polyorder + 1 + (polyorder % 2 == 0)}."
        )
    h = window // 2
    keep = slice(h, times.size - h)
    out = [
        signal.savgol_filter(theta, window, polyorder, deriv=k, delta=dt, axis=-1)[..., keep]
        for k in (0, 1, 2)
    ]
    return Derivatives(
        t=check.readonly(times[keep].copy()),
        theta=check.readonly(out[0]),
        omega=check.readonly(out[1]),
        alpha=check.readonly(out[2]),
        window=window,
        polyorder=polyorder,
    )


# --------------------------------------------------------------------------
# integrators for learned laws
# --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class LawTrajectory:
    """Motion under a learned law (:func:`integrate_verlet`, :func:`integrate_rk4`).

    Attributes
    ----------
    t : ndarray, shape (T,)
        Times [s].
    theta : ndarray, shape S + (T,)
        Angle [rad].
    omega : ndarray, shape S + (T,)
        Angular velocity [rad/s].
    method : str
        ``"verlet"`` or ``"rk4"``.

    All arrays are read-only.
    """

    t: np.ndarray
    theta: np.ndarray
    omega: np.ndarray
    method: str

    @property
    def diverged(self) -> np.ndarray:
        """Boolean array of shape S: True where the state became non-finite (the law blew up)."""
        return ~(
            np.all(np.isfinite(self.theta), axis=-1) & np.all(np.isfinite(self.omega), axis=-1)
        )


#: Each integrator's law: its argument's name, what it maps, and an example.
_LAWS = {
    "integrate_verlet": (
        "acceleration",
        "theta -> angular acceleration",
        "lambda th: -9.81 * np.sin(th)",
    ),
    "integrate_rk4": (
        "vector_field",
        "(theta, omega) -> (dtheta, domega)",
        "lambda th, om: (om, -9.81 * np.sin(th))",
    ),
}


def _law_inputs(where, law, theta0, omega0, t):
    """Check an integrator's law, time grid and initial state: ``(times, dt, theta0, omega0)``."""
    name, what, example = _LAWS[where]
    check.function(law, name, where, what=what, fix=f"pass e.g. {example}.")
    times, dt = _uniform_times(t, where)
    th, om = _batch(theta0, omega0, where)
    return times, dt, th, om


def _integrate(step, th, om, times, method) -> LawTrajectory:
    """Apply ``step(th, om) -> (th, om)`` once per time after the first; non-finite states go on."""
    T = times.size
    theta = np.empty(th.shape + (T,))
    omega = np.empty(th.shape + (T,))
    theta[..., 0], omega[..., 0] = th, om
    with np.errstate(all="ignore"):
        for i in range(1, T):
            th, om = step(th, om)
            theta[..., i], omega[..., i] = th, om
    return LawTrajectory(
        t=check.readonly(times.copy()),
        theta=check.readonly(theta),
        omega=check.readonly(omega),
        method=method,
    )


def integrate_verlet(acceleration, theta0, omega0, t, *, velocity=None):
    r"""Velocity Verlet for a learned law :math:`\ddot\theta = a(\theta)`.

    .. math::

        \omega_{n+1/2} = \omega_n + \tfrac{\Delta t}{2} a(\theta_n), \quad
        \theta_{n+1} = \theta_n + \Delta t\,\omega_{n+1/2}, \quad
        \omega_{n+1} = \omega_{n+1/2} + \tfrac{\Delta t}{2} a(\theta_{n+1}).

    Second order and symplectic: for any acceleration that depends on the
    angle alone (in one dimension always the force of some potential), the
    law's own energy stays within :math:`O(\Delta t^2)` forever instead of
    drifting. It is :func:`physgen.simulate`'s ``"verlet"`` with the pendulum's
    :math:`-(g/l)\sin\theta` replaced by any function.

    **Separable Hamiltonians.** With ``velocity`` given, the second state
    variable is a momentum :math:`p` and the law is Hamilton's equations of
    :math:`H = T(p) + V(\theta)`: :math:`\dot\theta = T'(p)` (``velocity``),
    :math:`\dot p = -V'(\theta)` (``acceleration``). The same three stages
    (half kick, drift with :math:`T'(p_{n+1/2})`, half kick) are the leapfrog,
    explicit and symplectic for any such H; ``omega`` of the result then holds
    :math:`p`. ``velocity=None`` is :math:`T = p^2/2`, the step above.

    Parameters
    ----------
    acceleration : callable
        ``acceleration(theta) -> ndarray`` of the same shape: the angular
        acceleration [rad/s^2] at angles ``theta`` [rad] of the whole batch
        (per-pendulum constants such as the length are baked in by the caller,
        e.g. ``lambda th: -g_hat * np.sin(th) / length``).
    theta0, omega0 : float or array_like
        State at ``t[0]``: angle [rad] and angular velocity [rad/s]; they
        broadcast to the batch shape S.
    t : array_like, shape (T,)
        Times [s]: finite, strictly increasing, uniform (the step is
        ``t[1] - t[0]``).
    velocity : callable, optional
        ``velocity(p) -> ndarray`` of the same shape, :math:`\partial T/\partial p`:
        the angular velocity [rad/s] at momenta ``p`` (then ``omega0`` is the
        initial momentum, in the unit that ``velocity`` expects).

    Returns
    -------
    LawTrajectory
        ``theta`` and ``omega`` of shape S + (T,). A law that blows up gives
        non-finite values from then on (see :attr:`LawTrajectory.diverged`).

    Raises
    ------
    ValueError
        Non-finite initial state, a bad time grid, or an acceleration that
        does not return one value per pendulum.
    TypeError
        A non-callable ``acceleration`` or non-numeric arguments.

    Examples
    --------
    >>> import numpy as np
    >>> from physgen import integrate_verlet, simulate
    >>> t = np.arange(501) * 0.01
    >>> law = integrate_verlet(lambda th: -9.81 * np.sin(th), 1.0, 0.0, t)
    >>> ref = simulate(1.0, 0.0, t, length=1.0, g=9.81, method="verlet")
    >>> bool(np.allclose(law.theta, ref.theta))
    True
    """
    where = "integrate_verlet"
    times, dt, th, om = _law_inputs(where, acceleration, theta0, omega0, t)
    acc = _call(acceleration, "acceleration", where, th)
    if velocity is None:

        def step(th, om):
            nonlocal acc
            th, om, acc = verlet_step(th, om, acc, dt, acceleration)
            return th, om

        return _integrate(step, th, om, times, "verlet")
    check.function(velocity, "velocity", where, what="p -> dtheta/dt", fix="pass e.g. lambda p: p.")
    _call(velocity, "velocity", where, om)

    def leapfrog(th, p):
        nonlocal acc
        p_half = p + 0.5 * dt * acc
        th = th + dt * np.asarray(velocity(p_half), dtype=float)
        acc = np.asarray(acceleration(th), dtype=float)
        return th, p_half + 0.5 * dt * acc

    return _integrate(leapfrog, th, om, times, "verlet")


def integrate_rk4(vector_field, theta0, omega0, t):
    r"""Classic fourth-order Runge–Kutta for a learned vector field.

    Integrates :math:`(\dot\theta, \dot\omega) = f(\theta, \omega)` with the
    fixed step ``t[1] - t[0]``. Unlike :func:`integrate_verlet`, ``f`` may
    mix angle and velocity in any way (an unconstrained network, or the
    gradient of a learned Hamiltonian that is not of the form kinetic plus
    potential). RK4 is not symplectic: with a small step its own energy error
    is tiny (:math:`O(\Delta t^4)`) but it may grow slowly over very long
    times.

    Parameters
    ----------
    vector_field : callable
        ``vector_field(theta, omega) -> (dtheta, domega)``, each of the batch
        shape: angular velocity [rad/s] and acceleration [rad/s^2].
    theta0, omega0 : float or array_like
        State at ``t[0]`` [rad], [rad/s]; they broadcast to the batch shape S.
    t : array_like, shape (T,)
        Times [s]: finite, strictly increasing, uniform.

    Returns
    -------
    LawTrajectory
        ``theta`` and ``omega`` of shape S + (T,).

    Raises
    ------
    ValueError, TypeError
        As :func:`integrate_verlet`.

    Examples
    --------
    >>> import numpy as np
    >>> from physgen import integrate_rk4, simulate
    >>> t = np.arange(501) * 0.01
    >>> law = integrate_rk4(lambda th, om: (om, -9.81 * np.sin(th)), 1.0, 0.0, t)
    >>> exact = simulate(1.0, 0.0, t, length=1.0, g=9.81)
    >>> bool(np.max(np.abs(law.theta - exact.theta)) < 1e-7)
    True
    """
    where = "integrate_rk4"
    times, dt, th, om = _law_inputs(where, vector_field, theta0, omega0, t)

    def f(a, b):
        out = vector_field(a, b)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise ValueError(
                f"{where}: vector_field must return a pair (dtheta, domega), got "
                f"{type(out).__name__}; return a tuple of two arrays."
            )
        return np.asarray(out[0], dtype=float), np.asarray(out[1], dtype=float)

    k = f(th, om)
    for name, arr in zip(("dtheta", "domega"), k, strict=True):
        if arr.shape != th.shape:
            raise ValueError(
                f"{where}: vector_field's {name} must have the batch shape "
                f"{th.shape}, got {arr.shape}; make it vectorised."
            )
    first = k  # the checked first evaluation, reused by the first step

    def step(th, om):
        nonlocal first
        k1 = f(th, om) if first is None else first
        first = None
        k2 = f(th + 0.5 * dt * k1[0], om + 0.5 * dt * k1[1])
        k3 = f(th + 0.5 * dt * k2[0], om + 0.5 * dt * k2[1])
        k4 = f(th + dt * k3[0], om + dt * k3[1])
        th = th + dt / 6.0 * (k1[0] + 2.0 * k2[0] + 2.0 * k3[0] + k4[0])
        om = om + dt / 6.0 * (k1[1] + 2.0 * k2[1] + 2.0 * k3[1] + k4[1])
        return th, om

    return _integrate(step, th, om, times, "rk4")


# --------------------------------------------------------------------------
# Bayesian inference of the length
# --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class LengthPosterior:
    r"""Posterior of a pendulum's length on a grid (:func:`length_posterior`).

    Attributes
    ----------
    lengths : ndarray, shape (K,)
        The grid of lengths [m].
    log_likelihood : ndarray, shape S + (K,)
        Gaussian log-likelihood of the observations at each length.
    density : ndarray, shape S + (K,)
        Posterior density [1/m], normalised by the trapezoidal rule on the grid.
    mean : ndarray, shape S
        Posterior mean length [m].

    All arrays are read-only.
    """

    lengths: np.ndarray
    log_likelihood: np.ndarray
    density: np.ndarray
    mean: np.ndarray

    def cdf(self) -> np.ndarray:
        """Posterior distribution function at the grid points, shape S + (K,) (0 at the first point)."""
        L = self.lengths
        steps = 0.5 * (self.density[..., 1:] + self.density[..., :-1]) * np.diff(L)
        c = np.concatenate([np.zeros(steps.shape[:-1] + (1,)), np.cumsum(steps, axis=-1)], axis=-1)
        return c / c[..., -1:]

    def interval(self, level=0.9):
        """Equal-tailed credible interval [m]: ``(low, high)``, each of shape S.

        Parameters
        ----------
        level : float, default 0.9
            Posterior probability inside the interval, in (0, 1).
        """
        level = check.fraction(
            level,
            "level",
            "LengthPosterior.interval",
            fix="pass a probability in (0, 1), e.g. level=0.9.",
        )
        c = self.cdf()
        tail = 0.5 * (1.0 - float(level))
        flat = c.reshape(-1, c.shape[-1])
        lo = np.array([np.interp(tail, row, self.lengths) for row in flat])
        hi = np.array([np.interp(1.0 - tail, row, self.lengths) for row in flat])
        shape = c.shape[:-1]
        return lo.reshape(shape), hi.reshape(shape)


def _posterior_inputs(theta_obs, t, theta0, omega0, g, noise_std, lengths, log_prior, g_std):
    """Validate :func:`length_posterior`'s arguments.

    Returns ``(y, times, th0, om0, g, sd, L, lp, gs)`` with the batch flattened:
    ``y`` (N, T), ``th0``, ``om0``, ``g``, ``gs`` (N,), and the batch shape last.

    Long because: one check per argument, each with its own message and fix.
    """
    where = "length_posterior"
    times = check.array(
        t, "t", where, ndim=1, unit="s", fix="pass e.g. t=np.arange(1, 500) * 0.01."
    )
    check.increasing(
        times, "t", where, fix="sort the observations by time and drop repeated times."
    )
    y = check.array(
        theta_obs,
        "theta_obs",
        where,
        unit="rad",
        fix="remove the NaN/inf observations (and their times) first.",
    )
    if y.ndim == 0 or y.shape[-1] != times.size:
        raise ValueError(
            f"{where}: theta_obs must have the time axis last, of length len(t) = "
            f"{times.size}, got shape {y.shape}."
        )
    batch = y.shape[:-1]
    th0, om0 = _batch(theta0, omega0, where)
    g = check.array(g, "g", where, positive=True, unit="m/s^2", fix="pass e.g. g=10.0.")
    gs = check.array(
        0.0 if g_std is None else g_std,
        "g_std",
        where,
        nonnegative=True,
        unit="m/s^2",
        fix="pass the standard deviation of g, e.g. g_std=0.05, or None.",
    )
    try:
        per = [np.broadcast_to(a, batch).reshape(-1) for a in (th0, om0, g, gs)]
    except ValueError:
        raise ValueError(
            f"{where}: theta0, omega0, g and g_std must be scalars or have the batch shape "
            f"{batch} of theta_obs (one per pendulum)."
        ) from None
    sd = check.array(
        noise_std,
        "noise_std",
        where,
        unit="rad",
        fix="pass the standard deviation of the noise at each time.",
    )
    try:
        sd = np.broadcast_to(sd, times.shape)
    except ValueError:
        raise ValueError(
            f"{where}: noise_std must be a scalar or one value per time, shape "
            f"{times.shape}, got {sd.shape}."
        ) from None
    if np.any(sd <= 0):
        i = int(np.argmax(sd <= 0))
        raise ValueError(
            f"{where}: noise_std must be > 0 at every time, got {sd[i]!r} at "
            f"t={times[i]!r} s; drop the noise-free observations (e.g. t = 0 when "
            "sigma = 0.1 t) from theta_obs, t and noise_std."
        )
    L = check.array(
        lengths,
        "lengths",
        where,
        ndim=1,
        positive=True,
        unit="m",
        fix="pass a grid of positive lengths, e.g. np.linspace(0.5, 2.5, 401).",
    )
    if L.size < 2:
        raise ValueError(
            f"{where}: lengths must be a grid of at least 2 lengths [m], got "
            f"{L.size}; pass e.g. np.linspace(0.5, 2.5, 401)."
        )
    check.increasing(L, "lengths", where, unit="m", fix="pass e.g. np.linspace(0.5, 2.5, 401).")
    if log_prior is None:
        lp = np.zeros(L.size)
    else:
        lp = check.array(
            log_prior,
            "log_prior",
            where,
            shape=L.shape,
            fix="pass one finite log prior density per grid length.",
        )
    y = y.reshape(-1, times.size)
    return y, times, per[0], per[1], per[2], sd, L, lp, per[3], batch


def _log_likelihood(y, times, theta0, omega0, g, w, L, g_std):
    r"""Gaussian log-likelihood of one pendulum's observations at each length of ``L``.

    With ``g_std > 0`` the gravity is marginalised over :math:`N(g, g_{std}^2)`.
    The motion depends on ``g`` and ``l`` only through :math:`g/l`, so the
    likelihood at :math:`(l, g')` is the one at :math:`(\ell = l g / g', g)`.
    It is computed once on a grid of :math:`\ell` twice as fine as ``L`` and
    wide enough for :math:`g'` within 6 standard deviations, and the integral
    over :math:`g'` becomes one over :math:`\ell` (:math:`g' = l g/\ell`,
    :math:`dg' = l g/\ell^2\, d\ell`) by the trapezoidal rule: no quadrature
    node can fall between the peaks of a sharp likelihood.
    """
    if g_std == 0.0:
        pred = simulate(theta0, omega0, times, length=L, g=g).theta  # (K, T)
        return -0.5 * np.sum(w * (y - pred) ** 2, axis=-1)
    low, high = L[0] * g / (g + 6.0 * g_std), L[-1] * g / max(g - 6.0 * g_std, 1e-3 * g)
    step = 0.5 * float(np.min(np.diff(L)))
    ell = np.arange(low, high + step, step)
    pred = simulate(theta0, omega0, times, length=ell, g=g).theta
    base = -0.5 * np.sum(w * (y - pred) ** 2, axis=-1)
    top = base.max()
    g_of = L[:, None] * g / ell[None, :]  # g' [m/s^2] at (l, ell), (K, K')
    density = np.exp(-0.5 * ((g_of - g) / g_std) ** 2) / (g_std * np.sqrt(2.0 * np.pi))
    kernel = density * g_of / ell[None, :] * np.gradient(ell)[None, :]
    with np.errstate(divide="ignore"):
        return top + np.log(kernel @ np.exp(base - top))


def length_posterior(
    theta_obs, t, *, theta0, omega0, g, noise_std, lengths, log_prior=None, g_std=None
):
    r"""Posterior of the length from one noisy trajectory per pendulum, on a grid.

    With the initial state and gravity known, each candidate length :math:`l_k`
    predicts the exact trajectory :math:`\theta(t; l_k)` (:func:`physgen.simulate`),
    and the observations :math:`y_i = \theta(t_i) + \varepsilon_i`,
    :math:`\varepsilon_i \sim N(0, \sigma_i^2)` independent, give

    .. math::

        \log p(y \mid l_k) = -\frac12 \sum_i \frac{(y_i - \theta(t_i; l_k))^2}{\sigma_i^2}
          + \text{const}, \qquad
        p(l_k \mid y) \propto p(y \mid l_k)\, p(l_k).

    The prior is uniform on the grid's range unless ``log_prior`` is given.
    When gravity is itself uncertain (a *learned* law's :math:`\hat g`), pass its
    standard deviation ``g_std``: the likelihood is then marginalised over
    :math:`g \sim N(g, g_{std}^2)`,
    :math:`p(y \mid l) = \int p(y \mid l, g)\, N(g; \hat g, g_{std}^2)\, dg`
    (on a fine grid, using that the motion depends on :math:`g/l` only).

    Parameters
    ----------
    theta_obs : array_like, shape S + (T,)
        Observed angles [rad] (finite), one row per pendulum.
    t : array_like, shape (T,)
        Observation times [s], finite and strictly increasing.
    theta0, omega0 : float or array_like, shape S
        Known initial angle [rad] and angular velocity [rad/s].
    g : float or array_like, shape S
        Gravitational acceleration [m/s^2], > 0: known, or the mean of its
        distribution when ``g_std`` is given.
    noise_std : float or array_like, shape (T,)
        Standard deviation of the observation noise at each time [rad], > 0
        (drop observations whose noise is zero, e.g. t = 0 for σ = 0.1 t: they
        carry no noise and no information beyond ``theta0``).
    lengths : array_like, shape (K,)
        Grid of candidate lengths [m]: positive, strictly increasing, K >= 2.
        It must cover the posterior's mass (a posterior piled up at an end of
        the grid means the grid is too short).
    log_prior : array_like, shape (K,), optional
        Log prior density at the grid points (up to a constant); default uniform.
    g_std : float or array_like, shape S, optional
        Standard deviation of g [m/s^2], >= 0; None (or 0) for a known g.

    Returns
    -------
    LengthPosterior

    Raises
    ------
    ValueError
        Non-finite data, a bad time grid, shapes that do not match, a
        non-positive noise level or g, a negative g_std, or a bad grid of lengths.

    Examples
    --------
    >>> import numpy as np
    >>> from physgen import length_posterior, simulate
    >>> t = np.arange(1, 300) * 0.01
    >>> y = simulate(1.0, 0.5, t, length=1.3, g=10.0).theta
    >>> post = length_posterior(y, t, theta0=1.0, omega0=0.5, g=10.0, noise_std=0.05,
    ...                         lengths=np.linspace(1.0, 2.0, 201))
    >>> round(float(post.mean), 3)
    1.3
    """
    y, times, th0, om0, g, sd, L, lp, gs, batch = _posterior_inputs(
        theta_obs, t, theta0, omega0, g, noise_std, lengths, log_prior, g_std
    )
    w = 1.0 / sd**2
    loglik = np.stack(
        [
            _log_likelihood(y[j], times, th0[j], om0[j], g[j], w, L, float(gs[j]))
            for j in range(y.shape[0])
        ]
    ).reshape(y.shape[0], L.size)
    logpost = loglik + lp
    logpost -= logpost.max(axis=-1, keepdims=True)
    dens = np.exp(logpost)
    dens /= np.trapezoid(dens, L, axis=-1)[:, None]
    mean = np.trapezoid(dens * L, L, axis=-1)
    shape = batch + (L.size,)
    return LengthPosterior(
        lengths=check.readonly(L.copy()),
        log_likelihood=check.readonly(loglik.reshape(shape)),
        density=check.readonly(dens.reshape(shape)),
        mean=check.readonly(mean.reshape(batch)),
    )
