"""The fixed VAE on the clean main line, judged by epochs, over seeds; results stored.

Run:  python benchmarks/vae_clean.py [--epochs E] [--checkpoints C ...] [--seeds A B C]
      [--out-dir DIR]

Chapter 4 (book/04-vae.md) cannot afford three seeds of the VAE trained to its plateau
inside its cost budget, and the closing comparison (book/08-takeaways.md) judges every
generator on the same samples, so this script trains them and writes, per seed,
``physgen/nn/vae_results/vae_clean_<seed>.json`` (the judged quality at every checkpoint,
the loss per epoch, the training time, the decoder's two error parts) and the 500 samples
of the last checkpoint beside it (``.npz``). Both ship in the package; the pages load them
with :func:`physgen.load_stored_run`, which checks the fingerprint of the training data
and settings (:func:`physgen.training_fingerprint`).

The data: :func:`physgen.clean_line` (2,000 exact pendulums of chapter 1's prior on 100
times 0.05 s apart, split 70/15/15 by pendulum, no twins). The VAE: ``CLEAN_VAE`` (beta 1,
the exact KL, no dropout, no early stopping; ``--epochs`` epochs). At every checkpoint
epoch, ``N_JUDGE`` samples (the same latents each time) are judged: median residual of
fitted pendulums, precision and recall against the held-out set.

Times are wall clock on a shared machine (the load average is stored).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
from pathlib import Path

import numpy as np

from physgen import clean_line, fit_pendulum, precision_recall, training_fingerprint

N_JUDGE = 500
G_FIT = 9.81  # [m/s^2]: a fit finds g/l, so any fixed g will do
RESULTS = Path(__file__).resolve().parents[1] / "physgen" / "nn" / "vae_results"


def clean_vae(epochs):
    """The fixed VAE of chapter 4: beta 1, the exact KL, no dropout, no early stopping."""
    from physgen import vae

    return vae.VAEConfig(dropout=0.0, kl_weight=1.0, epochs=epochs, patience=None)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1600)
    parser.add_argument(
        "--checkpoints", type=int, nargs="+", default=[100, 200, 400, 800, 1200, 1600]
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[20240605])
    parser.add_argument("--out-dir", type=Path, default=RESULTS)
    args = parser.parse_args()

    from physgen import vae

    line = clean_line()
    t = line.t
    config = clean_vae(args.epochs)
    marks = sorted(e for e in set(args.checkpoints) if e <= args.epochs)
    fit_held = fit_pendulum(line.heldout, t, g=G_FIT)
    for seed in args.seeds:
        trained = vae.train_vae(
            config, line.train, seed=seed, checkpoints=marks, checkpoint_samples=N_JUDGE
        )
        quality: dict[str, list] = {
            "epoch": [],
            "residual_median": [],
            "precision": [],
            "recall": [],
        }
        for e in marks:
            samples = trained.checkpoints[e]
            pr = precision_recall(line.heldout, samples)
            quality["epoch"].append(e)
            quality["residual_median"].append(
                float(np.median(fit_pendulum(samples, t, g=G_FIT).residual_rms))
            )
            quality["precision"].append(pr.precision)
            quality["recall"].append(pr.recall)
        means = trained.sample(N_JUDGE, rng=seed, noise=False)
        z = np.random.default_rng(seed).standard_normal((N_JUDGE, config.latent_dim))
        record = {
            "model": "vae",
            "seed": seed,
            "epochs": args.epochs,
            "fingerprint": training_fingerprint(line.train, config),
            "config": repr(config),
            "quality": quality,
            "loss": [float(v) for v in trained.history["loss"]],
            "seconds": trained.seconds,
            "parameters": trained.n_parameters,
            "decoder_mean_residual": float(np.median(fit_pendulum(means, t, g=G_FIT).residual_rms)),
            "decoder_scale_rms": float(np.sqrt(np.mean(trained.decode(z)[1] ** 2))),
            "heldout_median_residual": float(np.median(fit_held.residual_rms)),
            "load_average": os.getloadavg()[0],
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
        out = args.out_dir / f"vae_clean_{seed}.json"
        out.write_text(json.dumps(record, indent=1) + "\n")
        np.savez_compressed(
            out.with_suffix(".npz"),
            samples=trained.checkpoints[marks[-1]].astype(np.float32),
            epoch=marks[-1],
        )
        print(f"vae seed {seed}: {quality}  {trained.seconds:.0f} s", flush=True)


if __name__ == "__main__":
    main()
