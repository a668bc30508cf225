"""Judges from nearest neighbours: precision and recall, and memorisation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import cdist

from physgen import _validation as check

__all__ = ["PrecisionRecall", "precision_recall", "memorisation_ratio"]


# --------------------------------------------------------------------------
# precision and recall, memorisation
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class PrecisionRecall:
    """Result of :func:`precision_recall`.

    Attributes
    ----------
    precision : float
        Share of generated samples inside the real manifold (in [0, 1]).
    recall : float
        Share of real samples inside the generated manifold (in [0, 1]).
    k : int
        The neighbour index that sets each ball's radius.
    """

    precision: float
    recall: float
    k: int


def _kth_neighbour_radius(Z: np.ndarray, k: int) -> np.ndarray:
    D = cdist(Z, Z)
    # column 0 of the sorted rows is the sample itself (distance 0)
    return np.partition(D, k, axis=1)[:, k]


def _coverage(points: np.ndarray, centres: np.ndarray, radii: np.ndarray) -> float:
    D = cdist(points, centres)
    return float(np.mean(np.any(radii[None, :] >= D, axis=1)))


def precision_recall(real, generated, *, k=5) -> PrecisionRecall:
    r"""Improved precision and recall of a generator (Kynkäänniemi et al. 2019).

    Each set defines a *manifold*: the union of balls around its samples, each
    ball's radius the distance to that sample's ``k``-th nearest neighbour in
    its own set. Then

    - **precision** is the share of generated samples that fall inside the
      real manifold (are they realistic?),
    - **recall** is the share of real samples that fall inside the generated
      manifold (is the real variety covered?).

    A generator that collapses onto a few samples keeps a high precision but
    loses recall; one that adds noise loses precision. Distances are
    Euclidean on the rows as given (for trajectories: the angles on the
    common grid, rad).

    Parameters
    ----------
    real : array_like, shape (n_real, d)
        Real samples.
    generated : array_like, shape (n_gen, d)
        Generated samples, the same ``d``.
    k : int, default 5
        Neighbour index for the radii, ``1 <= k < n`` for both sets.

    Returns
    -------
    PrecisionRecall
        ``precision`` and ``recall`` in [0, 1], and ``k``.

    Raises
    ------
    ValueError
        ``k >= n`` for either set, different ``d``, non-finite values.

    Examples
    --------
    >>> import numpy as np
    >>> from physgen import precision_recall
    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(size=(200, 2))
    >>> collapsed = np.repeat(real[:1], 200, axis=0) + 1e-3 * rng.normal(size=(200, 2))
    >>> pr = precision_recall(real, collapsed, k=5)
    >>> pr.precision > 0.9, pr.recall < 0.1
    (True, True)
    """
    where = "precision_recall"
    R, G = check.sample_sets(where, allow_1d=True, real=real, generated=generated)
    k = check.integer(k, "k", where, minimum=1, fix="pass e.g. k=5.")
    for name, arr in (("real", R), ("generated", G)):
        if k >= arr.shape[0]:
            raise ValueError(
                f"{where}: k = {k} must be smaller than the number of {name} "
                f"samples ({arr.shape[0]}): each sample needs k other samples "
                f"to set its radius; pass more samples or k <= "
                f"{max(arr.shape[0] - 1, 1)}."
            )
    r_real = _kth_neighbour_radius(R, k)
    r_gen = _kth_neighbour_radius(G, k)
    return PrecisionRecall(precision=_coverage(G, R, r_real), recall=_coverage(R, G, r_gen), k=k)


def memorisation_ratio(train, generated, heldout) -> float:
    r"""How much closer generated samples are to the training set than new real samples.

    .. math::

        \rho = \frac{\operatorname{median}_j \min_i \lVert g_j - x_i\rVert}
                    {\operatorname{median}_j \min_i \lVert h_j - x_i\rVert},

    with :math:`x_i` the training samples, :math:`g_j` the generated ones and
    :math:`h_j` real samples held out from training. A generator that
    generalises produces samples as far from its training set as new real
    data are (:math:`\rho \approx 1`); one that copies its training set gives
    :math:`\rho \approx 0`.

    Parameters
    ----------
    train : array_like, shape (n_train, d)
        The generator's training samples.
    generated : array_like, shape (n_gen, d)
        Generated samples.
    heldout : array_like, shape (n_heldout, d)
        Real samples not used for training.

    Returns
    -------
    float
        The ratio :math:`\rho \ge 0` (dimensionless).

    Raises
    ------
    ValueError
        Different ``d``, non-finite values, or held-out samples that all
        coincide with training samples (zero denominator).

    Examples
    --------
    >>> import numpy as np
    >>> from physgen import memorisation_ratio
    >>> rng = np.random.default_rng(0)
    >>> train, heldout = rng.normal(size=(300, 4)), rng.normal(size=(100, 4))
    >>> round(memorisation_ratio(train, train[:100], heldout), 3)
    0.0
    >>> 0.8 < memorisation_ratio(train, rng.normal(size=(100, 4)), heldout) < 1.25
    True
    """
    where = "memorisation_ratio"
    X, G, H = check.sample_sets(
        where, allow_1d=True, train=train, generated=generated, heldout=heldout
    )
    num = float(np.median(cdist(G, X).min(axis=1)))
    den = float(np.median(cdist(H, X).min(axis=1)))
    if not den > 0:
        raise ValueError(
            f"{where}: the held-out samples' median distance to the training set "
            "is 0 (they are copies of training samples); hold out samples that "
            "were not used for training."
        )
    return num / den
