"""Flow matching on the clean main line: raw against PCA coordinates, NFE, conditioning.

Run:  python benchmarks/flow.py [--steps S] [--every E] [--seeds A B C] [--components K]
      [--out FILE] [--skip-raw] [--skip-conditional] [--skip-long]
      [--gan-only | --diagnose | --sweep K ... | --conditional-only]

``benchmarks/results/flow.txt`` was written by the default run, then appended to by
``--gan-only``, ``--diagnose``, ``--sweep 8 32 100`` and
``--conditional-only --steps 32000 --seeds 20240605`` and ``--guidance``, in that order.

The data are the GAN chapter's clean main line, built by the same function
(:func:`gan_clean.clean_data`: 2,000 exact pendulums of chapter 1's prior on 100 times
0.05 s apart, split 70/15/15 by pendulum with no twins). For every seed:

1. a flow in principal components (``space="pca"``, ``--components`` of them) and one on
   the raw trajectories (``space="raw"``), each trained ``--steps`` steps with
   :func:`physgen.nn.flow.train_flow` and judged every ``--every`` steps on ``N_JUDGE``
   samples (median fitted-pendulum residual, precision, recall: the training curve), then
   judged with every judge (:func:`physgen.judge_generator`: residual against the floor,
   MMD p, precision, recall, memorisation) at the end;
2. for the PCA flow, the NFE table: the same starting noise solved with Euler and Heun at
   2 to 100 velocity evaluations, each judged by its median residual and by its RMS
   distance [rad] to a fine reference solve of the same learned ODE (Heun, ``NFE_REF``
   evaluations); each method's order is the slope of log distance against log NFE;
3. a PCA flow conditioned on the length and g, asked for the GAN benchmark's requests
   (half inside the training range, half with lengths 2-3 m); the median relative error of
   the fitted period against the exact period of the asked pendulum at the sample's amplitude.

Diagnostics of where the error sits: the PCA truncation floor (held-out trajectories
projected on the components, judged), and the raw flow's samples projected on the same
components (the part of their error outside the data's principal subspace). One PCA flow
trained twice as long (is the residual still falling?). Modes that append to the file:
``--gan-only`` (the GAN chapter's stored WGAN-GP samples, judged alike), ``--diagnose``
(one learned ODE's samples from several solvers, every judge), ``--sweep`` (other numbers
of components), ``--conditional-only`` and ``--guidance`` (gradient steps down the
pendulum equation's finite-difference residual after sampling, with g/l fitted per sample).

Times are wall clock on a shared machine (the load average is printed). TensorFlow runs on
one thread.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

import numpy as np
from gan_clean import CLEAN_PRIOR, SEED, clean_data, period_errors, requested_conditions

from physgen import fit_pendulum, judge_generator, precision_recall, residual_profile, simulate

N_JUDGE = 500
G_FIT = 9.81  # [m/s^2]: a fit finds g/l, so any fixed g will do
NFES = (2, 4, 6, 8, 10, 16, 20, 30, 40, 60, 80, 100)
NFE_REF = 1000
ORDER_RANGE = (10, 100)  # NFE over which the orders are fitted
OUT = Path(__file__).resolve().parent / "results" / "flow.txt"


def residual(samples, t):
    """Median fitted-pendulum residual RMS [rad]."""
    return float(np.median(fit_pendulum(samples, t, g=G_FIT).residual_rms))


def checkpoint_judge(heldout, t, log):
    """Judge of :func:`train_flow` checkpoints: residual, precision, recall (fixed noise)."""

    def judge(model, step):
        samples = model.sample(N_JUDGE, rng=np.random.default_rng(SEED))
        pr = precision_recall(heldout, samples)
        loss = model.history["loss"]
        out = {
            "loss": float(loss[-min(500, loss.size) :].mean()),
            "residual": residual(samples, t),
            "precision": pr.precision,
            "recall": pr.recall,
        }
        log(f"    step {step:6d}: " + "  ".join(f"{k} {v:.4f}" for k, v in out.items()))
        return out

    return judge


def full_judge(samples, split, t, fit_held):
    return judge_generator(
        samples,
        train=split.train,
        heldout=split.heldout,
        t=t,
        g=G_FIT,
        rng=SEED,
        heldout_fit=fit_held,
    )


def row(name, rep):
    return (
        f"  {name:28s} residual {rep.residual_median:.4f} (floor {rep.floor:.1e})  "
        f"P {rep.precision:.3f}  R {rep.recall:.3f}  MMD p {rep.mmd_p:.3f}  "
        f"memorisation {rep.memorisation:.2f}  failed fits {rep.n_failed}"
    )


def spread(values, digits=4):
    v = np.asarray(values, float)
    return (
        f"median {np.median(v):.{digits}f}, mean {v.mean():.{digits}f} ± {v.std(ddof=1):.{digits}f}"
        f" (sd), range [{v.min():.{digits}f}, {v.max():.{digits}f}], n = {v.size}"
        if v.size > 1
        else f"{v[0]:.{digits}f} (one seed)"
    )


def nfe_table(model, t, log):
    """Euler and Heun at NFES: median residual and RMS distance [rad] to a fine solve."""
    rng_seed = SEED + 11
    reference = model.sample(N_JUDGE, rng=rng_seed, method="heun", nfe=NFE_REF)
    table = {}
    log(f"    NFE table (reference: Heun, {NFE_REF} evaluations; same starting noise)")
    log(
        f"    {'NFE':>5s} {'Euler res':>10s} {'Euler dist':>11s} {'Heun res':>9s} {'Heun dist':>10s}"
    )
    for nfe in NFES:
        cells = []
        for method in ("euler", "heun"):
            x = model.sample(N_JUDGE, rng=rng_seed, method=method, nfe=nfe)
            dist = float(np.sqrt(np.mean((x - reference) ** 2)))
            table[method, nfe] = (residual(x, t), dist)
            cells += [table[method, nfe][0], dist]
        log(f"    {nfe:5d} {cells[0]:10.4f} {cells[1]:11.2e} {cells[2]:9.4f} {cells[3]:10.2e}")
    orders = {}
    for method in ("euler", "heun"):
        n = np.array([k for k in NFES if ORDER_RANGE[0] <= k <= ORDER_RANGE[1]])
        d = np.array([table[method, k][1] for k in n])
        orders[method] = float(-np.polyfit(np.log(n), np.log(d), 1)[0])
    heun = np.array([table["heun", k][0] for k in NFES])
    needed = int(np.array(NFES)[np.flatnonzero(heun <= 1.1 * heun.min())[0]])
    log(
        f"    orders (slope over NFE {ORDER_RANGE[0]}-{ORDER_RANGE[1]}): Euler "
        f"{orders['euler']:.2f}, Heun {orders['heun']:.2f}; Heun NFE within 10 % of its best "
        f"residual: {needed}; reference residual {residual(reference, t):.4f}"
    )
    return orders, needed


def train_judged(config, split, t, seed, log, conditions=None, every=None):
    from physgen.nn import flow

    marks = list(range(every, config.steps + 1, every)) if every else []
    judge = checkpoint_judge(split.heldout, t, log) if conditions is None and marks else None
    model = flow.train_flow(
        config,
        split.train,
        seed=seed,
        conditions=conditions,
        checkpoints=marks if judge else (),
        judge=judge,
    )
    log(
        f"    trained {model.steps} steps in {model.seconds:.1f} s (wall clock), "
        f"{model.n_parameters:,} parameters; judging took {model.judge_seconds:.1f} s"
    )
    return model


def run_space(space, args, split, t, fit_held, log, results):
    from physgen.nn import flow

    config = flow.FLOW_MATCHING.replace(space=space, n_components=args.components, steps=args.steps)
    log(f"\n== {space} flow: {config}")
    for seed in args.seeds:
        log(f"  seed {seed}")
        model = train_judged(config, split, t, seed, log, every=args.every)
        samples = model.sample(N_JUDGE, rng=SEED)
        rep = full_judge(samples, split, t, fit_held)
        log(row(f"{space}, seed {seed}", rep))
        profile = residual_profile(samples, t, g=G_FIT, fit=rep.physics.generated_fit).rms
        log(
            "    residual profile [rad] at t = 0, 1, 2, 3, 4, 4.95 s: "
            + " ".join(f"{profile[i]:.4f}" for i in (0, 20, 40, 60, 80, 99))
        )
        entry = {"report": rep, "seconds": model.seconds, "samples": samples}
        if space == "pca":
            entry["orders"], entry["needed"] = nfe_table(model, t, log)
        results.setdefault(space, []).append(entry)


def run_conditional(args, split, params, t, log):
    from physgen.nn import flow

    train_i, _, held_i = split.index
    cond = np.column_stack([params.length[train_i], params.g[train_i]])
    asked, inside = requested_conditions(params, held_i, np.random.default_rng(SEED + 7))
    config = flow.FLOW_MATCHING.replace(space="pca", n_components=args.components, steps=args.steps)
    log(f"\n== conditional flow (length [m], g [m/s^2]): {config}")
    inside_err, outside_err = [], []
    for seed in args.seeds:
        log(f"  seed {seed}")
        model = train_judged(config, split, t, seed, log, conditions=cond)
        samples = model.sample(len(asked), rng=SEED, conditions=asked)
        err = period_errors(samples, asked, t)
        inside_err.append(float(np.nanmedian(err[inside])))
        outside_err.append(float(np.nanmedian(err[~inside])))
        log(
            f"    period error: inside {inside_err[-1]:.2%}, outside (2-3 m) {outside_err[-1]:.2%}; "
            f"residual inside {residual(samples[inside], t):.4f}, outside "
            f"{residual(samples[~inside], t):.4f}"
        )
    log(f"  period error inside the training range: {spread(inside_err)}")
    log(f"  period error outside (lengths 2-3 m): {spread(outside_err)}")


def run_long(args, split, t, fit_held, log):
    """One seed of the PCA flow trained twice as long: is the residual still falling?"""
    from physgen.nn import flow

    steps = 2 * args.steps
    config = flow.FLOW_MATCHING.replace(space="pca", n_components=args.components, steps=steps)
    log(f"\n== longer training, one seed: {config}")
    model = train_judged(config, split, t, args.seeds[0], log, every=2 * args.every)
    rep = full_judge(model.sample(N_JUDGE, rng=SEED), split, t, fit_held)
    log(row(f"pca, {steps} steps", rep))
    for nfe in (40, 100):
        log(
            f"    Heun, NFE {nfe}: residual {residual(model.sample(N_JUDGE, rng=SEED, nfe=nfe), t):.4f}"
        )


def compare_gan(split, t, fit_held, log):
    """The GAN chapter's stored WGAN-GP samples (three seeds), judged by the same judges."""
    import json
    from importlib.resources import files

    results = files("physgen.nn.gan_results")
    log("\n== the GAN chapter's WGAN-GP on the same data (stored samples of its last checkpoint)")
    reps = []
    for seed in (SEED, SEED + 1, SEED + 2):
        record = json.loads((results / f"gan_clean_wgan_gp_{seed}.json").read_text())
        with (results / f"gan_clean_wgan_gp_{seed}.npz").open("rb") as fh:
            samples = np.load(fh)["samples"].astype(float)
        reps.append(full_judge(samples, split, t, fit_held))
        log(row(f"WGAN-GP, seed {seed}, {record['quality']['step'][-1]} steps", reps[-1]))
    for attr in ("residual_median", "precision", "recall", "mmd_p", "memorisation"):
        log(f"    {attr:16s} {spread([getattr(r, attr) for r in reps])}")
    cgan = json.loads((results / f"gan_clean_cgan_{SEED}.json").read_text())["quality"]
    log(
        f"  conditional GAN (one seed): period error inside {cgan['period_error'][-1]:.2%}, "
        f"outside {cgan['period_error_outside'][-1]:.2%}"
    )


def diagnose(args, split, t, fit_held, log):
    """Which solver's samples are best? The same learned ODE, the same noise, every judge."""
    from physgen.nn import flow

    config = flow.FLOW_MATCHING.replace(space="pca", n_components=args.components, steps=args.steps)
    log(f"\n== one learned ODE, several solvers (seed {args.seeds[0]}): {config}")
    model = train_judged(config, split, t, args.seeds[0], log)
    spread_data = float(np.sqrt(np.mean(split.heldout.std(axis=0) ** 2)))
    log(f"  held-out data: spread over the set (RMS over times of the std) {spread_data:.4f} rad")
    for method, nfe in (("heun", 1000), ("heun", 40), ("euler", 100), ("euler", 16), ("euler", 4)):
        samples = model.sample(N_JUDGE, rng=SEED, method=method, nfe=nfe)
        size = float(np.sqrt(np.mean(samples.std(axis=0) ** 2)))
        log(row(f"{method}, NFE {nfe}", full_judge(samples, split, t, fit_held)))
        log(f"    spread over the set {size:.4f} rad")


def sweep(args, split, t, fit_held, log):
    """The PCA flow with other numbers of components (one seed): truncation or whitening?"""
    from physgen.nn import flow

    for k in args.sweep:
        config = flow.FLOW_MATCHING.replace(space="pca", n_components=k, steps=args.steps)
        log(f"\n== {k} principal components (seed {args.seeds[0]}): {config}")
        model = train_judged(config, split, t, args.seeds[0], log)
        samples = model.sample(N_JUDGE, rng=SEED)
        log(row(f"pca, {k} components", full_judge(samples, split, t, fit_held)))


def equation_residual_grad(theta, dt):
    """Finite-difference residual of the pendulum equation and its gradient.

    r = D2 theta + k sin(theta) on the interior times, with k = g/l fitted per sample by
    least squares (k = -<D2 theta, sin theta> / <sin theta, sin theta>, held fixed in the
    gradient: k minimises E, so the gradient through k vanishes); E = mean(r^2) / 2 per
    sample. Returns (RMS of r [rad/s^2], dE/dtheta, k [1/s^2]).
    """
    T = theta.shape[1]
    d2 = (theta[:, 2:] - 2 * theta[:, 1:-1] + theta[:, :-2]) / dt**2
    sin = np.sin(theta[:, 1:-1])
    k = -np.sum(d2 * sin, axis=1, keepdims=True) / np.sum(sin * sin, axis=1, keepdims=True)
    r = d2 + k * sin
    grad = np.zeros_like(theta)
    w = r / (T - 2)
    grad[:, 2:] += w / dt**2
    grad[:, 1:-1] += -2 * w / dt**2 + k * np.cos(theta[:, 1:-1]) * w
    grad[:, :-2] += w / dt**2
    return np.sqrt(np.mean(r**2, axis=1)), grad, k[:, 0]


def guidance(args, split, t, fit_held, log):
    """Physics guidance: after the ODE solve, gradient steps down the equation's residual.

    The steps act on the flow's coordinates z (principal components): dE/dz = S B^T dE/dtheta.
    The step size is 1 / (largest eigenvalue of the quadratic part S B^T D2^T D2 B S / (T - 2)),
    the stable step of gradient descent on it, not a tuned number.
    """
    from physgen.nn import flow

    config = flow.FLOW_MATCHING.replace(space="pca", n_components=args.components, steps=args.steps)
    log(f"\n== physics guidance after sampling (seed {args.seeds[0]}): {config}")
    model = train_judged(config, split, t, args.seeds[0], log)
    coords, dt = model.coordinates, float(t[1] - t[0])
    T = t.size
    D2 = (np.eye(T, k=0)[:-2] - 2 * np.eye(T, k=1)[:-2] + np.eye(T, k=2)[:-2]) / dt**2
    A = coords.basis * coords.scale
    hessian = A.T @ D2.T @ D2 @ A / (T - 2)
    step = 1.0 / np.linalg.eigvalsh(hessian).max()
    log(f"  step size {step:.3e} (1 / largest eigenvalue of the quadratic part)")
    z = coords.encode(model.sample(N_JUDGE, rng=SEED))
    start = coords.decode(z)
    low, high = 1.62 / 2.0, 9.81 / 0.5  # g/l of the prior [1/s^2]
    done = 0
    for n_steps in (0, 10, 100, 1000):
        for _ in range(n_steps - done):
            _, grad, _ = equation_residual_grad(coords.decode(z), dt)
            z = z - step * (grad @ A)
        done = n_steps
        x = coords.decode(z)
        eq, _, k = equation_residual_grad(x, dt)
        log(row(f"{n_steps} guidance steps", full_judge(x, split, t, fit_held)))
        moved = np.sqrt(np.mean((x - start) ** 2, axis=1))
        log(
            f"    equation residual (finite differences), median {np.median(eq):.3f} rad/s^2; "
            f"fitted g/l outside the prior's [{low:.2f}, {high:.1f}] 1/s^2: "
            f"{np.mean((k < low) | (k > high)):.1%} (below: {np.mean(k < low):.1%}); "
            f"RMS change of a sample: median {np.median(moved):.3f} rad"
        )


def summary(results, truth, t, split, log):
    from physgen.nn import flow

    log("\n== summary (clean main line; 500 samples against the held-out set)")
    log(row("fresh exact pendulums (floor)", truth))
    for space, entries in results.items():
        reps = [e["report"] for e in entries]
        log(f"  {space}:")
        for attr in ("residual_median", "precision", "recall", "mmd_p", "memorisation"):
            log(f"    {attr:16s} {spread([getattr(r, attr) for r in reps])}")
        log(f"    train time [s]   {spread([e['seconds'] for e in entries], 1)}")
        if space == "pca":
            log(f"    Euler order      {spread([e['orders']['euler'] for e in entries], 2)}")
            log(f"    Heun order       {spread([e['orders']['heun'] for e in entries], 2)}")
            log(f"    NFE needed       {spread([e['needed'] for e in entries], 0)}")
    if "raw" in results and "pca" in results:
        k = results["pca"][0].get("k")
        coords = flow.flow_coordinates(split.train, space="pca", n_components=k)
        projected = [residual(coords.reconstruct(e["samples"]), t) for e in results["raw"]]
        log(
            f"  raw samples projected on the training set's {k} principal components: "
            f"residual {spread(projected)}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=16000)
    parser.add_argument("--every", type=int, default=2000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[SEED, SEED + 1, SEED + 2])
    parser.add_argument("--components", type=int, default=16)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--skip-raw", action="store_true")
    parser.add_argument("--skip-conditional", action="store_true")
    parser.add_argument("--skip-long", action="store_true")
    parser.add_argument(
        "--diagnose",
        action="store_true",
        help="only compare solvers on one learned ODE with every judge, appending to --out",
    )
    parser.add_argument(
        "--sweep",
        type=int,
        nargs="+",
        help="only train PCA flows with these numbers of components, appending to --out",
    )
    parser.add_argument(
        "--conditional-only",
        action="store_true",
        help="only train the conditional flow, appending to --out",
    )
    parser.add_argument(
        "--guidance",
        action="store_true",
        help="only measure physics guidance after sampling, appending to --out",
    )
    parser.add_argument(
        "--gan-only",
        action="store_true",
        help="only judge the GAN chapter's stored WGAN-GP samples, appending to --out",
    )
    args = parser.parse_args()

    from physgen._tf import tf
    from physgen.nn import flow

    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.config.threading.set_intra_op_parallelism_threads(1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    appending = (
        args.gan_only or args.diagnose or args.sweep or args.conditional_only or args.guidance
    )
    if appending and args.out.exists():
        lines = args.out.read_text().rstrip("\n").split("\n")

    def log(text):
        print(text, flush=True)
        lines.append(text)
        args.out.write_text("\n".join(lines) + "\n")

    start = time.perf_counter()
    split, params, t = clean_data()
    fit_held = fit_pendulum(split.heldout, t, g=G_FIT)
    if args.gan_only:
        compare_gan(split, t, fit_held, log)
        return
    if args.diagnose:
        diagnose(args, split, t, fit_held, log)
        return
    if args.sweep:
        sweep(args, split, t, fit_held, log)
        return
    if args.conditional_only:
        run_conditional(args, split, params, t, log)
        return
    if args.guidance:
        guidance(args, split, t, fit_held, log)
        return
    fresh = CLEAN_PRIOR.sample(N_JUDGE, rng=np.random.default_rng(SEED + 100))
    fresh_theta = simulate(fresh.theta0, fresh.omega0, t, length=fresh.length, g=fresh.g).theta
    truth = full_judge(fresh_theta, split, t, fit_held)
    log(
        f"data: clean main line, {' / '.join(str(len(i)) for i in split.index)} pendulums "
        f"(train / validation / held out), {len(t)} times over {t[-1]:.2f} s"
    )
    log(f"load average at start: {os.getloadavg()[0]:.1f}")
    log(row("fresh exact pendulums (floor)", truth))
    for k in (4, 8, 16, 32):
        coords = flow.flow_coordinates(split.train, space="pca", n_components=k)
        rec = coords.reconstruct(split.heldout)
        log(
            f"  PCA truncation, {k:2d} components: held-out reconstruction residual "
            f"{residual(rec, t):.2e} rad, RMS error {np.sqrt(np.mean((rec - split.heldout) ** 2)):.2e} rad"
        )
    results: dict = {}
    run_space("pca", args, split, t, fit_held, log, results)
    results["pca"][0]["k"] = args.components
    if not args.skip_raw:
        run_space("raw", args, split, t, fit_held, log, results)
    summary(results, truth, t, split, log)
    compare_gan(split, t, fit_held, log)
    if not args.skip_conditional:
        run_conditional(args, split, params, t, log)
    if not args.skip_long:
        run_long(args, split, t, fit_held, log)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    log(
        f"\ntotal {time.perf_counter() - start:.0f} s (wall clock), peak memory {peak:.0f} MB, "
        f"load average at end {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
