r"""Judges of generated pendulums: against the physics and against real samples.

A generator of pendulum trajectories can be judged in two ways.

*Generic* judges compare two sets of samples and know nothing about pendulums:

- :func:`two_sample_test`: a kernel two-sample test (maximum mean discrepancy,
  MMD, with a Gaussian kernel and the median-distance bandwidth, Gretton et
  al. 2012), with a permutation p-value;
- :func:`precision_recall`: improved precision and recall from k-nearest-
  neighbour balls (Kynkäänniemi et al. 2019): precision is the share of
  generated samples that look real, recall the share of real samples the
  generator covers;
- :func:`memorisation_ratio`: how much closer generated samples sit to the
  training set than new real samples do (near 0 for a generator that copies).

*Physics-aware* judges use what we know about the data: every real trajectory
is a pendulum. :func:`fit_pendulum` finds, for each trajectory, the pendulum
(:math:`\theta_0`, :math:`\omega_0`, length) whose exact solution fits it best;
its residual says how far a sample is from *any* pendulum, and the fitted
parameters (with the energy and the period derived from them) can be compared
between real and generated sets (:func:`compare_physics`).
:func:`residual_profile` keeps the residual's time axis: the per-time RMS
residual over a set, an estimate of its noise :math:`\sigma(t)`, compared
between sets by :func:`relative_profile_error`.
:func:`judge_generator` runs every judge once and returns the figures the
course compares generators by.

Every function takes trajectories as arrays of shape ``(n, T)`` on one common
time grid ``t`` of shape ``(T,)`` [s]; angles are in rad. Only numpy and
scipy are used.

References
----------
Gretton, Borgwardt, Rasch, Schölkopf, Smola (2012), "A kernel two-sample
test", JMLR 13. Kynkäänniemi, Karras, Laine, Lehtinen, Aila (2019), "Improved
precision and recall metric for assessing generative models", NeurIPS.

Examples
--------
>>> import numpy as np
>>> from physgen import PendulumPrior, generate, fit_pendulum
>>> t = np.linspace(0.0, 5.0, 100)
>>> traj = generate(PendulumPrior(), 4, t, rng=0)
>>> fit = fit_pendulum(traj.theta, t)
>>> bool(np.allclose(fit.length, traj.length, rtol=1e-6))
True
>>> bool(np.all(fit.residual_rms < 1e-8))
True
"""

from __future__ import annotations

from physgen.judging import fitting, neighbours, profiles, report, two_sample
from physgen.judging.fitting import *  # noqa: F403
from physgen.judging.neighbours import *  # noqa: F403
from physgen.judging.profiles import *  # noqa: F403
from physgen.judging.report import *  # noqa: F403
from physgen.judging.two_sample import *  # noqa: F403

__all__ = [
    *fitting.__all__,
    *profiles.__all__,
    *two_sample.__all__,
    *neighbours.__all__,
    *report.__all__,
]
