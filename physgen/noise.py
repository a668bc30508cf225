r"""Observation-noise models: what a real measurement adds to a clean angle.

A noise model turns a clean angle :math:`\theta(t)` [rad] into an observed one,

.. math::

    y(t) = \theta(t) + \sigma(t)\,\varepsilon, \qquad
    \varepsilon \sim \mathcal{N}(0, 1),

independently at every time and for every trajectory. Three models are
provided:

- :class:`NoNoise`: :math:`\sigma(t) = 0`.
- :class:`ConstantNoise`: :math:`\sigma(t) = \sigma` [rad].
- :class:`GrowingNoise`: :math:`\sigma(t) = c\,t` with a rate :math:`c`
  [rad/s]; the original code's noise is ``GrowingNoise(0.1)``, which reaches
  0.5 rad at t = 5 s.

Every model is a frozen, validated dataclass with two methods:
``std(t)`` (the standard deviation [rad] at times ``t`` [s]) and
``sample(theta_clean, t, *, rng=None)`` (a noisy copy). Randomness comes only
from the ``rng`` argument, through :func:`numpy.random.default_rng`.

Examples
--------
>>> import numpy as np
>>> from physgen import GrowingNoise
>>> noise = GrowingNoise(0.1)
>>> noise
GrowingNoise(rate=0.1)
>>> noise.std(np.array([0.0, 1.0, 5.0]))
array([0. , 0.1, 0.5])
>>> y = noise.sample(np.zeros(3), np.array([0.0, 1.0, 5.0]), rng=0)
>>> y.shape, float(y[0])
((3,), 0.0)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from physgen import _validation as check

__all__ = ["NoiseModel", "NoNoise", "ConstantNoise", "GrowingNoise"]


def _scale(name: str, value, cls: str, unit: str) -> float:
    return check.real(
        value,
        name,
        cls,
        unit=unit,
        nonnegative=True,
        fix=f"pass a non-negative float such as {cls}(0.1) (or NoNoise() for none).",
    )


def _times(t, cls: str) -> np.ndarray:
    return check.array(
        t,
        "t",
        f"{cls}.std",
        nonempty=False,
        unit="s",
        fix="pass a float array of times such as np.linspace(0, 5, 500).",
    )


class NoiseModel:
    """Base class of the observation-noise models (do not instantiate).

    Subclasses define :meth:`std`. :meth:`sample` adds independent Gaussian
    noise with that standard deviation.
    """

    def std(self, t) -> np.ndarray:  # pragma: no cover - abstract
        """Standard deviation [rad] of the noise at times ``t`` [s]."""
        raise NotImplementedError

    def sample(self, theta_clean, t, *, rng=None) -> np.ndarray:
        """Return a noisy copy of clean angles.

        Parameters
        ----------
        theta_clean : array_like, shape S
            Clean angles [rad].
        t : array_like
            Times [s] of the angles; ``std(t)`` must broadcast to ``S``
            (e.g. ``t`` of shape ``(T,)`` with ``theta_clean`` of shape
            ``(n, T)``, or both of shape ``(R,)``).
        rng : None, int or numpy.random.Generator, optional
            Source of randomness, passed to :func:`numpy.random.default_rng`.

        Returns
        -------
        numpy.ndarray, shape S
            ``theta_clean + std(t) * eps`` with ``eps`` standard normal [rad].
            A new array; the input is never modified.
        """
        name = type(self).__name__
        theta = check.array(
            theta_clean,
            "theta_clean",
            f"{name}.sample",
            nonempty=False,
            unit="rad",
            fix="pass clean angles such as trajectory.theta.",
        ).copy()
        std = self.std(t)
        try:
            shape = np.broadcast_shapes(theta.shape, std.shape)
        except ValueError:
            shape = None
        if shape != theta.shape:
            raise ValueError(
                f"{name}.sample: t of shape {np.shape(t)} does not broadcast to theta_clean "
                f"of shape {theta.shape}; pass t with the shape of theta_clean's last "
                "axis (the time grid) or of theta_clean itself."
            )
        gen = np.random.default_rng(rng)
        if np.any(std > 0):
            theta += std * gen.standard_normal(theta.shape)
        return theta


@dataclass(frozen=True)
class NoNoise(NoiseModel):
    r"""No observation noise: :math:`\sigma(t) = 0`.

    ``sample`` returns an exact copy and draws no random numbers.

    Examples
    --------
    >>> from physgen import NoNoise
    >>> NoNoise().std([0.0, 2.0])
    array([0., 0.])
    """

    def std(self, t) -> np.ndarray:
        """Standard deviation [rad] at times ``t`` [s]: zeros of ``t``'s shape."""
        return np.zeros_like(_times(t, "NoNoise"))

    def __str__(self) -> str:
        return "no noise"


@dataclass(frozen=True)
class ConstantNoise(NoiseModel):
    """Gaussian noise with a constant standard deviation.

    Parameters
    ----------
    sigma : float
        Standard deviation [rad], finite and >= 0.

    Examples
    --------
    >>> from physgen import ConstantNoise
    >>> ConstantNoise(0.05).std([0.0, 1.0])
    array([0.05, 0.05])
    """

    sigma: float

    def __post_init__(self):
        object.__setattr__(self, "sigma", _scale("sigma", self.sigma, "ConstantNoise", "rad"))

    def std(self, t) -> np.ndarray:
        """Standard deviation [rad] at times ``t`` [s]: ``sigma`` everywhere."""
        return np.full_like(_times(t, "ConstantNoise"), self.sigma)

    def __str__(self) -> str:
        return f"σ = {self.sigma:g} rad"


@dataclass(frozen=True)
class GrowingNoise(NoiseModel):
    r"""Gaussian noise whose standard deviation grows linearly with time.

    .. math:: \sigma(t) = c\,t

    The original code's observation noise is ``GrowingNoise(0.1)``:
    0 rad at t = 0 and 0.5 rad at t = 5 s.

    Parameters
    ----------
    rate : float
        The growth rate :math:`c` [rad/s], finite and >= 0.

    Examples
    --------
    >>> from physgen import GrowingNoise
    >>> GrowingNoise(0.1).std([0.0, 2.5, 5.0])
    array([0.  , 0.25, 0.5 ])
    """

    rate: float

    def __post_init__(self):
        object.__setattr__(self, "rate", _scale("rate", self.rate, "GrowingNoise", "rad/s"))

    def std(self, t) -> np.ndarray:
        """Standard deviation [rad] at times ``t`` [s] (must be >= 0): ``rate * t``."""
        arr = _times(t, "GrowingNoise")
        if np.any(arr < 0):
            raise ValueError(
                f"GrowingNoise.std: t must be >= 0 [s] (sigma = rate * t), got min(t) = "
                f"{arr.min()!r}; measure times from the start of the trajectory."
            )
        return self.rate * arr

    def __str__(self) -> str:
        return f"σ(t) = {self.rate:g}·t rad"
