"""Deterministic neural regressors: learn :math:`\\theta(t)` from a table of rows.

The network of chapter 2 maps one row of features,
``(theta0, omega0, t, m, g, l)`` (see :data:`physgen.FEATURES`), to the angle
:math:`\\theta(t)` [rad] of that pendulum at that time, so a whole trajectory
is generated one time point at a time (:func:`predict_trajectory`). It is a
multilayer perceptron trained with the mean squared error

.. math::

    L(w) = \\frac{1}{B} \\sum_{i=1}^{B} \\big(f_w(x_i) - y_i\\big)^2

by Adam on mini-batches of rows.

- :class:`RegressorConfig`: every hyperparameter in one frozen, validated
  object; :data:`ORIGINAL` reproduces the original code's set-up and
  :data:`IMPROVED` is the one chapter 2 chooses by measurement.
- :func:`build_regressor`: the untrained Keras 2 (``tf_keras``) model.
- :func:`train_regressor`: seeded, deterministic training with early
  stopping on a validation set (give it held-out *trajectories*), returning a
  frozen :class:`FitResult` (model, history, epochs run, wall time).
- :func:`predict_trajectory`: whole trajectories from pendulum parameters
  and a time grid.
- :func:`seed`: seed TensorFlow once, with deterministic ops.

This module imports TensorFlow (through :mod:`physgen._tf`); ``import physgen``
loads it only on first use of ``physgen.models``.
"""

from __future__ import annotations

import math
import numbers
import sys
import time
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from physgen._tf import seed_tensorflow, tf, tf_keras
from physgen.datasets import FEATURES, Dataset
from physgen.generator import PendulumParameters

__all__ = [
    "ACTIVATIONS",
    "INPUT_SCALINGS",
    "SCHEDULES",
    "RegressorConfig",
    "ORIGINAL",
    "IMPROVED",
    "FitResult",
    "seed",
    "build_regressor",
    "train_regressor",
    "predict_trajectory",
]

#: Hidden-layer activations :class:`RegressorConfig` accepts.
ACTIVATIONS = ("relu", "tanh", "gelu", "silu", "softplus", "elu")
#: Input scalings: ``"none"`` feeds the raw features (the original);
#: ``"standardize"`` subtracts the training mean and divides by the training
#: standard deviation of each feature (a constant feature is only centred).
INPUT_SCALINGS = ("none", "standardize")
#: Learning-rate schedules: ``"constant"``; ``"cosine"`` decays the rate
#: from ``learning_rate`` to ``learning_rate * final_lr_fraction`` along a
#: half cosine over all planned steps (``epochs * batches per epoch``).
SCHEDULES = ("constant", "cosine")

_FEATURE_UNITS = {"theta0": "rad", "omega0": "rad/s", "t": "s", "m": "kg", "g": "m/s^2",
                  "l": "m"}


def _bad(name, value, fix):
    return ValueError(f"RegressorConfig: {name}={value!r} is invalid; {fix}")


def _positive_int(name, value, fix):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise _bad(name, value, fix)
    return int(value)


def _positive_float(name, value, fix, *, upper=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _bad(name, value, fix)
    value = float(value)
    if not math.isfinite(value) or value <= 0 or (upper is not None and value > upper):
        raise _bad(name, value, fix)
    return value


@dataclass(frozen=True)
class RegressorConfig:
    """Hyperparameters of a deterministic regressor (frozen and validated).

    The defaults are the original code's set-up (:data:`ORIGINAL`).

    Parameters
    ----------
    hidden : tuple of int
        Widths of the hidden layers, e.g. ``(20, 20, 20)``; at least one.
    activation : str
        Hidden activation, one of :data:`ACTIVATIONS`.
    input_scaling : str
        ``"none"`` or ``"standardize"`` (:data:`INPUT_SCALINGS`).
    features : tuple of str
        The columns of :data:`physgen.FEATURES` the network sees, in that
        order (e.g. drop ``"m"``, which does not enter the dynamics).
    learning_rate : float
        Adam's (initial) learning rate, > 0.
    schedule : str
        Learning-rate schedule, one of :data:`SCHEDULES`.
    final_lr_fraction : float
        For ``schedule="cosine"``: the final rate as a fraction of the
        initial one, in (0, 1].
    epochs : int
        Maximum number of passes over the training rows, >= 1.
    batch_size : int
        Rows per gradient step, >= 1 (Keras' default 32 in the original).
    patience : int or None
        Early stopping: stop after this many epochs without a validation
        loss improvement (Keras' ``EarlyStopping(patience=...)``). ``None``
        trains all ``epochs``.
    restore_best : bool
        At the end, restore the weights of the epoch with the lowest
        validation loss (Keras' ``restore_best_weights``; the original did
        not).

    Examples
    --------
    >>> from physgen.models import RegressorConfig
    >>> RegressorConfig().hidden
    (20, 20, 20)
    >>> RegressorConfig(activation="sigmoid")
    Traceback (most recent call last):
    ...
    ValueError: RegressorConfig: activation='sigmoid' is invalid; pass one of ('relu', 'tanh', 'gelu', 'silu', 'softplus', 'elu').
    """

    hidden: tuple[int, ...] = (20, 20, 20)
    activation: str = "relu"
    input_scaling: str = "none"
    features: tuple[str, ...] = FEATURES
    learning_rate: float = 0.01
    schedule: str = "constant"
    final_lr_fraction: float = 0.01
    epochs: int = 20
    batch_size: int = 32
    patience: int | None = 3
    restore_best: bool = False

    def __post_init__(self):
        set_ = object.__setattr__
        if isinstance(self.hidden, (str, bytes)) or not hasattr(self.hidden, "__iter__"):
            raise _bad("hidden", self.hidden, "pass a tuple of layer widths such as (20, 20, 20).")
        hidden = tuple(self.hidden)
        if not hidden:
            raise _bad("hidden", self.hidden, "pass at least one hidden layer, e.g. (20,).")
        set_(self, "hidden", tuple(_positive_int("hidden", h, "every width must be an int >= 1, "
                                                 "e.g. (20, 20, 20).") for h in hidden))
        if self.activation not in ACTIVATIONS:
            raise _bad("activation", self.activation, f"pass one of {ACTIVATIONS}.")
        if self.input_scaling not in INPUT_SCALINGS:
            raise _bad("input_scaling", self.input_scaling, f"pass one of {INPUT_SCALINGS}.")
        if isinstance(self.features, (str, bytes)) or not hasattr(self.features, "__iter__"):
            raise _bad("features", self.features, f"pass a tuple of names from {FEATURES}.")
        feats = tuple(self.features)
        if not feats or any(f not in FEATURES for f in feats) or len(set(feats)) != len(feats):
            raise _bad("features", self.features,
                       f"pass distinct names from {FEATURES}, e.g. {FEATURES}.")
        set_(self, "features", tuple(f for f in FEATURES if f in feats))  # canonical order
        set_(self, "learning_rate", _positive_float("learning_rate", self.learning_rate,
                                                    "pass a float > 0 such as 0.01."))
        if self.schedule not in SCHEDULES:
            raise _bad("schedule", self.schedule, f"pass one of {SCHEDULES}.")
        set_(self, "final_lr_fraction", _positive_float(
            "final_lr_fraction", self.final_lr_fraction, "pass a float in (0, 1] such as 0.01.",
            upper=1.0))
        set_(self, "epochs", _positive_int("epochs", self.epochs, "pass an int >= 1 such as 20."))
        set_(self, "batch_size", _positive_int("batch_size", self.batch_size,
                                               "pass an int >= 1 such as 32."))
        if self.patience is not None:
            set_(self, "patience", _positive_int("patience", self.patience,
                                                 "pass an int >= 1 such as 3, or None for no "
                                                 "early stopping."))
        if not isinstance(self.restore_best, (bool, np.bool_)):
            raise _bad("restore_best", self.restore_best, "pass True or False.")
        set_(self, "restore_best", bool(self.restore_best))

    @property
    def feature_index(self) -> tuple[int, ...]:
        """Column indices of :attr:`features` in :data:`physgen.FEATURES`."""
        return tuple(FEATURES.index(f) for f in self.features)


#: The original code's set-up: 6 raw features (mass included), 3 x 20 ReLU,
#: Adam at 0.01, batch 32, 20 epochs, early stopping with patience 3 and
#: without restoring the best weights.
ORIGINAL = RegressorConfig()

#: The set-up chapter 2 chooses by measurement on the original's data:
#: standardised inputs without mass, 3 x 64 SiLU, Adam from 0.01 with a
#: cosine decay, batch 256, 60 epochs, keeping the best validation epoch.
IMPROVED = RegressorConfig(
    hidden=(64, 64, 64),
    activation="silu",
    input_scaling="standardize",
    features=("theta0", "omega0", "t", "g", "l"),
    learning_rate=0.01,
    schedule="cosine",
    epochs=60,
    batch_size=256,
    patience=None,
    restore_best=True,
)


def seed(seed: int) -> None:
    """Seed TensorFlow (and Python's and NumPy's global state) with deterministic ops.

    Call once at the top of a notebook; :func:`train_regressor` also seeds
    itself from its ``seed`` argument so that a training run does not depend
    on what ran before it.

    Parameters
    ----------
    seed : int
        Non-negative integer.
    """
    seed_tensorflow(seed)


def _check_config(config, where):
    if not isinstance(config, RegressorConfig):
        raise TypeError(f"{where}: config must be a RegressorConfig, got "
                        f"{type(config).__name__}; pass e.g. physgen.models.ORIGINAL.")


def build_regressor(config: RegressorConfig, n_features: int, *, mean=None, std=None,
                    seed: int | None = None):
    """Build the untrained multilayer perceptron.

    Parameters
    ----------
    config : RegressorConfig
        Widths, activation and input scaling.
    n_features : int
        Number of input columns (``len(config.features)``).
    mean, std : array_like, shape (n_features,), optional
        Training-set mean and standard deviation of each input (in the
        features' units); required when ``config.input_scaling ==
        "standardize"``, not allowed otherwise. A zero ``std`` (a constant
        feature) is replaced by 1.
    seed : int, optional
        Seed of the initial weights (Glorot-uniform, Keras' default for
        ``Dense``), one derived seed per layer. Explicit seeds also avoid a
        tf_keras 2.17-2.18 bug under Python 3.12: after
        ``tf_keras.utils.set_random_seed``, initialisers *without* a seed
        call ``random.randint(1, 1e9)``, which raises ``TypeError`` there
        (keras-team/tf-keras#803). Default None: Keras draws the seeds.

    Returns
    -------
    tf_keras.Model
        Maps ``(batch, n_features)`` float32 inputs to ``(batch, 1)`` angles [rad].
    """
    _check_config(config, "build_regressor")
    if isinstance(n_features, bool) or not isinstance(n_features, numbers.Integral) \
            or n_features < 1:
        raise ValueError(f"build_regressor: n_features must be an int >= 1, got "
                         f"{n_features!r}; pass len(config.features).")
    n_features = int(n_features)
    layers = [tf_keras.layers.Input(shape=(n_features,), dtype="float32")]
    if config.input_scaling == "standardize":
        if mean is None or std is None:
            raise ValueError("build_regressor: input_scaling='standardize' needs mean= and std= "
                             "of the training features; train_regressor computes them.")
        mean = np.asarray(mean, dtype=float)
        std = np.asarray(std, dtype=float)
        if mean.shape != (n_features,) or std.shape != (n_features,) \
                or not np.all(np.isfinite(mean)) or not np.all(np.isfinite(std)) \
                or np.any(std < 0):
            raise ValueError(f"build_regressor: mean and std must be finite arrays of shape "
                             f"({n_features},) with std >= 0, got shapes {mean.shape} and "
                             f"{std.shape}; pass x.mean(axis=0) and x.std(axis=0).")
        std = np.where(std > 0, std, 1.0)
        layers.append(tf_keras.layers.Normalization(mean=mean, variance=std ** 2))
    elif mean is not None or std is not None:
        raise ValueError("build_regressor: mean/std are only used with input_scaling="
                         "'standardize'; drop them or change the config.")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)
                             or seed < 0):
        raise ValueError(f"build_regressor: seed must be a non-negative int or None, got "
                         f"{seed!r}.")

    def init(k):
        if seed is None:
            return "glorot_uniform"
        return tf_keras.initializers.GlorotUniform(seed=(int(seed) + 7919 * k) % (2**31 - 1))

    for k, width in enumerate(config.hidden):
        layers.append(tf_keras.layers.Dense(width, activation=config.activation,
                                            kernel_initializer=init(k)))
    layers.append(tf_keras.layers.Dense(1, kernel_initializer=init(len(config.hidden))))
    return tf_keras.Sequential(layers)


def _rows(data, config, where, name):
    """Features (selected columns, float32) and targets of a Dataset or (x, y) pair."""
    if isinstance(data, Dataset):
        x, y = data.features, data.target
    elif isinstance(data, tuple) and len(data) == 2:
        x, y = data
    else:
        raise TypeError(f"{where}: {name} must be a physgen Dataset or a pair (x, y), got "
                        f"{type(data).__name__}; pass e.g. split.train.")
    try:
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{where}: {name} must hold numeric arrays.") from exc
    if x.ndim != 2 or x.shape[1] != len(FEATURES):
        raise ValueError(f"{where}: {name} features must have shape (R, {len(FEATURES)}) with "
                         f"columns {FEATURES}, got {x.shape}; pass dataset.features.")
    if x.shape[0] == 0:
        raise ValueError(f"{where}: {name} is empty (0 rows); pass a dataset with at least "
                         "one trajectory.")
    if y.shape != (x.shape[0],):
        raise ValueError(f"{where}: {name} targets must have shape ({x.shape[0]},), one angle "
                         f"[rad] per row, got {y.shape}.")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{where}: {name} features contain non-finite values (NaN/inf); "
                         "remove those rows.")
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{where}: {name} targets contain non-finite values (NaN/inf); "
                         "remove those rows.")
    return x[:, list(config.feature_index)], y


@dataclass(frozen=True, eq=False)
class FitResult:
    """A trained regressor and how its training went.

    Attributes
    ----------
    model : tf_keras.Model
        The trained network (inputs: the columns ``config.features``).
    config : RegressorConfig
        The configuration it was trained with.
    history : Mapping[str, tuple of float]
        Per-epoch ``"loss"`` (mean training MSE over the epoch's batches,
        [rad^2]) and, with a validation set, ``"val_loss"`` [rad^2].
    epochs_run : int
        Epochs actually run (fewer than ``config.epochs`` if stopped early).
    best_epoch : int or None
        1-based epoch of the lowest validation loss (None without validation).
    seconds : float
        Wall-clock training time [s] (tracing included).
    """

    model: object
    config: RegressorConfig
    history: MappingProxyType = field(repr=False)
    epochs_run: int
    best_epoch: int | None
    seconds: float

    def predict(self, features) -> np.ndarray:
        """Predict angles [rad] for rows of features.

        Parameters
        ----------
        features : array_like, shape (R, 6)
            Rows with all columns of :data:`physgen.FEATURES` (the model's
            own columns are selected here), e.g. ``dataset.features``.

        Returns
        -------
        numpy.ndarray, shape (R,)
            Predicted angles [rad] (float64).
        """
        x = np.asarray(features, dtype=float)
        if x.ndim != 2 or x.shape[1] != len(FEATURES):
            raise ValueError(f"predict: features must have shape (R, {len(FEATURES)}) with "
                             f"columns {FEATURES}, got {x.shape}; pass dataset.features.")
        if not np.all(np.isfinite(x)):
            raise ValueError("predict: features contain non-finite values (NaN/inf).")
        if x.shape[0] == 0:
            return np.zeros(0)
        x = tf.constant(x[:, list(self.config.feature_index)], dtype=tf.float32)
        return self.model(x, training=False).numpy()[:, 0].astype(float)


def train_regressor(config: RegressorConfig, train, *, validation=None, weights=None,
                    seed: int = 0, verbose: bool = False) -> FitResult:
    """Train a regressor with Adam on the mean squared error.

    The run is reproducible: TensorFlow is seeded from ``seed`` (weights) with
    deterministic ops, and the rows are shuffled every epoch by
    ``numpy.random.default_rng(seed)``. All batches of an epoch run inside one
    compiled TensorFlow loop.

    Parameters
    ----------
    config : RegressorConfig
        Hyperparameters.
    train : Dataset or (x, y)
        Training rows: ``x`` of shape (R, 6) with columns
        :data:`physgen.FEATURES`, ``y`` of shape (R,) observed angles [rad].
        A :class:`physgen.Dataset` contributes ``features`` and (noisy)
        ``target``.
    validation : Dataset or (x, y), optional
        Rows scored after every epoch for early stopping and
        ``restore_best``; give it whole held-out trajectories
        (``split_by_trajectory(...).validation``). Required when
        ``config.patience`` is set or ``config.restore_best`` is True.
    weights : array_like, shape (R,), optional
        Non-negative per-row weights of the training loss (weighted least
        squares, e.g. ``1 / sigma(t)**2`` for noise of known standard
        deviation); each batch's loss is ``sum(w * err**2) / sum(w)``.
        Default: equal weights (the original). The validation loss is never
        weighted.
    seed : int, optional
        Non-negative seed of the weights and the shuffling. Default 0.
    verbose : bool, optional
        Print one line per epoch (loss, validation loss) to stderr.

    Returns
    -------
    FitResult

    Raises
    ------
    ValueError
        Wrong shapes, non-finite features or targets, empty data, or a
        missing validation set when the config needs one.
    """
    _check_config(config, "train_regressor")
    x, y = _rows(train, config, "train_regressor", "train")
    needs_val = config.patience is not None or config.restore_best
    if validation is None and needs_val:
        raise ValueError("train_regressor: this config uses early stopping / restore_best, so "
                         "it needs validation=... (held-out trajectories, e.g. "
                         "split.validation); or use patience=None, restore_best=False.")
    if weights is None:
        w = np.ones(x.shape[0])
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != (x.shape[0],) or not np.all(np.isfinite(w)) or np.any(w < 0) \
                or not np.any(w > 0):
            raise ValueError(f"train_regressor: weights must be {x.shape[0]} finite values "
                             f">= 0 (one per training row, not all 0), got shape {w.shape}; "
                             "pass e.g. 1 / (noise.std(t)**2 + 0.01) per row.")
    xv = yv = None
    if validation is not None:
        xv, yv = _rows(validation, config, "train_regressor", "validation")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"train_regressor: seed must be a non-negative int, got {seed!r}.")
    seed_tensorflow(int(seed))
    gen = np.random.default_rng(int(seed))

    start = time.perf_counter()
    scaling = {}
    if config.input_scaling == "standardize":
        scaling = {"mean": x.mean(axis=0), "std": x.std(axis=0)}
    model = build_regressor(config, x.shape[1], seed=int(seed), **scaling)
    n = x.shape[0]
    bs = min(config.batch_size, n)
    n_batches = math.ceil(n / bs)
    if config.schedule == "cosine":
        lr = tf_keras.optimizers.schedules.CosineDecay(
            config.learning_rate, decay_steps=config.epochs * n_batches,
            alpha=config.final_lr_fraction)
    else:
        lr = config.learning_rate
    optimizer = tf_keras.optimizers.Adam(learning_rate=lr)
    variables = model.trainable_variables
    optimizer.build(variables)

    X = tf.constant(x, dtype=tf.float32)
    Y = tf.constant(y, dtype=tf.float32)
    W = tf.constant(w / w.mean(), dtype=tf.float32)

    @tf.function
    def run_epoch(perm):
        total = tf.constant(0.0, dtype=tf.float32)
        for i in tf.range(n_batches):
            idx = perm[i * bs: tf.minimum((i + 1) * bs, n)]
            xb = tf.gather(X, idx)
            yb = tf.gather(Y, idx)
            wb = tf.gather(W, idx)
            with tf.GradientTape() as tape:
                pred = tf.squeeze(model(xb, training=True), axis=-1)
                loss = tf.reduce_sum(wb * tf.square(pred - yb)) / tf.reduce_sum(wb)
            grads = tape.gradient(loss, variables)
            optimizer.apply_gradients(zip(grads, variables))
            total += loss
        return total / tf.cast(n_batches, tf.float32)

    if xv is not None:
        XV = tf.constant(xv, dtype=tf.float32)
        YV = tf.constant(yv, dtype=tf.float32)

        @tf.function
        def val_loss():
            pred = tf.squeeze(model(XV, training=False), axis=-1)
            return tf.reduce_mean(tf.square(pred - YV))

    history = {"loss": []}
    if xv is not None:
        history["val_loss"] = []
    best, best_epoch, best_weights, wait = math.inf, None, None, 0
    epochs_run = 0
    for epoch in range(1, config.epochs + 1):
        perm = tf.constant(gen.permutation(n).astype(np.int32))
        loss = float(run_epoch(perm))
        epochs_run = epoch
        if not math.isfinite(loss):
            raise FloatingPointError(
                f"train_regressor: the training loss became {loss} at epoch {epoch}; lower "
                f"learning_rate (now {config.learning_rate}) or standardise the inputs.")
        history["loss"].append(loss)
        msg = f"epoch {epoch}/{config.epochs}: loss {loss:.5f}"
        if xv is not None:
            vloss = float(val_loss())
            history["val_loss"].append(vloss)
            msg += f", val_loss {vloss:.5f}"
            if vloss < best:
                best, best_epoch, wait = vloss, epoch, 0
                if config.restore_best:
                    best_weights = model.get_weights()
            else:
                wait += 1
        if verbose:
            print(msg, file=sys.stderr, flush=True)
        if config.patience is not None and wait >= config.patience:
            if verbose:
                print(f"early stop: no val_loss improvement for {wait} epochs",
                      file=sys.stderr, flush=True)
            break
    if config.restore_best and best_weights is not None:
        model.set_weights(best_weights)
    seconds = time.perf_counter() - start
    return FitResult(
        model=model,
        config=config,
        history=MappingProxyType({k: tuple(v) for k, v in history.items()}),
        epochs_run=epochs_run,
        best_epoch=best_epoch,
        seconds=seconds,
    )


def predict_trajectory(result: FitResult, params, t) -> np.ndarray:
    """Generate whole trajectories, one time point per network evaluation.

    Parameters
    ----------
    result : FitResult
        A trained regressor (:func:`train_regressor`).
    params : PendulumParameters or Mapping
        The pendulums: a :class:`physgen.PendulumParameters` of ``n``
        pendulums, or a mapping with scalar ``theta0`` [rad], ``omega0``
        [rad/s] and optional ``length`` [m] (default 1), ``g`` [m/s^2]
        (default 9.81), ``mass`` [kg] (default 1) for one pendulum. Values
        outside the training ranges are allowed: the network extrapolates,
        and chapter 2 shows how badly.
    t : array_like, shape (T,)
        Times [s], finite.

    Returns
    -------
    numpy.ndarray, shape (n, T) or (T,)
        Predicted angles [rad]; ``(T,)`` for a single mapping.
    """
    if not isinstance(result, FitResult):
        raise TypeError(f"predict_trajectory: result must be a FitResult, got "
                        f"{type(result).__name__}; pass the output of train_regressor.")
    single = False
    if isinstance(params, PendulumParameters):
        p = params
    elif hasattr(params, "keys"):
        unknown = set(params) - {"theta0", "omega0", "length", "g", "mass"}
        if unknown or "theta0" not in params or "omega0" not in params:
            raise ValueError(f"predict_trajectory: params must have theta0 and omega0 (and "
                             f"optionally length, g, mass), got keys {sorted(params)}.")
        p = PendulumParameters(**params)
        single = True
    else:
        raise TypeError(f"predict_trajectory: params must be PendulumParameters or a dict, "
                        f"got {type(params).__name__}; pass e.g. dict(theta0=1.0, omega0=1.0).")
    times = np.asarray(t, dtype=float)
    if times.ndim != 1 or times.size == 0 or not np.all(np.isfinite(times)):
        raise ValueError(f"predict_trajectory: t must be a non-empty 1-D array of finite times "
                         f"[s], got shape {times.shape}; pass e.g. np.arange(500) * 0.01.")
    n, T = len(p), times.size
    x = np.empty((n, T, len(FEATURES)))
    x[..., 0] = p.theta0[:, None]
    x[..., 1] = p.omega0[:, None]
    x[..., 2] = times[None, :]
    x[..., 3] = p.mass[:, None]
    x[..., 4] = p.g[:, None]
    x[..., 5] = p.length[:, None]
    out = result.predict(x.reshape(-1, len(FEATURES))).reshape(n, T)
    return out[0] if single else out
