r"""The Kullback-Leibler divergence between two Normal distributions, exact and sampled.

The divergence of a distribution :math:`q` from a distribution :math:`p`,

.. math::

    \mathrm{KL}(q\,\|\,p) = \mathbb E_{x\sim q}\big[\log q(x) - \log p(x)\big] \ge 0,

is the price, in nats, of describing draws of :math:`q` with :math:`p`. The
course meets it in the evidence lower bound of chapter 3 and in the loss of the
variational autoencoder of chapter 4, always between Normal distributions, where it
has a closed form (:func:`gaussian_kl`). :func:`gaussian_kl_monte_carlo` estimates
the same number by sampling, with its standard error, so the formula can be checked.
:func:`binomial_standard_error` is the sampling error of a fraction such as the
observed coverage of an interval (:func:`physgen.calibration.coverage`).

Examples
--------
>>> import numpy as np

>>> from physgen.divergence import gaussian_kl, gaussian_kl_monte_carlo
>>> round(float(gaussian_kl(0.0, 1.0, 0.0, 1.0)), 12)  # a distribution from itself
0.0
>>> round(float(gaussian_kl(1.0, 1.0, 0.0, 1.0)), 3)   # shifted by one standard deviation
0.5
>>> est = gaussian_kl_monte_carlo(1.0, 1.0, 0.0, 1.0, n_samples=100_000,
...                               rng=np.random.default_rng(0))
>>> abs(est.value - 0.5) < 4 * est.stderr
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from physgen import _validation as check

__all__ = [
    "MonteCarloEstimate",
    "binomial_standard_error",
    "gaussian_kl",
    "gaussian_kl_monte_carlo",
]


def _normal_args(mean_q, std_q, mean_p, std_p, where: str):
    mean_q = check.array(
        mean_q,
        "mean_q",
        where,
        nonempty=False,
        fix="pass the mean of q as a finite number or array.",
    )
    mean_p = check.array(
        mean_p,
        "mean_p",
        where,
        nonempty=False,
        fix="pass the mean of p as a finite number or array.",
    )
    std_q = check.array(
        std_q,
        "std_q",
        where,
        nonempty=False,
        positive=True,
        fix="pass the standard deviation of q, not its variance or log; it must be > 0.",
    )
    std_p = check.array(
        std_p,
        "std_p",
        where,
        nonempty=False,
        positive=True,
        fix="pass the standard deviation of p, not its variance or log; it must be > 0.",
    )
    arrays = {"mean_q": mean_q, "std_q": std_q, "mean_p": mean_p, "std_p": std_p}
    shape = check.broadcast(arrays, where, fix="pass scalars or arrays of one shape.")
    return mean_q, std_q, mean_p, std_p, shape


def gaussian_kl(mean_q, std_q, mean_p, std_p):
    r"""Kullback-Leibler divergence of :math:`\mathcal N(m_q, s_q^2)` from :math:`\mathcal N(m_p, s_p^2)`.

    .. math::

        \mathrm{KL}(q\,\|\,p) = \log\frac{s_p}{s_q}
        + \frac{s_q^2 + (m_q - m_p)^2}{2 s_p^2} - \frac12 .

    It is zero only when the two distributions are equal, and it is not symmetric:
    ``gaussian_kl(a, b, c, d) != gaussian_kl(c, d, a, b)`` in general.

    Parameters
    ----------
    mean_q, std_q : array_like
        Mean and standard deviation (> 0) of :math:`q`, in the units of the variable.
    mean_p, std_p : array_like
        Mean and standard deviation (> 0) of :math:`p`, in the same units.
        All four broadcast against each other.

    Returns
    -------
    float or ndarray
        The divergence [nats], >= 0, of the broadcast shape (a float for scalars).
    """
    mean_q, std_q, mean_p, std_p, _ = _normal_args(mean_q, std_q, mean_p, std_p, "gaussian_kl")
    kl = np.log(std_p / std_q) + (std_q**2 + (mean_q - mean_p) ** 2) / (2 * std_p**2) - 0.5
    kl = np.maximum(kl, 0.0)  # rounding can leave -1e-17 for equal distributions
    return float(kl) if kl.ndim == 0 else kl


@dataclass(frozen=True)
class MonteCarloEstimate:
    """A number estimated by averaging over random draws.

    Attributes
    ----------
    value : float
        The sample mean of the averaged quantity.
    stderr : float
        Its standard error, the sample standard deviation over ``sqrt(n_samples)``.
    n_samples : int
        The number of draws averaged.
    """

    value: float
    stderr: float
    n_samples: int


def gaussian_kl_monte_carlo(
    mean_q, std_q, mean_p, std_p, *, n_samples: int = 100_000, rng: np.random.Generator
) -> MonteCarloEstimate:
    r"""Estimate :math:`\mathrm{KL}(q\,\|\,p)` of two Normals by sampling from :math:`q`.

    .. math::

        \mathrm{KL}(q\,\|\,p) \approx \frac1n \sum_{k=1}^n
        \big[\log q(x_k) - \log p(x_k)\big], \qquad x_k \sim q .

    Parameters
    ----------
    mean_q, std_q, mean_p, std_p : float
        Means and standard deviations (> 0) of :math:`q` and :math:`p`.
    n_samples : int, keyword-only
        Number of draws ``n`` (>= 2).
    rng : numpy.random.Generator, keyword-only
        The source of randomness.

    Returns
    -------
    MonteCarloEstimate
        The estimate [nats] and its standard error; :func:`gaussian_kl` lies within a
        few standard errors of it.
    """
    where = "gaussian_kl_monte_carlo"
    mean_q, std_q, mean_p, std_p, shape = _normal_args(mean_q, std_q, mean_p, std_p, where)
    if shape != ():
        raise ValueError(
            f"{where}: pass scalar means and standard deviations, got shape "
            f"{shape}; call it once per pair of distributions."
        )
    n = check.integer(n_samples, "n_samples", where, minimum=2, fix="pass e.g. n_samples=100_000.")
    check.instance(
        rng, np.random.Generator, "rng", where, fix="pass rng=np.random.default_rng(seed)."
    )
    x = rng.normal(float(mean_q), float(std_q), size=n)
    log_q = -np.log(std_q) - 0.5 * ((x - mean_q) / std_q) ** 2
    log_p = -np.log(std_p) - 0.5 * ((x - mean_p) / std_p) ** 2  # the 2 pi terms cancel
    terms = log_q - log_p
    return MonteCarloEstimate(
        value=float(terms.mean()), stderr=float(terms.std(ddof=1) / math.sqrt(n)), n_samples=n
    )


def binomial_standard_error(fraction, n) -> float:
    r"""Standard error of a fraction observed in ``n`` independent yes/no trials.

    .. math::

        \mathrm{se} = \sqrt{\frac{f\,(1-f)}{n}} .

    With ``fraction`` the true probability (e.g. an interval's nominal level 0.9),
    an observed coverage of ``n`` independent observations lies within two standard
    errors of it about 95 % of the time.

    Parameters
    ----------
    fraction : float
        The probability of "yes", in [0, 1].
    n : int
        Number of trials, >= 1.

    Returns
    -------
    float
        The standard error, a fraction.
    """
    where = "binomial_standard_error"
    f = check.real(
        fraction,
        "fraction",
        where,
        lower=0.0,
        upper=1.0,
        fix="pass a probability as a fraction, e.g. 0.9 for 90 %.",
    )
    n = check.integer(n, "n", where, minimum=1, fix="pass the number of observations, e.g. 1000.")
    return math.sqrt(f * (1.0 - f) / n)
