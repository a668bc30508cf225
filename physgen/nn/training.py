r"""Training (:func:`train`, :func:`train_ensemble`) and what it returns.

One training loop serves every network of the course. Each epoch shuffles the
rows with ``numpy.random.default_rng(seed)`` and runs all of its mini-batches in
one compiled TensorFlow loop; each step minimises, with Adam, the (weighted)
mean over the batch of the per-row loss

.. math::

    \ell_i = \big(f_w(x_i) - y_i\big)^2 \quad \text{(``loss="mse"``)}, \qquad
    \ell_i = -\log \mathcal N\big(y_i \mid \mu_w(x_i), \sigma_w(x_i)^2\big)
    \quad \text{(``loss="nll"``)},

plus, for a Bayesian network, :math:`\mathrm{KL}(q\,\|\,p)/N` (so the loss is
the negative ELBO per training row). A trained network comes back as a frozen
:class:`FitResult`; several as an :class:`Ensemble`.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from physgen import _validation as check
from physgen._progress import Progress
from physgen._tf import seed_tensorflow, tf, tf_keras
from physgen.datasets import FEATURES, Dataset, feature_rows
from physgen.nn.config import NetworkConfig
from physgen.nn.network import NumpyNetwork, build_network, check_config, tfp

__all__ = [
    "Prediction",
    "VarianceDecomposition",
    "FitResult",
    "Ensemble",
    "seed",
    "train",
    "train_ensemble",
    "sweep",
    "predict_trajectory",
    "sample_trajectories",
    "variance_decomposition",
]


def seed(seed: int) -> None:
    """Seed TensorFlow once, with deterministic ops (see :mod:`physgen._tf`).

    NumPy is *not* seeded: physgen's data randomness always comes from ``rng``
    arguments. :func:`train` also seeds TensorFlow from its own ``seed``, so a
    training run does not depend on what ran before it.

    Parameters
    ----------
    seed : int
        Non-negative integer.
    """
    seed_tensorflow(check.seed(seed, "seed", "seed"))


# --------------------------------------------------------------------------- results
@dataclass(frozen=True, eq=False)
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


@dataclass(frozen=True, eq=False)
class VarianceDecomposition:
    r"""Law of total variance over weight draws, per row.

    Attributes
    ----------
    mean : ndarray, shape (R,)
        Predictive mean [rad].
    aleatoric : ndarray, shape (R,)
        :math:`\mathbb E_w[\sigma_w^2]` [rad^2].
    epistemic : ndarray, shape (R,)
        :math:`\operatorname{Var}_w[\mu_w]` [rad^2].
    total : ndarray, shape (R,)
        Predictive variance [rad^2]: exactly ``aleatoric + epistemic``.
    """

    mean: np.ndarray
    aleatoric: np.ndarray
    epistemic: np.ndarray
    total: np.ndarray


def _features(features, where, *, ndim=(2,)):
    """Rows with every column of FEATURES in the last axis, as float64."""
    fix = (
        f"pass rows with the {len(FEATURES)} columns {FEATURES}, shape (R, {len(FEATURES)}) "
        "(dataset.features or physgen.feature_rows(...))."
    )
    x = check.array(features, "features", where, finite=False, nonempty=False)
    if x.ndim not in ndim or x.shape[-1] != len(FEATURES):
        raise ValueError(
            f"{where}: features of shape {x.shape} must have {len(FEATURES)} "
            f"columns in the last axis and {' or '.join(map(str, ndim))} "
            f"dimensions; {fix}"
        )
    return check.array(x, "features", where, fix=fix)


def _n_samples(n_samples, where):
    return check.integer(n_samples, "n_samples", where, minimum=1, fix="pass e.g. n_samples=100.")


class _Sampler:
    """Methods shared by a trained network and an ensemble."""

    def predict(self, features) -> np.ndarray:  # pragma: no cover - overridden
        raise NotImplementedError

    def predictive(self, features, *, n_samples=200, rng=None) -> Prediction:
        """Predictive mean, aleatoric and epistemic standard deviations per row.

        Parameters
        ----------
        features : array_like, shape (R, 6)
            Rows with the columns :data:`physgen.FEATURES`.
        n_samples : int, keyword-only
            Weight draws for a Bayesian network (ignored otherwise), >= 1.
        rng : None, int or numpy.random.Generator, keyword-only
            Source of the weight draws.

        Returns
        -------
        Prediction
        """
        dec = variance_decomposition(self, features, n_samples=n_samples, rng=rng)
        return Prediction(
            mean=dec.mean,
            aleatoric_std=np.sqrt(dec.aleatoric),
            epistemic_std=np.sqrt(dec.epistemic),
        )

    def sample_trajectories(self, features, *, n_samples=5, rng=None, observation_noise=True):
        """See :func:`sample_trajectories`."""
        return sample_trajectories(
            self, features, n_samples=n_samples, rng=rng, observation_noise=observation_noise
        )


@dataclass(frozen=True, eq=False)
class FitResult(_Sampler):
    """A trained network and how its training went (returned by :func:`train`).

    Attributes
    ----------
    model : tf_keras.Model
        The trained Keras network; its inputs are the raw columns
        ``config.features`` (standardised inside, if configured).
    config : NetworkConfig
        The configuration it was trained with.
    history : Mapping[str, tuple of float]
        Per-epoch ``"loss"`` (mean training loss over the epoch's batches:
        rad^2 for the MSE, nats for the NLL; for a Bayesian network the
        negative ELBO per row) and, with validation data, ``"val_loss"``. A
        Bayesian network also records, at the end of every epoch, ``"kl"``
        (the KL term of the loss: KL(q || p) times the KL weight, nats per
        row) and the 10 %, 50 % and 90 % quantiles of its
        kernels' posterior standard deviations, ``"spread_q10"``,
        ``"spread_median"``, ``"spread_q90"``.
    epochs_run : int
        Epochs actually run (fewer than ``config.epochs`` if stopped early).
    best_epoch : int or None
        1-based epoch of the lowest validation loss (None without validation).
    seconds : float
        Wall-clock training time [s] (tracing included).
    mean, std : ndarray, shape (n_features,), or None
        The training features' mean and standard deviation used to standardise
        (None without input scaling).
    n_train : int
        Number of training rows.
    seed : int
        The seed it was trained with.
    """

    model: Any = field(repr=False)
    config: NetworkConfig
    history: MappingProxyType = field(repr=False)
    epochs_run: int
    best_epoch: int | None
    seconds: float
    mean: np.ndarray | None = field(repr=False)
    std: np.ndarray | None = field(repr=False)
    n_train: int
    seed: int
    network: NumpyNetwork = field(init=False, repr=False)

    def __post_init__(self):
        object.__setattr__(
            self, "network", NumpyNetwork(self.model, self.config, self.mean, self.std)
        )

    @property
    def weights(self) -> list[np.ndarray]:
        """Copies of the trained weights, as Keras lists them (``model.get_weights()``)."""
        return [np.array(w) for w in self.model.get_weights()]

    @property
    def stochastic_weights(self) -> bool:
        """True if the weights have a distribution (epistemic uncertainty)."""
        return self.network.stochastic

    def _select(self, features, where, ndim=(2,)):
        x = _features(features, where, ndim=ndim)
        return x[..., list(self.config.feature_index)]

    def predict(self, features) -> np.ndarray:
        """Point predictions [rad]: the network's output, or its Normal's mean.

        For a Bayesian network this is the network with every weight at its
        posterior mean; :meth:`predictive` averages over weight draws instead.

        Parameters
        ----------
        features : array_like, shape (R, 6)
            Rows with all the columns :data:`physgen.FEATURES` (the network's
            own columns are selected here), e.g. ``dataset.features``.

        Returns
        -------
        numpy.ndarray, shape (R,)
            Angles [rad] (float64).
        """
        x = self._select(features, "predict")
        if self.config.head == "none":
            out = self.model(tf.constant(x, dtype=tf.float32), training=False)
            return out.numpy()[:, 0].astype(float)
        return self.network.outputs(x)[0]

    def draw_outputs(self, features, *, n_samples=100, rng=None):
        r"""Mean and noise level of ``n_samples`` sampled networks.

        Parameters
        ----------
        features : array_like, shape (R, 6)
            Rows with the columns :data:`physgen.FEATURES`.
        n_samples : int, keyword-only
            Number of weight draws (>= 1). Fixed weights repeat one network.
        rng : None, int or numpy.random.Generator, keyword-only
            Source of the weight draws.

        Returns
        -------
        loc, scale : ndarray, shape (n_samples, R)
            :math:`\mu_{w_s}(x)` and :math:`\sigma_{w_s}(x)` [rad].
        """
        n_samples = _n_samples(n_samples, "draw_outputs")
        x = self._select(features, "draw_outputs")
        net = self.network
        if not net.stochastic:
            loc, scale = net.outputs(x)
            return (
                np.broadcast_to(loc, (n_samples,) + loc.shape).copy(),
                np.broadcast_to(scale, (n_samples,) + scale.shape).copy(),
            )
        gen = np.random.default_rng(rng)
        locs, scales = [], []
        chunk = max(1, int(2_000_000 // (x.shape[0] * max(self.config.hidden))))
        for start in range(0, n_samples, chunk):
            k = min(chunk, n_samples - start)
            loc, scale = net.outputs(x, net.draw_kernels(k, gen))
            locs.append(loc)
            scales.append(scale)
        return np.concatenate(locs), np.concatenate(scales)


@dataclass(frozen=True, eq=False)
class Ensemble(_Sampler):
    """Networks trained from different seeds, used as samples of the weights.

    Its predictive distribution is the equal-weight mixture of the members'
    outputs; a sampled trajectory comes from one member chosen at random.

    Parameters
    ----------
    members : sequence of FitResult
        At least one trained network, all reading the same features.
    """

    members: tuple

    def __post_init__(self):
        members = check.sequence(
            self.members,
            "members",
            "Ensemble",
            fix="pass a list of FitResult from physgen.nn.train.",
        )
        for k, m in enumerate(members):
            check.instance(
                m,
                FitResult,
                f"members[{k}]",
                "Ensemble",
                fix="pass networks returned by physgen.nn.train.",
            )
        object.__setattr__(self, "members", members)

    @property
    def config(self) -> NetworkConfig:
        """The first member's configuration."""
        return self.members[0].config

    @property
    def seconds(self) -> float:
        """Total wall-clock training time [s]."""
        return float(sum(m.seconds for m in self.members))

    @property
    def stochastic_weights(self) -> bool:
        return True

    def predict(self, features) -> np.ndarray:
        """The mixture's mean [rad]: the members' point predictions averaged."""
        return np.mean([m.predict(features) for m in self.members], axis=0)

    def draw_outputs(self, features, *, n_samples=None, rng=None):
        """Outputs of ``n_samples`` members drawn at random, or of every member once.

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
            n_samples = _n_samples(n_samples, "Ensemble.draw_outputs")
            idx = np.random.default_rng(rng).integers(len(self.members), size=n_samples)
        gen = np.random.default_rng(rng)
        cache = {
            int(i): self.members[int(i)].draw_outputs(features, n_samples=1, rng=gen)
            for i in np.unique(idx)
        }
        loc = np.concatenate([cache[int(i)][0] for i in idx])
        scale = np.concatenate([cache[int(i)][1] for i in idx])
        return loc, scale


def _check_sampler(model, where):
    return check.instance(
        model,
        (FitResult, Ensemble),
        "model",
        where,
        fix="pass the result of physgen.nn.train or an Ensemble.",
    )


def variance_decomposition(model, features, *, n_samples=200, rng=None) -> VarianceDecomposition:
    r"""Split the predictive variance into aleatoric and epistemic parts.

    With weight draws :math:`w_1..w_S` (ensemble members for an
    :class:`Ensemble`), the moments of the mixture
    :math:`\frac1S\sum_s \mathcal N(\mu_s, \sigma_s^2)` are

    .. math::

        \bar\mu = \frac1S\sum_s \mu_s, \qquad
        \underbrace{\frac1S\sum_s\sigma_s^2}_{\text{aleatoric}}
        + \underbrace{\frac1S\sum_s(\mu_s-\bar\mu)^2}_{\text{epistemic}}
        = \text{total}.

    Parameters
    ----------
    model : FitResult or Ensemble
    features : array_like, shape (R, 6)
    n_samples : int, keyword-only
        Weight draws (>= 1) of a Bayesian network; an ensemble uses each
        member once; fixed weights need one.
    rng : None, int or numpy.random.Generator, keyword-only

    Returns
    -------
    VarianceDecomposition
        Arrays of shape (R,) in rad (mean) and rad^2 (variances).
    """
    _check_sampler(model, "variance_decomposition")
    n_samples = _n_samples(n_samples, "variance_decomposition")
    if isinstance(model, Ensemble):
        loc, scale = model.draw_outputs(features)
    else:
        loc, scale = model.draw_outputs(
            features, n_samples=n_samples if model.stochastic_weights else 1, rng=rng
        )
    mean = loc.mean(axis=0)
    aleatoric = np.mean(scale**2, axis=0)
    epistemic = np.mean((loc - mean) ** 2, axis=0)
    return VarianceDecomposition(
        mean=mean, aleatoric=aleatoric, epistemic=epistemic, total=aleatoric + epistemic
    )


def sample_trajectories(model, features, *, n_samples=5, rng=None, observation_noise=True):
    r"""Sample whole trajectories: one network (weight draw) per sampled trajectory.

    Sample ``s`` draws weights :math:`w_s \sim q(w)` once (an ensemble member,
    for an :class:`Ensemble`) and evaluates that one network at every time
    step, so the sample is a coherent curve; with ``observation_noise=True``
    it then adds independent noise :math:`\sigma_{w_s}(x_i)\,\varepsilon_i` at
    every step, as a measurement would.

    Parameters
    ----------
    model : FitResult or Ensemble
    features : array_like, shape (T, 6) or (B, T, 6)
        The rows of one trajectory (see :func:`physgen.feature_rows`), or of
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
    _check_sampler(model, "sample_trajectories")
    n_samples = _n_samples(n_samples, "sample_trajectories")
    observation_noise = check.boolean(observation_noise, "observation_noise", "sample_trajectories")
    x = _features(features, "sample_trajectories", ndim=(2, 3))
    gen = np.random.default_rng(rng)
    rows = x.reshape(-1, x.shape[-1])
    loc, scale = model.draw_outputs(rows, n_samples=n_samples, rng=gen)
    out = loc
    if observation_noise:
        out = loc + scale * gen.standard_normal(loc.shape)
    return out.reshape((n_samples,) + x.shape[:-1])


def predict_trajectory(model, params, t) -> np.ndarray:
    """Generate whole trajectories, one time point per network evaluation.

    Parameters
    ----------
    model : FitResult or Ensemble
        A trained network (:func:`train`): its point predictions.
    params : PendulumParameters or Mapping
        ``n`` pendulums, or one pendulum as a mapping (see
        :func:`physgen.feature_rows`, which also gives the defaults). Values
        outside the training ranges are allowed: the network extrapolates.
    t : array_like, shape (T,)
        Times [s], finite.

    Returns
    -------
    numpy.ndarray, shape (n, T) or (T,)
        Predicted angles [rad]; ``(T,)`` for a single mapping.
    """
    _check_sampler(model, "predict_trajectory")
    x = feature_rows(params, t)
    return model.predict(x.reshape(-1, len(FEATURES))).reshape(x.shape[:-1])


# --------------------------------------------------------------------------- training
def _rows(data, config, where, name):
    """Selected feature columns and targets of a Dataset or an (x, y) pair."""
    if isinstance(data, Dataset):
        x, y = data.features, data.target
    elif isinstance(data, tuple) and len(data) == 2:
        x, y = data
    else:
        raise TypeError(
            f"{where}: {name} must be a physgen Dataset or a pair (x, y), got "
            f"{type(data).__name__}; pass e.g. split.train or "
            "(dataset.features, dataset.target)."
        )
    x = _features(x, where)
    y = check.array(
        y,
        f"{name} targets",
        where,
        shape=(x.shape[0],),
        fix=f"pass one observed angle [rad] per row: shape ({x.shape[0]},).",
    )
    return x[:, list(config.feature_index)], y


def _check_init_from(source, config):
    check.instance(
        source, FitResult, "init_from", "train", fix="pass a network returned by physgen.nn.train."
    )
    c = source.config
    same = (
        c.hidden == config.hidden
        and c.activation == config.activation
        and c.features == config.features
        and c.n_outputs == config.n_outputs
        and c.input_scaling == config.input_scaling
        and not c.bayesian
    )
    if not same:
        raise ValueError(
            "train: init_from must be a network with fixed weights and the same hidden, "
            "activation, features, input_scaling and number of outputs as config; got "
            f"{c.hidden}/{c.activation}/{c.features}/{c.head}/bayesian={c.bayesian} for "
            f"{config.hidden}/{config.activation}/{config.features}/{config.head}. Train the "
            "source with config.replace(bayesian=False)."
        )


def _copy_weights(keras_model, source):
    targets = [
        layer
        for layer in keras_model.layers
        if isinstance(layer, (tfp.layers.DenseFlipout, tf_keras.layers.Dense))
    ]
    for layer, (w, _, b) in zip(targets, source.network.layers, strict=True):
        if isinstance(layer, tfp.layers.DenseFlipout):
            layer.kernel_posterior.distribution.loc.assign(w.astype(np.float32))
            layer.bias_posterior.distribution.loc.assign(b.astype(np.float32))
        else:
            layer.set_weights([w.astype(np.float32), b.astype(np.float32)])
    if source.network.raw_scale is not None:
        for layer in keras_model.layers:
            if hasattr(layer, "raw"):
                layer.raw.assign(source.network.raw_scale)


#: Per-epoch records of a Bayesian network's training (see :func:`train`).
_POSTERIOR_HISTORY = ("kl", "spread_q10", "spread_median", "spread_q90")


def _posterior_summary(flipout_layers, kl_weight):
    """The weighted KL term and quantiles of the posterior standard deviations, now."""
    kl = sum(
        float(tfp.distributions.kl_divergence(layer.kernel_posterior, layer.kernel_prior))
        for layer in flipout_layers
    )
    spreads = np.concatenate(
        [
            np.asarray(tf.convert_to_tensor(layer.kernel_posterior.distribution.scale)).ravel()
            for layer in flipout_layers
        ]
    )
    q10, q50, q90 = np.quantile(spreads, [0.1, 0.5, 0.9])
    return {
        "kl": kl * kl_weight,
        "spread_q10": float(q10),
        "spread_median": float(q50),
        "spread_q90": float(q90),
    }


def _row_loss(config):
    """Per-row loss of the model's output ``out`` against targets ``y`` of shape (B,)."""
    beta = config.nll_beta

    def loss(out, y):
        if config.head == "none":
            return tf.square(tf.squeeze(out, axis=-1) - y)
        if config.loss == "mse":  # the original: the squared error of one *sample*
            return tf.square(tf.squeeze(tf.convert_to_tensor(out), axis=-1) - y)
        nll = -out.log_prob(y[:, None])[:, 0]
        if beta > 0:
            nll = nll * tf.stop_gradient(out.stddev()[:, 0]) ** (2.0 * beta)
        return nll

    return loss


class _Steps:
    """A network's compiled training epoch and validation loss (see :func:`_step_functions`)."""

    def __init__(self, config, worker, n, bs, kl_var):
        n_batches = math.ceil(n / bs)
        if config.schedule == "cosine":
            lr = tf_keras.optimizers.schedules.CosineDecay(
                config.learning_rate,
                decay_steps=config.epochs * n_batches,
                alpha=config.final_lr_fraction,
            )
        else:
            lr = config.learning_rate
        self.worker = worker
        self.optimizer = optimizer = tf_keras.optimizers.Adam(learning_rate=lr)
        variables = worker.trainable_variables
        optimizer.build(variables)
        row_loss = _row_loss(config)

        def extra_losses():
            return tf.add_n(worker.losses) if worker.losses else tf.constant(0.0, tf.float32)

        @tf.function
        def run_epoch(X, Y, W, perm):
            total = tf.constant(0.0, dtype=tf.float32)
            for i in tf.range(n_batches):
                idx = perm[i * bs : tf.minimum((i + 1) * bs, n)]
                xb, yb, wb = tf.gather(X, idx), tf.gather(Y, idx), tf.gather(W, idx)
                with tf.GradientTape() as tape:
                    out = worker(xb, training=True)
                    loss = tf.reduce_sum(wb * row_loss(out, yb)) / tf.reduce_sum(wb)
                    loss += extra_losses()
                grads = tape.gradient(loss, variables)
                optimizer.apply_gradients(zip(grads, variables, strict=True))
                total += loss
            return total / tf.cast(n_batches, tf.float32)

        @tf.function
        def val_loss(XV, YV):
            out = worker(XV, training=False)
            return tf.reduce_mean(row_loss(out, YV)) + extra_losses()

        self.run_epoch, self.val_loss = run_epoch, val_loss

    def reset(self):
        """Adam back to its initial state (zero moments, step 0)."""
        for var in self.optimizer.variables:
            var.assign(tf.zeros_like(var))


#: Compiled training steps kept for reuse, most recent last (see :func:`_step_functions`).
_STEPS: dict = {}
_MAX_STEPS = 8


def _step_functions(config, model, n, bs, kl_var, mean, std) -> _Steps:
    """The compiled epoch for ``model``: reused across calls when that is exact.

    Tracing a training epoch costs about a second, more than training a small
    network for a few epochs, so sweeps over seeds reuse one compiled worker per
    network shape and training schedule (its weights are set from ``model``, Adam
    is reset). Only training graphs without random operations are reused: a
    traced random op keeps its seed, so Bayesian layers and the sampled MSE of
    the original's heads are always traced afresh.
    """
    random_ops = config.bayesian or (config.head != "none" and config.loss == "mse")
    if random_ops:
        return _Steps(config, model, n, bs, kl_var)
    # The input scaling is a constant of the graph (a Normalization layer): part of the key.
    key = (
        config.replace(patience=None, restore_best=False),
        n,
        bs,
        None if mean is None else (np.asarray(mean).tobytes(), np.asarray(std).tobytes()),
    )
    steps = _STEPS.pop(key, None)
    if steps is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scaling = {} if mean is None else {"mean": mean, "std": std}
            worker = build_network(config, len(config.features), seed=0, **scaling)
        steps = _Steps(config, worker, n, bs, kl_var)
    else:
        steps.reset()
    _STEPS[key] = steps
    while len(_STEPS) > _MAX_STEPS:
        _STEPS.pop(next(iter(_STEPS)))
    return steps


def train(
    config: NetworkConfig,
    data,
    *,
    validation=None,
    weights=None,
    seed: int = 0,
    init_from: FitResult | None = None,
    progress: str | None = None,
) -> FitResult:
    """Train a network on rows ``features -> angle``.

    The run is reproducible: TensorFlow is seeded from ``seed`` (initial
    weights, Flipout noise, sampled outputs) with deterministic ops, and the
    rows are shuffled every epoch by ``numpy.random.default_rng(seed)``.

    Parameters
    ----------
    config : NetworkConfig
        Architecture, head and training (e.g. :data:`ORIGINAL`, :data:`BAYESIAN`).
    data : Dataset or (x, y)
        Training rows: ``x`` of shape (R, 6) with the columns
        :data:`physgen.FEATURES` [rad, rad/s, s, kg, m/s^2, m], ``y`` of shape
        (R,) observed angles [rad]. A :class:`physgen.Dataset` gives
        ``features`` and (noisy) ``target``.
    validation : Dataset or (x, y), optional
        Rows scored after every epoch (history, early stopping,
        ``restore_best``); give it whole held-out trajectories. Required when
        ``config.patience`` is set or ``config.restore_best`` is True.
    weights : array_like, shape (R,), optional
        Non-negative per-row weights of the training loss (not all zero);
        each batch's loss is ``sum(w * loss) / sum(w)``. Default: equal.
    seed : int, optional
        Non-negative seed. Default 0.
    init_from : FitResult, optional
        Start from this trained network (same layers, fixed weights): its
        weights become the initial weights (for a Bayesian ``config``, the
        initial posterior means) and its input scaling is reused.
    progress : str, optional
        A label: show a progress bar "label: epoch i/n" while training, in a
        notebook or a terminal (see :mod:`physgen._progress`); None: silent.
        The losses per epoch are in the result's ``history``.

    Returns
    -------
    FitResult

    Raises
    ------
    TypeError
        A config, data, weights or seed of the wrong type.
    ValueError
        Wrong shapes, non-finite or empty data, negative weights, or a missing
        validation set when the config needs one.
    FloatingPointError
        The training loss became NaN or infinite (lower the learning rate).
    """
    check_config(config, "train")
    x, y = _rows(data, config, "train", "data")
    n = x.shape[0]
    if validation is None and (config.patience is not None or config.restore_best):
        raise ValueError(
            "train: validation=None, but this config uses early stopping "
            f"(patience={config.patience}) or restore_best={config.restore_best}; "
            "pass validation=... (held-out trajectories, e.g. split.validation) "
            "or use patience=None, restore_best=False."
        )
    xv = yv = None
    if validation is not None:
        xv, yv = _rows(validation, config, "train", "validation")
    if weights is None:
        w = np.ones(n)
    else:
        w = check.array(
            weights,
            "weights",
            "train",
            shape=(n,),
            nonnegative=True,
            fix=f"pass {n} finite values >= 0, one per training row, e.g. "
            "1 / (noise.std(t)**2 + 0.01).",
        )
        if not np.any(w > 0):
            raise ValueError("train: weights are all 0; give some rows a positive weight.")
    seed = check.seed(seed, "seed", "train")
    if init_from is not None:
        _check_init_from(init_from, config)

    seed_tensorflow(seed)
    gen = np.random.default_rng(seed)
    start = time.perf_counter()
    if init_from is not None:
        mean, std = init_from.mean, init_from.std
    elif config.input_scaling == "standardize":
        mean, std = x.mean(axis=0), x.std(axis=0)
    else:
        mean = std = None
    kl_target = 1.0 / n if config.kl_weight is None else config.kl_weight
    kl_var = tf.Variable(
        0.0 if config.kl_warmup_epochs else kl_target, trainable=False, dtype=tf.float32
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tfp.layers use a deprecated Keras call
        scaling = {} if mean is None else {"mean": mean, "std": std}
        model = build_network(config, x.shape[1], seed=seed, kl_weight=kl_var, **scaling)
    if init_from is not None:
        _copy_weights(model, init_from)
    bs = min(config.batch_size, n)
    step = _step_functions(config, model, n, bs, kl_var, mean, std)
    if step.worker is not model:  # a compiled worker of the same shape: start it from `model`
        step.worker.set_weights(model.get_weights())
    X = tf.constant(x, dtype=tf.float32)
    Y = tf.constant(y, dtype=tf.float32)
    W = tf.constant(w / w.mean(), dtype=tf.float32)
    if xv is not None:
        XV = tf.constant(xv, dtype=tf.float32)
        YV = tf.constant(yv, dtype=tf.float32)

        def val_loss():
            return step.val_loss(XV, YV)

    def run_epoch(perm):
        return step.run_epoch(X, Y, W, perm)

    history: dict[str, list[float]] = {"loss": []}
    if xv is not None:
        history["val_loss"] = []
    flipout = [layer for layer in model.layers if isinstance(layer, tfp.layers.DenseFlipout)]
    if flipout:
        for key in _POSTERIOR_HISTORY:
            history[key] = []
    best, best_epoch, best_weights, wait = math.inf, None, None, 0
    bar = Progress(progress, config.epochs)
    epochs_run = 0
    for epoch in range(1, config.epochs + 1):
        if config.kl_warmup_epochs:
            kl_var.assign(kl_target * min(1.0, epoch / config.kl_warmup_epochs))
        perm = tf.constant(gen.permutation(n).astype(np.int32))
        loss = float(run_epoch(perm))
        epochs_run = epoch
        if not math.isfinite(loss):
            raise FloatingPointError(
                f"train: the training loss became {loss} at epoch {epoch}; lower "
                f"learning_rate (now {config.learning_rate}) or standardise the inputs."
            )
        history["loss"].append(loss)
        if flipout:
            for key, value in _posterior_summary(flipout, float(kl_var.numpy())).items():
                history[key].append(value)
        if xv is not None:
            vloss = float(val_loss())
            history["val_loss"].append(vloss)
            if vloss < best:
                best, best_epoch, wait = vloss, epoch, 0
                if config.restore_best:
                    best_weights = step.worker.get_weights()
            else:
                wait += 1
        bar.update(epoch)
        if config.patience is not None and wait >= config.patience:
            break
    bar.close(epochs_run)
    if config.restore_best and best_weights is not None:
        step.worker.set_weights(best_weights)
    if step.worker is not model:
        model.set_weights(step.worker.get_weights())
    seconds = time.perf_counter() - start
    return FitResult(
        model=model,
        config=config,
        history=MappingProxyType({k: tuple(vals) for k, vals in history.items()}),
        epochs_run=epochs_run,
        best_epoch=best_epoch,
        seconds=seconds,
        mean=mean,
        std=std,
        n_train=n,
        seed=seed,
    )


def train_ensemble(
    config: NetworkConfig, data, *, n_members=5, seed=0, validation=None, progress=None
) -> Ensemble:
    """Train ``n_members`` networks from seeds ``seed, seed + 1, ...`` (a deep ensemble).

    Parameters
    ----------
    config : NetworkConfig
        Usually :data:`ALEATORIC` (the ensemble of Lakshminarayanan et al.).
    data, validation
        As in :func:`train`.
    progress : str, keyword-only, optional
        A label: one progress bar per member, "label, member k: epoch i/n".
    n_members : int, keyword-only
        Ensemble size, >= 2.
    seed : int, keyword-only
        Seed of the first member.

    Returns
    -------
    Ensemble
    """
    n_members = check.integer(
        n_members, "n_members", "train_ensemble", minimum=2, fix="pass e.g. n_members=5."
    )
    seed = check.seed(seed, "seed", "train_ensemble")
    return Ensemble(
        tuple(
            train(
                config,
                data,
                seed=seed + k,
                validation=validation,
                progress=None if progress is None else f"{progress}, member {k + 1}",
            )
            for k in range(n_members)
        )
    )


def sweep(configs, data, *, validation=None, seeds, score) -> dict:
    """Train every configuration once per seed and score each trained network.

    Comparisons between set-ups need several seeds: the spread between seeds of
    one set-up is the yardstick for the difference between two set-ups. All
    runs happen in this process, so the compiled training steps of one network
    shape are reused across seeds.

    Parameters
    ----------
    configs : Mapping[str, NetworkConfig]
        The set-ups, by name.
    data, validation
        As in :func:`train` (the same rows for every run).
    seeds : sequence of int
        At least two distinct non-negative seeds.
    score : callable
        ``score(result) -> float`` for a :class:`FitResult`, e.g. the test RMSE.

    Returns
    -------
    dict[str, numpy.ndarray]
        For each name, the scores in the order of ``seeds``.
    """
    if not hasattr(configs, "items"):
        raise TypeError(
            f"sweep: configs must be a mapping name -> NetworkConfig, got "
            f"{type(configs).__name__}; pass e.g. {{'original': nn.ORIGINAL}}."
        )
    names = check.sequence(
        tuple(configs),
        "configs",
        "sweep",
        fix="pass a dict with at least one name -> NetworkConfig.",
    )
    for name in names:
        check_config(configs[name], "sweep")
    seeds = check.sequence(
        seeds,
        "seeds",
        "sweep",
        fix="pass e.g. seeds=range(5).",
        item=lambda x, item: check.seed(x, item, "sweep"),
    )
    if len(set(seeds)) < 2 or len(set(seeds)) != len(seeds):
        raise ValueError(
            f"sweep: seeds={seeds!r} must be at least two distinct seeds; pass e.g. seeds=range(5)."
        )
    if not callable(score):
        raise TypeError(
            f"sweep: score must be a function of a FitResult, got "
            f"{type(score).__name__}; pass e.g. lambda r: rmse(test.truth, "
            "r.predict(test.features))."
        )
    return {
        name: np.array(
            [float(score(train(configs[name], data, validation=validation, seed=s))) for s in seeds]
        )
        for name in names
    }
