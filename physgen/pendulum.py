r"""The simple pendulum, exact and numerical.

A point mass on a massless rigid rod of length :math:`l` [m] in uniform gravity
:math:`g` [m/s^2] obeys

.. math::

    \ddot\theta = -\omega_0^2 \sin\theta, \qquad \omega_0 = \sqrt{g / l},

where :math:`\theta` [rad] is the angle from the downward vertical and
:math:`\omega = \dot\theta` [rad/s]. The mass does not enter the motion, so it
is not an argument of :func:`simulate`; it only scales the :func:`energy`.

The energy fixes the elliptic modulus

.. math::

    k^2 = \frac{E}{2 m g l}
        = \sin^2\frac{\theta_0}{2} + \frac{\dot\theta_0^2}{4\,\omega_0^2},

and the motion is a *libration* (swinging, :math:`k < 1`), a *rotation* (going
over the top, :math:`k > 1`) or the *separatrix* (:math:`k = 1`) between them.
The exact solution is, with :math:`u = \omega_0 t + u_0`,

.. math::

    \sin\frac{\theta}{2} = k\,\mathrm{sn}(u, k), \qquad
    \dot\theta = 2 k \omega_0\,\mathrm{cn}(u, k) \qquad (k < 1),

    \frac{\theta}{2} = \pm\mathrm{am}(v, 1/k), \qquad
    \dot\theta = \pm 2 k \omega_0\,\mathrm{dn}(v, 1/k), \qquad v = k\omega_0 t + v_0 \qquad (k > 1),

    \frac{\theta}{2} = \pm\mathrm{gd}(u) = \pm 2\arctan\tanh\frac{u}{2} \qquad (k = 1),

where the phases :math:`u_0, v_0` follow from any initial state (the sign is
the sign of :math:`\dot\theta_0`) through the
incomplete elliptic integral :math:`F`. :func:`simulate` evaluates it for whole
batches (``method="exact"``, accurate to ~1e-12 rad over 20 s, checked against
a 30-digit reference in the tests) and also offers the small-angle formula and
three numerical integrators for comparison.

Speed (``benchmarks/generator.py``): on a uniform time grid the elliptic
functions are not evaluated point by point; the addition theorem combines two
small per-trajectory tables, so each point costs a few multiply-adds (batched
into BLAS matrix products) and one ``arctan``.

This module holds the public functions; the closed form lives in
``physgen/_elliptic.py`` and the step-by-step methods in ``physgen/_integrators.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from physgen import _elliptic, _integrators
from physgen import _validation as check
from physgen._integrators import verlet_step as verlet_step  # physgen.laws reads it here

__all__ = ["METHODS", "Trajectory", "simulate", "period", "energy"]

#: Names accepted by ``simulate(..., method=...)``.
METHODS = ("exact", "small_angle", "euler_cromer", "verlet", "rk")

# |k^2 - 1| at or below this counts as the separatrix.
_SEPARATRIX_TOL = 4 * np.finfo(float).eps


# --------------------------------------------------------------------------
# validation helpers
# --------------------------------------------------------------------------
def _state(name, value, where):
    return check.array(
        value,
        name,
        where,
        nonempty=False,
        unit="rad" if name.startswith("theta") else "rad/s",
        fix=f"pass real numbers, e.g. {name}=1.0.",
    )


def _positive(name, value, unit, where):
    return check.array(
        value,
        name,
        where,
        nonempty=False,
        positive=True,
        unit=unit,
        fix=f"pass a strictly positive {name}, e.g. {name}=1.0.",
    )


# --------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Trajectory:
    r"""Pendulum motion sampled at times ``t`` (the result of :func:`simulate`).

    Attributes
    ----------
    t : ndarray, shape (T,)
        Times [s].
    theta : ndarray, shape S + (T,)
        Angle from the downward vertical [rad], continuous (a pendulum that goes
        over the top keeps counting turns; no wrapping into :math:`(-\pi, \pi]`).
    omega : ndarray, shape S + (T,)
        Angular velocity [rad/s].
    theta0, omega0 : ndarray, shape S
        Initial angle [rad] and angular velocity [rad/s] at :math:`t = 0`.
    length : ndarray, shape S
        Rod length [m].
    g : ndarray, shape S
        Gravitational acceleration [m/s^2].
    method : str
        The method that produced the trajectory, one of :data:`METHODS`.

    All arrays are read-only.
    """

    t: np.ndarray
    theta: np.ndarray
    omega: np.ndarray
    theta0: np.ndarray
    omega0: np.ndarray
    length: np.ndarray
    g: np.ndarray
    method: str

    @property
    def batch_shape(self) -> tuple:
        """Batch shape S of the trajectories (``()`` for a single pendulum)."""
        return self.theta0.shape

    def energy(self, mass=1.0) -> np.ndarray:
        r"""Total mechanical energy [J] along the trajectory, shape S + (T,).

        .. math:: E = \tfrac12 m l^2 \omega^2 + m g l (1 - \cos\theta)

        Parameters
        ----------
        mass : float or array_like broadcasting to S, default 1.0
            Bob mass [kg].

        Examples
        --------
        >>> import numpy as np
        >>> from physgen import simulate
        >>> traj = simulate(1.0, 0.0, np.linspace(0.0, 10.0, 5), length=1.0, g=9.81)
        >>> np.round(traj.energy(), 6)
        array([4.509634, 4.509634, 4.509634, 4.509634, 4.509634])
        """
        mass = _positive("mass", mass, "kg", "Trajectory.energy")
        return energy(
            self.theta,
            self.omega,
            length=self.length[..., None],
            g=self.g[..., None],
            mass=np.asarray(mass)[..., None] if np.ndim(mass) else mass,
        )


# --------------------------------------------------------------------------
# public functions
# --------------------------------------------------------------------------
def energy(theta, omega, *, length, g, mass=1.0):
    r"""Total mechanical energy of a pendulum [J].

    .. math:: E = \tfrac12 m l^2 \omega^2 + m g l (1 - \cos\theta)

    (zero at rest at the bottom; :math:`2 m g l` at rest at the top).

    Parameters
    ----------
    theta : array_like
        Angle [rad].
    omega : array_like
        Angular velocity [rad/s].
    length : float or array_like
        Rod length [m], positive.
    g : float or array_like
        Gravitational acceleration [m/s^2], positive.
    mass : float or array_like, default 1.0
        Bob mass [kg], positive.

    All arguments broadcast together by numpy's rules (for per-trajectory
    parameters of shape S against ``theta`` of shape S + (T,), pass
    ``length[..., None]``).

    Returns
    -------
    ndarray
        Energy [J], the broadcast shape of the arguments.

    Examples
    --------
    >>> from physgen import energy
    >>> round(float(energy(0.0, 2.0, length=1.0, g=9.81, mass=2.0)), 6)
    4.0
    >>> round(float(energy(3.141592653589793, 0.0, length=1.0, g=9.81)), 6)
    19.62
    """
    theta = _state("theta", theta, "energy")
    omega = _state("omega", omega, "energy")
    length = _positive("length", length, "m", "energy")
    g = _positive("g", g, "m/s^2", "energy")
    mass = _positive("mass", mass, "kg", "energy")
    check.broadcast(
        {"theta": theta, "omega": omega, "length": length, "g": g, "mass": mass},
        "energy",
        fix="add a trailing axis to per-trajectory parameters, e.g. length=length[..., None].",
    )
    # 1 - cos(theta) = 2 sin^2(theta/2) without cancellation near theta = 0.
    return mass * length * (0.5 * length * omega**2 + 2.0 * g * np.sin(0.5 * theta) ** 2)


def period(theta0, omega0, *, length=1.0, g=9.81):
    r"""Exact period of the motion [s].

    For a libration (:math:`k < 1`) the time of one full swing there and back,

    .. math:: T = \frac{4 K(k)}{\omega_0},

    for a rotation (:math:`k > 1`) the time of one full turn,

    .. math:: T = \frac{2 K(1/k)}{k\,\omega_0},

    and ``inf`` on the separatrix (:math:`k = 1`), with :math:`\omega_0 = \sqrt{g/l}`
    and :math:`k^2 = \sin^2(\theta_0/2) + \dot\theta_0^2 / (4\omega_0^2)`.
    :math:`K` is the complete elliptic integral of the first kind (modulus convention).

    Parameters
    ----------
    theta0, omega0 : float or array_like
        Initial angle [rad] and angular velocity [rad/s].
    length : float or array_like, default 1.0
        Rod length [m].
    g : float or array_like, default 9.81
        Gravitational acceleration [m/s^2].

    Returns
    -------
    float or ndarray
        Period [s], shape: the broadcast batch shape S (a float for scalars).

    Examples
    --------
    >>> import numpy as np
    >>> from physgen import period
    >>> T0 = 2 * np.pi * np.sqrt(1.0 / 9.81)
    >>> round(float(period(np.pi / 2, 0.0) / T0), 5)
    1.18034
    >>> float(period(np.pi, 0.0))  # at rest at the top: the separatrix
    inf
    """
    p = _prepare(theta0, omega0, length, g, "period")
    out = np.full(p["shape"], np.inf)
    lib, rot = p["lib"], p["rot"]
    w0, m, m1 = p["w0"], p["m"], p["m1"]
    out[lib] = 4.0 * special.ellipkm1(m1[lib]) / w0[lib]
    out[rot] = 2.0 * special.ellipkm1(-m1[rot] / m[rot]) / (np.sqrt(m[rot]) * w0[rot])
    return out[()] if out.ndim == 0 else out


def simulate(theta0, omega0, t, *, length=1.0, g=9.81, method="exact", dt=None):
    r"""Simulate pendulums from initial conditions at :math:`t = 0`.

    Parameters
    ----------
    theta0 : float or array_like
        Initial angle [rad] from the downward vertical (any real value: full
        turns are kept).
    omega0 : float or array_like
        Initial angular velocity [rad/s].
    t : array_like, shape (T,)
        Times [s] at which to report the state (1-D, finite).
    length : float or array_like, default 1.0
        Rod length [m], positive.
    g : float or array_like, default 9.81
        Gravitational acceleration [m/s^2], positive.
    method : {"exact", "small_angle", "euler_cromer", "verlet", "rk"}, default "exact"
        * ``"exact"``: closed form through Jacobi elliptic functions; libration,
          rotation and separatrix, any initial phase, accurate to ~1e-12 rad
          (except within ~1e-9 of the separatrix in relative energy, where the
          problem itself is ill-conditioned). Fastest on a uniform ``t``
          (e.g. ``np.linspace``); any other ``t`` works, point by point.
        * ``"small_angle"``: the linearised pendulum
          :math:`\theta = \theta_0\cos\omega_0 t + (\dot\theta_0/\omega_0)\sin\omega_0 t`.
        * ``"euler_cromer"``: the original course code's scheme, step by step
          :math:`\omega \mathrel{-}= (g/l)\sin\theta\,\Delta t;\ \theta \mathrel{+}= \omega\,\Delta t`,
          with the state recorded *after* each step but labelled with the time
          *before* it: the value reported at :math:`t_i = i\,\Delta t` is really the
          state at :math:`t_i + \Delta t` (a one-step label shift, kept on purpose).
          First order.
        * ``"verlet"``: velocity Verlet (symplectic, second order), correctly labelled.
        * ``"rk"``: adaptive Runge-Kutta (``scipy.integrate.solve_ivp``, DOP853,
          rtol = atol = 1e-11), the whole batch as one system.
    dt : float, optional
        Step [s] of ``"euler_cromer"`` and ``"verlet"``. Default ``t[1] - t[0]``,
        which requires ``t`` uniform from 0. Every time in ``t`` must be a
        non-negative multiple of ``dt``. Ignored by the other methods.

    Returns
    -------
    Trajectory
        ``theta`` and ``omega`` of shape S + (T,), S the broadcast shape of
        ``theta0``, ``omega0``, ``length`` and ``g``.

    Raises
    ------
    ValueError
        Non-positive or non-finite ``length``/``g``/``dt``, non-finite
        ``theta0``/``omega0``, ``t`` not finite 1-D, shapes that do not broadcast,
        an unknown ``method``, times off the ``dt`` grid for the fixed-step methods.
    TypeError
        Non-numeric arguments or a non-string method.

    Examples
    --------
    >>> import numpy as np
    >>> from physgen import simulate, period
    >>> t = np.linspace(0.0, 2.0, 5)
    >>> traj = simulate(1.0, 0.0, t)
    >>> traj.theta.shape, traj.batch_shape
    ((5,), ())
    >>> np.round(traj.theta, 4)
    array([ 1.    ,  0.1043, -0.9801, -0.3079,  0.9208])

    A batch of three pendulums, one of them going over the top:

    >>> traj = simulate(np.array([0.5, 1.0, 0.0]), np.array([0.0, 0.0, 7.0]), t)
    >>> traj.theta.shape
    (3, 5)
    >>> bool(np.all(np.diff(traj.theta[2]) > 0))  # rotation: the angle keeps growing
    True

    One period later a swinging pendulum is back where it started:

    >>> T = period(1.0, 0.0)
    >>> back = simulate(1.0, 0.0, np.array([0.0, T]))
    >>> np.round(back.theta, 10)
    array([1., 1.])
    """
    check.choice(method, "method", "simulate", METHODS)
    t = check.array(
        t,
        "t",
        "simulate",
        ndim=1,
        nonempty=False,
        unit="s",
        fix="pass e.g. t=np.linspace(0, 5, 501) (np.ravel gives a flat copy).",
    )
    p = _prepare(theta0, omega0, length, g, "simulate")
    if method == "exact":
        theta, omega = _elliptic.exact(p, t)
    elif method == "small_angle":
        theta, omega = _small_angle(p, t)
    elif method in ("euler_cromer", "verlet"):
        theta, omega = _integrators.fixed_step(p, t, dt, method)
    else:
        theta, omega = _integrators.rk(p, t)
    return Trajectory(
        t=check.readonly(t.copy()),
        theta=check.readonly(theta),
        omega=check.readonly(omega),
        theta0=check.readonly(p["theta0"].copy()),
        omega0=check.readonly(p["omega0"].copy()),
        length=check.readonly(p["length"].copy()),
        g=check.readonly(p["g"].copy()),
        method=method,
    )


# --------------------------------------------------------------------------
# internals
# --------------------------------------------------------------------------
def _prepare(theta0, omega0, length, g, where):
    """Validate and broadcast the parameters; classify the regime."""
    theta0 = _state("theta0", theta0, where)
    omega0 = _state("omega0", omega0, where)
    length = _positive("length", length, "m", where)
    g = _positive("g", g, "m/s^2", where)
    given = {"theta0": theta0, "omega0": omega0, "length": length, "g": g}
    shape = check.broadcast(
        given,
        where,
        fix="give them equal shapes, or scalars, or add axes (e.g. x[:, None]) so they "
        "broadcast to one batch shape.",
    )
    theta0, omega0, length, g = (
        np.array(np.broadcast_to(a, shape), dtype=float) for a in given.values()
    )
    w0 = np.sqrt(g / length)
    turns = np.round(theta0 / (2.0 * np.pi))
    theta_r = theta0 - 2.0 * np.pi * turns  # in [-pi, pi]
    half = 0.5 * theta_r
    s = np.sin(half)
    c = np.cos(half)
    v = omega0 / (2.0 * w0)
    m = s * s + v * v  # k^2 = E / (2 m g l)
    m1 = c * c - v * v  # 1 - k^2, without the cancellation of 1 - m
    sep = np.abs(m1) <= _SEPARATRIX_TOL
    lib = (m1 > 0.0) & ~sep
    rot = (m1 < 0.0) & ~sep
    return dict(
        shape=shape,
        theta0=theta0,
        omega0=omega0,
        length=length,
        g=g,
        w0=w0,
        turns=turns,
        theta_r=theta_r,
        s=s,
        c=c,
        v=v,
        m=m,
        m1=m1,
        lib=lib,
        rot=rot,
        sep=sep,
    )


def _small_angle(p, t):
    w0 = p["w0"][..., None]
    wt = w0 * t
    c, s = np.cos(wt), np.sin(wt)
    th0 = p["theta0"][..., None]
    om0 = p["omega0"][..., None]
    return th0 * c + (om0 / w0) * s, -th0 * w0 * s + om0 * c
