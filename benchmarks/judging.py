"""Cost of the judges of generated pendulums against the number of trajectories.

Run:  python benchmarks/judging.py  [--sizes 100 300 1000 3000] [--points T] [--repeats R]

For each number of trajectories n (T time points over 5 s, N(0, 0.05^2) rad noise,
pendulums of the default prior), prints one row, every number measured in this run:

* ``fit_pendulum`` on n trajectories: wall time, time per trajectory, and the largest
  excess of the fitted residual over the residual at the true parameters (must be
  <= 0: the fit found the global minimum for every trajectory);
* ``two_sample_test`` of two sets of n trajectories (500 permutations);
* ``precision_recall`` of two sets of n (k = 5);
* ``memorisation_ratio`` with n training, n generated and n held-out trajectories.

Times are the best of ``--repeats`` wall-clock runs; the machine may be shared, so the
load average is printed with the table.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from physgen import (
    PendulumPrior,
    fit_pendulum,
    memorisation_ratio,
    precision_recall,
    simulate,
    two_sample_test,
)

SEED = 2024
SIGMA = 0.05  # rad


def best_time(fn, repeats):
    best, out = np.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000, 3000])
    parser.add_argument("--points", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()

    rng = np.random.default_rng(SEED)
    t = np.linspace(0.0, 5.0, args.points)
    prior = PendulumPrior()
    print(
        f"Judges on n noisy trajectories of {args.points} points (sigma = {SIGMA} rad); "
        f"best of {args.repeats}; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores"
    )
    header = (
        f"{'n':>6} | {'fit_pendulum [s]':>16} | {'per traj. [ms]':>14} | "
        f"{'excess [rad]':>12} | {'MMD test [s]':>12} | {'prec/recall [s]':>15} | "
        f"{'memorisation [s]':>16}"
    )
    print(header)
    print("-" * len(header))
    for n in args.sizes:
        sets = []
        for _ in range(4):
            p = prior.sample(n, rng=rng)
            clean = simulate(p.theta0, p.omega0, t, length=p.length, g=p.g).theta
            sets.append((clean, clean + SIGMA * rng.standard_normal(clean.shape)))
        (clean, noisy), (_, other), (_, third), (_, fourth) = sets
        t_fit, fit = best_time(lambda: fit_pendulum(noisy, t), args.repeats)
        truth_rms = np.sqrt(np.mean((noisy - clean) ** 2, axis=1))
        excess = float(np.max(fit.residual_rms - truth_rms))
        t_mmd, _ = best_time(lambda: two_sample_test(noisy, other, rng=0), args.repeats)
        t_pr, _ = best_time(lambda: precision_recall(noisy, other, k=5), args.repeats)
        t_mem, _ = best_time(lambda: memorisation_ratio(noisy, third, fourth), args.repeats)
        print(
            f"{n:>6} | {t_fit:>16.2f} | {1e3 * t_fit / n:>14.2f} | {excess:>12.1e} | "
            f"{t_mmd:>12.2f} | {t_pr:>15.2f} | {t_mem:>16.2f}"
        )


if __name__ == "__main__":
    main()
