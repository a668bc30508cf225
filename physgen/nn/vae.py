r"""A variational autoencoder (VAE) of whole pendulum trajectories (chapter 4).

The model of the original VAE notebook, written in ``tf_keras`` with
TensorFlow Probability layers (Kingma & Welling 2014):

- **encoder** :math:`q_\phi(z\mid x)`: Dense 250 → 100 → 50, each followed by
  batch normalisation, LeakyReLU and dropout, then a full-covariance
  Gaussian over a 6-dimensional latent (``tfp.layers.MultivariateNormalTriL``);
- **decoder** :math:`p_\theta(x\mid z)`: the mirror image (50 → 100 → 250, the
  same blocks), then an independent Normal per time point
  (``tfp.layers.IndependentNormal``): a mean and a scale for every angle;
- **loss** (:class:`VAE`, its own ``train_step``): the negative
  :math:`\beta`-ELBO, with *one* KL term,

  .. math::

      \mathcal L(x) = -\log p_\theta(x\mid z)
                      + \beta\,\mathrm{KL}\big(q_\phi(z\mid x)\,\Vert\,\mathcal N(0, I)\big),
      \qquad z = \mu_\phi(x) + L_\phi(x)\,\varepsilon,\ \varepsilon\sim\mathcal N(0, I),

  averaged over the batch; the KL is exact (``kl_estimate="analytic"``) or the
  one-sample estimate :math:`\log q(z\mid x) - \log p(z)` at the same
  :math:`z` (``"sample"``, what the original's regulariser computes);
- Adam (learning rate 1e-3), batches of 64, early stopping on the *training*
  loss (patience 50), up to 2,000 epochs.

The original notebook adds the KL as an activity regulariser of the
encoder's last layer (:func:`build_companion_vae` keeps that construction):
in the end-to-end Keras model that regulariser is collected twice, so its
loss is NLL + 2·10·KL, a β of 20, not 10. :data:`ORIGINAL_VAE` reproduces
that loss with one, explicit KL term (``kl_weight=20``, sampled KL).

Chapter 4 writes the model on the page; :func:`build_vae` and :class:`VAE`
are that code, and a test keeps the two identical (same seed, same outputs).
Sampling, encoding and decoding after training are computed from the trained
Keras models in inference mode (no dropout, batch-norm running statistics);
every random draw comes from a NumPy ``rng``.

TensorFlow is imported when this module is, so ``import physgen`` stays
TensorFlow-free (``physgen.vae`` is loaded on first use).

Examples
--------
>>> import numpy as np
>>> from physgen import vae
>>> cfg = vae.ORIGINAL_VAE.replace(epochs=2, hidden_units=(16, 8))
>>> x = np.random.default_rng(0).normal(size=(64, 20))
>>> model = vae.train_vae(cfg, x, seed=0)
>>> model.sample(3, rng=0).shape, model.encode(x[:2])[0].shape
((3, 20), (2, 6))
"""

from __future__ import annotations

import dataclasses
import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from physgen import _validation as check
from physgen._progress import Progress
from physgen._tf import import_tfp, tf, tf_keras
from physgen.nn import seed as _seed_tensorflow

tfp = import_tfp()
tfd = tfp.distributions
tfpl = tfp.layers

__all__ = [
    "VAEConfig",
    "ORIGINAL_VAE",
    "KL_ESTIMATES",
    "VAE",
    "TrainedVAE",
    "build_vae",
    "build_companion_vae",
    "train_vae",
]

#: The KL terms :class:`VAE` can use: exact, or the one-sample estimate.
KL_ESTIMATES = ("analytic", "sample")


@dataclass(frozen=True)
class VAEConfig:
    """Architecture and training schedule of a :func:`build_vae` model.

    Parameters
    ----------
    latent_dim : int, default 6
        Dimension of the latent vector :math:`z`.
    hidden_units : tuple of int, default (250, 100, 50)
        Widths of the encoder's hidden layers; the decoder uses them reversed.
    kl_weight : float, default 1.0
        Weight :math:`\\beta` of the one KL term of the loss, >= 0 (1: the ELBO).
    kl_estimate : {"analytic", "sample"}, default "analytic"
        The exact KL of the two Gaussians, or the one-sample estimate
        :math:`\\log q(z\\mid x) - \\log p(z)` at the latent sample (the original's).
    dropout : float, default 0.5
        Dropout rate after every hidden layer, in [0, 1).
    learning_rate : float, default 1e-3
        Adam's learning rate.
    batch_size : int, default 64
        Trajectories per batch.
    epochs : int, default 2000
        Maximum number of epochs.
    patience : int or None, default 50
        Early stopping on the training loss (the original's rule); None: off.
    """

    latent_dim: int = 6
    hidden_units: tuple = (250, 100, 50)
    kl_weight: float = 1.0
    kl_estimate: str = "analytic"
    dropout: float = 0.5
    learning_rate: float = 1e-3
    batch_size: int = 64
    epochs: int = 2000
    patience: int | None = 50

    def __post_init__(self):
        w = "VAEConfig"

        def put(name, value):
            object.__setattr__(self, name, value)

        put(
            "latent_dim",
            check.integer(self.latent_dim, "latent_dim", w, minimum=1, fix="pass e.g. 6."),
        )
        put(
            "hidden_units",
            check.widths(self.hidden_units, "hidden_units", w, example="(250, 100, 50)"),
        )
        put(
            "kl_weight",
            check.real(self.kl_weight, "kl_weight", w, nonnegative=True, fix="pass e.g. 1.0."),
        )
        put("kl_estimate", check.choice(self.kl_estimate, "kl_estimate", w, KL_ESTIMATES))
        put(
            "learning_rate",
            check.real(
                self.learning_rate, "learning_rate", w, positive=True, fix="pass e.g. 1e-3."
            ),
        )
        put(
            "dropout",
            check.fraction(
                self.dropout, "dropout", w, zero=True, fix="pass a rate in [0, 1), e.g. 0.5."
            ),
        )
        put(
            "batch_size",
            check.integer(self.batch_size, "batch_size", w, minimum=1, fix="pass e.g. 64."),
        )
        put(
            "epochs",
            check.integer(self.epochs, "epochs", w, minimum=1, fix="pass e.g. epochs=100."),
        )
        if self.patience is not None:
            put(
                "patience",
                check.integer(
                    self.patience, "patience", w, minimum=1, fix="pass e.g. 50, or None."
                ),
            )

    def replace(self, **changes) -> VAEConfig:
        """A copy with some fields changed (validated again): :func:`dataclasses.replace`."""
        return dataclasses.replace(self, **changes)


#: The original VAE notebook's settings, with the loss it really optimises: its
#: regulariser of weight 10 is counted twice (:func:`build_companion_vae`), so one
#: sampled KL term of weight 20.
ORIGINAL_VAE = VAEConfig(kl_weight=20.0, kl_estimate="sample", dropout=0.5)


def _check_config(config, where):
    check.instance(config, VAEConfig, "config", where, fix="pass e.g. physgen.vae.ORIGINAL_VAE.")


def _n_times(n_times, where):
    return check.integer(
        n_times,
        "n_times",
        where,
        minimum=1,
        fix="pass the number of angles per trajectory, e.g. 100.",
    )


def _prior(latent_dim):
    """p(z) = N(0, I) as TFP's Independent Normal."""
    return tfd.Independent(
        tfd.Normal(loc=tf.zeros(latent_dim), scale=1.0), reinterpreted_batch_ndims=1
    )


def _networks(config, n_times, *, regularizer=None):
    """Encoder and decoder Sequentials; ``regularizer``: the original's KL on the encoder."""
    layers = tf_keras.layers
    d = config.latent_dim

    def block(units):
        return [
            layers.Dense(units),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Dropout(config.dropout),
        ]

    encoder = tf_keras.Sequential(
        [layers.InputLayer(input_shape=(n_times,))]
        + [layer for u in config.hidden_units for layer in block(u)]
        + [
            layers.Dense(tfpl.MultivariateNormalTriL.params_size(d)),
            tfpl.MultivariateNormalTriL(d, activity_regularizer=regularizer),
        ]
    )
    decoder = tf_keras.Sequential(
        [layers.InputLayer(input_shape=(d,))]
        + [layer for u in reversed(config.hidden_units) for layer in block(u)]
        + [
            layers.Dense(tfpl.IndependentNormal.params_size(n_times)),
            tfpl.IndependentNormal(n_times),
        ]
    )
    return encoder, decoder


class VAE(tf_keras.Model):
    r"""Encoder, decoder and the negative β-ELBO as the training loss, one KL term.

    ``train_step`` draws :math:`\varepsilon\sim\mathcal N(0, I)` and takes one
    Adam step on :meth:`loss_terms`: the batch mean of the reconstruction NLL
    plus ``kl_weight`` times the batch mean of the KL. Its history holds
    ``loss``, ``nll`` and ``kl`` (nats per trajectory, averaged over the epoch).

    Parameters
    ----------
    encoder, decoder : tf_keras.Model
        ``x -> q(z|x)`` (a ``MultivariateNormalTriL``) and ``z -> p(x|z)``.
    kl_weight : float
        :math:`\beta`, >= 0.
    kl_estimate : {"analytic", "sample"}
        Exact KL, or :math:`\log q(z\mid x) - \log p(z)` at the latent sample.
    """

    def __init__(self, encoder, decoder, *, kl_weight, kl_estimate="analytic", **kwargs):
        super().__init__(**kwargs)
        self.encoder, self.decoder = encoder, decoder
        self.kl_weight = check.real(
            kl_weight, "kl_weight", "VAE", nonnegative=True, fix="pass e.g. 1.0."
        )
        self.kl_estimate = check.choice(kl_estimate, "kl_estimate", "VAE", KL_ESTIMATES)
        self.latent_dim = int(encoder.output_shape[-1])
        self.prior = tfd.MultivariateNormalDiag(loc=tf.zeros(self.latent_dim))  # N(0, I)
        self.trackers = [tf_keras.metrics.Mean(name) for name in ("loss", "nll", "kl")]

    @property
    def metrics(self):
        return self.trackers

    def call(self, x, training=False):
        return self.decoder(self.encoder(x, training=training), training=training)

    def loss_terms(self, x, eps, training=False):
        """Per-trajectory NLL and KL [nats], each shape (n,), at ``z = mu + L eps``."""
        q = self.encoder(x, training=training)  # q(z|x)
        z = q.mean() + tf.linalg.matvec(q.scale.to_dense(), eps)  # reparameterisation
        p = self.decoder(z, training=training)  # p(x|z)
        nll = -p.log_prob(x)
        if self.kl_estimate == "analytic":
            kl = tfd.kl_divergence(q, self.prior)
        else:
            kl = q.log_prob(z) - self.prior.log_prob(z)
        return nll, kl

    def step(self, x, eps):
        """One gradient step on the batch ``x`` with the latent noise ``eps`` (n, d)."""
        with tf.GradientTape() as tape:
            nll, kl = self.loss_terms(x, eps, training=True)
            nll, kl = tf.reduce_mean(nll), tf.reduce_mean(kl)
            loss = nll + self.kl_weight * kl
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables, strict=True))
        for tracker, value in zip(self.trackers, (loss, nll, kl), strict=True):
            tracker.update_state(value)
        return {tracker.name: tracker.result() for tracker in self.trackers}

    def train_step(self, data):
        x = data[0] if isinstance(data, tuple) else data
        return self.step(x, tf.random.normal([tf.shape(x)[0], self.latent_dim]))


def build_vae(config: VAEConfig, n_times: int):
    """Build (encoder, decoder, vae) as the chapter's page does, compiled.

    Call the stack's :func:`physgen.nn.seed` first for repeatable weights.

    Parameters
    ----------
    config : VAEConfig
        Architecture, loss and optimiser settings.
    n_times : int
        Length ``T`` of a trajectory vector.

    Returns
    -------
    (tf_keras.Sequential, tf_keras.Sequential, VAE)
        The encoder (``T`` angles -> a ``MultivariateNormalTriL``), the decoder
        (latent -> an ``IndependentNormal`` over ``T`` angles) and the
        :class:`VAE` that trains them on NLL + ``kl_weight``·KL, compiled with Adam.
    """
    _check_config(config, "build_vae")
    n_times = _n_times(n_times, "build_vae")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        encoder, decoder = _networks(config, n_times)
        model = VAE(encoder, decoder, kl_weight=config.kl_weight, kl_estimate=config.kl_estimate)
        model.compile(optimizer=tf_keras.optimizers.Adam(learning_rate=config.learning_rate))
    return encoder, decoder, model


def build_companion_vae(config: VAEConfig, n_times: int):
    """The original notebook's construction, kept to show its bug: the KL counted twice.

    The KL is an activity regulariser of the encoder's last layer
    (``tfpl.KLDivergenceRegularizer(prior, weight=config.kl_weight)``, the
    sampled KL), the end-to-end model is ``Model(encoder.inputs,
    decoder(encoder.outputs[0]))`` compiled with the negative log-likelihood,
    and Keras adds ``model.losses`` to it. That list holds the regulariser twice
    (once through the encoder, once through the encoder's output layer), so
    the loss Keras trains on is NLL + 2·``kl_weight``·KL.

    Parameters
    ----------
    config : VAEConfig
        Architecture and optimiser (``kl_estimate`` is ignored: always sampled).
    n_times : int
        Length ``T`` of a trajectory vector.

    Returns
    -------
    (tf_keras.Sequential, tf_keras.Sequential, tf_keras.Model)
        Encoder, decoder and the compiled end-to-end model.
    """
    _check_config(config, "build_companion_vae")
    n_times = _n_times(n_times, "build_companion_vae")
    kl = tfpl.KLDivergenceRegularizer(_prior(config.latent_dim), weight=config.kl_weight)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        encoder, decoder = _networks(config, n_times, regularizer=kl)
        model = tf_keras.Model(inputs=encoder.inputs, outputs=decoder(encoder.outputs[0]))
        model.compile(
            optimizer=tf_keras.optimizers.Adam(learning_rate=config.learning_rate),
            loss=lambda x, rv_x: -rv_x.log_prob(x),
        )
    return encoder, decoder, model


@dataclass(frozen=True, eq=False)
class TrainedVAE:
    """A trained VAE (the result of :func:`train_vae`).

    Attributes
    ----------
    config : VAEConfig
    encoder, decoder, model : tf_keras models
        As returned by :func:`build_vae`, trained.
    history : dict of str to list of float
        Per epoch: ``loss`` (negative β-ELBO), ``nll`` and ``kl`` [nats per
        trajectory, epoch means].
    seconds : float
        Wall-clock training time [s].
    epochs_run : int
        Epochs actually run (early stopping may end before ``config.epochs``).
    seed : int
        The TensorFlow seed.
    n_times : int
        Length ``T`` of a trajectory.
    checkpoints : dict of int to numpy.ndarray
        Samples (n, T) [rad] drawn at the end of each epoch asked for in
        :func:`train_vae`'s ``checkpoints`` (empty if none).
    """

    config: VAEConfig
    encoder: Any
    decoder: Any
    model: Any
    history: dict
    seconds: float
    epochs_run: int
    seed: int
    n_times: int
    checkpoints: dict = dataclasses.field(default_factory=dict)

    @property
    def n_parameters(self) -> int:
        """Number of trainable parameters (encoder and decoder)."""
        return int(sum(int(np.prod(v.shape)) for v in self.model.trainable_variables))

    def _x(self, x, where):
        arr = check.array(
            x,
            "x",
            f"TrainedVAE.{where}",
            ndim=2,
            shape=(None, self.n_times),
            fix=f"pass trajectories of shape (n, {self.n_times}).",
        )
        return arr.astype(np.float32)

    def encode(self, x):
        """Posterior ``q(z|x)``: means (n, d) and covariances (n, d, d)."""
        q = self.encoder(self._x(x, "encode"), training=False)
        return np.asarray(q.mean(), dtype=float), np.asarray(q.covariance(), dtype=float)

    def decode(self, z):
        """Decoder mean and standard deviation [rad], each (n, T), for latents ``z`` (n, d)."""
        d = self.config.latent_dim
        z = check.array(
            z,
            "z",
            "TrainedVAE.decode",
            ndim=2,
            shape=(None, d),
            fix=f"pass latents of shape (n, {d}).",
        ).astype(np.float32)
        p = self.decoder(z, training=False)
        return np.asarray(p.mean(), dtype=float), np.asarray(p.stddev(), dtype=float)

    def sample(self, n, *, rng=None, conditions=None, noise=True):
        """Generate ``n`` trajectories: ``z ~ N(0, I)``, then ``x ~ p(x|z)`` [rad], (n, T).

        A :class:`physgen.Generator`. The VAE is unconditional: ``conditions``
        must be None. ``noise=False`` returns the decoder means instead of samples.
        """
        if conditions is not None:
            raise ValueError(
                "TrainedVAE.sample: this VAE is unconditional; drop conditions= (got "
                f"{check.short(conditions)})."
            )
        n = check.integer(n, "n", "TrainedVAE.sample", minimum=0, fix="pass e.g. n=200.")
        return _draw(self.decoder, self.config.latent_dim, n, np.random.default_rng(rng), noise)

    def reconstruct(self, x):
        """Decoder means [rad] at the posterior means of ``x``, shape (n, T)."""
        return self.decode(self.encode(x)[0])[0]

    def kl_per_dimension(self, x):
        r"""Mean KL [nats] of each latent dimension's posterior marginal to N(0, 1), shape (d,).

        .. math:: \mathrm{KL}_j = \tfrac12\,\mathbb E_x\big[\mu_j^2 + \sigma_j^2 - 1 - \log\sigma_j^2\big]

        A dimension the decoder does not use collapses to the prior (KL near 0).
        """
        mu, cov = self.encode(x)
        var = np.einsum("ijj->ij", cov)
        return 0.5 * np.mean(mu**2 + var - 1.0 - np.log(var), axis=0)


def _draw(decoder, latent_dim, n, gen, noise):
    """``n`` samples of a decoder at ``z ~ N(0, I)`` (NumPy randomness ``gen``)."""
    z = gen.standard_normal((int(n), latent_dim)).astype(np.float32)
    p = decoder(z, training=False)
    mean = np.asarray(p.mean(), dtype=float)
    if not noise:
        return mean
    return mean + np.asarray(p.stddev(), dtype=float) * gen.standard_normal(mean.shape)


class _EpochCallback(tf_keras.callbacks.Callback):
    """Progress bar, and samples at the checkpoint epochs."""

    def __init__(self, bar, decoder, latent_dim, checkpoints, n_samples, seed):
        super().__init__()
        self.bar, self.decoder, self.latent_dim = bar, decoder, latent_dim
        self.wanted, self.n_samples, self.seed = set(checkpoints), n_samples, seed
        self.samples: dict = {}

    def on_epoch_end(self, epoch, logs=None):
        self.bar.update(epoch + 1)
        if epoch + 1 in self.wanted:
            gen = np.random.default_rng(self.seed)
            self.samples[epoch + 1] = _draw(
                self.decoder, self.latent_dim, self.n_samples, gen, True
            )


def _checkpoints(checkpoints, where):
    items = check.sequence(
        checkpoints, "checkpoints", where, nonempty=False, fix="pass epochs, e.g. (50, 100)."
    )
    return tuple(
        check.integer(e, "checkpoints", where, minimum=1, fix="pass epochs >= 1.") for e in items
    )


def train_vae(
    config: VAEConfig,
    trajectories,
    *,
    seed: int = 0,
    checkpoints=(),
    checkpoint_samples: int = 500,
    progress: str | None = None,
) -> TrainedVAE:
    """Build and train a VAE on whole trajectories.

    Parameters
    ----------
    config : VAEConfig
        Architecture, loss and schedule (e.g. :data:`ORIGINAL_VAE`).
    trajectories : array_like, shape (n, T)
        Training trajectories [rad], finite.
    seed : int, keyword-only
        TensorFlow seed (initial weights, shuffling, dropout, latent samples), set
        with the stack's :func:`physgen.nn.seed` (deterministic ops), so the same
        call gives the same model; also the NumPy seed of the checkpoint samples.
    checkpoints : sequence of int, keyword-only
        Epochs after which ``checkpoint_samples`` samples are drawn (the same
        latents and noise each time), to judge quality against training length.
    checkpoint_samples : int, keyword-only
        Samples per checkpoint, >= 1.
    progress : str or None, keyword-only
        Label of the progress bar of :mod:`physgen._progress` (in a notebook or
        a terminal); None, the default, shows none.

    Returns
    -------
    TrainedVAE
    """
    where = "train_vae"
    _check_config(config, where)
    x = check.array(
        trajectories,
        "trajectories",
        where,
        ndim=2,
        fix="pass one finite trajectory per row, shape (n, T).",
    )
    seed = check.seed(seed, "seed", where)
    wanted = _checkpoints(checkpoints, where)
    n_samples = check.integer(
        checkpoint_samples, "checkpoint_samples", where, minimum=1, fix="pass e.g. 500."
    )
    _seed_tensorflow(seed)
    encoder, decoder, model = build_vae(config, x.shape[1])
    bar = Progress(progress, config.epochs)
    epoch_cb = _EpochCallback(bar, decoder, config.latent_dim, wanted, n_samples, seed)
    callbacks: list = [epoch_cb]
    if config.patience is not None:
        callbacks.insert(
            0, tf_keras.callbacks.EarlyStopping(monitor="loss", patience=config.patience)
        )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hist = model.fit(
            x.astype(np.float32),
            batch_size=config.batch_size,
            epochs=config.epochs,
            shuffle=True,
            verbose=0,
            callbacks=callbacks,
        )
    seconds = time.perf_counter() - start
    history = {k: [float(v) for v in vals] for k, vals in hist.history.items()}
    bar.close(len(history["loss"]))
    return TrainedVAE(
        config=config,
        encoder=encoder,
        decoder=decoder,
        model=model,
        history=history,
        seconds=seconds,
        epochs_run=len(history["loss"]),
        seed=seed,
        n_times=int(x.shape[1]),
        checkpoints=epoch_cb.samples,
    )
