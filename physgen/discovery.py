r"""Equation discovery without derivatives of noisy data: the weak form of the law.

Chapter 7 discovers the pendulum's law :math:`l\,\ddot\theta = \sum_k \xi_k f_k(\theta)`
from noisy angles. Differentiating noisy data twice (:func:`physgen.savgol_derivatives`)
and regressing on noisy angles biases the coefficients: the smoothing flattens
:math:`\ddot\theta`, and a nonlinear term of a noisy angle is not the term of the
true angle (:math:`E[\sin(\theta + \varepsilon)] = e^{-\sigma^2/2}\sin\theta`).
This module removes both biases (numpy/scipy only):

- **Weak form.** Multiply the law by a smooth *test function* :math:`\phi_j(t)` that
  vanishes with its slope at both ends of its support, and integrate by parts
  twice:

  .. math::

      l \int \theta(t)\, \phi_j''(t)\, dt = \sum_k \xi_k \int f_k(\theta(t))\, \phi_j(t)\, dt.

  The left side is *linear* in the observed angle, so the observation noise
  averages out of it: no derivative of noisy data is taken.
- **Unbiased terms.** With Gaussian noise of known standard deviation
  :math:`\sigma(t)`, each library term is replaced by a function of the
  observation whose expectation is the term of the true angle
  (:math:`e^{\sigma^2/2}\sin y`, :math:`y^3 - 3\sigma^2 y`, ...).
- **Weighted least squares with the noise's covariance.** The residuals of the
  test functions of one pendulum are correlated (their supports overlap) and
  their variance grows with :math:`\sigma(t)`; the fit is generalised least
  squares with that covariance, linearised around the current coefficients and
  iterated (Bortz et al.'s WENDy). The covariance depends on the angles; computed
  from the very samples being fitted, the weights correlate with their noise and
  bias the fit, so the even-time samples are fitted with weights from the odd
  ones and vice versa, and the two fits averaged (cross-fitting).
- **Sparse selection by an information criterion.** Every subset of the library
  is fitted; with the noise known, the weighted residual sum of squares
  :math:`\chi^2` is on an absolute scale, and the subset with the smallest
  Bayesian information criterion :math:`\chi^2 + k \log n` is the law.

:func:`weak_law` does all of this for a batch of pendulums sharing one law.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from physgen import _validation as check
from physgen.generator import PendulumPrior, draw_conditioned
from physgen.laws import integrate_verlet
from physgen.noise import NoiseModel, NoNoise

__all__ = ["LAW_TERMS", "WeakLaw", "weak_law", "LawGenerator"]

#: The library of candidate terms of :math:`l\ddot\theta` (chapter 7's names).
LAW_TERMS = ("1", "θ", "θ²", "θ³", "sin θ", "cos θ")


#: The library's terms as functions of the (noise-free) angle [rad].
_TERM_FUNCTIONS = {
    "1": np.ones_like,
    "θ": lambda th: th,
    "θ²": lambda th: th**2,
    "θ³": lambda th: th**3,
    "sin θ": np.sin,
    "cos θ": np.cos,
}


def _terms(y: np.ndarray, s2: np.ndarray, names) -> np.ndarray:
    """Unbiased versions of the terms for y = θ + N(0, s2): shape (K,) + y.shape."""
    out = []
    for name in names:
        if name == "1":
            out.append(np.ones_like(y))
        elif name == "θ":
            out.append(y)
        elif name == "θ²":
            out.append(y**2 - s2)
        elif name == "θ³":
            out.append(y**3 - 3.0 * s2 * y)
        elif name == "sin θ":
            out.append(np.exp(0.5 * s2) * np.sin(y))
        else:  # "cos θ"
            out.append(np.exp(0.5 * s2) * np.cos(y))
    return np.stack(out)


def _slopes(y: np.ndarray, names) -> np.ndarray:
    """d(term)/dθ at y, shape (K,) + y.shape (for the linearised noise covariance)."""
    table = {
        "1": lambda v: np.zeros_like(v),
        "θ": lambda v: np.ones_like(v),
        "θ²": lambda v: 2.0 * v,
        "θ³": lambda v: 3.0 * v**2,
        "sin θ": lambda v: np.cos(v),
        "cos θ": lambda v: -np.sin(v),
    }
    return np.stack([table[name](y) for name in names])


def _test_functions(t: np.ndarray, half_width: float, spacing: float, span=None):
    r"""Bumps :math:`\phi(u) = (1 - u^2)^4`, u = (t - c) / h, and their second derivatives.

    Centres every ``spacing`` seconds, each support inside the data. Returns
    ``(phi, phi2, centres)`` with ``phi``, ``phi2`` of shape (J, T).
    """
    first, last = (t[0], t[-1]) if span is None else span
    lo, hi = first + half_width, last - half_width
    centres = lo + spacing * np.arange(int(np.floor((hi - lo) / spacing + 1e-9)) + 1)
    u = (t[None, :] - centres[:, None]) / half_width
    inside = np.abs(u) < 1.0
    q = np.where(inside, 1.0 - u**2, 0.0)
    p = 4
    phi = q**p
    phi2 = (-2.0 * p * q ** (p - 1) + 4.0 * p * (p - 1) * u**2 * q ** (p - 2)) / half_width**2
    return phi, np.where(inside, phi2, 0.0), centres


@dataclass(frozen=True, eq=False)
class WeakLaw:
    r"""A law :math:`l\ddot\theta = \sum_k \xi_k f_k(\theta)` found by :func:`weak_law`.

    Attributes
    ----------
    terms : tuple of str
        The selected terms (names from :data:`LAW_TERMS`).
    coefficients : ndarray, shape (K,)
        Their coefficients :math:`\xi_k` [m/s^2] (with θ in rad).
    covariance : ndarray, shape (K, K)
        The coefficients' covariance [(m/s^2)^2] from the noise model.
    g : float
        The effective gravitational acceleration [m/s^2]: minus the slope of
        :math:`l\ddot\theta` at θ = 0, ``-(ξ_θ + ξ_sinθ)``; for the law
        :math:`l\ddot\theta = -g\sin\theta` it is g.
    g_std : float
        Its standard error [m/s^2] from the noise model.
    chi2 : float
        Weighted residual sum of squares of the selected law (about ``dof``
        when the law and the noise model are right).
    dof : int
        Degrees of freedom: test functions minus coefficients (both halves).
    criteria : mapping
        Bayesian information criterion :math:`\chi^2 + K \log n` of every
        candidate subset of the library (tuple of names -> float); the law
        is the smallest.
    half_width, spacing : float
        Test functions' half-width and the distance between their centres [s].

    All arrays are read-only.
    """

    terms: tuple[str, ...]
    coefficients: np.ndarray
    covariance: np.ndarray
    g: float
    g_std: float
    chi2: float
    dof: int
    criteria: Mapping[tuple[str, ...], float]
    half_width: float
    spacing: float

    def coefficient(self, term: str) -> float:
        """The coefficient [m/s^2] of ``term`` (0.0 when the term was not selected)."""
        check.choice(term, "term", "WeakLaw.coefficient", LAW_TERMS)
        return float(self.coefficients[self.terms.index(term)]) if term in self.terms else 0.0

    def acceleration(self, theta, length):
        r"""The law's angular acceleration :math:`\ddot\theta = \sum_k \xi_k f_k(\theta) / l` [rad/s^2].

        ``theta`` [rad] and ``length`` [m] broadcast together (no validation:
        called at every integration step).
        """
        th = np.asarray(theta, dtype=float)
        total = sum(
            c * _TERM_FUNCTIONS[name](th)
            for name, c in zip(self.terms, self.coefficients, strict=True)
        )
        return total / np.asarray(length, dtype=float)

    @property
    def is_pendulum(self) -> bool:
        r"""True when the law has exactly the pendulum's form :math:`l\ddot\theta = -g\sin\theta`."""
        return self.terms == ("sin θ",) and float(self.coefficients[0]) < 0.0


def _fit(b, F, moments, n_iter):
    r"""Iterated generalised least squares of b (P, J) on F (P, J, K) for one subset.

    The residual ``b - F xi`` depends on the noise of the fitted angles through
    ``L = lhs - phi * slope``: d(b)/d(y) (P, J, T) minus the test functions
    times the law's slope :math:`\sum_k \xi_k f_k'`, the slopes evaluated on
    *other* angles than the fitted ones (so that the weights do not correlate
    with the fitted noise). Its covariance :math:`L\,\mathrm{diag}(\sigma^2) L^T`
    is quadratic in xi; ``moments = (A0, B, D, extra)`` hold its pieces
    (:func:`_moments`): ``C = A0 - sum_k xi_k (B_k + B_k') + sum_kl xi_k xi_l D_kl
    + extra``. Returns ``(xi, cov, chi2)``.
    """
    A0, B, D, extra = moments
    P, J, K = F.shape
    xi = np.linalg.lstsq(F.reshape(P * J, K), b.reshape(-1), rcond=None)[0]
    for _ in range(n_iter):
        cross = np.einsum("k,kpij->pij", xi, B)
        C = A0 - cross - np.swapaxes(cross, 1, 2) + np.einsum("k,l,klpij->pij", xi, xi, D)
        C = C + extra  # residuals' covariance, (P, J, J)
        C += 1e-12 * np.trace(C, axis1=1, axis2=2)[:, None, None] * np.eye(J) / J
        W = np.linalg.inv(np.linalg.cholesky(C))  # whitening, (P, J, J)
        A = (W @ F).reshape(P * J, K)
        r = (W @ b[..., None]).reshape(-1)
        new = np.linalg.lstsq(A, r, rcond=None)[0]
        done = np.allclose(new, xi, rtol=1e-10, atol=1e-12)
        xi = new
        if done:
            break
    res = r - A @ xi
    cov = np.linalg.pinv(A.T @ A)
    return xi, cov, float(res @ res)


def _moments(lhs, phi, S, s2, extra):
    """The pieces of the residuals' covariance for every term of the library (see :func:`_fit`).

    ``lhs`` (P, J, T), ``phi`` (J, T), slopes ``S`` (K, P, T), noise variances
    ``s2`` (T,): ``A0 = lhs s2 lhs'`` (P, J, J), ``B_k = lhs (s2 S_k) phi'``
    (K, P, J, J), ``D_kl = phi (s2 S_k S_l) phi'`` (K, K, P, J, J).
    """
    A0 = (lhs * s2) @ np.swapaxes(lhs, 1, 2)
    K, P, _ = S.shape
    J = phi.shape[0]
    weighted = S * s2  # (K, P, T)
    B = np.stack([(lhs * weighted[k][:, None, :]) @ phi.T for k in range(K)])
    D = np.empty((K, K, P, J, J))
    for k in range(K):
        for m in range(k, K):
            D[k, m] = (phi[None] * (weighted[k] * S[m])[:, None, :]) @ phi.T
            D[m, k] = D[k, m]
    return A0, B, D, extra


def _half(y, times, ell, s2, names, h, step, start, g_spread):
    """The weak-form system of the samples ``start::2``, weights' slopes from the others."""
    T = times.size
    idx = np.arange(start, T, 2)
    lo, hi = np.clip(idx - 1, 0, T - 1), np.clip(idx + 1, 0, T - 1)
    lo = np.where(lo == idx, hi, lo)  # at an end, the one neighbour twice
    hi = np.where(hi == idx, lo, hi)
    other = 0.5 * (y[:, lo] + y[:, hi])  # independent of the fitted samples' noise
    t2, y2, v2 = times[idx], y[:, idx], s2[idx]
    d = 2.0 * (times[-1] - times[0]) / (T - 1)
    phi, phi2, _ = _test_functions(t2, h, step, span=(times[0], times[-1]))
    lhs = ell[:, None, None] * phi2[None] * d  # d b / d y, (P, J, T/2)
    b = np.einsum("pjt,pt->pj", lhs, y2)
    G = np.einsum("kpt,jt->pjk", _terms(y2, v2, names), phi) * d  # (P, J, K)
    # A pendulum whose g differs from the common one by dg leaves the residual
    # -dg * (its sin θ column): covariance g_spread^2 u u', u from the other half.
    u = np.sin(other) @ phi.T * d  # (P, J)
    extra = g_spread**2 * u[:, :, None] * u[:, None, :]
    return b, G, _moments(lhs, phi * d, _slopes(other, names), v2, extra)


def _fit_subsets(halves, n_names, select, n_iter, n):
    """Fit every non-empty subset of the library (or the whole library) on both halves.

    Returns {subset (tuple of indices): (xi, cov, chi2, bic)}; the two halves'
    estimates are averaged (their noise is independent, so covariances add / 4).
    """
    subsets = (
        [c for k in range(1, n_names + 1) for c in itertools.combinations(range(n_names), k)]
        if select
        else [tuple(range(n_names))]
    )
    fits = {}
    for sub in subsets:
        idx = list(sub)
        parts = [
            _fit(b, G[..., idx], (A0, B[idx], D[np.ix_(idx, idx)], extra), n_iter)
            for b, G, (A0, B, D, extra) in halves
        ]
        xi = 0.5 * (parts[0][0] + parts[1][0])
        cov = 0.25 * (parts[0][1] + parts[1][1])
        chi2 = parts[0][2] + parts[1][2]
        fits[sub] = (xi, cov, chi2, chi2 + len(sub) * np.log(n))
    return fits


def _weak_inputs(
    theta, t, length, noise_std, library, select, half_width, spacing, n_iter, g_spread
):
    """Validate :func:`weak_law`'s arguments; returns them as arrays and numbers.

    Long because: one check per argument, each with its own message and fix.
    """
    where = "weak_law"
    times = check.array(t, "t", where, ndim=1, unit="s", fix="pass e.g. t=np.arange(500) * 0.01.")
    check.increasing(times, "t", where, fix="sort the times and drop repeated ones.")
    if times.size < 3:
        raise ValueError(
            f"{where}: t must have at least 3 times, got {times.size}; pass a longer series."
        )
    dt = (times[-1] - times[0]) / (times.size - 1)
    if not np.allclose(np.diff(times), dt, rtol=1e-6, atol=0.0):
        raise ValueError(
            f"{where}: t must be uniform (one fixed step); resample onto t0 + dt * np.arange(n)."
        )
    y = check.array(
        theta,
        "theta",
        where,
        ndim=(1, 2),
        unit="rad",
        fix="pass angles of shape (pendulums, times), without NaN/inf.",
    )
    y = np.atleast_2d(y)
    if y.shape[-1] != times.size:
        raise ValueError(
            f"{where}: theta must have the time axis last, of length len(t) = {times.size}, "
            f"got shape {y.shape}; pass theta of shape (pendulums, {times.size})."
        )
    P = y.shape[0]
    ell = check.scalar_or_each(
        length,
        "length",
        where,
        size=P,
        each="pendulum",
        positive=True,
        unit="m",
        fix="pass each pendulum's length, e.g. length=1.0.",
    )
    sd = check.scalar_or_each(
        noise_std,
        "noise_std",
        where,
        size=times.size,
        each="time",
        nonnegative=True,
        unit="rad",
        fix="pass the noise's standard deviation, e.g. noise.std(t).",
    )
    if not np.any(sd > 0):
        raise ValueError(
            f"{where}: noise_std must be > 0 at some time (it sets the weights), got all "
            "zeros; for noise-free data pass a small value, e.g. noise_std=1e-6."
        )
    names = check.sequence(library, "library", where, fix=f"pass names from {LAW_TERMS}.")
    for name in names:
        check.choice(name, "library term", where, LAW_TERMS)
    if len(set(names)) != len(names):
        raise ValueError(f"{where}: library={names!r} repeats a term; list each term once.")
    select = check.boolean(select, "select", where)
    h = check.real(
        half_width, "half_width", where, positive=True, unit="s", fix="pass e.g. half_width=0.5."
    )
    if 2.0 * h > times[-1] - times[0] or h < 8.0 * dt:
        raise ValueError(
            f"{where}: half_width={h!r} s must be at least 8 steps ({8 * dt:g} s) and at most "
            f"half the series ({0.5 * (times[-1] - times[0]):g} s); pass e.g. half_width=0.5."
        )
    step = (
        0.5 * h
        if spacing is None
        else check.real(
            spacing, "spacing", where, positive=True, unit="s", fix="pass e.g. spacing=0.25."
        )
    )
    n_iter = check.integer(n_iter, "n_iter", where, minimum=1, fix="pass e.g. n_iter=5.")
    g_spread = check.real(
        g_spread,
        "g_spread",
        where,
        nonnegative=True,
        unit="m/s^2",
        fix="pass the standard deviation of the pendulums' g, e.g. 0.05, or 0.",
    )

    return times, y, ell, sd, names, select, h, step, n_iter, g_spread


def weak_law(
    theta,
    t,
    *,
    length,
    noise_std,
    library=LAW_TERMS,
    select=True,
    g_spread=0.0,
    half_width=0.5,
    spacing=None,
    n_iter=5,
):
    r"""Discover the law :math:`l\ddot\theta = \sum_k \xi_k f_k(\theta)` from noisy angles.

    One law for all pendulums (each with its known length :math:`l_p`), fitted in
    weak form: for each pendulum and each test function :math:`\phi_j` (a bump
    :math:`(1 - u^2)^4`, :math:`u = (t - c_j)/h`, centred every ``spacing``
    seconds),

    .. math::

        l_p \sum_i y_{p,i}\, \phi_j''(t_i)\, \Delta t
          = \sum_k \xi_k \sum_i \tilde f_k(y_{p,i}; \sigma_i)\, \phi_j(t_i)\, \Delta t,

    where :math:`\tilde f_k(y; \sigma)` is the unbiased version of the term for
    :math:`y = \theta + N(0, \sigma^2)`: :math:`1`, :math:`y`, :math:`y^2 - \sigma^2`,
    :math:`y^3 - 3\sigma^2 y`, :math:`e^{\sigma^2/2}\sin y`, :math:`e^{\sigma^2/2}\cos y`.
    The coefficients are the generalised least-squares solution with the residuals'
    covariance from the noise (linearised around the current coefficients,
    ``n_iter`` times). That covariance depends on the law's slope at the angle;
    evaluated at the very angles being fitted, the weights would correlate with
    the noise and bias the fit (by about -0.15 % in g on chapter 7's data). So
    the samples are split into even and odd times: each half is fitted with
    weights evaluated on the other half's angles (the mean of its two
    neighbours), and the two estimates are averaged (cross-fitting). With
    ``select=True`` every non-empty subset of ``library`` is fitted and the one
    with the smallest :math:`\chi^2 + K\log n` (n test functions in all, both
    halves) is returned.

    Parameters
    ----------
    theta : array_like, shape (P, T) or (T,)
        Observed angles [rad], one row per pendulum, on the time grid ``t``.
    t : array_like, shape (T,)
        Times [s]: finite, strictly increasing and uniform.
    length : float or array_like, shape (P,)
        Each pendulum's known length [m], > 0.
    noise_std : float or array_like, shape (T,)
        Standard deviation of the Gaussian observation noise at each time [rad],
        >= 0 and > 0 somewhere (e.g. ``noise.std(t)`` of a
        :class:`physgen.GrowingNoise`).
    library : sequence of str, default LAW_TERMS
        Candidate terms, a subset of :data:`LAW_TERMS`.
    select : bool, default True
        Choose the subset of ``library`` with the smallest information criterion;
        False fits every term of ``library``.
    g_spread : float, default 0.0
        Standard deviation [m/s^2] of the pendulums' own g around the common
        one, when each pendulum has its own (chapter 7's data jitter g by 0.05).
        It enters the residuals' covariance, so that the selection does not
        take that spread for a missing term. Then ``g`` estimates a weighted
        mean of the pendulums' g.
    half_width : float, default 0.5
        Test functions' half-width h [s]; ``2 * half_width`` must fit in the data.
        On chapter 7's data (dt = 0.01 s, 5 s, noise 0.1 t) 0.5 s gave the
        smallest spread of g over noise draws (about half that of 0.25 s or 1 s;
        ``benchmarks/sindy_g.py``).
    spacing : float, optional
        Distance between test-function centres [s], default ``half_width / 2``.
    n_iter : int, default 5
        Re-weighting iterations of the generalised least squares (>= 1).

    Returns
    -------
    WeakLaw

    Raises
    ------
    ValueError
        Non-finite data, a bad time grid, shapes that do not match, a non-positive
        length, negative or all-zero noise, an unknown or repeated term, or test
        functions that do not fit in the data.
    TypeError
        Non-numeric arguments or a non-boolean ``select``.

    Examples
    --------
    >>> import numpy as np
    >>> from physgen import simulate, weak_law
    >>> t = np.arange(500) * 0.01
    >>> clean = simulate(np.array([0.5, 1.0, 1.5]), 1.0, t, length=1.5, g=9.81).theta
    >>> law = weak_law(clean + 1e-3 * np.random.default_rng(0).standard_normal(clean.shape),
    ...                t, length=1.5, noise_std=1e-3)
    >>> law.terms, round(law.g, 2)
    (('sin θ',), 9.81)
    """
    times, y, ell, sd, names, select, h, step, n_iter, g_spread = _weak_inputs(
        theta, t, length, noise_std, library, select, half_width, spacing, n_iter, g_spread
    )
    s2 = sd**2
    halves = [_half(y, times, ell, s2, names, h, step, start, g_spread) for start in (0, 1)]
    n = sum(half[0].size for half in halves)
    fits = _fit_subsets(halves, len(names), select, n_iter, n)
    best = min(fits, key=lambda s: fits[s][3])
    xi, cov, chi2, _ = fits[best]
    terms = tuple(names[i] for i in best)
    grad = np.array([-1.0 if name in ("θ", "sin θ") else 0.0 for name in terms])
    return WeakLaw(
        terms=terms,
        coefficients=check.readonly(xi),
        covariance=check.readonly(cov),
        g=float(grad @ xi),
        g_std=float(np.sqrt(max(grad @ cov @ grad, 0.0))),
        chi2=chi2,
        dof=int(n - 2 * len(best)),
        criteria=MappingProxyType(
            {tuple(names[i] for i in s): float(v[3]) for s, v in fits.items()}
        ),
        half_width=h,
        spacing=float(step),
    )


@dataclass(frozen=True, eq=False)
class LawGenerator:
    r"""A learned law as a generator (the :class:`physgen.Generator` protocol).

    Chapter 1's generator pushes a prior over pendulums through the exact
    solution; this one pushes it through a *learned* law
    :math:`l\ddot\theta = \sum_k \xi_k f_k(\theta)`, integrated with the
    package's Verlet scheme (:func:`physgen.integrate_verlet`), and adds the
    measurement noise of the data it is compared with:

    .. math::

        z = (l, \theta_0, \omega_0) \sim p(z), \qquad
        x = \text{Verlet}_{\Delta t}[\hat f](t_1, \dots, t_T; z) + \varepsilon .

    The prior's ``g`` is not used: the law carries its own.

    Parameters
    ----------
    law : WeakLaw
        The learned law (:func:`weak_law`).
    prior : PendulumPrior
        Distribution of lengths [m], initial angles [rad] and velocities [rad/s].
    t : array_like, shape (T,)
        Sample times [s]: uniform, starting at 0, on multiples of ``dt``.
    noise : NoiseModel, default NoNoise()
        Measurement noise added to the integrated angles.
    dt : float, default 0.01
        Integration step [s].

    Examples
    --------
    >>> import numpy as np
    >>> from physgen import LawGenerator, PendulumPrior, simulate, weak_law
    >>> t = np.arange(500) * 0.01
    >>> y = simulate(np.array([0.5, 1.0]), 1.0, t, length=1.0, g=10.0).theta
    >>> law = weak_law(y, t, length=1.0, noise_std=1e-6, library=("sin θ",), select=False)
    >>> gen = LawGenerator(law, PendulumPrior(length=(1.0, 2.0)), t[::5])
    >>> gen.sample(3, rng=0).shape
    (3, 100)
    """

    law: WeakLaw
    prior: PendulumPrior
    t: np.ndarray
    noise: NoiseModel = field(default_factory=NoNoise)
    dt: float = 0.01

    def __post_init__(self):
        where = "LawGenerator"
        check.instance(self.law, WeakLaw, "law", where, fix="pass physgen.weak_law(...)'s result.")
        check.instance(
            self.prior, PendulumPrior, "prior", where, fix="pass a physgen.PendulumPrior(...)."
        )
        check.instance(
            self.noise, NoiseModel, "noise", where, fix="pass e.g. physgen.GrowingNoise(0.1)."
        )
        dt = check.real(self.dt, "dt", where, positive=True, unit="s", fix="pass e.g. dt=0.01.")
        t = check.array(
            self.t, "t", where, ndim=1, unit="s", fix="pass e.g. np.arange(100) * 0.05."
        )
        check.increasing(t, "t", where, fix="sort the time grid.")
        steps = t / dt
        if t[0] != 0.0 or not np.allclose(steps, np.round(steps), atol=1e-6):
            raise ValueError(
                f"{where}: t must start at 0 and lie on multiples of dt={dt:g} s, got "
                f"t[0]={t[0]!r}, t[1]={t[1] if t.size > 1 else None!r}; pass e.g. "
                "t=np.arange(100) * 0.05."
            )
        object.__setattr__(self, "t", check.readonly(t.copy()))
        object.__setattr__(self, "dt", dt)

    def sample(self, n: int, *, rng=None, conditions=None) -> np.ndarray:
        """Draw ``n`` trajectories [rad], shape ``(n, T)``.

        ``conditions``, if given, are the lengths [m] of the ``n`` pendulums,
        shape ``(n,)``. All randomness comes from ``rng`` (parameters, then noise).
        """
        gen = np.random.default_rng(rng)
        params, length = draw_conditioned(self.prior, n, gen, conditions, "LawGenerator.sample")
        index = np.round(self.t / self.dt).astype(int)
        fine = np.arange(index[-1] + 1) * self.dt
        motion = integrate_verlet(
            lambda th: self.law.acceleration(th, length), params.theta0, params.omega0, fine
        )
        return self.noise.sample(motion.theta[:, index], self.t, rng=gen)
