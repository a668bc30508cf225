r"""Errors of predicted angles against the clean truth.

Chapter 2 scores a regressor against the *clean* angle :math:`\theta(t)`
[rad] of trajectories it has not seen, never against the noisy observations
it was trained on. Every metric here takes ``y_true`` (the truth) and
``y_pred`` (the prediction), of the same shape, and returns

- one pooled number (default),
- one number per row of a 2-D ``(n_trajectories, T)`` array (``axis=-1``),
- or one number per trajectory of flat per-row arrays (``by=trajectory_id``;
  the groups come out in the order of ``numpy.unique(by)``).

.. math::

    \mathrm{RMSE} = \sqrt{\tfrac{1}{N}\textstyle\sum_i (\hat y_i - y_i)^2},
    \qquad
    \mathrm{MAE} = \tfrac{1}{N}\textstyle\sum_i |\hat y_i - y_i|,
    \qquad
    R^2 = 1 - \frac{\sum_i (\hat y_i - y_i)^2}{\sum_i (y_i - \bar y)^2}.

RMSE and MAE have the unit of the angles (rad). :func:`r2` is unitless and
kept only to compare with the figures the original essay reported; it
rewards explaining variance, not being close to the truth, so the course
does not use it to choose models.

Examples
--------
>>> import numpy as np

>>> from physgen import rmse, mae
>>> truth = np.array([[0.0, 0.0], [1.0, 1.0]])
>>> pred = np.array([[0.0, 0.0], [1.0, 3.0]])
>>> float(rmse(truth, pred)), float(mae(truth, pred))
(1.0, 0.5)
>>> rmse(truth, pred, axis=-1)
array([0.        , 1.41421356])
>>> rmse(truth.ravel(), pred.ravel(), by=[7, 7, 3, 3])  # groups 3 then 7
array([1.41421356, 0.        ])
"""

from __future__ import annotations

import numpy as np

from physgen import _validation as check

__all__ = ["rmse", "mae", "mse", "r2"]


def _prepare(y_true, y_pred, where: str):
    fix = "pass finite angles [rad] such as dataset.truth or model predictions."
    a = check.array(y_true, "y_true", where, fix=fix)
    b = check.array(y_pred, "y_pred", where, fix=fix)
    check.same_shape(
        a, b, ("y_true", "y_pred"), where, fix="e.g. both (n_trajectories, T) or both (R,)."
    )
    return a, b


def _reduce(values: np.ndarray, *, axis, by, where: str):
    """Mean of per-element values: pooled, along ``axis``, or per group ``by``."""
    if by is not None and axis is not None:
        raise ValueError(f"{where}: pass either axis or by, not both (got axis={axis!r}).")
    if by is None:
        out = np.mean(values, axis=axis)
        return float(out) if np.ndim(out) == 0 else out
    groups = np.asarray(by)
    if values.ndim != 1 or groups.shape != values.shape:
        raise ValueError(
            f"{where}: by must label each value of 1-D arrays, got by of shape {groups.shape} "
            f"for values of shape {values.shape}; pass per-row arrays and "
            "by=dataset.trajectory_id."
        )
    labels, inverse = np.unique(groups, return_inverse=True)
    sums = np.bincount(inverse, weights=values, minlength=labels.size)
    counts = np.bincount(inverse, minlength=labels.size)
    return sums / counts


def _squared(error: np.ndarray) -> np.ndarray:
    return error**2


def _mean_error(loss, y_true, y_pred, *, axis, by, where: str):
    """The mean of ``loss(y_pred - y_true)``, reduced as ``axis`` or ``by`` say."""
    a, b = _prepare(y_true, y_pred, where)
    return _reduce(loss(b - a), axis=axis, by=by, where=where)


def mse(y_true, y_pred, *, axis=None, by=None):
    """Mean squared error [rad^2].

    Parameters
    ----------
    y_true, y_pred : array_like, same shape
        True and predicted angles [rad]; finite, non-empty.
    axis : int, optional
        Average along this axis only (e.g. ``-1`` for one value per
        trajectory of a ``(n, T)`` array). Default: pool everything.
    by : array_like, shape (R,), optional
        Group labels of 1-D inputs (e.g. ``dataset.trajectory_id``); one
        value per label, in the order of ``numpy.unique(by)``.

    Returns
    -------
    float or numpy.ndarray
    """
    return _mean_error(_squared, y_true, y_pred, axis=axis, by=by, where="mse")


def rmse(y_true, y_pred, *, axis=None, by=None):
    """Root-mean-square error [rad]: the square root of :func:`mse`.

    Parameters
    ----------
    y_true, y_pred, axis, by
        As in :func:`mse` (``axis=-1`` or ``by=dataset.trajectory_id``: per trajectory).

    Returns
    -------
    float or numpy.ndarray
        Pooled RMSE, or one RMSE per trajectory (group).
    """
    out = _mean_error(_squared, y_true, y_pred, axis=axis, by=by, where="rmse")
    return float(np.sqrt(out)) if isinstance(out, float) else np.sqrt(out)


def mae(y_true, y_pred, *, axis=None, by=None):
    """Mean absolute error [rad]: unlike :func:`rmse`, every error counts in proportion.

    Parameters
    ----------
    y_true, y_pred, axis, by
        As in :func:`mse`.

    Returns
    -------
    float or numpy.ndarray
        Pooled MAE, or one MAE per trajectory (group).
    """
    return _mean_error(np.abs, y_true, y_pred, axis=axis, by=by, where="mae")


def r2(y_true, y_pred):
    """Coefficient of determination :math:`R^2` (pooled, unitless).

    Only for comparing with the original essay's reported figures; it is
    1 for a perfect prediction, 0 for predicting the mean of ``y_true``,
    and can be negative.

    Parameters
    ----------
    y_true, y_pred : array_like, same shape
        True and predicted angles [rad]; finite, at least two values, and
        ``y_true`` not constant.

    Returns
    -------
    float

    Examples
    --------
    >>> from physgen import r2
    >>> r2([1.0, 2.0, 3.0], [1.0, 2.0, 4.0])
    0.5
    """
    a, b = _prepare(y_true, y_pred, "r2")
    ss_tot = float(np.sum((a - a.mean()) ** 2))
    if ss_tot == 0.0:
        raise ValueError(
            "r2: y_true is constant, so R^2 is undefined (0/0); use rmse or mae instead."
        )
    return 1.0 - float(np.sum((b - a) ** 2)) / ss_tot
