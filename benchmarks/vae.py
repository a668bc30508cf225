"""How long the VAE needs to train: judged quality against epochs, on both data sets.

Run:  python benchmarks/vae.py  [--data clean|companion] [--epochs E] [--checkpoints C ...]
                                [--seed S]

``--data companion``: the original notebook's data as in chapter 4 (400 pendulums,
100 time points, noise 0.1 t, a quarter held out); ``--data clean``: Part 2's
clean main line (:func:`physgen.clean_line`: 2,000 exact pendulums of chapter 1's prior,
split by pendulum 70 / 15 / 15). ``benchmarks/vae_clean.py`` stores the three-seed runs
that chapters 4 and 8 read. One VAE of ``physgen.vae`` per config (the fixed one: beta 1, exact KL,
no dropout; on the companion data also the original, ``ORIGINAL_VAE``) is trained
without early stopping for ``--epochs`` epochs; after each checkpoint epoch its
samples (as many as held-out trajectories, the same latents each time) are judged
with ``physgen.judge_generator``: median fitted-pendulum residual against the floor,
precision, recall, MMD p-value, memorisation. The training loss at each checkpoint
and, at the end, the decoder means' residual and the decoder scale (RMS) are printed:
a Gaussian decoder adds its scale to every sample, so the sample residual is roughly
the two in quadrature. A run that diverges (NaN loss) is reported as such.

Times are wall clock (the machine may be shared: the load average is printed).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from physgen import (
    GENERATOR_GRID,
    clean_line,
    fit_pendulum,
    judge_generator,
    make_trajectory_set,
    vae,
)

SEED = 20240604


def data_sets(which: str):
    """(train, heldout, t, g) of the chapter's clean line or the companion's data."""
    if which == "clean":
        line = clean_line()
        return line.train, line.heldout, line.t, 9.81
    data = make_trajectory_set(GENERATOR_GRID, stride=5, rng=SEED)
    train, heldout = data.split(heldout_fraction=0.25, rng=SEED)
    return train.theta, heldout.theta, data.t, 10.0


def report(name, trained, train, heldout, t, g, checkpoints):
    """Print the judged quality at every checkpoint, and the decoder's two error parts."""
    print(f"{name}: {trained.seconds:.1f} s (wall clock) for {trained.epochs_run} epochs")
    fit = fit_pendulum(heldout, t, g=g)
    for e in checkpoints:
        samples, loss = trained.checkpoints[e], trained.history["loss"][e - 1]
        if not np.isfinite(samples).all():
            print(f"  epoch {e:5d}: diverged (loss {loss})")
            continue
        r = judge_generator(
            samples,
            train=train,
            heldout=heldout,
            t=t,
            g=g,
            n_permutations=200,
            rng=0,
            heldout_fit=fit,
        )
        print(
            f"  epoch {e:5d}: loss {loss:9.1f}  residual {r.residual_median:.3f} (floor "
            f"{r.floor:.3f})  P {r.precision:.2f}  R {r.recall:.2f}  MMD p {r.mmd_p:.3f}  "
            f"memorisation {r.memorisation:.2f}"
        )
    means = trained.sample(len(heldout), rng=1, noise=False)
    if np.isfinite(means).all():
        z = np.random.default_rng(1).standard_normal((len(heldout), trained.config.latent_dim))
        scale = float(np.sqrt(np.mean(trained.decode(z)[1] ** 2)))
        residual = float(np.median(fit_pendulum(means, t, g=g).residual_rms))
        print(f"  decoder means: residual {residual:.3f} rad; decoder scale RMS {scale:.3f} rad")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", choices=("clean", "companion"), default="clean")
    parser.add_argument("--epochs", type=int, default=400)
    parser.add_argument("--checkpoints", type=int, nargs="+", default=[50, 100, 200, 400])
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    checkpoints = sorted(e for e in set(args.checkpoints) if e <= args.epochs)
    train, heldout, t, g = data_sets(args.data)
    configs = {"fixed (beta 1, exact KL, no dropout)": vae.VAEConfig(dropout=0.0, kl_weight=1.0)}
    if args.data == "companion":
        configs = {"original (ORIGINAL_VAE)": vae.ORIGINAL_VAE, **configs}
    print(f"data: {args.data}, {len(train)} training / {len(heldout)} held-out trajectories")
    print(f"load average: {os.getloadavg()[0]:.1f}")
    start = time.perf_counter()
    for name, config in configs.items():
        trained = vae.train_vae(
            config.replace(epochs=args.epochs, patience=None),
            train,
            seed=args.seed,
            checkpoints=checkpoints,
            checkpoint_samples=len(heldout),
        )
        report(name, trained, train, heldout, t, g, checkpoints)
    print(f"total {time.perf_counter() - start:.0f} s (wall clock)")


if __name__ == "__main__":
    main()
