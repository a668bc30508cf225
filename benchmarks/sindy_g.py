"""Chapter 7's estimate of g over noise draws: the chapter's SINDy against the weak form.

The data are chapter 7's (``book/07-learning-the-law.md``, seed 20240606): the
original grid, Euler-Cromer angles, noise sigma(t) = 0.1 t, split by trajectory
70 / 15 / 15. The pendulums stay the same; each draw redraws only the
observation noise of the training and validation pendulums. For every method
the table gives the relative error of g (mean over draws = the bias, and its
standard deviation), the bias in units of its standard error sd/sqrt(draws),
and the form rate: the fraction of draws whose selected law is exactly
l theta'' = -g sin(theta).

Methods:

- ``SG3 + STLSQ``: the chapter's pipeline (pysindy STLSQ, Savitzky-Golay
  polyorder 3, window and threshold chosen by the validation RMSE of the
  integrated law on the 7 x 4 grid of the chapter).
- ``SG5 + STLSQ``: the same with polyorder 5 (its window again validated).
- ``SG5 + weighted STLSQ``: polyorder 5, rows weighted by 1/sigma(t)^2, the
  sequentially thresholded least squares in numpy.
- ``weak, plain terms``: the weak form with generalised least squares, but the
  library evaluated on the noisy angles as they are (sin y, not e^(s^2/2) sin y).
- ``weak, unbiased terms``: the same with the unbiased terms, the weights
  evaluated on the fitted samples themselves (no cross-fitting).
- ``weak_law``: physgen.weak_law (unbiased terms, cross-fitted weights, BIC);
  on the chapter's data also with ``g_spread=0.05`` (the data's known jitter of
  g in the weights), and on the g = 10 data with other test-function widths.

Two set-ups: the chapter's (each pendulum has its own jittered g; the truth is
the training pendulums' mean g) and the same pendulums with g = 10 m/s^2
exactly (the estimator's own bias, without the jitter).

Run: ``.venv/bin/python benchmarks/sindy_g.py [--draws N] [--seed S]`` (about
6 minutes for 20 draws on one core); the last run's table is in
``benchmarks/results/sindy_g.txt``.
"""

from __future__ import annotations

import argparse
import itertools
import time
import warnings

import numpy as np

from physgen import (
    ORIGINAL_GRID,
    integrate_verlet,
    make_dataset,
    rmse,
    savgol_derivatives,
    simulate,
    split_by_trajectory,
    weak_law,
)
from physgen import discovery as D

TERMS = {
    "1": lambda th: np.ones_like(th),
    "θ": lambda th: th,
    "θ²": lambda th: th**2,
    "θ³": lambda th: th**3,
    "sin θ": lambda th: np.sin(th),
    "cos θ": lambda th: np.cos(th),
}
WINDOWS = (21, 41, 61, 81, 101, 141, 201)
THRESHOLDS = (0.1, 1.0, 3.0, 6.0)


def effective_g(law):
    return -(law.get("θ", 0.0) + law.get("sin θ", 0.0))


def is_pendulum(law):
    kept = {k for k, c in law.items() if c != 0}
    return kept == {"sin θ"} and law["sin θ"] < 0


def sindy_pysindy(theta, t, length, window, threshold, polyorder):
    """The chapter's discover(): pysindy STLSQ on SG derivatives."""
    import pysindy as ps

    d = savgol_derivatives(theta, t, window=window, polyorder=polyorder)
    x = d.theta.reshape(-1, 1)
    y = (length[:, None] * d.alpha).reshape(-1, 1)
    names = [n for n in TERMS if n != "1"]
    library = ps.CustomLibrary(
        library_functions=[TERMS[n] for n in names],
        function_names=[lambda x, n=n: n for n in names],
        include_bias=True,
    )
    model = ps.SINDy(optimizer=ps.STLSQ(threshold=threshold), feature_library=library)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model.fit(x, t=t[1] - t[0], x_dot=y, feature_names=["θ"])
    c = np.asarray(model.coefficients())[0]
    return {n: float(v) for n, v in zip(model.get_feature_names(), c, strict=True)}


def sindy_weighted(theta, t, length, window, threshold, sd):
    """SG5 derivatives, rows weighted by 1/sigma^2, STLSQ (no ridge) in numpy."""
    d = savgol_derivatives(theta, t, window=window, polyorder=5)
    h = window // 2
    w = 1.0 / np.broadcast_to(sd[h : t.size - h], d.theta.shape).reshape(-1)
    x = d.theta.reshape(-1)
    y = (length[:, None] * d.alpha).reshape(-1) * w
    names = list(TERMS)
    A = np.stack([TERMS[n](x) for n in names], axis=1) * w[:, None]
    keep = np.ones(len(names), bool)
    c = np.zeros(len(names))
    for _ in range(10):
        c = np.zeros(len(names))
        if keep.any():
            c[keep] = np.linalg.lstsq(A[:, keep], y, rcond=None)[0]
        new = keep & (np.abs(c) >= threshold)
        if (new == keep).all():
            break
        keep = new
    return {n: float(v) for n, v in zip(names, c, strict=True)}


def validated(fit, train_obs, val_obs, t, train, val):
    """The chapter's choice: the grid cell whose law best predicts the validation pendulums."""
    best, best_score = None, np.inf
    for window, threshold in itertools.product(WINDOWS, THRESHOLDS):
        law = fit(train_obs, window, threshold)

        def acc(th, law=law):
            return sum(c * TERMS[n](th) for n, c in law.items() if c != 0) / val.params.length

        motion = integrate_verlet(acc, val.params.theta0, val.params.omega0, t)
        score = np.inf if motion.diverged.any() else rmse(val_obs, motion.theta)
        if score < best_score:
            best, best_score = law, score
    return best


def weak_variant(y, t, length, sd, *, unbiased, h=0.5):
    """Weak form on all samples, weights evaluated on the fitted angles (BIC selection)."""
    dt = t[1] - t[0]
    s2 = sd**2
    names = D.LAW_TERMS
    phi, phi2, _ = D._test_functions(t, h, h / 2)
    lhs = length[:, None, None] * phi2[None] * dt
    b = np.einsum("pjt,pt->pj", lhs, y)
    G = np.einsum("kpt,jt->pjk", D._terms(y, s2 if unbiased else 0 * s2, names), phi) * dt
    A0, B, Dm, _ = D._moments(lhs, phi * dt, D._slopes(y, names), s2, 0.0)
    best = None
    for k in range(1, len(names) + 1):
        for sub in itertools.combinations(range(len(names)), k):
            idx = list(sub)
            moments = (A0, B[idx], Dm[np.ix_(idx, idx)], 0.0)
            xi, _, chi2 = D._fit(b, G[..., idx], moments, 5)
            bic = chi2 + k * np.log(b.size)
            if best is None or bic < best[0]:
                best = (bic, {names[i]: float(x) for i, x in zip(sub, xi, strict=True)})
    return best[1]


def as_dict(law):
    """A WeakLaw as {term: coefficient}."""
    return dict(zip(law.terms, law.coefficients.tolist(), strict=True))


def build_methods(t, length, sd, train, val, half_widths):
    """The compared methods: name -> fit(y_train, y_val) -> {term: coefficient}."""
    methods = {
        "SG3 + STLSQ (chapter)": lambda y, yv: validated(
            lambda o, w, th: sindy_pysindy(o, t, length, w, th, 3), y, yv, t, train, val
        ),
        "SG5 + STLSQ": lambda y, yv: validated(
            lambda o, w, th: sindy_pysindy(o, t, length, w, th, 5), y, yv, t, train, val
        ),
        "SG5 + weighted STLSQ": lambda y, yv: validated(
            lambda o, w, th: sindy_weighted(o, t, length, w, th, sd), y, yv, t, train, val
        ),
        "weak, plain terms": lambda y, yv: weak_variant(y, t, length, sd, unbiased=False),
        "weak, unbiased terms": lambda y, yv: weak_variant(y, t, length, sd, unbiased=True),
        "weak_law": lambda y, yv: as_dict(weak_law(y, t, length=length, noise_std=sd)),
        "weak_law, g_spread 0.05": lambda y, yv: as_dict(
            weak_law(y, t, length=length, noise_std=sd, g_spread=0.05)
        ),
    }
    for w in half_widths:
        if w != 0.5:
            methods[f"weak_law, half_width {w:g} s"] = _weak_at(t, length, sd, w)

    return methods


def _weak_at(t, length, sd, w):
    """weak_law at test-function half-width w [s], as a method."""

    def fit(y, yv):
        return as_dict(weak_law(y, t, length=length, noise_std=sd, half_width=w))

    return fit


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20240606, help="the chapter's seed")
    parser.add_argument("--noise-seed", type=int, default=1)
    parser.add_argument(
        "--half-widths",
        type=float,
        nargs="*",
        default=[0.25, 0.5, 1.0],
        help="weak_law's test-function half-widths [s] to compare (g = 10 set-up)",
    )
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    data = make_dataset(ORIGINAL_GRID, rng=rng)
    train, val, _ = split_by_trajectory(data, rng=rng)
    t = train.t
    sd = train.noise.std(t)
    length = train.params.length

    def clean_of(ds, g):
        if g is None:  # the chapter's Euler-Cromer angles with jittered g
            return ds.as_trajectories(ds.clean)
        p = ds.params
        return simulate(p.theta0, p.omega0, t, length=p.length, g=g, method="euler_cromer").theta

    methods = build_methods(t, length, sd, train, val, args.half_widths)
    print(f"{args.draws} noise draws of sigma(t) = 0.1 t on chapter 7's 70 training pendulums")
    for setup, g in (
        ("chapter's data (jittered g)", None),
        ("same pendulums, g = 10 exactly", 10.0),
    ):
        clean, clean_val = clean_of(train, g), clean_of(val, g)
        g_true = float(train.params.g.mean()) if g is None else g
        print(f"\n## {setup}: truth g = {g_true:.4f} m/s^2")
        print("| method | bias [%] | sd [%] | bias / (sd/sqrt(n)) | form rate | draws | s/draw |")
        print("|---|---|---|---|---|---|---|")
        for name, method in methods.items():
            if (g is None and "half_width" in name) or (g is not None and "spread" in name):
                continue
            noise = np.random.default_rng(args.noise_seed)
            errors, forms = [], []
            start = time.perf_counter()
            for _ in range(args.draws):
                y = clean + sd * noise.standard_normal(clean.shape)
                yv = clean_val + sd * noise.standard_normal(clean_val.shape)
                law = method(y, yv)
                errors.append(effective_g(law) / g_true - 1.0)
                forms.append(is_pendulum(law))
            seconds = (time.perf_counter() - start) / args.draws
            e = np.asarray(errors)
            bias, spread = e.mean(), e.std(ddof=1)
            print(
                f"| {name} | {100 * bias:+.3f} | {100 * spread:.3f} | "
                f"{bias / (spread / np.sqrt(e.size)):+.1f} | {np.mean(forms):.2f} | "
                f"{e.size} | {seconds:.1f} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
