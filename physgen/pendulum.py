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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import integrate, special

from physgen import _validation as check

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
        theta, omega = _exact(p, t)
    elif method == "small_angle":
        theta, omega = _small_angle(p, t)
    elif method in ("euler_cromer", "verlet"):
        theta, omega = _fixed_step(p, t, dt, method)
    else:
        theta, omega = _rk(p, t)
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


# --------------------------------------------------------------------------
# Jacobi elliptic functions: per-trajectory tables and the addition theorem
# --------------------------------------------------------------------------
# The exact solution needs sn, cn, dn of u = u0 + r t at every time (r = w0 or
# k w0). Evaluating them point by point (scipy.special.ellipj) costs ~20 sines
# per point. On a uniform grid t_j = t_0 + j h (what np.linspace gives) write
# j = a B + b and use the addition theorem
#
#     f(u_a + v_b),   u_a = u0 + r (t_0 + (a B + B/2) h),   v_b = (b - B/2) r h,
#
# from two small per-trajectory tables: "coarse" u_a (a few values, evaluated
# directly) and "fine" v_b (centred on 0, built by stepping with the small step
# r h, each step a well-conditioned addition). The fine arguments stay within
# |v| <= _FINE_SPAN, so the denominator of the addition theorem,
# D = cn(u)^2 + sn(u)^2 dn(v)^2 >= dn(v)^2, stays away from 0 even next to the
# separatrix (measured errors stay below ~1e-12 rad). Per point only a handful
# of multiply-adds (batched rank-2 matrix products) and one arctan remain.
# Any other t falls back to one direct evaluation per point.

_AGM_MAX_STEPS = 24
_FINE_SPAN = 4.0  # max |v| of the fine table (argument units)
_MAX_FINE_STEP = 0.5  # largest r*h for which the fine table is built by stepping
_BLOCK_POINTS = 1 << 15  # points per block of trajectories (temporaries stay in cache)


def _jacobi(u, m, m1):
    r"""Jacobi sn, cn, dn of argument ``u`` and parameter ``m`` (``m1 = 1 - m``).

    ``u`` is first reduced to :math:`[-K, K]` (with the signs of the half-period
    shift); then ``scipy.special.ellipj`` is used for ``m1 >= 1e-9``, where it is
    accurate to a few ulp, and the descending Landen/AGM recurrence for ``m``
    closer to 1 (where ``ellipj`` switches to an approximation that is wrong
    for larger arguments). Arrays broadcast.
    """
    u, m, m1 = np.broadcast_arrays(
        np.asarray(u, float), np.asarray(m, float), np.asarray(m1, float)
    )
    K = special.ellipkm1(m1)
    j = np.rint(u / (2.0 * K))
    r = u - 2.0 * K * j
    sign = 1.0 - 2.0 * np.mod(j, 2.0)  # (-1)^j
    sn, cn, dn, _ = special.ellipj(r, m)
    near = m1 < 1e-9
    if np.any(near):
        sn[near], cn[near], dn[near] = _jacobi_agm(r[near], m[near], m1[near])
    return sign * sn, sign * cn, dn


def _jacobi_agm(r, m, m1):
    """sn, cn, dn by the descending Landen/AGM recurrence (any 0 <= m < 1)."""
    a = np.ones_like(r)
    b = np.sqrt(m1)
    c = np.sqrt(m)
    ratios = []
    for _ in range(_AGM_MAX_STEPS):
        if not np.any(c > 1e-17 * a):
            break
        a, b, c = 0.5 * (a + b), np.sqrt(a * b), 0.5 * (a - b)
        ratios.append(c / a)
    phi = (2.0 ** len(ratios)) * a * r
    for ratio in reversed(ratios):
        phi = 0.5 * (phi + np.arcsin(ratio * np.sin(phi)))
    sn = np.sin(phi)
    cn = np.cos(phi)
    return sn, cn, np.sqrt(cn * cn + m1 * sn * sn)


def _add(f, g, m):
    r"""Addition theorem: :math:`(\mathrm{sn}, \mathrm{cn}, \mathrm{dn})(x + y)` from the values at x and y.

    Uses :math:`1 - m\,\mathrm{sn}^2x\,\mathrm{sn}^2y = \mathrm{cn}^2x + \mathrm{sn}^2x\,\mathrm{dn}^2y`
    (a sum of squares: no cancellation).
    """
    s1, c1, d1 = f
    s2, c2, d2 = g
    inv = 1.0 / (c1 * c1 + (s1 * s1) * (d2 * d2))
    return (
        (s1 * c2 * d2 + s2 * c1 * d1) * inv,
        (c1 * c2 - s1 * s2 * d1 * d2) * inv,
        (d1 * d2 - m * s1 * s2 * c1 * c2) * inv,
    )


def _fine_table(step, m, m1, half):
    """(sn, cn, dn)(j x) for j = -half..half-1 (shape (n, 2 half)) by stepping with x."""
    n = step[0].shape[0]
    tab = [np.empty((n, 2 * half)) for _ in range(3)]
    cur = (np.zeros(n), np.ones(n), np.ones(n))
    for j in range(half + 1):
        if j:
            cur = _add(cur, step, m)
        s, c, d = cur
        if j < half:
            tab[0][:, half + j], tab[1][:, half + j], tab[2][:, half + j] = s, c, d
        if j:
            tab[0][:, half - j], tab[1][:, half - j], tab[2][:, half - j] = -s, c, d
    return tab


def _uniform_grid(t):
    """(t0, h) if t is an arithmetic progression up to rounding, else None."""
    T = t.shape[0]
    if T < 2:
        return None
    h = (t[-1] - t[0]) / (T - 1)
    grid = t[0] + h * np.arange(T)
    scale = max(abs(t[0]), abs(t[-1]))
    if h != 0 and np.max(np.abs(grid - t)) <= 4.0 * np.finfo(float).eps * scale:
        return (t[0], h)
    return None


def _exact(p, t):
    shape = p["shape"]
    T = t.shape[0]
    n = int(np.prod(shape))
    theta = np.empty((n, T))
    omega = np.empty((n, T))
    keys = ("w0", "m", "m1", "s", "c", "v", "omega0", "theta_r", "turns", "lib", "rot", "sep")
    flat = {k: np.ravel(p[k]) for k in keys}
    grid = _uniform_grid(t)
    for regime in ("lib", "rot"):
        idx = np.flatnonzero(flat[regime])
        if idx.size:
            _exact_regime(regime, {k: a[idx] for k, a in flat.items()}, t, grid, theta, omega, idx)
    idx = np.flatnonzero(flat["sep"])
    if idx.size:
        theta[idx], omega[idx] = _separatrix({k: a[idx] for k, a in flat.items()}, t)
    return theta.reshape(shape + (T,)), omega.reshape(shape + (T,))


def _ellipf(phi, m, m1):
    """Incomplete elliptic integral F(phi | m) for any real phi (quasi-periodic)."""
    j = np.round(phi / np.pi)
    return special.ellipkinc(phi - j * np.pi, m) + 2.0 * j * special.ellipkm1(m1)


def _exact_regime(regime, q, t, grid, theta, omega, idx):
    r"""Libration or rotation for the rows ``idx`` (all of one regime).

    Libration (:math:`k < 1`): :math:`\sin(\theta/2) = k\,\mathrm{sn}(u, k)`,
    :math:`\cos(\theta/2) = \mathrm{dn}(u, k)`, :math:`\dot\theta = 2k\omega_0\,\mathrm{cn}(u, k)`,
    :math:`u = \omega_0 t + u_0`, so :math:`\theta = 2\arctan(k\,\mathrm{sn}/\mathrm{dn})`.

    Rotation (:math:`k > 1`): :math:`\theta/2 = \sigma\,\mathrm{am}(u, 1/k)`,
    :math:`\dot\theta = 2\sigma k\omega_0\,\mathrm{dn}(u, 1/k)`, :math:`u = k\omega_0 t + u_0`,
    :math:`\sigma = \mathrm{sign}\,\dot\theta_0`; am is unwrapped against the line
    :math:`\pi u/(2K)`, from which it never strays by :math:`\pi/2` or more.

    Every per-point quantity is a sum of two products (coarse factor x fine
    factor), so each is one batched rank-2 matrix product (BLAS), followed by a
    division and one arctan per point.
    """
    w0, s, v = q["w0"], q["s"], q["v"]
    k = np.sqrt(q["m"])
    offset = 2.0 * np.pi * q["turns"]
    n = idx.size
    if regime == "lib":
        m, m1 = q["m"], q["m1"]
        rate = w0
        amp0 = np.arctan2(s, v)  # am(u0): sin = sin(theta_r/2)/k, cos = omega0/(2 k w0)
        sigma = np.ones(n)
    else:
        m = 1.0 / q["m"]
        m1 = -q["m1"] / q["m"]
        rate = k * w0
        sigma = np.where(q["omega0"] >= 0.0, 1.0, -1.0)
        amp0 = sigma * 0.5 * q["theta_r"]  # am(u0), in [-pi/2, pi/2]
    vel = 2.0 * k * w0
    u0 = _ellipf(amp0, m, m1)
    T = t.shape[0]
    step = None if grid is None else rate * grid[1]
    if step is not None and np.all(np.abs(step) <= _MAX_FINE_STEP):
        t0, h = grid
        half = int(
            np.clip(
                np.floor(_FINE_SPAN / max(np.max(np.abs(step)), 1e-300)), 1, max(1, (T + 1) // 2)
            )
        )
        A = -(-T // (2 * half))
        B = 2 * half
        coarse_u = u0[:, None] + rate[:, None] * (
            t0 + h * (B * np.arange(A) + half)
        )  # block centres
        coarse = _jacobi(coarse_u, m[:, None], m1[:, None])
        fine = _fine_table(_jacobi(step, m, m1), m, m1, half)
        fine_u = step[:, None] * np.arange(-half, half)
    else:
        A, B = 1, T
        coarse_u = u0[:, None]
        coarse = (np.zeros((n, 1)), np.ones((n, 1)), np.ones((n, 1)))
        fine_u = coarse_u + rate[:, None] * t
        fine = _jacobi(fine_u, m[:, None], m1[:, None])
        coarse_u = np.zeros((n, 1))
    s1, c1, d1 = coarse
    s2, c2, d2 = fine
    mm = m[:, None]
    vv = vel[:, None]
    Q = 4 if regime == "lib" else 5
    L = np.empty((Q, n, A, 2))  # coarse factors
    R = np.empty((Q, n, 2, B))  # fine factors
    if regime == "lib":
        kk = k[:, None]
        np.multiply(kk, s1, out=L[0, ..., 0])  # k * numerator of sn
        np.multiply(kk * c1, d1, out=L[0, ..., 1])
        np.multiply(c2, d2, out=R[0, :, 0])
        R[0, :, 1] = s2
        L[1, ..., 0] = d1  # numerator of dn
        np.multiply(-mm * s1, c1, out=L[1, ..., 1])
        R[1, :, 0] = d2
        np.multiply(s2, c2, out=R[1, :, 1])
        np.multiply(vv, c1, out=L[2, ..., 0])  # 2 k w0 * numerator of cn
        np.multiply(-vv * s1, d1, out=L[2, ..., 1])
        R[2, :, 0] = c2
        np.multiply(s2, d2, out=R[2, :, 1])
    else:
        sg = sigma[:, None]
        np.multiply(sg, s1, out=L[0, ..., 0])  # sigma * numerator of sn
        np.multiply(c1, d1, out=L[0, ..., 1])
        np.multiply(c2, d2, out=R[0, :, 0])
        np.multiply(sg, s2, out=R[0, :, 1])
        L[1, ..., 0] = c1  # numerator of cn
        np.multiply(-s1, d1, out=L[1, ..., 1])
        R[1, :, 0] = c2
        np.multiply(s2, d2, out=R[1, :, 1])
        np.multiply(vv * sg, d1, out=L[2, ..., 0])  # 2 sigma k w0 * numerator of dn
        np.multiply(-vv * sg * mm * s1, c1, out=L[2, ..., 1])
        R[2, :, 0] = d2
        np.multiply(s2, c2, out=R[2, :, 1])
        scale = sg / (2.0 * special.ellipkm1(m1)[:, None])  # line / pi = sigma u / (2K)
        np.multiply(scale, coarse_u, out=L[4, ..., 0])
        L[4, ..., 1] = 1.0
        R[4, :, 0] = 1.0
        np.multiply(scale, fine_u, out=R[4, :, 1])
    np.multiply(s1, s1, out=L[3, ..., 0])  # denominator of the addition theorem
    np.multiply(c1, c1, out=L[3, ..., 1])
    np.multiply(d2, d2, out=R[3, :, 0])
    R[3, :, 1] = 1.0
    rows = max(1, _BLOCK_POINTS // max(A * B, 1))
    buf = np.empty((Q, min(rows, n), A, B))
    contiguous = n == theta.shape[0] and A * B == T  # write straight into the output
    for lo in range(0, n, rows):
        hi = min(n, lo + rows)
        o = buf[:, : hi - lo]
        np.matmul(L[:, lo:hi], R[:, lo:hi], out=o)
        th, om = o[0], o[2]
        if regime == "lib":
            th /= o[1]
            np.arctan(th, out=th)
            th *= 2.0
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                th /= o[1]
            np.arctan(th, out=th)  # a = am(u) modulo pi
            wind = o[1]  # am = a - pi * rint(a / pi - line / pi);  theta = 2 am
            np.multiply(th, 1.0 / np.pi, out=wind)
            wind -= o[4]
            np.rint(wind, out=wind)
            wind *= 2.0 * np.pi
            th *= 2.0
            th -= wind
        off = offset[lo:hi]
        if np.any(off):
            th += off[:, None, None]
        om /= o[3]
        if contiguous:
            theta[lo:hi] = th.reshape(hi - lo, T)
            omega[lo:hi] = om.reshape(hi - lo, T)
        else:
            theta[idx[lo:hi]] = th.reshape(hi - lo, A * B)[:, :T]
            omega[idx[lo:hi]] = om.reshape(hi - lo, A * B)[:, :T]


def _separatrix(q, t):
    r"""Motion on the separatrix :math:`k = 1`.

    .. math:: \theta = 2\sigma\,\mathrm{gd}(\omega_0 t + v_0), \quad
              \mathrm{gd}(x) = 2\arctan\tanh(x/2), \quad
              \dot\theta = 2\sigma\omega_0\,\mathrm{sech}(\omega_0 t + v_0),

    approaching the upright position as :math:`t\to\pm\infty`; at rest at the top
    (:math:`\dot\theta_0 = 0`) the pendulum stays there.
    """
    w0 = q["w0"][:, None]
    s = q["s"]
    sigma = np.where(q["omega0"] >= 0, 1.0, -1.0)
    top = np.abs(s) >= 1.0  # at rest at the top (omega0 = 0): unstable equilibrium
    v0 = np.arctanh(np.where(top, 0.0, sigma * s))
    x = w0 * t + v0[:, None]
    theta = np.where(
        top[:, None],
        q["theta_r"][:, None] + 0.0 * t,
        4.0 * sigma[:, None] * np.arctan(np.tanh(0.5 * x)),
    )
    omega = np.where(
        top[:, None], 0.0 * t, 2.0 * sigma[:, None] * w0 / np.cosh(np.clip(x, -700.0, 700.0))
    )
    theta = theta + 2.0 * np.pi * q["turns"][:, None]
    return theta, omega


def _small_angle(p, t):
    w0 = p["w0"][..., None]
    wt = w0 * t
    c, s = np.cos(wt), np.sin(wt)
    th0 = p["theta0"][..., None]
    om0 = p["omega0"][..., None]
    return th0 * c + (om0 / w0) * s, -th0 * w0 * s + om0 * c


def _step_indices(t, dt, method):
    if dt is None:
        if t.shape[0] < 2:
            raise ValueError(
                f"simulate: method={method!r} needs the step dt: pass dt=... [s] or at least two uniform "
                f"times starting at 0 in t (got t of length {t.shape[0]})."
            )
        dt = t[1] - t[0]
        uniform = np.allclose(np.diff(t), dt, rtol=1e-9, atol=1e-12 * max(1.0, abs(dt)))
        if not (uniform and abs(t[0]) <= 1e-12 * max(1.0, abs(dt)) and dt > 0):
            raise ValueError(
                f"simulate: method={method!r} without dt requires t uniform and starting at 0, "
                f"got t[0]={t[0]!r}, t[1]-t[0]={dt!r}; pass dt=... explicitly or use "
                "t = dt * np.arange(n)."
            )
    else:
        dt = check.real(dt, "dt", "simulate", unit="s", positive=True, fix="pass e.g. dt=0.01.")
    steps = t / dt
    idx = np.round(steps)
    if np.any(idx < 0) or np.any(np.abs(steps - idx) > 1e-6):
        bad = t[(idx < 0) | (np.abs(steps - idx) > 1e-6)][0]
        raise ValueError(
            f"simulate: method={method!r} reports states on the grid i*dt (i >= 0) with dt={dt!r}, "
            f"but t contains {bad!r}; pass times that are non-negative multiples of dt."
        )
    return idx.astype(np.int64), dt


def verlet_step(theta, omega, acc, dt, acceleration):
    r"""One velocity-Verlet (leapfrog) step: the course's one symplectic integrator.

    .. math::

        \omega_{1/2} = \omega + \tfrac{\Delta t}{2} a(\theta),\quad
        \theta' = \theta + \Delta t\,\omega_{1/2},\quad
        \omega' = \omega_{1/2} + \tfrac{\Delta t}{2} a(\theta')

    ``acc`` is :math:`a(\theta)` from the previous step; returns
    ``(theta', omega', a(theta'))`` so each step calls ``acceleration`` once.
    Used by :func:`simulate` (``method="verlet"``) and by
    :func:`physgen.integrate_verlet` (a learned law). Not validated: a private
    building block.
    """
    om_half = omega + 0.5 * dt * acc
    theta = theta + dt * om_half
    acc = np.asarray(acceleration(theta), dtype=float)
    return theta, om_half + 0.5 * dt * acc, acc


def _fixed_step(p, t, dt, method):
    idx, dt = _step_indices(t, dt, method)
    shape = p["shape"]
    T = t.shape[0]
    theta_out = np.empty(shape + (T,))
    omega_out = np.empty(shape + (T,))
    th = p["theta0"].copy()
    om = p["omega0"].copy()
    w2 = p["w0"] ** 2
    # Euler-Cromer: the label t_i = i*dt holds the state after i+1 steps (the original's
    # recording); the other methods record the state at t_i itself.
    need = idx + 1 if method == "euler_cromer" else idx
    order = np.argsort(need, kind="stable")
    need_sorted = need[order]
    n_total = int(need_sorted[-1]) if T else 0
    pos = 0
    step = 0

    def gravity(x):
        return -w2 * np.sin(x)

    acc = gravity(th)
    while True:
        while pos < T and need_sorted[pos] == step:
            theta_out[..., order[pos]] = th
            omega_out[..., order[pos]] = om
            pos += 1
        if step >= n_total:
            break
        if method == "euler_cromer":
            om = om - w2 * np.sin(th) * dt
            th = th + om * dt
        else:
            th, om, acc = verlet_step(th, om, acc, dt, gravity)
        step += 1
    return theta_out, omega_out


def _rk(p, t):
    shape = p["shape"]
    n = int(np.prod(shape))
    T = t.shape[0]
    w2 = np.ravel(p["w0"] ** 2)
    y0 = np.concatenate([np.ravel(p["theta0"]), np.ravel(p["omega0"])])
    theta = np.empty((n, T))
    omega = np.empty((n, T))

    def rhs(_, y):
        th, om = y[:n], y[n:]
        return np.concatenate([om, -w2 * np.sin(th)])

    for sign in (1.0, -1.0):
        sel = (t > 0) if sign > 0 else (t < 0)
        if not np.any(sel):
            continue
        tt, inv = np.unique(t[sel], return_inverse=True)
        if sign < 0:
            tt = tt[::-1]
            inv = tt.shape[0] - 1 - inv
        sol = integrate.solve_ivp(
            rhs, (0.0, tt[-1]), y0, method="DOP853", t_eval=tt, rtol=1e-11, atol=1e-11
        )
        if not sol.success:  # pragma: no cover - DOP853 on a smooth problem
            raise RuntimeError(f"solve_ivp failed: {sol.message}")
        theta[:, sel] = sol.y[:n, inv]
        omega[:, sel] = sol.y[n:, inv]
    at0 = t == 0
    theta[:, at0] = y0[:n, None]
    omega[:, at0] = y0[n:, None]
    return theta.reshape(shape + (T,)), omega.reshape(shape + (T,))
