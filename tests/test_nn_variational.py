"""Variational training records what it learns, and Adam bounds how far a spread can move.

Chapter 3 plots the loss, its KL part and the posterior spreads per epoch
(``FitResult.history``), and explains the first edition's spreads by the largest
distance Adam can move a parameter: about one learning rate per step.
"""

import math

import numpy as np
import pytest

from physgen import GrowingNoise, PendulumPrior, make_dataset

# These tests train networks: `make unit` leaves them out (-m "not slow").
pytestmark = pytest.mark.slow

nn = pytest.importorskip("physgen.nn", reason="needs TensorFlow")

T = np.arange(0, 200) * 0.015


@pytest.fixture(scope="module")
def data():
    prior = PendulumPrior(length=(1.0, 2.0), g=10.0, theta0=(0.5, 1.5), omega0=(0.5, 1.5))
    return make_dataset(prior, n=10, t=T, noise=GrowingNoise(0.1), rng=0)


def _kernel_stds(result):
    return np.concatenate([s.ravel() for _, s, _ in result.network.layers])


def test_history_records_the_kl_term_and_the_spreads(data):
    cfg = nn.BAYESIAN.replace(hidden=(8, 8), epochs=3, batch_size=256)
    result = nn.train(cfg, data, seed=0)
    h = result.history
    for key in ("kl", "spread_q10", "spread_median", "spread_q90"):
        assert len(h[key]) == result.epochs_run == 3
    # the last record is the final network: closed-form KL(q || N(0, 1)) / N ...
    kl = 0.0
    for w, s, _ in result.network.layers:
        kl += np.sum(np.log(cfg.prior_scale / s) + (s**2 + w**2) / (2 * cfg.prior_scale**2) - 0.5)
    assert h["kl"][-1] == pytest.approx(kl / data.n_rows, rel=1e-3)
    # ... and the quantiles of its kernels' standard deviations
    q10, q50, q90 = np.quantile(_kernel_stds(result), [0.1, 0.5, 0.9])
    assert (h["spread_q10"][-1], h["spread_median"][-1], h["spread_q90"][-1]) == pytest.approx(
        (q10, q50, q90), rel=1e-4)
    assert h["spread_q10"][-1] <= h["spread_median"][-1] <= h["spread_q90"][-1]
    # networks with fixed weights have no such records
    plain = nn.train(nn.ALEATORIC.replace(hidden=(8,), epochs=1), data, seed=0)
    assert "kl" not in plain.history and "spread_median" not in plain.history


def test_adam_moves_each_spread_by_at_most_one_learning_rate_per_step(data):
    """Started tiny, every spread is pushed up by the KL term as fast as Adam allows.

    rho = softplus^-1(s) rises by about lr per step, so after k steps at a constant
    rate s <= softplus(softplus^-1(s0) + k lr): the ceiling that capped the first
    edition's network at 2e-3. "About": Adam's step is lr * m_hat / sqrt(v_hat), whose
    size exceeds lr a little when the gradient's magnitude varies from batch to batch
    (Kingma & Ba 2015, section 2.1), so the ceiling holds to 1 %, not exactly.
    """
    s0, lr, epochs = 1e-3, 1e-2, 4
    cfg = nn.BAYESIAN.replace(hidden=(8, 8), epochs=epochs, batch_size=256, learning_rate=lr,
                              schedule="constant", posterior_scale_init=s0)
    result = nn.train(cfg, data, seed=1)
    steps = epochs * math.ceil(data.n_rows / cfg.batch_size)
    ceiling = math.log1p(math.exp(math.log(math.expm1(s0)) + steps * lr))
    stds = _kernel_stds(result)
    assert stds.max() <= ceiling * 1.01
    assert np.median(stds) > 0.95 * ceiling  # almost every spread rides the ceiling
    assert ceiling > 1.1 * s0  # and the ceiling did move
