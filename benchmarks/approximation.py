"""Benchmark: the original set-up against the improved one (chapter 2).

Trains both configurations (``physgen.nn.ORIGINAL`` and ``IMPROVED``) on the same
70 training trajectories of the original grid (Euler-Cromer targets, noise 0.1*t,
the original's accumulating jitter), early-stops / picks the best epoch on the same 15
validation trajectories, and scores both on the same 15 test trajectories against
the exact solution. Prints a table of RMSE, training wall time and their ratios.

Targets: improved RMSE at least 3x lower than the original's; improved training
under 60 s on 2 cores.

Run: ``.venv/bin/python benchmarks/approximation.py [--seed N]``
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

from physgen import ORIGINAL_GRID, make_dataset, rmse, split_by_row, split_by_trajectory


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seed",
        type=int,
        default=20240602,
        help="seed of the data, the split and the training (default: chapter 2's)",
    )
    args = parser.parse_args(argv)

    from physgen import nn

    rng = np.random.default_rng(args.seed)
    data = make_dataset(ORIGINAL_GRID, accumulate_jitter=True, rng=rng)
    split_by_row(data, rng=rng)  # drawn as in chapter 2, so its numbers are reproduced
    train, val, test = split_by_trajectory(data, rng=rng)

    rows = []
    for name, config in [("original", nn.ORIGINAL), ("improved", nn.IMPROVED)]:
        res = nn.train(config, train, validation=val, seed=args.seed)
        err = rmse(test.truth, res.predict(test.features))
        rows.append((name, err, res.seconds, res.epochs_run))

    (_, err_o, sec_o, _), (_, err_i, sec_i, _) = rows
    print(
        f"chapter 2 approximation benchmark (seed {args.seed}; {train.n_trajectories} train / "
        f"{val.n_trajectories} validation / {test.n_trajectories} test trajectories)"
    )
    print(f"{'set-up':<10} {'RMSE vs exact [rad]':>20} {'train time [s]':>15} {'epochs':>7}")
    for name, err, sec, ep in rows:
        print(f"{name:<10} {err:>20.4f} {sec:>15.1f} {ep:>7d}")
    ratio = err_o / err_i
    print(
        f"{'ratio':<10} {ratio:>19.2f}x {sec_i / sec_o:>14.2f}x   (RMSE original/improved; "
        "time improved/original)"
    )
    ok_acc, ok_time = ratio >= 3.0, sec_i < 60.0
    print(
        f"target RMSE ratio >= 3: {'PASS' if ok_acc else 'FAIL'}; "
        f"improved training < 60 s: {'PASS' if ok_time else 'FAIL'}"
    )
    return 0 if ok_acc and ok_time else 1


if __name__ == "__main__":
    sys.exit(main())
