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
from physgen.nn.gan_training import (
    plateau_step,
    train_by_steps,
    training_fingerprint,
    wgan_losses,
)

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
    steps = 5  # 60 trajectories, batches of 25: two steps per pass, so three passes
    generator, critic, history = page["train_wgan"](data, steps=steps, seed=7)
    run = train_by_steps(gan.ORIGINAL_WGAN, data, steps=steps, seed=7)
    ours, theirs = _weights(generator, critic), _weights(run.gan.generator, run.gan.critic)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)
    assert history.shape == (steps, 2)
    np.testing.assert_allclose(history[:, 0], run.history["critic_loss"], rtol=1e-5,
                               atol=1e-12)
    np.testing.assert_allclose(history[:, 1], run.history["generator_loss"], rtol=1e-5,
                               atol=1e-12)
    # The page's companion settings are the package's preset.
    assert page["CLIP"] == gan.ORIGINAL_WGAN.clip


def _twin_networks(config, n_times, seed=3):
    """Two identical (generator, critic) pairs: the same initial weights."""
    physgen._tf.seed_tensorflow(seed)
    g1, c1 = gan.build_generator(config, n_times), gan.build_critic(config, n_times)
    g2, c2 = gan.build_generator(config, n_times), gan.build_critic(config, n_times)
    g2.set_weights(g1.get_weights())
    c2.set_weights(c1.get_weights())
    return (g1, c1), (g2, c2)


def _gp_step_inputs(config, data, seed=3):
    rng = np.random.default_rng(seed)
    nc, B = config.n_critic, config.batch_size
    real = data[rng.choice(len(data), (nc, B), replace=False)].astype(np.float32)
    z_critic = gan.sample_latent(config, nc * B, rng=rng).reshape(nc, B, -1)
    z_generator = gan.sample_latent(config, B, rng=rng)
    eps = rng.random((nc, B, 1), dtype=np.float32)
    return real, z_critic, z_generator, eps


def _adam():
    return tf_keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9)


def test_page_wgan_gp_step_is_the_packages():
    page = _page_namespace("gradient_penalty", "make_wgan_gp_step")
    data, _ = _pendulums()
    config = gan.WGAN_GP.replace(batch_size=10)
    (g1, c1), (g2, c2) = _twin_networks(config, data.shape[1])
    inputs = _gp_step_inputs(config, data)
    ours = page["make_wgan_gp_step"](g1, c1, _adam(), _adam(), n_critic=config.n_critic)(*inputs)
    theirs = gan.make_train_step(g2, c2, _adam(), _adam(), config)(*inputs)
    np.testing.assert_allclose([float(v) for v in ours], [float(v) for v in theirs], rtol=1e-5)
    for a, b in zip(_weights(g1, c1), _weights(g2, c2)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    assert page["GP_WEIGHT"] == gan.WGAN_GP.gp_weight


def _leaky(a, slope=0.3):
    return np.where(a > 0, a, slope * a)


def _hand_losses(generator, critic, real, z, eps, gp_weight):
    """The WGAN-GP losses in NumPy: forward passes and the critic's input gradient by hand."""
    W1, b1, W2, b2 = (w.astype(float) for w in generator.get_weights())
    V1, c1, V2, c2 = (w.astype(float) for w in critic.get_weights())

    def f(x):
        return (_leaky(x @ V1 + c1) @ V2 + c2)[:, 0]

    def grad_f(x):  # d f / d x = V1 diag(leaky'(x V1 + c1)) V2
        slope = np.where(x @ V1 + c1 > 0, 1.0, 0.3)
        return (slope * V2[:, 0]) @ V1.T

    fake = _leaky(z.astype(float) @ W1 + b1) @ W2 + b2
    critic_loss = f(fake).mean() - f(real.astype(float)).mean()
    mixed = eps * real + (1 - eps) * fake
    penalty = np.mean((np.linalg.norm(grad_f(mixed), axis=1) - 1.0) ** 2)
    return critic_loss, penalty, critic_loss + gp_weight * penalty, -f(fake).mean()


def test_wgan_gp_losses_equal_a_hand_computation_at_fixed_weights():
    """What the step optimises: L_D + lambda P for the critic, L_G for the generator."""
    data, _ = _pendulums()
    config = gan.WGAN_GP.replace(generator_hidden=(8,), generator_batchnorm=False,
                                 critic_hidden=(6,), n_critic=1, batch_size=10)
    (g1, c1), (g2, c2) = _twin_networks(config, data.shape[1])
    real, z_critic, z_generator, eps = _gp_step_inputs(config, data)
    hand = _hand_losses(g1, c1, real[0], z_critic[0], eps[0], config.gp_weight)
    losses = wgan_losses(g1, c1, config, real[0], z_critic[0], eps[0])
    got = [losses[k] for k in ("critic_loss", "gradient_penalty", "critic_objective")]
    np.testing.assert_allclose(got, hand[:3], rtol=1e-5)
    assert losses["generator_loss"] == pytest.approx(hand[3], rel=1e-5)
    # The training step reports the same critic loss and penalty (before its update), and
    # the generator loss at the updated critic: L_G = -mean f_new(G(z_generator)).
    step = gan.make_train_step(g2, c2, _adam(), _adam(), config)
    critic_loss, generator_loss, penalty = (float(v) for v in step(real, z_critic,
                                                                     z_generator, eps))
    assert [critic_loss, penalty] == pytest.approx(hand[:2], rel=1e-5)
    g_before = gan.build_generator(config, data.shape[1])
    g_before.set_weights(g1.get_weights())     # the generator before its own update
    after = _hand_losses(g_before, c2, real[0], z_generator, eps[0], config.gp_weight)
    assert generator_loss == pytest.approx(after[3], rel=1e-5)


def test_train_by_steps_is_train_gan_for_whole_epochs():
    data, _ = _pendulums()
    config = gan.WGAN_GP.replace(epochs=2, batch_size=10, n_critic=2)
    by_epochs = gan.train_gan(config, data, seed=4)
    by_steps = train_by_steps(config, data, steps=by_epochs.steps, seed=4)
    assert by_steps.gan.steps == by_epochs.steps == 2 * (60 // 20)
    for a, b in zip(_weights(by_epochs.generator), _weights(by_steps.gan.generator)):
        np.testing.assert_array_equal(a, b)
    per_epoch = by_steps.history["critic_loss"].reshape(2, -1).mean(axis=1)
    np.testing.assert_allclose(per_epoch, by_epochs.history["critic_loss"], rtol=1e-5)


def test_judging_at_checkpoints_records_quality_and_leaves_training_alone():
    data, _ = _pendulums()
    config = gan.WGAN_GP.replace(batch_size=10, n_critic=1)
    seen = []

    def judge(g, step):
        seen.append((step, g.steps, len(g.history["critic_loss"])))
        return {"spread": float(g.sample(20, rng=0).std())}

    judged = train_by_steps(config, data, steps=7, seed=5, checkpoints=(3, 7), judge=judge)
    plain = train_by_steps(config, data, steps=7, seed=5)
    assert seen == [(3, 3, 3), (7, 7, 7)]
    np.testing.assert_array_equal(judged.checkpoint_steps, [3, 7])
    assert judged.quality["spread"].shape == (2,)
    assert judged.history["critic_loss"].shape == (7,)
    for a, b in zip(_weights(judged.gan.generator), _weights(plain.gan.generator)):
        np.testing.assert_array_equal(a, b)
    assert judged.smoothed("critic_loss", 3).shape == (5,)


def test_judging_time_is_the_judges_alone():
    """judge_seconds adds up the judge's own time at each checkpoint, and the training
    time leaves it out."""
    import time

    data, _ = _pendulums()
    config = gan.WGAN_GP.replace(batch_size=10, n_critic=1)

    def judge(g, step):
        time.sleep(0.3)
        return {"step": float(step)}

    run = train_by_steps(config, data, steps=6, seed=5, checkpoints=(2, 4, 6), judge=judge)
    assert 0.9 <= run.judge_seconds < 0.9 + 0.5 * 3
    assert run.gan.seconds < run.judge_seconds + 60


def test_bad_steps_and_checkpoints_are_named():
    data, _ = _pendulums()
    with pytest.raises(ValueError, match="steps"):
        train_by_steps(gan.WGAN_GP, data, steps=0)
    with pytest.raises(ValueError, match="checkpoints"):
        train_by_steps(gan.WGAN_GP.replace(batch_size=10), data, steps=3, checkpoints=(5,),
                       judge=lambda g, s: {})
    with pytest.raises(ValueError, match="judge"):
        train_by_steps(gan.WGAN_GP.replace(batch_size=10), data, steps=3, checkpoints=(2,))


def test_plateau_step_finds_where_improvement_stops():
    assert plateau_step([1, 2, 4, 8], [0.5, 0.2, 0.11, 0.10]) == 4
    assert plateau_step([1, 2, 4], [0.5, 0.3, 0.1]) == 4          # still improving
    assert plateau_step([1, 2], [0.6, 0.9], lower_is_better=False) == 2
    with pytest.raises(ValueError, match="values"):
        plateau_step([1, 2], [0.1])


def test_training_fingerprint_sees_data_conditions_and_settings():
    data, lengths = _pendulums()
    base = training_fingerprint(data, gan.WGAN_GP)
    assert base == training_fingerprint(data.copy(), gan.WGAN_GP)
    changed = data.copy()
    changed[0, 0] += 1e-12
    assert training_fingerprint(changed, gan.WGAN_GP) != base
    assert training_fingerprint(data, gan.WGAN_GP.replace(n_critic=4)) != base
    assert training_fingerprint(data, gan.WGAN_GP, lengths) != base


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


def test_committed_clean_results_come_from_the_benchmarks_data_and_settings():
    """The chapter reads benchmarks/gan_clean.py's results from the package: each one's
    fingerprint is that of the clean main line's training set and physgen.gan.WGAN_GP."""
    import importlib.util
    import json
    from importlib.resources import files

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "gan_clean.py"
    spec = importlib.util.spec_from_file_location("gan_clean", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    line = physgen.clean_line()
    split, params, train_i = line.split, line.pendulums, line.split.index[0]
    conditions = {"wgan_gp": None,
                  "cgan": np.column_stack([params.length[train_i], params.g[train_i]])}
    records = sorted(files("physgen.nn.gan_results").glob("gan_clean_*.json"))
    assert {json.loads(r.read_text())["model"] for r in records} == set(conditions)
    for record_file in records:
        record = json.loads(record_file.read_text())
        expected = training_fingerprint(split.train, gan.WGAN_GP, conditions[record["model"]])
        assert record["fingerprint"] == expected, record_file.name
        samples = np.load(record_file.with_suffix(".npz"))["samples"]
        assert samples.shape == (bench.N_JUDGE, split.train.shape[1])
