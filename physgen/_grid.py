"""Grids of pendulums: :class:`ParameterGrid`, its jitter, and the original's grid.

A :class:`ParameterGrid` enumerates pendulums in the original code's loop order
and draws their jittered parameters, independently or with the original's loop
bug (the jitter accumulating into a random walk, described in
:mod:`physgen.datasets`). :mod:`physgen.datasets` turns a grid into rows,
:mod:`physgen.trajectory_sets` into whole trajectories; both read their options
(jitter, noise, solver) through :func:`options` and their angles through
:func:`clean_and_truth`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from physgen import _validation as check
from physgen.generator import PendulumParameters
from physgen.noise import GrowingNoise, NoiseModel, NoNoise
from physgen.pendulum import METHODS, simulate

# Order in which jitter is drawn for each trajectory (the original's order).
_JITTER_ORDER = ("theta0", "omega0", "mass", "g", "length")


def _values(name: str, values, *, unit: str, positive: bool) -> tuple[float, ...]:
    fix = f"pass a non-empty sequence of floats [{unit}], e.g. {name}=(1.0, 2.0)."
    return check.sequence(
        values,
        name,
        "ParameterGrid",
        fix=fix,
        item=lambda x, item: check.real(
            x, item, "ParameterGrid", unit=unit, positive=positive, fix=fix
        ),
    )


@dataclass(frozen=True)
class ParameterGrid:
    """A full grid of pendulums, simulated on a uniform time grid.

    Trajectories are enumerated in the original's loop order, ``theta0``
    outermost, then ``omega0``, then ``mass``, then ``length`` innermost
    (C order of ``np.meshgrid(theta0, omega0, mass, length, indexing="ij")``).

    Parameters
    ----------
    theta0 : sequence of float
        Initial angles [rad].
    omega0 : sequence of float
        Initial angular velocities [rad/s].
    mass : sequence of float
        Masses [kg], > 0 (recorded as the feature ``m``; no effect on the
        motion).
    length : sequence of float
        Lengths [m], > 0.
    g : float, optional
        Gravitational acceleration [m/s^2], > 0. Default 9.81.
    dt : float, optional
        Time step [s], > 0. Default 0.01.
    n_steps : int, optional
        Number of time points ``T``, >= 1; the times are ``i * dt``,
        ``i = 0 .. n_steps - 1``. Default 500.
    jitter : float, optional
        Standard deviation of the Gaussian jitter added to every parameter
        of every trajectory (theta0 [rad], omega0 [rad/s], mass [kg],
        g [m/s^2], length [m]), >= 0. Default 0.
    noise : NoiseModel, optional
        Observation noise. Default ``NoNoise()``.
    method : str, optional
        Solver for the clean targets (see :func:`physgen.simulate`).
        Default ``"exact"``.

    Examples
    --------
    >>> from physgen import ORIGINAL_GRID
    >>> ORIGINAL_GRID.n_trajectories, ORIGINAL_GRID.t.shape, float(ORIGINAL_GRID.t[-1])
    (100, (500,), 4.99)
    >>> p = ORIGINAL_GRID.parameters()
    >>> p.theta0[:3], p.length[:3]
    (array([0.5, 0.5, 0.5]), array([1., 2., 1.]))
    """

    theta0: tuple[float, ...]
    omega0: tuple[float, ...]
    mass: tuple[float, ...]
    length: tuple[float, ...]
    g: float = 9.81
    dt: float = 0.01
    n_steps: int = 500
    jitter: float = 0.0
    noise: NoiseModel = field(default_factory=NoNoise)
    method: str = "exact"

    def __post_init__(self):
        set_ = object.__setattr__
        w = "ParameterGrid"
        set_(self, "theta0", _values("theta0", self.theta0, unit="rad", positive=False))
        set_(self, "omega0", _values("omega0", self.omega0, unit="rad/s", positive=False))
        set_(self, "mass", _values("mass", self.mass, unit="kg", positive=True))
        set_(self, "length", _values("length", self.length, unit="m", positive=True))
        set_(
            self,
            "g",
            check.real(self.g, "g", w, unit="m/s^2", positive=True, fix="pass e.g. g=9.81."),
        )
        set_(
            self,
            "dt",
            check.real(self.dt, "dt", w, unit="s", positive=True, fix="pass e.g. dt=0.01."),
        )
        set_(
            self,
            "n_steps",
            check.integer(self.n_steps, "n_steps", w, minimum=1, fix="pass e.g. n_steps=500."),
        )
        set_(self, "jitter", _jitter(self.jitter, w))
        _noise(self.noise, w)
        check.choice(self.method, "method", w, METHODS)

    @property
    def t(self) -> np.ndarray:
        """The time grid ``i * dt`` [s], shape ``(n_steps,)``."""
        return np.arange(self.n_steps) * self.dt

    @property
    def shape(self) -> tuple[int, int, int, int]:
        """``(len(theta0), len(omega0), len(mass), len(length))``."""
        return (len(self.theta0), len(self.omega0), len(self.mass), len(self.length))

    @property
    def n_trajectories(self) -> int:
        """Number of trajectories (grid points)."""
        return math.prod(self.shape)

    def parameters(self) -> PendulumParameters:
        """The grid's nominal parameters (no jitter), in loop order, shape ``(n,)``."""
        th, om, m, l = np.meshgrid(self.theta0, self.omega0, self.mass, self.length, indexing="ij")
        return PendulumParameters(
            theta0=th.ravel(), omega0=om.ravel(), length=l.ravel(), g=self.g, mass=m.ravel()
        )

    def sample_parameters(
        self, *, jitter: float | None = None, accumulate_jitter: bool = False, rng=None
    ) -> PendulumParameters:
        """The grid's parameters with Gaussian jitter, in loop order.

        Parameters
        ----------
        jitter : float, optional
            Jitter standard deviation (default: the grid's ``jitter``).
        accumulate_jitter : bool, optional
            False (default): independent N(0, jitter) noise on each parameter
            of each trajectory. True: the original's bug, each draw added to
            the previous value of the same loop variable, reset only when
            that variable's loop moves on (see :mod:`physgen.datasets`): ``g``
            random-walks over the whole grid.
        rng : None, int or numpy.random.Generator, optional
            Source of randomness. Draws a ``(n, 5)`` standard-normal block,
            columns theta0, omega0, mass, g, length (the original's order).

        Returns
        -------
        PendulumParameters
            Shape ``(n,)``.

        Examples
        --------
        >>> from physgen import ORIGINAL_GRID
        >>> p = ORIGINAL_GRID.sample_parameters(accumulate_jitter=True, rng=0)
        >>> len(p)
        100
        """
        jitter = self.jitter if jitter is None else _jitter(jitter, "sample_parameters")
        accumulate_jitter = check.boolean(
            accumulate_jitter, "accumulate_jitter", "sample_parameters"
        )
        gen = np.random.default_rng(rng)
        return _jitter_grid(
            self, _JITTER_ORDER, jitter, accumulate_jitter, gen, "sample_parameters"
        )


def _jitter_grid(grid: ParameterGrid, names, jitter, accumulate, gen, where) -> PendulumParameters:
    """The grid's parameters, ``names`` jittered: one standard-normal block of shape
    ``(n, len(names))`` drawn from ``gen``, times ``jitter``, summed along the loops
    (the original's bug) when ``accumulate``."""
    nominal = grid.parameters()
    n = len(nominal)
    if jitter == 0 or n == 0:
        return nominal
    eps = jitter * gen.standard_normal((n, len(names)))
    if accumulate:
        _accumulate_jitter(grid, eps, names)
    return _jittered(nominal, eps, names, jitter, where)


def _accumulate_jitter(grid: ParameterGrid, eps: np.ndarray, names) -> None:
    """The original's loop bug, in place: column ``j`` of ``eps`` (parameter ``names[j]``)
    becomes the running sum of its draws, restarted whenever that parameter's loop moves on."""
    n = eps.shape[0]
    _n_th, n_om, n_m, n_l = grid.shape
    # Number of consecutive trajectories over which each loop variable accumulates.
    block = {
        "theta0": n_om * n_m * n_l,
        "omega0": n_m * n_l,
        "mass": n_l,
        "g": n,
        "length": 1,
    }
    for j, name in enumerate(names):
        b = block[name]
        eps[:, j] = np.cumsum(eps[:, j].reshape(n // b, b), axis=1).ravel()


def _jittered(
    nominal: PendulumParameters, eps: np.ndarray, names, jitter: float, where: str
) -> PendulumParameters:
    """``nominal`` with column ``j`` of ``eps`` added to parameter ``names[j]``; the lengths,
    g and masses must stay > 0."""
    values = nominal.as_dict()
    for j, name in enumerate(names):
        values[name] = values[name] + eps[:, j]
    for name, unit in (("length", "m"), ("g", "m/s^2"), ("mass", "kg")):
        if np.any(values[name] <= 0):
            raise ValueError(
                f"{where}: jitter={jitter!r} made some {name} values non-positive (min "
                f"{values[name].min():.3g} {unit}); use a smaller jitter or larger {name} values."
            )
    return PendulumParameters(**values)


def _jitter(jitter, where: str) -> float:
    return check.real(
        jitter,
        "jitter",
        where,
        unit="same units as each parameter",
        nonnegative=True,
        fix="pass a standard deviation such as 0.05 (or 0 for none).",
    )


def _noise(noise, where: str) -> NoiseModel:
    return check.instance(
        noise,
        NoiseModel,
        "noise",
        where,
        fix="pass physgen.NoNoise(), physgen.ConstantNoise(sigma) or physgen.GrowingNoise(rate).",
    )


#: The original code's training grid: theta0 and omega0 in
#: {0.5, 0.75, 1.0, 1.25, 1.5}, mass and length in {1, 2}, g = 10 m/s^2,
#: dt = 0.01 s, 500 steps (t = 0 .. 4.99 s), jitter 0.05, observation noise
#: N(0, (0.1 t)^2) and Euler-Cromer targets: 100 trajectories, 50,000 rows.
ORIGINAL_GRID = ParameterGrid(
    theta0=(0.5, 0.75, 1.0, 1.25, 1.5),
    omega0=(0.5, 0.75, 1.0, 1.25, 1.5),
    mass=(1.0, 2.0),
    length=(1.0, 2.0),
    g=10.0,
    dt=0.01,
    n_steps=500,
    jitter=0.05,
    noise=GrowingNoise(0.1),
    method="euler_cromer",
)


class _OnTimeGrid:
    """What the trajectory datasets share: a time grid ``t``, a solver and a noise model."""

    t: np.ndarray
    method: str
    noise: NoiseModel

    @property
    def n_times(self) -> int:
        """Number of time points per trajectory, ``T``."""
        return int(self.t.shape[0])

    def _describe(self, **sizes) -> str:
        """``Name(size=..., method=..., noise=...)``: the sizes, then the solver and the noise."""
        shown = "".join(f"{k}={v}, " for k, v in sizes.items())
        return f"{type(self).__name__}({shown}method={self.method!r}, noise={self.noise!r})"


def options(jitter, noise, method, *, default: tuple, where: str) -> tuple[float, NoiseModel, str]:
    """A data set's jitter, observation noise and solver: each the one given, or else its
    ``default`` (a grid's ``(jitter, noise, method)``, say), validated."""
    default_jitter, default_noise, default_method = default
    return (
        _jitter(default_jitter if jitter is None else jitter, where),
        _noise(default_noise if noise is None else noise, where),
        check.choice(default_method if method is None else method, "method", where, METHODS),
    )


def clean_and_truth(params: PendulumParameters, t, method: str, *, stride: int = 1):
    """Noise-free angles [rad] of the pendulums ``params`` from ``method``, and the exact ones.

    The pendulums are simulated on ``t`` [s] and every ``stride``-th time is kept.
    Returns ``(times, clean, truth)`` of shapes (T,), (n, T) and (n, T): ``truth`` is
    the exact solution at the kept times, the same array as ``clean`` when ``method``
    is ``"exact"``.
    """
    traj = simulate(
        params.theta0, params.omega0, t, length=params.length, g=params.g, method=method
    )
    keep = slice(None, None, stride)
    times = np.array(traj.t[keep], dtype=float)
    clean = np.array(traj.theta[:, keep], dtype=float)
    if method == "exact":
        return times, clean, clean
    exact = simulate(params.theta0, params.omega0, times, length=params.length, g=params.g)
    return times, clean, np.array(exact.theta, dtype=float)
