r"""What training returns: a trained network (:class:`FitResult`), an :class:`Ensemble`.

Both predict in NumPy (:meth:`FitResult.predict`), draw outputs with
randomness only from ``rng`` and are sampled by the same functions:
:func:`sample_trajectories` (whole noisy trajectories for given pendulums),
:func:`variance_decomposition` (aleatoric and epistemic variance) and
:func:`predict_trajectory` (the mean angle over a time grid).
:func:`physgen.nn.train` makes them (:mod:`physgen.nn.training`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from physgen import _validation as check
from physgen._tf import tf
from physgen.datasets import FEATURES, feature_rows
from physgen.nn.config import NetworkConfig
from physgen.nn.network import NumpyNetwork

__all__ = [
    "Prediction",
    "VarianceDecomposition",
    "FitResult",
    "Ensemble",
    "predict_trajectory",
    "sample_trajectories",
    "variance_decomposition",
]


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
