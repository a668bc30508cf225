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
from dataclasses import dataclass

import numpy as np

from physgen import _validation as check
from physgen._features import FEATURE_SOURCES, FEATURES, feature_rows
from physgen._grid import (
    _JITTER_ORDER,
    ORIGINAL_GRID,
    ParameterGrid,
    _jittered,
    _OnTimeGrid,
    clean_and_truth,
    options,
)
from physgen.generator import PendulumParameters, PendulumPrior
from physgen.noise import NoiseModel, NoNoise

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
    where = "make_dataset"
    accumulate_jitter = check.boolean(accumulate_jitter, "accumulate_jitter", where)
    gen = np.random.default_rng(rng)
    check.instance(
        source,
        (ParameterGrid, PendulumPrior),
        "source",
        where,
        fix="pass e.g. physgen.ORIGINAL_GRID or physgen.PendulumPrior().",
    )
    pendulums = _grid_pendulums if isinstance(source, ParameterGrid) else _prior_pendulums
    params, times, noise, method = pendulums(
        source, t, n, jitter, noise, method, accumulate_jitter, gen
    )
    tt, clean, truth = clean_and_truth(params, times, method)
    target = noise.sample(clean, tt, rng=gen)
    return _rows(params, tt, clean, truth, target, noise, method)


def _grid_pendulums(grid, t, n, jitter, noise, method, accumulate_jitter, gen):
    """make_dataset's pendulums, times, noise and solver from a ParameterGrid."""
    if n is not None:
        raise ValueError(
            f"make_dataset: n={n!r} is not allowed with a ParameterGrid (it has "
            f"{grid.n_trajectories} points); drop n, or pass a PendulumPrior."
        )
    default = (grid.jitter, grid.noise, grid.method)
    jitter, noise, method = options(jitter, noise, method, default=default, where="make_dataset")
    params = grid.sample_parameters(jitter=jitter, accumulate_jitter=accumulate_jitter, rng=gen)
    return params, grid.t if t is None else t, noise, method


def _prior_pendulums(prior, t, n, jitter, noise, method, accumulate_jitter, gen):
    """make_dataset's pendulums, times, noise and solver from a PendulumPrior."""
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
    default = (0.0, NoNoise(), "exact")
    jitter, noise, method = options(jitter, noise, method, default=default, where="make_dataset")
    params = prior.sample(n, rng=gen)
    if jitter > 0 and n > 0:
        eps = jitter * gen.standard_normal((n, len(_JITTER_ORDER)))
        params = _jittered(params, eps, _JITTER_ORDER, jitter, "make_dataset")
    return params, t, noise, method


def _rows(params, t, clean, truth, target, noise, method) -> Dataset:
    """The Dataset of ``n`` trajectories on ``t``: angles of shape (n, T), one row a time."""
    ids = np.arange(len(params), dtype=np.int64)
    flat_clean = check.readonly(clean.reshape(-1).copy())
    return Dataset(
        features=check.readonly(feature_rows(params, t).reshape(-1, len(FEATURES))),
        target=check.readonly(target.reshape(-1)),
        clean=flat_clean,
        truth=flat_clean if truth is clean else check.readonly(truth.reshape(-1).copy()),
        trajectory_id=check.readonly(np.repeat(ids, t.shape[0])),
        ids=check.readonly(ids),
        params=params,
        t=check.readonly(t.copy()),
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
