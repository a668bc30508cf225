"""Tests of physgen.vae: what the VAE optimises, and that the chapter's VAE and the package's are one.

The chapter (book/04-vae.md) writes the VAE on the page, in a code cell tagged
``vae-model``. One test executes that cell, builds and trains both models from
the same seed, and requires identical outputs. Others compute the training loss
by hand, at fixed weights, from the networks' outputs (Gaussian log-densities and
the KL of two Gaussians in NumPy) and require the loss the model trains on to
equal it: NLL + β·KL with one KL term.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from physgen import nn, vae

# These tests train networks: `make unit` leaves them out (-m "not slow").
pytestmark = pytest.mark.slow

CHAPTER = Path(__file__).resolve().parents[1] / "book" / "04-vae.md"
LOG_2PI = np.log(2.0 * np.pi)


def page_cell(tag: str) -> str:
    """Source of the chapter's code cell carrying ``tag``."""
    text = CHAPTER.read_text(encoding="utf-8")
    for match in re.finditer(r"```\{code-cell\} ipython3\n(.*?)```", text, flags=re.S):
        body = match.group(1)
        if re.match(rf":tags: \[[^\]]*\b{re.escape(tag)}\b", body):
            return body.split("\n", 1)[1]
    raise AssertionError(f"no code cell tagged {tag!r} in {CHAPTER.name}")


@pytest.fixture(scope="module")
def make_vae():
    namespace: dict = {"vae": vae}
    exec(compile(page_cell("vae-model"), str(CHAPTER), "exec"), namespace)
    return namespace["make_vae"]


def outputs(encoder, decoder, x, z):
    q = encoder(x, training=False)
    p = decoder(z, training=False)
    return [np.asarray(a) for a in (q.mean(), q.covariance(), p.mean(), p.stddev())]


@pytest.mark.parametrize(
    "changes",
    [
        {"kl_weight": 20.0, "kl_estimate": "sample", "dropout": 0.5},
        {"kl_weight": 1.0, "kl_estimate": "analytic", "dropout": 0.0},
    ],
)
def test_page_and_package_give_identical_models(make_vae, changes):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 30)).astype(np.float32)
    z = rng.normal(size=(5, 6)).astype(np.float32)
    config = vae.VAEConfig(epochs=3, hidden_units=(32, 16, 8), **changes)

    nn.seed(7)
    encoder, decoder, model = make_vae(30, hidden=(32, 16, 8), **changes)
    history = model.fit(x, batch_size=64, epochs=3, shuffle=True, verbose=0)
    page = outputs(encoder, decoder, x[:4], z)

    trained = vae.train_vae(config, x, seed=7)
    package = outputs(trained.encoder, trained.decoder, x[:4], z)
    for a, b in zip(page, package):
        np.testing.assert_array_equal(a, b)
    for key in ("loss", "nll", "kl"):
        np.testing.assert_array_equal(history.history[key], trained.history[key])
    assert trained.epochs_run == 3 and trained.n_times == 30


def hand_loss(encoder, decoder, x, eps, kl_weight, kl_estimate):
    """NLL + kl_weight * KL, batch means, from the networks' outputs (training mode) in NumPy."""
    q = encoder(x, training=True)
    mu = np.asarray(q.mean(), dtype=float)
    L = np.asarray(q.scale.to_dense(), dtype=float)
    z = mu + np.einsum("nij,nj->ni", L, eps)
    p = decoder(z.astype(np.float32), training=True)
    m, s = np.asarray(p.mean(), dtype=float), np.asarray(p.stddev(), dtype=float)
    nll = 0.5 * np.sum(((x - m) / s) ** 2 + 2 * np.log(s) + LOG_2PI, axis=1)
    d = mu.shape[1]
    log_diag = np.log(np.abs(np.einsum("nii->ni", L)))
    if kl_estimate == "analytic":
        trace = np.einsum("nij,nij->n", L, L)
        kl = 0.5 * (trace + np.sum(mu**2, axis=1) - d - 2 * log_diag.sum(axis=1))
    else:
        log_q = -0.5 * d * LOG_2PI - log_diag.sum(axis=1) - 0.5 * np.sum(eps**2, axis=1)
        log_p = -0.5 * d * LOG_2PI - 0.5 * np.sum(z**2, axis=1)
        kl = log_q - log_p
    return nll.mean() + kl_weight * kl.mean(), nll.mean(), kl.mean()


def fresh_model(kl_weight, kl_estimate, *, seed=3, n_times=12):
    config = vae.VAEConfig(
        hidden_units=(16, 8),
        latent_dim=3,
        dropout=0.0,
        kl_weight=kl_weight,
        kl_estimate=kl_estimate,
    )
    nn.seed(seed)
    return vae.build_vae(config, n_times)


@pytest.mark.parametrize(
    "kl_weight, kl_estimate",
    [(1.0, "analytic"), (0.5, "sample"), (7.0, "analytic"), (20.0, "sample")],
)
def test_training_loss_is_nll_plus_beta_kl_by_hand(kl_weight, kl_estimate):
    rng = np.random.default_rng(11)
    x = rng.normal(size=(32, 12)).astype(np.float32)
    eps = rng.standard_normal((32, 3))
    encoder, decoder, model = fresh_model(kl_weight, kl_estimate)
    loss, nll, kl = hand_loss(encoder, decoder, x, eps, kl_weight, kl_estimate)
    logs = model.step(x, eps.astype(np.float32))  # the step train_step takes
    assert float(logs["loss"]) == pytest.approx(loss, rel=1e-5)
    assert float(logs["nll"]) == pytest.approx(nll, rel=1e-5)
    assert float(logs["kl"]) == pytest.approx(kl, rel=1e-5, abs=1e-6)
    assert kl > 0.01  # the KL term is not vanishing, so the comparison can fail


def test_fit_reports_the_loss_it_trains_on():
    # One batch per epoch: the epoch's loss is exactly its NLL plus beta times its KL.
    x = np.random.default_rng(4).normal(size=(32, 12)).astype(np.float32)
    _, _, model = fresh_model(3.0, "analytic")
    h = model.fit(x, batch_size=32, epochs=4, verbose=0).history
    np.testing.assert_allclose(h["loss"], np.add(h["nll"], np.multiply(3.0, h["kl"])), rtol=1e-6)


def test_beta_reaches_the_model():
    # At the same weights and latent noise, beta 7 instead of 0.5 adds 6.5 KL to the loss.
    rng = np.random.default_rng(12)
    x = rng.normal(size=(32, 12)).astype(np.float32)
    eps = rng.standard_normal((32, 3)).astype(np.float32)
    low = fresh_model(0.5, "sample")[2].step(x, eps)
    high = fresh_model(7.0, "sample")[2].step(x, eps)
    assert float(low["kl"]) == pytest.approx(float(high["kl"]), rel=1e-6)
    gap = float(high["loss"]) - float(low["loss"])
    assert gap == pytest.approx(6.5 * float(low["kl"]), rel=1e-5)


def test_the_companion_construction_counts_the_kl_twice():
    # The original notebook's model: its Keras loss holds the regulariser twice.
    x = np.random.default_rng(5).normal(size=(16, 12)).astype(np.float32)
    config = vae.VAEConfig(hidden_units=(8,), latent_dim=3, dropout=0.0, kl_weight=10.0)
    nn.seed(2)
    encoder, _, model = vae.build_companion_vae(config, 12)
    model(x, training=False)
    terms = [float(v) for v in model.losses]
    assert len(terms) == 2 and terms[0] == terms[1] > 0
    nn.seed(2)
    encoder, _, model = vae.build_vae(config, 12)
    model(x, training=False)
    assert len(model.losses) == 0  # the VAE adds its one KL term in train_step


def test_same_seed_same_samples_and_shapes():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 20))
    config = vae.ORIGINAL_VAE.replace(epochs=2, hidden_units=(16, 8), latent_dim=3)
    a = vae.train_vae(config, x, seed=3, checkpoints=(1, 2), checkpoint_samples=7)
    b = vae.train_vae(config, x, seed=3)
    sa, sb = a.sample(10, rng=5), b.sample(10, rng=5)
    assert sa.shape == (10, 20)
    np.testing.assert_array_equal(sa, sb)
    assert sorted(a.checkpoints) == [1, 2] and a.checkpoints[2].shape == (7, 20)
    np.testing.assert_array_equal(a.checkpoints[2], a.sample(7, rng=3))
    mean = a.sample(10, rng=5, noise=False)
    assert np.all(np.isfinite(mean)) and not np.array_equal(mean, sa)
    mu, cov = a.encode(x[:4])
    assert mu.shape == (4, 3) and cov.shape == (4, 3, 3)
    # covariances are symmetric positive definite
    assert np.all(np.linalg.eigvalsh(cov) > 0)
    kl = a.kl_per_dimension(x)
    assert kl.shape == (3,) and np.all(kl >= -1e-6)
    assert a.reconstruct(x[:2]).shape == (2, 20)
    assert a.n_parameters > 0
    assert set(a.history) == {"loss", "nll", "kl"}


def test_bad_configuration_and_input():
    with pytest.raises(ValueError, match="latent_dim"):
        vae.VAEConfig(latent_dim=0)
    with pytest.raises(ValueError, match="dropout"):
        vae.VAEConfig(dropout=1.0)
    with pytest.raises(ValueError, match="hidden_units"):
        vae.VAEConfig(hidden_units=())
    with pytest.raises(ValueError, match="kl_weight"):
        vae.VAEConfig(kl_weight=-1.0)
    with pytest.raises(ValueError, match="kl_estimate"):
        vae.VAEConfig(kl_estimate="exact")
    with pytest.raises(ValueError, match="trajectories"):
        vae.train_vae(vae.ORIGINAL_VAE, np.zeros(10))
    with pytest.raises(ValueError, match="NaN"):
        vae.train_vae(vae.ORIGINAL_VAE, np.full((4, 3), np.nan))
    with pytest.raises(TypeError, match="VAEConfig"):
        vae.train_vae({"epochs": 1}, np.zeros((4, 3)))
    with pytest.raises(ValueError, match="checkpoints"):
        vae.train_vae(vae.ORIGINAL_VAE, np.zeros((4, 3)), checkpoints=(0,))


def test_stored_clean_runs_come_from_the_clean_line_and_the_fixed_vae():
    """Chapters 4 and 8 read benchmarks/vae_clean.py's runs: each fingerprint is that of the
    clean main line's training set and the fixed VAE (beta 1, exact KL, no dropout)."""
    import physgen

    line = physgen.clean_line()
    config = vae.VAEConfig(dropout=0.0, kl_weight=1.0, epochs=1600, patience=None)
    for seed in (20240605, 20240606, 20240607):
        run = physgen.load_stored_run("physgen.nn.vae_results", f"vae_clean_{seed}",
                                      train=line.train, config=config)
        assert run.samples.shape == (500, 100) and np.isfinite(run.samples).all()
        assert run.record["quality"]["epoch"][-1] == 1600
        assert len(run.record["loss"]) == 1600
