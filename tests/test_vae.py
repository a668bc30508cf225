"""Tests of physgen.vae: the chapter's VAE and the package's are one model.

The chapter (book/04-vae.md) writes the original notebook's VAE on the page, in a
code cell tagged ``vae-model``. The test executes that cell, builds and trains both
models from the same seed, and requires identical outputs.
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


def test_page_and_package_give_identical_models(make_vae):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 30)).astype(np.float32)
    z = rng.normal(size=(5, 6)).astype(np.float32)
    config = vae.ORIGINAL_VAE.replace(epochs=3, hidden_units=(32, 16, 8))

    nn.seed(7)
    encoder, decoder, model = make_vae(30, hidden=(32, 16, 8))
    from physgen._tf import tf_keras

    stop = tf_keras.callbacks.EarlyStopping(monitor="loss", patience=50)
    history = model.fit(x, x, batch_size=64, epochs=3, shuffle=True, verbose=0, callbacks=[stop])
    page = outputs(encoder, decoder, x[:4], z)

    trained = vae.train_vae(config, x, seed=7)
    package = outputs(trained.encoder, trained.decoder, x[:4], z)
    for a, b in zip(page, package):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(history.history["loss"], trained.history["loss"], rtol=0, atol=0)
    assert trained.epochs_run == 3 and trained.n_times == 30


def test_same_seed_same_samples_and_shapes():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 20))
    config = vae.ORIGINAL_VAE.replace(epochs=2, hidden_units=(16, 8), latent_dim=3)
    a = vae.train_vae(config, x, seed=3)
    b = vae.train_vae(config, x, seed=3)
    sa, sb = a.sample(10, rng=5), b.sample(10, rng=5)
    assert sa.shape == (10, 20)
    np.testing.assert_array_equal(sa, sb)
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


def test_bad_configuration_and_input():
    with pytest.raises(ValueError, match="latent_dim"):
        vae.VAEConfig(latent_dim=0)
    with pytest.raises(ValueError, match="dropout"):
        vae.VAEConfig(dropout=1.0)
    with pytest.raises(ValueError, match="hidden_units"):
        vae.VAEConfig(hidden_units=())
    with pytest.raises(ValueError, match="kl_weight"):
        vae.VAEConfig(kl_weight=-1.0)
    with pytest.raises(ValueError, match="trajectories"):
        vae.train_vae(vae.ORIGINAL_VAE, np.zeros(10))
    with pytest.raises(ValueError, match="NaN"):
        vae.train_vae(vae.ORIGINAL_VAE, np.full((4, 3), np.nan))
    with pytest.raises(TypeError, match="VAEConfig"):
        vae.train_vae({"epochs": 1}, np.zeros((4, 3)))


def test_kl_weight_scales_the_regulariser():
    # The KL term Keras adds to the loss is kl_weight times the same KL estimate.
    x = np.random.default_rng(2).normal(size=(8, 12)).astype(np.float32)
    losses = []
    for weight in (1.0, 10.0):
        nn.seed(4)
        encoder, _, _ = vae.build_vae(vae.ORIGINAL_VAE.replace(hidden_units=(8,), kl_weight=weight),
                                      12)
        encoder(x, training=False)
        losses.append(float(sum(float(v) for v in encoder.losses)))
    assert losses[0] > 0
    assert losses[1] == pytest.approx(10.0 * losses[0], rel=1e-4)
