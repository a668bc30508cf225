"""Fitting the exact pendulum to trajectories: :func:`fit_pendulum` and its result."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from physgen import _validation as check
from physgen.pendulum import energy as _energy
from physgen.pendulum import period as _period
from physgen.pendulum import simulate

__all__ = ["PendulumFit", "fit_pendulum"]


# --------------------------------------------------------------------------
# fitting pendulums
# --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class PendulumFit:
    r"""The best-fitting pendulum of each trajectory (the result of :func:`fit_pendulum`).

    Attributes
    ----------
    theta0 : ndarray, shape (n,)
        Fitted initial angle [rad] at :math:`t = 0`.
    omega0 : ndarray, shape (n,)
        Fitted initial angular velocity [rad/s] at :math:`t = 0`.
    length : ndarray, shape (n,)
        Fitted length [m] (for the fixed ``g``; only :math:`\sqrt{g/l}` is
        identifiable from a trajectory).
    residual_rms : ndarray, shape (n,)
        Root-mean-square difference [rad] between each trajectory and its
        fitted pendulum, :math:`\sqrt{\tfrac1T\sum_j (\theta_j - \hat\theta(t_j))^2}`.
    g : float
        The gravitational acceleration [m/s^2] the lengths refer to.
    converged : ndarray of bool, shape (n,)
        The optimiser stopped on its tolerance (not on ``max_iter``) *and* the
        fitted pendulum explains more of the trajectory's variance about its
        mean than the best sinusoid explains of white noise in 99 % of cases
        (Fisher's test of periodicity at level 0.01). False for white noise
        and for a constant trajectory (whose length no fit can determine).
    at_bound : ndarray of bool, shape (n,)
        The fitted length is pinned at a bound of the search
        (``length_bounds``): the data do not determine it (a constant, a slow
        drift, a decay that never swings back).
    length_bounds : tuple of float
        The smallest and largest length [m] the search allowed (from the
        Nyquist frequency and a fortieth of an oscillation over the window).

    All arrays are read-only. A fit *failed* when it did not converge or sits
    at a bound (:attr:`failed`); its parameters mean nothing, and
    :func:`compare_physics` and :func:`judge_generator` leave it out.
    """

    theta0: np.ndarray
    omega0: np.ndarray
    length: np.ndarray
    residual_rms: np.ndarray
    g: float
    converged: np.ndarray
    at_bound: np.ndarray
    length_bounds: tuple[float, float]

    def __len__(self) -> int:
        return int(self.theta0.shape[0])

    @property
    def failed(self) -> np.ndarray:
        """Rows whose fit did not converge or sits at a search bound, shape (n,) of bool."""
        return ~self.converged | self.at_bound

    @property
    def n_failed(self) -> int:
        """How many fits failed (:attr:`failed`)."""
        return int(np.count_nonzero(self.failed))

    def __repr__(self) -> str:
        return (
            f"PendulumFit(n={len(self)}, g={self.g!r}, n_failed={self.n_failed}, "
            f"median residual_rms="
            f"{np.median(self.residual_rms) if len(self) else float('nan'):.3g} rad)"
        )

    def energy(self, mass: float = 1.0) -> np.ndarray:
        r"""Energy [J] of each fitted pendulum (per kilogram for ``mass=1``), shape (n,).

        .. math:: E = \tfrac12 m l^2 \omega_0^2 + m g l (1 - \cos\theta_0)
        """
        return _energy(self.theta0, self.omega0, length=self.length, g=self.g, mass=mass)

    def period(self) -> np.ndarray:
        """Exact period [s] of each fitted pendulum, shape (n,) (``inf`` on the separatrix)."""
        return np.atleast_1d(_period(self.theta0, self.omega0, length=self.length, g=self.g))

    def trajectories(self, t) -> np.ndarray:
        """The fitted pendulums' angles [rad] at times ``t`` [s], shape (n, T)."""
        return simulate(self.theta0, self.omega0, t, length=self.length, g=self.g).theta


def _initial_state(y, tau, q):
    """theta, omega and theta'' at tau[0] from a quadratic least-squares fit to the first q points."""
    q = min(q, tau.shape[0])
    V = np.vander(tau[:q], 3, increasing=True)  # 1, tau, tau^2
    coef = np.linalg.lstsq(V, y[:, :q].T, rcond=None)[0]
    return coef[0], coef[1], 2.0 * coef[2]


def _sinusoid_scan(y, tau, n_grid):
    """Best single sinusoid a cos(w tau) + b sin(w tau) per trajectory over a grid of w.

    Returns (w, a, b). The grid is log-spaced from a quarter oscillation over the
    window to the Nyquist frequency of the median step.
    """
    span = tau[-1] - tau[0]
    dt = np.median(np.diff(tau))
    w_lo = 2.0 * np.pi / (4.0 * span)
    w_hi = np.pi / dt
    w = np.geomspace(w_lo, w_hi, n_grid)
    C = np.cos(np.outer(w, tau))  # (K, T)
    S = np.sin(np.outer(w, tau))
    cc, ss, cs = (C * C).sum(1), (S * S).sum(1), (C * S).sum(1)
    det = cc * ss - cs * cs
    det = np.where(det > 1e-12 * cc * ss, det, np.inf)
    pc = y @ C.T  # (n, K)
    ps = y @ S.T
    explained = (ss * pc * pc - 2.0 * cs * pc * ps + cc * ps * ps) / det
    best = np.argmax(explained, axis=1)
    rows = np.arange(y.shape[0])
    pcb, psb = pc[rows, best], ps[rows, best]
    a = (ss[best] * pcb - cs[best] * psb) / det[best]
    b = (cc[best] * psb - cs[best] * pcb) / det[best]
    return w[best], a, b


def _nonlinear_frequency(theta0, omega0, w_eff, g):
    r"""Omega = sqrt(g/l) whose exact (amplitude-dependent) frequency is ``w_eff``.

    For fixed initial state the swing's angular frequency :math:`2\pi/T(\Omega)` grows
    monotonically with :math:`\Omega` above the separatrix value
    :math:`\Omega_s = |\omega_0| / (2\cos(\theta_0/2))`: bisection in log Omega.
    """
    c = np.abs(np.cos(0.5 * theta0))
    sep = np.abs(omega0) / (2.0 * np.maximum(c, 1e-12))
    lo = np.log(np.maximum(w_eff, sep * (1.0 + 1e-9)))
    hi = np.maximum(lo, np.log(w_eff)) + np.log(20.0)

    def freq(log_omega):
        Om = np.exp(log_omega)
        T = np.atleast_1d(_period(theta0, omega0, length=g / Om**2, g=g))
        return np.where(np.isfinite(T), 2.0 * np.pi / T, 0.0)

    for _ in range(40):
        mid = 0.5 * (lo + hi)
        below = freq(mid) < w_eff
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return np.exp(0.5 * (lo + hi))


def _model(p, tau, g):
    """Exact angles for parameter rows p = (theta, omega, log Omega) at tau[0] = 0."""
    Omega = np.exp(p[:, 2])
    return simulate(p[:, 0], p[:, 1], tau, length=g / Omega**2, g=g).theta


def _levenberg_marquardt(p, y, tau, g, *, max_iter, log_bounds):
    """Batched Levenberg-Marquardt on p (m, 3); returns (p, sse, met).

    ``met`` marks the rows whose iteration stopped on a tolerance (relative gain,
    step, round-off-level misfit, or no improving step at any damping) rather than
    on ``max_iter``.
    """
    m = p.shape[0]
    p = p.copy()
    p[:, 2] = np.clip(p[:, 2], *log_bounds)
    r = _model(p, tau, g) - y
    sse = np.einsum("ij,ij->i", r, r)
    lam = np.full(m, 1e-3)
    active = np.ones(m, dtype=bool)
    met = np.zeros(m, dtype=bool)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        pa, ra = p[idx], r[idx]
        J = np.empty((idx.size, tau.size, 3))
        for j in range(3):
            h = 1e-6 * np.maximum(1.0, np.abs(pa[:, j]))
            pj = pa.copy()
            pj[:, j] += h
            J[:, :, j] = (_model(pj, tau, g) - y[idx] - ra) / h[:, None]
        A = np.einsum("itj,itk->ijk", J, J)
        grad = np.einsum("itj,it->ij", J, ra)
        diag = np.einsum("ijj->ij", A)
        damped = A + (lam[idx, None] * (diag + 1e-12))[:, :, None] * np.eye(3)
        try:
            step = -np.linalg.solve(damped, grad[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:  # pragma: no cover - damping keeps it regular
            step = -grad * 1e-3
        trial = pa + step
        trial[:, 2] = np.clip(trial[:, 2], *log_bounds)
        ok = np.all(np.isfinite(trial), axis=1)
        trial[~ok] = pa[~ok]
        r_new = _model(trial, tau, g) - y[idx]
        sse_new = np.einsum("ij,ij->i", r_new, r_new)
        better = ok & (sse_new < sse[idx])
        gain = np.where(better, (sse[idx] - sse_new) / np.maximum(sse[idx], 1e-300), 0.0)
        take = idx[better]
        p[take], r[take], sse[take] = trial[better], r_new[better], sse_new[better]
        lam[idx] = np.where(better, np.maximum(lam[idx] / 3.0, 1e-12), lam[idx] * 4.0)
        small_step = np.max(np.abs(step) / np.maximum(1.0, np.abs(pa)), axis=1) < 1e-9
        tiny = sse[idx] <= 1e-26 * tau.size
        done = (better & (gain < 1e-10)) | (lam[idx] > 1e8) | small_step | tiny
        active[idx[done]] = False
        met[idx[done]] = True
    return p, sse, met


# A fitted log(sqrt(g/l)) this close to a search bound counts as pinned there.
_BOUND_TOL = 1e-6
# Level of Fisher's test of periodicity behind the "explains the signal" criterion.
_FISHER_LEVEL = 0.01


def _fisher_threshold(T: int, level: float = _FISHER_LEVEL) -> float:
    r"""Share of variance the best sinusoid of white noise exceeds with probability ``level``.

    Fisher's test of periodicity: for :math:`m = \lfloor (T-1)/2 \rfloor` Fourier
    frequencies, :math:`P(g > x) \approx m (1-x)^{m-1}` under white noise, so
    :math:`x = 1 - (\text{level}/m)^{1/(m-1)}`.
    """
    m = max((T - 1) // 2, 2)
    return 1.0 - (level / m) ** (1.0 / (m - 1))


def _explains_signal(y: np.ndarray, sse: np.ndarray) -> np.ndarray:
    """Rows whose fit explains more of the variance about the mean than noise could."""
    ss = np.einsum("ij,ij->i", y - y.mean(axis=1, keepdims=True), y - y.mean(axis=1, keepdims=True))
    with np.errstate(divide="ignore", invalid="ignore"):
        explained = np.where(ss > 0, 1.0 - sse / ss, -np.inf)
    return explained > _fisher_threshold(y.shape[1])


def fit_pendulum(theta, t, *, g=9.81, max_iter=60) -> PendulumFit:
    r"""Fit the exact pendulum solution to each trajectory by least squares.

    For every row of ``theta`` the parameters :math:`(\theta_0, \omega_0, l)`
    minimising :math:`\sum_j (\theta_j - \theta(t_j;\theta_0,\omega_0,l,g))^2`
    are found, with :math:`\theta(t;\dots)` the exact solution
    (:func:`physgen.simulate`). The fit is made reliable by starting from the
    data, not from a fixed guess:

    1. the state at the first time from a quadratic least-squares fit to the
       first few points (:math:`\theta(t_0)` and a finite-difference
       :math:`\omega(t_0)`);
    2. the oscillation frequency read off the signal: the best single sinusoid
       :math:`a\cos wt + b\sin wt` over a fine log-spaced grid of :math:`w`
       (from a quarter oscillation per window up to the Nyquist frequency);
    3. that frequency turned into :math:`\Omega = \sqrt{g/l}` with the exact,
       amplitude-dependent period (:func:`physgen.period`, by bisection); with
       two starting states (the local one of step 1 and the sinusoid's
       ``a``, ``b w``) and three frequencies (corrected, uncorrected, and
       from the initial curvature :math:`\ddot\theta = -\Omega^2\sin\theta`)
       this gives six candidate starts, of which the two with the smallest
       misfit are kept;
    4. both starts refined by a batched Levenberg-Marquardt iteration on
       :math:`(\theta_0, \omega_0, \log\Omega)` (finite-difference Jacobians,
       all trajectories at once); the better end point is kept.

    Parameters
    ----------
    theta : array_like, shape (n, T) or (T,)
        Angles [rad], one trajectory per row (a 1-D array is one trajectory).
        Finite.
    t : array_like, shape (T,)
        Common time grid [s], strictly increasing, ``T >= 4``.
    g : float, default 9.81
        Gravitational acceleration [m/s^2] (> 0) used to turn the fitted
        frequency :math:`\sqrt{g/l}` into a length.
    max_iter : int, default 60
        Maximum Levenberg-Marquardt iterations.

    Returns
    -------
    PendulumFit
        ``theta0`` [rad], ``omega0`` [rad/s] (at :math:`t = 0`, extrapolated
        if ``t[0] > 0``), ``length`` [m], ``residual_rms`` [rad], and the
        flags ``converged`` and ``at_bound``, each of shape ``(n,)``;
        ``n_failed`` counts the fits that did not converge or sit at a bound.
        The length always lies in ``length_bounds``; at a bound it is flagged.

    Raises
    ------
    ValueError
        ``theta`` not 1-D/2-D or with non-finite values, ``t`` not strictly
        increasing or of a length other than ``T``, ``T < 4``, ``g <= 0``.
    TypeError
        Non-numeric input.

    Notes
    -----
    On exact trajectories the parameters are recovered to ~1e-8 and the
    residual is at round-off level; with independent N(0, σ²) noise the
    residual RMS is close to :math:`\sigma\sqrt{(T-3)/T}`. A trajectory no
    pendulum makes (damped, noisy beyond the noise level, a different law)
    keeps a residual well above its noise. Cost: about a dozen batched
    simulations of the ``(2n, T)`` problem per iteration
    (``benchmarks/judging.py``).

    Examples
    --------
    >>> import numpy as np
    >>> from physgen import simulate, fit_pendulum
    >>> t = np.linspace(0.0, 5.0, 100)
    >>> truth = simulate(np.array([1.0, -0.3]), np.array([0.5, 2.0]), t,
    ...                  length=np.array([0.7, 1.6]), g=9.81)
    >>> fit = fit_pendulum(truth.theta, t)
    >>> np.round(fit.length, 6), np.round(fit.theta0, 6)
    (array([0.7, 1.6]), array([ 1. , -0.3]))
    >>> damped = np.exp(-0.5 * t) * np.cos(3.0 * t)
    >>> float(fit_pendulum(damped, t).residual_rms[0]) > 0.05
    True
    """
    where = "fit_pendulum"
    y = check.samples("theta", theta, where, one_row=True)
    n, T = y.shape
    tt = check.times(t, T, where)
    if T < 4:
        raise ValueError(
            f"{where}: a fit of three parameters needs at least 4 times per "
            f"trajectory, got T = {T}; sample the trajectories more finely."
        )
    g = check.real(g, "g", where, unit="m/s^2", positive=True, fix="pass e.g. g=9.81.")
    max_iter = check.integer(max_iter, "max_iter", where, minimum=1, fix="pass e.g. max_iter=60.")

    tau = tt - tt[0]
    span = tau[-1]
    dt = float(np.median(np.diff(tau)))
    w_lo, w_hi = 2.0 * np.pi / (4.0 * span), np.pi / dt
    log_bounds = (math.log(w_lo / 10.0), math.log(w_hi))

    th_loc, om_loc, acc_loc = _initial_state(y, tau, q=max(5, T // 25))
    n_grid = int(np.clip(np.ceil(np.log(w_hi / w_lo) / np.log(1.01)), 50, 800))
    w_eff, a, b = _sinusoid_scan(y, tau, n_grid)
    # Candidate starts: two initial states (local, sinusoid) times three frequencies
    # (the signal's frequency corrected for the amplitude, uncorrected, and from the
    # initial curvature theta'' = -Omega^2 sin theta). The two best by their
    # misfit are refined.
    s_curv = -acc_loc / np.where(np.abs(np.sin(th_loc)) > 0.05, np.sin(th_loc), np.nan)
    curv = np.where(np.isfinite(s_curv) & (s_curv > 0), np.sqrt(np.abs(s_curv)), w_eff)
    candidates = []
    for th, om in ((th_loc, om_loc), (a, b * w_eff)):
        for Omega in (_nonlinear_frequency(th, om, w_eff, g), w_eff, curv):
            log_om = np.clip(np.log(Omega), *log_bounds)
            candidates.append(np.column_stack([th, om, log_om]))
    cand = np.stack(candidates)  # (C, n, 3)
    misfit = np.empty((cand.shape[0], n))
    for c in range(cand.shape[0]):
        r = _model(cand[c], tau, g) - y
        misfit[c] = np.einsum("ij,ij->i", r, r)
    misfit = np.where(np.isfinite(misfit), misfit, np.inf)
    order = np.argsort(misfit, axis=0, kind="stable")[:2]  # (2, n)
    cols = np.arange(n)
    p0 = np.vstack([cand[order[0], cols], cand[order[1], cols]])
    p, sse, met = _levenberg_marquardt(
        p0, np.vstack([y, y]), tau, g, max_iter=max_iter, log_bounds=log_bounds
    )
    pick = np.where(sse[n:] < sse[:n], 1, 0)
    rows = cols + n * pick
    p, sse, met = p[rows], sse[rows], met[rows]
    at_bound = (p[:, 2] <= log_bounds[0] + _BOUND_TOL) | (p[:, 2] >= log_bounds[1] - _BOUND_TOL)
    converged = met & _explains_signal(y, sse)

    theta_s, omega_s, Omega = p[:, 0], p[:, 1], np.exp(p[:, 2])
    length = g / Omega**2
    if tt[0] != 0.0:  # carry the state at t[0] back to t = 0
        back = simulate(theta_s, omega_s, np.array([-tt[0]]), length=length, g=g)
        theta_s, omega_s = back.theta[:, 0], back.omega[:, 0]
    return PendulumFit(
        theta0=check.readonly(np.array(theta_s, dtype=float)),
        omega0=check.readonly(np.array(omega_s, dtype=float)),
        length=check.readonly(np.array(length, dtype=float)),
        residual_rms=check.readonly(np.sqrt(sse / T)),
        g=g,
        converged=check.readonly(converged),
        at_bound=check.readonly(at_bound),
        length_bounds=(g / math.exp(2.0 * log_bounds[1]), g / math.exp(2.0 * log_bounds[0])),
    )
