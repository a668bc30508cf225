"""Chapter 3's models, trained in one run: scores, learned spreads, and a budget check.

Trains, on the original grid (exact targets, noise 0.1 t, split by trajectory
as in ``book/03-bayesian.md``), the original's two MSE-trained "Bayesian" heads
exactly (batch 32), the aleatoric network, the Bayesian network as the chapter
trains it (``nn.BAYESIAN`` from the aleatoric network), the first edition's
short variational stage (``nn.BAYESIAN_FINETUNE``), the Bayesian network with
twice the chapter's epochs (does the chapter's budget reach the ELBO's
optimum?), and a 3-member deep ensemble. Prints one table: mean RMSE against
the clean truth, NLL, CRPS and 90 % coverage on the held-out trajectories, the
final loss (-ELBO per row for Bayesian networks), the median posterior spread,
and the training time.

Run: ``.venv/bin/python benchmarks/uncertainty.py [--seed N] [--skip-long]``.
Timings are wall clock on this machine (shared CPUs inflate them).
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from physgen import ORIGINAL_GRID, make_dataset, split_by_trajectory
from physgen import calibration as cal
from physgen.metrics import rmse


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20240603)
    parser.add_argument(
        "--skip-long",
        action="store_true",
        help="do not train the Bayesian network with twice the epochs",
    )
    args = parser.parse_args(argv)

    start = time.perf_counter()
    from physgen import nn

    import_seconds = time.perf_counter() - start
    rng = np.random.default_rng(args.seed)
    data = make_dataset(ORIGINAL_GRID, method="exact", rng=rng)
    train, validation, test = split_by_trajectory(data, rng=rng)
    t_test = test.features[:, 2]
    scored = t_test > 0
    floor = cal.gaussian_nll_floor(test.noise.std(t_test)[scored])

    def row(name, model, seconds):
        p = model.predictive(test.features, n_samples=100, rng=np.random.default_rng(args.seed))
        per_traj = float(np.mean(rmse(test.truth, p.mean, by=test.trajectory_id)))
        y, mu, sd = test.target[scored], p.mean[scored], p.std[scored]
        spread = None
        members = getattr(model, "members", (model,))
        if members[0].stochastic_weights:
            spread = float(
                np.median(np.concatenate([s.ravel() for _, s, _ in model.network.layers]))
            )
        loss = None if hasattr(model, "members") else model.history["loss"][-1]
        return [
            name,
            per_traj,
            cal.gaussian_nll(y, mu, sd),
            cal.crps_gaussian(y, mu, sd, reduce=True),
            cal.coverage(y, mu, sd, level=0.9),
            loss,
            spread,
            seconds,
        ]

    rows = []
    for name, cfg in [
        ("original, fixed scale", nn.ORIGINAL_FIXED),
        ("original, softplus scale", nn.ORIGINAL_SOFTPLUS),
    ]:
        m = nn.train(cfg, train, validation=validation, seed=args.seed)
        rows.append(row(name, m, m.seconds))
    aleatoric = nn.train(nn.ALEATORIC, train, seed=args.seed)
    rows.append(row("aleatoric (ALEATORIC)", aleatoric, aleatoric.seconds))
    for name, cfg in [
        ("Bayesian (BAYESIAN, from aleatoric)", nn.BAYESIAN),
        ("first edition (BAYESIAN_FINETUNE)", nn.BAYESIAN_FINETUNE),
    ]:
        b = nn.train(cfg, train, seed=args.seed, init_from=aleatoric)
        rows.append(row(name, b, b.seconds))
    if not args.skip_long:
        cfg = nn.BAYESIAN.replace(epochs=2 * nn.BAYESIAN.epochs)
        b = nn.train(cfg, train, seed=args.seed, init_from=aleatoric)
        rows.append(row(f"Bayesian, {cfg.epochs} epochs", b, b.seconds))
    members = [aleatoric] + [nn.train(nn.ALEATORIC, train, seed=args.seed + i) for i in (1, 2)]
    ens = nn.Ensemble(members)
    rows.append(row("deep ensemble (3 x ALEATORIC)", ens, ens.seconds))

    def fmt(v, digits):
        return "—" if v is None else f"{v:.{digits}f}"

    header = (
        f"{'model':38s} {'RMSE [rad]':>10s} {'NLL':>7s} {'CRPS':>7s} {'cov90':>6s} "
        f"{'loss':>8s} {'spread':>7s} {'train [s]':>9s}"
    )
    print(header)
    print("-" * len(header))
    for name, r_, nll, crps, cov, loss, spread, sec in rows:
        print(
            f"{name:38s} {r_:10.4f} {nll:7.3f} {crps:7.4f} {cov:6.3f} {fmt(loss, 4):>8s} "
            f"{fmt(spread, 4):>7s} {sec:9.1f}"
        )
    print(
        f"\nNLL floor (true noise at the clean truth): {floor:.3f} nats; loss: last epoch's "
        "training loss (-ELBO per row for Bayesian networks); spread: median posterior std "
        "of the kernel weights"
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"TensorFlow import {import_seconds:.1f} s; total {time.perf_counter() - start:.1f} s; "
        f"peak memory {peak_mb:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
