r"""Flow matching: a generator that is an ODE, learned from whole trajectories.

A sample of a flow-matching model (Lipman et al. 2023; Liu et al. 2023,
"rectified flow"; Albergo & Vanden-Eijnden 2023) is the end point of an
ordinary differential equation in a "time" :math:`s \in [0, 1]` (not the
pendulum's time :math:`t`),

.. math::

    \frac{\mathrm d x}{\mathrm d s} = v_w(x, s), \qquad
    x(0) = x_0 \sim \mathcal N(0, I), \qquad \text{sample} = x(1),

and the network :math:`v_w` is trained to carry noise to data along
straight lines. With a noise draw :math:`x_0`, a data point :math:`x_1` and
:math:`s \sim U(0, 1)`, the *linear interpolant* and its velocity are

.. math::

    x_s = (1 - s)\,x_0 + s\,x_1, \qquad \frac{\mathrm d x_s}{\mathrm d s} = x_1 - x_0,

and the loss is the regression of the network on that velocity,

.. math::

    \mathcal L(w) = \mathbb E_{x_0, x_1, s}\,
        \frac1d \big\lVert v_w(x_s, s) - (x_1 - x_0) \big\rVert^2 ,

whose minimiser is the conditional mean :math:`\mathbb E[x_1 - x_0 \mid x_s]`:
the velocity field whose ODE transports :math:`\mathcal N(0, I)` to the data.

The flow runs in *coordinates* (:class:`FlowCoordinates`) of the trajectories:

- ``space="raw"``: every angle, centred and scaled per time point (``d = T``);
- ``space="pca"``: the leading ``n_components`` principal components of the
  training trajectories, whitened (``d = n_components``): a linear latent
  space, as latent diffusion uses a learned one. Its truncation error is a
  floor no flow in that space can beat (:meth:`FlowCoordinates.reconstruct`).

- :class:`FlowConfig`: every setting, frozen and validated;
  :data:`FLOW_MATCHING` the course's defaults.
- :func:`interpolant`, :func:`embed_s`, :func:`build_velocity`,
  :func:`flow_matching_loss`: the pieces the chapter writes on its page.
- :func:`integrate_flow`: Euler's and Heun's methods for ``dx/ds = v(x, s)``
  with a given number of velocity evaluations (NFE), for any velocity field.
- :func:`train_flow`: seeded, deterministic training by steps, optionally
  judged at checkpoints; returns a frozen :class:`TrainedFlow`, a
  :class:`physgen.Generator` (``.sample(n, rng=...)``), optionally
  conditioned (e.g. on the length and g).

This module imports TensorFlow (through :mod:`physgen._tf`).

Examples
--------
>>> import numpy as np
>>> from physgen.nn import flow
>>> x = np.random.default_rng(0).normal(size=(64, 12))
>>> cfg = flow.FlowConfig(hidden=(16,), steps=5, batch_size=16)
>>> model = flow.train_flow(cfg, x, seed=0)
>>> model.sample(3, rng=0, method="euler", nfe=4).shape, model.history["loss"].shape
((3, 12), (5,))
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from physgen import _validation as check
from physgen._progress import Progress
from physgen._tf import seed_tensorflow, tf, tf_keras
from physgen.nn.flow_coordinates import SPACES, FlowCoordinates, _trajectories, flow_coordinates

__all__ = [
    "SPACES",
    "METHODS",
    "SCHEDULES",
    "FlowConfig",
    "FLOW_MATCHING",
    "FlowCoordinates",
    "flow_coordinates",
    "interpolant",
    "embed_s",
    "build_velocity",
    "flow_matching_loss",
    "integrate_flow",
    "TrainedFlow",
    "train_flow",
    "restore_flow",
]

#: ODE solvers of :func:`integrate_flow`.
METHODS = ("euler", "heun")
#: Learning-rate schedules: ``"constant"``, or ``"cosine"`` decay to 0 over the steps.
SCHEDULES = ("constant", "cosine")

_WHERE = "FlowConfig"


def _nfe(nfe, method, where):
    nfe = check.integer(nfe, "nfe", where, minimum=1, fix="pass e.g. nfe=40.")
    if method == "heun" and nfe % 2:
        raise ValueError(
            f"{where}: nfe={nfe} must be even for method='heun' (two evaluations per step); "
            f"pass e.g. nfe={nfe + 1}."
        )
    return nfe


@dataclass(frozen=True)
class FlowConfig:
    """Settings of a flow-matching model (frozen and validated).

    Parameters
    ----------
    hidden : tuple of int, default (256, 256, 256)
        Widths of the velocity network's hidden dense layers (SiLU activations).
    n_frequencies : int, default 8
        The embedding of :math:`s`: :math:`\\sin(\\pi k s), \\cos(\\pi k s)` for
        :math:`k = 1, \\dots, n` (:func:`embed_s`), >= 1.
    space : {"raw", "pca"}, default "raw"
        Where the flow runs (:class:`FlowCoordinates`).
    n_components : int, default 16
        Principal components kept for ``space="pca"``, >= 1 (ignored for "raw").
    learning_rate : float, default 1e-3
        Adam's (initial) learning rate, > 0.
    schedule : {"constant", "cosine"}, default "cosine"
        The learning rate over the steps (cosine: decays to 0 at ``steps``).
    batch_size : int, default 128
        Trajectories per step, >= 1.
    steps : int, default 6000
        Optimiser steps, >= 1.
    method : {"euler", "heun"}, default "heun"
        The sampler :meth:`TrainedFlow.sample` uses unless told otherwise.
    nfe : int, default 40
        Velocity evaluations per sample by default, >= 1 (even for Heun).

    Examples
    --------
    >>> FlowConfig(space="pca", n_components=8).space
    'pca'
    >>> FlowConfig(nfe=3)
    Traceback (most recent call last):
    ...
    ValueError: FlowConfig: nfe=3 must be even for method='heun' (two evaluations per step); pass e.g. nfe=4.
    """

    hidden: tuple[int, ...] = (256, 256, 256)
    n_frequencies: int = 8
    space: str = "raw"
    n_components: int = 16
    learning_rate: float = 1e-3
    schedule: str = "cosine"
    batch_size: int = 128
    steps: int = 6000
    method: str = "heun"
    nfe: int = 40

    def __post_init__(self):
        def put(name, value):
            object.__setattr__(self, name, value)

        def count(name, example):
            value = getattr(self, name)
            put(name, check.integer(value, name, _WHERE, minimum=1, fix=f"pass e.g. {example}."))

        put("hidden", check.widths(self.hidden, "hidden", _WHERE, example="(256, 256, 256)"))
        count("n_frequencies", "n_frequencies=8")
        put("space", check.choice(self.space, "space", _WHERE, SPACES))
        count("n_components", "n_components=16")
        put(
            "learning_rate",
            check.real(
                self.learning_rate, "learning_rate", _WHERE, positive=True, fix="pass e.g. 1e-3."
            ),
        )
        put("schedule", check.choice(self.schedule, "schedule", _WHERE, SCHEDULES))
        count("batch_size", "batch_size=128")
        count("steps", "steps=6000")
        put("method", check.choice(self.method, "method", _WHERE, METHODS))
        put("nfe", _nfe(self.nfe, self.method, _WHERE))

    def replace(self, **changes) -> FlowConfig:
        """A copy with some settings changed (validated again): :func:`dataclasses.replace`."""
        return replace(self, **changes)


#: The course's flow: three hidden layers of 256, 8 frequencies of s, raw
#: trajectories, Adam 1e-3 with cosine decay, batches of 128, 6,000 steps,
#: sampled with Heun's method and 40 velocity evaluations.
FLOW_MATCHING = FlowConfig()


def _check_config(config, where):
    check.instance(
        config, FlowConfig, "config", where, fix="pass e.g. physgen.nn.flow.FLOW_MATCHING."
    )


# --------------------------------------------------------------------------- the pieces
def interpolant(x0, x1, s):
    r"""The linear interpolant and its velocity: :math:`x_s = (1-s)x_0 + s x_1`, :math:`x_1 - x_0`.

    Parameters
    ----------
    x0, x1 : array_like or tf.Tensor, shape (n, d)
        Noise and data points (in flow coordinates).
    s : array_like or tf.Tensor, shape (n, 1)
        Interpolation times in [0, 1].

    Returns
    -------
    (x_s, target)
        Both of shape (n, d), of the inputs' kind (NumPy or TensorFlow).
    """
    return (1.0 - s) * x0 + s * x1, x1 - x0


def embed_s(s, n_frequencies: int):
    r"""Embedding of the flow time: :math:`[\sin(\pi k s), \cos(\pi k s)]_{k=1..n}`, shape (n_s, 2n).

    ``s`` is a float32 tensor or array of shape (n_s, 1); the result is a float32 tensor.
    """
    k = tf.constant(np.pi * np.arange(1, n_frequencies + 1), tf.float32)
    angle = tf.cast(s, tf.float32) * k
    return tf.concat([tf.sin(angle), tf.cos(angle)], axis=-1)


def build_velocity(config: FlowConfig, dim: int, *, n_conditions: int = 0):
    """The velocity network: ``[x, embed_s(s), c]`` in, a velocity of ``x`` out.

    Parameters
    ----------
    config : FlowConfig
        ``hidden`` and ``n_frequencies`` are used.
    dim : int
        ``d``, the number of flow coordinates.
    n_conditions : int, keyword-only
        Conditions appended to the input (0: unconditional).

    Returns
    -------
    tf_keras.Sequential
        Input shape ``(d + 2 n_frequencies + n_conditions,)``, output ``(d,)``.
    """
    where = "build_velocity"
    _check_config(config, where)
    dim = check.integer(dim, "dim", where, minimum=1, fix="pass the number of coordinates.")
    k = check.integer(n_conditions, "n_conditions", where, minimum=0, fix="pass 0 or more.")
    layers = tf_keras.layers
    width = dim + 2 * config.n_frequencies + k
    net = [layers.InputLayer(input_shape=(width,))]
    net += [layers.Dense(units, activation="swish") for units in config.hidden]
    net.append(layers.Dense(dim))
    return tf_keras.Sequential(net, name="velocity")


def _velocity_call(network, x, s, c, n_frequencies, training=False):
    parts = [x, embed_s(s, n_frequencies)] + ([] if c is None else [c])
    return network(tf.concat(parts, axis=-1), training=training)


def flow_matching_loss(network, config: FlowConfig, x0, x1, s, conditions=None) -> float:
    r"""The loss a training step minimises, at the network's current weights.

    .. math:: \mathcal L = \frac{1}{n d} \sum_{i, j} \big(v_w(x_{s,i}, s_i)_j - (x_{1} - x_{0})_{ij}\big)^2

    Parameters
    ----------
    network : tf_keras.Model
        From :func:`build_velocity`.
    config : FlowConfig
    x0, x1 : array_like, shape (n, d)
        Noise and data points in flow coordinates.
    s : array_like, shape (n, 1)
        Interpolation times.
    conditions : array_like, shape (n, k), optional
        The (standardised) conditions of a conditional network.

    Returns
    -------
    float
    """
    _check_config(config, "flow_matching_loss")
    x0, x1, s = (tf.constant(np.asarray(a, np.float32)) for a in (x0, x1, s))
    c = None if conditions is None else tf.constant(np.asarray(conditions, np.float32))
    xs, target = interpolant(x0, x1, s)
    v = _velocity_call(network, xs, s, c, config.n_frequencies)
    return float(tf.reduce_mean(tf.square(v - target)))


# --------------------------------------------------------------------------- the sampler
def integrate_flow(velocity: Callable, x0, *, method="heun", nfe=40, path=False):
    r"""Solve :math:`\mathrm dx/\mathrm ds = v(x, s)` from :math:`s = 0` to 1 with ``nfe`` evaluations.

    Euler: ``nfe`` steps of :math:`h = 1/\mathrm{nfe}`,
    :math:`x \leftarrow x + h\,v(x, s)` (first order). Heun: ``nfe / 2``
    steps of :math:`h = 2/\mathrm{nfe}`, :math:`k_1 = v(x, s)`,
    :math:`k_2 = v(x + h k_1, s + h)`, :math:`x \leftarrow x + \tfrac h2 (k_1 + k_2)`
    (second order, the trapezoidal rule with an Euler predictor).

    Parameters
    ----------
    velocity : callable
        ``velocity(x, s) -> array``, with ``x`` of shape (n, d) and ``s`` a float.
    x0 : array_like, shape (n, d)
        Starting points at :math:`s = 0`.
    method : {"euler", "heun"}, keyword-only
    nfe : int, keyword-only
        Number of velocity evaluations, >= 1 (even for Heun).
    path : bool, keyword-only
        Also return every step's state.

    Returns
    -------
    numpy.ndarray, shape (n, d)
        :math:`x(1)`; with ``path=True`` a pair ``(x(1), states)``, ``states`` of
        shape (steps + 1, n, d) at ``s = 0, h, ..., 1``.
    """
    where = "integrate_flow"
    check.function(velocity, "velocity", where, what="(x, s) -> dx/ds", fix="pass a callable.")
    x = check.array(x0, "x0", where, ndim=2, fix="pass starting points, shape (n, d).")
    method = check.choice(method, "method", where, METHODS)
    nfe = _nfe(nfe, method, where)
    path = check.boolean(path, "path", where)
    steps = nfe if method == "euler" else nfe // 2
    h = 1.0 / steps
    states = [x]
    for i in range(steps):
        s = i * h
        k1 = np.asarray(velocity(x, s), dtype=float)
        if method == "euler":
            x = x + h * k1
        else:
            k2 = np.asarray(velocity(x + h * k1, (i + 1) * h), dtype=float)
            x = x + 0.5 * h * (k1 + k2)
        if path:
            states.append(x)
    return (x, np.stack(states)) if path else x


# --------------------------------------------------------------------------- the model
@dataclass(frozen=True, eq=False)
class TrainedFlow:
    """A trained flow (the result of :func:`train_flow`), a :class:`physgen.Generator`.

    Attributes
    ----------
    config : FlowConfig
    network : tf_keras.Model
        The velocity network (:func:`build_velocity`), trained.
    coordinates : FlowCoordinates
        Where the flow runs.
    condition_mean, condition_scale : numpy.ndarray, shape (k,)
        The training conditions' mean and standard deviation (the network sees
        standardised conditions); empty arrays for an unconditional flow.
    history : Mapping[str, numpy.ndarray]
        ``"loss"``: the flow-matching loss of every step's batch, shape (steps,)
        (dimensionless: squared velocity in standardised coordinates).
    seconds : float
        Wall-clock training time [s], judging excluded.
    steps : int
        Optimiser steps taken.
    seed : int
        The training seed.
    checkpoint_steps : numpy.ndarray of int, shape (m,)
        Steps after which the judge of :func:`train_flow` ran.
    quality : Mapping[str, numpy.ndarray]
        Every figure the judge returned, at each checkpoint, shape (m,).
    judge_seconds : float
        Wall time [s] spent judging.
    """

    config: FlowConfig
    network: Any = field(repr=False)
    coordinates: FlowCoordinates = field(repr=False)
    condition_mean: np.ndarray = field(repr=False)
    condition_scale: np.ndarray = field(repr=False)
    history: MappingProxyType = field(repr=False)
    seconds: float
    steps: int
    seed: int
    checkpoint_steps: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, int))
    quality: MappingProxyType = field(repr=False, default_factory=lambda: MappingProxyType({}))
    judge_seconds: float = 0.0

    @property
    def n_times(self) -> int:
        """``T``, angles per trajectory."""
        return int(self.coordinates.mean.size)

    @property
    def n_conditions(self) -> int:
        """``k``, conditions the flow takes (0: unconditional)."""
        return int(self.condition_mean.size)

    @property
    def n_parameters(self) -> int:
        """Trainable weights of the velocity network."""
        return int(sum(np.prod(w.shape) for w in self.network.trainable_weights))

    def _conditions(self, conditions, n, where):
        if (conditions is None) != (self.n_conditions == 0):
            raise ValueError(
                f"{where}: this flow takes {self.n_conditions} condition(s); pass conditions= "
                "(one row per trajectory) exactly when it is conditional."
            )
        if conditions is None:
            return None
        c = _check_conditions(conditions, n, where)
        if c.shape[1] != self.n_conditions:
            raise ValueError(
                f"{where}: conditions must have {self.n_conditions} column(s), got "
                f"{c.shape[1]}; pass one value per condition."
            )
        return ((c - self.condition_mean) / self.condition_scale).astype(np.float32)

    def velocity(self, z, s, *, conditions=None) -> np.ndarray:
        """The learned velocity :math:`v_\\theta(z, s)` in flow coordinates, shape (n, d).

        Parameters
        ----------
        z : array_like, shape (n, d)
            Points in flow coordinates.
        s : float
            Flow time in [0, 1].
        conditions : array_like, shape (n,) or (n, k), optional
            Required for a conditional flow (in the training conditions' units).
        """
        where = "TrainedFlow.velocity"
        d = self.coordinates.dim
        z = check.array(z, "z", where, ndim=2, shape=(None, d), fix=f"pass shape (n, {d}).")
        s = check.real(s, "s", where, lower=0.0, upper=1.0, fix="pass s in [0, 1].")
        c = self._conditions(conditions, z.shape[0], where)
        return self._velocity(z, s, c)

    def _velocity(self, z, s, c):
        sv = np.full((z.shape[0], 1), s, np.float32)
        out = _velocity_call(self.network, z.astype(np.float32), sv, c, self.config.n_frequencies)
        return out.numpy().astype(float)

    def sample(self, n, *, rng=None, conditions=None, method=None, nfe=None, path=False):
        """Generate ``n`` trajectories: :math:`z_0 \\sim N(0, I)`, the ODE to :math:`s = 1`, decoded.

        Parameters
        ----------
        n : int
            Number of trajectories, >= 0.
        rng : None, int or numpy.random.Generator
            Source of the starting noise (the only randomness of a sample).
        conditions : array_like, shape (n,) or (n, k), optional
            Required for a conditional flow: one row per trajectory (e.g.
            length [m] and g [m/s^2]).
        method : {"euler", "heun"}, optional
            The solver (default ``config.method``).
        nfe : int, optional
            Velocity evaluations (default ``config.nfe``).
        path : bool, optional
            Also return the states along the way, in flow coordinates.

        Returns
        -------
        numpy.ndarray, shape (n, T)
            Trajectories [rad]; with ``path=True`` a pair ``(trajectories,
            states)``, ``states`` of shape (steps + 1, n, d).
        """
        where = "TrainedFlow.sample"
        n = check.integer(n, "n", where, minimum=0, fix="pass e.g. n=500.")
        method = (
            self.config.method if method is None else check.choice(method, "method", where, METHODS)
        )
        nfe = _nfe(self.config.nfe if nfe is None else nfe, method, where)
        c = self._conditions(conditions, n, where)
        z0 = np.random.default_rng(rng).standard_normal((n, self.coordinates.dim))
        if n == 0:
            empty = np.zeros((0, self.n_times))
            return (empty, np.zeros((1, 0, self.coordinates.dim))) if path else empty
        out = integrate_flow(
            lambda z, s: self._velocity(z, s, c), z0, method=method, nfe=nfe, path=bool(path)
        )
        if path:
            return self.coordinates.decode(out[0]), out[1]
        return self.coordinates.decode(out)


def _check_conditions(conditions, n, where):
    c = check.array(
        conditions,
        "conditions",
        where,
        ndim=(1, 2),
        fix=f"pass one condition row per trajectory, shape ({n},) or ({n}, k).",
    )
    c = c[:, None] if c.ndim == 1 else c
    if c.shape[0] != n:
        raise ValueError(
            f"{where}: conditions has {c.shape[0]} row(s) but there are {n} trajectories; "
            f"pass one condition row per trajectory, shape ({n},) or ({n}, k)."
        )
    return c


# --------------------------------------------------------------------------- training
def _make_step(network, optimizer, n_frequencies):
    """One Adam step on the flow-matching loss of a batch, as a ``tf.function``."""

    @tf.function
    def step(x0, x1, s, c):
        xs, target = interpolant(x0, x1, s)
        with tf.GradientTape() as tape:
            v = network(tf.concat([xs, embed_s(s, n_frequencies), c], axis=-1), training=True)
            loss = tf.reduce_mean(tf.square(v - target))
        grads = tape.gradient(loss, network.trainable_variables)
        optimizer.apply_gradients(zip(grads, network.trainable_variables, strict=True))
        return loss

    return step


def _batches(rng, n, steps, batch_size):
    """Row indices of every step's batch: one permutation per pass, incomplete batches skipped."""
    per_pass = n // batch_size
    done = 0
    while done < steps:
        order = rng.permutation(n)[: per_pass * batch_size].reshape(per_pass, batch_size)
        yield from order[: steps - done]
        done += per_pass


def _optimizer(config):
    rate = config.learning_rate
    if config.schedule == "cosine":
        rate = tf_keras.optimizers.schedules.CosineDecay(rate, decay_steps=config.steps)
    return tf_keras.optimizers.Adam(rate)


def _check_training(config, trajectories, conditions, checkpoints, judge):
    where = "train_flow"
    _check_config(config, where)
    x = _trajectories(trajectories, "trajectories", where)
    if x.shape[0] < config.batch_size:
        raise ValueError(
            f"{where}: {x.shape[0]} trajectories are fewer than one batch "
            f"(batch_size={config.batch_size}); lower batch_size or pass more data."
        )
    c = None if conditions is None else _check_conditions(conditions, x.shape[0], where)
    fix = f"pass steps between 1 and config.steps={config.steps}, e.g. ({config.steps},)."
    marks = check.array(checkpoints, "checkpoints", where, ndim=1, nonempty=False, fix=fix)
    if marks.size and (
        np.any(marks != np.round(marks)) or marks.min() < 1 or marks.max() > config.steps
    ):
        raise ValueError(f"{where}: checkpoints={checkpoints!r} are not all in [1, steps]; {fix}")
    if marks.size and judge is None:
        raise ValueError(f"{where}: checkpoints need a judge; pass judge=callable(flow, step).")
    if judge is not None:
        check.function(judge, "judge", where, what="(flow, step) -> dict", fix="pass a callable.")
    return x, c, np.unique(marks.astype(int))


def _judged(judge, flow, step, quality):
    scores = judge(flow, step)
    if not isinstance(scores, Mapping):
        raise TypeError(
            f"train_flow: the judge returned {type(scores).__name__}, not a mapping; "
            "return a dict of named numbers, e.g. {'residual': 0.05}."
        )
    for name, value in scores.items():
        quality.setdefault(name, []).append(float(value))


def train_flow(
    config: FlowConfig,
    trajectories,
    *,
    seed: int = 0,
    conditions=None,
    checkpoints=(),
    judge: Callable | None = None,
    progress: str | None = None,
) -> TrainedFlow:
    """Train a flow-matching model on whole trajectories, for ``config.steps`` steps.

    Every step takes a batch of training trajectories (one permutation of the
    set per pass), draws the noise :math:`x_0` and the times :math:`s` from
    ``numpy.random.default_rng(seed)``, and takes one Adam step on
    :func:`flow_matching_loss`. TensorFlow is seeded from ``seed`` with
    deterministic ops, so the same call gives the same weights.

    Parameters
    ----------
    config : FlowConfig
    trajectories : array_like, shape (n, T)
        Training trajectories [rad], n >= ``config.batch_size``.
    seed : int, keyword-only
        Non-negative seed.
    conditions : array_like, shape (n,) or (n, k), optional
        One condition row per trajectory (e.g. length [m] and g [m/s^2]): a
        conditional flow, whose network also sees them (standardised).
    checkpoints : sequence of int, keyword-only
        Steps in ``[1, config.steps]`` after which ``judge`` runs.
    judge : callable, optional
        ``judge(flow, step) -> Mapping[str, float]``, given a
        :class:`TrainedFlow` of the network as it is after ``step`` steps. It
        gets no training randomness, so judging never changes the training.
    progress : str, optional
        Label of a progress bar (None: silent).

    Returns
    -------
    TrainedFlow
    """
    x, c, marks = _check_training(config, trajectories, conditions, checkpoints, judge)
    seed = check.seed(seed, "seed", "train_flow")
    coords = flow_coordinates(x, space=config.space, n_components=config.n_components)
    z1 = coords.encode(x).astype(np.float32)
    k = 0 if c is None else c.shape[1]
    c_mean = np.zeros(0) if c is None else c.mean(axis=0)
    c_scale = np.ones(0) if c is None else np.maximum(c.std(axis=0), 1e-12)
    cz = np.zeros((x.shape[0], 0), np.float32) if c is None else ((c - c_mean) / c_scale)
    cz = cz.astype(np.float32)
    seed_tensorflow(seed)
    rng = np.random.default_rng(seed)
    network = build_velocity(config, coords.dim, n_conditions=k)
    step = _make_step(network, _optimizer(config), config.n_frequencies)
    loss = np.zeros(config.steps)
    quality: dict[str, list[float]] = {}
    bar = Progress(progress, config.steps, unit="step")
    seconds = judge_seconds = 0.0

    def snapshot(i):
        return TrainedFlow(
            config,
            network,
            coords,
            check.readonly(c_mean),
            check.readonly(c_scale),
            MappingProxyType({"loss": check.readonly(loss[:i].copy())}),
            seconds,
            i,
            seed,
        )

    start = time.perf_counter()
    for i, batch in enumerate(_batches(rng, x.shape[0], config.steps, config.batch_size), 1):
        x0 = rng.standard_normal((batch.size, coords.dim)).astype(np.float32)
        s = rng.random((batch.size, 1)).astype(np.float32)
        loss[i - 1] = float(step(x0, z1[batch], s, cz[batch]))
        bar.update(i)
        if i in marks:
            paused = time.perf_counter()
            seconds += paused - start
            _judged(judge, snapshot(i), i, quality)
            start = time.perf_counter()
            judge_seconds += start - paused
    seconds += time.perf_counter() - start
    frozen = {name: check.readonly(np.asarray(v, float)) for name, v in quality.items()}
    return replace(
        snapshot(config.steps),
        checkpoint_steps=check.readonly(marks),
        quality=MappingProxyType(frozen),
        judge_seconds=judge_seconds,
    )


def restore_flow(
    config: FlowConfig,
    trajectories,
    weights,
    *,
    conditions=None,
    seed: int = 0,
    seconds: float = 0.0,
    loss=(),
) -> TrainedFlow:
    """A trained flow rebuilt from its stored weights, without training.

    The flow coordinates and the conditions' standardisation are recomputed from
    the training data exactly as :func:`train_flow` computes them; the velocity
    network is built by :func:`build_velocity` and given ``weights``. With the
    data, conditions and ``config`` of the run that stored them (check its
    fingerprint with :func:`physgen.load_stored_run`), the result samples exactly
    like the trained flow.

    Parameters
    ----------
    config : FlowConfig
        The run's configuration.
    trajectories : array_like, shape (n, T)
        The run's training trajectories [rad].
    weights : sequence of numpy.ndarray
        ``network.get_weights()`` of the trained flow, in order.
    conditions : array_like, shape (n,) or (n, k), optional
        The run's training conditions (a conditional flow).
    seed : int, keyword-only
        The run's training seed (recorded, not used).
    seconds : float, keyword-only
        The run's training time [s] (recorded).
    loss : array_like, keyword-only
        The run's loss per step (recorded as ``history["loss"]``).

    Returns
    -------
    TrainedFlow
    """
    where = "restore_flow"
    x, c, _ = _check_training(config, trajectories, conditions, (), None)
    coords = flow_coordinates(x, space=config.space, n_components=config.n_components)
    k = 0 if c is None else c.shape[1]
    c_mean = np.zeros(0) if c is None else c.mean(axis=0)
    c_scale = np.ones(0) if c is None else np.maximum(c.std(axis=0), 1e-12)
    network = build_velocity(config, coords.dim, n_conditions=k)
    expected = [tuple(w.shape) for w in network.get_weights()]
    given = [tuple(np.shape(w)) for w in weights]
    if given != expected:
        raise ValueError(
            f"{where}: weights of shapes {given} do not fit this config's velocity network "
            f"{expected}; pass the weights stored with this config and these data."
        )
    network.set_weights([np.asarray(w, np.float32) for w in weights])
    history = MappingProxyType({"loss": check.readonly(np.asarray(loss, float))})
    return TrainedFlow(
        config,
        network,
        coords,
        check.readonly(c_mean),
        check.readonly(c_scale),
        history,
        float(seconds),
        int(config.steps),
        check.seed(seed, "seed", where),
    )
