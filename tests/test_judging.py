"""Tests of physgen.judging (judges of generated pendulums) and physgen.trajectory_sets.

Every judge is checked on cases whose answer is known: exact and noisy pendulums,
signals no pendulum makes, two sets from one distribution, collapsed, noisy and
copying generators.
"""

import dataclasses

import numpy as np
import pytest
from scipy import stats

import physgen
from physgen import (
    GENERATOR_GRID,
    PendulumFit,
    PendulumPrior,
    compare_physics,
    fit_pendulum,
    generate,
    judge_generator,
    make_trajectory_set,
    memorisation_ratio,
    precision_recall,
    simulate,
    two_sample_test,
)

T_GRID = np.linspace(0.0, 5.0, 100)


@pytest.fixture(scope="module")
def pendulums():
    """300 exact pendulums of the default prior, with their parameters."""
    prior = PendulumPrior(length=(0.5, 2.0), theta0=(-1.5, 1.5), omega0=(-1.0, 1.0))
    p = prior.sample(300, rng=11)
    traj = simulate(p.theta0, p.omega0, T_GRID, length=p.length, g=9.81)
    return p, traj.theta


def test_exported():
    for name in ("PendulumFit", "fit_pendulum", "TwoSampleTest", "two_sample_test",
                 "PrecisionRecall", "precision_recall", "memorisation_ratio",
                 "PhysicsComparison", "compare_physics", "GeneratorReport", "judge_generator",
                 "GENERATOR_GRID", "TrajectorySet", "make_trajectory_set"):
        assert name in physgen.__all__, name


# ---------------------------------------------------------------- fit_pendulum
def test_fit_flags_signals_no_pendulum_makes():
    """White noise, a constant and a decay are flagged; no length leaves the search unflagged."""
    rng = np.random.default_rng(0)
    signals = {
        "white noise": rng.normal(0.0, 0.3, size=(4, T_GRID.size)),
        "constant": np.full((1, T_GRID.size), 0.3),
        "rest": np.zeros((1, T_GRID.size)),
        "damped decay": 0.5 * np.exp(-T_GRID)[None, :],
    }
    y = np.vstack(list(signals.values()))
    fit = fit_pendulum(y, T_GRID)
    assert fit.converged.shape == fit.at_bound.shape == (len(y),)
    assert fit.n_failed == len(y) and fit.failed.all()
    assert not fit.converged[:4].any()  # noise: no fit explains it
    assert fit.at_bound[4] and fit.at_bound[6]  # constant and decay: the length runs off
    lo, hi = fit.length_bounds
    assert np.all((fit.length >= lo * (1 - 1e-12)) & (fit.length <= hi * (1 + 1e-12)))
    # a length at the edge of the search is never returned unflagged
    edge = np.isclose(fit.length, lo, rtol=1e-5) | np.isclose(fit.length, hi, rtol=1e-5)
    assert np.all(fit.at_bound[edge])
    # a pendulum with noise of its own size still converges
    one = simulate(0.3, 0.0, T_GRID, length=1.0).theta + rng.normal(0, 0.1, T_GRID.size)
    assert fit_pendulum(one, T_GRID).n_failed == 0


@pytest.mark.parametrize("T", [40, 100])
def test_fit_converged_criterion_is_calibrated_on_white_noise(T):
    """The "explains the signal" test is Fisher's at level 0.01: about 1 % of noise passes it."""
    t = np.linspace(0.0, 5.0, T)
    noise = np.random.default_rng(1).normal(0.0, 0.3, size=(400, T))
    share = fit_pendulum(noise, t).converged.mean()
    assert share <= 0.03  # binomial(400, 0.01): P(share > 0.03) < 1e-3


def test_fit_exact_trajectories_recovers_parameters(pendulums):
    p, theta = pendulums
    fit = fit_pendulum(theta, T_GRID, g=9.81)
    assert isinstance(fit, PendulumFit) and len(fit) == 300
    for name in ("theta0", "omega0", "length", "residual_rms"):
        assert getattr(fit, name).shape == (300,)
    np.testing.assert_allclose(fit.length, p.length, rtol=1e-3)
    np.testing.assert_allclose(fit.theta0, p.theta0, atol=1e-6)
    np.testing.assert_allclose(fit.omega0, p.omega0, atol=1e-6)
    assert fit.residual_rms.max() < 1e-8
    assert fit.converged.all() and not fit.at_bound.any() and fit.n_failed == 0
    # the fitted pendulums reproduce the data
    np.testing.assert_allclose(fit.trajectories(T_GRID), theta, atol=1e-7)


def test_fit_result_is_frozen_and_readonly(pendulums):
    fit = fit_pendulum(pendulums[1][:3], T_GRID)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fit.g = 1.0
    with pytest.raises(ValueError):
        fit.length[0] = 1.0


def test_fit_length_scales_with_g(pendulums):
    # Only sqrt(g / l) is identifiable: fitting with another g rescales the length.
    p, theta = pendulums
    fit = fit_pendulum(theta[:20], T_GRID, g=3.0)
    np.testing.assert_allclose(fit.length, p.length[:20] * 3.0 / 9.81, rtol=1e-6)


def test_fit_noisy_residual_is_the_noise_level(pendulums):
    p, theta = pendulums
    sigma = 0.1
    rng = np.random.default_rng(5)
    noisy = theta + sigma * rng.standard_normal(theta.shape)
    fit = fit_pendulum(noisy, T_GRID)
    T = T_GRID.size
    # least squares with 3 parameters: E[rms^2] = sigma^2 (T - 3) / T
    assert np.median(fit.residual_rms) == pytest.approx(sigma * np.sqrt((T - 3) / T), rel=0.03)
    # the global minimum: never worse than the true parameters
    truth_rms = np.sqrt(np.mean((noisy - theta) ** 2, axis=1))
    assert np.all(fit.residual_rms <= truth_rms * (1 + 1e-6))
    assert np.median(np.abs(fit.length / p.length - 1)) < 0.02


def test_fit_heteroscedastic_original_data():
    # The original generator data: Euler-Cromer with growing noise. The clean
    # trajectories are pendulums to ~1e-5 rad; the noisy ones leave the noise.
    data = make_trajectory_set(GENERATOR_GRID, stride=5, rng=3)
    clean = fit_pendulum(data.clean, data.t, g=10.0)
    assert clean.residual_rms.max() < 1e-4
    noisy = fit_pendulum(data.theta, data.t, g=10.0)
    rms_noise = np.sqrt(np.mean(data.noise.std(data.t) ** 2))
    assert np.median(noisy.residual_rms) == pytest.approx(rms_noise, rel=0.05)


def test_fit_rejects_signals_no_pendulum_makes():
    t = T_GRID
    damped = np.exp(-0.6 * t) * 1.2 * np.cos(3.0 * t)
    growing = 0.2 * np.exp(0.3 * t) * np.sin(2.5 * t)
    square = 0.8 * np.sign(np.sin(2.0 * t) + 1e-9)
    fit = fit_pendulum(np.stack([damped, growing, square]), t)
    assert np.all(fit.residual_rms > 0.05)


def test_fit_other_time_grids():
    p = PendulumPrior().sample(20, rng=4)
    # starts after 0, and a non-uniform grid
    for t in (np.linspace(0.5, 5.0, 90), np.sort(np.random.default_rng(0).uniform(0, 5, 80))):
        theta = simulate(p.theta0, p.omega0, t, length=p.length, g=9.81).theta
        fit = fit_pendulum(theta, t)
        np.testing.assert_allclose(fit.length, p.length, rtol=1e-6)
        np.testing.assert_allclose(fit.theta0, p.theta0, atol=1e-6)


def test_fit_one_trajectory_and_derived_quantities():
    t = T_GRID
    theta = simulate(1.0, 0.5, t, length=1.3, g=9.81).theta
    fit = fit_pendulum(theta, t)
    assert fit.length.shape == (1,)
    assert fit.period()[0] == pytest.approx(physgen.period(1.0, 0.5, length=1.3), rel=1e-6)
    assert fit.energy()[0] == pytest.approx(
        physgen.energy(1.0, 0.5, length=1.3, g=9.81), rel=1e-6)


# ---------------------------------------------------------------- two-sample test
def test_same_distribution_gives_uniform_p_values():
    rng = np.random.default_rng(0)
    p = np.array([
        two_sample_test(rng.normal(size=(20, 5)), rng.normal(size=(20, 5)),
                        n_permutations=99, rng=rng).p_value
        for _ in range(200)
    ])
    assert stats.kstest(p, "uniform").pvalue > 0.01
    assert 0.01 <= np.mean(p <= 0.05) <= 0.10


def test_different_distributions_are_detected():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(50, 4))
    res = two_sample_test(x, rng.normal(0.7, 1.0, size=(50, 4)), n_permutations=300, rng=2)
    assert res.p_value < 0.01 and res.statistic > 0
    assert res.null.shape == (300,) and res.n_permutations == 300
    # same data: nothing to find
    same = two_sample_test(x, x.copy(), n_permutations=100, rng=3)
    assert same.p_value > 0.5


def test_bandwidth_is_the_median_distance():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(30, 3)), rng.normal(size=(40, 3))
    z = np.vstack([x, y])
    d = np.sqrt(((z[:, None] - z[None]) ** 2).sum(-1))[np.triu_indices(70, 1)]
    res = two_sample_test(x, y, n_permutations=10, rng=0)
    assert res.bandwidth == pytest.approx(np.median(d))
    # the statistic, by hand
    k = lambda a, b: np.exp(-((a[:, None] - b[None]) ** 2).sum(-1) / (2 * res.bandwidth**2))
    kxx, kyy, kxy = k(x, x), k(y, y), k(x, y)
    mmd = ((kxx.sum() - 30) / (30 * 29) + (kyy.sum() - 40) / (40 * 39) - 2 * kxy.mean())
    assert res.statistic == pytest.approx(mmd, rel=1e-10)


def test_two_sample_test_is_reproducible():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(25, 2)), rng.normal(size=(25, 2))
    a = two_sample_test(x, y, rng=7)
    b = two_sample_test(x, y, rng=7)
    assert a.p_value == b.p_value and a.null.tobytes() == b.null.tobytes()


# ---------------------------------------------------------------- precision / recall
def test_precision_recall_collapse_noise_and_match():
    rng = np.random.default_rng(8)
    real = rng.normal(size=(300, 3))
    good = precision_recall(real, rng.normal(size=(300, 3)), k=5)
    assert good.precision > 0.85 and good.recall > 0.85
    collapsed = real[:3][rng.integers(0, 3, 300)] + 0.01 * rng.normal(size=(300, 3))
    c = precision_recall(real, collapsed, k=5)
    assert c.precision > 0.9 and c.recall < 0.2
    # strong noise added to every sample: off the real manifold, but covering it
    noisy = precision_recall(real, rng.normal(size=(300, 3)) + 3.0 * rng.normal(size=(300, 3)),
                             k=5)
    assert noisy.precision < 0.4 and noisy.recall > 0.9
    assert c.k == 5


def test_precision_recall_on_trajectories():
    prior = PendulumPrior(length=(0.5, 2.0), theta0=(-1.5, 1.5), omega0=(-1.0, 1.0))
    real = generate(prior, 500, T_GRID, rng=0).theta
    gen = generate(prior, 500, T_GRID, rng=1).theta
    pr = precision_recall(real, gen, k=5)
    assert pr.precision > 0.9 and pr.recall > 0.9
    # N(0, 0.3^2) rad on every point: the samples leave the manifold of pendulums
    noisy = precision_recall(real, gen + 0.3 * np.random.default_rng(9).standard_normal(gen.shape))
    assert noisy.precision < 0.3 and noisy.recall > 0.9


# ---------------------------------------------------------------- memorisation
def test_memorisation_copies_and_new_samples(pendulums):
    _, theta = pendulums
    train, heldout, fresh = theta[:200], theta[200:250], theta[250:]
    assert memorisation_ratio(train, train[:50], heldout) == 0.0
    near_copies = train[:50] + 1e-3
    assert memorisation_ratio(train, near_copies, heldout) < 0.05
    assert 0.6 < memorisation_ratio(train, fresh, heldout) < 1.6


# ---------------------------------------------------------------- physics-aware
def test_compare_physics_sees_a_shifted_length_prior():
    t = np.linspace(0.0, 5.0, 60)
    real = generate(PendulumPrior(length=(0.5, 2.0)), 150, t, rng=0).theta
    same = generate(PendulumPrior(length=(0.5, 2.0)), 150, t, rng=1).theta
    longer = generate(PendulumPrior(length=(1.2, 2.0)), 150, t, rng=2).theta
    a = compare_physics(real, same, t, n_permutations=200, rng=3)
    b = compare_physics(real, longer, t, n_permutations=200, rng=3, real_fit=a.real_fit)
    assert set(a.tests) == {"theta0", "omega0", "length", "energy", "period", "joint"}
    assert min(a.p_values().values()) > 0.01
    assert b.tests["length"].p_value < 0.01 and b.tests["period"].p_value < 0.01


def test_judge_generator_report(pendulums):
    _, theta = pendulums
    train, heldout, gen = theta[:150], theta[150:225], theta[225:]
    rep = judge_generator(gen, train=train, heldout=heldout, t=T_GRID, n_permutations=100,
                          rng=0)
    assert rep.residual_median < 1e-8 and rep.floor < 1e-8
    assert rep.n_failed == 0 and rep.n_failed_heldout == 0
    assert rep.mmd_p > 0.01 and rep.precision > 0.6 and rep.recall > 0.6
    assert 0.6 < rep.memorisation < 1.6
    s = rep.summary()
    assert {"residual_median", "floor", "mmd_p", "precision", "recall", "memorisation",
            "length_p"} <= set(s)


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("call, words", [
    (lambda th, t: fit_pendulum(th, t[:-1]), ["t", "T = 100"]),
    (lambda th, t: fit_pendulum(th, t[::-1]), ["t", "strictly increasing"]),
    (lambda th, t: fit_pendulum(np.where(th == th[0, 0], np.nan, th), t), ["theta", "non-finite"]),
    (lambda th, t: fit_pendulum(th, t, g=0.0), ["g", "> 0"]),
    (lambda th, t: fit_pendulum(th, t, g=-9.81), ["g", "> 0"]),
    (lambda th, t: fit_pendulum(th[:, :3], t[:3]), ["at least 4"]),
    (lambda th, t: two_sample_test(th, th[:, :50]), ["same number", "x has 100", "y has 50"]),
    (lambda th, t: two_sample_test(th, th[:1]), ["y", "at least 2"]),
    (lambda th, t: two_sample_test(th, th, n_permutations=0), ["n_permutations"]),
    (lambda th, t: precision_recall(th[:5], th, k=5), ["k = 5", "real"]),
    (lambda th, t: precision_recall(th, th[:3], k=5), ["k = 5", "generated"]),
    (lambda th, t: precision_recall(th, th[:, :10]), ["same number"]),
    (lambda th, t: memorisation_ratio(th, th, th[:, 1:]), ["heldout has 99"]),
    (lambda th, t: memorisation_ratio(th, th * np.inf, th), ["generated", "non-finite"]),
    (lambda th, t: memorisation_ratio(th, th, th), ["copies"]),
    (lambda th, t: compare_physics(th, th, t[:50]), ["t has 50"]),
])
def test_bad_input_value_errors(pendulums, call, words):
    theta = pendulums[1][:20]
    with pytest.raises(ValueError) as err:
        call(theta, T_GRID)
    for word in words:
        assert word in str(err.value), (word, str(err.value))


def test_bad_input_type_errors(pendulums):
    theta = pendulums[1][:10]
    with pytest.raises(TypeError, match="g"):
        fit_pendulum(theta, T_GRID, g="9.81")
    with pytest.raises(TypeError, match="k"):
        precision_recall(theta, theta, k=2.5)
    with pytest.raises(TypeError, match="x"):
        two_sample_test("abc", theta)


# ---------------------------------------------------------------- trajectory sets
def test_generator_grid_preset():
    g = GENERATOR_GRID
    assert g.theta0 == g.omega0 == (0.5, 0.75, 1.0, 1.25, 1.5)
    assert g.mass == g.length == (1.0, 1.5, 2.0, 2.5)
    assert (g.g, g.dt, g.n_steps, g.jitter) == (10.0, 0.01, 500, 0.05)
    assert g.noise == physgen.GrowingNoise(0.1) and g.method == "euler_cromer"
    assert g.n_trajectories == 400


def test_original_generator_data_reproduces_the_jitter_bug():
    data = make_trajectory_set(GENERATOR_GRID, rng=0)
    assert data.theta.shape == (400, 500) and len(data) == 400
    nominal = GENERATOR_GRID.parameters()
    p = data.params
    # mass and length are the grid's values, no jitter
    np.testing.assert_array_equal(p.mass, nominal.mass)
    np.testing.assert_array_equal(p.length, nominal.length)
    # g random-walks over all 400 trajectories: its steps are the N(0, 0.05) draws
    steps = np.diff(p.g - 10.0, prepend=0.0)
    assert np.std(steps) == pytest.approx(0.05, rel=0.15)
    # theta0 is reset every 80 trajectories, omega0 every 16
    for name, block in (("theta0", 80), ("omega0", 16)):
        dev = (getattr(p, name) - getattr(nominal, name)).reshape(-1, block)
        walk_steps = np.diff(dev, axis=1, prepend=0.0)
        assert np.std(walk_steps) == pytest.approx(0.05, rel=0.15), name
        # the spread grows along the block like a random walk: sd ~ 0.05 sqrt(j)
        assert np.std(dev[:, -1]) > 3 * np.std(dev[:, 0]) or name == "omega0"
    # the clean angles are the original's Euler-Cromer values
    ec = simulate(p.theta0, p.omega0, GENERATOR_GRID.t, length=p.length, g=p.g,
                  method="euler_cromer").theta
    np.testing.assert_array_equal(data.clean, ec)
    # the noise grows as 0.1 t
    resid = data.theta - data.clean
    assert np.std(resid[:, -1]) == pytest.approx(0.1 * data.t[-1], rel=0.15)
    assert np.all(resid[:, 0] == 0.0)


def test_fixed_jitter_and_coarse_grid():
    fixed = make_trajectory_set(GENERATOR_GRID, accumulate_jitter=False, rng=0)
    dev = fixed.params.g - 10.0
    assert np.std(dev) == pytest.approx(0.05, rel=0.15)
    full = make_trajectory_set(GENERATOR_GRID, rng=1)
    coarse = make_trajectory_set(GENERATOR_GRID, stride=5, rng=1)
    assert coarse.theta.shape == (400, 100)
    np.testing.assert_allclose(coarse.t, np.arange(100) * 0.05)
    np.testing.assert_array_equal(coarse.clean, full.clean[:, ::5])
    exact = make_trajectory_set(GENERATOR_GRID, stride=5, method="exact", rng=1)
    assert exact.truth is exact.clean


def test_split_and_bad_arguments():
    data = make_trajectory_set(GENERATOR_GRID, stride=10, rng=2)
    train, heldout = data.split(heldout_fraction=0.25, rng=0)
    assert len(train) == 300 and len(heldout) == 100
    assert not set(map(bytes, train.theta.view("u1").reshape(300, -1))) & \
        set(map(bytes, heldout.theta.view("u1").reshape(100, -1)))
    with pytest.raises(ValueError, match="stride"):
        make_trajectory_set(GENERATOR_GRID, stride=0)
    with pytest.raises(TypeError, match="accumulate_jitter"):
        make_trajectory_set(GENERATOR_GRID, accumulate_jitter="yes")
    with pytest.raises(ValueError, match="heldout_fraction"):
        data.split(heldout_fraction=1.0)


def test_judge_generator_counts_failed_fits_against_the_generator(pendulums):
    """Failed fits stay in the residual median (a sample no pendulum explains counts
    against the generator) and leave the fitted-parameter comparison."""
    _, theta = pendulums
    train, heldout = theta[:100], theta[100:200]
    noise = np.random.default_rng(2).normal(0.0, 0.3, size=(60, T_GRID.size))
    mixed = np.vstack([theta[200:240], noise])
    rep = judge_generator(mixed, train=train, heldout=heldout, t=T_GRID, n_permutations=50, rng=0)
    # Fisher's test at 1 %: a noise sample passes now and then, a pendulum never fails
    assert 57 <= rep.n_failed <= 60 and rep.n_failed_heldout == 0
    assert rep.floor < 1e-8
    # 60 of 100 samples are noise: the median is a noise sample's residual, near its RMS
    assert 0.1 < rep.residual_median < 0.4
    assert rep.summary()["n_failed"] == rep.n_failed
    assert len(rep.physics.generated["length"]) == 100 - rep.n_failed
    every = judge_generator(noise, train=train, heldout=heldout, t=T_GRID, n_permutations=50,
                            rng=0)
    assert every.n_failed >= 57 and 0.1 < every.residual_median < 0.4


def test_judge_generator_takes_anything_with_sample(pendulums):
    _, theta = pendulums

    class Replay:
        """A generator in the course's protocol: sample(n, *, rng=None, conditions=None)."""

        def sample(self, n, *, rng=None, conditions=None):
            rows = np.random.default_rng(rng).choice(300, size=n, replace=False)
            return dataclasses.make_dataclass("Set", ["theta"])(theta[rows])

    rep = judge_generator(Replay(), train=theta[:100], heldout=theta[100:160], t=T_GRID,
                          n_permutations=50, rng=1)
    assert rep.n_failed == 0 and rep.residual_median < 1e-8
    assert len(rep.physics.generated_fit) == 60
