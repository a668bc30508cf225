"""Chapter 3 shows its networks in plain tf_keras / TensorFlow Probability; physgen carries them.

The cells of book/03-bayesian.md tagged ``model-code`` are executed here, and the
networks they build are compared with ``physgen.nn``'s: with the same weights they
must give the same distributions, the same losses and the same KL term, and the
page's ensemble moments must be nn.Ensemble's. So the page and the package cannot
drift apart.
"""

import math
from pathlib import Path

import numpy as np
import pytest

# These tests train networks: `make unit` leaves them out (-m "not slow").
pytestmark = pytest.mark.slow

jupytext = pytest.importorskip("jupytext")
nn = pytest.importorskip("physgen.nn", reason="needs TensorFlow")

PAGE = Path(__file__).resolve().parents[1] / "book" / "03-bayesian.md"


@pytest.fixture(scope="module")
def page():
    notebook = jupytext.read(PAGE)
    cells = [c for c in notebook.cells
             if c.cell_type == "code" and "model-code" in c.metadata.get("tags", [])]
    assert len(cells) >= 4, "the chapter's model-code cells are missing"
    namespace = {"np": np, "math": math}
    for cell in cells:
        exec(compile(cell.source, f"{PAGE.name}:model-code", "exec"), namespace)
    return namespace


def _dense_weights(model):
    import tensorflow_probability as tfp
    import tf_keras

    return [layer for layer in model.layers
            if isinstance(layer, (tf_keras.layers.Dense, tfp.layers.DenseFlipout))]


def _copy_dense(source, target):
    for a, b in zip(_dense_weights(source), _dense_weights(target), strict=True):
        b.set_weights(a.get_weights())


def _distribution(model, x):
    d = model(x.astype(np.float32))
    return d.mean().numpy().ravel(), d.stddev().numpy().ravel()


@pytest.mark.parametrize("learned_scale, config_name", [(False, "ORIGINAL_FIXED"),
                                                        (True, "ORIGINAL_SOFTPLUS")])
def test_the_original_heads_on_the_page_are_physgens(page, learned_scale, config_name):
    config = getattr(nn, config_name)
    ours = nn.build_network(config, 6, seed=3)
    theirs = page["original_network"](learned_scale)
    _copy_dense(ours, theirs)
    x = np.random.default_rng(0).uniform(0, 2, size=(64, 6))
    loc_a, scale_a = _distribution(ours, x)
    loc_b, scale_b = _distribution(theirs, x)
    np.testing.assert_allclose(loc_b, loc_a, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(scale_b, scale_a, rtol=1e-6, atol=1e-7)
    assert np.all(scale_a >= 0.1 - 1e-7)  # the companion's floor SD = 0.1
    # the same recipe: MSE, Adam at the config's rate, batch, epochs, patience
    assert config.loss == "mse" and theirs.loss == "mse"
    assert float(theirs.optimizer.learning_rate) == pytest.approx(config.learning_rate)
    seen = {}

    class Recorder:
        def fit(self, *args, **kwargs):
            seen.update(kwargs)

    page["fit_original"](Recorder(), _Split(), _Split())
    assert seen["batch_size"] == config.batch_size and seen["epochs"] == config.epochs
    assert seen["callbacks"][0].patience == config.patience


class _Split:
    features = np.zeros((4, 6))
    target = np.zeros(4)


def _scaled(n_features=5, rows=200, seed=0):
    x = np.random.default_rng(seed).uniform(0, 3, size=(rows, n_features))
    return x, x.mean(axis=0), x.std(axis=0)


def test_the_normal_head_and_nll_on_the_page_are_physgens(page):
    import tensorflow as tf

    from physgen.nn.training import _row_loss

    config = nn.ALEATORIC
    x, mean, std = _scaled()
    ours = nn.build_network(config, 5, mean=mean, std=std, seed=4)
    theirs = page["aleatoric_network"](5, config.hidden)
    _copy_dense(ours, theirs)
    loc_a, scale_a = _distribution(ours, x)
    loc_b, scale_b = _distribution(theirs, (x - mean) / std)  # physgen scales inside
    np.testing.assert_allclose(loc_b, loc_a, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(scale_b, scale_a, rtol=1e-5, atol=1e-6)
    y = np.random.default_rng(1).normal(size=x.shape[0]).astype(np.float32)
    out = ours(x.astype(np.float32))
    np.testing.assert_allclose(page["negative_log_likelihood"](tf.constant(y), out).numpy().ravel(),
                               _row_loss(config)(out, tf.constant(y)).numpy(), rtol=1e-6)


def test_the_variational_network_on_the_page_is_physgens(page):
    import tensorflow as tf

    n_train = 1000
    config = nn.BAYESIAN
    x, mean, std = _scaled()
    ours = nn.build_network(config, 5, mean=mean, std=std, seed=5, kl_weight=1.0 / n_train)
    theirs = page["variational_network"](5, config.hidden, n_train,
                                         prior_scale=config.prior_scale,
                                         scale_init=config.posterior_scale_init)
    a_layers, b_layers = _dense_weights(ours), _dense_weights(theirs)
    assert len(a_layers) == len(b_layers) == len(config.hidden) + 1
    for a, b in zip(a_layers, b_layers):
        # same start: every posterior std at the configured value; biases are point estimates
        for layer in (a, b):
            s = tf.convert_to_tensor(layer.kernel_posterior.distribution.scale).numpy()
            np.testing.assert_allclose(s, config.posterior_scale_init, rtol=1e-3)  # float32
            assert not hasattr(layer.bias_posterior.distribution, "scale")
        assert a.activation.__name__ == b.activation.__name__
        b.set_weights(a.get_weights())
    # the same KL term (prior, posterior, 1 / N) ...
    ours(x[:2].astype(np.float32))
    theirs(((x[:2] - mean) / std).astype(np.float32))
    kl_a = float(tf.add_n(ours.losses))
    kl_b = float(tf.add_n(theirs.losses))
    assert kl_b == pytest.approx(kl_a, rel=1e-5)
    # ... and, with the spreads shrunk to nothing, the same network and head
    for model in (ours, theirs):
        for layer in _dense_weights(model):
            rho = layer.kernel_posterior.distribution.scale.pretransformed_input
            rho.assign(tf.fill(rho.shape, -30.0))
    loc_a, scale_a = _distribution(ours, x)
    loc_b, scale_b = _distribution(theirs, (x - mean) / std)
    np.testing.assert_allclose(loc_b, loc_a, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(scale_b, scale_a, rtol=1e-5, atol=1e-6)


def test_the_ensemble_moments_on_the_page_are_nn_ensembles(page):
    rng = np.random.default_rng(2)
    x = np.column_stack([rng.uniform(0.5, 1.5, 300), rng.uniform(0.5, 1.5, 300),
                         rng.uniform(0, 3, 300), np.ones(300), np.full(300, 10.0),
                         rng.uniform(1, 2, 300)])
    y = np.sin(x[:, 2]) + 0.1 * rng.standard_normal(300)
    cfg = nn.ALEATORIC.replace(hidden=(8,), epochs=1, batch_size=128)
    members = [nn.train(cfg, (x, y), seed=s) for s in (0, 1)]
    mean, aleatoric, epistemic = page["ensemble_moments"](members, x)
    p = nn.Ensemble(members).predictive(x)
    np.testing.assert_allclose(mean, p.mean, rtol=1e-12)
    np.testing.assert_allclose(aleatoric, p.aleatoric_std, rtol=1e-12)
    np.testing.assert_allclose(epistemic, p.epistemic_std, rtol=1e-12, atol=1e-15)
    assert np.all(epistemic > 0)
