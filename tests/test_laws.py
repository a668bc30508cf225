"""Learned-law helpers: derivatives of noisy data, integrators, the length posterior."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

import physgen
from physgen import (
    integrate_rk4,
    integrate_verlet,
    length_posterior,
    savgol_derivatives,
    simulate,
)

T = np.arange(501) * 0.01


# ---------------------------------------------------------------- derivatives
def test_savgol_is_exact_for_cubics():
    y = 0.3 - 1.2 * T + 0.7 * T**2 - 0.2 * T**3
    d = savgol_derivatives(y, T, window=31, polyorder=3)
    assert d.t.shape == (501 - 30,)
    np.testing.assert_allclose(d.theta, 0.3 - 1.2 * d.t + 0.7 * d.t**2 - 0.2 * d.t**3, atol=1e-9)
    np.testing.assert_allclose(d.omega, -1.2 + 1.4 * d.t - 0.6 * d.t**2, atol=1e-8)
    np.testing.assert_allclose(d.alpha, 1.4 - 1.2 * d.t, atol=1e-6)


def test_savgol_recovers_the_pendulum_acceleration_and_batches():
    sim = simulate(np.array([0.5, 1.0]), np.array([0.0, 1.0]), T, length=1.5, g=10.0)
    d = savgol_derivatives(sim.theta, T, window=11)
    exact = -10.0 / 1.5 * np.sin(sim.theta[:, 5:-5])
    assert d.alpha.shape == (2, 491)
    # The local cubic's bias is the only error: a small fraction of the acceleration.
    assert np.max(np.abs(d.alpha - exact)) < 5e-3 * np.max(np.abs(exact))


def test_longer_windows_average_noise_away():
    rng = np.random.default_rng(0)
    noise = rng.normal(0.0, 0.05, size=(20, T.size))
    short = savgol_derivatives(noise, T, window=21).alpha.std()
    long = savgol_derivatives(noise, T, window=81).alpha.std()
    assert long < short / 10  # the second derivative of noise falls like window^-5/2


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(theta=np.r_[np.nan, np.zeros(500)], t=T, window=21), "theta=.*non-finite"),
        (dict(theta=np.zeros(501), t=T[::-1], window=21), "strictly increasing"),
        (dict(theta=np.zeros(501), t=T**2, window=21), "uniform"),
        (dict(theta=np.zeros(501), t=T, window=601), "longer than the series"),
        (dict(theta=np.zeros(501), t=T, window=20), "odd"),
        (dict(theta=np.zeros(501), t=T, window=3), "greater than polyorder"),
        (dict(theta=np.zeros(400), t=T, window=21), "time axis last"),
    ],
)
def test_savgol_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        savgol_derivatives(**kwargs)


# ---------------------------------------------------------------- integrators
def test_verlet_with_the_pendulum_law_is_physgen_verlet():
    length = np.array([1.0, 2.0])
    law = integrate_verlet(lambda th: -10.0 / length * np.sin(th), [1.0, 0.5], [0.0, 1.0], T)
    ref = simulate(np.array([1.0, 0.5]), np.array([0.0, 1.0]), T, length=length, g=10.0,
                   method="verlet")
    np.testing.assert_allclose(law.theta, ref.theta, rtol=0, atol=1e-12)
    np.testing.assert_allclose(law.omega, ref.omega, rtol=0, atol=1e-12)
    assert not law.diverged.any()


@pytest.mark.parametrize("integrator, order", [("verlet", 2), ("rk4", 4)])
def test_convergence_order(integrator, order):
    errors = []
    for dt in (0.04, 0.02, 0.01):
        t = np.arange(int(round(4.0 / dt)) + 1) * dt
        if integrator == "verlet":
            law = integrate_verlet(lambda th: -9.81 * np.sin(th), 1.2, 0.3, t)
        else:
            law = integrate_rk4(lambda th, om: (om, -9.81 * np.sin(th)), 1.2, 0.3, t)
        exact = simulate(1.2, 0.3, t, length=1.0, g=9.81)
        errors.append(np.max(np.abs(law.theta - exact.theta)))
    rates = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all(np.abs(rates - order) < 0.3), rates


def test_verlet_keeps_the_energy_of_any_conservative_law_bounded():
    # A made-up law (a quartic potential): Verlet's energy error stays bounded over 200 s.
    t = np.arange(20001) * 0.01
    law = integrate_verlet(lambda th: -4.0 * th - 3.0 * th**3, 1.0, 0.0, t)
    energy = 0.5 * law.omega**2 + 2.0 * law.theta**2 + 0.75 * law.theta**4
    early = np.abs(energy[:2000] - energy[0]).max()
    late = np.abs(energy[-2000:] - energy[0]).max()
    assert late < 1.5 * early + 1e-12 and early < 1e-3


def test_a_law_that_blows_up_is_flagged_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        law = integrate_verlet(lambda th: th**3, [0.1, 5.0], 0.0, T)
    assert law.diverged.tolist() == [False, True]


@pytest.mark.parametrize("fn", [integrate_verlet, integrate_rk4])
def test_integrators_reject_bad_input(fn):
    good = (lambda th: -np.sin(th)) if fn is integrate_verlet else (lambda th, om: (om, -np.sin(th)))
    with pytest.raises(ValueError, match="strictly increasing"):
        fn(good, 1.0, 0.0, np.array([0.0, 0.1, 0.1, 0.2]))
    with pytest.raises(ValueError, match="uniform"):
        fn(good, 1.0, 0.0, np.array([0.0, 0.1, 0.3]))
    with pytest.raises(ValueError, match="theta0=.*non-finite"):
        fn(good, np.nan, 0.0, T)
    with pytest.raises(ValueError, match="t=.*non-finite"):
        fn(good, 1.0, 0.0, np.r_[T[:-1], np.inf])
    with pytest.raises(TypeError, match="function"):
        fn("sin", 1.0, 0.0, T)
    bad = (lambda th: 1.0) if fn is integrate_verlet else (lambda th, om: (om, 1.0))
    with pytest.raises(ValueError, match="batch shape"):
        fn(bad, [1.0, 2.0], 0.0, T)


# ---------------------------------------------------------------- length posterior
def test_length_posterior_concentrates_on_the_true_length():
    t = T[1:]
    y = simulate(1.0, 1.0, t, length=1.7, g=10.0).theta
    lengths = np.linspace(1.5, 1.9, 4001)
    wide = length_posterior(y, t, theta0=1.0, omega0=1.0, g=10.0, noise_std=0.2, lengths=lengths)
    sharp = length_posterior(y, t, theta0=1.0, omega0=1.0, g=10.0, noise_std=0.02,
                             lengths=lengths)
    assert abs(float(sharp.mean) - 1.7) < 1e-3
    np.testing.assert_allclose(np.trapezoid(wide.density, lengths), 1.0)
    lo_w, hi_w = wide.interval(0.9)
    lo_s, hi_s = sharp.interval(0.9)
    assert lo_s < 1.7 < hi_s
    assert 7 < (hi_w - lo_w) / (hi_s - lo_s) < 13  # 10 times less noise, 10 times narrower


def test_length_posterior_is_calibrated():
    # Lengths drawn from the (uniform) prior: the 90 % interval covers the truth ~90 % of the time.
    rng = np.random.default_rng(3)
    n = 200
    t = np.arange(1, 200) * 0.025
    lengths = np.linspace(0.5, 2.5, 801)
    true = rng.uniform(0.8, 2.2, n)
    th0, om0 = rng.uniform(0.5, 1.5, n), rng.uniform(0.5, 1.5, n)
    clean = simulate(th0, om0, t, length=true, g=10.0).theta
    sd = 0.1 * t
    y = clean + sd * rng.standard_normal(clean.shape)
    post = length_posterior(y, t, theta0=th0, omega0=om0, g=10.0, noise_std=sd, lengths=lengths)
    lo, hi = post.interval(0.9)
    coverage = np.mean((lo <= true) & (true <= hi))
    assert 0.84 <= coverage <= 0.96  # binomial sd 0.021 around 0.9


@pytest.mark.parametrize(
    "change, match",
    [
        (dict(noise_std=0.1 * T), "noise_std must be > 0"),
        (dict(theta_obs=np.full(501, np.nan)), "theta_obs=.*non-finite"),
        (dict(t=T[::-1]), "strictly increasing"),
        (dict(lengths=np.array([2.0, 1.0])), "strictly increasing"),
        (dict(lengths=np.array([0.0, 1.0])), "lengths=.*must be > 0"),
        (dict(g=0.0), "g=.*must be > 0"),
    ],
)
def test_length_posterior_rejects_bad_input(change, match):
    kwargs = dict(theta_obs=np.zeros(501), t=T, theta0=1.0, omega0=0.0, g=10.0, noise_std=0.1,
                  lengths=np.linspace(1.0, 2.0, 11))
    kwargs.update(change)
    theta_obs, t = kwargs.pop("theta_obs"), kwargs.pop("t")
    with pytest.raises(ValueError, match=match):
        length_posterior(theta_obs, t, **kwargs)


def test_exported_and_tensorflow_free():
    for name in ("savgol_derivatives", "integrate_verlet", "integrate_rk4", "length_posterior",
                 "LawTrajectory", "LengthPosterior", "Derivatives"):
        assert name in physgen.__all__
    code = "import sys, physgen.laws; assert 'tensorflow' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------- separable leapfrog
def test_leapfrog_with_quadratic_kinetic_energy_is_verlet():
    acc = lambda th: -9.81 * np.sin(th)  # noqa: E731
    plain = integrate_verlet(acc, [1.0, 0.3], [0.0, 0.5], T)
    frog = integrate_verlet(acc, [1.0, 0.3], [0.0, 0.5], T, velocity=lambda p: p)
    np.testing.assert_allclose(frog.theta, plain.theta, rtol=0, atol=1e-12)


def test_leapfrog_keeps_a_separable_energy_bounded_where_rk4_drifts():
    # H = T(p) + V(q) with a non-quadratic T: leapfrog's energy error stays bounded,
    # RK4's grows secularly over long times at a coarse step.
    dT = lambda p: p + 0.5 * p**3  # noqa: E731
    dV = lambda q: np.sin(q)  # noqa: E731
    energy = lambda q, p: 0.5 * p**2 + 0.125 * p**4 + 1.0 - np.cos(q)  # noqa: E731
    t = np.arange(40001) * 0.1
    frog = integrate_verlet(lambda q: -dV(q), 1.0, 0.5, t, velocity=dT)
    rk4 = integrate_rk4(lambda q, p: (dT(p), -dV(q)), 1.0, 0.5, t)
    e0 = energy(1.0, 0.5)
    frog_err = np.abs(energy(frog.theta, frog.omega) - e0)
    rk4_err = np.abs(energy(rk4.theta, rk4.omega) - e0)
    assert frog_err[-4000:].max() < 1.5 * frog_err[:4000].max()
    assert rk4_err[-4000:].max() > 5.0 * rk4_err[:4000].max()


def test_leapfrog_rejects_a_bad_velocity():
    with pytest.raises(TypeError, match="velocity"):
        integrate_verlet(lambda th: -th, 1.0, 0.0, T, velocity="p")
    with pytest.raises(ValueError, match="velocity must return"):
        integrate_verlet(lambda th: -th, [1.0, 2.0], 0.0, T, velocity=lambda p: 1.0)


# ---------------------------------------------------------------- uncertain g
def test_posterior_with_uncertain_g_is_wider_and_matches_brute_force():
    t = T[1:300:2]
    y = simulate(1.0, 0.5, t, length=1.5, g=10.0).theta
    y = y + 0.05 * np.random.default_rng(4).standard_normal(y.shape)
    lengths = np.linspace(1.35, 1.65, 301)
    kw = dict(theta0=1.0, omega0=0.5, noise_std=0.05, lengths=lengths)
    known = length_posterior(y, t, g=10.0, **kw)
    loose = length_posterior(y, t, g=10.0, g_std=0.1, **kw)
    zero = length_posterior(y, t, g=10.0, g_std=0.0, **kw)
    np.testing.assert_allclose(zero.density, known.density)
    width = lambda p: np.subtract(*p.interval(0.9)[::-1])  # noqa: E731
    assert width(loose) > 1.5 * width(known)
    # Brute force: the likelihood integrated over g on a fine grid of g.
    gs = np.linspace(9.4, 10.6, 241)
    weights = np.exp(-0.5 * ((gs - 10.0) / 0.1) ** 2)
    logl = np.stack([length_posterior(y, t, g=g, **kw).log_likelihood for g in gs])
    brute = weights @ np.exp(logl - logl.max())
    brute /= np.trapezoid(brute, lengths)
    assert np.max(np.abs(brute - loose.density)) < 0.02 * loose.density.max()


def test_posterior_rejects_a_negative_g_std():
    with pytest.raises(ValueError, match="g_std"):
        length_posterior(np.zeros(5), T[1:6], theta0=1.0, omega0=0.0, g=10.0, noise_std=0.1,
                         lengths=np.linspace(1.0, 2.0, 11), g_std=-1.0)
