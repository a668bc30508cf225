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
"""

from __future__ import annotations

import dataclasses
import numbers
from dataclasses import dataclass

import numpy as np

from physgen import _validation as check
from physgen.datasets import (
    ORIGINAL_GRID,
    ParameterGrid,
    _jitter_grid,
    _OnTimeGrid,
)
from physgen.generator import PendulumParameters
from physgen.noise import NoiseModel
from physgen.pendulum import METHODS, simulate

__all__ = ["GENERATOR_GRID", "GENERATOR_JITTERED", "TrajectorySet", "make_trajectory_set"]

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
    jitter = (
        grid.jitter
        if jitter is None
        else check.real(
            jitter,
            "jitter",
            where,
            nonnegative=True,
            fix="pass a standard deviation such as 0.05 (or 0 for none).",
        )
    )
    noise = (
        grid.noise
        if noise is None
        else check.instance(
            noise, NoiseModel, "noise", where, fix="pass e.g. physgen.GrowingNoise(0.1)."
        )
    )
    method = grid.method if method is None else check.choice(method, "method", where, METHODS)
    gen = np.random.default_rng(rng)
    params = _jitter_grid(grid, GENERATOR_JITTERED, jitter, accumulate_jitter, gen, where)
    full_t = grid.t
    traj = simulate(
        params.theta0, params.omega0, full_t, length=params.length, g=params.g, method=method
    )
    keep = slice(None, None, int(stride))
    t = np.array(full_t[keep])
    clean = np.array(traj.theta[:, keep])
    if method == "exact":
        truth = clean
    else:
        truth = np.array(
            simulate(params.theta0, params.omega0, t, length=params.length, g=params.g).theta
        )
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
