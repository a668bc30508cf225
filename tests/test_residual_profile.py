"""Tests of physgen.residual_profile and physgen.relative_profile_error.

The per-time RMS residual of fitted pendulums estimates the data's own noise
sigma(t): zero for exact pendulums, 0.1 t for the original data's noise, flat for
white noise of constant size. Each case is checked against that known sigma(t),
with a tolerance from the number of trajectories: the RMS of n' Gaussian values
has a relative sampling error of about 1/sqrt(2 n') at each time, and the three
fitted parameters take about 3/T of the noise's variance.
"""

import numpy as np
import pytest

import physgen
from physgen import (
    ConstantNoise,
    GrowingNoise,
    PendulumPrior,
    PriorGenerator,
    ResidualProfile,
    fit_pendulum,
    relative_profile_error,
    residual_profile,
)

T_GRID = np.linspace(0.0, 5.0, 100)
PRIOR = PendulumPrior()


def _tolerance(profile: ResidualProfile) -> float:
    """Four sampling standard deviations of the relative error, plus the fit's 3/T share."""
    return 4.0 / np.sqrt(2.0 * profile.n_used) + 3.0 / profile.t.size


@pytest.fixture(scope="module")
def growing():
    """400 pendulums with the original data's noise, sigma(t) = 0.1 t, and their fits."""
    theta = PriorGenerator(PRIOR, T_GRID, noise=GrowingNoise(0.1)).sample(400, rng=2)
    return theta, fit_pendulum(theta, T_GRID)


@pytest.fixture(scope="module")
def flat():
    """400 pendulums with white noise of constant sigma, the mean square of 0.1 t."""
    sigma = float(np.sqrt(np.mean((0.1 * T_GRID) ** 2)))
    theta = PriorGenerator(PRIOR, T_GRID, noise=ConstantNoise(sigma)).sample(400, rng=3)
    return sigma, theta, fit_pendulum(theta, T_GRID)


def test_exported():
    for name in ("ResidualProfile", "residual_profile", "relative_profile_error"):
        assert name in physgen.__all__, name


def test_exact_pendulums_have_zero_profile():
    theta = PriorGenerator(PRIOR, T_GRID).sample(300, rng=1)
    prof = residual_profile(theta, T_GRID)
    assert prof.rms.shape == T_GRID.shape and prof.n == 300 and prof.n_failed == 0
    assert np.all(prof.rms < 1e-9)  # round-off, at every time
    assert np.array_equal(prof.t, T_GRID) and not prof.rms.flags.writeable


def test_growing_noise_gives_a_profile_growing_as_0_1_t(growing):
    theta, fit = growing
    prof = residual_profile(theta, T_GRID, fit=fit)
    assert prof.n == 400 and prof.n_failed == fit.n_failed < 40  # small swings under the noise
    sigma = 0.1 * T_GRID
    assert relative_profile_error(prof, sigma) < _tolerance(prof)
    # grows: the last fifth is ~9x the first fifth (0.45 vs 0.05 rad for 0.1 t)
    first, last = prof.rms[:20].mean(), prof.rms[-20:].mean()
    assert 6.0 < last / first < 12.0
    # the slope of a line through the profile, against 0.1 rad/s
    slope = np.polyfit(T_GRID, prof.rms, 1)[0]
    assert slope == pytest.approx(0.1, rel=_tolerance(prof))


def test_constant_white_noise_gives_a_flat_profile(flat):
    sigma, theta, fit = flat
    prof = residual_profile(theta, T_GRID, fit=fit)
    assert relative_profile_error(prof, np.full_like(T_GRID, sigma)) < _tolerance(prof)
    assert np.all(np.abs(prof.rms / sigma - 1.0) < 2 * _tolerance(prof))
    slope = np.polyfit(T_GRID, prof.rms, 1)[0]
    assert abs(slope * T_GRID[-1]) < _tolerance(prof) * sigma  # change over the window


def test_profile_sees_what_the_median_residual_cannot(growing, flat):
    """Same mean-square noise, flat vs growing: equal median residuals, different profiles."""
    theta_g, fit_g = growing
    _, theta_f, fit_f = flat
    med_g = np.median(fit_g.residual_rms[~fit_g.failed])
    med_f = np.median(fit_f.residual_rms[~fit_f.failed])
    assert med_f == pytest.approx(med_g, rel=0.05)
    prof_g = residual_profile(theta_g, T_GRID, fit=fit_g)
    prof_f = residual_profile(theta_f, T_GRID, fit=fit_f)
    # sqrt(2 - sqrt(3)) = 0.52 for the exact sigma(t) of each
    assert relative_profile_error(prof_f, prof_g) > 0.4


def test_relative_profile_error_values():
    ref = 0.1 * T_GRID
    assert relative_profile_error(ref, ref) == 0.0
    assert relative_profile_error(2.0 * ref, ref) == pytest.approx(1.0)
    assert relative_profile_error(np.zeros_like(ref), ref) == pytest.approx(1.0)
    flat = np.full_like(T_GRID, np.sqrt(np.mean(ref**2)))
    exact = np.sqrt(2.0 - 2.0 * np.mean(ref) / np.sqrt(np.mean(ref**2)))
    assert relative_profile_error(flat, ref) == pytest.approx(exact)
    assert exact == pytest.approx(np.sqrt(2.0 - np.sqrt(3.0)), abs=0.01)


def test_profile_of_unfittable_data_is_nan_and_refused():
    white = np.random.default_rng(0).normal(0.0, 0.3, size=(5, T_GRID.size))
    prof = residual_profile(white, T_GRID)
    assert prof.n_failed == prof.n == 5 and np.all(np.isnan(prof.rms))
    with pytest.raises(ValueError, match="n_failed"):
        relative_profile_error(prof, 0.1 * T_GRID)


def test_bad_input_names_the_argument_and_the_fix():
    theta = PriorGenerator(PRIOR, T_GRID).sample(4, rng=0)
    fit = fit_pendulum(theta, T_GRID)
    with pytest.raises(ValueError, match=r"fit holds 4 fits.*fit_pendulum"):
        residual_profile(theta[:3], T_GRID, fit=fit)
    with pytest.raises(ValueError, match=r"g=10\.0"):
        residual_profile(theta, T_GRID, g=10.0, fit=fit)
    with pytest.raises(TypeError, match="fit must be a PendulumFit"):
        residual_profile(theta, T_GRID, fit="fit")
    with pytest.raises(ValueError, match="t has 99 times"):
        residual_profile(theta, T_GRID[:-1])
    with pytest.raises(ValueError, match=r"g=-1\.0 must be > 0"):
        residual_profile(theta, T_GRID, g=-1.0)
    with pytest.raises(ValueError, match="same shape"):
        relative_profile_error(T_GRID, T_GRID[:-1])
    with pytest.raises(ValueError, match="reference is zero"):
        relative_profile_error(T_GRID, np.zeros_like(T_GRID))
    with pytest.raises(ValueError, match=r"profile=.*negative"):
        relative_profile_error(-T_GRID, T_GRID)
    with pytest.raises(TypeError, match=r"reference=.*ResidualProfile"):
        relative_profile_error(T_GRID, "flat")
