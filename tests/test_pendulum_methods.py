"""Symmetries, special motions and the numerical methods of physgen.pendulum."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from physgen import METHODS, energy, period, simulate

G, L = 9.81, 1.0
W0 = np.sqrt(G / L)

swing_or_turn = st.tuples(st.floats(-3.1, 3.1), st.floats(-12.0, 12.0), st.floats(0.3, 2.5))


# --------------------------------------------------------------------------
# symmetries
# --------------------------------------------------------------------------
@settings(max_examples=30, deadline=None, derandomize=True, database=None)
@given(swing_or_turn)
def test_mirror_symmetry(ic):
    """(theta0, omega0) -> (-theta0, -omega0) mirrors the whole trajectory."""
    theta0, omega0, length = ic
    t = np.linspace(0.0, 10.0, 301)
    a = simulate(theta0, omega0, t, length=length)
    b = simulate(-theta0, -omega0, t, length=length)
    np.testing.assert_allclose(b.theta, -a.theta, rtol=0, atol=1e-11)
    np.testing.assert_allclose(b.omega, -a.omega, rtol=0, atol=1e-10)


@settings(max_examples=30, deadline=None, derandomize=True, database=None)
@given(swing_or_turn)
def test_time_reversal(ic):
    """Running backwards in time is running forwards with the velocity reversed."""
    theta0, omega0, length = ic
    t = np.linspace(0.0, 8.0, 101)
    fwd = simulate(theta0, -omega0, t, length=length)
    back = simulate(theta0, omega0, -t, length=length)
    np.testing.assert_allclose(back.theta, fwd.theta, rtol=0, atol=1e-11)
    np.testing.assert_allclose(back.omega, -fwd.omega, rtol=0, atol=1e-10)


@settings(max_examples=30, deadline=None, derandomize=True, database=None)
@given(swing_or_turn)
def test_one_period_later(ic):
    """theta(t + T) = theta(t) when swinging; +-2 pi (one turn) when rotating."""
    theta0, omega0, length = ic
    T = period(theta0, omega0, length=length)
    if not np.isfinite(T) or T > 200.0:
        return  # (on or extremely near the separatrix)
    t = np.linspace(0.0, 5.0, 51)
    a = simulate(theta0, omega0, t, length=length)
    b = simulate(theta0, omega0, t + T, length=length)
    swinging = energy(theta0, omega0, length=length, g=G) < 2 * G * length
    turn = 0.0 if swinging else 2 * np.pi * np.sign(omega0)
    np.testing.assert_allclose(b.theta, a.theta + turn, rtol=0, atol=1e-9)
    np.testing.assert_allclose(b.omega, a.omega, rtol=0, atol=1e-8)


def test_full_turns_are_kept_and_counted():
    t = np.linspace(0.0, 6.0, 601)
    base = simulate(0.7, 9.0, t)
    shifted = simulate(0.7 + 6 * np.pi, 9.0, t)
    np.testing.assert_allclose(shifted.theta, base.theta + 6 * np.pi, rtol=0, atol=1e-11)
    # a rotation never jumps: the angle is continuous and grows by 2 pi per period
    assert np.all(np.diff(base.theta) > 0)
    assert np.max(np.abs(np.diff(base.theta))) < 0.2
    T = period(0.7, 9.0)
    turns = simulate(0.7, 9.0, T * np.arange(6))
    np.testing.assert_allclose(turns.theta, 0.7 + 2 * np.pi * np.arange(6), atol=1e-10)
    # the other way round
    rev = simulate(0.7, -9.0, T * np.arange(6))
    np.testing.assert_allclose(rev.theta, 0.7 - 2 * np.pi * np.arange(6), atol=1e-10)


def test_swing_centred_on_another_turn():
    """theta0 = 2 pi + 0.5 swings about 2 pi, not about 0."""
    traj = simulate(2 * np.pi + 0.5, 0.0, np.linspace(0.0, 10.0, 201))
    assert np.all(np.abs(traj.theta - 2 * np.pi) <= 0.5 + 1e-12)


# --------------------------------------------------------------------------
# special motions
# --------------------------------------------------------------------------
def test_rest_at_the_bottom_and_at_the_top():
    t = np.linspace(-3.0, 30.0, 50)
    bottom = simulate(0.0, 0.0, t)
    assert np.all(bottom.theta == 0.0) and np.all(bottom.omega == 0.0)
    top = simulate(np.pi, 0.0, t)  # unstable equilibrium: stays put
    assert np.all(top.theta == np.pi) and np.all(top.omega == 0.0)
    top = simulate(-np.pi, 0.0, t)
    assert np.all(top.theta == -np.pi) and np.all(top.omega == 0.0)
    for method in METHODS:
        if method in ("euler_cromer", "verlet"):
            tt = np.linspace(0.0, 3.0, 31)
        else:
            tt = t
        assert np.all(simulate(0.0, 0.0, tt, method=method).theta == 0.0)


@pytest.mark.parametrize("theta0, sign", [(0.0, 1.0), (0.0, -1.0), (np.pi / 2, 1.0), (-2.0, -1.0)])
def test_separatrix(theta0, sign):
    """E = 2 m g l exactly: theta creeps up to the top, never reaching it; T = inf."""
    omega0 = sign * 2 * W0 * np.cos(theta0 / 2)  # k = 1
    assert period(theta0, omega0) == np.inf
    t = np.linspace(0.0, 12.0, 1201)
    traj = simulate(theta0, omega0, t)
    assert np.all(np.isfinite(traj.theta)) and np.all(np.isfinite(traj.omega))
    assert np.all(sign * np.diff(traj.theta) >= 0)  # monotonic
    assert np.all(np.abs(traj.theta) <= np.pi)
    assert abs(traj.theta[-1] - sign * np.pi) < 1e-9  # ~exp(-w0 t) close to the top
    e = traj.energy()
    np.testing.assert_allclose(e, 2 * G * L, rtol=1e-12)
    # continuity with the motions on either side of it (for a short time)
    ts = np.linspace(0.0, 1.0, 11)
    for eps in (1e-10, -1e-10):
        near = simulate(theta0, omega0 * (1 + eps), ts)
        np.testing.assert_allclose(near.theta, simulate(theta0, omega0, ts).theta, atol=1e-8)


def test_small_angle_method_agrees_for_small_swings():
    t = np.linspace(0.0, 10.0, 501)
    amp = 1e-3
    exact = simulate(amp, 0.0, t)
    lin = simulate(amp, 0.0, t, method="small_angle")
    # the error is third order in the amplitude: the frequency is lower by a
    # fraction amp^2/16, so the phase lags by ~ (amp^2/16) w0 t after t seconds
    drift = amp * (amp**2 / 16) * W0 * t[-1]
    err = np.max(np.abs(exact.theta - lin.theta))
    assert 0.5 * drift < err < 1.5 * drift
    big = simulate(1.5, 0.0, t, method="small_angle")
    assert np.max(np.abs(simulate(1.5, 0.0, t).theta - big.theta)) > 0.5  # and fails for large ones


# --------------------------------------------------------------------------
# numerical methods
# --------------------------------------------------------------------------
def test_euler_cromer_is_the_original_scheme_with_its_labels():
    """Step by step the original loop; the value labelled i*dt is the state after i+1 steps."""
    theta0, omega0, length, g, dt, n = 1.0, 0.5, 1.0, 10.0, 0.01, 500
    th, om, rows = theta0, omega0, []
    for i in range(n):  # the original's loop
        om -= (g / length) * np.sin(th) * dt
        th += om * dt
        rows.append((i * dt, th))
    t_orig, th_orig = np.array(rows).T
    traj = simulate(theta0, omega0, t_orig, length=length, g=g, method="euler_cromer")
    np.testing.assert_allclose(traj.theta, th_orig, rtol=0, atol=1e-13)
    assert traj.theta[0] != theta0  # the first label, t = 0, already holds one step


def _error_at(method, dt, t_end=2.0):
    theta0, omega0 = 1.2, 0.3
    n = int(round(t_end / dt))
    t = dt * np.arange(n + 1)
    num = simulate(theta0, omega0, t, method=method)
    exact = simulate(theta0, omega0, t)
    return np.max(np.abs(num.theta - exact.theta))


@pytest.mark.parametrize("method, order", [("euler_cromer", 1.0), ("verlet", 2.0)])
def test_convergence_order(method, order):
    dts = 0.02 / 2.0 ** np.arange(4)
    errors = np.array([_error_at(method, dt) for dt in dts])
    slope = np.polyfit(np.log(dts), np.log(errors), 1)[0]
    assert slope == pytest.approx(order, abs=0.15)


def test_verlet_keeps_energy_bounded_and_rk_is_accurate():
    t = np.linspace(0.0, 50.0, 5001)
    ver = simulate(2.0, 0.0, t, method="verlet")
    e = ver.energy()
    assert np.max(np.abs(e / e[0] - 1)) < 1e-3  # no drift for a symplectic scheme
    rk = simulate(np.array([0.5, 2.0, 0.1]), np.array([0.0, 1.0, 9.0]), t[:1001], method="rk")
    ex = simulate(np.array([0.5, 2.0, 0.1]), np.array([0.0, 1.0, 9.0]), t[:1001])
    assert np.max(np.abs(rk.theta - ex.theta)) < 1e-7


def test_fixed_step_with_explicit_dt_and_sparse_output():
    dense = simulate(1.0, 0.0, np.linspace(0.0, 2.0, 201), method="verlet")
    sparse = simulate(1.0, 0.0, np.array([2.0, 0.5, 1.0]), method="verlet", dt=0.01)
    np.testing.assert_allclose(sparse.theta, dense.theta[[200, 50, 100]], rtol=0, atol=1e-12)


def test_rk_handles_negative_and_unsorted_times():
    t = np.array([3.0, -1.0, 0.0, 1.5, -2.5, 3.0])
    rk = simulate(0.9, -0.4, t, method="rk")
    ex = simulate(0.9, -0.4, t)
    np.testing.assert_allclose(rk.theta, ex.theta, rtol=0, atol=1e-8)


@pytest.mark.parametrize("method", METHODS)
def test_every_method_is_vectorised_consistently(method):
    """A batch gives the same rows as one pendulum at a time (no cross-talk)."""
    theta0 = np.array([[0.2, 3.0, -1.0], [2.0, 0.0, 7.0]])
    omega0 = np.array([0.0, 1.0, 8.0])
    length = np.array([[1.0], [0.5]])
    t = 0.01 * np.arange(150)
    batch = simulate(theta0, omega0, t, length=length, method=method)
    assert batch.theta.shape == (2, 3, 150)
    for i in range(2):
        for j in range(3):
            one = simulate(theta0[i, j], omega0[j], t, length=length[i, 0], method=method)
            tol = 1e-7 if method == "rk" else 1e-12
            np.testing.assert_allclose(batch.theta[i, j], one.theta, rtol=0, atol=tol)
            np.testing.assert_allclose(batch.omega[i, j], one.omega, rtol=0, atol=tol * 10)


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(
    st.floats(-1e3, 1e3),
    st.floats(-1e3, 1e3),
    st.floats(1e-3, 1e3),
    st.floats(1e-2, 1e3),
    st.sampled_from(["exact", "small_angle", "verlet", "euler_cromer"]),
)
def test_never_nan(theta0, omega0, length, g, method):
    t = np.linspace(0.0, 5.0, 51)
    traj = simulate(theta0, omega0, t, length=length, g=g, method=method)
    assert np.all(np.isfinite(traj.theta)) and np.all(np.isfinite(traj.omega))
