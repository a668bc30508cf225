"""Tests of physgen.noise: the observation-noise models."""

import dataclasses

import numpy as np
import pytest

import physgen
from physgen import ConstantNoise, GrowingNoise, NoiseModel, NoNoise

T = np.linspace(0.0, 5.0, 51)


def test_exported():
    for name in ("NoiseModel", "NoNoise", "ConstantNoise", "GrowingNoise"):
        assert name in physgen.__all__


@pytest.mark.parametrize(
    "model, expected",
    [
        (NoNoise(), np.zeros_like(T)),
        (ConstantNoise(0.2), np.full_like(T, 0.2)),
        (GrowingNoise(0.1), 0.1 * T),
    ],
)
def test_std_values(model, expected):
    assert isinstance(model, NoiseModel)
    np.testing.assert_allclose(model.std(T), expected, rtol=0, atol=1e-15)


def test_original_noise_reaches_half_radian_at_five_seconds():
    assert GrowingNoise(0.1).std(5.0) == pytest.approx(0.5)
    assert GrowingNoise(0.1).std(0.0) == 0.0


def test_std_broadcasts_to_t():
    t2 = np.tile(T, (3, 1))
    for model in (NoNoise(), ConstantNoise(0.1), GrowingNoise(0.1)):
        assert model.std(t2).shape == (3, T.size)
        assert model.std(1.0).shape == ()


@pytest.mark.parametrize("model", [ConstantNoise(0.3), GrowingNoise(0.1)])
def test_sample_std_matches_model(model):
    # 4000 independent draws per time point: the empirical std is within ~2.2 % (1 sigma)
    # of the truth; allow 8 %.
    clean = np.tile(np.sin(T), (4000, 1))
    noisy = model.sample(clean, T, rng=12345)
    resid = noisy - clean
    expected = model.std(T)
    emp = resid.std(axis=0)
    mask = expected > 0
    np.testing.assert_allclose(emp[mask], expected[mask], rtol=0.08)
    # mean ~ 0 (standard error expected / sqrt(4000))
    assert np.all(np.abs(resid.mean(axis=0)[mask]) < 5 * expected[mask] / np.sqrt(4000))
    # Gaussian: about 68.3 % of standardised residuals within one sigma
    z = resid[:, mask] / expected[mask]
    assert abs(np.mean(np.abs(z) < 1) - 0.6827) < 0.01
    # no noise where sigma = 0 (t = 0 for GrowingNoise)
    np.testing.assert_array_equal(resid[:, ~mask], 0.0)


def test_sample_rowwise_layout():
    # (R,) angles with (R,) times, the tabular layout of the datasets
    t = np.repeat(T, 200)
    clean = np.zeros_like(t)
    noisy = GrowingNoise(0.2).sample(clean, t, rng=0)
    assert noisy.shape == t.shape
    late = t == 5.0
    assert noisy[late].std() == pytest.approx(1.0, rel=0.2)
    np.testing.assert_array_equal(noisy[t == 0.0], 0.0)


def test_nonoise_is_an_exact_copy():
    clean = np.sin(T)
    out = NoNoise().sample(clean, T, rng=0)
    np.testing.assert_array_equal(out, clean)
    assert out is not clean
    out[0] = 99.0
    assert clean[0] == 0.0


def test_sample_does_not_modify_input():
    clean = np.sin(T)
    before = clean.copy()
    ConstantNoise(1.0).sample(clean, T, rng=0)
    np.testing.assert_array_equal(clean, before)


def test_same_seed_same_bytes_and_generator_advances():
    clean = np.zeros((5, T.size))
    a = GrowingNoise(0.1).sample(clean, T, rng=7)
    b = GrowingNoise(0.1).sample(clean, T, rng=7)
    assert a.tobytes() == b.tobytes()
    c = GrowingNoise(0.1).sample(clean, T, rng=8)
    assert a.tobytes() != c.tobytes()
    gen = np.random.default_rng(7)
    first = GrowingNoise(0.1).sample(clean, T, rng=gen)
    second = GrowingNoise(0.1).sample(clean, T, rng=gen)
    assert first.tobytes() == a.tobytes()
    assert second.tobytes() != first.tobytes()


def test_frozen_and_repr():
    noise = GrowingNoise(0.1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        noise.rate = 0.2
    assert repr(noise) == "GrowingNoise(rate=0.1)"
    assert repr(ConstantNoise(0.05)) == "ConstantNoise(sigma=0.05)"
    assert repr(NoNoise()) == "NoNoise()"
    assert "0.1" in str(noise)
    assert GrowingNoise(0.1) == GrowingNoise(0.1)
    assert GrowingNoise(1) == GrowingNoise(1.0)


@pytest.mark.parametrize(
    "make, exc, words",
    [
        (lambda: ConstantNoise(-0.1), ValueError, ["sigma", "-0.1", ">= 0"]),
        (lambda: ConstantNoise(float("nan")), ValueError, ["sigma", "nan"]),
        (lambda: GrowingNoise(float("inf")), ValueError, ["rate", "inf"]),
        (lambda: GrowingNoise("0.1"), TypeError, ["rate", "'0.1'"]),
        (lambda: ConstantNoise(True), TypeError, ["sigma", "True"]),
        (lambda: ConstantNoise(None), TypeError, ["sigma", "None"]),
    ],
)
def test_bad_parameters(make, exc, words):
    with pytest.raises(exc) as info:
        make()
    for word in words:
        assert word in str(info.value)


def test_bad_times_and_shapes():
    with pytest.raises(ValueError, match="t must be >= 0"):
        GrowingNoise(0.1).std([-1.0, 0.0])
    with pytest.raises(ValueError, match="finite"):
        ConstantNoise(0.1).std([0.0, np.nan])
    with pytest.raises(ValueError, match="does not broadcast"):
        ConstantNoise(0.1).sample(np.zeros((3, 4)), np.zeros(5), rng=0)
    with pytest.raises(ValueError, match="theta_clean"):
        ConstantNoise(0.1).sample(np.array([0.0, np.nan]), np.zeros(2), rng=0)
