r"""A variational autoencoder (VAE) of whole pendulum trajectories (chapter 4).

The model of the original VAE notebook, written in ``tf_keras`` with
TensorFlow Probability layers (Kingma & Welling 2014):

- **encoder** :math:`q_\phi(z\mid x)`: Dense 250 → 100 → 50, each followed by
  batch normalisation, LeakyReLU and dropout 0.5, then a full-covariance
  Gaussian over a 6-dimensional latent (``tfp.layers.MultivariateNormalTriL``)
  with a KL regulariser to the standard normal prior, weight :math:`\beta = 10`;
- **decoder** :math:`p_\theta(x\mid z)`: the mirror image (50 → 100 → 250, the
  same blocks), then an independent Normal per time point
  (``tfp.layers.IndependentNormal``): a mean and a scale for every angle;
- **loss**: the negative log-likelihood of the input under the decoder, plus
  :math:`\beta` times the KL term, i.e. the negative :math:`\beta`-ELBO

  .. math::

      \mathcal L(x) = -\mathbb E_{q_\phi(z\mid x)}\big[\log p_\theta(x\mid z)\big]
                      + \beta\,\mathrm{KL}\big(q_\phi(z\mid x)\,\Vert\,\mathcal N(0, I)\big);

- Adam (learning rate 1e-3), batches of 64, early stopping on the *training*
  loss (patience 50), up to 2,000 epochs.

Chapter 4 writes the same model on the page; :func:`build_vae` is that code,
and a test keeps the two identical (same seed, same outputs). Sampling,
encoding and decoding after training are computed from the trained Keras
models in inference mode (no dropout, batch-norm running statistics); every
random draw comes from a NumPy ``rng``.

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

__all__ = ["VAEConfig", "ORIGINAL_VAE", "TrainedVAE", "build_vae", "train_vae"]


@dataclass(frozen=True)
class VAEConfig:
    """Architecture and training schedule of a :func:`build_vae` model.

    Parameters
    ----------
    latent_dim : int, default 6
        Dimension of the latent vector :math:`z`.
    hidden_units : tuple of int, default (250, 100, 50)
        Widths of the encoder's hidden layers; the decoder uses them reversed.
    kl_weight : float, default 10.0
        Weight :math:`\\beta` of the KL regulariser (the original's 10).
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
    kl_weight: float = 10.0
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
            check.real(
                self.kl_weight, "kl_weight", w, nonnegative=True, fix="pass e.g. 1.0 or 10.0."
            ),
        )
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


#: The original VAE notebook's settings.
ORIGINAL_VAE = VAEConfig()


def _check_config(config, where):
    check.instance(config, VAEConfig, "config", where, fix="pass e.g. physgen.vae.ORIGINAL_VAE.")


def build_vae(config: VAEConfig, n_times: int):
    """Build (encoder, decoder, vae) as the chapter's page does, compiled.

    Call the stack's :func:`physgen.nn.seed` first for repeatable weights.

    Parameters
    ----------
    config : VAEConfig
        Architecture and optimiser settings.
    n_times : int
        Length ``T`` of a trajectory vector.

    Returns
    -------
    (tf_keras.Sequential, tf_keras.Sequential, tf_keras.Model)
        The encoder (``T`` angles -> a ``MultivariateNormalTriL``), the decoder
        (latent -> an ``IndependentNormal`` over ``T`` angles) and the
        end-to-end model, compiled with the negative log-likelihood loss.
    """
    _check_config(config, "build_vae")
    n_times = check.integer(
        n_times,
        "n_times",
        "build_vae",
        minimum=1,
        fix="pass the number of angles per trajectory, e.g. 100.",
    )
    layers = tf_keras.layers
    d = config.latent_dim
    prior = tfd.Independent(tfd.Normal(loc=tf.zeros(d), scale=1.0), reinterpreted_batch_ndims=1)

    def block(units):
        return [
            layers.Dense(units),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Dropout(config.dropout),
        ]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        encoder = tf_keras.Sequential(
            [layers.InputLayer(input_shape=(n_times,))]
            + [layer for u in config.hidden_units for layer in block(u)]
            + [
                layers.Dense(tfpl.MultivariateNormalTriL.params_size(d)),
                tfpl.MultivariateNormalTriL(
                    d,
                    activity_regularizer=tfpl.KLDivergenceRegularizer(
                        prior, weight=config.kl_weight
                    ),
                ),
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
        vae = tf_keras.Model(inputs=encoder.inputs, outputs=decoder(encoder.outputs[0]))
        vae.compile(
            optimizer=tf_keras.optimizers.Adam(learning_rate=config.learning_rate),
            loss=lambda x, rv_x: -rv_x.log_prob(x),
        )
    return encoder, decoder, vae


@dataclass(frozen=True, eq=False)
class TrainedVAE:
    """A trained VAE (the result of :func:`train_vae`).

    Attributes
    ----------
    config : VAEConfig
    encoder, decoder, model : tf_keras models
        As returned by :func:`build_vae`, trained.
    history : dict of str to list of float
        ``loss`` per epoch (negative ELBO per trajectory, nats).
    seconds : float
        Wall-clock training time [s].
    epochs_run : int
        Epochs actually run (early stopping may end before ``config.epochs``).
    seed : int
        The TensorFlow seed.
    n_times : int
        Length ``T`` of a trajectory.
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
        gen = np.random.default_rng(rng)
        z = gen.standard_normal((int(n), self.config.latent_dim))
        mean, std = self.decode(z)
        return mean + std * gen.standard_normal(mean.shape) if noise else mean

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


class _ProgressCallback(tf_keras.callbacks.Callback):
    def __init__(self, bar):
        super().__init__()
        self.bar = bar

    def on_epoch_end(self, epoch, logs=None):
        self.bar.update(epoch + 1)


def train_vae(
    config: VAEConfig, trajectories, *, seed: int = 0, progress: str | None = None
) -> TrainedVAE:
    """Build and train a VAE on whole trajectories.

    Parameters
    ----------
    config : VAEConfig
        Architecture and schedule (e.g. :data:`ORIGINAL_VAE`).
    trajectories : array_like, shape (n, T)
        Training trajectories [rad], finite.
    seed : int, keyword-only
        TensorFlow seed (initial weights, shuffling, dropout, latent samples), set
        with the stack's :func:`physgen.nn.seed` (deterministic ops), so the same
        call gives the same model.
    progress : str or None, keyword-only
        Label of the progress bar of :mod:`physgen._progress` (in a notebook or
        a terminal); None, the default, shows none.

    Returns
    -------
    TrainedVAE
    """
    _check_config(config, "train_vae")
    x = check.array(
        trajectories,
        "trajectories",
        "train_vae",
        ndim=2,
        fix="pass one finite trajectory per row, shape (n, T).",
    )
    seed = check.seed(seed, "seed", "train_vae")
    _seed_tensorflow(seed)
    encoder, decoder, vae = build_vae(config, x.shape[1])
    callbacks = []
    if config.patience is not None:
        callbacks.append(tf_keras.callbacks.EarlyStopping(monitor="loss", patience=config.patience))
    bar = Progress(progress, config.epochs)
    callbacks.append(_ProgressCallback(bar))
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hist = vae.fit(
            x.astype(np.float32),
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
        model=vae,
        history=history,
        seconds=seconds,
        epochs_run=len(history["loss"]),
        seed=seed,
        n_times=int(x.shape[1]),
    )
