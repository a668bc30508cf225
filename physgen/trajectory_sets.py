"""Whole-trajectory datasets: the data of the learned generators (VAE, GAN).

A generator of trajectories learns from samples that are *whole* trajectories,
one vector of ``T`` angles each, not the (features, target) rows of
:mod:`physgen.datasets`. This module builds such sets, of shape ``(n, T)``,
from a :class:`physgen.ParameterGrid`, and keeps next to the observed angles
the clean ones, the exact ones and the parameters that made them.

The original generator notebooks' data
--------------------------------------
:data:`GENERATOR_GRID` is the grid of the original VAE and WGAN notebooks:
theta0 and omega0 in {0.5, 0.75, 1.0, 1.25, 1.5}, mass and length in
{1, 1.5, 2, 2.5}: 400 trajectories, each simulated with the Euler-Cromer
scheme (``g = 10``, ``dt = 0.01`` s, 500 points, labels one step early, see
:func:`physgen.simulate`), with observation noise N(0, (0.1 t)^2).

Its jitter bug is worse than in the tabular data: inside the innermost loop,
theta0, omega0 *and g* get ``+= N(0, 0.05)`` (mass and length are set by their
own loops and get none), so each jitter adds to the previous value of its
variable until that variable's loop resets it:

- theta0 accumulates over the ``5 * 4 * 4 = 80`` trajectories that share it
  (standard deviation up to 0.05 * sqrt(80) = 0.45 rad),
- omega0 over ``4 * 4 = 16`` (up to 0.2 rad/s),
- g over the whole grid of 400 (up to 1.0 m/s^2).

``make_trajectory_set(GENERATOR_GRID, rng=...)`` reproduces that exactly;
``accumulate_jitter=False`` gives every trajectory its own independent jitter
(the fix), and ``stride`` keeps every ``stride``-th time point (a coarser grid
of the *same* trajectories: the simulation still steps with ``dt``).

Examples
--------
>>> from physgen import GENERATOR_GRID, make_trajectory_set
>>> data = make_trajectory_set(GENERATOR_GRID, rng=0)
>>> data.theta.shape, data.t[:3]
((400, 500), array([0.  , 0.01, 0.02]))
>>> coarse = make_trajectory_set(GENERATOR_GRID, stride=5, rng=0)
>>> coarse.theta.shape, float(coarse.t[1])
((400, 100), 0.05)
>>> train, heldout = coarse.split(heldout_fraction=0.25, rng=1)
>>> len(train), len(heldout)
(300, 100)

Twins, and a split by pendulum
------------------------------
Mass does not enter the dynamics, so the grid's four masses give every
pendulum four identical noise-free trajectories: *twins*, within
:data:`TWIN_TOL` rad RMS of each other (:func:`count_twins`). A random split
of such data holds out pendulums it also trains on. :func:`split_by_pendulum`
splits whole trajectories into training, validation and held-out parts and
raises if any pendulum lands in two of them; :func:`unique_trajectories`
keeps one trajectory per pendulum.

>>> from physgen import count_twins, split_by_pendulum, unique_trajectories
>>> nominal = make_trajectory_set(GENERATOR_GRID, jitter=0.0, stride=5, rng=0)
>>> train, heldout = nominal.split(heldout_fraction=0.25, rng=0)
>>> count_twins(train.clean, heldout.clean)   # every held-out pendulum was trained on
100
>>> once = nominal.subset(unique_trajectories(nominal.clean))
>>> train, validation, heldout = split_by_pendulum(once, rng=0)
>>> len(train), len(validation), len(heldout), count_twins(train.clean, heldout.clean)
(70, 15, 15, 0)
"""

from __future__ import annotations

import dataclasses
import numbers
from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import cdist

from physgen import _validation as check
from physgen._grid import (
    ORIGINAL_GRID,
    ParameterGrid,
    _jitter_grid,
    _OnTimeGrid,
    clean_and_truth,
    options,
)
from physgen.generator import PendulumParameters, PendulumPrior, generate
from physgen.noise import NoiseModel

__all__ = [
    "GENERATOR_GRID",
    "GENERATOR_JITTERED",
    "TrajectorySet",
    "make_trajectory_set",
    "TWIN_TOL",
    "count_twins",
    "unique_trajectories",
    "PendulumSplit",
    "split_by_pendulum",
    "CLEAN_PRIOR",
    "CLEAN_TIMES",
    "CLEAN_SEED",
    "CleanLine",
    "clean_line",
]

#: The grid of the original generator notebooks (VAE, WGAN): the tabular data's
#: :data:`physgen.ORIGINAL_GRID` (dt = 0.01 s, g = 10 m/s^2, Euler-Cromer, noise
#: N(0, (0.1 t)^2), jitter 0.05, here on theta0, omega0 and g) with masses and
#: lengths in {1, 1.5, 2, 2.5}: 400 trajectories of 500 points.
GENERATOR_GRID = dataclasses.replace(
    ORIGINAL_GRID, mass=(1.0, 1.5, 2.0, 2.5), length=(1.0, 1.5, 2.0, 2.5)
)

#: The parameters the original generator notebooks jitter, in draw order.
GENERATOR_JITTERED = ("theta0", "omega0", "g")


@dataclass(frozen=True, eq=False)
class TrajectorySet(_OnTimeGrid):
    """A set of whole trajectories on one time grid (one sample = one row).

    Attributes
    ----------
    theta : numpy.ndarray, shape (n, T)
        Observed angles [rad]: ``clean`` plus observation noise.
    clean : numpy.ndarray, shape (n, T)
        Noise-free angles [rad] from ``method`` (for ``"euler_cromer"``, the
        original's values, one step ahead of their time label).
    truth : numpy.ndarray, shape (n, T)
        Exact angles [rad] at the labelled times (the same array as ``clean``
        when ``method == "exact"``).
    t : numpy.ndarray, shape (T,)
        Time grid [s].
    params : PendulumParameters
        The parameters actually simulated (jitter included), shape ``(n,)``.
    noise : NoiseModel
        Observation-noise model of ``theta``.
    method : str
        Solver of ``clean``.

    All arrays are read-only.
    """

    theta: np.ndarray
    clean: np.ndarray
    truth: np.ndarray
    t: np.ndarray
    params: PendulumParameters
    noise: NoiseModel
    method: str

    def __len__(self) -> int:
        return int(self.theta.shape[0])

    def __repr__(self) -> str:
        return self._describe(n=len(self), T=self.n_times)

    def subset(self, index) -> TrajectorySet:
        """The trajectories selected by ``index`` (integer array, slice or boolean mask)."""
        if isinstance(index, numbers.Integral) and not isinstance(index, bool):
            index = [index]
        sel = np.arange(len(self))[index]
        clean = check.readonly(self.clean[sel])
        truth = clean if self.truth is self.clean else check.readonly(self.truth[sel])
        return TrajectorySet(
            theta=check.readonly(self.theta[sel]),
            clean=clean,
            truth=truth,
            t=self.t,
            params=self.params[sel],
            noise=self.noise,
            method=self.method,
        )

    def split(self, *, heldout_fraction=0.25, rng=None) -> tuple[TrajectorySet, TrajectorySet]:
        """Random split into ``(train, heldout)`` sets of whole trajectories.

        Parameters
        ----------
        heldout_fraction : float, default 0.25
            Share of trajectories held out, in (0, 1); the held-out count is
            ``round(heldout_fraction * n)``, at least 1 and at most ``n - 1``.
        rng : None, int or numpy.random.Generator, optional
            Source of randomness of the shuffle.

        Returns
        -------
        (TrajectorySet, TrajectorySet)
            Training and held-out sets, each in the original order.
        """
        heldout_fraction = check.fraction(
            heldout_fraction,
            "heldout_fraction",
            "TrajectorySet.split",
            fix="pass a share in (0, 1), e.g. heldout_fraction=0.25.",
        )
        n = len(self)
        if n < 2:
            raise ValueError(f"TrajectorySet.split: needs at least 2 trajectories, got {n}.")
        n_out = int(np.clip(round(float(heldout_fraction) * n), 1, n - 1))
        perm = np.random.default_rng(rng).permutation(n)
        return self.subset(np.sort(perm[n_out:])), self.subset(np.sort(perm[:n_out]))


def make_trajectory_set(
    grid=GENERATOR_GRID,
    *,
    accumulate_jitter=True,
    stride=1,
    jitter=None,
    noise=None,
    method=None,
    rng=None,
) -> TrajectorySet:
    """Simulate every point of a grid as one whole, noisy trajectory.

    Parameters
    ----------
    grid : ParameterGrid, default GENERATOR_GRID
        The pendulums (in loop order: theta0 outermost, then omega0, mass,
        length), the time step ``dt`` [s], the number of steps, ``g``
        [m/s^2], the jitter, the noise and the solver.
    accumulate_jitter : bool, default True
        True reproduces the original notebooks' bug: theta0, omega0 and g get
        N(0, jitter) added *in place* for every trajectory, so each random-walks
        until its loop resets it (g never is). False: independent N(0, jitter)
        on theta0, omega0 and g of each trajectory (the fix).
    stride : int, default 1
        Keep every ``stride``-th time point (``t = 0, stride dt, ...``). The
        trajectories are simulated with the grid's ``dt`` first, so a coarse
        set holds the *same* trajectories, fewer points of them.
    jitter : float, optional
        Jitter standard deviation (same units as each parameter); default the
        grid's. 0 gives the nominal grid.
    noise : NoiseModel, optional
        Observation noise; default the grid's (N(0, (0.1 t)^2) for
        :data:`GENERATOR_GRID`).
    method : str, optional
        Solver (:func:`physgen.simulate`); default the grid's
        (``"euler_cromer"`` for :data:`GENERATOR_GRID`).
    rng : None, int or numpy.random.Generator, optional
        The only source of randomness: the jitter is drawn first (an
        ``(n, 3)`` block, columns theta0, omega0, g), then the noise.

    Returns
    -------
    TrajectorySet
        ``theta``, ``clean``, ``truth`` of shape ``(n, T)`` with
        ``T = ceil(n_steps / stride)``.

    Raises
    ------
    TypeError
        ``grid`` not a ParameterGrid, ``accumulate_jitter`` not a bool, a
        non-integer ``stride``, a noise that is not a NoiseModel, a method that
        is not a string.
    ValueError
        ``stride`` outside ``[1, n_steps]``, a negative jitter, an unknown
        method, jitter that makes g non-positive.
    """
    where = "make_trajectory_set"
    check.instance(grid, ParameterGrid, "grid", where, fix="pass e.g. physgen.GENERATOR_GRID.")
    accumulate_jitter = check.boolean(
        accumulate_jitter,
        "accumulate_jitter",
        where,
        fix="pass True (the original's bug) or False (independent jitter).",
    )
    stride = check.integer(
        stride,
        "stride",
        where,
        minimum=1,
        fix="keep every stride-th point, e.g. stride=5 for 100 of 500 points.",
    )
    if stride > grid.n_steps:
        raise ValueError(
            f"{where}: stride={stride} is larger than the grid's n_steps="
            f"{grid.n_steps}; pass a stride in [1, {grid.n_steps}]."
        )
    default = (grid.jitter, grid.noise, grid.method)
    jitter, noise, method = options(jitter, noise, method, default=default, where=where)
    gen = np.random.default_rng(rng)
    params = _jitter_grid(grid, GENERATOR_JITTERED, jitter, accumulate_jitter, gen, where)
    t, clean, truth = clean_and_truth(params, grid.t, method, stride=stride)
    theta = noise.sample(clean, t, rng=gen)
    clean = check.readonly(clean)
    return TrajectorySet(
        theta=check.readonly(theta),
        clean=clean,
        truth=clean if truth is clean else check.readonly(truth),
        t=check.readonly(t),
        params=params,
        noise=noise,
        method=method,
    )


# --------------------------------------------------------------------------
# twins: one pendulum twice, and a split by pendulum that proves it has none
# --------------------------------------------------------------------------
#: Two trajectories closer than this root-mean-square distance [rad] are one
#: pendulum twice (:func:`count_twins`, :func:`split_by_pendulum`).
TWIN_TOL = 1e-9

# Rows of the first set compared at once with the whole second set (memory: block * n).
_BLOCK = 256


def _tolerance(tol, where: str) -> float:
    return check.real(
        tol, "tol", where, unit="rad", positive=True, fix=f"pass e.g. tol={TWIN_TOL!r}."
    )


def _nearest_rms(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """RMS distance [rad] from each row of ``a`` to its nearest row of ``b``, shape (len(a),)."""
    if b.shape[0] == 0:
        return np.full(a.shape[0], np.inf)
    out = np.empty(a.shape[0])
    for i in range(0, a.shape[0], _BLOCK):
        out[i : i + _BLOCK] = cdist(a[i : i + _BLOCK], b, "sqeuclidean").min(axis=1)
    return np.sqrt(out / a.shape[1])


def count_twins(train, heldout, *, tol=TWIN_TOL) -> int:
    r"""Number of held-out trajectories with a twin in the training set.

    A twin of a held-out trajectory :math:`h` is a training trajectory
    :math:`x` within ``tol`` of it in root-mean-square distance,

    .. math:: \sqrt{\tfrac1T \textstyle\sum_j (h_j - x_j)^2} \le \mathrm{tol},

    for noise-free trajectories: the same pendulum twice (for instance at
    another mass, which does not enter the dynamics). A held-out set with
    twins is not held out: a generator that copies its training set scores
    as well on it as one that generalises.

    Parameters
    ----------
    train : array_like, shape (n_train, T)
        Training trajectories [rad].
    heldout : array_like, shape (n_heldout, T)
        Held-out trajectories [rad], on the same time grid.
    tol : float, default 1e-9
        Largest RMS distance [rad] of a twin, > 0.

    Returns
    -------
    int
        How many rows of ``heldout`` have a twin in ``train``, in
        ``[0, n_heldout]``.

    Raises
    ------
    TypeError
        Non-numeric input.
    ValueError
        Non-finite values, sets of different ``T``, ``tol <= 0``.

    Examples
    --------
    >>> import numpy as np
    >>> from physgen import count_twins
    >>> train = np.array([[0.0, 0.1, 0.2], [1.0, 1.0, 1.0]])
    >>> heldout = np.array([[0.0, 0.1, 0.2], [0.5, 0.5, 0.5]])
    >>> count_twins(train, heldout)
    1
    """
    where = "count_twins"
    X, H = check.sample_sets(where, train=train, heldout=heldout)
    tol = _tolerance(tol, where)
    return int(np.count_nonzero(_nearest_rms(H, X) <= tol))


def unique_trajectories(theta, *, tol=TWIN_TOL) -> np.ndarray:
    """Indices of the trajectories to keep so that no two are twins.

    A row is dropped when it lies within ``tol`` (RMS distance [rad]) of an
    earlier row (:func:`count_twins`), so the first trajectory of each
    pendulum is kept and no two kept rows are twins.

    Parameters
    ----------
    theta : array_like, shape (n, T)
        Trajectories [rad], one per row; noise-free ones (e.g. a
        :class:`TrajectorySet`'s ``clean``), since noise makes twins differ.
    tol : float, default 1e-9
        Largest RMS distance [rad] of a twin, > 0.

    Returns
    -------
    numpy.ndarray of int, shape (n_unique,)
        Ascending row indices, e.g. ``data.subset(unique_trajectories(data.clean))``.

    Raises
    ------
    TypeError
        Non-numeric input.
    ValueError
        Non-finite values, ``tol <= 0``.

    Examples
    --------
    >>> from physgen import GENERATOR_GRID, make_trajectory_set, unique_trajectories
    >>> nominal = make_trajectory_set(GENERATOR_GRID, jitter=0.0, stride=50, rng=0)
    >>> len(nominal), len(unique_trajectories(nominal.clean))   # 4 masses, one pendulum
    (400, 100)
    """
    where = "unique_trajectories"
    y = check.samples("theta", theta, where)
    tol = _tolerance(tol, where)
    n, T = y.shape
    keep = np.ones(n, dtype=bool)
    for i in range(0, n, _BLOCK):
        d2 = cdist(y[i : i + _BLOCK], y[: i + _BLOCK], "sqeuclidean")
        rows = np.arange(i, min(i + _BLOCK, n))
        d2[np.arange(d2.shape[1])[None, :] >= rows[:, None]] = np.inf  # earlier rows only
        keep[rows] = np.sqrt(d2.min(axis=1) / T) > tol
    return np.flatnonzero(keep)


@dataclass(frozen=True, eq=False)
class PendulumSplit:
    """Train / validation / held-out parts with no pendulum in two of them.

    The result of :func:`split_by_pendulum`; unpacks as
    ``train, validation, heldout = split``.

    Attributes
    ----------
    train, validation, heldout : numpy.ndarray or TrajectorySet
        The parts, of the type split: arrays of shape ``(n_part, T)`` [rad]
        or :class:`TrajectorySet` (``validation`` may be empty).
    index : tuple of three numpy.ndarray of int
        Row indices of the train, validation and held-out parts into the data
        split (ascending), e.g. to select the pendulums' lengths.
    min_distance : float
        The proof: the smallest RMS distance [rad] between a validation or
        held-out trajectory and a trajectory of an earlier part (training, or
        for held-out, training and validation); above ``tol``.
    tol : float
        The twin tolerance [rad] the split was checked with.
    """

    train: np.ndarray | TrajectorySet
    validation: np.ndarray | TrajectorySet
    heldout: np.ndarray | TrajectorySet
    index: tuple[np.ndarray, np.ndarray, np.ndarray]
    min_distance: float
    tol: float

    def __iter__(self):
        return iter((self.train, self.validation, self.heldout))

    def __repr__(self) -> str:
        sizes = ", ".join(str(len(i)) for i in self.index)
        return f"PendulumSplit(sizes=({sizes}), min_distance={self.min_distance:.3g} rad)"


def _part_counts(fractions, n: int, where: str) -> np.ndarray:
    """Trajectories per part (train, validation, held-out), by largest remainder."""
    fix = "pass three shares (train, validation, held-out), e.g. fractions=(0.7, 0.15, 0.15)."
    fr = check.array(fractions, "fractions", where, shape=(3,), nonnegative=True, fix=fix)
    if not np.isclose(fr.sum(), 1.0, rtol=0.0, atol=1e-9) or fr[0] <= 0 or fr[2] <= 0:
        raise ValueError(
            f"{where}: fractions={fractions!r} must be three shares, each >= 0, training and "
            f"held-out > 0, summing to 1; {fix}"
        )
    exact = fr * n
    counts = np.floor(exact).astype(int)
    # Largest remainder; ties go to the earlier part (training first).
    for k in np.argsort(-(exact - counts), kind="stable")[: n - counts.sum()]:
        counts[k] += 1
    if counts[0] == 0 or counts[2] == 0:
        raise ValueError(
            f"{where}: {n} trajectories give {tuple(int(c) for c in counts)} per part with "
            f"fractions={fractions!r}; training and held-out need at least one each: pass "
            "more trajectories or larger shares."
        )
    return counts


def split_by_pendulum(
    data, *, fractions=(0.7, 0.15, 0.15), rng=None, tol=TWIN_TOL
) -> PendulumSplit:
    r"""Split whole trajectories into train / validation / held-out, and prove no pendulum is shared.

    The trajectories are shuffled and cut into three parts, then checked: no
    validation trajectory may lie within ``tol`` (RMS distance [rad]) of a
    training one, and no held-out trajectory within ``tol`` of a training or
    validation one (:func:`count_twins`). The check runs on noise-free
    trajectories: on the array given, or on a :class:`TrajectorySet`'s
    ``clean`` angles (one pendulum observed twice differs by its noise, not by
    its pendulum). Data with twins raise rather than leak: a memorisation
    check, for one, measures nothing on a held-out set whose pendulums the
    generator was trained on.

    The check sees exact repeats only: a pendulum repeated with a small
    change (the original data's jitter of its initial state and ``g``) is
    a near-twin, farther than ``tol``; :func:`count_twins` with a larger
    ``tol`` counts those.

    Parameters
    ----------
    data : array_like, shape (n, T), or TrajectorySet
        Trajectories [rad], one per row (noise-free, one per pendulum, e.g.
        from :class:`physgen.PriorGenerator`), or a :class:`TrajectorySet`.
    fractions : (float, float, float), default (0.7, 0.15, 0.15)
        Shares of trajectories for training, validation and held-out; each
        >= 0, summing to 1, training and held-out > 0. Counts are rounded by
        largest remainder (1000 trajectories give 700 / 150 / 150).
    rng : None, int or numpy.random.Generator, optional
        Source of randomness of the shuffle.
    tol : float, default 1e-9
        Largest RMS distance [rad] of a twin, > 0.

    Returns
    -------
    PendulumSplit
        ``train``, ``validation``, ``heldout`` (arrays or TrajectorySets, each
        in the original order), their row ``index``, and ``min_distance``
        [rad], the smallest distance between parts.

    Raises
    ------
    TypeError
        ``data`` neither an array of numbers nor a TrajectorySet.
    ValueError
        Non-finite values, bad ``fractions`` or too few trajectories,
        ``tol <= 0``, and twins across parts (the message names the fix:
        keep one trajectory per pendulum with :func:`unique_trajectories`).

    Examples
    --------
    >>> import numpy as np
    >>> from physgen import PendulumPrior, PriorGenerator, split_by_pendulum
    >>> theta = PriorGenerator(PendulumPrior(), np.linspace(0.0, 5.0, 50)).sample(200, rng=0)
    >>> split = split_by_pendulum(theta, rng=1)
    >>> [part.shape for part in split]
    [(140, 50), (30, 50), (30, 50)]
    >>> split.min_distance > 1e-3
    True
    """
    where = "split_by_pendulum"
    if isinstance(data, TrajectorySet):
        y = np.asarray(data.clean)
    else:
        y = check.samples("data", data, where)
    n = y.shape[0]
    counts = _part_counts(fractions, n, where)
    tol = _tolerance(tol, where)
    perm = np.random.default_rng(rng).permutation(n)
    index = tuple(np.sort(p) for p in np.split(perm, np.cumsum(counts)[:-1]))
    train_i, val_i, held_i = index
    d_val = _nearest_rms(y[val_i], y[train_i])
    d_held = _nearest_rms(y[held_i], y[np.concatenate([train_i, val_i])])
    distances = np.concatenate([d_val, d_held])
    twins = int(np.count_nonzero(distances <= tol))
    if twins:
        what = (
            "data.subset(physgen.unique_trajectories(data.clean))"
            if isinstance(data, TrajectorySet)
            else "theta[physgen.unique_trajectories(theta)]"
        )
        raise ValueError(
            f"{where}: {twins} validation or held-out trajectories lie within tol={tol!r} rad "
            f"RMS of a trajectory in an earlier part ({int(np.count_nonzero(d_held <= tol))} "
            "of them held out): the data hold one pendulum more than once (e.g. at another "
            f"mass, which does not enter the dynamics); keep one trajectory per pendulum "
            f"first: {what}."
        )
    parts: tuple[np.ndarray | TrajectorySet, ...]
    if isinstance(data, TrajectorySet):
        parts = tuple(data.subset(i) for i in index)
    else:
        parts = tuple(check.readonly(y[i]) for i in index)
    return PendulumSplit(
        train=parts[0],
        validation=parts[1],
        heldout=parts[2],
        index=(check.readonly(train_i), check.readonly(val_i), check.readonly(held_i)),
        min_distance=float(distances.min()) if distances.size else float("inf"),
        tol=tol,
    )


#: Chapter 1's prior over pendulums, and the prior of Part 2's clean main line: lengths
#: 0.5-2 m, g from the Moon's 1.62 to the Earth's 9.81 m/s^2, starting angles within
#: +-1.5 rad and starting velocities within +-3 rad/s.
CLEAN_PRIOR = PendulumPrior(
    length=(0.5, 2.0), g=(1.62, 9.81), theta0=(-1.5, 1.5), omega0=(-3.0, 3.0)
)
#: The clean main line's 100 times [s], 0.05 s apart (0 to 4.95 s).
CLEAN_TIMES = np.arange(100) * 0.05
#: The clean main line's seed (the pendulums drawn, and the split's shuffle).
CLEAN_SEED = 20240605


@dataclass(frozen=True, repr=False)
class CleanLine:
    """Part 2's clean main line: exact pendulums, one trajectory each, split by pendulum.

    The result of :func:`clean_line`. ``train``, ``validation`` and ``heldout`` are the
    parts' angles [rad], shape ``(n_part, T)``; ``parameters(part)`` gives each part's
    pendulums (length [m], g [m/s^2], theta0 [rad], omega0 [rad/s]).

    Attributes
    ----------
    pendulums : physgen.Trajectory
        All ``n`` pendulums, batch shape ``(n,)``: ``theta`` of shape ``(n, T)`` [rad],
        ``theta0``, ``omega0``, ``length``, ``g`` of shape ``(n,)``.
    split : PendulumSplit
        The split by pendulum (its ``min_distance`` is the proof of no twins).
    t : numpy.ndarray, shape (T,)
        Times [s].
    prior : PendulumPrior
        The prior the pendulums were drawn from.
    seed : int
        The seed of the draws and of the split.
    """

    pendulums: object
    split: PendulumSplit
    t: np.ndarray
    prior: PendulumPrior
    seed: int

    @property
    def train(self) -> np.ndarray:
        return np.asarray(self.split.train)

    @property
    def index(self) -> tuple:
        """Row indices of the train, validation and held-out parts into ``pendulums``."""
        return self.split.index

    @property
    def validation(self) -> np.ndarray:
        return np.asarray(self.split.validation)

    @property
    def heldout(self) -> np.ndarray:
        return np.asarray(self.split.heldout)

    def parameters(self, part: str) -> dict:
        """The pendulums of one part: ``{"length", "g", "theta0", "omega0"}``, each ``(n_part,)``.

        ``part`` is ``"train"``, ``"validation"`` or ``"heldout"``.
        """
        parts = ("train", "validation", "heldout")
        if part not in parts:
            raise ValueError(
                f"CleanLine.parameters: part={part!r} is not one of {parts}; pass e.g. "
                "part='train'."
            )
        i = self.split.index[parts.index(part)]
        p = self.pendulums
        return {k: np.asarray(getattr(p, k))[i] for k in ("length", "g", "theta0", "omega0")}

    def __repr__(self) -> str:
        sizes = " / ".join(str(len(i)) for i in self.split.index)
        return (
            f"CleanLine({len(self.t)} times over {self.t[-1] - self.t[0]:.3g} s, "
            f"{sizes} pendulums (train / validation / held out), seed {self.seed})"
        )


def clean_line(n: int = 2000, *, seed: int = CLEAN_SEED, prior=CLEAN_PRIOR, t=None) -> CleanLine:
    r"""Part 2's clean main line: the data every learned generator of Part 2 trains on.

    ``n`` pendulums drawn from ``prior`` (by default chapter 1's, :data:`CLEAN_PRIOR`)
    and solved exactly (:func:`physgen.generate`) on the times ``t`` (by default
    :data:`CLEAN_TIMES`): one trajectory per pendulum, no mass (it does not enter the
    dynamics), no noise. Split 70 / 15 / 15 by pendulum with :func:`split_by_pendulum`,
    which raises if a held-out trajectory is within 1e-9 rad RMS of a training one.
    One definition, so that the VAE, the GANs, the flow and the closing comparison all
    judge like with like.

    Parameters
    ----------
    n : int, default 2000
        Number of pendulums, >= 20.
    seed : int, keyword-only, default :data:`CLEAN_SEED`
        Seed of the pendulums drawn and of the split's shuffle (both use it: the same
        ``seed`` always gives the same line).
    prior : PendulumPrior, keyword-only
    t : array_like, shape (T,), keyword-only, optional
        Times [s]; default :data:`CLEAN_TIMES`.

    Returns
    -------
    CleanLine

    Examples
    --------
    >>> from physgen import clean_line, count_twins
    >>> line = clean_line(200)
    >>> line.train.shape, line.heldout.shape
    ((140, 100), (30, 100))
    >>> count_twins(line.train, line.heldout)
    0
    """
    where = "clean_line"
    n = check.integer(n, "n", where, minimum=20, fix="pass at least 20 pendulums, e.g. n=2000.")
    seed = check.integer(seed, "seed", where, fix="pass an int, e.g. seed=20240605.")
    times = CLEAN_TIMES if t is None else t
    pendulums = generate(prior, n, times, rng=seed)
    split = split_by_pendulum(pendulums.theta, rng=seed)
    return CleanLine(pendulums, split, np.array(times, dtype=float), prior, seed)
