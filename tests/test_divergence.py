"""The Kullback-Leibler divergence of two Normals: the closed form against sampling.

The chapter "Probability for the course" (book/02-probability.md) states the formula
and checks it by sampling once; these tests check it for many pairs, with a tolerance
that follows from the number of draws, and check the coverage of a 90 % interval
against the binomial error of a finite number of observations.
"""

import math

import numpy as np
import pytest

import physgen
from physgen import binomial_standard_error, coverage, gaussian_kl, gaussian_kl_monte_carlo

PAIRS = [  # (m_q, s_q, m_p, s_p)
    (0.0, 1.0, 0.0, 1.0),
    (1.0, 1.0, 0.0, 1.0),
    (0.3, 0.05, 0.0, 1.0),  # chapter 3's q(A) against its prior N(0, 1)
    (0.0, 2.0, 0.5, 0.7),
    (-1.2, 0.4, 0.8, 3.0),
]


@pytest.mark.parametrize("pair", PAIRS)
def test_closed_form_matches_sampling_within_its_standard_error(pair):
    n = 200_000
    est = gaussian_kl_monte_carlo(*pair, n_samples=n, rng=np.random.default_rng(1))
    exact = gaussian_kl(*pair)
    assert est.n_samples == n
    # 5 standard errors: a false alarm once in ~3.5 million runs.
    assert abs(est.value - exact) <= 5 * est.stderr + 1e-12


def test_the_standard_error_shrinks_as_one_over_root_n():
    pair = (0.0, 2.0, 0.5, 0.7)
    small = gaussian_kl_monte_carlo(*pair, n_samples=10_000, rng=np.random.default_rng(2))
    large = gaussian_kl_monte_carlo(*pair, n_samples=1_000_000, rng=np.random.default_rng(3))
    assert large.stderr == pytest.approx(small.stderr / 10, rel=0.1)


def test_a_wrong_formula_would_be_caught():
    # Dropping the variance ratio term is a classic slip; sampling exposes it.
    m_q, s_q, m_p, s_p = 0.0, 2.0, 0.5, 0.7
    wrong = math.log(s_p / s_q) + (m_q - m_p) ** 2 / (2 * s_p**2) - 0.5
    est = gaussian_kl_monte_carlo(
        m_q, s_q, m_p, s_p, n_samples=200_000, rng=np.random.default_rng(4)
    )
    assert abs(est.value - wrong) > 20 * est.stderr


def test_known_limits_and_properties():
    assert gaussian_kl(0.3, 0.2, 0.3, 0.2) == 0.0
    # Equal spreads: half the squared shift in units of the spread.
    assert gaussian_kl(1.5, 0.5, 0.5, 0.5) == pytest.approx(0.5 * (1.0 / 0.5) ** 2)
    # Equal means: a function of the spread ratio r alone, (r^2 - 1)/2 - log r.
    r = 3.0
    assert gaussian_kl(0.0, r, 0.0, 1.0) == pytest.approx((r**2 - 1) / 2 - math.log(r))
    # Not symmetric.
    assert gaussian_kl(0.0, 3.0, 0.0, 1.0) != pytest.approx(gaussian_kl(0.0, 1.0, 0.0, 3.0))
    # Never negative, and broadcasting over arrays.
    grid = gaussian_kl(np.linspace(-2, 2, 9)[:, None], np.geomspace(0.1, 10, 7), 0.0, 1.0)
    assert grid.shape == (9, 7) and np.all(grid >= 0)


def test_chapter_3s_closed_form_kl_is_this_one():
    # Chapter 3 writes KL(N(m, s^2) || N(0, tau^2)) = log(tau/s) + (s^2 + m^2)/(2 tau^2) - 1/2.
    m, s, tau = 0.27, 0.04, 1.0
    ch3 = math.log(tau / s) + (s**2 + m**2) / (2 * tau**2) - 0.5
    assert gaussian_kl(m, s, 0.0, tau) == pytest.approx(ch3)


@pytest.mark.parametrize("level", [0.5, 0.9, 0.95])
def test_a_central_interval_covers_its_level_within_binomial_error(level):
    # Noisy measurements of a pendulum's angle: truth plus Normal noise of known sigma.
    rng = np.random.default_rng(5)
    n = 20_000
    t = rng.uniform(0.0, 5.0, n)
    truth = 0.3 * np.cos(math.sqrt(9.81) * t)
    sigma = 0.05
    y = truth + sigma * rng.standard_normal(n)
    observed = coverage(y, truth, sigma, level=level)
    assert abs(observed - level) <= 4 * binomial_standard_error(level, n)


def test_a_too_narrow_interval_is_caught_by_the_same_test():
    rng = np.random.default_rng(6)
    n = 20_000
    y = 0.05 * rng.standard_normal(n)
    observed = coverage(y, np.zeros(n), 0.03, level=0.9)  # the noise under-stated
    assert observed < 0.9 - 4 * binomial_standard_error(0.9, n)


def test_binomial_standard_error_values():
    assert binomial_standard_error(0.9, 100) == pytest.approx(0.03)
    assert binomial_standard_error(0.0, 5) == 0.0


def test_exported_from_the_package():
    for name in (
        "gaussian_kl",
        "gaussian_kl_monte_carlo",
        "MonteCarloEstimate",
        "binomial_standard_error",
    ):
        assert name in physgen.__all__


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: gaussian_kl(0.0, 0.0, 0.0, 1.0), ValueError, "std_q"),
        (lambda: gaussian_kl(0.0, 1.0, 0.0, -1.0), ValueError, "std_p"),
        (lambda: gaussian_kl("a", 1.0, 0.0, 1.0), TypeError, "mean_q"),
        (lambda: gaussian_kl(np.zeros(2), np.ones(3), 0.0, 1.0), ValueError, "broadcast"),
        (lambda: gaussian_kl(np.nan, 1.0, 0.0, 1.0), ValueError, "mean_q"),
        (
            lambda: gaussian_kl_monte_carlo(
                0.0, 1.0, 0.0, 1.0, n_samples=1, rng=np.random.default_rng(0)
            ),
            ValueError,
            "n_samples",
        ),
        (lambda: gaussian_kl_monte_carlo(0.0, 1.0, 0.0, 1.0, rng=0), TypeError, "rng"),
        (
            lambda: gaussian_kl_monte_carlo(
                np.zeros(2), 1.0, 0.0, 1.0, rng=np.random.default_rng(0)
            ),
            ValueError,
            "scalar",
        ),
        (lambda: binomial_standard_error(1.5, 10), ValueError, "fraction"),
        (lambda: binomial_standard_error(0.5, 0), ValueError, "n"),
    ],
)
def test_bad_input_names_the_argument(call, exc, words):
    with pytest.raises(exc, match=words):
        call()
