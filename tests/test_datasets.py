"""Tests of physgen.datasets: the tabular datasets and their splits."""

import dataclasses

import numpy as np
import pytest

import physgen
from physgen import (
    FEATURES,
    ORIGINAL_GRID,
    ConstantNoise,
    Dataset,
    GrowingNoise,
    NoNoise,
    ParameterGrid,
    PendulumPrior,
    make_dataset,
    simulate,
    split_by_row,
    split_by_trajectory,
)


@pytest.fixture(scope="module")
def original():
    return make_dataset(ORIGINAL_GRID, rng=2024)


def test_exported():
    for name in ("FEATURES", "ParameterGrid", "ORIGINAL_GRID", "Dataset", "DatasetSplit",
                 "RowSplit", "make_dataset", "split_by_trajectory", "split_by_row"):
        assert name in physgen.__all__
    assert FEATURES == ("theta0", "omega0", "t", "m", "g", "l")


def test_original_grid_preset():
    g = ORIGINAL_GRID
    assert g.theta0 == g.omega0 == (0.5, 0.75, 1.0, 1.25, 1.5)
    assert g.mass == g.length == (1.0, 2.0)
    assert (g.g, g.dt, g.n_steps, g.jitter) == (10.0, 0.01, 500, 0.05)
    assert g.noise == GrowingNoise(0.1)
    assert g.method == "euler_cromer"
    assert g.n_trajectories == 100
    np.testing.assert_allclose(g.t, np.arange(500) * 0.01)


def test_shapes_and_row_order(original):
    ds = original
    assert isinstance(ds, Dataset)
    assert ds.features.shape == (50_000, 6) and ds.features.dtype == np.float64
    for name in ("target", "clean", "truth", "trajectory_id"):
        assert getattr(ds, name).shape == (50_000,)
    assert ds.n_trajectories == 100 and ds.n_times == 500 and ds.n_rows == 50_000
    np.testing.assert_array_equal(ds.trajectory_id, np.repeat(np.arange(100), 500))
    np.testing.assert_array_equal(ds.ids, np.arange(100))
    # trajectory-major: the t column cycles through the grid
    np.testing.assert_array_equal(ds.features[:, 2], np.tile(ds.t, 100))
    # per-trajectory columns are constant within a trajectory and equal params
    cols = {"theta0": 0, "omega0": 1, "mass": 3, "g": 4, "length": 5}
    for name, j in cols.items():
        per_traj = ds.as_trajectories(ds.features[:, j])
        np.testing.assert_array_equal(per_traj, np.repeat(getattr(ds.params, name)[:, None],
                                                          500, axis=1))
    assert ds.method == "euler_cromer" and ds.noise == GrowingNoise(0.1)


def test_loop_order_without_jitter():
    ds = make_dataset(ORIGINAL_GRID, jitter=0.0, noise=NoNoise(), rng=0)
    first = ds.as_trajectories(ds.features)[:, 0, :]
    # theta0 outermost, then omega0, then m, then l innermost
    np.testing.assert_array_equal(first[:5, [0, 1, 3, 5]],
                                  [[0.5, 0.5, 1, 1], [0.5, 0.5, 1, 2], [0.5, 0.5, 2, 1],
                                   [0.5, 0.5, 2, 2], [0.5, 0.75, 1, 1]])
    np.testing.assert_array_equal(first[20, [0, 1, 3, 5]], [0.75, 0.5, 1, 1])
    np.testing.assert_array_equal(first[:, 4], 10.0)
    np.testing.assert_array_equal(ds.target, ds.clean)


def _original_loop_parameters(grid, seed):
    """The original's parameter loop, written out: jitter added in place to loop variables."""
    rng = np.random.default_rng(seed)
    out = []
    g = grid.g
    for theta0 in grid.theta0:
        for omega0 in grid.omega0:
            for m in grid.mass:
                for length in grid.length:
                    theta0 += grid.jitter * rng.standard_normal()
                    omega0 += grid.jitter * rng.standard_normal()
                    m += grid.jitter * rng.standard_normal()
                    g += grid.jitter * rng.standard_normal()
                    length += grid.jitter * rng.standard_normal()
                    out.append((theta0, omega0, m, g, length))
    return np.array(out)


def test_accumulating_jitter_reproduces_the_original_loop():
    ds = make_dataset(ORIGINAL_GRID, accumulate_jitter=True, rng=77)
    ref = _original_loop_parameters(ORIGINAL_GRID, 77)
    p = ds.params
    got = np.column_stack([p.theta0, p.omega0, p.mass, p.g, p.length])
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-12)


def test_accumulate_flag_gives_a_random_walk_default_does_not():
    nominal = ORIGINAL_GRID.parameters()
    n_seeds = 400
    walk = np.array([ORIGINAL_GRID.sample_parameters(accumulate_jitter=True, rng=s).g
                     for s in range(n_seeds)]) - nominal.g
    indep = np.array([ORIGINAL_GRID.sample_parameters(rng=s).g
                      for s in range(n_seeds)]) - nominal.g
    var_walk, var_indep = walk.var(axis=0), indep.var(axis=0)
    sd2 = 0.05**2
    # random walk: variance grows like k * sd^2 along the grid order
    assert var_walk[0] == pytest.approx(sd2, rel=0.25)
    assert var_walk[99] == pytest.approx(100 * sd2, rel=0.25)
    slope = np.polyfit(np.arange(1, 101), var_walk, 1)[0]
    assert slope == pytest.approx(sd2, rel=0.25)
    # independent jitter: flat variance
    assert np.all(np.abs(var_indep / sd2 - 1) < 0.3)
    assert abs(np.polyfit(np.arange(1, 101), var_indep, 1)[0]) < 0.05 * sd2
    # theta0 accumulates over the 20 trajectories that share a loop value, then resets
    th = np.array([ORIGINAL_GRID.sample_parameters(accumulate_jitter=True, rng=s).theta0
                   for s in range(n_seeds)]) - nominal.theta0
    v = th.var(axis=0)
    assert v[19] == pytest.approx(20 * sd2, rel=0.25)
    assert v[20] == pytest.approx(sd2, rel=0.3)
    # length is reset every trajectory: no accumulation
    ln = np.array([ORIGINAL_GRID.sample_parameters(accumulate_jitter=True, rng=s).length
                   for s in range(n_seeds)]) - nominal.length
    assert ln.var(axis=0)[99] == pytest.approx(sd2, rel=0.3)


def test_clean_and_truth():
    ds = make_dataset(ORIGINAL_GRID, rng=5)
    p = ds.params
    ec = simulate(p.theta0, p.omega0, ds.t, length=p.length, g=p.g, method="euler_cromer")
    ex = simulate(p.theta0, p.omega0, ds.t, length=p.length, g=p.g, method="exact")
    np.testing.assert_array_equal(ds.as_trajectories(ds.clean), ec.theta)
    np.testing.assert_array_equal(ds.as_trajectories(ds.truth), ex.theta)
    # Euler-Cromer targets differ from the truth (one-step label shift + integration error)
    assert np.abs(ds.clean - ds.truth).max() > 1e-3
    exact_ds = make_dataset(ORIGINAL_GRID, method="exact", rng=5)
    assert exact_ds.truth is exact_ds.clean
    np.testing.assert_array_equal(exact_ds.clean, ds.truth)


def test_mass_is_recorded_but_does_not_change_theta():
    light = dataclasses.replace(ORIGINAL_GRID, mass=(1.0, 2.0))
    heavy = dataclasses.replace(ORIGINAL_GRID, mass=(30.0, 70.0))
    a = make_dataset(light, rng=11)
    b = make_dataset(heavy, rng=11)
    assert not np.allclose(a.features[:, 3], b.features[:, 3])
    assert b.features[:, 3].min() > 29
    np.testing.assert_array_equal(a.clean, b.clean)
    np.testing.assert_array_equal(a.target, b.target)
    cols = [0, 1, 2, 4, 5]
    np.testing.assert_array_equal(a.features[:, cols], b.features[:, cols])


def test_noise_matches_the_model(original):
    ds = original
    resid = ds.as_trajectories(ds.target - ds.clean)  # (100, 500)
    std = GrowingNoise(0.1).std(ds.t)
    np.testing.assert_array_equal(resid[:, 0], 0.0)  # sigma(0) = 0
    z = resid[:, 1:] / std[1:]
    assert z.std() == pytest.approx(1.0, abs=0.03)  # 49,900 draws
    assert abs(z.mean()) < 0.03
    # late times noisier than early times, as sigma = 0.1 t says
    assert resid[:, 400:].std() > 3 * resid[:, 50:150].std()
    const = make_dataset(ORIGINAL_GRID, noise=ConstantNoise(0.2), rng=1)
    assert (const.target - const.clean).std() == pytest.approx(0.2, rel=0.03)


def test_same_seed_same_bytes(original):
    again = make_dataset(ORIGINAL_GRID, rng=2024)
    for name in ("features", "target", "clean", "truth", "trajectory_id"):
        assert getattr(original, name).tobytes() == getattr(again, name).tobytes(), name
    other = make_dataset(ORIGINAL_GRID, rng=2025)
    assert other.target.tobytes() != original.target.tobytes()
    assert other.features.tobytes() != original.features.tobytes()
    prior = PendulumPrior()
    t = np.arange(100) * 0.02
    a = make_dataset(prior, n=10, t=t, noise=ConstantNoise(0.1), jitter=0.01, rng=3)
    b = make_dataset(prior, n=10, t=t, noise=ConstantNoise(0.1), jitter=0.01, rng=3)
    assert a.features.tobytes() == b.features.tobytes()
    assert a.target.tobytes() == b.target.tobytes()


def test_from_prior():
    prior = PendulumPrior(length=(1.0, 2.0), mass=(1.0, 2.0))
    t = np.linspace(0.0, 3.0, 31)
    ds = make_dataset(prior, n=12, t=t, rng=0)
    assert ds.features.shape == (12 * 31, 6)
    assert ds.method == "exact" and ds.noise == NoNoise()
    np.testing.assert_array_equal(ds.target, ds.clean)
    assert ds.truth is ds.clean
    p = prior.sample(12, rng=0)
    np.testing.assert_array_equal(ds.params.theta0, p.theta0)
    np.testing.assert_array_equal(ds.params.mass, p.mass)
    ref = simulate(p.theta0, p.omega0, t, length=p.length, g=p.g)
    np.testing.assert_array_equal(ds.as_trajectories(ds.clean), ref.theta)
    # a Euler-Cromer dataset from a prior, on a uniform grid from 0
    ec = make_dataset(prior, n=4, t=np.arange(200) * 0.01, method="euler_cromer",
                      noise=GrowingNoise(0.1), rng=0)
    assert ec.method == "euler_cromer" and ec.truth is not ec.clean


def test_as_trajectories_and_subset(original):
    ds = original
    assert ds.as_trajectories(ds.target).shape == (100, 500)
    assert ds.as_trajectories(ds.features).shape == (100, 500, 6)
    with pytest.raises(ValueError, match="50000 rows"):
        ds.as_trajectories(ds.target[:10])
    sub = ds.subset([7, 3])
    np.testing.assert_array_equal(sub.ids, [7, 3])
    np.testing.assert_array_equal(sub.trajectory_id, np.repeat([7, 3], 500))
    np.testing.assert_array_equal(sub.as_trajectories(sub.target),
                                  ds.as_trajectories(ds.target)[[7, 3]])
    np.testing.assert_array_equal(sub.params.theta0, ds.params.theta0[[7, 3]])
    np.testing.assert_array_equal(sub.as_trajectories(sub.truth),
                                  ds.as_trajectories(ds.truth)[[7, 3]])
    with pytest.raises(ValueError, match="not in this dataset"):
        sub.subset([0])
    with pytest.raises(ValueError, match="repeated"):
        ds.subset([1, 1])
    with pytest.raises(TypeError):
        ds.subset([0.5])


def test_dataset_is_frozen(original):
    with pytest.raises(dataclasses.FrozenInstanceError):
        original.target = None
    with pytest.raises(ValueError):
        original.target[0] = 1.0
    with pytest.raises(ValueError):
        original.features[0, 0] = 1.0


def test_split_by_trajectory(original):
    ds = original
    split = split_by_trajectory(ds, rng=0)
    train, val, test = split
    assert (train.n_trajectories, val.n_trajectories, test.n_trajectories) == (70, 15, 15)
    ids = [set(part.ids.tolist()) for part in split]
    assert not (ids[0] & ids[1]) and not (ids[0] & ids[2]) and not (ids[1] & ids[2])
    assert set.union(*ids) == set(range(100))
    # no trajectory has rows in two parts
    rows = [set(part.trajectory_id.tolist()) for part in split]
    assert not (rows[0] & rows[2]) and not (rows[0] & rows[1])
    # rows are the parent's rows
    for part in split:
        np.testing.assert_array_equal(part.as_trajectories(part.target),
                                      ds.as_trajectories(ds.target)[part.ids])
        assert np.all(np.diff(part.ids) > 0)
    again = split_by_trajectory(ds, rng=0)
    assert again.test.ids.tobytes() == test.ids.tobytes()
    assert split_by_trajectory(ds, rng=1).test.ids.tobytes() != test.ids.tobytes()
    # other fractions, including an empty validation part
    tr, va, te = split_by_trajectory(ds, fractions=(0.8, 0.0, 0.2), rng=0)
    assert (tr.n_trajectories, va.n_trajectories, te.n_trajectories) == (80, 0, 20)
    assert va.features.shape == (0, 6)
    small = ds.subset(np.arange(7))
    counts = [p.n_trajectories for p in split_by_trajectory(small, rng=0)]
    assert sum(counts) == 7 and counts[0] >= 4


@pytest.mark.parametrize("fractions", [(0.7, 0.3), (0.5, 0.3, 0.3), (1.2, -0.1, -0.1),
                                       (0.0, 0.5, 0.5), (0.7, float("nan"), 0.3), "abc"])
def test_bad_fractions(original, fractions):
    # wrong type (a string) -> TypeError; right type, bad values -> ValueError
    with pytest.raises(TypeError if isinstance(fractions, str) else ValueError) as info:
        split_by_trajectory(original, fractions=fractions)
    assert "fractions" in str(info.value) and "0.7, 0.15, 0.15" in str(info.value)


def test_split_by_row_leaks(original):
    ds = original
    split = split_by_row(ds, rng=0)
    assert split.train.size == 37_500 and split.test.size == 12_500
    assert np.intersect1d(split.train, split.test).size == 0
    np.testing.assert_array_equal(np.sort(np.concatenate(list(split))), np.arange(50_000))
    shared = np.intersect1d(ds.trajectory_id[split.train], ds.trajectory_id[split.test])
    assert shared.size == 100  # every test trajectory also sits in the training set
    assert split_by_row(ds, rng=0).test.tobytes() == split.test.tobytes()
    for bad in (0.0, 1.0, -0.25):
        with pytest.raises(ValueError, match="test_fraction"):
            split_by_row(ds, test_fraction=bad)
    for bad in ("0.25", True):
        with pytest.raises(TypeError, match="test_fraction"):
            split_by_row(ds, test_fraction=bad)
    with pytest.raises(TypeError, match="Dataset"):
        split_by_row(ds.features)


def test_bad_make_dataset_arguments():
    prior = PendulumPrior()
    t = np.arange(10) * 0.1
    with pytest.raises(TypeError, match="source"):
        make_dataset("original")
    with pytest.raises(ValueError, match="n is required"):
        make_dataset(prior, t=t)
    with pytest.raises(ValueError, match="t is required"):
        make_dataset(prior, n=3)
    with pytest.raises(ValueError, match="n=5 is not allowed"):
        make_dataset(ORIGINAL_GRID, n=5)
    with pytest.raises(ValueError, match="accumulate_jitter"):
        make_dataset(prior, n=3, t=t, accumulate_jitter=True)
    with pytest.raises(TypeError, match="noise"):
        make_dataset(ORIGINAL_GRID, noise=0.1)
    with pytest.raises(ValueError, match="method='euler' is not one of"):
        make_dataset(ORIGINAL_GRID, method="euler")
    with pytest.raises(ValueError, match="jitter"):
        make_dataset(ORIGINAL_GRID, jitter=-0.05)
    with pytest.raises(ValueError, match="non-positive"):
        make_dataset(ORIGINAL_GRID, jitter=5.0, rng=0)
    with pytest.raises(TypeError, match="accumulate_jitter"):
        make_dataset(ORIGINAL_GRID, accumulate_jitter="yes")


@pytest.mark.parametrize(
    "kwargs, exc, words",
    [
        ({"theta0": ()}, ValueError, ["theta0", "empty"]),
        ({"length": (1.0, -2.0)}, ValueError, ["length", "-2.0", "> 0"]),
        ({"mass": 1.0}, TypeError, ["mass", "sequence"]),
        ({"g": 0.0}, ValueError, ["g", "> 0"]),
        ({"dt": float("nan")}, ValueError, ["dt", "finite"]),
        ({"n_steps": 0}, ValueError, ["n_steps", "0"]),
        ({"jitter": -1.0}, ValueError, ["jitter", ">= 0"]),
        ({"noise": "growing"}, TypeError, ["noise", "GrowingNoise"]),
        ({"method": "rk4"}, ValueError, ["method", "rk4"]),
    ],
)
def test_bad_grid(kwargs, exc, words):
    with pytest.raises(exc) as info:
        dataclasses.replace(ORIGINAL_GRID, **kwargs)
    for word in words:
        assert word in str(info.value)


def test_small_custom_grid():
    grid = ParameterGrid(theta0=(0.2, 2.0), omega0=(0.0,), mass=(1.0,), length=(1.0, 1.5),
                         g=9.81, dt=0.05, n_steps=40)
    ds = make_dataset(grid, rng=0)
    assert ds.n_trajectories == 4 and ds.n_times == 40
    assert ds.method == "exact"
    np.testing.assert_array_equal(ds.target, ds.clean)  # no noise, no jitter by default
    np.testing.assert_array_equal(ds.params.length, [1.0, 1.5, 1.0, 1.5])


def test_column(original):
    np.testing.assert_array_equal(original.column("m"), original.features[:, 3])
    np.testing.assert_array_equal(original.column("t"), np.tile(original.t, 100))
    with pytest.raises(ValueError, match="name='mass' is not one of"):
        original.column("mass")
