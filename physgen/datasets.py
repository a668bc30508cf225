r"""Tabular pendulum datasets (the original's layout) and their honest split.

The original code learns :math:`\theta(t)` from a table whose rows are
single time points: the features are :data:`FEATURES` =
``(theta0, omega0, t, m, g, l)`` and the target is the noisy angle at ``t``.
This module builds that table, vectorised over every trajectory, from

- a :class:`ParameterGrid` (the original's training grid is the preset
  :data:`ORIGINAL_GRID`), or
- a :class:`physgen.PendulumPrior` (``n`` pendulums drawn at random),

and returns a frozen :class:`Dataset` that keeps, next to the noisy targets,
the *clean* angles from the chosen solver, the *exact* angles (``truth``),
and each row's trajectory id, so that a split can keep whole trajectories
together (:func:`split_by_trajectory`), unlike the original's random split
of rows (:func:`split_by_row`, kept to show what it hides).

Rows are ordered trajectory-major: the ``T`` time points of trajectory 0,
then those of trajectory 1, and so on.

The original's jitter bug
-------------------------
The original loops ``for theta0: for omega0: for m: for l:`` and, inside the
innermost loop, adds fresh N(0, 0.05) noise *in place* (``+=``) to theta0,
omega0, m, g and l before simulating. Because a Python loop variable is only
reset when its own loop moves on, the jitter accumulates into a random walk:

- ``l`` is reset every trajectory: one jitter draw, no accumulation;
- ``m`` accumulates over the ``len(l)`` trajectories that share it;
- ``omega0`` over ``len(m) * len(l)`` trajectories;
- ``theta0`` over ``len(omega0) * len(m) * len(l)`` trajectories;
- ``g`` is never reset: it random-walks across the *whole* grid
  (standard deviation 0.05 * sqrt(100) = 0.5 m/s^2 by the 100th trajectory).

``make_dataset(..., accumulate_jitter=True)`` reproduces exactly this; the
default adds independent N(0, jitter) noise to each parameter of each
trajectory.

Examples
--------
>>> from physgen import ORIGINAL_GRID, make_dataset, split_by_trajectory
>>> ds = make_dataset(ORIGINAL_GRID, rng=0)
>>> ds.features.shape, ds.target.shape, ds.n_trajectories, ds.n_times
((50000, 6), (50000,), 100, 500)
>>> split = split_by_trajectory(ds, rng=0)
>>> split.train.n_trajectories, split.validation.n_trajectories, split.test.n_trajectories
(70, 15, 15)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from physgen import _validation as check
from physgen.generator import PendulumParameters, PendulumPrior
from physgen.noise import GrowingNoise, NoiseModel, NoNoise
from physgen.pendulum import METHODS, simulate

__all__ = [
    "FEATURES",
    "FEATURE_SOURCES",
    "feature_rows",
    "ParameterGrid",
    "ORIGINAL_GRID",
    "Dataset",
    "DatasetSplit",
    "RowSplit",
    "make_dataset",
    "split_by_trajectory",
    "split_by_row",
]

#: Column names of :attr:`Dataset.features`, in order: initial angle [rad],
#: initial angular velocity [rad/s], time [s], mass [kg], gravitational
#: acceleration [m/s^2], length [m].
FEATURES = ("theta0", "omega0", "t", "m", "g", "l")
#: Where each feature comes from: a field of :class:`physgen.PendulumParameters`,
#: or ``None`` for the time.
FEATURE_SOURCES = {
    "theta0": "theta0",
    "omega0": "omega0",
    "t": None,
    "m": "mass",
    "g": "g",
    "l": "length",
}

# Order in which jitter is drawn for each trajectory (the original's order).
_JITTER_ORDER = ("theta0", "omega0", "mass", "g", "length")


def feature_rows(params, t) -> np.ndarray:
    """Feature rows of pendulums on a time grid, columns :data:`FEATURES`.

    The one builder of network inputs: datasets, predictions and samples all
    use it, so a feature always means the same thing.

    Parameters
    ----------
    params : PendulumParameters or Mapping
        ``n`` pendulums, or one pendulum as a mapping with the fields of
        :class:`physgen.PendulumParameters` (``theta0`` [rad], ``omega0``
        [rad/s], and optional ``length`` [m], ``g`` [m/s^2], ``mass`` [kg],
        with that class's defaults: 1 m, 9.81 m/s^2, 1 kg).
    t : array_like, shape (T,)
        Times [s], finite.

    Returns
    -------
    numpy.ndarray, shape (n, T, 6), or (T, 6) for a mapping

    Examples
    --------
    >>> from physgen import feature_rows
    >>> feature_rows(dict(theta0=1.0, omega0=0.5, length=2.0, g=10.0), [0.0, 0.1])
    array([[ 1. ,  0.5,  0. ,  1. , 10. ,  2. ],
           [ 1. ,  0.5,  0.1,  1. , 10. ,  2. ]])
    """
    single = False
    if not isinstance(params, PendulumParameters):
        if not hasattr(params, "keys"):
            raise TypeError(
                f"feature_rows: params must be PendulumParameters or a mapping, "
                f"got {type(params).__name__}; pass e.g. "
                "dict(theta0=1.0, omega0=1.0, length=1.0, g=10.0)."
            )
        allowed = {"theta0", "omega0", "length", "g", "mass"}
        if set(params) - allowed or not {"theta0", "omega0"} <= set(params):
            raise ValueError(
                f"feature_rows: params={dict(params)!r} must have theta0 and "
                f"omega0 and may have length, g, mass (no other keys); pass e.g. "
                "dict(theta0=1.0, omega0=1.0, length=1.0, g=10.0)."
            )
        params = PendulumParameters(**params)
        single = True
    times = check.array(
        t,
        "t",
        "feature_rows",
        ndim=1,
        unit="s",
        fix="pass a 1-D grid of finite times such as np.arange(500) * 0.01.",
    )
    values = params.as_dict()
    out = np.empty((len(params), times.size, len(FEATURES)))
    for j, name in enumerate(FEATURES):
        source = FEATURE_SOURCES[name]
        out[..., j] = times[None, :] if source is None else values[source][:, None]
    return out[0] if single else out


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
            that variable's loop moves on (see the module docstring): ``g``
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


@dataclass(frozen=True, eq=False)
class Dataset(_OnTimeGrid):
    """A tabular pendulum dataset: one row per (trajectory, time) pair.

    Rows are trajectory-major: row ``k * T + i`` is time ``t[i]`` of the
    ``k``-th trajectory of this dataset. All arrays are read-only.

    Attributes
    ----------
    features : numpy.ndarray, shape (R, 6)
        Columns :data:`FEATURES` = theta0 [rad], omega0 [rad/s], t [s],
        m [kg], g [m/s^2], l [m] (the jittered parameters actually simulated).
    target : numpy.ndarray, shape (R,)
        Observed angle [rad]: ``clean`` plus observation noise.
    clean : numpy.ndarray, shape (R,)
        Noise-free angle [rad] from the dataset's ``method`` (for
        ``"euler_cromer"``, the original's targets, one step ahead of their
        time label).
    truth : numpy.ndarray, shape (R,)
        The exact angle [rad] at the labelled time (``method="exact"``); the
        same array as ``clean`` when ``method == "exact"``.
    trajectory_id : numpy.ndarray of int64, shape (R,)
        The id of each row's trajectory (ids of the dataset it was made
        from; kept by :meth:`subset` and the splits).
    ids : numpy.ndarray of int64, shape (n_trajectories,)
        The trajectory ids in row order: ``trajectory_id == np.repeat(ids, T)``.
    params : PendulumParameters
        Per-trajectory parameters, shape ``(n_trajectories,)``, in row order.
    t : numpy.ndarray, shape (T,)
        The time grid [s].
    noise : NoiseModel
        The observation-noise model used for ``target``.
    method : str
        The solver of ``clean``.
    """

    features: np.ndarray
    target: np.ndarray
    clean: np.ndarray
    truth: np.ndarray
    trajectory_id: np.ndarray
    ids: np.ndarray
    params: PendulumParameters
    t: np.ndarray
    noise: NoiseModel
    method: str

    def __post_init__(self):
        n, T = len(self.ids), self.t.shape[0]
        shapes = {
            "features": (n * T, len(FEATURES)),
            "target": (n * T,),
            "clean": (n * T,),
            "truth": (n * T,),
            "trajectory_id": (n * T,),
        }
        for name, shape in shapes.items():
            if getattr(self, name).shape != shape:
                raise ValueError(
                    f"Dataset: {name} has shape {getattr(self, name).shape}, "
                    f"expected {shape} for {n} trajectories x {T} times."
                )
        if len(self.params) != n:
            raise ValueError(f"Dataset: params has {len(self.params)} pendulums, expected {n}.")

    def __repr__(self) -> str:
        return self._describe(n_trajectories=self.n_trajectories, n_times=self.n_times)

    @property
    def n_trajectories(self) -> int:
        """Number of trajectories."""
        return int(self.ids.shape[0])

    @property
    def n_rows(self) -> int:
        """Number of rows, ``R = n_trajectories * n_times``."""
        return self.n_trajectories * self.n_times

    def column(self, name: str) -> np.ndarray:
        """One feature column by name (one of :data:`FEATURES`), shape ``(R,)``.

        Examples
        --------
        >>> from physgen import ORIGINAL_GRID, make_dataset
        >>> make_dataset(ORIGINAL_GRID, rng=0).column("t")[:3]
        array([0.  , 0.01, 0.02])
        """
        check.choice(name, "name", "column", FEATURES)
        return self.features[:, FEATURES.index(name)]

    def as_trajectories(self, values) -> np.ndarray:
        """Reshape per-row values to one row per trajectory.

        Parameters
        ----------
        values : array_like, shape (R,) or (R, k)
            Per-row values in this dataset's row order (e.g. ``target`` or a
            model's predictions).

        Returns
        -------
        numpy.ndarray, shape (n_trajectories, T) or (n_trajectories, T, k)

        Examples
        --------
        >>> from physgen import ORIGINAL_GRID, make_dataset
        >>> ds = make_dataset(ORIGINAL_GRID, rng=0)
        >>> ds.as_trajectories(ds.target).shape
        (100, 500)
        """
        arr = np.asarray(values)
        if arr.ndim == 0 or arr.shape[0] != self.n_rows:
            raise ValueError(
                f"as_trajectories: values must have {self.n_rows} rows (one per row of this "
                f"dataset), got shape {arr.shape}; pass per-row values such as ds.target or "
                "model predictions on ds.features."
            )
        return arr.reshape((self.n_trajectories, self.n_times) + arr.shape[1:])

    def subset(self, trajectory_ids) -> Dataset:
        """The dataset restricted to some trajectories, in the order given.

        Parameters
        ----------
        trajectory_ids : array_like of int, shape (k,)
            Distinct ids from :attr:`ids`.

        Returns
        -------
        Dataset
            ``k`` trajectories; ids, parameters and rows kept.
        """
        sel = np.asarray(trajectory_ids)
        if sel.ndim != 1 or not (sel.size == 0 or np.issubdtype(sel.dtype, np.integer)):
            raise TypeError(
                f"subset: trajectory_ids must be a 1-D array of integer ids, got "
                f"{trajectory_ids!r}; pass e.g. ds.ids[:10]."
            )
        sel = sel.astype(np.int64)
        if np.unique(sel).size != sel.size:
            raise ValueError(
                f"subset: trajectory_ids contains repeated ids {trajectory_ids!r}; "
                "pass each id at most once (np.unique)."
            )
        lookup = {int(i): k for k, i in enumerate(self.ids)}
        missing = [int(i) for i in sel if int(i) not in lookup]
        if missing:
            raise ValueError(
                f"subset: ids {missing[:5]} are not in this dataset; pick ids from ds.ids."
            )
        pos = np.array([lookup[int(i)] for i in sel], dtype=np.int64)
        T = self.n_times
        rows = (pos[:, None] * T + np.arange(T)).ravel()
        clean = check.readonly(self.clean[rows])
        truth = clean if self.truth is self.clean else check.readonly(self.truth[rows])
        return Dataset(
            features=check.readonly(self.features[rows]),
            target=check.readonly(self.target[rows]),
            clean=clean,
            truth=truth,
            trajectory_id=check.readonly(self.trajectory_id[rows]),
            ids=check.readonly(self.ids[pos]),
            params=self.params[pos],
            t=self.t,
            noise=self.noise,
            method=self.method,
        )


@dataclass(frozen=True, eq=False)
class DatasetSplit:
    """Train / validation / test datasets with no trajectory in two of them.

    Unpacks as ``train, validation, test = split``.
    """

    train: Dataset
    validation: Dataset
    test: Dataset

    def __iter__(self):
        return iter((self.train, self.validation, self.test))


@dataclass(frozen=True, eq=False)
class RowSplit:
    """Row indices of a random split of rows (the original's split).

    Attributes
    ----------
    train, test : numpy.ndarray of int64
        Row indices into the dataset's per-row arrays, in shuffled order.

    Unpacks as ``train, test = split``.
    """

    train: np.ndarray
    test: np.ndarray

    def __iter__(self):
        return iter((self.train, self.test))


def make_dataset(
    source,
    *,
    t=None,
    n=None,
    noise=None,
    jitter=None,
    accumulate_jitter=False,
    method=None,
    rng=None,
) -> Dataset:
    """Simulate a tabular dataset ``(theta0, omega0, t, m, g, l) -> theta(t)``.

    Parameters
    ----------
    source : ParameterGrid or PendulumPrior
        Where the pendulums come from: every point of a grid (in loop order),
        or ``n`` random draws from a prior.
    t : array_like, shape (T,), optional
        Times [s]. Default: the grid's ``t``; required for a prior. Must be
        uniform from 0 for ``method="euler_cromer"``.
    n : int, optional
        Number of pendulums; required for a prior, not allowed for a grid.
    noise : NoiseModel, optional
        Observation noise. Default: the grid's ``noise``; ``NoNoise()`` for
        a prior.
    jitter : float, optional
        Standard deviation of Gaussian jitter added to every parameter
        (theta0 [rad], omega0 [rad/s], m [kg], g [m/s^2], l [m]) of every
        trajectory. Default: the grid's ``jitter``; 0 for a prior.
    accumulate_jitter : bool, optional
        Reproduce the original's bug (grids only): the jitter accumulates
        into a random walk along the grid order (see the module docstring).
        Default False: independent jitter per trajectory.
    method : str, optional
        Solver of the clean targets (:func:`physgen.simulate`). Default: the
        grid's ``method``; ``"exact"`` for a prior. When it is not
        ``"exact"``, the exact solution is also computed, as ``truth``.
    rng : None, int or numpy.random.Generator, optional
        The only source of randomness (parameters/jitter first, then the
        observation noise). The same seed gives the same bytes.

    Returns
    -------
    Dataset
        ``n_trajectories * T`` rows, trajectory-major; trajectory ids
        ``0 .. n_trajectories - 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from physgen import ConstantNoise, PendulumPrior, make_dataset
    >>> ds = make_dataset(PendulumPrior(), n=8, t=np.linspace(0, 2, 50),
    ...                   noise=ConstantNoise(0.05), rng=0)
    >>> ds.features.shape, ds.trajectory_id[[0, 49, 50]]
    ((400, 6), array([0, 0, 1]))
    >>> bool(np.all(ds.features[:, 3] == 1.0))  # mass column: PendulumPrior() fixes 1 kg
    True
    """
    accumulate_jitter = check.boolean(accumulate_jitter, "accumulate_jitter", "make_dataset")
    gen = np.random.default_rng(rng)
    check.instance(
        source,
        (ParameterGrid, PendulumPrior),
        "source",
        "make_dataset",
        fix="pass e.g. physgen.ORIGINAL_GRID or physgen.PendulumPrior().",
    )
    if isinstance(source, ParameterGrid):
        if n is not None:
            raise ValueError(
                f"make_dataset: n={n!r} is not allowed with a ParameterGrid (it has "
                f"{source.n_trajectories} points); drop n, or pass a PendulumPrior."
            )
        times = source.t if t is None else t
        noise = source.noise if noise is None else noise
        method = source.method if method is None else method
        jitter = source.jitter if jitter is None else jitter
        _noise(noise, "make_dataset")
        check.choice(method, "method", "make_dataset", METHODS)
        jitter = _jitter(jitter, "make_dataset")
        params = source.sample_parameters(
            jitter=jitter, accumulate_jitter=accumulate_jitter, rng=gen
        )
    else:
        if n is None:
            raise ValueError(
                "make_dataset: n is required with a PendulumPrior; pass the "
                "number of pendulums, e.g. n=100."
            )
        if t is None:
            raise ValueError(
                "make_dataset: t is required with a PendulumPrior; pass a time "
                "grid [s], e.g. t=np.arange(500) * 0.01."
            )
        if accumulate_jitter:
            raise ValueError(
                "make_dataset: accumulate_jitter=True reproduces the original "
                "grid's loop bug and needs a ParameterGrid source; drop it for a "
                "PendulumPrior."
            )
        n = check.integer(
            n, "n", "make_dataset", minimum=0, fix="pass the number of pendulums, e.g. n=100."
        )
        times = t
        noise = NoNoise() if noise is None else noise
        method = "exact" if method is None else method
        jitter = 0.0 if jitter is None else _jitter(jitter, "make_dataset")
        _noise(noise, "make_dataset")
        check.choice(method, "method", "make_dataset", METHODS)
        params = source.sample(n, rng=gen)
        if jitter > 0 and n > 0:
            eps = jitter * gen.standard_normal((n, len(_JITTER_ORDER)))
            params = _jittered(params, eps, _JITTER_ORDER, jitter, "make_dataset")

    traj = simulate(
        params.theta0, params.omega0, times, length=params.length, g=params.g, method=method
    )
    tt = np.asarray(traj.t, dtype=float)
    n_traj, T = len(params), tt.shape[0]
    clean2 = np.asarray(traj.theta, dtype=float).reshape(n_traj, T)
    if method == "exact":
        truth2 = clean2
    else:
        exact = simulate(
            params.theta0, params.omega0, tt, length=params.length, g=params.g, method="exact"
        )
        truth2 = np.asarray(exact.theta, dtype=float).reshape(n_traj, T)
    target2 = noise.sample(clean2, tt, rng=gen)

    features = feature_rows(params, tt)
    ids = np.arange(n_traj, dtype=np.int64)
    clean = check.readonly(clean2.reshape(-1).copy())
    return Dataset(
        features=check.readonly(features.reshape(-1, len(FEATURES))),
        target=check.readonly(target2.reshape(-1)),
        clean=clean,
        truth=clean if truth2 is clean2 else check.readonly(truth2.reshape(-1).copy()),
        trajectory_id=check.readonly(np.repeat(ids, T)),
        ids=check.readonly(ids),
        params=params,
        t=check.readonly(tt.copy()),
        noise=noise,
        method=method,
    )


def _dataset(dataset, where: str) -> Dataset:
    return check.instance(
        dataset, Dataset, "dataset", where, fix="build one with physgen.make_dataset(...)."
    )


def split_by_trajectory(dataset: Dataset, *, fractions=(0.7, 0.15, 0.15), rng=None) -> DatasetSplit:
    """Split a dataset into train / validation / test by whole trajectories.

    No trajectory has rows in two parts, so the test score measures how well
    a model generalises to *new pendulums*, not how well it interpolates
    between the time points of pendulums it has seen.

    Parameters
    ----------
    dataset : Dataset
        The dataset to split.
    fractions : (float, float, float), optional
        Shares of trajectories for train, validation and test; each >= 0,
        summing to 1, train > 0. Counts are rounded by largest remainder, so
        100 trajectories give 70 / 15 / 15.
    rng : None, int or numpy.random.Generator, optional
        Source of randomness for the shuffle.

    Returns
    -------
    DatasetSplit
        ``train``, ``validation``, ``test`` datasets; within each, the
        trajectories keep the original order (ids ascending).

    Examples
    --------
    >>> import numpy as np
    >>> from physgen import ORIGINAL_GRID, make_dataset, split_by_trajectory
    >>> train, val, test = split_by_trajectory(make_dataset(ORIGINAL_GRID, rng=0), rng=1)
    >>> np.intersect1d(train.ids, test.ids).size
    0
    """
    _dataset(dataset, "split_by_trajectory")
    fix = "pass e.g. fractions=(0.7, 0.15, 0.15)."
    fr = check.array(
        fractions, "fractions", "split_by_trajectory", shape=(3,), nonnegative=True, fix=fix
    )
    if not math.isclose(fr.sum(), 1.0, abs_tol=1e-9) or fr[0] <= 0:
        raise ValueError(
            f"split_by_trajectory: fractions must be three finite shares (train, validation, "
            f"test), each >= 0, train > 0, summing to 1; got {fractions!r}; pass e.g. "
            "fractions=(0.7, 0.15, 0.15)."
        )
    n = dataset.n_trajectories
    exact = fr * n
    counts = np.floor(exact).astype(int)
    # Largest remainder; ties go to the earlier part (train first).
    for k in np.argsort(-(exact - counts), kind="stable")[: n - counts.sum()]:
        counts[k] += 1
    gen = np.random.default_rng(rng)
    perm = gen.permutation(n)
    bounds = np.cumsum(counts)[:-1]
    parts = [np.sort(p) for p in np.split(perm, bounds)]
    return DatasetSplit(*(dataset.subset(dataset.ids[p]) for p in parts))


def split_by_row(dataset: Dataset, *, test_fraction=0.25, rng=None) -> RowSplit:
    """The original's split: a random split of *rows*, ignoring trajectories.

    Every trajectory of the original grid then has about 75 % of its time
    points in training and 25 % in test, so the test rows are interpolations
    inside trajectories the model has already seen: the test score leaks and
    says nothing about new pendulums. Kept so the course can show this; use
    :func:`split_by_trajectory` for honest evaluation.

    Parameters
    ----------
    dataset : Dataset
        The dataset to split.
    test_fraction : float, optional
        Share of rows in the test part, in (0, 1); the test count is
        ``ceil(test_fraction * R)`` (as scikit-learn's ``train_test_split``).
    rng : None, int or numpy.random.Generator, optional
        Source of randomness for the shuffle.

    Returns
    -------
    RowSplit
        ``train`` and ``test`` row indices (shuffled), e.g.
        ``dataset.features[split.train]``.

    Examples
    --------
    >>> import numpy as np
    >>> from physgen import ORIGINAL_GRID, make_dataset, split_by_row
    >>> ds = make_dataset(ORIGINAL_GRID, rng=0)
    >>> split = split_by_row(ds, rng=0)
    >>> split.train.size, split.test.size
    (37500, 12500)
    >>> shared = np.intersect1d(ds.trajectory_id[split.train], ds.trajectory_id[split.test])
    >>> shared.size  # every test trajectory is also in training: the leak
    100
    """
    _dataset(dataset, "split_by_row")
    test_fraction = check.fraction(
        test_fraction,
        "test_fraction",
        "split_by_row",
        fix="pass a number in (0, 1), e.g. test_fraction=0.25.",
    )
    R = dataset.n_rows
    n_test = math.ceil(float(test_fraction) * R)
    gen = np.random.default_rng(rng)
    perm = gen.permutation(R).astype(np.int64)
    return RowSplit(train=check.readonly(perm[n_test:]), test=check.readonly(perm[:n_test]))
