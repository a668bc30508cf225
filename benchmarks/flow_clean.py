"""Flow matching on the clean main line, over seeds; results stored for the pages.

Run:  python benchmarks/flow_clean.py [--model pca|raw|cond] [--seeds A B C]
      [--steps S] [--every E] [--out-dir DIR]

The flow-matching chapter (book/06-flow-matching.md) and the closing comparison
(book/08-takeaways.md) judge three seeds of each flow; training them on the page would
cost more than its budget, so this script trains them and writes, per model and seed,
``physgen/nn/flow_results/flow_clean_<model>_<seed>.json`` (the judged quality every
``--every`` steps, the loss per 100 steps, the training time, the number of weights, the
fingerprint of the training data and settings) and beside it an ``.npz`` with the
``N_JUDGE`` samples drawn at the end (``rng=seed``); for the PCA flow of the first seed
also the velocity network's weights, from which :func:`physgen.nn.flow.restore_flow`
rebuilds the trained flow (the chapter's solver comparison and guidance need the flow
itself, not only its samples). The pages load them
with :func:`physgen.load_stored_run`, which checks the fingerprint.

Models (``physgen.nn.flow.FLOW_MATCHING`` with ``steps=--steps``):

- ``pca``: the flow in 16 principal components;
- ``raw``: the same flow on the raw trajectories (every angle);
- ``cond``: the PCA flow conditioned on each pendulum's length and g; its samples answer
  the GAN benchmark's requests (:func:`gan_clean.requested_conditions`: half inside the
  training range, half with lengths 2-3 m), stored as ``asked`` and ``inside``, and its
  checkpoints also give the median relative period error inside and outside.

The data: :func:`physgen.clean_line`. Times are wall clock on a shared machine (the load
average is stored). TensorFlow runs on the threads it is given (set
``TF_NUM_INTRAOP_THREADS=1`` to run several seeds side by side).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
from pathlib import Path

import numpy as np
from gan_clean import SEED, period_errors, requested_conditions

from physgen import clean_line, fit_pendulum, precision_recall, training_fingerprint

N_JUDGE = 500
N_COMPONENTS = 16
G_FIT = 9.81  # [m/s^2]: a fit finds g/l, so any fixed g will do
RESULTS = Path(__file__).resolve().parents[1] / "physgen" / "nn" / "flow_results"


def flow_config(model, steps):
    """The configuration of each stored flow."""
    from physgen.nn import flow

    space = "raw" if model == "raw" else "pca"
    return flow.FLOW_MATCHING.replace(space=space, n_components=N_COMPONENTS, steps=steps)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("pca", "raw", "cond"), default="pca")
    parser.add_argument("--seeds", type=int, nargs="+", default=[SEED])
    parser.add_argument("--steps", type=int, default=32000)
    parser.add_argument("--every", type=int, default=4000)
    parser.add_argument("--out-dir", type=Path, default=RESULTS)
    args = parser.parse_args()

    from physgen.nn import flow

    line = clean_line()
    t, train_i = line.t, line.index[0]
    config = flow_config(args.model, args.steps)
    cond = asked = inside = None
    if args.model == "cond":
        p = line.pendulums
        cond = np.column_stack([p.length[train_i], p.g[train_i]])
        asked, inside = requested_conditions(None, None, np.random.default_rng(SEED + 7))

    for seed in args.seeds:

        def judge(model, step, seed=seed):
            samples = model.sample(N_JUDGE, rng=seed, conditions=asked)
            pr = precision_recall(line.heldout, samples)
            out = {
                "residual_median": float(np.median(fit_pendulum(samples, t, g=G_FIT).residual_rms)),
                "precision": pr.precision,
                "recall": pr.recall,
            }
            if asked is not None:
                err = period_errors(samples, asked, t)
                out["period_error"] = float(np.nanmedian(err[inside]))
                out["period_error_outside"] = float(np.nanmedian(err[~inside]))
            print(f"{args.model} seed {seed} step {step}: {out}", flush=True)
            return out

        trained = flow.train_flow(
            config,
            line.train,
            seed=seed,
            conditions=cond,
            checkpoints=range(args.every, args.steps + 1, args.every),
            judge=judge,
        )
        loss = np.asarray(trained.history["loss"])
        quality = {"step": [int(s) for s in trained.checkpoint_steps]}
        quality.update({k: [float(v) for v in vals] for k, vals in trained.quality.items()})
        record = {
            "model": args.model,
            "seed": seed,
            "steps": args.steps,
            "fingerprint": training_fingerprint(line.train, config, cond),
            "config": repr(config),
            "quality": quality,
            "loss_per_100": [float(loss[i : i + 100].mean()) for i in range(0, loss.size, 100)],
            "seconds": trained.seconds,
            "judge_seconds": trained.judge_seconds,
            "parameters": trained.n_parameters,
            "load_average": os.getloadavg()[0],
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
        out = args.out_dir / f"flow_clean_{args.model}_{seed}.json"
        out.write_text(json.dumps(record, indent=1) + "\n")
        arrays = {"samples": trained.sample(N_JUDGE, rng=seed, conditions=asked).astype(np.float32)}
        if args.model == "pca" and seed == SEED:  # the chapter rebuilds this one flow
            arrays.update({f"w{i}": w for i, w in enumerate(trained.network.get_weights())})
        if asked is not None:
            arrays.update(asked=asked, inside=inside)
        np.savez_compressed(out.with_suffix(".npz"), **arrays)


if __name__ == "__main__":
    main()
