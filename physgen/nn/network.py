r"""Building a network from a :class:`~physgen.nn.NetworkConfig`, and running it in NumPy.

:func:`build_network` returns the untrained Keras 2 (``tf_keras``) model:

.. code-block:: text

    Input(n_features) -> [Normalization] -> Dense/DenseFlipout x len(hidden)
        -> Dense/DenseFlipout(n_outputs) -> [one learned scale] -> [Normal head]

Every weight initialiser gets an explicit seed derived from ``seed`` (layer
``k`` gets ``seed + 7919 k``), so the same seed gives the same network.

A trained network is also read back into plain NumPy arrays
(:class:`NumpyNetwork`), so that sampling many networks from a weight
distribution (or many members of an ensemble) needs no TensorFlow and its
randomness comes only from an ``rng`` argument.
"""

from __future__ import annotations

import math

import numpy as np

from physgen import _validation as check
from physgen._tf import import_tfp, tf, tf_keras
from physgen.nn.config import ACTIVATIONS, NetworkConfig

tfp = import_tfp()
tfd = tfp.distributions

__all__ = ["build_network", "NumpyNetwork"]

_SEED_STRIDE = 7919


def _softplus(x):
    return np.logaddexp(0.0, x)


def _inv_softplus(y: float) -> float:
    return float(y + math.log(-math.expm1(-y)))


def check_config(config, where):
    """``config`` must be a :class:`NetworkConfig`."""
    return check.instance(
        config,
        NetworkConfig,
        "config",
        where,
        fix="pass e.g. physgen.nn.ORIGINAL or physgen.nn.NetworkConfig(...).",
    )


#: Raw (pre-softplus) value whose softplus is the companion's 0.1.
_RAW_SCALE_0P1 = _inv_softplus(0.1)


class ScaleVariable(tf_keras.layers.Layer):
    """Appends one trainable raw (pre-softplus) scale to the loc column: (R, 1) -> (R, 2)."""

    def __init__(self, init=_RAW_SCALE_0P1, **kwargs):
        super().__init__(**kwargs)
        self._init = float(init)

    def build(self, input_shape):
        self.raw = self.add_weight(
            name="raw",
            shape=(),
            trainable=True,
            initializer=tf_keras.initializers.Constant(self._init),
        )

    def call(self, h):
        return tf.concat([h, tf.ones_like(h) * self.raw], axis=-1)

    def get_config(self):
        return {**super().get_config(), "init": self._init}


def _head(config):
    """The function from the last layer's output to a Normal (one per row)."""
    head, fixed, floor = config.head, config.fixed_scale, config.min_scale

    def normal(h):
        loc = h[..., :1]
        if head == "fixed":
            scale = fixed * tf.ones_like(loc)
        elif head == "softplus":
            scale = fixed + tf.math.softplus(h[..., 1:])
        else:  # heteroscedastic, homoscedastic
            scale = floor + tf.math.softplus(h[..., 1:])
        return tfd.Normal(loc=loc, scale=scale)

    return normal


def _prior(prior_scale):
    def make_prior(dtype, shape, name, trainable, add_variable_fn):
        del name, trainable, add_variable_fn
        dist = tfd.Normal(loc=tf.zeros(shape, dtype), scale=tf.constant(prior_scale, dtype))
        return tfd.Independent(dist, reinterpreted_batch_ndims=len(shape))

    return make_prior


def build_network(
    config: NetworkConfig,
    n_features: int,
    *,
    mean=None,
    std=None,
    seed: int | None = None,
    kl_weight=1.0,
):
    """Build the untrained network of a configuration.

    Parameters
    ----------
    config : NetworkConfig
        Layers, activation, input scaling, head, and (``bayesian``) the prior
        and the posterior's start.
    n_features : int
        Number of input columns, ``len(config.features)``.
    mean, std : array_like, shape (n_features,), optional
        Training mean and standard deviation of each input (in the features'
        units); required when ``config.input_scaling == "standardize"``, not
        allowed otherwise. A zero ``std`` (a constant feature) is replaced by 1.
    seed : int, optional
        Seed of the initial weights (Glorot-uniform, Keras' default for
        ``Dense``) and of the Flipout sign flips. Explicit seeds also avoid a
        tf_keras 2.17-2.18 bug under Python 3.12 (keras-team/tf-keras#803).
        Default None: Keras draws them.
    kl_weight : float or tf.Variable, optional
        Multiplier of each Flipout layer's KL term (``train`` passes 1 / N).

    Returns
    -------
    tf_keras.Sequential
        Maps ``(batch, n_features)`` float32 inputs to ``(batch, 1)`` angles
        [rad], or, with a head, to a ``tfd.Normal`` of batch shape ``(batch, 1)``.
    """
    check_config(config, "build_network")
    n_features = check.integer(
        n_features, "n_features", "build_network", minimum=1, fix="pass len(config.features)."
    )
    if seed is not None:
        seed = check.seed(seed, "seed", "build_network")
    layers = [tf_keras.layers.Input(shape=(n_features,), dtype="float32")]
    scaling = _input_scaling(config, n_features, mean, std)
    if scaling is not None:
        layers.append(scaling)

    def glorot(k):
        if seed is None:
            return tf_keras.initializers.GlorotUniform()
        return tf_keras.initializers.GlorotUniform(seed=(seed + _SEED_STRIDE * k) % (2**31 - 1))

    activation = ACTIVATIONS[config.activation][0]
    widths = list(config.hidden) + [config.n_outputs]
    for k, width in enumerate(widths):
        act = activation if k < len(config.hidden) else None
        if config.bayesian:
            layers.append(_flipout(config, width, act, glorot(k), k, seed, kl_weight))
        else:
            layers.append(
                tf_keras.layers.Dense(width, activation=act, kernel_initializer=glorot(k))
            )
    if config.head == "homoscedastic":
        layers.append(ScaleVariable(name="noise_scale"))
    if config.head != "none":
        layers.append(tfp.layers.DistributionLambda(_head(config), name="normal_head"))
    return tf_keras.Sequential(layers)


def _input_scaling(config, n_features: int, mean, std):
    """The Normalization layer of ``input_scaling="standardize"`` (from the training
    features' ``mean`` and ``std``), or None for raw inputs."""
    if config.input_scaling == "standardize":
        if mean is None or std is None:
            raise ValueError(
                "build_network: input_scaling='standardize' needs mean= and std= "
                "of the training features; pass x.mean(axis=0) and x.std(axis=0) "
                "(train computes them)."
            )
        mean = check.array(
            mean,
            "mean",
            "build_network",
            shape=(n_features,),
            fix="pass x.mean(axis=0) of the training features.",
        )
        std = check.array(
            std,
            "std",
            "build_network",
            shape=(n_features,),
            nonnegative=True,
            fix="pass x.std(axis=0) of the training features.",
        )
        return tf_keras.layers.Normalization(mean=mean, variance=_safe_std(std) ** 2)
    elif mean is not None or std is not None:
        raise ValueError(
            "build_network: mean/std are only used with input_scaling="
            "'standardize'; drop them or change the config."
        )
    return None


def _flipout(config, width, activation, glorot, k, seed, kl_weight):
    loc_init = (
        glorot
        if config.posterior_loc_init == "glorot"
        else tf_keras.initializers.RandomNormal(
            stddev=0.1, seed=None if seed is None else seed + _SEED_STRIDE * k
        )
    )
    posterior = tfp.layers.default_mean_field_normal_fn(
        loc_initializer=loc_init,
        untransformed_scale_initializer=tf_keras.initializers.Constant(
            _inv_softplus(config.posterior_scale_init)
        ),
    )
    return tfp.layers.DenseFlipout(
        width,
        activation=activation,
        kernel_posterior_fn=posterior,
        kernel_prior_fn=_prior(config.prior_scale),
        kernel_divergence_fn=lambda q, p, _: tfd.kl_divergence(q, p) * kl_weight,
        seed=None if seed is None else (seed + _SEED_STRIDE * k) % (2**31 - 1),
    )


def _safe_std(std):
    return np.where(std > 0, std, 1.0)


class NumpyNetwork:
    """A trained network's weights as NumPy arrays, for seeded forward passes.

    ``layers`` holds ``(kernel_loc, kernel_std or None, bias)`` per layer
    (``kernel_std`` for Flipout layers). Inputs are the selected, *raw*
    features; the standardisation is applied here as in the Keras model.
    """

    def __init__(self, keras_model, config, mean, std):
        self.config = config
        self.mean = None if mean is None else np.asarray(mean, dtype=float)
        self.std = None if std is None else _safe_std(np.asarray(std, dtype=float))
        self.layers = []
        self.raw_scale = None
        for layer in keras_model.layers:
            if isinstance(layer, tfp.layers.DenseFlipout):
                post = layer.kernel_posterior.distribution
                self.layers.append(
                    (
                        np.asarray(tf.convert_to_tensor(post.loc), dtype=float),
                        np.asarray(tf.convert_to_tensor(post.scale), dtype=float),
                        np.asarray(
                            tf.convert_to_tensor(layer.bias_posterior.distribution.loc), dtype=float
                        ),
                    )
                )
            elif isinstance(layer, tf_keras.layers.Dense):
                w, b = (np.asarray(a, dtype=float) for a in layer.get_weights())
                self.layers.append((w, None, b))
            elif isinstance(layer, ScaleVariable):
                self.raw_scale = float(layer.raw.numpy())

    @property
    def stochastic(self) -> bool:
        """True if the weights have a distribution."""
        return any(std is not None for _, std, _ in self.layers)

    def outputs(self, x, kernels=None):
        """``loc, scale`` [rad] for selected raw features ``x`` of shape (R, F).

        ``kernels``: one (S, in, out) array of weight draws per layer, or None
        for the posterior means. Returns float64 arrays of shape (R,) without
        draws, (S, R) with draws; the forward pass runs in float32, like Keras.
        """
        h = np.asarray(x, dtype=float)
        if self.mean is not None:
            h = (h - self.mean) / self.std
        h = h.astype(np.float32)
        act = ACTIVATIONS[self.config.activation][1]
        n = len(self.layers)
        for i, (w, _, b) in enumerate(self.layers):
            if kernels is None:
                h = h @ w.astype(np.float32) + b.astype(np.float32)
            elif h.ndim == 2:  # first layer: (R, F) @ (S, F, H) -> (S, R, H)
                h = np.einsum("rf,sfh->srh", h, kernels[i], optimize=True) + b.astype(np.float32)
            else:
                h = np.matmul(h, kernels[i]) + b.astype(np.float32)
            if i < n - 1:
                h = act(h)
        h = h.astype(np.float64)
        loc = h[..., 0]
        head = self.config.head
        if head == "none":
            scale = np.zeros_like(loc)
        elif head == "fixed":
            scale = np.full_like(loc, self.config.fixed_scale)
        elif head == "softplus":
            scale = self.config.fixed_scale + _softplus(h[..., 1])
        elif head == "heteroscedastic":
            scale = self.config.min_scale + _softplus(h[..., 1])
        else:  # homoscedastic
            scale = np.full_like(loc, self.config.min_scale + _softplus(self.raw_scale))
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
