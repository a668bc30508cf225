r"""Neural networks of the course: one stack, from a plain regressor to a Bayesian network.

Every network is described by one frozen, validated :class:`NetworkConfig`
(:mod:`~physgen.nn.config`), built by :func:`build_network`
(:mod:`~physgen.nn.network`), trained by :func:`train` (one training loop for
all of them, :mod:`~physgen.nn.training`), and comes back as a frozen
:class:`FitResult` (the trained network, its history, epochs run, seconds;
:mod:`~physgen.nn.fitted`). Beside them, the other learned models of the
course: the VAE (:mod:`physgen.nn.vae`), the GANs (:mod:`physgen.nn.gan`) and the
flow-matching models (:mod:`physgen.nn.flow`: a velocity network whose ODE carries noise
to trajectories). What chapter 3 adds are *options*
of the same config:

- ``head="none"``: a regressor :math:`x \mapsto \theta` trained on the MSE
  (:data:`ORIGINAL`, :data:`IMPROVED`, chapter 2);
- ``head="fixed"`` / ``"softplus"`` with ``loss="mse"``: the original's two
  "Bayesian" models (:data:`ORIGINAL_FIXED`, :data:`ORIGINAL_SOFTPLUS`);
- ``head="heteroscedastic"`` with ``loss="nll"``: aleatoric uncertainty
  (:data:`ALEATORIC`);
- ``bayesian=True``: Flipout layers with a weight distribution and the KL term
  divided by the number of training rows (:data:`BAYESIAN`, :data:`EPISTEMIC`);
- :func:`train_ensemble` / :class:`Ensemble`: several networks from several seeds.

Trained networks are sampled in NumPy (:func:`sample_trajectories`,
:func:`variance_decomposition`), with randomness only from ``rng``.

This subpackage imports TensorFlow (through :mod:`physgen._tf`);
``import physgen`` loads it only on first use of ``physgen.nn``.

Examples
--------
>>> import numpy as np
>>> from physgen import nn
>>> config = nn.ALEATORIC.replace(hidden=(8,), epochs=2)
>>> x = np.random.default_rng(0).uniform(size=(256, 6)); y = x[:, 2]
>>> result = nn.train(config, (x, y), seed=0)
>>> result.epochs_run, result.predict(x[:5]).shape
(2, (5,))
>>> bool(np.all(result.predictive(x[:5]).epistemic_std == 0))
True
"""

from physgen.nn import config, fitted, network, training
from physgen.nn.config import *  # noqa: F403
from physgen.nn.fitted import *  # noqa: F403
from physgen.nn.network import *  # noqa: F403
from physgen.nn.training import *  # noqa: F403

__all__ = [*config.__all__, *network.__all__, *training.__all__, *fitted.__all__]
