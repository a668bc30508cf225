"""physgen.gan: the chapter's WGAN code and the package agree; settings are validated;
training is reproducible; clipping and the gradient penalty do what they claim."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import physgen
from physgen import gan
from physgen._tf import tf, tf_keras

# These tests train networks: `make unit` leaves them out (-m "not slow").
pytestmark = pytest.mark.slow

CHAPTER = Path(__file__).resolve().parents[1] / "book" / "05-gan.md"


def _pendulums(n=60, n_times=20, seed=0):
    prior = physgen.PendulumPrior(length=(1.0, 2.0), g=10.0, theta0=(0.5, 1.5),
                                  omega0=(0.5, 1.5))
    traj = physgen.generate(prior, n, np.linspace(0.0, 4.75, n_times), rng=seed)
    return traj.theta, traj.length


def _page_namespace(*names):
    """Execute the chapter's code cells that define ``names``; return their namespace."""
    text = CHAPTER.read_text(encoding="utf-8")
    cells = re.findall(r"```\{code-cell\} ipython3\n(.*?)```", text, flags=re.S)
    wanted = [c for c in cells if any(re.search(rf"^def {n}\(", c, flags=re.M) for n in names)]
    found = {n for n in names for c in wanted if re.search(rf"^def {n}\(", c, flags=re.M)}
    assert found == set(names), f"the chapter no longer defines {set(names) - found}"
    namespace = {"np": np, "tf": tf, "tf_keras": tf_keras, "layers": tf_keras.layers,
                 "seed_tensorflow": physgen._tf.seed_tensorflow}
    for cell in wanted:
        exec(compile(cell, str(CHAPTER), "exec"), namespace)  # noqa: S102 - the course's own page
    return namespace


def _weights(*models):
    return [w for m in models for w in m.get_weights()]


def test_page_wgan_and_package_end_with_identical_weights():
    page = _page_namespace("make_generator", "make_critic", "make_wgan_step", "train_wgan")
    data, _ = _pendulums()
    generator, critic, history = page["train_wgan"](data, epochs=2, seed=7)
    result = gan.train_gan(gan.ORIGINAL_WGAN.replace(epochs=2), data, seed=7)
    ours, theirs = _weights(generator, critic), _weights(result.generator, result.critic)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(history[:, 0], result.history["critic_loss"], rtol=1e-5,
                               atol=1e-12)
    # The page's companion settings are the package's preset.
    assert page["CLIP"] == gan.ORIGINAL_WGAN.clip


def test_page_gradient_penalty_is_the_packages():
    page = _page_namespace("gradient_penalty")
    data, _ = _pendulums()
    config = gan.WGAN_GP.replace(n_critic=1, epochs=1)
    physgen._tf.seed_tensorflow(3)
    generator = gan.build_generator(config, data.shape[1])
    critic = gan.build_critic(config, data.shape[1])
    rng = np.random.default_rng(3)
    real = data[:25].astype(np.float32)
    z = gan.sample_latent(config, 25, rng=rng)
    eps = rng.random((25, 1), dtype=np.float32)
    fake = generator(z, training=True)
    expected = float(page["gradient_penalty"](critic, tf.constant(real), fake, tf.constant(eps)))
    step = gan.make_train_step(generator, critic, tf_keras.optimizers.Adam(1e-4),
                               tf_keras.optimizers.Adam(1e-4), config)
    _, _, penalty = step(real[None], z[None], z, eps[None])
    assert float(penalty) == pytest.approx(expected, rel=1e-5)


def test_training_is_reproducible_and_depends_on_the_seed():
    data, _ = _pendulums()
    config = gan.WGAN_GP.replace(epochs=1, batch_size=10, n_critic=2)
    a = gan.train_gan(config, data, seed=1)
    b = gan.train_gan(config, data, seed=1)
    c = gan.train_gan(config, data, seed=2)
    for u, v in zip(_weights(a.generator), _weights(b.generator)):
        np.testing.assert_array_equal(u, v)
    assert any(not np.array_equal(u, v) for u, v in zip(_weights(a.generator),
                                                         _weights(c.generator)))
    np.testing.assert_array_equal(a.sample(5, rng=0), b.sample(5, rng=0))


@pytest.fixture(scope="module")
def clipped():
    """The companion's WGAN with clipping at 0.01, three epochs (shared by several tests)."""
    data, _ = _pendulums()
    return gan.train_gan(gan.ORIGINAL_WGAN.replace(epochs=3, clip=0.01), data, seed=0), data


def test_clipping_keeps_every_critic_weight_within_the_bound(clipped):
    result, _ = clipped
    weights = np.concatenate([w.ravel() for w in _weights(result.critic)])
    assert np.abs(weights).max() <= 0.01 + 1e-9
    assert np.mean(np.isclose(np.abs(weights), 0.01)) > 0.05  # the bound is active


def test_gradient_penalty_pulls_critic_slopes_towards_one(clipped):
    """A critic trained with the penalty has gradient norms near 1 between real and
    generated trajectories; a clipped one has tiny ones."""
    data, _ = _pendulums()
    gp = gan.train_gan(gan.WGAN_GP.replace(epochs=30, batch_size=10, learning_rate=1e-3),
                       data, seed=0)

    def norms(result):
        fake = result.sample(50, rng=1).astype(np.float32)
        eps = np.random.default_rng(2).random((50, 1)).astype(np.float32)
        mixed = tf.constant(eps * data[:50].astype(np.float32) + (1 - eps) * fake)
        with tf.GradientTape() as tape:
            tape.watch(mixed)
            score = result.critic(mixed, training=False)
        return tf.norm(tape.gradient(score, mixed), axis=1).numpy()

    assert 0.5 < np.median(norms(gp)) < 1.5
    assert np.median(norms(clipped[0])) < 1e-2


def test_conditional_gan_takes_and_requires_conditions():
    data, lengths = _pendulums()
    result = gan.train_gan(gan.WGAN_GP.replace(epochs=1, batch_size=10), data,
                           conditions=lengths, seed=0)
    assert result.n_conditions == 1
    x = result.sample(4, conditions=np.full(4, 1.5), rng=0)
    assert x.shape == (4, data.shape[1])
    with pytest.raises(ValueError, match="conditions"):
        result.sample(4, rng=0)
    with pytest.raises(ValueError, match="conditions"):
        gan.train_gan(gan.WGAN_GP.replace(epochs=1), data, conditions=lengths[:-1])


def test_sampling_modes_and_parameter_count(clipped):
    result, data = clipped
    off = result.sample(30, rng=0)
    again = result.sample(30, rng=0)
    on = result.sample(30, rng=0, training=True)
    np.testing.assert_array_equal(off, again)
    assert not np.allclose(off, on)  # dropout and batch statistics change the samples
    # 4 -> 50 -> 100 -> 250 -> T dense layers, plus batch-norm scales and offsets.
    dense = 4 * 50 + 50 + 50 * 100 + 100 + 100 * 250 + 250 + 250 * data.shape[1] + data.shape[1]
    assert result.n_parameters == dense + 2 * (50 + 100 + 250)
    assert result.critic_scores(data[:3]).shape == (3,)


@pytest.mark.parametrize("changes, match", [
    (dict(n_critic=0), "n_critic"),
    (dict(clip=-1e-3), "clip"),
    (dict(latent="cauchy"), "latent"),
    (dict(optimizer="sgd"), "optimizer"),
    (dict(generator_hidden=()), "generator_hidden"),
    (dict(generator_dropout=1.0), "generator_dropout"),
    (dict(learning_rate=0.0), "learning_rate"),
    (dict(beta_2=1.0), "beta_2"),
    (dict(batch_size=0), "batch_size"),
    (dict(penalty="spectral"), "penalty"),
])
def test_bad_settings_are_named(changes, match):
    with pytest.raises(ValueError, match=match):
        gan.GANConfig(**changes)


@pytest.mark.parametrize("changes, match", [
    (dict(batch_size=2.5), "batch_size"),
    (dict(generator_batchnorm="yes"), "generator_batchnorm"),
    (dict(latent=1), "latent"),
])
def test_settings_of_the_wrong_type_are_named(changes, match):
    with pytest.raises(TypeError, match=match):
        gan.GANConfig(**changes)


def test_bad_data_is_named():
    data, _ = _pendulums()
    with pytest.raises(ValueError, match="data"):
        gan.train_gan(gan.ORIGINAL_WGAN, data[0])
    bad = data.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN/inf"):
        gan.train_gan(gan.ORIGINAL_WGAN, bad)
    with pytest.raises(ValueError, match="fewer than one generator step"):
        gan.train_gan(gan.WGAN_GP, data[:20])
    with pytest.raises(TypeError, match="GANConfig"):
        gan.train_gan({"epochs": 1}, data)
