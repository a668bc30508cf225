r"""Distributions of pendulums and the "pendulum GAN".

With the exact solution of the pendulum in hand, generating pendulums is a
two-step recipe, the same as a GAN's:

1. sample a *latent vector* of physical parameters, here
   :math:`z = (l, g, \theta_0, \omega_0, m)` from a prior
   (:class:`PendulumPrior`), and
2. push it through a *generator*, here the closed-form solution
   :math:`\theta(t) = f(t; \theta_0, \omega_0, l, g)`
   (:func:`physgen.simulate`).

A GAN differs only in that its latent vector has no physical meaning and its
generator is a neural network learned from data. :func:`generate` does both
steps at once, vectorised over the whole batch.

The mass is part of the prior because a dataset may record it (the original
code used it as a feature), but it never enters the dynamics: it is not passed
to :func:`physgen.simulate`.

Examples
--------
>>> import numpy as np
>>> from physgen import PendulumPrior, generate
>>> prior = PendulumPrior(length=(0.5, 2.0), g=9.81, theta0=(-1.0, 1.0), omega0=0.0)
>>> traj = generate(prior, 4, np.linspace(0.0, 5.0, 101), rng=0)
>>> traj.theta.shape
(4, 101)
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike

from physgen import _validation as check
from physgen.noise import NoiseModel, NoNoise
from physgen.pendulum import METHODS, Trajectory, simulate

__all__ = [
    "PendulumPrior",
    "PendulumParameters",
    "ORIGINAL_PRIOR",
    "generate",
    "Generator",
    "PriorGenerator",
]

# Field name -> (unit, must be positive)
_FIELDS = {
    "length": ("m", True),
    "g": ("m/s^2", True),
    "theta0": ("rad", False),
    "omega0": ("rad/s", False),
    "mass": ("kg", True),
}


def _spec(name: str, value):
    """One prior field: a real number or a (low, high) pair with low < high."""
    unit, positive = _FIELDS[name]
    w = "PendulumPrior"
    fix = (
        f"pass a float for a fixed value or a (low, high) pair with low < high for a "
        f"uniform range, e.g. PendulumPrior({name}=(0.5, 2.0))."
    )
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (numbers.Real, str, bytes)) or value is None:
        return check.real(value, name, w, unit=unit, positive=positive, fix=fix)
    pair = check.sequence(
        value, name, w, fix=fix, item=lambda x, item: check.real(x, item, w, unit=unit, fix=fix)
    )
    if len(pair) != 2:
        raise ValueError(
            f"{w}: {name}={value!r} [{unit}] must be a number or a (low, high) pair; {fix}"
        )
    low, high = pair
    if low == high:
        raise ValueError(
            f"{w}: {name}={value!r} [{unit}] is an empty range (low == high); "
            f"pass the float {low!r} for a fixed value, or widen the range."
        )
    if low > high:
        raise ValueError(
            f"{w}: {name}={value!r} [{unit}] is an inverted range (low > high); "
            f"swap the ends: {name}=({high!r}, {low!r})."
        )
    if positive and low <= 0:
        raise ValueError(
            f"{w}: {name}={value!r} [{unit}] includes non-positive values; "
            f"{name} must be > 0: raise the lower end above 0."
        )
    return (low, high)


@dataclass(frozen=True, eq=False)
class PendulumParameters:
    """The parameters of a batch of ``n`` pendulums (the "latent vectors").

    Every field is a read-only float64 array of shape ``(n,)``; scalars and
    sequences passed to the constructor are broadcast together to that shape.

    Parameters
    ----------
    theta0 : array_like, shape (n,)
        Initial angles [rad].
    omega0 : array_like, shape (n,)
        Initial angular velocities [rad/s].
    length : array_like, shape (n,), optional
        Lengths [m], > 0. Default 1.0.
    g : array_like, shape (n,), optional
        Gravitational accelerations [m/s^2], > 0. Default 9.81.
    mass : array_like, shape (n,), optional
        Masses [kg], > 0. Recorded only: mass does not enter the dynamics.
        Default 1.0.

    Notes
    -----
    ``len(params)`` is ``n``; ``params[i]`` (an int, slice, index array or
    boolean mask) is a :class:`PendulumParameters` subset (an int gives a
    batch of one); ``params.pendulum(i)`` gives one pendulum as a dict of
    floats; ``params.as_dict()`` gives the five arrays.

    Examples
    --------
    >>> from physgen import PendulumParameters
    >>> p = PendulumParameters(theta0=[0.5, 1.0], omega0=0.0, length=1.5, g=10.0)
    >>> len(p), p.length
    (2, array([1.5, 1.5]))
    >>> p.pendulum(1)
    {'theta0': 1.0, 'omega0': 0.0, 'length': 1.5, 'g': 10.0, 'mass': 1.0}
    """

    # Array-likes on input; __post_init__ stores read-only float arrays of one shape.
    theta0: ArrayLike
    omega0: ArrayLike
    length: ArrayLike = 1.0
    g: ArrayLike = 9.81
    mass: ArrayLike = 1.0

    def __post_init__(self):
        arrays = {}
        for f in fields(self):
            unit, positive = _FIELDS[f.name]
            arrays[f.name] = check.array(
                getattr(self, f.name),
                f.name,
                "PendulumParameters",
                ndim=(0, 1),
                nonempty=False,
                positive=positive,
                unit=unit,
                fix="pass a float or a 1-D array of finite values.",
            )
        shape = check.broadcast(
            arrays, "PendulumParameters", fix="pass arrays of one common length n (or scalars)."
        )
        shape = np.broadcast_shapes(shape, (1,))
        for name, arr in arrays.items():
            object.__setattr__(self, name, check.readonly(np.broadcast_to(arr, shape).copy()))

    def __len__(self) -> int:
        return np.shape(self.theta0)[0]

    def __getitem__(self, index) -> PendulumParameters:
        if isinstance(index, numbers.Integral) and not isinstance(index, bool):
            index = [index]
        return PendulumParameters(**{k: v[index] for k, v in self.as_dict().items()})

    def __repr__(self) -> str:
        return f"PendulumParameters(n={len(self)})"

    def as_dict(self) -> dict[str, np.ndarray]:
        """The five parameter arrays, each of shape ``(n,)``, keyed by field name."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def pendulum(self, i: int) -> dict[str, float]:
        """One pendulum's parameters as a dict of Python floats.

        Parameters
        ----------
        i : int
            Index in ``range(-n, n)``.
        """
        n = len(self)
        if isinstance(i, bool) or not isinstance(i, numbers.Integral) or not -n <= i < n:
            raise IndexError(
                f"PendulumParameters.pendulum: i must be an integer in [-{n}, {n}), got {i!r}."
            )
        return {k: float(v[i]) for k, v in self.as_dict().items()}


@dataclass(frozen=True)
class PendulumPrior:
    r"""A distribution of pendulums: each parameter fixed or uniform on a range.

    Every field is either a float (a fixed value) or a ``(low, high)`` pair
    with ``low < high`` (independent uniform on ``[low, high)``). The
    defaults describe the course's swinging pendulums: every sample swings
    (stays below the separatrix), since
    :math:`l\omega_0^2/(2g) + 1 - \cos\theta_0 \le 1.03 < 2`.

    Parameters
    ----------
    length : float or (float, float), optional
        Length [m], > 0. Default ``(0.5, 2.0)``.
    g : float or (float, float), optional
        Gravitational acceleration [m/s^2], > 0. Default ``9.81``.
    theta0 : float or (float, float), optional
        Initial angle [rad]. Default ``(-1.5, 1.5)``.
    omega0 : float or (float, float), optional
        Initial angular velocity [rad/s]. Default ``(-1.0, 1.0)``.
    mass : float or (float, float), optional
        Mass [kg], > 0; sampled and recorded, never used by the dynamics.
        Default ``1.0``.

    Raises
    ------
    ValueError
        For a non-finite value, an empty (``low == high``) or inverted
        (``low > high``) range, or a non-positive length, g or mass.
    TypeError
        For anything that is neither a number nor a pair of numbers.

    Examples
    --------
    >>> from physgen import PendulumPrior
    >>> prior = PendulumPrior(length=(1, 2), g=10, theta0=(0.5, 1.5), omega0=0.0)
    >>> prior.ranges["length"], prior.ranges["g"]
    ((1.0, 2.0), (10.0, 10.0))
    >>> params = prior.sample(3, rng=0)
    >>> len(params), bool(prior.contains(params).all())
    (3, True)
    >>> PendulumPrior(length=(2.0, 1.0))
    Traceback (most recent call last):
    ...
    ValueError: PendulumPrior: length=(2.0, 1.0) [m] is an inverted range (low > high); swap the ends: length=(1.0, 2.0).
    """

    length: float | tuple[float, float] = (0.5, 2.0)
    g: float | tuple[float, float] = 9.81
    theta0: float | tuple[float, float] = (-1.5, 1.5)
    omega0: float | tuple[float, float] = (-1.0, 1.0)
    mass: float | tuple[float, float] = 1.0

    def __post_init__(self):
        for name in _FIELDS:
            object.__setattr__(self, name, _spec(name, getattr(self, name)))

    @property
    def ranges(self) -> dict[str, tuple[float, float]]:
        """The support of each parameter as ``(low, high)``; a fixed ``v`` gives ``(v, v)``."""
        out = {}
        for name in _FIELDS:
            spec = getattr(self, name)
            out[name] = spec if isinstance(spec, tuple) else (spec, spec)
        return out

    def sample(self, n: int, *, rng=None) -> PendulumParameters:
        """Draw ``n`` independent pendulums.

        Parameters
        ----------
        n : int
            Number of pendulums, >= 0.
        rng : None, int or numpy.random.Generator, optional
            Source of randomness, passed to :func:`numpy.random.default_rng`.
            Ranged fields are drawn in the order length, g, theta0, omega0,
            mass; fixed fields draw nothing.

        Returns
        -------
        PendulumParameters
            Arrays of shape ``(n,)``.
        """
        n = check.integer(
            n,
            "n",
            "PendulumPrior.sample",
            minimum=0,
            fix="pass the number of pendulums, e.g. n=100.",
        )
        gen = np.random.default_rng(rng)
        values = {}
        for name in _FIELDS:
            spec = getattr(self, name)
            if isinstance(spec, tuple):
                values[name] = gen.uniform(spec[0], spec[1], size=n)
            else:
                values[name] = np.full(n, spec)
        return PendulumParameters(**values)

    def contains(self, params, *, rtol: float = 1e-9) -> np.ndarray:
        """Which pendulums lie in the prior's support (inside, not extrapolating).

        Parameters
        ----------
        params : PendulumParameters or mapping
            The pendulums; a mapping needs the keys ``theta0``, ``omega0``,
            ``length``, ``g``, ``mass`` (scalars or arrays of shape ``(n,)``).
        rtol : float, optional
            Relative tolerance on the range ends and fixed values.

        Returns
        -------
        numpy.ndarray of bool, shape (n,)
            True where every parameter lies in ``[low, high]`` (to ``rtol``).

        Examples
        --------
        >>> from physgen import ORIGINAL_PRIOR, PendulumParameters
        >>> p = PendulumParameters(theta0=[1.0, 2.0], omega0=1.0, length=1.5, g=10.0, mass=1.5)
        >>> ORIGINAL_PRIOR.contains(p)
        array([ True, False])
        """
        if isinstance(params, Mapping):
            missing = [k for k in _FIELDS if k not in params]
            if missing:
                raise ValueError(
                    f"PendulumPrior.contains: params is missing keys {missing}; pass a "
                    "PendulumParameters or a mapping with theta0, omega0, length, g, mass."
                )
            params = PendulumParameters(**{k: params[k] for k in _FIELDS})
        check.instance(
            params,
            PendulumParameters,
            "params",
            "PendulumPrior.contains",
            fix="pass a mapping or build one with PendulumParameters(theta0=..., ...).",
        )
        inside = np.ones(len(params), dtype=bool)
        for name, (low, high) in self.ranges.items():
            v = getattr(params, name)
            tol = rtol * max(abs(low), abs(high), 1.0)
            inside &= (v >= low - tol) & (v <= high + tol)
        return inside


#: Uniform over the box spanned by the original code's training grid:
#: theta0, omega0 in [0.5, 1.5], mass and length in [1, 2], g = 10.
ORIGINAL_PRIOR = PendulumPrior(
    length=(1.0, 2.0), g=10.0, theta0=(0.5, 1.5), omega0=(0.5, 1.5), mass=(1.0, 2.0)
)


def generate(prior: PendulumPrior, n: int, t, *, rng=None, method: str = "exact") -> Trajectory:
    """The "pendulum GAN": sample ``n`` pendulums from a prior and simulate them.

    Parameters
    ----------
    prior : PendulumPrior
        The distribution of the latent vector (length, g, theta0, omega0,
        mass).
    n : int
        Number of trajectories, >= 0.
    t : array_like, shape (T,)
        Times [s] (finite, 1-D).
    rng : None, int or numpy.random.Generator, optional
        Source of randomness for the parameters.
    method : str, optional
        Solver passed to :func:`physgen.simulate` (default ``"exact"``).

    Returns
    -------
    Trajectory
        Batch shape ``(n,)``: ``theta`` and ``omega`` of shape ``(n, T)``
        [rad], [rad/s]; ``theta0``, ``omega0``, ``length``, ``g`` of shape
        ``(n,)``. The sampled masses are not used (mass does not enter the
        dynamics); use ``prior.sample`` and :func:`physgen.simulate` to keep
        them.

    Examples
    --------
    >>> import numpy as np
    >>> from physgen import PendulumPrior, generate
    >>> traj = generate(PendulumPrior(), 3, np.linspace(0.0, 2.0, 5), rng=1)
    >>> traj.theta.shape, traj.length.shape
    ((3, 5), (3,))
    """
    check.instance(
        prior,
        PendulumPrior,
        "prior",
        "generate",
        fix="build one with physgen.PendulumPrior(length=..., g=..., theta0=..., ...).",
    )
    params = prior.sample(n, rng=rng)
    return simulate(
        params.theta0, params.omega0, t, length=params.length, g=params.g, method=method
    )


def draw_conditioned(prior: PendulumPrior, n, gen: np.random.Generator, conditions, where: str):
    """Draw ``n`` pendulums from ``prior``, their lengths [m] replaced by ``conditions``.

    The first step shared by every generator conditioned on length: returns the
    parameters drawn from ``gen`` and the lengths to use, shape ``(n,)``. ``where``
    names the calling function in error messages.
    """
    n = check.integer(n, "n", where, minimum=0)
    params = prior.sample(n, rng=gen)
    if conditions is None:
        return params, params.length
    length = check.array(
        conditions,
        "conditions",
        where,
        shape=(n,),
        positive=True,
        unit="m",
        fix=f"pass one length per trajectory, shape ({n},), or None.",
    )
    return params, length


@runtime_checkable
class Generator(Protocol):
    """Anything that generates whole trajectories: the one interface of the course's generators.

    Chapter 1's physics is one (:class:`PriorGenerator`: a prior over pendulums
    pushed through their exact solution); the trained VAE
    (:class:`physgen.vae.TrainedVAE`) and the trained GANs
    (:class:`physgen.gan.TrainedGAN`) are generators; the judges
    (:func:`physgen.judge_generator`) and the closing comparison take any of
    them, with no code for a particular model.

    ``sample(n, *, rng=None, conditions=None)`` returns ``n`` trajectories
    [rad], shape ``(n, T)``, on the time grid of the generator's training
    data; ``conditions`` (one row per trajectory, e.g. lengths [m]) is for a
    conditional generator and must be None for an unconditional one. All
    randomness comes from ``rng``.
    """

    def sample(self, n: int, *, rng=None, conditions=None) -> np.ndarray: ...


@dataclass(frozen=True, eq=False)
class PriorGenerator:
    r"""Chapter 1's generator in the course's :class:`Generator` protocol.

    A prior over pendulums (the latent vector), their solution on a fixed time
    grid (the generator network of a GAN, here the physics), and optionally
    the measurement noise of the data it is compared with:

    .. math::

        z = (l, g, \theta_0, \omega_0) \sim p(z), \qquad
        x = \theta(t_1, \dots, t_T; z) + \varepsilon .

    Parameters
    ----------
    prior : PendulumPrior
        Distribution of the pendulums.
    t : array_like, shape (T,)
        Strictly increasing times [s] of every sample.
    noise : NoiseModel, default NoNoise()
        Measurement noise added to the clean angles (:mod:`physgen.noise`).
    method : str, default "exact"
        Solver of :func:`physgen.simulate`.

    Examples
    --------
    >>> import numpy as np
    >>> from physgen import GrowingNoise, PendulumPrior, PriorGenerator
    >>> gen = PriorGenerator(PendulumPrior(), np.linspace(0.0, 5.0, 11), noise=GrowingNoise(0.1))
    >>> gen.sample(4, rng=0).shape
    (4, 11)
    >>> gen.sample(2, rng=0, conditions=[0.5, 2.0]).shape   # lengths [m] chosen
    (2, 11)
    """

    prior: PendulumPrior
    t: np.ndarray
    noise: NoiseModel = field(default_factory=NoNoise)
    method: str = "exact"

    def __post_init__(self):
        where = "PriorGenerator"
        check.instance(
            self.prior, PendulumPrior, "prior", where, fix="pass a physgen.PendulumPrior(...)."
        )
        t = check.array(self.t, "t", where, ndim=1, unit="s", fix="pass a 1-D time grid.")
        check.increasing(t, "t", where, fix="sort the time grid.")
        check.instance(
            self.noise, NoiseModel, "noise", where, fix="pass e.g. physgen.GrowingNoise(0.1)."
        )
        check.choice(self.method, "method", where, METHODS)
        object.__setattr__(self, "t", check.readonly(t.copy()))

    def sample(self, n: int, *, rng=None, conditions=None) -> np.ndarray:
        """Draw ``n`` trajectories [rad], shape ``(n, T)``.

        ``conditions``, if given, are the lengths [m] of the ``n`` pendulums,
        shape ``(n,)``; the other parameters still come from the prior. All
        randomness comes from ``rng`` (parameters first, then the noise).
        """
        gen = np.random.default_rng(rng)
        params, length = draw_conditioned(self.prior, n, gen, conditions, "PriorGenerator.sample")
        theta = simulate(
            params.theta0, params.omega0, self.t, length=length, g=params.g, method=self.method
        ).theta
        return self.noise.sample(theta, self.t, rng=gen)
