"""Tests of physgen.metrics against cases computed by hand."""

import math

import numpy as np
import pytest

from physgen import mae, mse, r2, rmse


def test_pooled_hand_values():
    truth = [0.0, 0.0, 0.0, 0.0]
    pred = [1.0, -1.0, 3.0, -3.0]
    # squared errors 1, 1, 9, 9 -> mean 5; absolute errors 1, 1, 3, 3 -> mean 2
    assert mse(truth, pred) == 5.0
    assert rmse(truth, pred) == pytest.approx(math.sqrt(5.0))
    assert mae(truth, pred) == 2.0
    assert isinstance(rmse(truth, pred), float)


def test_perfect_prediction_is_zero_error_and_r2_one():
    y = np.linspace(-1.0, 1.0, 7)
    assert rmse(y, y) == 0.0
    assert mae(y, y) == 0.0
    assert r2(y, y) == 1.0


def test_per_trajectory_along_axis():
    truth = np.zeros((2, 4))
    pred = np.array([[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 2.0]])
    np.testing.assert_allclose(rmse(truth, pred, axis=-1), [1.0, 1.0])
    np.testing.assert_allclose(mae(truth, pred, axis=-1), [1.0, 0.5])
    np.testing.assert_allclose(mse(truth, pred, axis=1), [1.0, 1.0])


def test_per_trajectory_by_label_matches_reshaped_rows():
    rng = np.random.default_rng(0)
    truth = rng.normal(size=(3, 5))
    pred = truth + rng.normal(size=(3, 5))
    ids = np.repeat([10, 11, 12], 5)
    np.testing.assert_allclose(rmse(truth.ravel(), pred.ravel(), by=ids),
                               rmse(truth, pred, axis=-1))
    np.testing.assert_allclose(mae(truth.ravel(), pred.ravel(), by=ids),
                               mae(truth, pred, axis=-1))


def test_by_groups_are_sorted_labels():
    # group 3 has errors (2, 0) -> rmse sqrt(2); group 7 has errors (0, 0)
    out = rmse([0, 0, 0, 0], [0.0, 0.0, 2.0, 0.0], by=[7, 7, 3, 3])
    np.testing.assert_allclose(out, [math.sqrt(2.0), 0.0])


def test_pooled_rmse_is_rms_of_equal_size_per_trajectory_rmse():
    rng = np.random.default_rng(1)
    truth = rng.normal(size=(4, 6))
    pred = truth + rng.normal(size=(4, 6))
    per = rmse(truth, pred, axis=-1)
    assert rmse(truth, pred) == pytest.approx(math.sqrt(np.mean(per**2)))


def test_r2_hand_value_and_mean_predictor():
    # SS_res = 1, SS_tot = 2 -> 0.5
    assert r2([1.0, 2.0, 3.0], [1.0, 2.0, 4.0]) == pytest.approx(0.5)
    y = np.array([1.0, 2.0, 6.0])
    assert r2(y, np.full(3, y.mean())) == pytest.approx(0.0)
    assert r2(y, -y) < 0


@pytest.mark.parametrize("fn", [rmse, mae, mse, r2])
def test_shape_mismatch_is_rejected(fn):
    with pytest.raises(ValueError, match="same shape"):
        fn([1.0, 2.0, 3.0], [1.0, 2.0])


@pytest.mark.parametrize("fn", [rmse, mae, mse, r2])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_is_rejected(fn, bad):
    with pytest.raises(ValueError, match="non-finite"):
        fn([1.0, 2.0, 3.0], [1.0, bad, 3.0])


@pytest.mark.parametrize("fn", [rmse, mae, mse, r2])
def test_empty_is_rejected(fn):
    with pytest.raises(ValueError, match="empty"):
        fn([], [])


def test_non_numeric_is_rejected():
    with pytest.raises(TypeError, match="y_pred"):
        rmse([1.0], ["a"])


def test_r2_constant_truth_is_rejected():
    with pytest.raises(ValueError, match="constant"):
        r2([1.0, 1.0, 1.0], [1.0, 2.0, 3.0])


def test_by_and_axis_together_or_wrong_shape_are_rejected():
    with pytest.raises(ValueError, match="either axis or by"):
        rmse([0.0, 1.0], [0.0, 1.0], axis=0, by=[0, 1])
    with pytest.raises(ValueError, match="by must label"):
        rmse([0.0, 1.0], [0.0, 1.0], by=[0, 1, 2])
