r"""The exact pendulum through Jacobi elliptic functions (``simulate(method="exact")``).

The energy fixes the elliptic modulus :math:`k` (:mod:`physgen.pendulum`), and the
motion is a libration (:math:`k < 1`), a rotation (:math:`k > 1`) or the separatrix
(:math:`k = 1`). This module evaluates each in closed form for whole batches:
:func:`exact` takes the validated, classified parameters of
:func:`physgen.pendulum._prepare` and returns ``theta`` and ``omega``.

Speed (``benchmarks/generator.py``): on a uniform time grid the elliptic
functions are not evaluated point by point; the addition theorem combines two
small per-trajectory tables, so each point costs a few multiply-adds (batched
into BLAS matrix products) and one ``arctan``.
"""

from __future__ import annotations

import numpy as np
from scipy import special

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


def exact(p, t):
    """``theta`` and ``omega``, shape S + (T,), of the pendulums ``p`` (from ``_prepare``) at ``t``."""
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
    division and one arctan per point. ``theta`` and ``omega`` are written in place.
    """
    m, m1, rate, u0, sigma = _regime_phase(regime, q)
    vel = 2.0 * np.sqrt(q["m"]) * q["w0"]
    coarse_u, coarse, fine_u, fine = _tables(t, grid, u0, rate, m, m1)
    L, R = _factors(regime, coarse, fine, coarse_u, fine_u, m, m1, np.sqrt(q["m"]), vel, sigma)
    _evaluate(regime, L, R, 2.0 * np.pi * q["turns"], t.shape[0], theta, omega, idx)


def _regime_phase(regime, q):
    """Parameter ``m``, ``m1 = 1 - m``, the rate of the argument (``du/dt`` [1/s]), the
    initial argument ``u0`` and the direction ``sigma`` (+1 or -1) of one regime's rows."""
    w0, s, v = q["w0"], q["s"], q["v"]
    k = np.sqrt(q["m"])
    if regime == "lib":
        m, m1 = q["m"], q["m1"]
        rate = w0
        amp0 = np.arctan2(s, v)  # am(u0): sin = sin(theta_r/2)/k, cos = omega0/(2 k w0)
        sigma = np.ones(w0.size)
    else:
        m = 1.0 / q["m"]
        m1 = -q["m1"] / q["m"]
        rate = k * w0
        sigma = np.where(q["omega0"] >= 0.0, 1.0, -1.0)
        amp0 = sigma * 0.5 * q["theta_r"]  # am(u0), in [-pi/2, pi/2]
    return m, m1, rate, _ellipf(amp0, m, m1), sigma


def _tables(t, grid, u0, rate, m, m1):
    """The coarse and fine arguments and (sn, cn, dn) tables, shapes (n, A) and (n, B).

    On a uniform grid with a small step: block centres (coarse) and offsets within a
    block (fine, built by stepping); otherwise one coarse point at argument 0 and every
    time evaluated directly (fine), so the addition theorem returns the fine values.
    """
    n = u0.size
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
        coarse = (np.zeros((n, 1)), np.ones((n, 1)), np.ones((n, 1)))
        fine_u = u0[:, None] + rate[:, None] * t
        fine = _jacobi(fine_u, m[:, None], m1[:, None])
        coarse_u = np.zeros((n, 1))
    return coarse_u, coarse, fine_u, fine


def _factors(regime, coarse, fine, coarse_u, fine_u, m, m1, k, vel, sigma):
    """Coarse factors L, shape (Q, n, A, 2), and fine factors R, shape (Q, n, 2, B): row
    ``q`` of ``L @ R`` is a numerator (rows 0 to 2), the addition theorem's denominator
    (row 3) or, for a rotation, the line that am is unwrapped against (row 4)."""
    s1, c1, _ = coarse
    _, _, d2 = fine
    n, A = s1.shape
    B = d2.shape[1]
    Q = 4 if regime == "lib" else 5
    L = np.empty((Q, n, A, 2))
    R = np.empty((Q, n, 2, B))
    if regime == "lib":
        _libration_factors(L, R, coarse, fine, m[:, None], k[:, None], vel[:, None])
    else:
        _rotation_factors(L, R, coarse, fine, m[:, None], vel[:, None], sigma[:, None])
        scale = sigma[:, None] / (2.0 * special.ellipkm1(m1)[:, None])  # line / pi = sigma u / (2K)
        np.multiply(scale, coarse_u, out=L[4, ..., 0])
        L[4, ..., 1] = 1.0
        R[4, :, 0] = 1.0
        np.multiply(scale, fine_u, out=R[4, :, 1])
    np.multiply(s1, s1, out=L[3, ..., 0])  # denominator of the addition theorem
    np.multiply(c1, c1, out=L[3, ..., 1])
    np.multiply(d2, d2, out=R[3, :, 0])
    R[3, :, 1] = 1.0
    return L, R


def _libration_factors(L, R, coarse, fine, mm, kk, vv):
    """Rows 0, 1, 2 of a libration, in place: k sn, dn and 2 k w0 cn."""
    s1, c1, d1 = coarse
    s2, c2, d2 = fine
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


def _rotation_factors(L, R, coarse, fine, mm, vv, sg):
    """Rows 0, 1, 2 of a rotation, in place: sigma sn, cn and 2 sigma k w0 dn."""
    s1, c1, d1 = coarse
    s2, c2, d2 = fine
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


def _evaluate(regime, L, R, offset, T, theta, omega, idx):
    """theta and omega of rows ``idx`` from the factors, block by block of rows."""
    Q, n, A, _ = L.shape
    B = R.shape[3]
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
            _unwrapped_rotation_angle(o)
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


def _unwrapped_rotation_angle(o):
    """theta = 2 am(u) in ``o[0]``, in place, from the numerators of sn (``o[0]``) and cn
    (``o[1]``, then used as scratch) and the line ``o[4]`` that am stays near."""
    th = o[0]
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
