"""Scores of predictive distributions: are the model's uncertainties right?

A probabilistic model does not return one angle but a distribution of angles.
This module measures how good such a distribution is against observations
:math:`y` [rad], using only NumPy and SciPy:

- :func:`coverage`: the fraction of observations inside the central interval
  that should hold a fraction ``level`` of them (calibrated: ``coverage ≈ level``);
  :func:`coverage_from_samples` does the same from samples.
- :func:`gaussian_nll`: the mean negative log-likelihood [nats] of a Normal
  prediction; :func:`gaussian_nll_floor`: its best achievable value when the
  prediction *is* the true noise model.
- :func:`crps_gaussian` (closed form) and :func:`crps_samples` (from samples):
  the continuous ranked probability score [rad], a proper score that rewards
  both calibration and sharpness and reduces to the absolute error for a point
  prediction.
- :func:`calibration_curve` and :func:`calibration_error`: observed against
  nominal coverage over many levels (a reliability diagram).
- :func:`sharpness`: how wide the predictions are, regardless of the data.
- :func:`score_region`: all of the above that matter for one region of the
  inputs (e.g. out of the training range), split into what the model says
  about the clean curve (its epistemic part) and about new observations.

All functions take plain arrays: ``y`` and ``mean`` of the same shape and a
positive ``std`` [rad] of that shape (or a scalar). Wrong shapes, non-finite
values, non-positive standard deviations and levels outside (0, 1) raise a
``ValueError`` that says what to change.

Examples
--------
>>> import numpy as np

>>> from physgen.calibration import coverage, gaussian_nll, crps_gaussian
>>> rng = np.random.default_rng(0)
>>> y = rng.normal(0.0, 2.0, size=100_000)
>>> round(coverage(y, np.zeros_like(y), 2.0, level=0.9), 2)
0.9
>>> round(gaussian_nll(y, np.zeros_like(y), 2.0), 2)   # 0.5 log(2 pi e 4)
2.11
>>> round(float(crps_gaussian(0.0, 0.0, 1.0)), 4)        # (sqrt(2) - 1) / sqrt(pi)
0.2337
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from physgen import _validation as check

__all__ = [
    "STANDARD_LEVELS",
    "central_interval",
    "coverage",
    "coverage_from_samples",
    "coverage_table",
    "gaussian_nll",
    "gaussian_nll_floor",
    "crps_gaussian",
    "crps_samples",
    "CalibrationCurve",
    "calibration_curve",
    "calibration_error",
    "sharpness",
    "interval_width",
    "RegionScores",
    "score_region",
]

#: The central-interval levels the course reports: 50 %, 90 % and 95 %.
STANDARD_LEVELS = (0.5, 0.9, 0.95)

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


# --------------------------------------------------------------------------- checks
def _as_finite(name: str, value, func: str) -> np.ndarray:
    return check.array(
        value, name, func, nonempty=False, fix="remove non-finite values before scoring."
    )


def _spreads(std, func: str) -> np.ndarray:
    """Predicted standard deviations [rad]: finite, >= 0, at least one."""
    return check.array(
        std,
        "std",
        func,
        nonnegative=True,
        unit="rad",
        fix="pass predicted standard deviations (not variances or log-scales).",
    )


_LEVEL_FIX = "pass the interval's probability as a fraction, e.g. level=0.9 for 90 %."


def _check_level(level, func: str) -> float:
    return check.fraction(level, "level", func, fix=_LEVEL_FIX)


def _check_levels(levels, func: str) -> np.ndarray:
    arr = check.array(
        levels,
        "levels",
        func,
        ndim=(0, 1),
        positive=True,
        fix="pass fractions such as (0.5, 0.9, 0.95).",
    )
    if np.any(arr >= 1):
        raise ValueError(
            f"{func}: every level must lie strictly between 0 and 1, got "
            f"{arr.tolist()}; pass fractions such as (0.5, 0.9, 0.95)."
        )
    return np.atleast_1d(arr)


def _gaussian_args(y, mean, std, func: str):
    """Validate (y, mean, std): same shapes (std may be a scalar), std > 0."""
    y = _as_finite("y", y, func)
    mean = _as_finite("mean", mean, func)
    std = _as_finite("std", std, func)
    check.same_shape(y, mean, ("y", "mean"), func, fix="pass one predicted mean per observation.")
    if std.ndim and std.shape != y.shape:
        raise ValueError(
            f"{func}: std must be a scalar or have y's shape {y.shape}, got {std.shape}; "
            "pass one predicted standard deviation per observation."
        )
    if np.any(std <= 0):
        raise ValueError(
            f"{func}: std must be > 0 everywhere (got min {float(std.min())!r}); a Normal with "
            "zero spread has no density: drop such rows or add a small floor."
        )
    if y.size == 0:
        raise ValueError(f"{func}: got empty arrays; pass at least one observation.")
    return y, mean, np.broadcast_to(std, y.shape)


def _samples_args(y, samples, func: str):
    y = _as_finite("y", y, func)
    samples = _as_finite("samples", samples, func)
    if samples.ndim < 1 or samples.shape[1:] != y.shape:
        raise ValueError(
            f"{func}: samples must have shape (n_samples,) + y.shape = (m,) + {y.shape}, "
            f"got {samples.shape}; put the sample axis first."
        )
    if samples.shape[0] < 1 or y.size == 0:
        raise ValueError(f"{func}: need at least one sample and one observation.")
    return y, samples


# --------------------------------------------------------------------------- intervals
def central_interval(mean, std, *, level: float = 0.9):
    r"""Central interval of a Normal that holds a fraction ``level`` of its mass.

    .. math::

        \mu \pm z_{(1+\ell)/2}\,\sigma, \qquad z_q = \Phi^{-1}(q).

    Parameters
    ----------
    mean, std : array_like
        Predicted mean and standard deviation [rad], same shape (std may be scalar).
    level : float, keyword-only
        Probability inside the interval, in (0, 1).

    Returns
    -------
    lower, upper : ndarray
        Interval bounds [rad], the broadcast shape of ``mean`` and ``std``.
    """
    level = _check_level(level, "central_interval")
    mean = _as_finite("mean", mean, "central_interval")
    std = _as_finite("std", std, "central_interval")
    if np.any(std < 0):
        raise ValueError(
            "central_interval: std must be >= 0; pass standard deviations, not log-scales."
        )
    z = stats.norm.ppf(0.5 + level / 2.0)
    return mean - z * std, mean + z * std


def coverage(y, mean, std, *, level: float = 0.9) -> float:
    """Fraction of observations inside the Normal's central ``level`` interval.

    A calibrated model has ``coverage ≈ level``; below it is over-confident,
    above it under-confident.

    Parameters
    ----------
    y : array_like, shape (...)
        Observations [rad].
    mean, std : array_like, shape (...) (std may be a scalar)
        Predicted mean and standard deviation [rad], ``std > 0``.
    level : float, keyword-only
        Nominal probability of the central interval, in (0, 1).

    Returns
    -------
    float
        Observed fraction in [0, 1].
    """
    level = _check_level(level, "coverage")
    y, mean, std = _gaussian_args(y, mean, std, "coverage")
    z = stats.norm.ppf(0.5 + level / 2.0)
    return float(np.mean(np.abs(y - mean) <= z * std))


def coverage_from_samples(y, samples, *, level: float = 0.9) -> float:
    """Coverage of the central interval between the samples' empirical quantiles.

    Parameters
    ----------
    y : array_like, shape (...)
        Observations [rad].
    samples : array_like, shape (m, ...)
        ``m`` draws from the predictive distribution of every observation.
    level : float, keyword-only
        Nominal probability, in (0, 1).

    Returns
    -------
    float
        Fraction of ``y`` between the ``(1-level)/2`` and ``(1+level)/2`` quantiles.
    """
    level = _check_level(level, "coverage_from_samples")
    y, samples = _samples_args(y, samples, "coverage_from_samples")
    lo, hi = np.quantile(samples, [0.5 - level / 2.0, 0.5 + level / 2.0], axis=0)
    return float(np.mean((y >= lo) & (y <= hi)))


def coverage_table(y, mean, std, *, levels=STANDARD_LEVELS) -> dict[float, float]:
    """Coverage at several levels: ``{level: observed fraction}``.

    Parameters
    ----------
    y, mean, std : array_like
        As in :func:`coverage`.
    levels : sequence of float, keyword-only
        Nominal levels in (0, 1); default 50 %, 90 %, 95 %.

    Returns
    -------
    dict
        Maps every level (float) to its observed coverage (float).
    """
    levels = _check_levels(levels, "coverage_table")
    return {float(p): coverage(y, mean, std, level=float(p)) for p in levels}


# --------------------------------------------------------------------------- scores
def gaussian_nll(y, mean, std, *, reduce: bool = True):
    r"""Negative log-likelihood [nats] of observations under Normal predictions.

    .. math::

        \mathrm{NLL} = \tfrac12 \log(2\pi\sigma^2) + \frac{(y-\mu)^2}{2\sigma^2}.

    Parameters
    ----------
    y, mean : array_like, shape (...)
        Observations and predicted means [rad].
    std : array_like, shape (...) or scalar
        Predicted standard deviations [rad], > 0.
    reduce : bool, keyword-only
        Return the mean over all elements (default) or the per-element array.

    Returns
    -------
    float or ndarray
        Mean NLL [nats] (lower is better), or the per-element values.
    """
    y, mean, std = _gaussian_args(y, mean, std, "gaussian_nll")
    values = _HALF_LOG_2PI + np.log(std) + 0.5 * ((y - mean) / std) ** 2
    return float(values.mean()) if reduce else values


def gaussian_nll_floor(true_std) -> float:
    r"""Best achievable mean Gaussian NLL [nats] when the noise has std ``true_std``.

    A prediction equal to the clean truth with the true noise level minimises
    the expected NLL; its value is the Normal's entropy, averaged over rows:

    .. math::

        \mathrm{NLL}_{\min} = \frac1n\sum_i \left[\tfrac12\log(2\pi\sigma_i^2)
        + \tfrac12\right].

    Parameters
    ----------
    true_std : array_like
        The true noise standard deviation [rad] of every scored row, > 0 (rows
        without noise have no finite floor: leave them out of the scoring).

    Returns
    -------
    float
        The floor [nats].
    """
    std = check.array(
        true_std,
        "true_std",
        "gaussian_nll_floor",
        positive=True,
        unit="rad",
        fix="noise-free rows have an NLL floor of -inf: drop the rows where the "
        "true noise is zero, e.g. t = 0 for GrowingNoise.",
    )
    return float(np.mean(_HALF_LOG_2PI + np.log(std) + 0.5))


def crps_gaussian(y, mean, std, *, reduce: bool = False):
    r"""Continuous ranked probability score of Normal predictions, closed form.

    .. math::

        \mathrm{CRPS} = \sigma\left[z\,(2\Phi(z)-1) + 2\varphi(z)
        - \tfrac{1}{\sqrt{\pi}}\right], \qquad z = \frac{y-\mu}{\sigma}.

    Parameters
    ----------
    y, mean, std : array_like
        As in :func:`gaussian_nll`.
    reduce : bool, keyword-only
        If True return the mean as a float; by default the per-element array.

    Returns
    -------
    ndarray or float
        CRPS [rad] (lower is better).
    """
    y, mean, std = _gaussian_args(y, mean, std, "crps_gaussian")
    z = (y - mean) / std
    values = std * (
        z * special.erf(z / math.sqrt(2.0)) + 2.0 * stats.norm.pdf(z) - 1.0 / math.sqrt(math.pi)
    )
    return float(values.mean()) if reduce else values


def crps_samples(y, samples, *, reduce: bool = False):
    r"""CRPS estimated from samples of the predictive distribution.

    Uses :math:`\mathrm{CRPS} = \mathbb E|X-y| - \tfrac12\mathbb E|X-X'|`
    with the empirical distribution of the samples (computed by sorting, in
    :math:`O(m\log m)` per observation).

    Parameters
    ----------
    y : array_like, shape (...)
        Observations [rad].
    samples : array_like, shape (m, ...)
        ``m`` draws per observation (sample axis first).
    reduce : bool, keyword-only
        If True return the mean as a float.

    Returns
    -------
    ndarray or float
        CRPS [rad] per observation (or its mean).
    """
    y, samples = _samples_args(y, samples, "crps_samples")
    m = samples.shape[0]
    term1 = np.mean(np.abs(samples - y), axis=0)
    xs = np.sort(samples, axis=0)
    # sum_{i,j} |x_i - x_j| = 2 sum_k (2k - m - 1) x_(k), k = 1..m
    k = np.arange(1, m + 1, dtype=float).reshape((m,) + (1,) * y.ndim)
    term2 = np.sum((2.0 * k - m - 1.0) * xs, axis=0) / (m * m)
    values = term1 - term2
    return float(values.mean()) if reduce else values


# --------------------------------------------------------------------------- calibration curve
@dataclass(frozen=True, eq=False)
class CalibrationCurve:
    """Observed against nominal coverage of central intervals.

    Attributes
    ----------
    levels : ndarray, shape (k,)
        Nominal probabilities in (0, 1).
    observed : ndarray, shape (k,)
        Observed fraction of observations inside each central interval.
    """

    levels: np.ndarray
    observed: np.ndarray

    @property
    def error(self) -> float:
        """Mean absolute gap |observed - nominal| (see :func:`calibration_error`)."""
        return float(np.mean(np.abs(self.observed - self.levels)))


def calibration_curve(y, mean, std, *, levels=None) -> CalibrationCurve:
    """Reliability curve of Normal predictions over many interval levels.

    Parameters
    ----------
    y, mean, std : array_like
        As in :func:`coverage`.
    levels : sequence of float, optional, keyword-only
        Nominal levels in (0, 1); default 0.05, 0.10, ..., 0.95.

    Returns
    -------
    CalibrationCurve
        The nominal levels and the observed coverages.
    """
    levels = np.round(np.arange(1, 20) / 20.0, 2) if levels is None else levels
    levels = _check_levels(levels, "calibration_curve")
    y, mean, std = _gaussian_args(y, mean, std, "calibration_curve")
    absz = np.abs(y - mean) / std
    zq = stats.norm.ppf(0.5 + levels / 2.0)
    observed = np.array([np.mean(absz <= z) for z in zq])
    return CalibrationCurve(levels=levels.copy(), observed=observed)


def calibration_error(curve_or_y, mean=None, std=None, *, levels=None) -> float:
    """Mean absolute calibration error: mean over levels of |observed - nominal|.

    Pass either a :class:`CalibrationCurve`, or ``y, mean, std`` (as in
    :func:`calibration_curve`). 0 is perfect; 0.5 is the worst possible.

    Returns
    -------
    float
        The error, a fraction in [0, 1).
    """
    if isinstance(curve_or_y, CalibrationCurve):
        if mean is not None or std is not None:
            raise ValueError(
                "calibration_error: pass either a CalibrationCurve or y, mean, std, not both."
            )
        return curve_or_y.error
    if mean is None or std is None:
        raise ValueError(
            "calibration_error: with observations y, also pass mean and std "
            "(or pass a CalibrationCurve)."
        )
    return calibration_curve(curve_or_y, mean, std, levels=levels).error


# --------------------------------------------------------------------------- sharpness
def sharpness(std) -> float:
    r"""Root-mean-square predictive standard deviation [rad] (smaller = sharper).

    .. math::

        \mathrm{sharpness} = \sqrt{\tfrac1n \textstyle\sum_i \sigma_i^2}.

    Sharpness ignores the data: it is only worth having together with good
    calibration.

    Parameters
    ----------
    std : array_like
        Predicted standard deviations [rad], >= 0.

    Returns
    -------
    float
        Sharpness [rad].
    """
    std = _spreads(std, "sharpness")
    return float(np.sqrt(np.mean(std**2)))


def interval_width(std, *, level: float = 0.9) -> float:
    """Mean width [rad] of the Normal's central ``level`` interval, ``2 z σ`` averaged."""
    level = _check_level(level, "interval_width")
    std = _spreads(std, "interval_width")
    return float(2.0 * stats.norm.ppf(0.5 + level / 2.0) * np.mean(std))


# --------------------------------------------------------------------------- regions
@dataclass(frozen=True)
class RegionScores:
    """Scores of a predictive distribution on one region of the inputs.

    Attributes
    ----------
    n : int
        Number of scored rows.
    coverage_observed : float
        Fraction of noisy observations inside the central ``level`` interval
        of the full predictive distribution (aleatoric and epistemic).
    coverage_truth : float
        Fraction of clean (noise-free) values inside the central ``level``
        interval of the *epistemic* part alone, ``mean ± z·epistemic_std``:
        does the model's doubt about the curve cover the true curve? A model
        without weight uncertainty has a zero-width interval here, so it scores 0.
    nll : float
        Mean Gaussian negative log-likelihood of the observations [nats].
    epistemic_std : float
        Mean epistemic standard deviation [rad].
    aleatoric_std : float
        Mean aleatoric (noise) standard deviation [rad].
    rmse : float
        Root-mean-square error of the predictive mean against the clean values [rad].
    level : float
        The nominal level of both coverages.
    """

    n: int
    coverage_observed: float
    coverage_truth: float
    nll: float
    epistemic_std: float
    aleatoric_std: float
    rmse: float
    level: float


def score_region(
    observed, truth, mean, aleatoric_std, epistemic_std, *, level: float = 0.9
) -> RegionScores:
    r"""Score Normal predictions on one region, against observations and the clean truth.

    The predictive distribution of an observation is
    :math:`\mathcal N(\mu, \sigma_a^2 + \sigma_e^2)`; the model's statement about
    the clean curve is the epistemic part alone, :math:`\mathcal N(\mu, \sigma_e^2)`.

    Parameters
    ----------
    observed : array_like, shape (R,)
        Noisy observations [rad].
    truth : array_like, shape (R,)
        Clean values at the same inputs [rad].
    mean : array_like, shape (R,)
        Predictive mean [rad].
    aleatoric_std : array_like, shape (R,)
        Predicted noise standard deviation [rad], > 0.
    epistemic_std : array_like, shape (R,)
        Standard deviation of the mean over weight draws [rad], >= 0
        (all zeros for a network with fixed weights).
    level : float, keyword-only
        Nominal level of the central intervals, in (0, 1).

    Returns
    -------
    RegionScores

    Raises
    ------
    ValueError
        If the region is empty, the arrays differ in shape, or a level or
        standard deviation is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> truth = np.zeros(10_000); y = truth + 0.2 * rng.standard_normal(10_000)
    >>> s = score_region(y, truth, truth, np.full(10_000, 0.2), np.zeros(10_000))
    >>> round(s.coverage_observed, 2), s.coverage_truth
    (0.9, 1.0)
    """
    level = _check_level(level, "score_region")
    arrays = {}
    for name, value in (
        ("observed", observed),
        ("truth", truth),
        ("mean", mean),
        ("aleatoric_std", aleatoric_std),
        ("epistemic_std", epistemic_std),
    ):
        arrays[name] = _as_finite(name, value, "score_region")
    shapes = {name: a.shape for name, a in arrays.items()}
    if len(set(shapes.values())) != 1:
        raise ValueError(
            f"score_region: observed, truth, mean, aleatoric_std and epistemic_std must have "
            f"the same shape, got {shapes}; pass one value of each per row of the region."
        )
    if arrays["observed"].size == 0:
        raise ValueError(
            "score_region: the region is empty (no rows); check the mask or grid that "
            "selects it, e.g. that its times or parameters lie where you expect."
        )
    if np.any(arrays["epistemic_std"] < 0):
        raise ValueError(
            "score_region: epistemic_std must be >= 0 [rad] (a standard "
            "deviation, not a variance or log-scale)."
        )
    if np.any(arrays["aleatoric_std"] <= 0):
        raise ValueError(
            "score_region: aleatoric_std must be > 0 [rad]; a noise level of 0 "
            "has no likelihood: drop noise-free rows (e.g. t = 0)."
        )
    y, truth_, mu = arrays["observed"], arrays["truth"], arrays["mean"]
    ale, epi = arrays["aleatoric_std"], arrays["epistemic_std"]
    total = np.sqrt(ale**2 + epi**2)
    z = stats.norm.ppf(0.5 + level / 2.0)
    return RegionScores(
        n=int(y.size),
        coverage_observed=float(np.mean(np.abs(y - mu) <= z * total)),
        coverage_truth=float(np.mean(np.abs(truth_ - mu) <= z * epi)),
        nll=gaussian_nll(y, mu, total),
        epistemic_std=float(np.mean(epi)),
        aleatoric_std=float(np.mean(ale)),
        rmse=float(np.sqrt(np.mean((mu - truth_) ** 2))),
        level=level,
    )
