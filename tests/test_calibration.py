"""Scores of predictive distributions, checked on distributions whose answers are known."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from physgen import GrowingNoise
from physgen.calibration import (
    STANDARD_LEVELS,
    CalibrationCurve,
    calibration_curve,
    calibration_error,
    central_interval,
    coverage,
    coverage_from_samples,
    coverage_table,
    crps_gaussian,
    crps_samples,
    gaussian_nll,
    gaussian_nll_floor,
    interval_width,
    sharpness,
)


@pytest.fixture(scope="module")
def true_noise():
    """Observations of a clean curve with the original's noise sigma = 0.1 t (t > 0)."""
    rng = np.random.default_rng(20240601)
    t = np.tile(np.arange(1, 500) * 0.01, 400)  # 199,600 rows, t in (0, 5) s
    clean = np.sin(2.0 * t)
    noise = GrowingNoise(0.1)
    y = noise.sample(clean, t, rng=rng)
    return y, clean, noise.std(t)


@pytest.mark.parametrize("level", STANDARD_LEVELS)
def test_true_noise_intervals_cover_their_nominal_level(true_noise, level):
    y, clean, std = true_noise
    # binomial standard error at n = 2e5 is at most 0.0012
    assert coverage(y, clean, std, level=level) == pytest.approx(level, abs=0.005)


def test_over_and_under_confidence_move_coverage_the_right_way(true_noise):
    y, clean, std = true_noise
    assert coverage(y, clean, 0.5 * std, level=0.9) < 0.7
    assert coverage(y, clean, 2.0 * std, level=0.9) > 0.99


def test_coverage_table_and_interval_agree(true_noise):
    y, clean, std = true_noise
    table = coverage_table(y, clean, std)
    assert list(table) == list(STANDARD_LEVELS)
    lo, hi = central_interval(clean, std, level=0.9)
    assert table[0.9] == pytest.approx(np.mean((y >= lo) & (y <= hi)), abs=1e-12)
    assert np.allclose(hi - lo, 2 * stats.norm.ppf(0.95) * std)
    assert interval_width(std, level=0.9) == pytest.approx(np.mean(hi - lo))


def test_sample_based_coverage_matches_gaussian_coverage():
    rng = np.random.default_rng(1)
    y = rng.normal(size=2000)
    samples = rng.normal(size=(4000, 2000))
    assert coverage_from_samples(y, samples, level=0.9) == pytest.approx(
        coverage(y, np.zeros(2000), 1.0, level=0.9), abs=0.01)


def test_nll_of_the_true_noise_model_reaches_the_floor(true_noise):
    y, clean, std = true_noise
    floor = gaussian_nll_floor(std)
    # the floor is the mean entropy of the noise: 0.5 log(2 pi e sigma^2)
    assert floor == pytest.approx(np.mean(0.5 * np.log(2 * np.pi * np.e * std**2)))
    assert gaussian_nll(y, clean, std) == pytest.approx(floor, abs=0.01)
    # any other spread or a biased mean scores worse (in expectation; large n)
    for factor in (0.7, 1.4):
        assert gaussian_nll(y, clean, factor * std) > floor + 0.03
    assert gaussian_nll(y, clean + 0.05, std) > gaussian_nll(y, clean, std)


def test_nll_floor_rejects_noise_free_rows():
    with pytest.raises(ValueError, match="t = 0"):
        gaussian_nll_floor(GrowingNoise(0.1).std(np.array([0.0, 1.0])))


def test_nll_per_element_matches_scipy():
    rng = np.random.default_rng(2)
    y, mu, sd = rng.normal(size=50), rng.normal(size=50), rng.uniform(0.1, 2, size=50)
    assert np.allclose(gaussian_nll(y, mu, sd, reduce=False), -stats.norm.logpdf(y, mu, sd))


def test_crps_closed_form_matches_its_definition():
    # CRPS = integral over z of (F(z) - 1{z >= y})^2
    for y, mu, sd in [(0.3, 0.0, 1.0), (-2.0, 0.5, 0.3), (1.0, 1.0, 2.0)]:
        left, _ = integrate.quad(lambda z: stats.norm.cdf(z, mu, sd) ** 2, -np.inf, y)
        right, _ = integrate.quad(lambda z: stats.norm.sf(z, mu, sd) ** 2, y, np.inf)
        assert float(crps_gaussian(y, mu, sd)) == pytest.approx(left + right, rel=1e-6)
    assert float(crps_gaussian(0.0, 0.0, 1.0)) == pytest.approx(
        (math.sqrt(2) - 1) / math.sqrt(math.pi))


def test_crps_from_samples_matches_closed_form():
    rng = np.random.default_rng(3)
    mu, sd = rng.normal(size=300), rng.uniform(0.1, 1.0, size=300)
    y = mu + sd * rng.normal(size=300)
    samples = mu + sd * rng.normal(size=(5000, 300))
    exact = crps_gaussian(y, mu, sd)
    approx = crps_samples(y, samples)
    assert approx.shape == exact.shape == (300,)
    assert np.mean(approx) == pytest.approx(np.mean(exact), rel=0.01)
    assert np.max(np.abs(approx - exact) / sd) < 0.05  # Monte Carlo error ~ sd / sqrt(m)


def test_crps_of_a_point_prediction_is_the_absolute_error():
    y = np.array([0.0, 1.0, -2.0])
    point = np.array([[0.5, 1.0, 1.0]] * 7)
    assert np.allclose(crps_samples(y, point), np.abs(y - point[0]))
    assert np.allclose(crps_gaussian(y, point[0], 1e-9), np.abs(y - point[0]), atol=1e-8)


@settings(max_examples=40, deadline=None)
@given(y=st.floats(-5, 5), mu=st.floats(-5, 5), sd=st.floats(0.01, 5))
def test_crps_is_nonnegative_and_at_most_the_error_plus_spread(y, mu, sd):
    c = float(crps_gaussian(y, mu, sd))
    assert 0.0 <= c <= abs(y - mu) + sd


def test_calibration_curve_is_flat_for_the_true_model_and_bent_otherwise(true_noise):
    y, clean, std = true_noise
    curve = calibration_curve(y, clean, std)
    assert isinstance(curve, CalibrationCurve)
    assert curve.levels.shape == curve.observed.shape == (19,)
    assert calibration_error(curve) < 0.005
    wide = calibration_curve(y, clean, 1.5 * std)
    assert np.all(wide.observed >= wide.levels)
    assert calibration_error(y, clean, 1.5 * std) > 0.1
    assert np.all(np.diff(curve.observed) >= 0)


def test_sharpness():
    assert sharpness(np.array([3.0, 4.0])) == pytest.approx(math.sqrt(12.5))
    assert sharpness(np.full(10, 0.2)) == pytest.approx(0.2)


@pytest.mark.parametrize("level", [0.0, 1.0, -0.1, 1.5, float("nan")])
def test_levels_outside_the_unit_interval_are_rejected(level):
    with pytest.raises(ValueError, match="level"):
        coverage(np.zeros(3), np.zeros(3), 1.0, level=level)
    with pytest.raises(ValueError, match="level"):
        coverage_table(np.zeros(3), np.zeros(3), 1.0, levels=(0.5, level))
    with pytest.raises(ValueError, match="level"):
        central_interval(np.zeros(3), 1.0, level=level)


def test_mismatched_shapes_are_rejected():
    with pytest.raises(ValueError, match="same shape"):
        gaussian_nll(np.zeros(3), np.zeros(4), 1.0)
    with pytest.raises(ValueError, match="std"):
        coverage(np.zeros(3), np.zeros(3), np.ones(4))
    with pytest.raises(ValueError, match="samples"):
        crps_samples(np.zeros(3), np.zeros((10, 4)))
    with pytest.raises(ValueError, match="samples"):
        coverage_from_samples(np.zeros(3), np.zeros(3))


def test_bad_values_are_rejected():
    with pytest.raises(ValueError, match="std must be > 0"):
        gaussian_nll(np.zeros(2), np.zeros(2), np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match="NaN"):
        crps_gaussian(np.array([np.nan]), np.zeros(1), 1.0)
    with pytest.raises(ValueError, match="empty"):
        coverage(np.zeros(0), np.zeros(0), 1.0)
    with pytest.raises(TypeError, match="level"):
        coverage(np.zeros(2), np.zeros(2), 1.0, level="0.9")
    with pytest.raises(ValueError, match="not both"):
        calibration_error(calibration_curve(np.zeros(2), np.zeros(2), 1.0), np.zeros(2), 1.0)


# --------------------------------------------------------------------------- regions
from physgen.calibration import RegionScores, score_region  # noqa: E402


def test_region_scores_of_the_true_model_and_of_a_model_without_doubt(true_noise):
    y, clean, std = true_noise
    n = y.size
    # the true noise model centred on the truth: calibrated against observations
    exact = score_region(y, clean, clean, std, np.zeros(n))
    assert isinstance(exact, RegionScores) and exact.n == n
    assert exact.coverage_observed == pytest.approx(0.9, abs=0.005)
    assert exact.nll == pytest.approx(gaussian_nll_floor(std), abs=0.01)
    assert exact.rmse == 0 and exact.epistemic_std == 0
    # a biased mean without weight uncertainty: its zero-width interval misses the truth
    biased = score_region(y, clean, clean + 0.3, std, np.zeros(n))
    assert biased.coverage_truth == 0.0
    assert biased.rmse == pytest.approx(0.3)
    # the same bias, honestly doubted: 1.645 x 0.3 rad > 0.3 rad, so the truth is always covered
    doubted = score_region(y, clean, clean + 0.3, std, np.full(n, 0.3))
    assert doubted.coverage_truth == 1.0
    assert doubted.coverage_observed > biased.coverage_observed


def test_region_scores_reject_empty_regions_and_bad_input():
    ok = np.zeros(4), np.zeros(4), np.zeros(4), np.ones(4), np.zeros(4)
    with pytest.raises(ValueError, match="region is empty"):
        score_region(*(a[:0] for a in ok))
    with pytest.raises(ValueError, match="same shape"):
        score_region(np.zeros(4), np.zeros(3), np.zeros(4), np.ones(4), np.zeros(4))
    with pytest.raises(ValueError, match="level"):
        score_region(*ok, level=1.0)
    with pytest.raises(ValueError, match="epistemic_std must be >= 0"):
        score_region(*ok[:4], -np.ones(4))
    with pytest.raises(ValueError, match="aleatoric_std must be > 0"):
        score_region(*ok[:3], np.zeros(4), np.zeros(4))
