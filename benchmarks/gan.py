"""Train three GANs on the companion notebook's data and print their judged table with the times.

Run:  python benchmarks/gan.py  [--epochs-original E] [--epochs-gp E] [--seeds S ...]

The companion notebook's data (400 pendulums, 100 time points, a quarter held out), split
by ``make_trajectory_set(...).split``, counted in epochs (the GAN chapter now counts
generator steps, and trains the clean main line in ``benchmarks/gan_clean.py``):

* the companion's WGAN (``physgen.gan.ORIGINAL_WGAN``) on the data with the jitter bug,
  for ``--epochs-original`` epochs;
* WGAN-GP (``physgen.gan.WGAN_GP``) on the fixed data, once per seed;
* the conditional WGAN-GP on the pendulum's length, on the fixed data.

Every row is judged with ``physgen.judge_generator`` against the held-out quarter
(as many samples as held-out trajectories): median fitted-pendulum residual against
the real floor, MMD p-value, precision, recall, memorisation. The conditional GAN's
row also gives the median relative error of its samples' period against the physics
(``physgen.period`` at the asked length, from each sample's fitted angle and velocity).

Times: wall clock and process CPU time of each training. The machine may be shared,
so the load average is printed with the table; the CPU time is the better guide to
the cost on an idle machine. The peak resident memory of the whole run is printed last.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np

from physgen import (
    GENERATOR_GRID,
    fit_pendulum,
    judge_generator,
    make_trajectory_set,
    period,
)

SEED = 20240605
STRIDE = 5
G_DATA = 10.0


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs-original", type=int, default=100)
    parser.add_argument("--epochs-gp", type=int, default=500)
    parser.add_argument("--seeds", type=int, nargs="+", default=[SEED, SEED + 1, SEED + 2])
    args = parser.parse_args()

    from physgen import gan  # imports TensorFlow

    bugged = make_trajectory_set(GENERATOR_GRID, stride=STRIDE, rng=SEED)
    fixed = make_trajectory_set(
        GENERATOR_GRID, stride=STRIDE, accumulate_jitter=False, rng=SEED + 1
    )
    sets = {
        "bug": bugged.split(heldout_fraction=0.25, rng=SEED),
        "fixed": fixed.split(heldout_fraction=0.25, rng=SEED + 1),
    }
    t = bugged.t
    fits = {k: fit_pendulum(held.theta, t, g=G_DATA) for k, (_, held) in sets.items()}

    runs = [
        (
            "companion WGAN",
            "bug",
            gan.ORIGINAL_WGAN.replace(epochs=args.epochs_original),
            SEED,
            False,
        )
    ]
    runs += [
        (f"WGAN-GP seed {s}", "fixed", gan.WGAN_GP.replace(epochs=args.epochs_gp), s, False)
        for s in args.seeds
    ]
    runs.append(
        ("conditional GAN", "fixed", gan.WGAN_GP.replace(epochs=args.epochs_gp), SEED, True)
    )

    rows = []
    for name, which, config, seed, conditional in runs:
        train, held = sets[which]
        cond = train.params.length if conditional else None
        result, wall, cpu = timed(
            lambda: gan.train_gan(config, train.theta, conditions=cond, seed=seed)
        )
        rng = np.random.default_rng(seed)
        extra = ""
        if conditional:
            samples = result.sample(len(held), conditions=held.params.length, rng=rng)
            fit = fit_pendulum(samples, t, g=G_DATA)
            T_fit = period(fit.theta0, fit.omega0, length=fit.length, g=G_DATA)
            T_phys = period(fit.theta0, fit.omega0, length=held.params.length, g=G_DATA)
            extra = f"{np.median(np.abs(T_fit / T_phys - 1)):.1%}"
        else:
            samples = result.sample(len(held), rng=rng)
        report = judge_generator(
            samples,
            train=train.theta,
            heldout=held.theta,
            t=t,
            g=G_DATA,
            rng=seed,
            heldout_fit=fits[which],
        )
        rows.append(
            [
                name,
                f"{result.steps}",
                f"{wall:.1f}",
                f"{cpu:.1f}",
                f"{report.residual_median:.3f}",
                f"{report.floor:.3f}",
                f"{report.mmd_p:.3f}",
                f"{report.precision:.2f}",
                f"{report.recall:.2f}",
                f"{report.memorisation:.2f}",
                extra,
            ]
        )
        print(f"  done: {name} ({wall:.0f} s)", flush=True)

    header = [
        "generator",
        "gen. steps",
        "wall [s]",
        "CPU [s]",
        "residual [rad]",
        "floor [rad]",
        "MMD p",
        "precision",
        "recall",
        "memorisation",
        "period error",
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print(
        f"\nGANs of {len(bugged)} pendulums x {len(t)} time points "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the run: {peak:.0f} MB (resident)")


if __name__ == "__main__":
    main()
