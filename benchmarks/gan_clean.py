"""WGAN-GP and the conditional GAN on the clean main line, by generator steps, over seeds.

Run:  python benchmarks/gan_clean.py [--steps S] [--every E] [--seeds A B C] [--model M]
      [--out-dir DIR]

The GAN chapter (book/05-gan.md) cannot afford three seeds of a WGAN-GP trained to its
plateau inside its cost budget, so this script trains them and writes one JSON file per
model (``physgen/nn/gan_results/gan_clean_<model>_<seed>.json``, committed and shipped
in the package, with the samples of the last checkpoint beside it in a ``.npz``); the chapter reads
them, checks that they were produced from the same data and settings (the fingerprint
below), and says so.

The data (the clean main line, :func:`physgen.clean_line`): chapter 1's prior over pendulums
(lengths 0.5-2 m, g from the Moon's 1.62 to the Earth's 9.81 m/s^2, starting angles within
+-1.5 rad, velocities within +-3 rad/s), pushed through the exact solution on 100 times
0.05 s apart (5 s); one trajectory per pendulum, no mass, no noise; split 70/15/15 by
pendulum with :func:`physgen.split_by_pendulum`, which proves no held-out pendulum is in
the training set.

Every ``--every`` generator steps the samples are judged (:func:`checkpoint_judge`): median
residual of fitted pendulums, precision and recall against the held-out set, on
``N_JUDGE`` samples. Models: ``wgan_gp`` (``physgen.gan.WGAN_GP``, unconditional) and
``cgan`` (the same, conditioned on the pendulum's length and g); for the conditional GAN the
checkpoints also give the median relative period error (:func:`period_errors`).
The file is rewritten at every checkpoint, so a run cut short still leaves its curve.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path

import numpy as np

from physgen import (
    CLEAN_PRIOR,
    CLEAN_SEED,
    clean_line,
    fit_pendulum,
    period,
    precision_recall,
)

SEED = CLEAN_SEED
N_JUDGE = 500
G_FIT = 9.81  # [m/s^2]: a fit finds g/l, so any fixed g will do
#: Written into the package, so that the chapter finds them wherever it runs (the wheel).
RESULTS = Path(__file__).resolve().parents[1] / "physgen" / "nn" / "gan_results"


def clean_data():
    """The clean main line (:func:`physgen.clean_line`) as (split, pendulums, t)."""
    line = clean_line()
    return line.split, line.pendulums, line.t


def requested_conditions(params, index, rng):
    """Conditions (length [m], g [m/s^2]) asked of the conditional GAN, and which are inside.

    Half inside the training range (fresh draws from the prior), half outside it
    (lengths 2-3 m, g from the prior).
    """
    n = N_JUDGE
    fresh = CLEAN_PRIOR.sample(n, rng=rng)
    length = fresh.length.copy()
    outside = np.arange(n) >= n // 2
    length[outside] = rng.uniform(2.0, 3.0, outside.sum())
    return np.column_stack([length, fresh.g]), ~outside


def period_errors(samples, asked, t):
    """Relative error of each sample's fitted period against the asked pendulum's period.

    The period asked for is the exact period (:func:`physgen.period`) of a pendulum of the
    asked length and g at the sample's own fitted starting angle and velocity; the fitted
    period is that of the fitted pendulum.
    """
    fit = fit_pendulum(samples, t, g=G_FIT)
    T_fit = period(fit.theta0, fit.omega0, length=fit.length, g=G_FIT)
    T_ask = period(fit.theta0, fit.omega0, length=asked[:, 0], g=asked[:, 1])
    return np.abs(T_fit / T_ask - 1.0)


def checkpoint_judge(heldout, t, *, asked=None, inside=None):
    """A judge for :func:`physgen.nn.gan_training.train_by_steps` (fixed sampling seed)."""

    def judge(gan, step):
        rng = np.random.default_rng(SEED)
        samples = gan.sample(N_JUDGE, rng=rng, conditions=asked)
        fit = fit_pendulum(samples, t, g=G_FIT)
        pr = precision_recall(heldout, samples)
        out = {
            "residual_median": float(np.median(fit.residual_rms)),
            "precision": pr.precision,
            "recall": pr.recall,
        }
        if asked is not None:
            err = period_errors(samples, asked, t)
            out["period_error"] = float(np.nanmedian(err[inside]))
            out["period_error_outside"] = float(np.nanmedian(err[~inside]))
        return out

    return judge


def recording_judge(inner, record, out_file, asked):
    """Wrap a checkpoint judge: after each judgement, rewrite the JSON record and the samples."""
    quality: dict[str, list] = {"step": []}

    def judge(g, step):
        scores = inner(g, step)
        quality["step"].append(step)
        for k, v in scores.items():
            quality.setdefault(k, []).append(v)
        record.update(
            quality=quality,
            seconds_so_far=g.seconds,
            cpu_seconds_so_far=time.process_time(),
            critic_loss_per_1000=[
                float(np.mean(g.history["critic_loss"][i : i + 1000])) for i in range(0, step, 1000)
            ],
            load_average=os.getloadavg()[0],
            peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        )
        out_file.write_text(json.dumps(record, indent=1) + "\n")
        samples = g.sample(N_JUDGE, rng=np.random.default_rng(SEED), conditions=asked)
        np.savez_compressed(
            out_file.with_suffix(".npz"), samples=samples.astype(np.float32), step=step
        )
        print(f"{record['model']} seed {record['seed']} step {step}: {scores}", flush=True)
        return scores

    return judge


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=24000)
    parser.add_argument("--every", type=int, default=3000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[SEED])
    parser.add_argument("--model", choices=("wgan_gp", "cgan"), default="wgan_gp")
    parser.add_argument("--out-dir", type=Path, default=RESULTS)
    args = parser.parse_args()

    from physgen import gan
    from physgen.nn.gan_training import train_by_steps, training_fingerprint

    split, params, t = clean_data()
    train_i, _, held_i = split.index
    config = gan.WGAN_GP
    cond = asked = inside = None
    if args.model == "cgan":
        cond = np.column_stack([params.length[train_i], params.g[train_i]])
        asked, inside = requested_conditions(params, held_i, np.random.default_rng(SEED + 7))
    marks = list(range(args.every, args.steps + 1, args.every))
    for seed in args.seeds:
        out_file = args.out_dir / f"gan_clean_{args.model}_{seed}.json"
        record = {
            "model": args.model,
            "seed": seed,
            "steps": args.steps,
            "fingerprint": training_fingerprint(split.train, config, cond),
            "config": repr(config),
        }
        judge = recording_judge(
            checkpoint_judge(split.heldout, t, asked=asked, inside=inside),
            record,
            out_file,
            asked,
        )
        run = train_by_steps(
            config,
            split.train,
            steps=args.steps,
            seed=seed,
            conditions=cond,
            checkpoints=marks,
            judge=judge,
        )
        record["seconds"] = run.gan.seconds
        record["complete"] = True
        out_file.write_text(json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    main()
