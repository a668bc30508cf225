"""Chapter 3's models, trained in one run: scores and training times.

Trains, on the original grid (exact targets, noise 0.1 t, split by trajectory
as in ``book/03-bayesian.md``), chapter 2's deterministic network
(``physgen.nn.IMPROVED``), the original's two MSE-trained "Bayesian" heads,
the aleatoric network, the Bayesian network (fine-tuned from the aleatoric
one, as in the chapter, and from scratch) and a 3-member deep ensemble; then
prints one table: mean RMSE against the clean truth, NLL, CRPS, 90 % coverage
on the held-out trajectories and training time, followed by the chapter's
targets for the Bayesian network.

Run: ``.venv/bin/python benchmarks/uncertainty.py [--seed N] [--skip-scratch]``.
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
    parser.add_argument("--skip-scratch", action="store_true",
                        help="do not train the Bayesian network from scratch (saves ~40 s)")
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

    def row(name, mean, std, seconds):
        per_traj = float(np.mean(rmse(test.truth, mean, by=test.trajectory_id)))
        if std is None:
            crps = float(np.mean(np.abs(test.target[scored] - mean[scored])))
            return [name, per_traj, None, crps, None, seconds]
        y, mu, sd = test.target[scored], mean[scored], std[scored]
        return [name, per_traj, cal.gaussian_nll(y, mu, sd), cal.crps_gaussian(y, mu, sd, reduce=True),
                cal.coverage(y, mu, sd, level=0.9), seconds]

    rows = []
    det = nn.train(nn.IMPROVED, train, validation=validation, seed=args.seed)
    rows.append(row("deterministic (nn.IMPROVED)", det.predict(test.features), None,
                    det.seconds))
    for name, cfg in [("original, fixed scale (batch 256)", nn.ORIGINAL_FIXED),
                      ("original, softplus scale (batch 256)", nn.ORIGINAL_SOFTPLUS)]:
        m = nn.train(cfg.replace(batch_size=256), (train.features, train.target), seed=args.seed,
                     validation=(validation.features, validation.target))
        p = m.predictive(test.features)
        rows.append(row(name, p.mean, p.std, m.seconds))
    aleatoric = nn.train(nn.ALEATORIC, (train.features, train.target), seed=args.seed)
    p = aleatoric.predictive(test.features)
    rows.append(row("aleatoric (ALEATORIC)", p.mean, p.std, aleatoric.seconds))
    bnn = nn.train(nn.BAYESIAN_FINETUNE, (train.features, train.target), seed=args.seed,
                   init_from=aleatoric)
    p = bnn.predictive(test.features, n_samples=200, rng=rng)
    rows.append(row("Bayesian (BAYESIAN_FINETUNE, + aleatoric time)", p.mean, p.std,
                    bnn.seconds + aleatoric.seconds))
    bnn_row = rows[-1]
    if not args.skip_scratch:
        scratch = nn.train(nn.BAYESIAN, (train.features, train.target), seed=args.seed)
        p = scratch.predictive(test.features, n_samples=200, rng=rng)
        rows.append(row("Bayesian from scratch (BAYESIAN)", p.mean, p.std,
                        scratch.seconds))
    members = [aleatoric] + [nn.train(nn.ALEATORIC, (train.features, train.target),
                                      seed=args.seed + i) for i in (1, 2)]
    ens = nn.Ensemble(members)
    p = ens.predictive(test.features)
    rows.append(row("deep ensemble (3 x ALEATORIC)", p.mean, p.std, ens.seconds))

    def fmt(v, digits):
        return "—" if v is None else f"{v:.{digits}f}"

    header = f"{'model':48s} {'RMSE [rad]':>10s} {'NLL':>7s} {'CRPS':>7s} {'cov90':>6s} {'train [s]':>9s}"
    print(header)
    print("-" * len(header))
    for name, r_, nll, crps, cov, sec in rows:
        print(f"{name:48s} {r_:10.4f} {fmt(nll, 3):>7s} {fmt(crps, 4):>7s} {fmt(cov, 3):>6s} "
              f"{sec:9.1f}")
    print(f"\nNLL floor (true noise at the clean truth): {floor:.3f} nats")
    _, r_bnn, nll_bnn, _, cov_bnn, _ = bnn_row
    r_det = rows[0][1]
    print("targets for the Bayesian network (chapter 3):")
    print(f"  90 % coverage {cov_bnn:.3f} in [0.87, 0.93]: {0.87 <= cov_bnn <= 0.93}")
    print(f"  NLL - floor {nll_bnn - floor:.3f} <= 0.3: {nll_bnn - floor <= 0.3}")
    print(f"  RMSE ratio to deterministic {r_bnn / r_det:.2f} <= 1.5: {r_bnn / r_det <= 1.5}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nTensorFlow import {import_seconds:.1f} s; total {time.perf_counter() - start:.1f} s; "
          f"peak memory {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
