"""physgen: the pendulum as a generative model.

The shared package of the course *From high-school physics to generative
models*. Each module holds one concept and is re-exported here:

- :mod:`physgen.pendulum`: the pendulum's physics, exact and numerical
  (:func:`simulate`, :func:`period`, :func:`energy`, :class:`Trajectory`).
- :mod:`physgen.noise`: observation-noise models.
- :mod:`physgen.generator`: distributions of pendulums and the "pendulum GAN"
  (:class:`PendulumPrior`, :func:`generate`).
- :mod:`physgen.datasets`: the tabular datasets of chapters 2 and 3 and their
  split by trajectory.
- :mod:`physgen.metrics`: errors against the clean truth.
- :mod:`physgen.calibration`: scores of predictive distributions.
- :mod:`physgen.divergence`: the Kullback-Leibler divergence of two Normals, exact
  and sampled, and the sampling error of a fraction.
- :mod:`physgen.trajectory_sets`: whole-trajectory datasets of the learned
  generators (the original VAE/WGAN notebooks' data, and its fix), and their
  split by pendulum, checked for twins (:func:`split_by_pendulum`).
- :mod:`physgen.stored`: results of long training runs stored in the package, each
  checked against a fingerprint of its training data and settings.
- :mod:`physgen.judging`: judges of generated trajectories, generic and
  physics-aware (:func:`fit_pendulum`, :func:`two_sample_test`, ...).
- :mod:`physgen.laws`: learned laws of motion: derivatives of noisy data,
  integrators for a learned right-hand side, the posterior of the length.
- :mod:`physgen.discovery`: equation discovery in weak form, without
  derivatives of noisy data (:func:`weak_law`).
- :mod:`physgen.plotting`: figures (every helper takes ``ax=None`` and returns
  the axes).
- :mod:`physgen.report`: tables, wall-clock times and glue for the chapters' text.
- :mod:`physgen.diagrams`: drawings of the pendulum, the networks, the learned
  generators and the course map (``ax=None`` in, the axes out).

The learned models live in :mod:`physgen.nn`: the networks of chapters 2 and 3
(one stack: config, builder, training loop, results, sampling), the variational
autoencoder of chapter 4 (:mod:`physgen.nn.vae`, also ``physgen.vae``), the
Wasserstein GANs of chapter 5 (:mod:`physgen.nn.gan`, also ``physgen.gan``) and the
flow-matching models (:mod:`physgen.nn.flow`, also ``physgen.flow``).
They need TensorFlow and are imported only when first used, so ``import physgen``
stays fast and TensorFlow-free. Every trained generator of whole trajectories
is a :class:`Generator`: ``sample(n, *, rng=None, conditions=None)``.
"""

from __future__ import annotations

import importlib

from physgen import (
    calibration,
    datasets,
    diagrams,
    discovery,
    divergence,
    generator,
    judging,
    laws,
    metrics,
    noise,
    pendulum,
    plotting,
    stored,
    trajectory_sets,
)
from physgen.calibration import *  # noqa: F403
from physgen.datasets import *  # noqa: F403
from physgen.diagrams import *  # noqa: F403
from physgen.discovery import *  # noqa: F403
from physgen.divergence import *  # noqa: F403
from physgen.generator import *  # noqa: F403
from physgen.judging import *  # noqa: F403
from physgen.laws import *  # noqa: F403
from physgen.metrics import *  # noqa: F403
from physgen.noise import *  # noqa: F403
from physgen.pendulum import *  # noqa: F403
from physgen.plotting import *  # noqa: F403
from physgen.stored import *  # noqa: F403
from physgen.trajectory_sets import *  # noqa: F403

__version__ = "0.1.0"

# The learned models import TensorFlow: physgen.nn (networks, training, results),
# and beside them physgen.nn.vae, physgen.nn.gan and physgen.nn.flow, also read as
# physgen.vae, physgen.gan and physgen.flow.
_LAZY_SUBMODULES = {
    "nn": "physgen.nn",
    "vae": "physgen.nn.vae",
    "gan": "physgen.nn.gan",
    "flow": "physgen.nn.flow",
}

__all__ = [
    *pendulum.__all__,
    *noise.__all__,
    *generator.__all__,
    *datasets.__all__,
    *metrics.__all__,
    *calibration.__all__,
    *divergence.__all__,
    *laws.__all__,
    *discovery.__all__,
    *plotting.__all__,
    *diagrams.__all__,
    *judging.__all__,
    *trajectory_sets.__all__,
    *stored.__all__,
]


def __getattr__(name: str):
    # physgen.nn, physgen.vae, physgen.gan and physgen.flow import TensorFlow: load them on first use.
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(_LAZY_SUBMODULES[name])
    raise AttributeError(f"module 'physgen' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_LAZY_SUBMODULES])
