"""Physics-aware comparison of two sets, and every judge at once on one generator."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from physgen import _validation as check
from physgen.judging.fitting import PendulumFit, fit_pendulum
from physgen.judging.neighbours import memorisation_ratio, precision_recall
from physgen.judging.two_sample import two_sample_test

__all__ = [
    "PHYSICAL_QUANTITIES",
    "PhysicsComparison",
    "compare_physics",
    "GeneratorReport",
    "judge_generator",
]

#: Quantities compared by :func:`compare_physics`, with their units.
PHYSICAL_QUANTITIES = {
    "theta0": "rad",
    "omega0": "rad/s",
    "length": "m",
    "energy": "J/kg",
    "period": "s",
}


# --------------------------------------------------------------------------
# physics-aware comparison
# --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class PhysicsComparison:
    """Result of :func:`compare_physics`: fitted pendulums of two sets, compared.

    Attributes
    ----------
    real_fit, generated_fit : PendulumFit
        The fitted pendulums of each set.
    real, generated : dict of str to ndarray
        Each set's fitted quantities (:data:`PHYSICAL_QUANTITIES`):
        ``theta0`` [rad], ``omega0`` [rad/s], ``length`` [m], ``energy``
        [J/kg] and ``period`` [s], of the fits that did not fail
        (:attr:`PendulumFit.failed`; non-finite periods removed too).
    tests : dict of str to TwoSampleTest
        A two-sample test of each quantity, and ``"joint"``: the three fitted
        parameters together (standardised by the real set's spread, length on
        a log scale). A test is left out when either set keeps fewer than two
        fits.
    """

    real_fit: PendulumFit
    generated_fit: PendulumFit
    real: dict
    generated: dict
    tests: dict

    def p_values(self) -> dict:
        """``{quantity: p-value}`` for every test."""
        return {k: v.p_value for k, v in self.tests.items()}


def _quantities(fit: PendulumFit) -> dict:
    """Fitted quantities of the fits that did not fail (:attr:`PendulumFit.failed`)."""
    ok = ~fit.failed
    per = fit.period()[ok]
    return {
        "theta0": fit.theta0[ok],
        "omega0": fit.omega0[ok],
        "length": fit.length[ok],
        "energy": fit.energy(mass=1.0)[ok],
        "period": per[np.isfinite(per)],
    }


def compare_physics(
    real, generated, t, *, g=9.81, n_permutations=500, rng=None, real_fit=None
) -> PhysicsComparison:
    r"""Fit pendulums to two sets of trajectories and compare their physics.

    Both sets are fitted with :func:`fit_pendulum`; fits that failed (did not
    converge, or a length pinned at a search bound) are left out, and then the
    distributions of
    the fitted :math:`\theta_0`, :math:`\omega_0`, length, energy per kilogram
    :math:`E/m = \tfrac12 l^2\omega_0^2 + g l (1-\cos\theta_0)` and exact
    period are compared one by one with :func:`two_sample_test`, and jointly
    (``"joint"``: :math:`(\theta_0, \omega_0, \log l)`, each divided by the
    real set's standard deviation).

    Parameters
    ----------
    real : array_like, shape (n_real, T)
        Real trajectories [rad].
    generated : array_like, shape (n_gen, T)
        Generated trajectories [rad] on the same grid.
    t : array_like, shape (T,)
        The common time grid [s], strictly increasing.
    g : float, default 9.81
        Gravitational acceleration [m/s^2] of the fits (> 0).
    n_permutations : int, default 500
        Permutations of each test.
    rng : None, int or numpy.random.Generator, optional
        Source of randomness of the tests.
    real_fit : PendulumFit, optional
        A fit of ``real`` already made (saves refitting the same real set).

    Returns
    -------
    PhysicsComparison

    Examples
    --------
    >>> import numpy as np
    >>> from physgen import PendulumPrior, generate, compare_physics
    >>> t = np.linspace(0.0, 5.0, 60)
    >>> real = generate(PendulumPrior(length=(0.5, 2.0)), 80, t, rng=0).theta
    >>> longer = generate(PendulumPrior(length=(1.5, 2.0)), 80, t, rng=1).theta
    >>> cmp = compare_physics(real, longer, t, n_permutations=200, rng=2)
    >>> cmp.tests["length"].p_value < 0.01
    True
    """
    where = "compare_physics"
    Rr, Gg = check.sample_sets(where, real=real, generated=generated)
    check.times(t, Rr.shape[1], where)
    g = check.real(g, "g", where, unit="m/s^2", positive=True, fix="pass e.g. g=9.81.")
    gen = np.random.default_rng(rng)
    if real_fit is None:
        real_fit = fit_pendulum(Rr, t, g=g)
    elif not isinstance(real_fit, PendulumFit) or len(real_fit) != Rr.shape[0] or real_fit.g != g:
        raise ValueError(
            f"{where}: real_fit must be fit_pendulum(real, t, g={g}) for these "
            f"{Rr.shape[0]} real trajectories; drop it to refit."
        )
    gen_fit = fit_pendulum(Gg, t, g=g)
    q_real, q_gen = _quantities(real_fit), _quantities(gen_fit)
    tests = {}
    for name in PHYSICAL_QUANTITIES:
        a, b = q_real[name], q_gen[name]
        if a.size >= 2 and b.size >= 2:
            tests[name] = two_sample_test(a, b, n_permutations=n_permutations, rng=gen)

    def joint(q):
        return np.column_stack([q["theta0"], q["omega0"], np.log(q["length"])])

    jr, jg = joint(q_real), joint(q_gen)
    if jr.shape[0] >= 2 and jg.shape[0] >= 2:
        scale = jr.std(axis=0)
        scale = np.where(scale > 0, scale, 1.0)
        tests["joint"] = two_sample_test(
            jr / scale, jg / scale, n_permutations=n_permutations, rng=gen
        )
    return PhysicsComparison(
        real_fit=real_fit, generated_fit=gen_fit, real=q_real, generated=q_gen, tests=tests
    )


# --------------------------------------------------------------------------
# everything at once
# --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class GeneratorReport:
    """Result of :func:`judge_generator`: every judge's verdict on one generator.

    Attributes
    ----------
    residual_median : float
        Median fitted-pendulum residual RMS [rad] of every generated sample,
        failed fits included: a sample no pendulum explains keeps the residual
        of the best pendulum the search found, so it counts against the
        generator instead of dropping out of its score.
    floor : float
        The same median for every real held-out sample (the "real floor": what
        noise and the data's own departures from an ideal pendulum leave).
    n_failed : int
        Generated samples whose pendulum fit failed (:attr:`PendulumFit.failed`:
        no pendulum explains them, or their length is pinned at a search
        bound). They count in ``residual_median`` and are left out of
        ``physics``, whose fitted parameters they would corrupt. A generator of
        noise fails every fit.
    n_failed_heldout : int
        The same count for the held-out real samples (counted in ``floor``).
    mmd_p : float
        p-value of the raw-trajectory two-sample test, generated against
        held-out real samples.
    mmd_statistic : float
        Its statistic (unbiased MMD², rad²-scale kernel units).
    precision, recall : float
        :func:`precision_recall` of the generated samples against the
        held-out real samples.
    memorisation : float
        :func:`memorisation_ratio` (near 1: generalises; near 0: copies).
    physics : PhysicsComparison
        Fitted parameters, energy and period, held-out real against generated.
    """

    residual_median: float
    floor: float
    n_failed: int
    n_failed_heldout: int
    mmd_p: float
    mmd_statistic: float
    precision: float
    recall: float
    memorisation: float
    physics: PhysicsComparison

    def summary(self) -> dict:
        """The scalar figures as a dict of floats (plus the physics tests' p-values)."""
        out = {
            "residual_median": self.residual_median,
            "floor": self.floor,
            "n_failed": float(self.n_failed),
            "mmd_p": self.mmd_p,
            "precision": self.precision,
            "recall": self.recall,
            "memorisation": self.memorisation,
        }
        out.update({f"{k}_p": v for k, v in self.physics.p_values().items()})
        return out


def _median(values: np.ndarray) -> float:
    return float(np.median(values)) if values.size else float("nan")


def judge_generator(
    generated, *, train, heldout, t, g=9.81, k=5, n_permutations=500, rng=None, heldout_fit=None
) -> GeneratorReport:
    """Judge generated trajectories with every judge of this module.

    Pendulum fits that fail (:attr:`PendulumFit.failed`) are counted in
    ``n_failed`` / ``n_failed_heldout``; their residuals stay in the medians (a
    sample no pendulum explains must count against the generator) and their
    fitted parameters are left out of the physics comparison. The
    raw-trajectory judges (MMD, precision and recall, memorisation) see every
    sample.

    Parameters
    ----------
    generated : array_like, shape (n_gen, T), or a generator
        Generated trajectories [rad], or any object with a method
        ``sample(n, *, rng=None, conditions=None)`` returning a set with a
        ``theta`` array of shape (n, T) (or such an array): then ``n_gen =
        len(heldout)`` trajectories are drawn from it with ``rng``.
    train : array_like, shape (n_train, T)
        The generator's training trajectories [rad] (for memorisation).
    heldout : array_like, shape (n_heldout, T)
        Real trajectories not used in training [rad]: the reference of every
        comparison.
    t : array_like, shape (T,)
        Common time grid [s].
    g : float, default 9.81
        Gravitational acceleration [m/s^2] of the pendulum fits.
    k : int, default 5
        Neighbour index of :func:`precision_recall`.
    n_permutations : int, default 500
        Permutations of every two-sample test.
    rng : None, int or numpy.random.Generator, optional
        Source of randomness of the tests.
    heldout_fit : PendulumFit, optional
        ``fit_pendulum(heldout, t, g=g)`` if already computed.

    Returns
    -------
    GeneratorReport
    """
    where = "judge_generator"
    X = check.samples("train", train, where)
    H = check.samples("heldout", heldout, where)
    gen = np.random.default_rng(rng)
    if callable(getattr(generated, "sample", None)):
        drawn = generated.sample(H.shape[0], rng=gen)
        generated = getattr(drawn, "theta", drawn)
    G = check.samples("generated", generated, where)
    check.same_width(where, generated=G, train=X, heldout=H)
    check.times(t, G.shape[1], where)
    physics = compare_physics(
        H, G, t, g=g, n_permutations=n_permutations, rng=gen, real_fit=heldout_fit
    )
    mmd = two_sample_test(H, G, n_permutations=n_permutations, rng=gen)
    pr = precision_recall(H, G, k=k)
    gen_fit, real_fit = physics.generated_fit, physics.real_fit
    return GeneratorReport(
        residual_median=_median(gen_fit.residual_rms),
        floor=_median(real_fit.residual_rms),
        n_failed=gen_fit.n_failed,
        n_failed_heldout=real_fit.n_failed,
        mmd_p=mmd.p_value,
        mmd_statistic=mmd.statistic,
        precision=pr.precision,
        recall=pr.recall,
        memorisation=memorisation_ratio(X, G, H),
        physics=physics,
    )
