r"""Wasserstein GANs of whole trajectories: the companion's WGAN, WGAN-GP and a conditional GAN.

A generator :math:`G` maps a random latent vector :math:`z \sim p(z)` (and,
for a conditional GAN, a condition :math:`c`, here the pendulum's length) to a
whole trajectory :math:`\theta(t_1), \dots, \theta(t_T)` [rad]. A critic
:math:`D` scores trajectories. With a critic that is 1-Lipschitz, the
Kantorovich-Rubinstein duality turns the difference of its mean scores into
the Wasserstein-1 distance between the data and the generated distribution,

.. math::

    W(p_\mathrm{data}, p_G) = \sup_{\|D\|_L \le 1}
        \mathbb{E}_{x \sim p_\mathrm{data}}[D(x)] - \mathbb{E}_{z \sim p(z)}[D(G(z))],

so the critic minimises :math:`L_D = \mathbb{E}[D(G(z))] - \mathbb{E}[D(x)]`
and the generator minimises :math:`L_G = -\mathbb{E}[D(G(z))]`.
Two ways of keeping the critic Lipschitz are implemented:

- ``penalty="clip"`` (Arjovsky et al. 2017, the companion notebook): after
  every critic step each critic weight is clipped to :math:`[-c, c]`;
- ``penalty="gradient"`` (Gulrajani et al. 2017): the critic loss gains
  :math:`\lambda\,\mathbb{E}[(\|\nabla_{\hat x} D(\hat x)\|_2 - 1)^2]` at
  random points :math:`\hat x = \epsilon x + (1 - \epsilon) G(z)` between
  real and generated samples.

- :class:`GANConfig`: every setting in one frozen, validated object;
  :data:`ORIGINAL_WGAN` is the companion notebook's, :data:`WGAN_GP` the
  paper's gradient-penalty recipe.
- :func:`build_generator`, :func:`build_critic`: the ``tf_keras`` networks.
- :func:`make_train_step`: one generator step (after ``n_critic`` critic
  steps) as a ``tf.function``; all randomness of the data order and the
  latent vectors comes in as arguments, drawn by the caller's ``rng``.
- :func:`train_gan`: seeded, deterministic training; returns a frozen
  :class:`TrainedGAN` with the networks, the per-epoch history and the wall
  time; its :meth:`TrainedGAN.sample` generates trajectories (a
  :class:`physgen.Generator`).

This module imports TensorFlow (through :mod:`physgen._tf`); ``import physgen``
loads it only on first use of ``physgen.gan``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from physgen import _validation as check
from physgen._progress import Progress
from physgen._tf import seed_tensorflow, tf, tf_keras

__all__ = [
    "LATENTS",
    "PENALTIES",
    "OPTIMIZERS",
    "GANConfig",
    "ORIGINAL_WGAN",
    "WGAN_GP",
    "TrainedGAN",
    "build_generator",
    "build_critic",
    "make_train_step",
    "train_gan",
    "sample_latent",
]

#: Latent distributions: ``"uniform"`` on [0, 1) (the companion's) or the
#: standard ``"normal"``.
LATENTS = ("uniform", "normal")
#: How the critic is kept Lipschitz: weight ``"clip"`` or ``"gradient"`` penalty.
PENALTIES = ("clip", "gradient")
#: Optimisers for both networks: ``"rmsprop"`` (the companion's) or ``"adam"``.
OPTIMIZERS = ("rmsprop", "adam")


_WHERE = "GANConfig"


def _rate(value, name):
    """A rate in [0, 1)."""
    fix = f"pass a rate in [0, 1), e.g. {name}=0.5 (0 for none)."
    return check.fraction(value, name, _WHERE, zero=True, fix=fix)


def _positive(value, name, fix):
    return check.real(value, name, _WHERE, positive=True, fix=fix)


@dataclass(frozen=True)
class GANConfig:
    """Settings of a Wasserstein GAN (frozen and validated).

    The defaults are the companion notebook's WGAN (:data:`ORIGINAL_WGAN`),
    apart from ``epochs`` (the notebook trains 500).

    Parameters
    ----------
    latent_dim : int
        Size of the latent vector :math:`z`, >= 1.
    latent : str
        Its distribution, one of :data:`LATENTS`.
    generator_hidden : tuple of int
        Widths of the generator's hidden dense layers.
    generator_batchnorm : bool
        Batch normalisation after each hidden dense layer of the generator.
    generator_dropout : float
        Dropout rate after each hidden layer of the generator, in [0, 1).
    critic_hidden : tuple of int
        Widths of the critic's hidden dense layers.
    critic_input_noise : float
        Standard deviation [rad] of Gaussian noise added to the critic's input
        while training, >= 0 (0: none).
    critic_dropout : float
        Dropout rate after each hidden layer of the critic, in [0, 1).
    penalty : str
        ``"clip"`` or ``"gradient"`` (:data:`PENALTIES`).
    clip : float
        For ``"clip"``: every critic weight is clipped to [-clip, clip] after
        each critic step, > 0.
    gp_weight : float
        For ``"gradient"``: the penalty's weight :math:`\\lambda`, > 0.
    n_critic : int
        Critic steps per generator step, >= 1; each critic step takes a fresh
        batch of real trajectories.
    optimizer : str
        ``"rmsprop"`` or ``"adam"`` (:data:`OPTIMIZERS`), for both networks.
    learning_rate : float
        Learning rate of both optimisers, > 0.
    beta_1, beta_2 : float
        Adam's moment decay rates, in [0, 1) (ignored by RMSprop).
    batch_size : int
        Trajectories per batch, >= 1; incomplete batches are skipped, as in
        the companion notebook.
    epochs : int
        Passes over the training trajectories, >= 1.
    leaky_slope : float
        Negative slope of the LeakyReLU activations (Keras' default 0.3).

    Examples
    --------
    >>> from physgen.nn.gan import GANConfig, ORIGINAL_WGAN
    >>> ORIGINAL_WGAN.penalty, ORIGINAL_WGAN.clip, ORIGINAL_WGAN.batch_size
    ('clip', 0.001, 25)
    >>> GANConfig(n_critic=0)
    Traceback (most recent call last):
    ...
    ValueError: GANConfig: n_critic=0 must be an int >= 1; critic steps per generator step, e.g. n_critic=5.
    """

    latent_dim: int = 4
    latent: str = "uniform"
    generator_hidden: tuple[int, ...] = (50, 100, 250)
    generator_batchnorm: bool = True
    generator_dropout: float = 0.5
    critic_hidden: tuple[int, ...] = (250, 100, 50)
    critic_input_noise: float = 0.1
    critic_dropout: float = 0.5
    penalty: str = "clip"
    clip: float = 1e-3
    gp_weight: float = 10.0
    n_critic: int = 1
    optimizer: str = "rmsprop"
    learning_rate: float = 1e-3
    beta_1: float = 0.9
    beta_2: float = 0.999
    batch_size: int = 25
    epochs: int = 500
    leaky_slope: float = 0.3

    def __post_init__(self):
        self._check_networks()
        self._check_training()

    def _check_networks(self) -> None:
        """The latent space, the generator and the critic."""

        def put(name, value):
            object.__setattr__(self, name, value)

        put(
            "latent_dim",
            check.integer(
                self.latent_dim, "latent_dim", _WHERE, minimum=1, fix="pass e.g. latent_dim=4."
            ),
        )
        put("latent", check.choice(self.latent, "latent", _WHERE, LATENTS))
        for name, example in (("generator_hidden", "(50, 100)"), ("critic_hidden", "(100, 50)")):
            put(name, check.widths(getattr(self, name), name, _WHERE, example=example))
        put(
            "generator_batchnorm",
            check.boolean(self.generator_batchnorm, "generator_batchnorm", _WHERE),
        )
        put("generator_dropout", _rate(self.generator_dropout, "generator_dropout"))
        put("critic_dropout", _rate(self.critic_dropout, "critic_dropout"))
        put(
            "critic_input_noise",
            check.real(
                self.critic_input_noise,
                "critic_input_noise",
                _WHERE,
                unit="rad",
                nonnegative=True,
                fix="pass e.g. critic_input_noise=0.1 (0: none).",
            ),
        )

    def _check_training(self) -> None:
        """The penalty, the optimiser and the loop."""

        def put(name, value):
            object.__setattr__(self, name, value)

        put("penalty", check.choice(self.penalty, "penalty", _WHERE, PENALTIES))
        put("clip", _positive(self.clip, "clip", "pass a positive bound, e.g. clip=0.01."))
        put(
            "gp_weight",
            _positive(self.gp_weight, "gp_weight", "pass a positive weight, e.g. gp_weight=10.0."),
        )
        put(
            "n_critic",
            check.integer(
                self.n_critic,
                "n_critic",
                _WHERE,
                minimum=1,
                fix="critic steps per generator step, e.g. n_critic=5.",
            ),
        )
        put("optimizer", check.choice(self.optimizer, "optimizer", _WHERE, OPTIMIZERS))
        put(
            "learning_rate",
            _positive(self.learning_rate, "learning_rate", "pass e.g. learning_rate=1e-4."),
        )
        put("beta_1", _rate(self.beta_1, "beta_1"))
        put("beta_2", _rate(self.beta_2, "beta_2"))
        put(
            "batch_size",
            check.integer(
                self.batch_size, "batch_size", _WHERE, minimum=1, fix="pass e.g. batch_size=25."
            ),
        )
        put(
            "epochs",
            check.integer(self.epochs, "epochs", _WHERE, minimum=1, fix="pass e.g. epochs=100."),
        )
        put("leaky_slope", _rate(self.leaky_slope, "leaky_slope"))

    def replace(self, **changes) -> GANConfig:
        """A copy with some settings changed (validated again): :func:`dataclasses.replace`."""
        return replace(self, **changes)


#: The companion notebook's WGAN: 4-d uniform latent; generator
#: 50 -> 100 -> 250 with batch norm, LeakyReLU and dropout 0.5; critic with
#: input noise 0.1, 250 -> 100 -> 50 with LeakyReLU and dropout 0.5; RMSprop
#: 1e-3; clipping at 1e-3; one critic step per generator step; batch 25;
#: 500 epochs.
ORIGINAL_WGAN = GANConfig()

#: WGAN-GP (Gulrajani et al. 2017, Algorithm 1): gradient penalty
#: lambda = 10, five critic steps per generator step, Adam (1e-4, beta_1 = 0,
#: beta_2 = 0.9), no normalisation, noise or dropout in the critic; normal
#: latent; the generator keeps batch normalisation and drops dropout.
WGAN_GP = GANConfig(
    latent="normal",
    generator_dropout=0.0,
    critic_input_noise=0.0,
    critic_dropout=0.0,
    penalty="gradient",
    n_critic=5,
    optimizer="adam",
    learning_rate=1e-4,
    beta_1=0.0,
    beta_2=0.9,
    batch_size=25,
    epochs=500,
)


def _check_config(config, where):
    check.instance(
        config,
        GANConfig,
        "config",
        where,
        fix="pass e.g. physgen.gan.ORIGINAL_WGAN or a GANConfig(...).",
    )


def _noise_seed(layer: int, *, critic: bool = False) -> int:
    """The op seed of the noise layer after hidden layer ``layer`` (0: the input).

    tf_keras gives a noise layer with ``seed=s`` the op seeds s, s + 1, ...
    (one per traced call); seeds 500 apart keep every layer's stream
    distinct. Combined with TensorFlow's global seed (:func:`train_gan`),
    fixed op seeds make the masks independent of how the training step is
    written, so the chapter's own step and :func:`make_train_step` draw the
    same ones.
    """
    return 1000 * layer + (500 if critic else 0)


def _check_sizes(config, n_times, n_conditions, where):
    _check_config(config, where)
    n_times = check.integer(
        n_times, "n_times", where, minimum=1, fix="pass the number of time points, e.g. 100."
    )
    n_conditions = check.integer(
        n_conditions,
        "n_conditions",
        where,
        minimum=0,
        fix="pass 0 (unconditional) or the number of conditions.",
    )
    return n_times, n_conditions


def build_generator(config: GANConfig, n_times: int, *, n_conditions: int = 0):
    """The generator network: latent vector (and conditions) in, trajectory out.

    Parameters
    ----------
    config : GANConfig
    n_times : int
        Number of time points ``T`` of a trajectory.
    n_conditions : int, optional
        Number of conditioning values appended to the latent vector (0: an
        unconditional GAN).

    Returns
    -------
    tf_keras.Sequential
        Input shape ``(latent_dim + n_conditions,)``, output ``(T,)`` [rad].
    """
    n_times, n_conditions = _check_sizes(config, n_times, n_conditions, "build_generator")
    layers = tf_keras.layers
    net = [layers.InputLayer(input_shape=(config.latent_dim + n_conditions,))]
    for i, width in enumerate(config.generator_hidden):
        net.append(layers.Dense(width))
        if config.generator_batchnorm:
            net.append(layers.BatchNormalization())
        net.append(layers.LeakyReLU(config.leaky_slope))
        if config.generator_dropout > 0:
            net.append(layers.Dropout(config.generator_dropout, seed=_noise_seed(i + 1)))
    net.append(layers.Dense(n_times))
    return tf_keras.Sequential(net, name="generator")


def build_critic(config: GANConfig, n_times: int, *, n_conditions: int = 0):
    """The critic network: trajectory (and conditions) in, one score out.

    Parameters
    ----------
    config, n_times, n_conditions
        As in :func:`build_generator`; the conditions are appended to the
        trajectory.

    Returns
    -------
    tf_keras.Sequential
        Input shape ``(T + n_conditions,)``, output ``(1,)`` (a score, no
        activation).
    """
    n_times, n_conditions = _check_sizes(config, n_times, n_conditions, "build_critic")
    layers = tf_keras.layers
    net = [layers.InputLayer(input_shape=(n_times + n_conditions,))]
    if config.critic_input_noise > 0:
        net.append(
            layers.GaussianNoise(config.critic_input_noise, seed=_noise_seed(0, critic=True))
        )
    for i, width in enumerate(config.critic_hidden):
        net.append(layers.Dense(width))
        net.append(layers.LeakyReLU(config.leaky_slope))
        if config.critic_dropout > 0:
            net.append(layers.Dropout(config.critic_dropout, seed=_noise_seed(i + 1, critic=True)))
    net.append(layers.Dense(1))
    return tf_keras.Sequential(net, name="critic")


def _optimizer(config):
    if config.optimizer == "rmsprop":
        return tf_keras.optimizers.RMSprop(config.learning_rate)
    return tf_keras.optimizers.Adam(
        config.learning_rate, beta_1=config.beta_1, beta_2=config.beta_2
    )


def make_train_step(
    generator,
    critic,
    generator_optimizer,
    critic_optimizer,
    config: GANConfig,
    *,
    conditional: bool = False,
):
    """One training step of a Wasserstein GAN, as a ``tf.function``.

    The step takes ``n_critic`` critic steps, then one generator step. All
    of its randomness except the networks' own noise layers comes in as
    arguments, so that a seeded ``rng`` fixes the whole run.

    Parameters
    ----------
    generator, critic : tf_keras.Model
        From :func:`build_generator` and :func:`build_critic`.
    generator_optimizer, critic_optimizer : tf_keras.optimizers.Optimizer
    config : GANConfig
        ``penalty``, ``clip``, ``gp_weight`` and ``n_critic`` are used.
    conditional : bool, optional
        Whether the networks take a condition (appended to their input).

    Returns
    -------
    callable
        ``step(real, z_critic, z_generator, eps[, c_real, c_generator])`` with
        ``real`` of shape ``(n_critic, B, T)``, ``z_critic`` of shape
        ``(n_critic, B, latent_dim)``, ``z_generator`` of shape
        ``(B, latent_dim)``, ``eps`` (the interpolation weights of the
        gradient penalty, uniform on [0, 1)) of shape ``(n_critic, B, 1)``,
        and for a conditional GAN the conditions ``c_real`` of shape
        ``(n_critic, B, k)`` (those of the real batches, also given to the
        generated ones) and ``c_generator`` of shape ``(B, k)``. It returns
        the last critic loss :math:`L_D` (without the penalty), the
        generator loss :math:`L_G` and the last gradient penalty (0 for
        clipping), as float32 scalars.
    """
    _check_config(config, "make_train_step")
    clip = config.clip
    gradient = config.penalty == "gradient"
    gp_weight = config.gp_weight

    def join(x, c):
        return x if c is None else tf.concat([x, c], axis=-1)

    def critic_step(real, z, eps, c):
        with tf.GradientTape() as tape:
            fake = generator(join(z, c), training=True)
            critic_loss = tf.reduce_mean(critic(join(fake, c), training=True)) - tf.reduce_mean(
                critic(join(real, c), training=True)
            )
            penalty = tf.constant(0.0)
            if gradient:
                mixed = eps * real + (1.0 - eps) * fake
                with tf.GradientTape() as inner:
                    inner.watch(mixed)
                    score = critic(join(mixed, c), training=True)
                slopes = tf.norm(inner.gradient(score, mixed), axis=1)
                penalty = tf.reduce_mean((slopes - 1.0) ** 2)
            loss = critic_loss + gp_weight * penalty if gradient else critic_loss
        grads = tape.gradient(loss, critic.trainable_variables)
        critic_optimizer.apply_gradients(zip(grads, critic.trainable_variables, strict=True))
        if not gradient:
            for w in critic.trainable_variables:
                w.assign(tf.clip_by_value(w, -clip, clip))
        return critic_loss, penalty

    def generator_step(z, c):
        with tf.GradientTape() as tape:
            fake = generator(join(z, c), training=True)
            generator_loss = -tf.reduce_mean(critic(join(fake, c), training=True))
        grads = tape.gradient(generator_loss, generator.trainable_variables)
        generator_optimizer.apply_gradients(zip(grads, generator.trainable_variables, strict=True))
        return generator_loss

    if conditional:

        @tf.function
        def step(real, z_critic, z_generator, eps, c_real, c_generator):
            for i in range(config.n_critic):
                critic_loss, penalty = critic_step(real[i], z_critic[i], eps[i], c_real[i])
            return critic_loss, generator_step(z_generator, c_generator), penalty
    else:

        @tf.function
        def step(real, z_critic, z_generator, eps):
            for i in range(config.n_critic):
                critic_loss, penalty = critic_step(real[i], z_critic[i], eps[i], None)
            return critic_loss, generator_step(z_generator, None), penalty

    return step


def sample_latent(config: GANConfig, n: int, *, rng=None) -> np.ndarray:
    """``n`` latent vectors from the configured distribution, shape ``(n, latent_dim)``.

    Parameters
    ----------
    config : GANConfig
    n : int
        Number of vectors, >= 0.
    rng : None, int or numpy.random.Generator
        Source of randomness (:func:`numpy.random.default_rng`).
    """
    _check_config(config, "sample_latent")
    n = check.integer(n, "n", "sample_latent", minimum=0, fix="pass e.g. n=200.")
    gen = np.random.default_rng(rng)
    if config.latent == "uniform":
        return gen.random((n, config.latent_dim), dtype=np.float32)
    return gen.standard_normal((n, config.latent_dim), dtype=np.float32)


@dataclass(frozen=True, eq=False)
class TrainedGAN:
    """A trained GAN (the result of :func:`train_gan`) and how its training went.

    A :class:`physgen.Generator`: :meth:`sample` draws trajectories.

    Attributes
    ----------
    config : GANConfig
        The settings the networks were trained with.
    generator, critic : tf_keras.Model
        The trained networks.
    history : Mapping[str, numpy.ndarray]
        Per epoch, the means over its generator steps of ``"critic_loss"``
        (:math:`L_D`, its negative is the critic's estimate of the
        Wasserstein distance, in the critic's own units), ``"generator_loss"``
        (:math:`L_G`) and ``"gradient_penalty"`` (0 for clipping); each of
        shape ``(epochs,)``.
    seconds : float
        Wall-clock training time [s] (tracing included).
    n_conditions : int
        Conditions the networks take (0: unconditional).
    steps : int
        Generator steps taken.
    """

    config: GANConfig
    generator: Any = field(repr=False)
    critic: Any = field(repr=False)
    history: MappingProxyType = field(repr=False)
    seconds: float
    n_conditions: int
    steps: int

    @property
    def n_parameters(self) -> int:
        """Number of trainable weights of the generator (what sampling needs)."""
        return int(sum(np.prod(w.shape) for w in self.generator.trainable_weights))

    def _conditions(self, conditions, n, where):
        c = _check_conditions(conditions, n, where)
        if bool(self.n_conditions) != (c is not None):
            raise ValueError(
                f"{where}: this GAN takes {self.n_conditions} condition(s); pass "
                "conditions= (one row per trajectory) exactly when it is conditional."
            )
        if c is not None and c.shape[1] != self.n_conditions:
            raise ValueError(
                f"{where}: conditions must have {self.n_conditions} column(s), got "
                f"{c.shape[1]}; pass one value per condition."
            )
        return c

    def sample(self, n: int, *, rng=None, conditions=None, training: bool = False) -> np.ndarray:
        """Generate ``n`` trajectories.

        Parameters
        ----------
        n : int
            Number of trajectories, >= 0.
        rng : None, int or numpy.random.Generator
            Source of the latent vectors.
        conditions : array_like, shape (n,) or (n, k), optional
            Required for a conditional GAN: one condition per trajectory.
        training : bool, optional
            Run the generator as in training (dropout active, batch statistics
            for batch normalisation) instead of in inference mode (the default,
            what Keras' ``predict`` does).

        Returns
        -------
        numpy.ndarray, shape (n, T)
            Trajectories [rad], float64.
        """
        z = sample_latent(self.config, n, rng=rng)
        c = self._conditions(conditions, n, "TrainedGAN.sample")
        if n == 0:
            return np.zeros((0, self.generator.output_shape[-1]))
        inputs = z if c is None else np.concatenate([z, c], axis=1)
        return self.generator(inputs, training=bool(training)).numpy().astype(float)

    def critic_scores(self, trajectories, *, conditions=None) -> np.ndarray:
        """The trained critic's scores of trajectories (inference mode), shape ``(n,)``."""
        x = _check_trajectories("trajectories", trajectories, "TrainedGAN.critic_scores")
        c = self._conditions(conditions, x.shape[0], "TrainedGAN.critic_scores")
        inputs = x if c is None else np.concatenate([x, c], axis=1)
        return self.critic(inputs, training=False).numpy()[:, 0].astype(float)


def _check_trajectories(name, x, where):
    x = check.array(
        x,
        name,
        where,
        ndim=2,
        unit="rad",
        fix="pass one trajectory per row, shape (n, T), e.g. data.theta.",
    )
    return x.astype(np.float32)


def _check_conditions(conditions, n, where):
    if conditions is None:
        return None
    c = check.array(
        conditions,
        "conditions",
        where,
        ndim=(1, 2),
        fix=f"pass one condition per trajectory, shape ({n},) or ({n}, k).",
    )
    if c.ndim == 1:
        c = c[:, None]
    if c.shape[0] != n:
        raise ValueError(
            f"{where}: conditions has {c.shape[0]} row(s) but there are {n} "
            f"trajectories; pass one condition per trajectory, shape ({n},)."
        )
    return c.astype(np.float32)


def train_gan(
    config: GANConfig, data, *, conditions=None, seed: int = 0, progress: str | None = None
) -> TrainedGAN:
    """Train a Wasserstein GAN on whole trajectories.

    The run is reproducible: TensorFlow is seeded from ``seed`` with
    deterministic ops (the networks' initial weights and their noise
    layers), and the data order, the latent vectors and the
    gradient-penalty weights are drawn from ``numpy.random.default_rng(seed)``.

    Parameters
    ----------
    config : GANConfig
    data : array_like, shape (n, T)
        Training trajectories [rad], one per row.
    conditions : array_like, shape (n,) or (n, k), optional
        What to condition on, one row per trajectory (e.g. lengths [m]);
        None for an unconditional GAN.
    seed : int, optional
        Non-negative seed.
    progress : str, optional
        A label: show a progress bar "label: epoch i/n" while training, in a
        notebook or a terminal (see :mod:`physgen._progress`); None: silent.

    Returns
    -------
    TrainedGAN
    """
    _check_config(config, "train_gan")
    seed = check.seed(seed, "seed", "train_gan")
    x = _check_trajectories("data", data, "train_gan")
    n, n_times = x.shape
    c = _check_conditions(conditions, n, "train_gan")
    per_step = config.batch_size * config.n_critic
    if n < per_step:
        raise ValueError(
            f"train_gan: {n} trajectories are fewer than one generator step needs "
            f"(batch_size * n_critic = {per_step}); lower batch_size or pass more "
            "data."
        )
    k = 0 if c is None else c.shape[1]
    seed_tensorflow(seed)
    rng = np.random.default_rng(seed)
    generator = build_generator(config, n_times, n_conditions=k)
    critic = build_critic(config, n_times, n_conditions=k)
    step = make_train_step(
        generator, critic, _optimizer(config), _optimizer(config), config, conditional=k > 0
    )
    steps_per_epoch = n // per_step
    history = {
        name: np.zeros(config.epochs)
        for name in ("critic_loss", "generator_loss", "gradient_penalty")
    }
    bar = Progress(progress, config.epochs)
    start = time.perf_counter()
    for epoch in range(config.epochs):
        order = rng.permutation(n)[: steps_per_epoch * per_step].reshape(
            steps_per_epoch, config.n_critic, config.batch_size
        )
        totals = np.zeros(3)
        for batch in order:
            out = step(*_step_inputs(config, x, c if k else None, batch, rng))
            totals += [float(v) for v in out]
        for name, value in zip(history, totals / steps_per_epoch, strict=True):
            history[name][epoch] = value
        bar.update(epoch + 1)
    seconds = time.perf_counter() - start
    steps = config.epochs * steps_per_epoch
    return _trained(config, generator, critic, history, seconds=seconds, k=k, steps=steps)


def _trained(config, generator, critic, history, *, seconds, k, steps) -> TrainedGAN:
    """A TrainedGAN of the networks as they are now, with read-only copies of ``history``."""
    frozen = {}
    for name, values in history.items():
        part = np.array(values, copy=True)
        part.setflags(write=False)
        frozen[name] = part
    return TrainedGAN(
        config=config,
        generator=generator,
        critic=critic,
        history=MappingProxyType(frozen),
        seconds=seconds,
        n_conditions=k,
        steps=steps,
    )


def _step_inputs(config: GANConfig, x, c, batch, rng) -> list:
    """Arguments of one generator step: the critic's ``n_critic`` batches of trajectories
    ``x[batch]`` (``batch``: shape (n_critic, batch_size)), their latent draws, the
    generator's, the gradient penalty's mixing weights and, for a conditional GAN, the
    conditions of the critic's batches and of the generator's (the last batch's)."""
    B, nc = config.batch_size, config.n_critic
    z_critic = sample_latent(config, nc * B, rng=rng).reshape(nc, B, -1)
    z_generator = sample_latent(config, B, rng=rng)
    if config.penalty == "gradient":
        eps = rng.random((nc, B, 1)).astype(np.float32)
    else:
        eps = np.zeros((nc, B, 1), np.float32)
    args = [x[batch], z_critic, z_generator, eps]
    if c is not None:
        args += [c[batch], c[batch[-1]]]
    return args
