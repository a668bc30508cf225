r"""The step-by-step pendulum: Euler-Cromer, velocity Verlet and adaptive Runge-Kutta.

:func:`physgen.simulate` with ``method="euler_cromer"``, ``"verlet"`` or ``"rk"``
calls :func:`fixed_step` or :func:`rk` here. :func:`verlet_step` is the course's one
symplectic integrator step, shared with :func:`physgen.integrate_verlet` (a learned
law).
"""

from __future__ import annotations

import numpy as np
from scipy import integrate

from physgen import _validation as check


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


def fixed_step(p, t, dt, method):
    """Euler-Cromer or velocity Verlet with step ``dt``, states reported at the times ``t``."""
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


def rk(p, t):
    """Adaptive Runge-Kutta (DOP853) of the whole batch as one system, forward and backward from 0."""
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
