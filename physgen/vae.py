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
import math
import numbers
import sys
import time
import warnings
from dataclasses import dataclass

import numpy as np

from physgen._tf import import_tfp, seed_tensorflow, tf, tf_keras

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
        def count(name, value, minimum=1):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
                    or value < minimum:
                raise ValueError(f"VAEConfig: {name} must be an integer >= {minimum}, got "
                                 f"{value!r}.")
            return int(value)

        set_ = object.__setattr__
        set_(self, "latent_dim", count("latent_dim", self.latent_dim))
        try:
            units = tuple(self.hidden_units)
        except TypeError:
            units = None
        if not units:
            raise ValueError(f"VAEConfig: hidden_units must be a non-empty tuple of widths, got "
                             f"{self.hidden_units!r}; pass e.g. hidden_units=(250, 100, 50).")
        set_(self, "hidden_units", tuple(count("hidden_units", u) for u in units))
        for name in ("kl_weight", "learning_rate"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v) \
                    or v < 0 or (name == "learning_rate" and v == 0):
                raise ValueError(f"VAEConfig: {name} must be a finite number "
                                 f"{'> 0' if name == 'learning_rate' else '>= 0'}, got {v!r}.")
            set_(self, name, float(v))
        d = self.dropout
        if isinstance(d, bool) or not isinstance(d, numbers.Real) or not 0 <= d < 1:
            raise ValueError(f"VAEConfig: dropout must be a rate in [0, 1), got {d!r}.")
        set_(self, "dropout", float(d))
        set_(self, "batch_size", count("batch_size", self.batch_size))
        set_(self, "epochs", count("epochs", self.epochs))
        if self.patience is not None:
            set_(self, "patience", count("patience", self.patience))

    def replace(self, **changes) -> VAEConfig:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)


#: The original VAE notebook's settings.
ORIGINAL_VAE = VAEConfig()


def build_vae(config: VAEConfig, n_times: int):
    """Build (encoder, decoder, vae) as the chapter's page does, compiled.

    Call :func:`physgen._tf.seed_tensorflow` first for repeatable weights.

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
    if not isinstance(config, VAEConfig):
        raise TypeError(f"build_vae: config must be a VAEConfig, got {type(config).__name__}; "
                        "pass e.g. physgen.vae.ORIGINAL_VAE.")
    if isinstance(n_times, bool) or not isinstance(n_times, numbers.Integral) or n_times < 1:
        raise ValueError(f"build_vae: n_times must be a positive integer, got {n_times!r}.")
    layers = tf_keras.layers
    d = config.latent_dim
    prior = tfd.Independent(tfd.Normal(loc=tf.zeros(d), scale=1.0), reinterpreted_batch_ndims=1)

    def block(units):
        return [layers.Dense(units), layers.BatchNormalization(), layers.LeakyReLU(),
                layers.Dropout(config.dropout)]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        encoder = tf_keras.Sequential(
            [layers.InputLayer(input_shape=(n_times,))]
            + [layer for u in config.hidden_units for layer in block(u)]
            + [layers.Dense(tfpl.MultivariateNormalTriL.params_size(d)),
               tfpl.MultivariateNormalTriL(
                   d, activity_regularizer=tfpl.KLDivergenceRegularizer(
                       prior, weight=config.kl_weight))])
        decoder = tf_keras.Sequential(
            [layers.InputLayer(input_shape=(d,))]
            + [layer for u in reversed(config.hidden_units) for layer in block(u)]
            + [layers.Dense(tfpl.IndependentNormal.params_size(n_times)),
               tfpl.IndependentNormal(n_times)])
        vae = tf_keras.Model(inputs=encoder.inputs, outputs=decoder(encoder.outputs[0]))
        vae.compile(optimizer=tf_keras.optimizers.Adam(learning_rate=config.learning_rate),
                    loss=lambda x, rv_x: -rv_x.log_prob(x))
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
    encoder: object
    decoder: object
    model: object
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
        arr = np.asarray(x, dtype=float)
        if arr.ndim != 2 or arr.shape[1] != self.n_times:
            raise ValueError(f"TrainedVAE.{where}: x must have shape (n, {self.n_times}), got "
                             f"{arr.shape}.")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"TrainedVAE.{where}: x has NaN or inf values.")
        return arr.astype(np.float32)

    def encode(self, x):
        """Posterior ``q(z|x)``: means (n, d) and covariances (n, d, d)."""
        q = self.encoder(self._x(x, "encode"), training=False)
        return np.asarray(q.mean(), dtype=float), np.asarray(q.covariance(), dtype=float)

    def decode(self, z):
        """Decoder mean and standard deviation [rad], each (n, T), for latents ``z`` (n, d)."""
        z = np.asarray(z, dtype=np.float32)
        if z.ndim != 2 or z.shape[1] != self.config.latent_dim:
            raise ValueError(f"TrainedVAE.decode: z must have shape (n, "
                             f"{self.config.latent_dim}), got {z.shape}.")
        p = self.decoder(z, training=False)
        return np.asarray(p.mean(), dtype=float), np.asarray(p.stddev(), dtype=float)

    def sample(self, n, *, rng=None, noise=True):
        """Generate ``n`` trajectories: ``z ~ N(0, I)``, then ``x ~ p(x|z)`` [rad], (n, T).

        ``noise=False`` returns the decoder means instead of samples.
        """
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


class _Progress(tf_keras.callbacks.Callback):
    def __init__(self, every, total):
        super().__init__()
        self.every, self.total = every, total

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            print(f"epoch {epoch + 1}/{self.total}: loss {logs['loss']:.2f}", file=sys.stderr,
                  flush=True)


def train_vae(config: VAEConfig, trajectories, *, seed=0, verbose=False) -> TrainedVAE:
    """Build and train a VAE on whole trajectories.

    Parameters
    ----------
    config : VAEConfig
        Architecture and schedule (e.g. :data:`ORIGINAL_VAE`).
    trajectories : array_like, shape (n, T)
        Training trajectories [rad], finite.
    seed : int, keyword-only
        TensorFlow seed (initial weights, shuffling, dropout, latent samples);
        seeded once with deterministic ops, so the same call gives the same model.
    verbose : bool, keyword-only
        Print the loss every tenth of the epochs to stderr.

    Returns
    -------
    TrainedVAE
    """
    if not isinstance(config, VAEConfig):
        raise TypeError(f"train_vae: config must be a VAEConfig, got {type(config).__name__}.")
    x = np.asarray(trajectories, dtype=float)
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"train_vae: trajectories must have shape (n, T) with n >= 2, got "
                         f"{x.shape}; pass one trajectory per row.")
    if not np.all(np.isfinite(x)):
        raise ValueError("train_vae: trajectories has NaN or inf values; drop those rows.")
    seed_tensorflow(seed)
    encoder, decoder, vae = build_vae(config, x.shape[1])
    callbacks = []
    if config.patience is not None:
        callbacks.append(tf_keras.callbacks.EarlyStopping(monitor="loss",
                                                          patience=config.patience))
    if verbose:
        callbacks.append(_Progress(max(1, config.epochs // 10), config.epochs))
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hist = vae.fit(x.astype(np.float32), x.astype(np.float32), batch_size=config.batch_size,
                       epochs=config.epochs, shuffle=True, verbose=0, callbacks=callbacks)
    seconds = time.perf_counter() - start
    history = {k: [float(v) for v in vals] for k, vals in hist.history.items()}
    return TrainedVAE(config=config, encoder=encoder, decoder=decoder, model=vae, history=history,
                      seconds=seconds, epochs_run=len(history["loss"]), seed=seed,
                      n_times=int(x.shape[1]))
