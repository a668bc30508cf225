"""Tests of physgen.models: configuration, shapes, bad input, determinism, accuracy."""

import dataclasses

import numpy as np
import pytest

# These tests train networks: `make unit` leaves them out (-m "not slow").
pytestmark = pytest.mark.slow

from physgen import (
    FEATURES,
    GrowingNoise,
    NoNoise,
    ParameterGrid,
    PendulumParameters,
    make_dataset,
    rmse,
    simulate,
    split_by_trajectory,
)

models = pytest.importorskip("physgen.models")  # TensorFlow is a required test dependency
# (importorskip only guards collection on machines without the "ml" extra; `make test`
# installs it, so these tests run there.)

# A tiny noise-free data set: 6 pendulums x 40 times.
TINY_GRID = ParameterGrid(theta0=(0.5, 1.0, 1.5), omega0=(0.5,), mass=(1.0,), length=(1.0, 2.0),
                          g=10.0, dt=0.05, n_steps=40)
TINY_FAST = models.RegressorConfig(hidden=(8, 8), epochs=2, batch_size=64, patience=None)


@pytest.fixture(scope="module")
def tiny():
    return make_dataset(TINY_GRID, noise=NoNoise(), rng=0)


# --- configuration ---------------------------------------------------------------------------

def test_original_config_is_the_original_setup():
    c = models.ORIGINAL
    assert (c.hidden, c.activation, c.input_scaling, c.features) == (
        (20, 20, 20), "relu", "none", FEATURES)
    assert (c.learning_rate, c.epochs, c.batch_size, c.patience, c.restore_best) == (
        0.01, 20, 32, 3, False)


def test_improved_config_drops_mass_and_standardizes():
    assert "m" not in models.IMPROVED.features
    assert models.IMPROVED.input_scaling == "standardize"


def test_config_is_frozen_and_features_are_put_in_canonical_order():
    c = models.RegressorConfig(features=("l", "t", "theta0"))
    assert c.features == ("theta0", "t", "l")
    assert c.feature_index == (0, 2, 5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.epochs = 3


@pytest.mark.parametrize("kwargs, name", [
    (dict(hidden=()), "hidden"),
    (dict(hidden=(20, 0)), "hidden"),
    (dict(hidden="20"), "hidden"),
    (dict(activation="sigmoid"), "activation"),
    (dict(input_scaling="minmax"), "input_scaling"),
    (dict(features=("theta0", "speed")), "features"),
    (dict(features=("t", "t")), "features"),
    (dict(features=()), "features"),
    (dict(learning_rate=0.0), "learning_rate"),
    (dict(learning_rate=float("nan")), "learning_rate"),
    (dict(schedule="step"), "schedule"),
    (dict(final_lr_fraction=1.5), "final_lr_fraction"),
    (dict(epochs=0), "epochs"),
    (dict(batch_size=2.5), "batch_size"),
    (dict(patience=0), "patience"),
    (dict(restore_best="yes"), "restore_best"),
])
def test_bad_config_is_rejected_naming_the_field(kwargs, name):
    with pytest.raises(ValueError, match=name):
        models.RegressorConfig(**kwargs)


# --- building ----------------------------------------------------------------------------------

def test_build_regressor_shapes():
    net = models.build_regressor(models.ORIGINAL, 6)
    out = net(np.zeros((4, 6), dtype="float32"))
    assert tuple(out.shape) == (4, 1)
    # 6*20+20 + 2*(20*20+20) + 20+1 parameters
    assert net.count_params() == 140 + 2 * 420 + 21


def test_build_regressor_standardize_needs_and_uses_statistics():
    config = models.RegressorConfig(input_scaling="standardize", hidden=(4,))
    with pytest.raises(ValueError, match="mean= and std="):
        models.build_regressor(config, 2)
    with pytest.raises(ValueError, match="shape"):
        models.build_regressor(config, 2, mean=[0.0], std=[1.0])
    net = models.build_regressor(config, 2, mean=[1.0, 5.0], std=[2.0, 0.0])  # constant column
    assert np.all(np.isfinite(net(np.array([[1.0, 5.0]], dtype="float32")).numpy()))
    with pytest.raises(ValueError, match="only used"):
        models.build_regressor(models.ORIGINAL, 6, mean=np.zeros(6), std=np.ones(6))


@pytest.mark.parametrize("n", [0, -1, 2.0, True])
def test_build_regressor_rejects_bad_n_features(n):
    with pytest.raises(ValueError, match="n_features"):
        models.build_regressor(models.ORIGINAL, n)


# --- bad input to training ---------------------------------------------------------------------

def test_train_rejects_wrong_shapes(tiny):
    x, y = tiny.features, tiny.target
    with pytest.raises(ValueError, match=r"shape \(R, 6\)"):
        models.train_regressor(TINY_FAST, (x[:, :5], y))
    with pytest.raises(ValueError, match="targets must have shape"):
        models.train_regressor(TINY_FAST, (x, y[:-1]))
    with pytest.raises(ValueError, match="validation"):
        models.train_regressor(TINY_FAST, (x, y), validation=(x[:, :5], y))


def test_train_rejects_non_finite_and_empty(tiny):
    x, y = np.array(tiny.features), np.array(tiny.target)
    x_bad = x.copy()
    x_bad[3, 2] = np.nan
    with pytest.raises(ValueError, match="features contain non-finite"):
        models.train_regressor(TINY_FAST, (x_bad, y))
    y_bad = y.copy()
    y_bad[7] = np.inf
    with pytest.raises(ValueError, match="targets contain non-finite"):
        models.train_regressor(TINY_FAST, (x, y_bad))
    with pytest.raises(ValueError, match="empty"):
        models.train_regressor(TINY_FAST, (x[:0], y[:0]))
    with pytest.raises(ValueError, match="empty"):
        models.train_regressor(TINY_FAST, tiny.subset(tiny.ids[:0]))


def test_train_needs_validation_for_early_stopping(tiny):
    with pytest.raises(ValueError, match="validation="):
        models.train_regressor(models.ORIGINAL, tiny)


def test_train_rejects_bad_weights_config_and_seed(tiny):
    with pytest.raises(ValueError, match="weights"):
        models.train_regressor(TINY_FAST, tiny, weights=np.ones(3))
    with pytest.raises(ValueError, match="weights"):
        models.train_regressor(TINY_FAST, tiny, weights=-np.ones(tiny.n_rows))
    with pytest.raises(TypeError, match="RegressorConfig"):
        models.train_regressor({"epochs": 2}, tiny)
    with pytest.raises(ValueError, match="seed"):
        models.train_regressor(TINY_FAST, tiny, seed=-1)
    with pytest.raises(TypeError, match="Dataset or a pair"):
        models.train_regressor(TINY_FAST, [tiny.features, tiny.target])


# --- training, determinism and prediction -------------------------------------------------------

def test_training_is_deterministic_for_a_seed(tiny):
    a = models.train_regressor(TINY_FAST, tiny, seed=3)
    b = models.train_regressor(TINY_FAST, tiny, seed=3)
    c = models.train_regressor(TINY_FAST, tiny, seed=4)
    pa, pb, pc = (r.predict(tiny.features) for r in (a, b, c))
    np.testing.assert_array_equal(pa, pb)
    assert a.history["loss"] == b.history["loss"]
    assert not np.array_equal(pa, pc)


def test_fit_result_records_training(tiny, capsys):
    split = split_by_trajectory(tiny, fractions=(0.5, 0.5, 0.0), rng=0)
    config = dataclasses.replace(TINY_FAST, epochs=3, restore_best=True)
    res = models.train_regressor(config, split.train, validation=split.validation,
                                 verbose=True)
    assert res.epochs_run == 3
    assert len(res.history["loss"]) == len(res.history["val_loss"]) == 3
    assert 1 <= res.best_epoch <= 3
    assert res.seconds > 0
    err = capsys.readouterr().err
    assert "epoch 3/3" in err and "val_loss" in err
    # silent by default
    models.train_regressor(config, split.train, validation=split.validation)
    assert capsys.readouterr().err == ""


def test_early_stopping_stops_when_validation_does_not_improve(tiny):
    # Validation targets far from anything learnable: the loss cannot keep improving.
    config = dataclasses.replace(TINY_FAST, epochs=30, patience=1, learning_rate=1e-6)
    val = (tiny.features, np.full(tiny.n_rows, 100.0))
    res = models.train_regressor(config, tiny, validation=val)
    assert res.epochs_run < 30


def test_predict_trajectory_shapes_and_consistency(tiny):
    res = models.train_regressor(TINY_FAST, tiny, seed=0)
    t = tiny.t
    one = models.predict_trajectory(res, dict(theta0=1.0, omega0=0.5, length=2.0, g=10.0), t)
    assert one.shape == t.shape
    many = models.predict_trajectory(res, tiny.params, t)
    assert many.shape == (tiny.n_trajectories, tiny.n_times)
    np.testing.assert_allclose(many, tiny.as_trajectories(res.predict(tiny.features)),
                               rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="t must be"):
        models.predict_trajectory(res, tiny.params, np.array([[0.0, 1.0]]))
    with pytest.raises(ValueError, match="theta0 and omega0"):
        models.predict_trajectory(res, dict(theta0=1.0), t)
    with pytest.raises(TypeError, match="FitResult"):
        models.predict_trajectory(res.model, tiny.params, t)


def test_extrapolation_is_allowed(tiny):
    res = models.train_regressor(TINY_FAST, tiny, seed=0)
    far = PendulumParameters(theta0=3.0, omega0=5.0, length=10.0, g=10.0)
    out = models.predict_trajectory(res, far, np.linspace(0, 50, 11))
    assert out.shape == (1, 11) and np.all(np.isfinite(out))


# --- accuracy ------------------------------------------------------------------------------------

def test_improved_config_beats_original_on_new_pendulums():
    """On a smaller version of the original data (100 pendulums, 2.5 s), the improved
    set-up's error against the exact truth on held-out pendulums is at least 2x lower."""
    grid = ParameterGrid(theta0=(0.5, 0.75, 1.0, 1.25, 1.5), omega0=(0.5, 0.75, 1.0, 1.25, 1.5),
                         mass=(1.0, 2.0), length=(1.0, 2.0), g=10.0, dt=0.02, n_steps=125,
                         jitter=0.05, noise=GrowingNoise(0.1), method="exact")
    data = make_dataset(grid, rng=7)
    train, val, test = split_by_trajectory(data, rng=7)
    original = models.train_regressor(models.ORIGINAL, train, validation=val, seed=7)
    improved = models.train_regressor(models.IMPROVED, train, validation=val, seed=7)
    err_original = rmse(test.truth, original.predict(test.features))
    err_improved = rmse(test.truth, improved.predict(test.features))
    assert err_improved < 0.1  # rad
    assert err_original > 2.0 * err_improved


def test_improved_model_follows_the_physics_on_an_essay_panel():
    """The essay's pendulum theta0 = 1, omega0 = 1, l = 1 m: a model trained on clean
    exact data reproduces the exact trajectory closely."""
    grid = ParameterGrid(theta0=(0.5, 0.75, 1.0, 1.25, 1.5), omega0=(0.5, 0.75, 1.0, 1.25, 1.5),
                         mass=(1.0,), length=(1.0, 1.5, 2.0), g=10.0, dt=0.02, n_steps=100)
    data = make_dataset(grid, rng=0)
    config = dataclasses.replace(models.IMPROVED, epochs=40)
    res = models.train_regressor(config, data, validation=data, seed=0)
    t = data.t
    truth = simulate(1.0, 1.0, t, length=1.0, g=10.0).theta
    pred = models.predict_trajectory(res, dict(theta0=1.0, omega0=1.0, length=1.0, g=10.0), t)
    assert rmse(truth, pred) < 0.05
