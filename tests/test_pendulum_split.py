"""Tests of the split of whole trajectories by pendulum, its twin check, and memorisation on it.

Twins are one pendulum twice: noise-free trajectories within 1e-9 rad RMS of each
other. The original generator notebooks' grid holds every pendulum at four masses,
and mass does not enter the dynamics, so a random split of its trajectories puts
one pendulum on both sides. Draws of chapter 1's prior (continuous parameters) have
none. On a split without twins, the memorisation ratio tells a copier from a
generator that draws new pendulums.
"""

import numpy as np
import pytest

import physgen
from physgen import (
    GENERATOR_GRID,
    PendulumPrior,
    PendulumSplit,
    PriorGenerator,
    TrajectorySet,
    count_twins,
    make_trajectory_set,
    memorisation_ratio,
    split_by_pendulum,
    unique_trajectories,
)

T_GRID = np.linspace(0.0, 5.0, 100)


@pytest.fixture(scope="module")
def prior_generator():
    """Chapter 1's generator: the default prior, exact and noise-free, on 100 times."""
    return PriorGenerator(PendulumPrior(), T_GRID)


@pytest.fixture(scope="module")
def clean_split(prior_generator):
    """1000 exact pendulums split 700 / 150 / 150 by pendulum."""
    return split_by_pendulum(prior_generator.sample(1000, rng=0), rng=1)


@pytest.fixture(scope="module")
def companion():
    """The original notebooks' grid at its nominal values (no jitter), every 5th point."""
    return make_trajectory_set(GENERATOR_GRID, jitter=0.0, stride=5, rng=0)


def test_exported():
    for name in (
        "TWIN_TOL",
        "count_twins",
        "unique_trajectories",
        "PendulumSplit",
        "split_by_pendulum",
    ):
        assert name in physgen.__all__, name


# ---------------------------------------------------------------- twins
def test_count_twins_counts_held_out_rows_with_a_copy():
    rng = np.random.default_rng(0)
    train = rng.normal(size=(50, 20))
    heldout = np.vstack([train[[3, 7, 7]], rng.normal(size=(5, 20))])
    assert count_twins(train, heldout) == 3
    assert count_twins(train, heldout[3:]) == 0
    # RMS distance: a shift of 2e-9 at every time is no twin at 1e-9, one at 1e-8
    shifted = train[:4] + 2e-9
    assert count_twins(train, shifted) == 0
    assert count_twins(train, shifted, tol=1e-8) == 4


def test_companion_data_has_twins_and_the_checked_split_refuses_them(companion):
    """Mass duplicates: the chapters' random split holds out pendulums it trained on."""
    train, heldout = companion.split(heldout_fraction=0.25, rng=0)
    twins = count_twins(train.clean, heldout.clean)
    # a held-out pendulum is safe only if its three other masses are held out too
    assert twins > 0.8 * len(heldout)
    with pytest.raises(ValueError, match=r"unique_trajectories\(data\.clean\)"):
        split_by_pendulum(companion, rng=0)


def test_one_trajectory_per_pendulum_removes_the_twins(companion):
    keep = unique_trajectories(companion.clean)
    assert keep.size == 100  # 400 trajectories: 100 pendulums at 4 masses
    assert np.all(companion.params.mass[keep] == 1.0)  # the first of each, the lightest
    unique = companion.subset(keep)
    split = split_by_pendulum(unique, fractions=(0.6, 0.2, 0.2), rng=0)
    train, validation, heldout = split
    assert isinstance(heldout, TrajectorySet) and len(heldout) == 20
    assert count_twins(train.clean, heldout.clean) == 0
    assert count_twins(train.clean, validation.clean) == 0
    assert split.min_distance > split.tol


def test_prior_generator_data_has_no_twins(clean_split):
    train, validation, heldout = clean_split
    assert isinstance(clean_split, PendulumSplit)
    assert [part.shape for part in clean_split] == [(700, 100), (150, 100), (150, 100)]
    assert count_twins(train, heldout) == 0 and count_twins(train, validation) == 0
    assert clean_split.min_distance > 1e-3  # continuous parameters: far from 1e-9
    index = np.concatenate(clean_split.index)
    assert np.array_equal(np.sort(index), np.arange(1000))


def test_split_of_arrays_refuses_a_duplicated_pendulum(prior_generator):
    theta = prior_generator.sample(40, rng=0)
    doubled = np.vstack([theta, theta])
    with pytest.raises(ValueError, match=r"theta\[physgen\.unique_trajectories\(theta\)\]"):
        split_by_pendulum(doubled, fractions=(0.5, 0.0, 0.5), rng=0)
    assert np.array_equal(unique_trajectories(doubled), np.arange(40))


def test_split_bad_input_names_the_argument_and_the_fix(prior_generator):
    theta = prior_generator.sample(10, rng=0)
    with pytest.raises(ValueError, match=r"fractions=.*summing to 1"):
        split_by_pendulum(theta, fractions=(0.5, 0.2, 0.2))
    with pytest.raises(ValueError, match=r"held-out > 0"):
        split_by_pendulum(theta, fractions=(0.8, 0.2, 0.0))
    with pytest.raises(ValueError, match=r"training and held-out need at least one"):
        split_by_pendulum(theta[:2], fractions=(0.9, 0.05, 0.05))
    with pytest.raises(ValueError, match=r"tol=0\.0 must be > 0"):
        split_by_pendulum(theta, tol=0.0)
    with pytest.raises(TypeError, match=r"data must be an array of samples"):
        split_by_pendulum("theta")
    with pytest.raises(ValueError, match=r"same number of values per sample"):
        count_twins(theta, theta[:, :50])


# ---------------------------------------------------------------- memorisation
def test_memorisation_on_the_clean_split(prior_generator, clean_split):
    """A copier scores <= 0.1; new draws of the true generator score in [0.8, 1.25]."""
    train, _, heldout = clean_split
    copier = train[:500]
    assert memorisation_ratio(train, copier, heldout) <= 0.1
    fresh = prior_generator.sample(500, rng=2)
    assert 0.8 <= memorisation_ratio(train, fresh, heldout) <= 1.25


def test_clean_line_is_exact_pendulums_of_chapter_1_split_with_no_twins():
    line = physgen.clean_line(300)
    assert [len(i) for i in line.split.index] == [210, 45, 45]
    assert physgen.count_twins(line.train, line.heldout) == 0
    # Each trajectory is the exact pendulum of its own parameters, and inside the prior.
    p = line.parameters("heldout")
    exact = physgen.simulate(p["theta0"], p["omega0"], line.t, length=p["length"], g=p["g"])
    np.testing.assert_allclose(line.heldout, exact.theta, atol=1e-12)
    assert p["length"].min() >= 0.5 and p["length"].max() <= 2.0
    assert p["g"].min() >= 1.62 and p["g"].max() <= 9.81
    np.testing.assert_allclose(np.diff(line.t), 0.05)
    # One seed, one line; another seed, other pendulums.
    np.testing.assert_array_equal(physgen.clean_line(300).train, line.train)
    assert not np.allclose(physgen.clean_line(300, seed=1).train[:5], line.train[:5])


def test_clean_line_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="n="):
        physgen.clean_line(5)
    with pytest.raises(TypeError, match="seed="):
        physgen.clean_line(100, seed=np.random.default_rng(0))
    with pytest.raises(ValueError, match="part="):
        physgen.clean_line(100).parameters("test")
