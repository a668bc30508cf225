"""Probabilistic networks: shapes, validation, coherent sampling, seeds, variance split.

Networks here are tiny and trained for a few epochs: these tests check what the
code does with the weights (sampling, decomposition, KL scaling, seeding), plus
one behaviour of training that must hold (NLL learns a noise that grows with t).
"""

import numpy as np
import pytest

# These tests train networks: `make unit` leaves them out (-m "not slow").
pytestmark = pytest.mark.slow

from physgen import FEATURES, GrowingNoise, PendulumPrior, make_dataset

pr = pytest.importorskip("physgen.probabilistic", reason="needs TensorFlow")  # TF is pinned

T = np.arange(0, 300) * 0.01  # 3 s


@pytest.fixture(scope="module")
def data():
    prior = PendulumPrior(length=(1.0, 2.0), g=10.0, theta0=(0.5, 1.5), omega0=(0.5, 1.5))
    return make_dataset(prior, n=24, t=T, noise=GrowingNoise(0.1), rng=0)


SMALL = dict(hidden_units=(16, 16), epochs=3, batch_size=512)


@pytest.fixture(scope="module")
def bnn(data):
    return pr.train(pr.BAYESIAN.replace(**SMALL), data.features, data.target, seed=1)


@pytest.fixture(scope="module")
def aleatoric(data):
    return pr.train(pr.ALEATORIC.replace(**SMALL), data.features, data.target, seed=1)


# --------------------------------------------------------------------------- config
@pytest.mark.parametrize("change, match", [
    (dict(hidden_units=()), "hidden_units"),
    (dict(hidden_units=(8, 0)), "hidden_units"),
    (dict(activation="sigmoid"), "activation"),
    (dict(noise="student"), "noise"),
    (dict(features=("theta0", "speed")), "features"),
    (dict(prior_scale=0.0), "prior_scale"),
    (dict(posterior_scale_init=-1e-3), "posterior_scale_init"),
    (dict(kl_weight=-1.0), "kl_weight"),
    (dict(epochs=0), "epochs"),
    (dict(bayesian=True, loss="mse"), "loss='mse'"),
    (dict(nll_beta=1.5), "nll_beta"),
])
def test_config_rejects_bad_values_with_a_hint(change, match):
    with pytest.raises(ValueError, match=match):
        pr.ALEATORIC.replace(**change)


def test_config_type_errors_and_presets():
    with pytest.raises(TypeError, match="epochs"):
        pr.ProbabilisticConfig(epochs=2.5)
    with pytest.raises(TypeError, match="bayesian"):
        pr.ProbabilisticConfig(bayesian="yes")
    assert pr.ORIGINAL_FIXED.loss == pr.ORIGINAL_SOFTPLUS.loss == "mse"
    assert pr.ORIGINAL_FIXED.features == FEATURES and pr.ORIGINAL_FIXED.hidden_units == (20,) * 3
    assert pr.BAYESIAN.bayesian and pr.BAYESIAN.noise == "heteroscedastic"
    assert not pr.ALEATORIC.bayesian
    with pytest.raises(AttributeError):
        pr.BAYESIAN.epochs = 3  # frozen


def test_train_rejects_bad_data(data):
    with pytest.raises(ValueError, match="target must have shape"):
        pr.train(pr.ALEATORIC.replace(**SMALL), data.features, data.target[:-1])
    with pytest.raises(ValueError, match=r"\(\.\.\., 6\)"):
        pr.train(pr.ALEATORIC.replace(**SMALL), data.features[:, :5], data.target)
    bad = np.array(data.target)
    bad[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        pr.train(pr.ALEATORIC.replace(**SMALL), data.features, bad)
    with pytest.raises(TypeError, match="ProbabilisticConfig"):
        pr.train({"epochs": 1}, data.features, data.target)


# --------------------------------------------------------------------------- shapes
def test_prediction_and_sample_shapes(bnn, data):
    rows = data.features[:40]
    pred = bnn.predict(rows, n_samples=20, rng=0)
    for arr in (pred.mean, pred.aleatoric_std, pred.epistemic_std, pred.std):
        assert arr.shape == (40,)
    assert np.all(pred.epistemic_std > 0) and np.all(pred.aleatoric_std > 0)
    one = pr.trajectory_features(1.0, 1.0, T, length=1.5, g=10.0)
    assert one.shape == (T.size, 6)
    assert bnn.sample_trajectories(one, n_samples=4, rng=0).shape == (4, T.size)
    batch = np.stack([one, pr.trajectory_features(0.5, 0.5, T, length=1.0)])
    assert pr.sample_trajectories(bnn, batch, n_samples=3, rng=0).shape == (3, 2, T.size)


@pytest.mark.parametrize("n", [0, -2])
def test_n_samples_below_one_is_rejected(bnn, aleatoric, data, n):
    rows = data.features[:5]
    for call in (lambda: bnn.predict(rows, n_samples=n),
                 lambda: pr.sample_trajectories(bnn, rows, n_samples=n),
                 lambda: pr.sample_trajectories(aleatoric, rows, n_samples=n),
                 lambda: pr.variance_decomposition(bnn, rows, n_samples=n)):
        with pytest.raises(ValueError, match="n_samples must be >= 1"):
            call()


def test_wrong_feature_shapes_are_rejected(bnn):
    with pytest.raises(ValueError, match="shape"):
        bnn.predict(np.zeros((5, 4)))
    with pytest.raises(ValueError, match="shape"):
        pr.sample_trajectories(bnn, np.zeros((2, 3, 4, 6)))
    with pytest.raises(TypeError, match="model"):
        pr.sample_trajectories("net", np.zeros((5, 6)))


# --------------------------------------------------------------------------- sampling
def test_one_weight_draw_per_sampled_trajectory(bnn):
    """Sample s of every trajectory, and of every time step, comes from one network."""
    a = pr.trajectory_features(1.0, 1.0, T, length=1.5, g=10.0)
    b = pr.trajectory_features(0.6, 1.2, T, length=1.2, g=10.0)
    both = pr.sample_trajectories(bnn, np.stack([a, b]), n_samples=6, rng=7,
                                  observation_noise=False)
    only_a = pr.sample_trajectories(bnn, a, n_samples=6, rng=7, observation_noise=False)
    only_b_first_half = pr.sample_trajectories(bnn, b[:150], n_samples=6, rng=7,
                                               observation_noise=False)
    # (float32 forward passes: equal up to rounding; independent draws differ by ~1e-3)
    np.testing.assert_allclose(both[:, 0], only_a, rtol=0, atol=1e-6)
    np.testing.assert_allclose(both[:, 1, :150], only_b_first_half, rtol=0, atol=1e-6)
    # a coherent curve: each sample's deviation from the mean moves smoothly in time
    # (independent draws per step would make neighbouring deviations uncorrelated)
    dev = only_a - only_a.mean(axis=0)
    assert np.corrcoef(dev[:, :-1].ravel(), dev[:, 1:].ravel())[0, 1] > 0.98


def test_observation_noise_is_added_per_step_with_the_predicted_scale(bnn):
    x = pr.trajectory_features(1.0, 1.0, T, length=1.5, g=10.0)
    rng_a, rng_b = np.random.default_rng(3), np.random.default_rng(3)
    means = pr.sample_trajectories(bnn, x, n_samples=200, rng=rng_a, observation_noise=False)
    noisy = pr.sample_trajectories(bnn, x, n_samples=200, rng=rng_b, observation_noise=True)
    _, scale = bnn.draw_outputs(x, n_samples=200, rng=3)
    z = (noisy - means) / scale
    assert abs(z.mean()) < 0.02 and z.std() == pytest.approx(1.0, abs=0.02)
    # independent across steps (unlike the weight draw)
    assert abs(np.corrcoef(z[:, :-1].ravel(), z[:, 1:].ravel())[0, 1]) < 0.02


def test_sampling_is_reproducible_with_a_seed(bnn, data):
    x = data.features[:100]
    s1 = pr.sample_trajectories(bnn, x, n_samples=5, rng=11)
    s2 = pr.sample_trajectories(bnn, x, n_samples=5, rng=np.random.default_rng(11))
    s3 = pr.sample_trajectories(bnn, x, n_samples=5, rng=12)
    assert np.array_equal(s1, s2) and not np.allclose(s1, s3)


def test_fixed_weight_models_have_no_epistemic_part(aleatoric, data):
    x = data.features[:100]
    pred = aleatoric.predict(x)
    assert np.all(pred.epistemic_std == 0)
    draws = pr.sample_trajectories(aleatoric, x, n_samples=3, rng=0, observation_noise=False)
    assert np.allclose(draws, pred.mean)


# --------------------------------------------------------------------------- training
def test_training_is_deterministic_with_a_seed(data):
    cfg = pr.BAYESIAN.replace(hidden_units=(8,), epochs=2, batch_size=1024)
    x = data.features[:3000]
    y = data.target[:3000]
    m1, m2 = pr.train(cfg, x, y, seed=5), pr.train(cfg, x, y, seed=5)
    p1, p2 = (m.predict(x[:50], n_samples=10, rng=0) for m in (m1, m2))
    assert np.array_equal(p1.mean, p2.mean) and np.array_equal(p1.std, p2.std)
    # (a different seed gives a different network: see test_ensemble_decomposition)


def test_kl_term_is_scaled_by_one_over_n(bnn, data):
    """The Keras loss carries KL(q || p) / N: the negative ELBO per training row."""
    kl = 0.0
    for w, std, _ in bnn._net.layers:
        prior = pr.BAYESIAN.prior_scale
        kl += np.sum(np.log(prior / std) + (std**2 + w**2) / (2 * prior**2) - 0.5)
    bnn.keras_model(np.zeros((1, len(bnn.config.features)), np.float32))
    keras_kl = float(sum(float(v) for v in bnn.keras_model.losses))
    assert keras_kl == pytest.approx(kl / data.n_rows, rel=1e-3)


def test_nll_training_learns_noise_that_grows_with_time():
    """With sigma = 0.1 t, NLL training recovers sigma(t) (one pendulum, many noisy runs)."""
    one = PendulumPrior(length=1.5, g=10.0, theta0=1.0, omega0=1.0)
    runs = make_dataset(one, n=30, t=T, noise=GrowingNoise(0.1), rng=4)
    cfg = pr.ALEATORIC.replace(hidden_units=(32, 32), activation="silu", epochs=30,
                               batch_size=256, learning_rate=1e-2)
    model = pr.train(cfg, runs.features, runs.target, seed=0)
    times = np.array([0.3, 1.5, 2.7])
    sigma = model.predict(pr.trajectory_features(1.0, 1.0, times, length=1.5, g=10.0))
    np.testing.assert_allclose(sigma.aleatoric_std, 0.1 * times, rtol=0.3)


# --------------------------------------------------------------------------- variance split
def test_law_of_total_variance_adds_up(bnn, data):
    x = data.features[::37]
    dec = pr.variance_decomposition(bnn, x, n_samples=400, rng=0)
    np.testing.assert_allclose(dec.total, dec.aleatoric + dec.epistemic, rtol=1e-12)
    assert np.all(dec.epistemic > 0)
    # the decomposition is the variance of sampled observations
    rows = x[:3]
    draws = pr.sample_trajectories(bnn, rows, n_samples=40_000, rng=1)
    dec3 = pr.variance_decomposition(bnn, rows, n_samples=40_000, rng=2)
    np.testing.assert_allclose(draws.var(axis=0), dec3.total, rtol=0.05)
    np.testing.assert_allclose(draws.mean(axis=0), dec3.mean, atol=0.02)
    pred = bnn.predict(x, n_samples=400, rng=0)
    np.testing.assert_allclose(pred.std**2, dec.total)


def test_ensemble_decomposition(aleatoric, data):
    x = data.features[:60]
    same = pr.Ensemble([aleatoric, aleatoric])
    dec = pr.variance_decomposition(same, x)
    assert np.all(dec.epistemic == 0)
    np.testing.assert_allclose(dec.aleatoric, aleatoric.predict(x).aleatoric_std ** 2)
    other = pr.train(pr.ALEATORIC.replace(**SMALL), data.features, data.target, seed=2)
    ens = pr.Ensemble([aleatoric, other])
    dec2 = pr.variance_decomposition(ens, x)
    assert not np.allclose(aleatoric.predict(x).mean, other.predict(x).mean)  # seed 1 vs 2
    half_gap = 0.5 * (aleatoric.predict(x).mean - other.predict(x).mean)
    np.testing.assert_allclose(dec2.epistemic, half_gap**2, rtol=1e-10, atol=1e-15)
    samples = ens.sample_trajectories(x, n_samples=4, rng=0, observation_noise=False)
    for s in samples:  # each sample is one member's curve
        assert np.allclose(s, aleatoric.predict(x).mean) or np.allclose(s, other.predict(x).mean)
    with pytest.raises(ValueError, match="n_members"):
        pr.train_ensemble(pr.ALEATORIC.replace(**SMALL), data.features, data.target,
                          n_members=1)


def test_init_from_copies_the_weights_into_the_posterior_means(aleatoric, data):
    cfg = pr.BAYESIAN.replace(**SMALL).replace(epochs=1, learning_rate=1e-7)
    bnn0 = pr.train(cfg, data.features, data.target, seed=3, init_from=aleatoric)
    for (w_b, std, b_b), (w_a, _, b_a) in zip(bnn0._net.layers, aleatoric._net.layers):
        np.testing.assert_allclose(w_b, w_a, atol=1e-4)
        np.testing.assert_allclose(b_b, b_a, atol=1e-4)
        assert std is not None and np.allclose(std, cfg.posterior_scale_init, rtol=0.01)
    np.testing.assert_allclose(bnn0.predict(data.features[:20], n_samples=50, rng=0).mean,
                               aleatoric.predict(data.features[:20]).mean, atol=0.02)
    with pytest.raises(ValueError, match="same hidden_units"):
        pr.train(pr.BAYESIAN.replace(hidden_units=(8,), epochs=1), data.features, data.target,
                 init_from=aleatoric)
