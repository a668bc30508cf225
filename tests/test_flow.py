"""Tests of physgen.nn.flow: what the flow optimises, how its sampler converges, its inputs.

- The training loss is the flow-matching loss computed by hand, in NumPy, from the
  network's initial weights and the step's own random draws (noise, times, batch).
- Euler's and Heun's methods of :func:`integrate_flow` converge with orders 1 and 2 on
  a velocity field whose flow is known exactly.
- One Euler step is exact along straight paths (the interpolant's own velocity).
- The same seed gives the same model and samples; shapes and coordinates are as documented.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from physgen.nn import flow

SMALL = flow.FlowConfig(hidden=(16, 16), n_frequencies=3, batch_size=16, steps=4, nfe=4)


def data(n=48, T=10, seed=0):
    t = np.linspace(0.0, 2.0, T)
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n, 1)) * np.cos(rng.uniform(1, 3, (n, 1)) * t)


# ----------------------------------------------------------------------------- input errors
@pytest.mark.parametrize(
    "changes, error",
    [
        ({"hidden": ()}, ValueError),
        ({"hidden": (8, 0)}, ValueError),
        ({"space": "latent"}, ValueError),
        ({"n_components": 0}, ValueError),
        ({"learning_rate": 0.0}, ValueError),
        ({"schedule": "linear"}, ValueError),
        ({"batch_size": 0}, ValueError),
        ({"steps": 2.5}, TypeError),
        ({"method": "rk4"}, ValueError),
        ({"nfe": 3}, ValueError),
        ({"nfe": 0, "method": "euler"}, ValueError),
        ({"n_frequencies": True}, TypeError),
    ],
)
def test_bad_configuration(changes, error):
    with pytest.raises(error, match="FlowConfig"):
        flow.FlowConfig(**changes)


def test_odd_nfe_is_fine_for_euler():
    assert flow.FlowConfig(method="euler", nfe=3).nfe == 3


def test_bad_integrator_input():
    def v(x, s):
        return x

    with pytest.raises(TypeError, match="velocity"):
        flow.integrate_flow(3.0, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="x0"):
        flow.integrate_flow(v, np.zeros(3))
    with pytest.raises(ValueError, match="method"):
        flow.integrate_flow(v, np.zeros((2, 2)), method="midpoint")
    with pytest.raises(ValueError, match="nfe=5 must be even"):
        flow.integrate_flow(v, np.zeros((2, 2)), method="heun", nfe=5)


def test_bad_coordinates_input():
    x = data()
    with pytest.raises(ValueError, match="n_components=11 exceeds"):
        flow.flow_coordinates(x, space="pca", n_components=11)
    with pytest.raises(ValueError, match="space"):
        flow.flow_coordinates(x, space="fourier")
    with pytest.raises(ValueError, match="shape"):
        flow.flow_coordinates(x).encode(x[:, :5])


@pytest.mark.slow
def test_bad_training_input():
    x = data()
    with pytest.raises(TypeError, match="config"):
        flow.train_flow({"steps": 3}, x)
    with pytest.raises(ValueError, match="trajectories"):
        flow.train_flow(SMALL, x[0])
    with pytest.raises(ValueError, match="fewer than one batch"):
        flow.train_flow(SMALL, x[:8])
    with pytest.raises(ValueError, match="NaN"):
        flow.train_flow(SMALL, np.where(x > 0.9, np.nan, x))
    with pytest.raises(ValueError, match="checkpoints"):
        flow.train_flow(SMALL, x, checkpoints=(5,), judge=lambda f, s: {})
    with pytest.raises(ValueError, match="need a judge"):
        flow.train_flow(SMALL, x, checkpoints=(2,))
    with pytest.raises(ValueError, match="conditions has 3 row"):
        flow.train_flow(SMALL, x, conditions=np.ones(3))
    with pytest.raises(TypeError, match="mapping"):
        flow.train_flow(SMALL, x, checkpoints=(2,), judge=lambda f, s: 1.0)
    model = flow.train_flow(SMALL, x)
    with pytest.raises(ValueError, match="takes 0 condition"):
        model.sample(2, conditions=np.ones(2))
    with pytest.raises(ValueError, match="nfe=3 must be even"):
        model.sample(2, nfe=3)
    with pytest.raises(ValueError, match="n=-1"):
        model.sample(-1)
    conditional = flow.train_flow(SMALL, x, conditions=np.arange(len(x)) / 10)
    with pytest.raises(ValueError, match="takes 1 condition"):
        conditional.sample(2)
    with pytest.raises(ValueError, match="1 column"):
        conditional.sample(2, conditions=np.ones((2, 2)))


# ----------------------------------------------------------------------------- the loss
def numpy_velocity(network, inputs):
    """The velocity MLP in NumPy: dense layers with SiLU, then a linear layer."""
    h = inputs
    dense = [layer for layer in network.layers if layer.get_weights()]
    for i, layer in enumerate(dense):
        w, b = layer.get_weights()
        h = h @ w.astype(float) + b.astype(float)
        if i < len(dense) - 1:
            h = h / (1.0 + np.exp(-h))  # SiLU (swish)
    return h


def hand_loss(network, config, z0, z1, s):
    """(1 / (B d)) sum ((v(x_s, s) - (x1 - x0))^2), with x_s = (1 - s) x0 + s x1, in NumPy."""
    xs = (1.0 - s) * z0 + s * z1
    k = np.pi * np.arange(1, config.n_frequencies + 1)
    embedding = np.concatenate([np.sin(s * k), np.cos(s * k)], axis=1)
    v = numpy_velocity(network, np.concatenate([xs, embedding], axis=1))
    return float(np.mean((v - (z1 - z0)) ** 2))


@pytest.mark.slow
@pytest.mark.parametrize("space", ["raw", "pca"])
def test_training_loss_is_the_flow_matching_loss_by_hand(space):
    """The first step's recorded loss (at the initial weights) equals the hand computation."""
    config = SMALL.replace(space=space, n_components=4, steps=1)
    x, seed = data(), 5
    trained = flow.train_flow(config, x, seed=seed)
    # The same draws as train_flow: one permutation per pass, then the noise and the times.
    rng = np.random.default_rng(seed)
    per_pass = len(x) // config.batch_size
    batch = rng.permutation(len(x))[: per_pass * config.batch_size][: config.batch_size]
    coords = flow.flow_coordinates(x, space=space, n_components=4)
    z0 = rng.standard_normal((config.batch_size, coords.dim)).astype(np.float32)
    s = rng.random((config.batch_size, 1)).astype(np.float32)
    z1 = coords.encode(x[batch]).astype(np.float32)
    flow.seed_tensorflow(seed)  # the initial weights train_flow started from
    fresh = flow.build_velocity(config, coords.dim)
    expected = hand_loss(fresh, config, z0.astype(float), z1.astype(float), s.astype(float))
    np.testing.assert_allclose(trained.history["loss"][0], expected, rtol=1e-5)
    np.testing.assert_allclose(
        flow.flow_matching_loss(fresh, config, z0, z1, s), expected, rtol=1e-5
    )
    # ...and the step changed the weights (the loss at the trained weights differs).
    assert flow.flow_matching_loss(trained.network, config, z0, z1, s) != pytest.approx(
        expected, rel=1e-6
    )


def test_interpolant_and_its_target():
    x0, x1 = np.array([[0.0, 2.0]]), np.array([[4.0, -2.0]])
    xs, target = flow.interpolant(x0, x1, np.array([[0.25]]))
    np.testing.assert_allclose(xs, [[1.0, 1.0]])
    np.testing.assert_allclose(target, [[4.0, -4.0]])


# ----------------------------------------------------------------------------- the sampler
def order(method, nfes):
    """Slope of log error against log NFE for dx/ds = cos(s) x, x(1) = x0 exp(sin 1)."""
    x0 = np.array([[1.0, -0.5]])
    exact = x0 * np.exp(np.sin(1.0))
    errors = [
        np.abs(
            flow.integrate_flow(lambda x, s: np.cos(s) * x, x0, method=method, nfe=n) - exact
        ).max()
        for n in nfes
    ]
    return -np.polyfit(np.log(nfes), np.log(errors), 1)[0]


def test_euler_is_first_order_and_heun_second_order():
    nfes = np.array([8, 16, 32, 64, 128])
    assert order("euler", nfes) == pytest.approx(1.0, abs=0.1)
    assert order("heun", nfes) == pytest.approx(2.0, abs=0.1)


def test_one_euler_step_is_exact_along_straight_paths():
    """For one data point x1 the flow's velocity is (x1 - x) / (1 - s): straight lines."""
    x1 = np.array([0.3, -1.2, 2.0])
    x0 = np.random.default_rng(0).normal(size=(5, 3))
    end, states = flow.integrate_flow(
        lambda x, s: (x1 - x) / (1.0 - s), x0, method="euler", nfe=1, path=True
    )
    np.testing.assert_allclose(end, np.broadcast_to(x1, (5, 3)))
    assert states.shape == (2, 5, 3)
    np.testing.assert_array_equal(states[0], x0)


# ----------------------------------------------------------------------------- coordinates
def test_coordinates():
    x = data()
    raw = flow.flow_coordinates(x)
    np.testing.assert_allclose(raw.reconstruct(x), x, atol=1e-12)
    np.testing.assert_allclose(raw.encode(x).std(axis=0, ddof=1), 1.0)
    pca = flow.flow_coordinates(x, space="pca", n_components=3)
    z = pca.encode(x)
    assert z.shape == (48, 3) and pca.dim == 3
    np.testing.assert_allclose(pca.basis.T @ pca.basis, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(z.std(axis=0, ddof=1), 1.0)  # whitened
    full = flow.flow_coordinates(x, space="pca", n_components=10)
    np.testing.assert_allclose(full.reconstruct(x), x, atol=1e-10)
    # Fewer components leave a larger projection error.
    err = [
        np.abs(flow.flow_coordinates(x, space="pca", n_components=k).reconstruct(x) - x).max()
        for k in (1, 3, 10)
    ]
    assert err[0] > err[1] > err[2]


# ----------------------------------------------------------------------------- the model
@pytest.mark.slow
def test_same_seed_same_model_shapes_and_judging():
    x = data()
    marks, calls = (2, 4), []

    def judge(model, step):
        calls.append((step, model.steps, model.history["loss"].size))
        return {"spread": float(model.sample(8, rng=0).std())}

    a = flow.train_flow(SMALL, x, seed=3, checkpoints=marks, judge=judge)
    b = flow.train_flow(SMALL, x, seed=3)
    c = flow.train_flow(SMALL, x, seed=4)
    np.testing.assert_array_equal(a.history["loss"], b.history["loss"])  # judging changes nothing
    assert not np.array_equal(a.history["loss"], c.history["loss"])
    np.testing.assert_array_equal(a.sample(6, rng=1), b.sample(6, rng=1))
    assert calls == [(2, 2, 2), (4, 4, 4)]
    np.testing.assert_array_equal(a.checkpoint_steps, marks)
    assert a.quality["spread"].shape == (2,) and a.judge_seconds >= 0 and a.seconds > 0
    assert a.steps == 4 and a.n_times == 10 and a.n_conditions == 0
    assert a.n_parameters == (10 + 6) * 16 + 16 + 16 * 16 + 16 + 16 * 10 + 10
    samples, states = a.sample(5, rng=0, method="euler", nfe=3, path=True)
    assert samples.shape == (5, 10) and states.shape == (4, 5, 10)
    np.testing.assert_allclose(a.coordinates.decode(states[-1]), samples)
    assert a.sample(0).shape == (0, 10)
    assert a.velocity(np.zeros((2, 10)), 0.5).shape == (2, 10)
    # Heun with more evaluations lands near Heun with many (the same ODE, converging).
    fine = a.sample(4, rng=2, nfe=200)
    assert (
        np.abs(a.sample(4, rng=2, nfe=100) - fine).max()
        < np.abs(a.sample(4, rng=2, nfe=4) - fine).max()
    )


@pytest.mark.slow
def test_conditional_and_pca_flow():
    x = data()
    lengths = np.linspace(0.5, 2.0, len(x))  # [m]
    model = flow.train_flow(SMALL.replace(space="pca", n_components=4), x, conditions=lengths)
    assert model.n_conditions == 1 and model.coordinates.dim == 4
    short = model.sample(3, rng=0, conditions=np.full(3, 0.5))
    long = model.sample(3, rng=0, conditions=np.full((3, 1), 2.0))
    assert short.shape == long.shape == (3, 10)
    assert not np.allclose(short, long)
    np.testing.assert_allclose(model.condition_mean, [lengths.mean()])


# ----------------------------------------------------------------------------- the page
CHAPTER = Path(__file__).resolve().parents[1] / "book" / "06-flow-matching.md"


def page_cell(tag: str) -> str:
    """Source of the chapter's code cell carrying ``tag``."""
    text = CHAPTER.read_text(encoding="utf-8")
    for match in re.finditer(r"```\{code-cell\} ipython3\n(.*?)```", text, flags=re.S):
        body = match.group(1)
        if re.match(rf":tags: \[[^\]]*\b{re.escape(tag)}\b", body):
            return body.split("\n", 1)[1]
    raise AssertionError(f"no code cell tagged {tag!r} in {CHAPTER.name}")


@pytest.fixture(scope="module")
def page():
    from physgen._tf import seed_tensorflow, tf, tf_keras

    namespace: dict = {
        "np": np,
        "tf": tf,
        "tf_keras": tf_keras,
        "layers": tf_keras.layers,
        "seed_tensorflow": seed_tensorflow,
    }
    exec(compile(page_cell("flow-model"), str(CHAPTER), "exec"), namespace)
    return namespace


@pytest.mark.slow
@pytest.mark.parametrize("conditional", [False, True])
def test_page_and_package_train_identical_flows(page, conditional):
    x = data()
    config = SMALL.replace(space="pca", n_components=4, steps=7)
    coords = flow.flow_coordinates(x, space="pca", n_components=4)
    lengths = np.linspace(0.5, 2.0, len(x))[:, None]  # [m]
    standardised = ((lengths - lengths.mean(0)) / lengths.std(0)).astype(np.float32)
    net, losses = page["train_velocity"](
        coords.encode(x).astype(np.float32),
        7,
        seed=2,
        batch_size=16,
        hidden=(16, 16),
        n_frequencies=3,
        conditions=standardised if conditional else None,
    )
    trained = flow.train_flow(config, x, seed=2, conditions=lengths if conditional else None)
    np.testing.assert_array_equal(losses, trained.history["loss"])
    for a, b in zip(net.get_weights(), trained.network.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_page_samplers_are_the_packages(page):
    x0 = np.random.default_rng(1).normal(size=(4, 3))

    def v(x, s):
        return np.sin(3 * s) * x - 0.5 * x**2

    for name, method in (("euler", "euler"), ("heun", "heun")):
        for nfe in (2, 6, 40):
            np.testing.assert_array_equal(
                page[name](v, x0, nfe), flow.integrate_flow(v, x0, method=method, nfe=nfe)
            )


# ------------------------------------------------------------------- stored and restored flows
def test_restored_flow_samples_like_the_trained_one():
    x = data()
    cond = np.linspace(0.5, 2.0, len(x))
    for conditions in (None, cond):
        trained = flow.train_flow(SMALL.replace(space="pca", n_components=4), x, seed=5,
                                  conditions=conditions)
        restored = flow.restore_flow(trained.config, x, trained.network.get_weights(),
                                     conditions=conditions, seed=5)
        asked = None if conditions is None else np.full(6, 1.2)
        np.testing.assert_allclose(restored.sample(6, rng=1, conditions=asked),
                                   trained.sample(6, rng=1, conditions=asked), atol=1e-6)
    with pytest.raises(ValueError, match="weights of shapes"):
        flow.restore_flow(SMALL, x, trained.network.get_weights())


def test_stored_flows_come_from_the_clean_line_and_rebuild():
    """The pages read benchmarks/flow_clean.py's runs: each fingerprint is that of the
    clean main line and its configuration, and the stored weights give the stored samples."""
    from importlib.resources import files

    import physgen

    line = physgen.clean_line()
    train_i = line.index[0]
    cond = np.column_stack([line.pendulums.length[train_i], line.pendulums.g[train_i]])
    base = flow.FLOW_MATCHING.replace(space="pca", n_components=16, steps=32000)
    configs = {"pca": (base, None), "raw": (base.replace(space="raw"), None),
               "cond": (base, cond)}
    for model, (config, conditions) in configs.items():
        for seed in (20240605, 20240606, 20240607):
            run = physgen.load_stored_run("physgen.nn.flow_results",
                                          f"flow_clean_{model}_{seed}", train=line.train,
                                          config=config, conditions=conditions)
            assert run.samples.shape == (500, 100) and np.isfinite(run.samples).all()
    with np.load(files("physgen.nn.flow_results") / "flow_clean_pca_20240605.npz") as z:
        weights = [z[f"w{i}"] for i in range(sum(k.startswith("w") for k in z.files))]
        stored = z["samples"]
    restored = flow.restore_flow(base, line.train, weights, seed=20240605)
    np.testing.assert_allclose(restored.sample(500, rng=20240605), stored, atol=1e-5)
