"""The kernel (MMD) two-sample permutation test: :func:`two_sample_test`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import cdist

from physgen import _validation as check

__all__ = ["TwoSampleTest", "two_sample_test"]


# --------------------------------------------------------------------------
# kernel two-sample test
# --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class TwoSampleTest:
    r"""Result of :func:`two_sample_test`.

    Attributes
    ----------
    statistic : float
        Unbiased estimate of the squared maximum mean discrepancy
        :math:`\mathrm{MMD}^2_u` (can be slightly negative when the sets agree).
    p_value : float
        Permutation p-value, :math:`(1 + \#\{\mathrm{MMD}^2_{\pi} \ge
        \mathrm{MMD}^2_u\}) / (1 + P)`; small means the sets differ.
    bandwidth : float
        Gaussian kernel bandwidth :math:`h` (units of the samples).
    n_permutations : int
        Number of permutations :math:`P`.
    null : ndarray, shape (P,)
        The statistic under each permutation (the null distribution).
    """

    statistic: float
    p_value: float
    bandwidth: float
    n_permutations: int
    null: np.ndarray

    def __repr__(self) -> str:
        return (
            f"TwoSampleTest(statistic={self.statistic:.4g}, p_value={self.p_value:.4g}, "
            f"bandwidth={self.bandwidth:.4g}, n_permutations={self.n_permutations})"
        )


def two_sample_test(x, y, *, n_permutations=500, rng=None, bandwidth=None) -> TwoSampleTest:
    r"""Kernel MMD two-sample permutation test: do ``x`` and ``y`` come from one distribution?

    The statistic is the unbiased squared maximum mean discrepancy
    (Gretton et al. 2012)

    .. math::

        \mathrm{MMD}^2_u = \frac{1}{m(m-1)}\sum_{i\ne j} k(x_i, x_j)
          + \frac{1}{n(n-1)}\sum_{i\ne j} k(y_i, y_j)
          - \frac{2}{mn}\sum_{i,j} k(x_i, y_j),

    with the Gaussian kernel :math:`k(a, b) = \exp(-\lVert a-b\rVert^2 / 2h^2)`
    on Euclidean distances. The bandwidth :math:`h` is, unless given, the
    *median heuristic*: the median distance between distinct samples of the
    pooled set. Its p-value comes from ``n_permutations`` random relabellings
    of the pooled samples (the bandwidth does not depend on the labels, so the
    test is exact: under the null hypothesis the p-value is uniform up to the
    permutation resolution).

    Parameters
    ----------
    x : array_like, shape (m, d) or (m,)
        First set, one sample per row (e.g. trajectories of ``d = T`` angles).
    y : array_like, shape (n, d) or (n,)
        Second set, the same ``d``.
    n_permutations : int, default 500
        Number of permutations (>= 1); the smallest attainable p-value is
        ``1 / (n_permutations + 1)``.
    rng : None, int or numpy.random.Generator, optional
        Source of randomness for the permutations.
    bandwidth : float, optional
        Kernel bandwidth :math:`h` (> 0, units of the samples). Default: the
        median heuristic.

    Returns
    -------
    TwoSampleTest
        ``statistic``, ``p_value``, ``bandwidth``, ``n_permutations``, ``null``.

    Raises
    ------
    ValueError
        Fewer than 2 samples in a set, different ``d``, non-finite values,
        ``n_permutations < 1``, a non-positive bandwidth, or all pooled samples
        equal (no median distance).

    Notes
    -----
    Cost :math:`O(N^2 (d + P))` time and :math:`O(N P)` memory for
    :math:`N = m + n` pooled samples (one kernel matrix, then every
    permutation's statistic from one matrix product).

    Examples
    --------
    >>> import numpy as np
    >>> from physgen import two_sample_test
    >>> rng = np.random.default_rng(0)
    >>> same = two_sample_test(rng.normal(size=(60, 3)), rng.normal(size=(60, 3)), rng=1)
    >>> shifted = two_sample_test(rng.normal(size=(60, 3)), rng.normal(1.0, size=(60, 3)), rng=1)
    >>> same.p_value > 0.05, shifted.p_value < 0.01
    (True, True)
    """
    where = "two_sample_test"
    X, Y = check.sample_sets(where, allow_1d=True, x=x, y=y)
    for name, arr in (("x", X), ("y", Y)):
        if arr.shape[0] < 2:
            raise ValueError(
                f"{where}: {name} needs at least 2 samples, got {arr.shape[0]}; pass more samples."
            )
    P = check.integer(
        n_permutations, "n_permutations", where, minimum=1, fix="pass e.g. n_permutations=500."
    )
    m, n = X.shape[0], Y.shape[0]
    Z = np.vstack([X, Y])
    D2 = cdist(Z, Z, "sqeuclidean")
    h = _bandwidth(bandwidth, D2, where)
    K = np.exp(-D2 / (2.0 * h * h))
    del D2
    N = m + n
    total = K.sum()
    row = K.sum(axis=1)
    diag = np.diag(K).copy()

    def stats(A):
        """MMD^2_u for label columns A (N, P) with 1 marking the x samples."""
        KA = K @ A
        aKa = np.einsum("ip,ip->p", A, KA)
        a1 = A.T @ row  # a^T K 1
        aD = A.T @ diag
        bKb = total - 2.0 * a1 + aKa
        aKb = a1 - aKa
        bD = diag.sum() - aD
        return (aKa - aD) / (m * (m - 1)) + (bKb - bD) / (n * (n - 1)) - 2.0 * aKb / (m * n)

    labels = np.zeros((N, 1))
    labels[:m] = 1.0
    stat = float(stats(labels)[0])
    gen = np.random.default_rng(rng)
    null = np.empty(P)
    chunk = max(1, min(P, 2_000_000 // max(N, 1)))
    base = np.zeros(N)
    base[:m] = 1.0
    for lo in range(0, P, chunk):
        hi = min(P, lo + chunk)
        A = np.stack([base[gen.permutation(N)] for _ in range(hi - lo)], axis=1)
        null[lo:hi] = stats(A)
    # Ties (e.g. identical sets) count as "at least as extreme": a tolerance for round-off.
    tol = 1e-12 * max(1.0, abs(stat))
    p_value = float((1 + np.count_nonzero(null >= stat - tol)) / (1 + P))
    return TwoSampleTest(
        statistic=stat, p_value=p_value, bandwidth=h, n_permutations=P, null=check.readonly(null)
    )


def _bandwidth(bandwidth, D2: np.ndarray, where: str) -> float:
    """The kernel's bandwidth: the one given, or the median distance between the pooled
    samples (``D2``: their squared distances, shape (N, N))."""
    if bandwidth is None:
        iu = np.triu_indices(D2.shape[0], k=1)
        h = float(np.sqrt(np.median(D2[iu])))
        if not h > 0:
            raise ValueError(
                f"{where}: the median distance between pooled samples is 0 "
                "(most samples are identical), so the median-heuristic bandwidth "
                "is undefined; pass bandwidth=... explicitly."
            )
    else:
        h = check.real(
            bandwidth,
            "bandwidth",
            where,
            positive=True,
            fix="pass e.g. bandwidth=1.0, or None for the median heuristic.",
        )
    return h
