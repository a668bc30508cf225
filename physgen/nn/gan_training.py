r"""Training a Wasserstein GAN by generator steps, with its quality judged along the way.

A GAN has no single loss that says when training is done: the critic's loss
is an estimate of a distance only for a well-kept critic, and the generator's
loss moves with the critic. :func:`train_by_steps` therefore trains for a
given number of *generator steps* (the unit in which GAN training is
published: the companion notebook's 500 epochs of 16 batches are 8,000 steps)
and records, per step, the critic loss :math:`L_D`, the generator loss
:math:`L_G` and the gradient penalty; at chosen *checkpoints* it calls a
judge of the samples (for example the median residual of fitted pendulums,
precision and recall), so that the length of training can be chosen by
measurement: train until the judged quality stops improving.

The data order and every random number come from ``numpy.random.default_rng(seed)``
in the same order as :func:`physgen.gan.train_gan`: ``steps = epochs *
(n // (batch_size * n_critic))`` gives exactly the weights of
``train_gan(config.replace(epochs=epochs), ...)``.

- :func:`train_by_steps`: the trainer; returns a frozen :class:`StepTraining`.
- :func:`plateau_step`: the first checkpoint after which a judged quantity no
  longer improves by more than a tolerance.
- :func:`training_fingerprint`: a hash of training data, conditions and settings,
  with which a page checks that stored results come from its own data.
- :func:`wgan_losses`: the critic loss (with its gradient penalty) and the
  generator loss of fixed networks on fixed inputs, without a training step:
  what the training step optimises, for tests and for the page.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from physgen import _validation as check
from physgen import stored
from physgen._progress import Progress
from physgen._tf import seed_tensorflow, tf
from physgen.nn.gan import (
    GANConfig,
    TrainedGAN,
    _check_conditions,
    _check_config,
    _check_trajectories,
    _optimizer,
    _step_inputs,
    _trained,
    build_critic,
    build_generator,
    make_train_step,
)

__all__ = ["StepTraining", "train_by_steps", "plateau_step", "wgan_losses", "training_fingerprint"]

_WHERE = "train_by_steps"
_LOSSES = ("critic_loss", "generator_loss", "gradient_penalty")


@dataclass(frozen=True, eq=False)
class StepTraining:
    """A GAN trained by generator steps (the result of :func:`train_by_steps`).

    Attributes
    ----------
    gan : TrainedGAN
        The trained networks; its ``history`` holds one value *per generator
        step* (arrays of shape ``(steps,)``): ``"critic_loss"`` (:math:`L_D`
        of the last critic step, without the penalty), ``"generator_loss"``
        (:math:`L_G`) and ``"gradient_penalty"`` (0 for clipping).
    checkpoint_steps : numpy.ndarray of int, shape (k,)
        Generator steps after which the judge ran (ascending).
    quality : Mapping[str, numpy.ndarray]
        For every figure the judge returned, its value at each checkpoint,
        shape ``(k,)``; empty without a judge.
    judge_seconds : float
        Wall time [s] spent judging (not part of ``gan.seconds``).
    """

    gan: TrainedGAN
    checkpoint_steps: np.ndarray
    quality: MappingProxyType = field(repr=False)
    judge_seconds: float

    @property
    def history(self) -> MappingProxyType:
        """The per-step losses, ``gan.history``."""
        return self.gan.history

    def smoothed(self, name: str, window: int = 100) -> np.ndarray:
        """Running mean of one per-step loss over ``window`` steps, shape ``(steps - window + 1,)``."""
        window = check.integer(window, "window", "StepTraining.smoothed", minimum=1)
        values = self.history[name]
        if window > values.size:
            raise ValueError(
                f"StepTraining.smoothed: window={window} is longer than the {values.size} "
                "steps trained; pass a smaller window."
            )
        return np.convolve(values, np.ones(window) / window, mode="valid")


def _batches(rng, n, steps, batch_size, n_critic):
    """Row indices of the real batches, shape (steps, n_critic, batch_size).

    One permutation per pass over the data (an epoch), cut into generator
    steps; incomplete steps at the end of a pass are skipped. Drawn lazily,
    one pass at a time, in the order :func:`physgen.gan.train_gan` draws them.
    """
    per_step = batch_size * n_critic
    per_epoch = n // per_step
    done = 0
    while done < steps:
        order = rng.permutation(n)[: per_epoch * per_step]
        yield from order.reshape(per_epoch, n_critic, batch_size)[: steps - done]
        done += per_epoch


def _check_inputs(config, data, conditions, steps, checkpoints, judge):
    _check_config(config, _WHERE)
    x = _check_trajectories("data", data, _WHERE)
    c = _check_conditions(conditions, x.shape[0], _WHERE)
    steps = check.integer(steps, "steps", _WHERE, minimum=1, fix="pass e.g. steps=8000.")
    per_step = config.batch_size * config.n_critic
    if x.shape[0] < per_step:
        raise ValueError(
            f"{_WHERE}: {x.shape[0]} trajectories are fewer than one generator step needs "
            f"(batch_size * n_critic = {per_step}); lower batch_size or pass more data."
        )
    fix = f"pass generator steps between 1 and steps={steps}, e.g. checkpoints=(1000, {steps})."
    marks = check.array(checkpoints, "checkpoints", _WHERE, ndim=1, nonempty=False, fix=fix)
    if marks.size and (np.any(marks != np.round(marks)) or marks.min() < 1 or marks.max() > steps):
        raise ValueError(f"{_WHERE}: checkpoints={checkpoints!r} are not all in [1, steps]; {fix}")
    if marks.size and judge is None:
        raise ValueError(f"{_WHERE}: checkpoints need a judge; pass judge=callable(gan, step).")
    if judge is not None:
        check.function(judge, "judge", _WHERE, what="a callable(gan, step) -> dict", fix=fix)
    return x, c, steps, np.unique(marks.astype(int))


def _now(config, generator, critic, history, step, seconds, k):
    """A TrainedGAN of the networks as they are now, with the history of ``step`` steps."""
    so_far = {name: values[:step] for name, values in history.items()}
    return _trained(config, generator, critic, so_far, seconds=seconds, k=k, steps=step)


def _judged(judge, gan, step, quality):
    scores = judge(gan, step)
    if not isinstance(scores, Mapping):
        raise TypeError(
            f"{_WHERE}: the judge returned {type(scores).__name__}, not a mapping; "
            "return a dict of named numbers, e.g. {'residual': 0.05}."
        )
    for name, value in scores.items():
        quality.setdefault(name, []).append(float(value))


def train_by_steps(
    config: GANConfig,
    data,
    *,
    steps: int,
    seed: int = 0,
    conditions=None,
    checkpoints=(),
    judge: Callable | None = None,
    progress: str | None = None,
) -> StepTraining:
    """Train a Wasserstein GAN for a number of generator steps; judge it at checkpoints.

    Parameters
    ----------
    config : GANConfig
        The settings; ``config.epochs`` is ignored (``steps`` counts instead).
    data : array_like, shape (n, T)
        Training trajectories [rad], one per row.
    steps : int
        Generator steps, >= 1 (each after ``config.n_critic`` critic steps).
    seed : int, optional
        Non-negative seed of TensorFlow (weights, noise layers) and of the
        data order, latent vectors and penalty weights.
    conditions : array_like, shape (n,) or (n, k), optional
        One condition row per trajectory (a conditional GAN); None: unconditional.
    checkpoints : sequence of int, optional
        Generator steps in ``[1, steps]`` after which to call ``judge``.
    judge : callable, optional
        ``judge(gan, step) -> Mapping[str, float]``, given a :class:`TrainedGAN`
        of the networks as they are after ``step`` steps. Its randomness must
        not come from the training's ``rng`` (it does not: it gets none), so
        judging never changes the training.
    progress : str, optional
        Label of a progress bar (``None``: silent).

    Returns
    -------
    StepTraining
    """
    x, c, steps, marks = _check_inputs(config, data, conditions, steps, checkpoints, judge)
    k = 0 if c is None else c.shape[1]
    seed = check.seed(seed, "seed", _WHERE)
    seed_tensorflow(seed)
    rng = np.random.default_rng(seed)
    generator = build_generator(config, x.shape[1], n_conditions=k)
    critic = build_critic(config, x.shape[1], n_conditions=k)
    step_fn = make_train_step(
        generator, critic, _optimizer(config), _optimizer(config), config, conditional=k > 0
    )
    history = {name: np.zeros(steps) for name in _LOSSES}
    quality: dict[str, list[float]] = {}
    bar = Progress(progress, steps, unit="step")
    seconds = judge_seconds = 0.0
    start = time.perf_counter()
    batches = _batches(rng, x.shape[0], steps, config.batch_size, config.n_critic)
    for i, batch in enumerate(batches, start=1):
        out = step_fn(*_step_inputs(config, x, c, batch, rng))
        for name, value in zip(_LOSSES, out, strict=True):
            history[name][i - 1] = float(value)
        bar.update(i)
        if i in marks:
            judging = time.perf_counter()
            seconds += judging - start
            gan = _now(config, generator, critic, history, i, seconds, k)
            _judged(judge, gan, i, quality)
            start = time.perf_counter()
            judge_seconds += start - judging
    seconds += time.perf_counter() - start
    for values in quality.values():
        if len(values) != marks.size:
            raise ValueError(f"{_WHERE}: the judge must return the same names at every checkpoint.")
    gan = _now(config, generator, critic, history, steps, seconds, k)
    frozen = {name: check.readonly(np.asarray(v, float)) for name, v in quality.items()}
    return StepTraining(
        gan=gan,
        checkpoint_steps=check.readonly(marks),
        quality=MappingProxyType(frozen),
        judge_seconds=judge_seconds,
    )


def plateau_step(steps, values, *, rel_tol: float = 0.1, lower_is_better: bool = True) -> int:
    """The first checkpoint after which a judged quantity improves by less than ``rel_tol``.

    Training has reached its plateau at checkpoint ``steps[i]`` when no later
    checkpoint beats ``values[i]`` by more than ``rel_tol`` of it (relative):
    more training past that point buys at most ``rel_tol``.

    Parameters
    ----------
    steps : array_like of int, shape (k,)
        Checkpoint steps, ascending.
    values : array_like, shape (k,)
        The judged quantity at each checkpoint (e.g. the median residual [rad]).
    rel_tol : float, default 0.1
        Relative improvement below which more training does not count, > 0.
    lower_is_better : bool, default True
        False for quantities to maximise (precision, recall).

    Returns
    -------
    int
        The plateau's first step (the last checkpoint if the quantity was
        still improving by more than ``rel_tol`` at the end).

    Examples
    --------
    >>> plateau_step([1000, 2000, 4000, 8000], [0.5, 0.2, 0.11, 0.10])
    4000
    >>> plateau_step([1000, 2000], [0.6, 0.9], lower_is_better=False)
    2000
    """
    where = "plateau_step"
    s = check.array(steps, "steps", where, ndim=1, fix="pass the checkpoint steps.")
    v = check.array(values, "values", where, shape=s.shape, fix="pass one value per step.")
    tol = check.real(rel_tol, "rel_tol", where, positive=True, fix="pass e.g. rel_tol=0.1.")
    lower = check.boolean(lower_is_better, "lower_is_better", where)
    signed = v if lower else -v
    for i in range(s.size):
        later_best = signed[i + 1 :].min() if i + 1 < s.size else np.inf
        if later_best >= signed[i] - tol * abs(v[i]):
            return int(s[i])
    return int(s[-1])  # pragma: no cover - the last checkpoint always qualifies


def wgan_losses(generator, critic, config: GANConfig, real, z, eps) -> dict[str, float]:
    r"""The losses a training step optimises, at the networks' current weights.

    With :math:`f` the critic and :math:`G` the generator (both in training
    mode, as in a step), :math:`\hat x = \epsilon x + (1 - \epsilon) G(z)`:

    .. math::

        L_D = \overline{f(G(z))} - \overline{f(x)}, \qquad
        P = \overline{(\|\nabla_{\hat x} f(\hat x)\|_2 - 1)^2}, \qquad
        L_G = -\overline{f(G(z))},

    and the critic minimises :math:`L_D + \lambda P` (gradient penalty) or
    :math:`L_D` (clipping). No weight changes.

    Parameters
    ----------
    generator, critic : tf_keras.Model
    config : GANConfig
        ``penalty`` and ``gp_weight`` are used.
    real : array_like, shape (B, T)
        Real trajectories [rad].
    z : array_like, shape (B, latent_dim)
        Latent vectors.
    eps : array_like, shape (B, 1)
        Interpolation weights in [0, 1].

    Returns
    -------
    dict
        ``critic_loss`` (:math:`L_D`), ``gradient_penalty`` (:math:`P`),
        ``critic_objective`` (what the critic minimises) and
        ``generator_loss`` (:math:`L_G`), floats.
    """
    _check_config(config, "wgan_losses")
    x = tf.constant(_check_trajectories("real", real, "wgan_losses"))
    fake = generator(tf.constant(np.asarray(z, np.float32)), training=True)
    fake_score = tf.reduce_mean(critic(fake, training=True))
    critic_loss = fake_score - tf.reduce_mean(critic(x, training=True))
    e = tf.constant(np.asarray(eps, np.float32))
    mixed = e * x + (1.0 - e) * fake
    with tf.GradientTape() as tape:
        tape.watch(mixed)
        score = critic(mixed, training=True)
    slopes = tf.norm(tape.gradient(score, mixed), axis=1)
    penalty = float(tf.reduce_mean((slopes - 1.0) ** 2))
    weight = config.gp_weight if config.penalty == "gradient" else 0.0
    return {
        "critic_loss": float(critic_loss),
        "gradient_penalty": penalty,
        "critic_objective": float(critic_loss) + weight * penalty,
        "generator_loss": -float(fake_score),
    }


def training_fingerprint(train, config: GANConfig, conditions=None) -> str:
    """:func:`physgen.stored.training_fingerprint` of a GAN's run (``config`` a GANConfig)."""
    _check_config(config, "training_fingerprint")
    return stored.training_fingerprint(train, config, conditions)
