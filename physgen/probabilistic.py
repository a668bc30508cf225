"""Probabilistic networks: pendulum models we can *sample* from (chapter 3).

A deterministic regressor maps a pendulum's features to one angle. The models
here map them to a *distribution* of angles,

.. math::

    y \\mid x, w \\sim \\mathcal N\\big(\\mu_w(x),\\, \\sigma_w(x)^2\\big),

and come in three flavours, all trained on the negative log-likelihood (NLL)
of the noisy observations:

- **aleatoric** (``ALEATORIC``): deterministic weights :math:`w`, and a
  heteroscedastic head that learns the observation noise :math:`\\sigma(x)`;
- **epistemic**: weights with a distribution, a mean-field Normal
  :math:`q(w)` learned by variational inference (``tfp.layers.DenseFlipout``,
  the KL term to the prior scaled by :math:`1/N` for :math:`N` training rows,
  so the loss is the negative ELBO per row); with a single learned noise level;
- **Bayesian** (``BAYESIAN``): both together.

Plus a non-Bayesian baseline for predictive uncertainty, a small deep
ensemble of aleatoric networks (:func:`train_ensemble`), and the original
essay's two "Bayesian" models (``ORIGINAL_FIXED`` and ``ORIGINAL_SOFTPLUS``):
a Normal head with a fixed scale of 0.1 or a softplus scale, trained with the
mean squared error, so their scale is never fitted to the noise.

Predictions and samples are computed in NumPy from the trained weights, with
one weight draw :math:`w_s \\sim q(w)` per sample; randomness comes only from
``rng``. The law of total variance splits the predictive variance into an
aleatoric and an epistemic part:

.. math::

    \\operatorname{Var}[y\\mid x] =
    \\underbrace{\\mathbb E_{w}\\big[\\sigma_w(x)^2\\big]}_{\\text{aleatoric}}
    + \\underbrace{\\operatorname{Var}_{w}\\big[\\mu_w(x)\\big]}_{\\text{epistemic}}.

TensorFlow (``tf_keras`` and ``tfp.layers``) is only used to train.

Examples
--------
>>> import numpy as np
>>> from physgen import probabilistic as pr
>>> cfg = pr.ALEATORIC.replace(hidden_units=(8,), epochs=2)
>>> x = np.random.default_rng(0).uniform(size=(256, 6)); y = x[:, 2]
>>> model = pr.train(cfg, x, y, seed=0)
>>> pred = model.predict(x[:5])
>>> pred.mean.shape, bool(np.all(pred.epistemic_std == 0))
((5,), True)
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import sys
import time
import warnings
from dataclasses import dataclass

import numpy as np

from physgen._tf import import_tfp, seed_tensorflow, tf, tf_keras
from physgen.datasets import FEATURES

tfp = import_tfp()
tfd = tfp.distributions

__all__ = [
    "ACTIVATIONS",
    "NOISE_MODELS",
    "ProbabilisticConfig",
    "ORIGINAL_FIXED",
    "ORIGINAL_SOFTPLUS",
    "ALEATORIC",
    "EPISTEMIC",
    "BAYESIAN",
    "BAYESIAN_FINETUNE",
    "Prediction",
    "VarianceDecomposition",
    "ProbabilisticModel",
    "Ensemble",
    "train",
    "train_ensemble",
    "sample_trajectories",
    "variance_decomposition",
    "trajectory_features",
]

#: Hidden-layer activations (the same function in TensorFlow and NumPy).
ACTIVATIONS = ("relu", "tanh", "silu", "elu")

#: Output heads: ``"heteroscedastic"`` (learned sigma(x)), ``"homoscedastic"``
#: (one learned sigma), ``"fixed"`` (sigma = ``fixed_scale``), ``"softplus"``
#: (the original's softplus head: sigma = 1e-3 + softplus(0.05 z)).
NOISE_MODELS = ("heteroscedastic", "homoscedastic", "fixed", "softplus")

_LOSSES = ("nll", "mse")


def _softplus(x):
    return np.logaddexp(0.0, x)


def _inv_softplus(y: float) -> float:
    return float(y + math.log(-math.expm1(-y)))


def _silu(z):
    with np.errstate(over="ignore"):
        return z / (1 + np.exp(-z))


_NP_ACTIVATIONS = {
    "relu": lambda z: np.maximum(z, 0),
    "tanh": np.tanh,
    "silu": _silu,
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
}
_TF_ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "silu": "swish", "elu": "elu"}


# --------------------------------------------------------------------------- config
def _positive(name, value, *, integer=False, allow_zero=False, example=""):
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        raise TypeError(
            f"ProbabilisticConfig: {name} must be {'an int' if integer else 'a number'}, "
            f"got {value!r}; {example}"
        )
    ok = value >= 0 if allow_zero else value > 0
    if not (math.isfinite(value) and ok):
        raise ValueError(
            f"ProbabilisticConfig: {name} must be {'>= 0' if allow_zero else '> 0'} and "
            f"finite, got {value!r}; {example}"
        )
    return int(value) if integer else float(value)


@dataclass(frozen=True)
class ProbabilisticConfig:
    r"""Everything that defines a probabilistic network and its training.

    Frozen and validated: a wrong value raises at construction with a hint.
    Derive variants with :meth:`replace`.

    Parameters
    ----------
    hidden_units : tuple of int
        Width of every hidden layer, e.g. ``(64, 64)``.
    activation : str
        One of :data:`ACTIVATIONS`.
    features : tuple of str
        Columns of :data:`physgen.FEATURES` the network reads, in order.
    standardize : bool
        Standardise inputs with the training mean and standard deviation.
    noise : str
        Output head, one of :data:`NOISE_MODELS`.
    fixed_scale : float
        sigma [rad] of the ``"fixed"`` head.
    min_scale : float
        Floor [rad] added to a learned sigma (heteroscedastic/homoscedastic).
    loss : str
        ``"nll"`` (negative log-likelihood, the right loss) or ``"mse"`` (the
        original's: the mean squared error of a *sample* of the output
        distribution, TFP's default tensor conversion).
    nll_beta : float
        In [0, 1]. 0 is the plain NLL. Above 0, every row's NLL is weighted by
        :math:`\sigma(x)^{2\beta}` (held constant in the gradient): the
        beta-NLL of Seitzer et al. (2022), which stops the NLL from neglecting
        the mean where the noise is large; ``nll_beta=1`` gives the mean the
        gradient of the MSE.
    bayesian : bool
        Weights with a distribution (``tfp.layers.DenseFlipout`` layers).
    prior_scale : float
        Standard deviation of the zero-mean Normal prior on every weight.
    posterior_scale_init : float
        Initial standard deviation of every weight's posterior (TFP's default
        is about 0.05: ``softplus(-3)``).
    posterior_loc_init : str
        Initial posterior means: ``"glorot"`` (Glorot-uniform, like a plain
        Dense layer) or ``"tfp"`` (TFP's default, N(0, 0.1^2)).
    kl_weight : float or None
        Multiplier of the KL term; ``None`` means ``1 / N`` for ``N`` training
        rows (the negative ELBO per row). ``1.0`` reproduces the common bug of
        adding the full KL to every mini-batch's mean loss.
    kl_warmup_epochs : int
        Epochs over which the KL weight ramps linearly from 0 to its value
        (0 = no warm-up).
    learning_rate : float
        Initial Adam learning rate.
    lr_schedule : str
        ``"cosine"`` (decays to 0 over training) or ``"constant"``.
    epochs : int
        Passes over the training rows.
    batch_size : int
        Rows per gradient step.
    early_stopping_patience : int or None
        Stop when the validation loss has not improved for this many epochs
        (needs validation data; ``None`` = train all epochs).
    """

    hidden_units: tuple = (64, 64)
    activation: str = "relu"
    features: tuple = ("theta0", "omega0", "t", "g", "l")
    standardize: bool = True
    noise: str = "heteroscedastic"
    fixed_scale: float = 0.1
    min_scale: float = 1e-3
    loss: str = "nll"
    nll_beta: float = 0.0
    bayesian: bool = False
    prior_scale: float = 1.0
    posterior_scale_init: float = 1e-3
    posterior_loc_init: str = "glorot"
    kl_weight: float | None = None
    kl_warmup_epochs: int = 0
    learning_rate: float = 3e-3
    lr_schedule: str = "cosine"
    epochs: int = 60
    batch_size: int = 256
    early_stopping_patience: int | None = None

    def __post_init__(self):
        set_ = object.__setattr__
        units = self.hidden_units
        if isinstance(units, (str, bytes)) or not hasattr(units, "__iter__"):
            raise TypeError(
                f"ProbabilisticConfig: hidden_units must be a tuple of ints, got {units!r}; "
                "pass e.g. hidden_units=(64, 64)."
            )
        units = tuple(_positive("hidden_units[i]", u, integer=True,
                                example="pass widths such as (64, 64).") for u in units)
        if not units:
            raise ValueError("ProbabilisticConfig: hidden_units is empty; pass at least one "
                             "hidden layer, e.g. (64, 64).")
        set_(self, "hidden_units", units)
        self._choice("activation", ACTIVATIONS)
        self._choice("noise", NOISE_MODELS)
        self._choice("loss", _LOSSES)
        self._choice("posterior_loc_init", ("glorot", "tfp"))
        self._choice("lr_schedule", ("cosine", "constant"))
        feats = self.features
        if isinstance(feats, str) or not hasattr(feats, "__iter__"):
            raise TypeError(f"ProbabilisticConfig: features must be a tuple of names from "
                            f"{FEATURES}, got {feats!r}.")
        feats = tuple(feats)
        bad = [f for f in feats if f not in FEATURES]
        if bad or not feats or len(set(feats)) != len(feats):
            raise ValueError(
                f"ProbabilisticConfig: features must be distinct names from {FEATURES}, got "
                f"{feats!r}; e.g. features=('theta0', 'omega0', 't', 'l')."
            )
        set_(self, "features", feats)
        for name in ("standardize", "bayesian"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise TypeError(f"ProbabilisticConfig: {name} must be True or False, got "
                                f"{getattr(self, name)!r}.")
        set_(self, "nll_beta", _positive("nll_beta", self.nll_beta, allow_zero=True,
                                         example="pass a value in [0, 1], e.g. 0.5."))
        if self.nll_beta > 1:
            raise ValueError(f"ProbabilisticConfig: nll_beta must be in [0, 1], got "
                             f"{self.nll_beta!r}; pass e.g. 0.5.")
        set_(self, "fixed_scale", _positive("fixed_scale", self.fixed_scale,
                                            example="pass a noise level in rad, e.g. 0.1."))
        set_(self, "min_scale", _positive("min_scale", self.min_scale, allow_zero=True,
                                          example="pass e.g. 1e-3 rad."))
        set_(self, "prior_scale", _positive("prior_scale", self.prior_scale,
                                            example="pass e.g. prior_scale=1.0."))
        set_(self, "posterior_scale_init", _positive(
            "posterior_scale_init", self.posterior_scale_init,
            example="pass a small standard deviation, e.g. 1e-3."))
        if self.kl_weight is not None:
            set_(self, "kl_weight", _positive("kl_weight", self.kl_weight, allow_zero=True,
                                              example="pass None for 1/N (recommended)."))
        set_(self, "kl_warmup_epochs", _positive("kl_warmup_epochs", self.kl_warmup_epochs,
                                                 integer=True, allow_zero=True,
                                                 example="pass e.g. 0 or 10."))
        set_(self, "learning_rate", _positive("learning_rate", self.learning_rate,
                                              example="pass e.g. 3e-3."))
        set_(self, "epochs", _positive("epochs", self.epochs, integer=True,
                                       example="pass e.g. epochs=60."))
        set_(self, "batch_size", _positive("batch_size", self.batch_size, integer=True,
                                           example="pass e.g. batch_size=256."))
        if self.early_stopping_patience is not None:
            set_(self, "early_stopping_patience", _positive(
                "early_stopping_patience", self.early_stopping_patience, integer=True,
                example="pass e.g. 3, or None to train all epochs."))
        if self.loss == "mse" and self.bayesian:
            raise ValueError("ProbabilisticConfig: a Bayesian network needs loss='nll' (the "
                             "ELBO); loss='mse' is only for reproducing the original models.")
        if self.noise == "softplus" and self.loss == "nll":
            pass  # allowed: the original's head trained the right way

    def _choice(self, name, options):
        value = getattr(self, name)
        if value not in options:
            raise ValueError(f"ProbabilisticConfig: {name} must be one of {options}, got "
                             f"{value!r}.")

    def replace(self, **changes) -> ProbabilisticConfig:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)


#: The original essay's first "Bayesian" model: 3 x 20 ReLU, all six raw
#: features, Normal head with a fixed scale of 0.1 rad, MSE loss, Adam(0.01),
#: batch 32, 20 epochs with early stopping (patience 3).
ORIGINAL_FIXED = ProbabilisticConfig(
    hidden_units=(20, 20, 20), activation="relu", features=FEATURES, standardize=False,
    noise="fixed", fixed_scale=0.1, loss="mse", learning_rate=0.01, lr_schedule="constant",
    epochs=20, batch_size=32, early_stopping_patience=3,
)
#: The original's second: the same with a softplus scale, 1e-3 + softplus(0.05 z).
ORIGINAL_SOFTPLUS = ORIGINAL_FIXED.replace(noise="softplus")
#: Heteroscedastic Normal head trained on the NLL: aleatoric uncertainty only.
#: Validated on the original grid (70 training trajectories, exact targets,
#: noise 0.1 t): 3 x 64 SiLU on standardised inputs without the mass (chapter
#: 2's body), Adam from 0.01 with a cosine decay, batch 256, 60 epochs.
ALEATORIC = ProbabilisticConfig(
    hidden_units=(64, 64, 64), activation="silu", features=("theta0", "omega0", "t", "g", "l"),
    noise="heteroscedastic", learning_rate=0.01, lr_schedule="cosine", epochs=60,
    batch_size=256,
)
#: Weights with a distribution and a heteroscedastic head: both kinds of
#: uncertainty, trained from scratch (Flipout layers, prior N(0, 1), KL / N,
#: Glorot-scaled posterior means, initial posterior std 1e-3).
BAYESIAN = ALEATORIC.replace(bayesian=True, prior_scale=1.0, posterior_scale_init=1e-3,
                             posterior_loc_init="glorot")
#: The same network fine-tuned from a trained :data:`ALEATORIC` network
#: (``train(..., init_from=aleatoric)``): 10 epochs from 1e-3.
BAYESIAN_FINETUNE = BAYESIAN.replace(epochs=10, learning_rate=1e-3)
#: Weights with a distribution and one learned noise level: epistemic only.
EPISTEMIC = BAYESIAN.replace(noise="homoscedastic")


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Prediction:
    """Moments of a predictive distribution, per row.

    Attributes
    ----------
    mean : ndarray, shape (R,)
        Predictive mean [rad].
    aleatoric_std : ndarray, shape (R,)
        Square root of the mean noise variance over weight draws [rad].
    epistemic_std : ndarray, shape (R,)
        Standard deviation of the mean over weight draws [rad] (0 for fixed weights).
    """

    mean: np.ndarray
    aleatoric_std: np.ndarray
    epistemic_std: np.ndarray

    @property
    def std(self) -> np.ndarray:
        """Total predictive standard deviation [rad] (law of total variance)."""
        return np.sqrt(self.aleatoric_std**2 + self.epistemic_std**2)


@dataclass(frozen=True)
class VarianceDecomposition:
    """Law of total variance over weight draws, per row.

    Attributes
    ----------
    mean : ndarray, shape (R,)
        Predictive mean [rad].
    aleatoric : ndarray, shape (R,)
        :math:`\\mathbb E_w[\\sigma_w^2]` [rad^2].
    epistemic : ndarray, shape (R,)
        :math:`\\operatorname{Var}_w[\\mu_w]` [rad^2].
    total : ndarray, shape (R,)
        Predictive variance [rad^2]: exactly ``aleatoric + epistemic``.
    """

    mean: np.ndarray
    aleatoric: np.ndarray
    epistemic: np.ndarray
    total: np.ndarray


# --------------------------------------------------------------------------- input checks
def _check_features(features, n_columns, where):
    try:
        x = np.asarray(features, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{where}: features must be a float array of shape (R, {n_columns}), "
                        f"got {type(features).__name__}.") from exc
    if x.ndim < 2 or x.shape[-1] != n_columns:
        raise ValueError(
            f"{where}: features must have shape (..., {n_columns}) with columns {FEATURES}, "
            f"got {x.shape}; pass Dataset.features (or trajectory_features(...))."
        )
    if x.size == 0:
        raise ValueError(f"{where}: features is empty; pass at least one row.")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{where}: features contain NaN or inf; clean the data first.")
    return x


def _check_n_samples(n_samples, where):
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral):
        raise TypeError(f"{where}: n_samples must be an int >= 1, got {n_samples!r}.")
    if n_samples < 1:
        raise ValueError(f"{where}: n_samples must be >= 1, got {n_samples}; pass e.g. "
                         "n_samples=100.")
    return int(n_samples)


def trajectory_features(theta0, omega0, t, *, length=1.0, g=10.0, mass=1.0) -> np.ndarray:
    """Feature rows of one pendulum on a time grid, columns :data:`physgen.FEATURES`.

    Parameters
    ----------
    theta0 : float
        Initial angle [rad].
    omega0 : float
        Initial angular velocity [rad/s].
    t : array_like, shape (T,)
        Times [s].
    length : float, keyword-only
        Length [m].
    g : float, keyword-only
        Gravitational acceleration [m/s^2].
    mass : float, keyword-only
        Mass [kg] (a feature of the original data; no effect on the motion).

    Returns
    -------
    ndarray, shape (T, 6)
    """
    t = np.asarray(t, dtype=float)
    if t.ndim != 1 or t.size == 0 or not np.all(np.isfinite(t)):
        raise ValueError(f"trajectory_features: t must be a non-empty 1-d array of finite "
                         f"times [s], got shape {t.shape}.")
    values = {"theta0": theta0, "omega0": omega0, "t": t, "m": mass, "g": g, "l": length}
    cols = []
    for name in FEATURES:
        v = np.asarray(values[name], dtype=float)
        if name != "t" and (v.ndim != 0 or not np.isfinite(v)):
            raise ValueError(f"trajectory_features: {name} must be a finite scalar, got "
                             f"{values[name]!r}.")
        cols.append(np.broadcast_to(v, t.shape))
    return np.stack(cols, axis=-1)


# --------------------------------------------------------------------------- networks
class _NumpyNet:
    """The trained weights, as NumPy arrays, for seeded forward passes.

    Each layer is ``(kernel_loc, kernel_std or None, bias)``.
    """

    def __init__(self, layers, activation, noise, fixed_scale, min_scale, log_scale=None):
        self.layers = layers
        self.activation = activation
        self.noise = noise
        self.fixed_scale = fixed_scale
        self.min_scale = min_scale
        self.log_scale = log_scale  # homoscedastic: raw (pre-softplus) scale

    @property
    def stochastic(self) -> bool:
        return any(std is not None for _, std, _ in self.layers)

    def outputs(self, x, kernels=None):
        """loc, scale for inputs x (R, F); kernels: list of (S, in, out) draws or None.

        Returns float64 arrays of shape (R,) without draws, (S, R) with draws. The
        forward pass runs in float32, like the trained Keras model.
        """
        h = np.asarray(x, dtype=np.float32)
        act = _NP_ACTIVATIONS[self.activation]
        n = len(self.layers)
        for i, (w, _, b) in enumerate(self.layers):
            if kernels is None:
                h = h @ w.astype(np.float32) + b.astype(np.float32)
            elif h.ndim == 2:  # first layer: (R, F) @ (S, F, H) -> (S, R, H)
                h = np.einsum("rf,sfh->srh", h, kernels[i], optimize=True) + \
                    b.astype(np.float32)
            else:
                h = np.matmul(h, kernels[i]) + b.astype(np.float32)
            if i < n - 1:
                h = act(h)
        h = h.astype(np.float64)
        loc = h[..., 0]
        if self.noise == "fixed":
            scale = np.full_like(loc, self.fixed_scale)
        elif self.noise == "softplus":
            scale = 1e-3 + _softplus(0.05 * h[..., 1])
        elif self.noise == "heteroscedastic":
            scale = self.min_scale + _softplus(h[..., 1])
        else:  # homoscedastic
            scale = np.full_like(loc, self.min_scale + _softplus(self.log_scale))
        return loc, scale

    def draw_kernels(self, n, rng):
        """``n`` weight draws per layer, float32 arrays of shape (n, in, out)."""
        draws = []
        for w, std, _ in self.layers:
            if std is None:
                draws.append(np.broadcast_to(w.astype(np.float32), (n,) + w.shape))
            else:
                eps = rng.standard_normal((n,) + w.shape, dtype=np.float32)
                draws.append((w + std * eps).astype(np.float32))
        return draws


class ProbabilisticModel:
    """A trained probabilistic network (returned by :func:`train`).

    Attributes
    ----------
    config : ProbabilisticConfig
        How it was built and trained.
    keras_model : tf_keras.Model
        The trained Keras model (input: standardised selected features).
    history : dict
        Per-epoch training (and validation) losses.
    train_seconds : float
        Wall-clock training time [s].
    n_train : int
        Number of training rows.
    epochs_trained : int
        Epochs actually run (early stopping may stop sooner).
    """

    def __init__(self, config, keras_model, x_mean, x_std, history, train_seconds, n_train,
                 seed):
        self.config = config
        self.keras_model = keras_model
        self.x_mean = x_mean
        self.x_std = x_std
        self.history = history
        self.train_seconds = float(train_seconds)
        self.n_train = int(n_train)
        self.seed = seed
        self.epochs_trained = len(history.get("loss", []))
        self._net = _extract(keras_model, config)

    def __repr__(self):
        kind = "bayesian" if self.config.bayesian else "deterministic-weights"
        return (f"ProbabilisticModel({kind}, noise={self.config.noise!r}, "
                f"hidden_units={self.config.hidden_units}, n_train={self.n_train})")

    @property
    def stochastic_weights(self) -> bool:
        """True if the weights have a distribution (epistemic uncertainty)."""
        return self._net.stochastic

    def _inputs(self, features, where):
        x = _check_features(features, len(FEATURES), where)
        cols = [FEATURES.index(f) for f in self.config.features]
        return (x[..., cols] - self.x_mean) / self.x_std

    def draw_outputs(self, features, *, n_samples=100, rng=None):
        """Mean and noise level of ``n_samples`` sampled networks.

        Parameters
        ----------
        features : array_like, shape (R, 6)
            Rows with columns :data:`physgen.FEATURES`.
        n_samples : int, keyword-only
            Number of weight draws (>= 1). Fixed-weight models repeat one network.
        rng : None, int or numpy.random.Generator, keyword-only
            Source of the weight draws.

        Returns
        -------
        loc, scale : ndarray, shape (n_samples, R)
            :math:`\\mu_{w_s}(x)` and :math:`\\sigma_{w_s}(x)` [rad].
        """
        n_samples = _check_n_samples(n_samples, "draw_outputs")
        x = self._inputs(features, "draw_outputs")
        if x.ndim != 2:
            raise ValueError(f"draw_outputs: features must be 2-d (R, 6), got {x.shape}.")
        if not self._net.stochastic:
            loc, scale = self._net.outputs(x)
            return (np.broadcast_to(loc, (n_samples,) + loc.shape).copy(),
                    np.broadcast_to(scale, (n_samples,) + scale.shape).copy())
        gen = np.random.default_rng(rng)
        locs, scales = [], []
        chunk = max(1, int(2_000_000 // (x.shape[0] * max(self.config.hidden_units))))
        for start in range(0, n_samples, chunk):
            k = min(chunk, n_samples - start)
            loc, scale = self._net.outputs(x, self._net.draw_kernels(k, gen))
            locs.append(loc)
            scales.append(scale)
        return np.concatenate(locs), np.concatenate(scales)

    def predict(self, features, *, n_samples=200, rng=None) -> Prediction:
        """Predictive mean, aleatoric and epistemic standard deviations per row.

        Parameters
        ----------
        features : array_like, shape (R, 6)
            Rows with columns :data:`physgen.FEATURES`.
        n_samples : int, keyword-only
            Weight draws for a Bayesian network (ignored otherwise), >= 1.
        rng : None, int or numpy.random.Generator, keyword-only
            Source of the weight draws.

        Returns
        -------
        Prediction
        """
        n_samples = _check_n_samples(n_samples, "predict")
        if not self._net.stochastic:
            x = self._inputs(features, "predict")
            loc, scale = self._net.outputs(x)
            return Prediction(mean=loc, aleatoric_std=scale, epistemic_std=np.zeros_like(loc))
        dec = variance_decomposition(self, features, n_samples=n_samples, rng=rng)
        return Prediction(mean=dec.mean, aleatoric_std=np.sqrt(dec.aleatoric),
                          epistemic_std=np.sqrt(dec.epistemic))

    def sample_trajectories(self, features, *, n_samples=5, rng=None,
                            observation_noise=True):
        """See :func:`sample_trajectories`."""
        return sample_trajectories(self, features, n_samples=n_samples, rng=rng,
                                   observation_noise=observation_noise)


class Ensemble:
    """A deep ensemble: ``M`` networks trained from different seeds (:func:`train_ensemble`).

    Its predictive distribution is the equal-weight mixture of the members'
    Normals; a sampled trajectory comes from one member chosen at random.

    Attributes
    ----------
    members : tuple of ProbabilisticModel
    train_seconds : float
        Total wall-clock training time [s].
    """

    def __init__(self, members):
        self.members = tuple(members)
        self.config = self.members[0].config
        self.train_seconds = float(sum(m.train_seconds for m in self.members))

    def __repr__(self):
        return f"Ensemble(n_members={len(self.members)}, config.noise={self.config.noise!r})"

    @property
    def stochastic_weights(self) -> bool:
        return True

    def draw_outputs(self, features, *, n_samples=None, rng=None):
        """Outputs of the members: ``n_samples`` members drawn at random, or all of them.

        Parameters
        ----------
        features : array_like, shape (R, 6)
        n_samples : int or None, keyword-only
            ``None``: every member once, in order (exact mixture moments).
        rng : None, int or numpy.random.Generator, keyword-only
            Source of the member choice.

        Returns
        -------
        loc, scale : ndarray, shape (n_draws, R)
        """
        if n_samples is None:
            idx = np.arange(len(self.members))
        else:
            n_samples = _check_n_samples(n_samples, "Ensemble.draw_outputs")
            idx = np.random.default_rng(rng).integers(len(self.members), size=n_samples)
        outs = [self.members[i].predict(features) for i in np.unique(idx)]
        cache = dict(zip(np.unique(idx).tolist(), outs))
        loc = np.stack([cache[int(i)].mean for i in idx])
        scale = np.stack([cache[int(i)].aleatoric_std for i in idx])
        return loc, scale

    def predict(self, features, *, n_samples=None, rng=None) -> Prediction:
        """Mixture moments over all members (``n_samples`` and ``rng`` unused)."""
        dec = variance_decomposition(self, features)
        return Prediction(mean=dec.mean, aleatoric_std=np.sqrt(dec.aleatoric),
                          epistemic_std=np.sqrt(dec.epistemic))

    def sample_trajectories(self, features, *, n_samples=5, rng=None, observation_noise=True):
        """See :func:`sample_trajectories`."""
        return sample_trajectories(self, features, n_samples=n_samples, rng=rng,
                                   observation_noise=observation_noise)


def _check_model(model, where):
    if not isinstance(model, (ProbabilisticModel, Ensemble)):
        raise TypeError(f"{where}: model must come from physgen.probabilistic.train or "
                        f"train_ensemble, got {type(model).__name__}.")


def variance_decomposition(model, features, *, n_samples=200, rng=None) -> VarianceDecomposition:
    """Split the predictive variance into aleatoric and epistemic parts.

    With weight draws :math:`w_1..w_S` (ensemble members for an
    :class:`Ensemble`), the moments of the mixture
    :math:`\\frac1S\\sum_s \\mathcal N(\\mu_s, \\sigma_s^2)` are

    .. math::

        \\bar\\mu = \\frac1S\\sum_s \\mu_s, \\qquad
        \\underbrace{\\frac1S\\sum_s\\sigma_s^2}_{\\text{aleatoric}}
        + \\underbrace{\\frac1S\\sum_s(\\mu_s-\\bar\\mu)^2}_{\\text{epistemic}}
        = \\text{total}.

    Parameters
    ----------
    model : ProbabilisticModel or Ensemble
    features : array_like, shape (R, 6)
    n_samples : int, keyword-only
        Weight draws (>= 1); an ensemble always uses each member once.
    rng : None, int or numpy.random.Generator, keyword-only

    Returns
    -------
    VarianceDecomposition
        Arrays of shape (R,) in rad (mean) and rad^2 (variances).
    """
    _check_model(model, "variance_decomposition")
    if isinstance(model, Ensemble):
        loc, scale = model.draw_outputs(features)
    else:
        n_samples = _check_n_samples(n_samples, "variance_decomposition")
        loc, scale = model.draw_outputs(features, n_samples=n_samples, rng=rng)
    mean = loc.mean(axis=0)
    aleatoric = np.mean(scale**2, axis=0)
    epistemic = np.mean((loc - mean) ** 2, axis=0)
    return VarianceDecomposition(mean=mean, aleatoric=aleatoric, epistemic=epistemic,
                                 total=aleatoric + epistemic)


def sample_trajectories(model, features, *, n_samples=5, rng=None, observation_noise=True):
    """Sample whole trajectories: one network (weight draw) per sampled trajectory.

    Sample ``s`` draws weights :math:`w_s \\sim q(w)` once (an ensemble
    member, for an :class:`Ensemble`) and evaluates that one network at every
    time step, so the sample is a coherent curve; with
    ``observation_noise=True`` it then adds independent noise
    :math:`\\sigma_{w_s}(x_i)\\,\\varepsilon_i` at every step, as a measurement
    would.

    Parameters
    ----------
    model : ProbabilisticModel or Ensemble
    features : array_like, shape (T, 6) or (B, T, 6)
        The rows of one trajectory (see :func:`trajectory_features`), or of
        ``B`` trajectories.
    n_samples : int, keyword-only
        Number of sampled trajectories, >= 1.
    rng : None, int or numpy.random.Generator, keyword-only
        The only source of randomness (weight draws, then noise).
    observation_noise : bool, keyword-only
        Add the per-step observation noise (default) or return the sampled
        networks' means.

    Returns
    -------
    ndarray, shape (n_samples, T) or (n_samples, B, T)
        Sampled angles [rad]; sample ``s`` of every trajectory comes from the
        same network.
    """
    _check_model(model, "sample_trajectories")
    n_samples = _check_n_samples(n_samples, "sample_trajectories")
    x = _check_features(features, len(FEATURES), "sample_trajectories")
    if x.ndim not in (2, 3):
        raise ValueError(f"sample_trajectories: features must have shape (T, 6) or (B, T, 6), "
                         f"got {x.shape}.")
    gen = np.random.default_rng(rng)
    rows = x.reshape(-1, x.shape[-1])
    loc, scale = model.draw_outputs(rows, n_samples=n_samples, rng=gen)
    out = loc
    if observation_noise:
        out = loc + scale * gen.standard_normal(loc.shape)
    return out.reshape((n_samples,) + x.shape[:-1])


# --------------------------------------------------------------------------- building
def _prior_fn(prior_scale):
    def make_prior(dtype, shape, name, trainable, add_variable_fn):
        del name, trainable, add_variable_fn
        dist = tfd.Normal(loc=tf.zeros(shape, dtype), scale=tf.constant(prior_scale, dtype))
        return tfd.Independent(dist, reinterpreted_batch_ndims=len(shape))
    return make_prior


def _build(config: ProbabilisticConfig, n_inputs: int, kl_var):
    act = _TF_ACTIVATIONS[config.activation]
    n_out = 1 if config.noise in ("fixed", "homoscedastic") else 2
    inputs = tf_keras.Input(shape=(n_inputs,))
    h = inputs
    sizes = list(config.hidden_units) + [n_out]
    for i, units in enumerate(sizes):
        activation = act if i < len(sizes) - 1 else None
        if config.bayesian:
            loc_init = (tf_keras.initializers.GlorotUniform() if config.posterior_loc_init
                        == "glorot" else tf_keras.initializers.RandomNormal(stddev=0.1))
            posterior = tfp.layers.default_mean_field_normal_fn(
                loc_initializer=loc_init,
                untransformed_scale_initializer=tf_keras.initializers.Constant(
                    _inv_softplus(config.posterior_scale_init)))
            h = tfp.layers.DenseFlipout(
                units, activation=activation,
                kernel_posterior_fn=posterior,
                kernel_prior_fn=_prior_fn(config.prior_scale),
                kernel_divergence_fn=lambda q, p, _: tfd.kl_divergence(q, p) * kl_var,
                name=f"flipout_{i}")(h)
        else:
            h = tf_keras.layers.Dense(units, activation=activation, name=f"dense_{i}")(h)
    if config.noise == "homoscedastic":
        raw = _ScaleVariable(_inv_softplus(0.1), name="noise_scale")
        h = raw(h)
    outputs = tfp.layers.DistributionLambda(_make_head(config), name="normal_head")(h)
    return tf_keras.Model(inputs, outputs)


class _ScaleVariable(tf_keras.layers.Layer):
    """Appends one trainable raw scale to the loc column: (R, 1) -> (R, 2)."""

    def __init__(self, init, **kwargs):
        super().__init__(**kwargs)
        self._init = init

    def build(self, input_shape):
        self.raw = self.add_weight(name="raw", shape=(), trainable=True,
                                   initializer=tf_keras.initializers.Constant(self._init))

    def call(self, h):
        return tf.concat([h, tf.ones_like(h) * self.raw], axis=-1)


def _make_head(config):
    noise, fixed, floor = config.noise, config.fixed_scale, config.min_scale

    def head(h):
        loc = h[..., :1]
        if noise == "fixed":
            scale = fixed * tf.ones_like(loc)
        elif noise == "softplus":
            scale = 1e-3 + tf.math.softplus(0.05 * h[..., 1:])
        else:
            scale = floor + tf.math.softplus(h[..., 1:])
        return tfd.Normal(loc=loc, scale=scale)
    return head


def _extract(keras_model, config):
    layers = []
    log_scale = None
    for layer in keras_model.layers:
        if isinstance(layer, tfp.layers.DenseFlipout):
            post = layer.kernel_posterior.distribution
            w = np.asarray(tf.convert_to_tensor(post.loc), dtype=float)
            std = np.asarray(tf.convert_to_tensor(post.scale), dtype=float)
            b = np.asarray(tf.convert_to_tensor(layer.bias_posterior.distribution.loc),
                           dtype=float)
            layers.append((w, std, b))
        elif isinstance(layer, tf_keras.layers.Dense):
            w, b = (np.asarray(v, dtype=float) for v in layer.get_weights())
            layers.append((w, None, b))
        elif isinstance(layer, _ScaleVariable):
            log_scale = float(layer.raw.numpy())
    return _NumpyNet(layers, config.activation, config.noise, config.fixed_scale,
                     config.min_scale, log_scale)


class _Progress(tf_keras.callbacks.Callback):
    def __init__(self, every, total, stream):
        super().__init__()
        self.every, self.total, self.stream = every, total, stream

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0 or epoch + 1 == self.total:
            items = ", ".join(f"{k} {v:.4f}" for k, v in (logs or {}).items())
            print(f"epoch {epoch + 1}/{self.total}: {items}", file=self.stream, flush=True)


class _KLWarmup(tf_keras.callbacks.Callback):
    def __init__(self, var, target, epochs):
        super().__init__()
        self.var, self.target, self.epochs = var, target, epochs

    def on_epoch_begin(self, epoch, logs=None):
        self.var.assign(self.target * min(1.0, (epoch + 1) / self.epochs))


def _check_xy(features, target, where):
    x = _check_features(features, len(FEATURES), where)
    if x.ndim != 2:
        raise ValueError(f"{where}: features must be 2-d (R, 6), got shape {x.shape}.")
    y = np.asarray(target, dtype=float)
    if y.shape != (x.shape[0],):
        raise ValueError(f"{where}: target must have shape ({x.shape[0]},) (one angle per "
                         f"feature row), got {y.shape}.")
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{where}: target contains NaN or inf; clean the data first.")
    return x, y


def train(config: ProbabilisticConfig, features, target, *, seed=0, validation=None,
          init_from=None, verbose=False) -> ProbabilisticModel:
    """Train a probabilistic network on rows ``features -> target``.

    TensorFlow is seeded once (``seed``) with deterministic ops, so the same
    call returns the same weights.

    Parameters
    ----------
    config : ProbabilisticConfig
        Architecture, head, loss and training schedule (e.g. :data:`BAYESIAN`).
    features : array_like, shape (N, 6)
        Training rows, columns :data:`physgen.FEATURES` [rad, rad/s, s, kg, m/s^2, m].
    target : array_like, shape (N,)
        Observed angles [rad].
    seed : int, keyword-only
        Seed of the initial weights, the shuffling and the Flipout noise.
    validation : (features, target) or None, keyword-only
        Held-out rows, for the history and early stopping.
    init_from : ProbabilisticModel or None, keyword-only
        Start from this trained network's weights (same ``hidden_units``,
        ``activation``, ``features`` and head): for a Bayesian ``config``, its
        weights become the initial posterior means (and its input scaling is
        reused), so variational training starts from a good fit instead of
        from random weights.
    verbose : bool, keyword-only
        Print progress (epoch losses) to stderr; off by default.

    Returns
    -------
    ProbabilisticModel
    """
    if not isinstance(config, ProbabilisticConfig):
        raise TypeError(f"train: config must be a ProbabilisticConfig, got "
                        f"{type(config).__name__}; pass e.g. physgen.probabilistic.BAYESIAN.")
    x, y = _check_xy(features, target, "train")
    cols = [FEATURES.index(f) for f in config.features]
    x = x[:, cols]
    if init_from is not None:
        _check_init_from(init_from, config)
        x_mean, x_std = init_from.x_mean, init_from.x_std
    elif config.standardize:
        x_mean = x.mean(axis=0)
        x_std = x.std(axis=0)
        x_std = np.where(x_std > 1e-12, x_std, 1.0)
    else:
        x_mean, x_std = np.zeros(x.shape[1]), np.ones(x.shape[1])
    xs = ((x - x_mean) / x_std).astype(np.float32)
    val = None
    if validation is not None:
        xv, yv = _check_xy(*validation, "train(validation)")
        val = (((xv[:, cols] - x_mean) / x_std).astype(np.float32), yv.astype(np.float32))
    if config.early_stopping_patience is not None and val is None:
        raise ValueError("train: early_stopping_patience needs validation=(features, target); "
                         "pass held-out trajectories or set early_stopping_patience=None.")

    seed_tensorflow(seed)
    n = x.shape[0]
    kl_target = 1.0 / n if config.kl_weight is None else config.kl_weight
    kl_var = tf.Variable(0.0 if config.kl_warmup_epochs else kl_target, trainable=False,
                         dtype=tf.float32)
    with warnings.catch_warnings():
        # tfp.layers creates its variables through a deprecated Keras call.
        warnings.simplefilter("ignore")
        model = _build(config, x.shape[1], kl_var)
    if init_from is not None:
        _copy_weights(model, init_from)
    steps = math.ceil(n / config.batch_size) * config.epochs
    lr = (tf_keras.optimizers.schedules.CosineDecay(config.learning_rate, steps)
          if config.lr_schedule == "cosine" else config.learning_rate)
    if config.loss == "nll":
        loss = _negative_log_likelihood if config.nll_beta == 0 else _beta_nll(config.nll_beta)
    else:
        loss = "mse"
    # Several steps per tf.function call: far less Python overhead per step.
    model.compile(optimizer=tf_keras.optimizers.Adam(learning_rate=lr), loss=loss,
                  steps_per_execution=min(32, math.ceil(n / config.batch_size)))
    callbacks = []
    if config.kl_warmup_epochs and config.bayesian:
        callbacks.append(_KLWarmup(kl_var, kl_target, config.kl_warmup_epochs))
    if config.early_stopping_patience is not None:
        callbacks.append(tf_keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=config.early_stopping_patience,
            restore_best_weights=False))
    if verbose:
        callbacks.append(_Progress(max(1, config.epochs // 10), config.epochs, sys.stderr))
    start = time.perf_counter()
    hist = model.fit(xs, y.astype(np.float32), batch_size=config.batch_size,
                     epochs=config.epochs, shuffle=True, verbose=0, validation_data=val,
                     callbacks=callbacks)
    seconds = time.perf_counter() - start
    history = {k: [float(v) for v in vals] for k, vals in hist.history.items()}
    return ProbabilisticModel(config, model, x_mean, x_std, history, seconds, n, seed)


def _check_init_from(source, config):
    if not isinstance(source, ProbabilisticModel):
        raise TypeError(f"train: init_from must be a ProbabilisticModel (from train), got "
                        f"{type(source).__name__}.")
    c = source.config
    two = ("heteroscedastic", "softplus")
    same = (c.hidden_units == config.hidden_units and c.activation == config.activation
            and c.features == config.features and (c.noise in two) == (config.noise in two)
            and c.standardize == config.standardize)
    if not same:
        raise ValueError(
            "train: init_from must have the same hidden_units, activation, features, input "
            f"scaling and number of outputs as config; got {c.hidden_units}/{c.activation}/"
            f"{c.features}/{c.noise} for {config.hidden_units}/{config.activation}/"
            f"{config.features}/{config.noise}. Train the source with config.replace("
            "bayesian=False)."
        )


def _copy_weights(keras_model, source):
    targets = [layer for layer in keras_model.layers
               if isinstance(layer, (tfp.layers.DenseFlipout, tf_keras.layers.Dense))]
    for layer, (w, _, b) in zip(targets, source._net.layers):
        if isinstance(layer, tfp.layers.DenseFlipout):
            layer.kernel_posterior.distribution.loc.assign(w.astype(np.float32))
            layer.bias_posterior.distribution.loc.assign(b.astype(np.float32))
        else:
            layer.set_weights([w.astype(np.float32), b.astype(np.float32)])


def _negative_log_likelihood(y, distribution):
    return -distribution.log_prob(tf.reshape(y, (-1, 1)))


def _beta_nll(beta):
    def loss(y, distribution):
        weight = tf.stop_gradient(distribution.stddev()) ** (2.0 * beta)
        return -distribution.log_prob(tf.reshape(y, (-1, 1))) * weight
    return loss


def train_ensemble(config: ProbabilisticConfig, features, target, *, n_members=5, seed=0,
                   validation=None, verbose=False) -> Ensemble:
    """Train ``n_members`` networks from seeds ``seed, seed + 1, ...`` (a deep ensemble).

    Parameters
    ----------
    config : ProbabilisticConfig
        Usually :data:`ALEATORIC` (the ensemble of Lakshminarayanan et al.).
    features, target : array_like
        As in :func:`train`.
    n_members : int, keyword-only
        Ensemble size, >= 2.
    seed : int, keyword-only
        Seed of the first member.
    validation, verbose
        As in :func:`train`.

    Returns
    -------
    Ensemble
    """
    if isinstance(n_members, bool) or not isinstance(n_members, numbers.Integral) \
            or n_members < 2:
        raise ValueError(f"train_ensemble: n_members must be an int >= 2, got {n_members!r}.")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"train_ensemble: seed must be a non-negative int, got {seed!r}.")
    members = [train(config, features, target, seed=int(seed) + k, validation=validation,
                     verbose=verbose) for k in range(int(n_members))]
    return Ensemble(members)
