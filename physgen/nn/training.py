r"""Training: :func:`train`, :func:`train_ensemble`, :func:`sweep`.

One training loop serves every network of the course. Each epoch shuffles the
rows with ``numpy.random.default_rng(seed)`` and runs all of its mini-batches in
one compiled TensorFlow loop; each step minimises, with Adam, the (weighted)
mean over the batch of the per-row loss

.. math::

    \ell_i = \big(f_w(x_i) - y_i\big)^2 \quad \text{(``loss="mse"``)}, \qquad
    \ell_i = -\log \mathcal N\big(y_i \mid \mu_w(x_i), \sigma_w(x_i)^2\big)
    \quad \text{(``loss="nll"``)},

plus, for a Bayesian network, :math:`\mathrm{KL}(q\,\|\,p)/N` (so the loss is
the negative ELBO per training row). A trained network comes back as a frozen
:class:`~physgen.nn.fitted.FitResult`; several as an
:class:`~physgen.nn.fitted.Ensemble` (:mod:`physgen.nn.fitted`).
"""

from __future__ import annotations

import math
import time
import warnings
from types import MappingProxyType

import numpy as np

from physgen import _validation as check
from physgen._progress import Progress
from physgen._tf import seed_tensorflow, tf, tf_keras
from physgen.datasets import Dataset
from physgen.nn.config import NetworkConfig
from physgen.nn.fitted import Ensemble, FitResult, _features
from physgen.nn.network import build_network, check_config, tfp

__all__ = ["seed", "train", "train_ensemble", "sweep"]


def seed(seed: int) -> None:
    """Seed TensorFlow once, with deterministic ops (see :mod:`physgen._tf`).

    NumPy is *not* seeded: physgen's data randomness always comes from ``rng``
    arguments. :func:`train` also seeds TensorFlow from its own ``seed``, so a
    training run does not depend on what ran before it.

    Parameters
    ----------
    seed : int
        Non-negative integer.
    """
    seed_tensorflow(check.seed(seed, "seed", "seed"))


# --------------------------------------------------------------------------- training
def _rows(data, config, where, name):
    """Selected feature columns and targets of a Dataset or an (x, y) pair."""
    if isinstance(data, Dataset):
        x, y = data.features, data.target
    elif isinstance(data, tuple) and len(data) == 2:
        x, y = data
    else:
        raise TypeError(
            f"{where}: {name} must be a physgen Dataset or a pair (x, y), got "
            f"{type(data).__name__}; pass e.g. split.train or "
            "(dataset.features, dataset.target)."
        )
    x = _features(x, where)
    y = check.array(
        y,
        f"{name} targets",
        where,
        shape=(x.shape[0],),
        fix=f"pass one observed angle [rad] per row: shape ({x.shape[0]},).",
    )
    return x[:, list(config.feature_index)], y


def _check_init_from(source, config):
    check.instance(
        source, FitResult, "init_from", "train", fix="pass a network returned by physgen.nn.train."
    )
    c = source.config
    same = (
        c.hidden == config.hidden
        and c.activation == config.activation
        and c.features == config.features
        and c.n_outputs == config.n_outputs
        and c.input_scaling == config.input_scaling
        and not c.bayesian
    )
    if not same:
        raise ValueError(
            "train: init_from must be a network with fixed weights and the same hidden, "
            "activation, features, input_scaling and number of outputs as config; got "
            f"{c.hidden}/{c.activation}/{c.features}/{c.head}/bayesian={c.bayesian} for "
            f"{config.hidden}/{config.activation}/{config.features}/{config.head}. Train the "
            "source with config.replace(bayesian=False)."
        )


def _copy_weights(keras_model, source):
    targets = [
        layer
        for layer in keras_model.layers
        if isinstance(layer, (tfp.layers.DenseFlipout, tf_keras.layers.Dense))
    ]
    for layer, (w, _, b) in zip(targets, source.network.layers, strict=True):
        if isinstance(layer, tfp.layers.DenseFlipout):
            layer.kernel_posterior.distribution.loc.assign(w.astype(np.float32))
            layer.bias_posterior.distribution.loc.assign(b.astype(np.float32))
        else:
            layer.set_weights([w.astype(np.float32), b.astype(np.float32)])
    if source.network.raw_scale is not None:
        for layer in keras_model.layers:
            if hasattr(layer, "raw"):
                layer.raw.assign(source.network.raw_scale)


#: Per-epoch records of a Bayesian network's training (see :func:`train`).
_POSTERIOR_HISTORY = ("kl", "spread_q10", "spread_median", "spread_q90")


def _posterior_summary(flipout_layers, kl_weight):
    """The weighted KL term and quantiles of the posterior standard deviations, now."""
    kl = sum(
        float(tfp.distributions.kl_divergence(layer.kernel_posterior, layer.kernel_prior))
        for layer in flipout_layers
    )
    spreads = np.concatenate(
        [
            np.asarray(tf.convert_to_tensor(layer.kernel_posterior.distribution.scale)).ravel()
            for layer in flipout_layers
        ]
    )
    q10, q50, q90 = np.quantile(spreads, [0.1, 0.5, 0.9])
    return {
        "kl": kl * kl_weight,
        "spread_q10": float(q10),
        "spread_median": float(q50),
        "spread_q90": float(q90),
    }


def _row_loss(config):
    """Per-row loss of the model's output ``out`` against targets ``y`` of shape (B,)."""
    beta = config.nll_beta

    def loss(out, y):
        if config.head == "none":
            return tf.square(tf.squeeze(out, axis=-1) - y)
        if config.loss == "mse":  # the original: the squared error of one *sample*
            return tf.square(tf.squeeze(tf.convert_to_tensor(out), axis=-1) - y)
        nll = -out.log_prob(y[:, None])[:, 0]
        if beta > 0:
            nll = nll * tf.stop_gradient(out.stddev()[:, 0]) ** (2.0 * beta)
        return nll

    return loss


class _Steps:
    """A network's compiled training epoch and validation loss (see :func:`_step_functions`)."""

    def __init__(self, config, worker, n, bs, kl_var):
        n_batches = math.ceil(n / bs)
        if config.schedule == "cosine":
            lr = tf_keras.optimizers.schedules.CosineDecay(
                config.learning_rate,
                decay_steps=config.epochs * n_batches,
                alpha=config.final_lr_fraction,
            )
        else:
            lr = config.learning_rate
        self.worker = worker
        self.optimizer = optimizer = tf_keras.optimizers.Adam(learning_rate=lr)
        variables = worker.trainable_variables
        optimizer.build(variables)
        row_loss = _row_loss(config)

        def extra_losses():
            return tf.add_n(worker.losses) if worker.losses else tf.constant(0.0, tf.float32)

        @tf.function
        def run_epoch(X, Y, W, perm):
            total = tf.constant(0.0, dtype=tf.float32)
            for i in tf.range(n_batches):
                idx = perm[i * bs : tf.minimum((i + 1) * bs, n)]
                xb, yb, wb = tf.gather(X, idx), tf.gather(Y, idx), tf.gather(W, idx)
                with tf.GradientTape() as tape:
                    out = worker(xb, training=True)
                    loss = tf.reduce_sum(wb * row_loss(out, yb)) / tf.reduce_sum(wb)
                    loss += extra_losses()
                grads = tape.gradient(loss, variables)
                optimizer.apply_gradients(zip(grads, variables, strict=True))
                total += loss
            return total / tf.cast(n_batches, tf.float32)

        @tf.function
        def val_loss(XV, YV):
            out = worker(XV, training=False)
            return tf.reduce_mean(row_loss(out, YV)) + extra_losses()

        self.run_epoch, self.val_loss = run_epoch, val_loss

    def reset(self):
        """Adam back to its initial state (zero moments, step 0)."""
        for var in self.optimizer.variables:
            var.assign(tf.zeros_like(var))


#: Compiled training steps kept for reuse, most recent last (see :func:`_step_functions`).
_STEPS: dict = {}
_MAX_STEPS = 8


def _step_functions(config, model, n, bs, kl_var, mean, std) -> _Steps:
    """The compiled epoch for ``model``: reused across calls when that is exact.

    Tracing a training epoch costs about a second, more than training a small
    network for a few epochs, so sweeps over seeds reuse one compiled worker per
    network shape and training schedule (its weights are set from ``model``, Adam
    is reset). Only training graphs without random operations are reused: a
    traced random op keeps its seed, so Bayesian layers and the sampled MSE of
    the original's heads are always traced afresh.
    """
    random_ops = config.bayesian or (config.head != "none" and config.loss == "mse")
    if random_ops:
        return _Steps(config, model, n, bs, kl_var)
    # The input scaling is a constant of the graph (a Normalization layer): part of the key.
    key = (
        config.replace(patience=None, restore_best=False),
        n,
        bs,
        None if mean is None else (np.asarray(mean).tobytes(), np.asarray(std).tobytes()),
    )
    steps = _STEPS.pop(key, None)
    if steps is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scaling = {} if mean is None else {"mean": mean, "std": std}
            worker = build_network(config, len(config.features), seed=0, **scaling)
        steps = _Steps(config, worker, n, bs, kl_var)
    else:
        steps.reset()
    _STEPS[key] = steps
    while len(_STEPS) > _MAX_STEPS:
        _STEPS.pop(next(iter(_STEPS)))
    return steps


def train(
    config: NetworkConfig,
    data,
    *,
    validation=None,
    weights=None,
    seed: int = 0,
    init_from: FitResult | None = None,
    progress: str | None = None,
) -> FitResult:
    """Train a network on rows ``features -> angle``.

    The run is reproducible: TensorFlow is seeded from ``seed`` (initial
    weights, Flipout noise, sampled outputs) with deterministic ops, and the
    rows are shuffled every epoch by ``numpy.random.default_rng(seed)``.

    Parameters
    ----------
    config : NetworkConfig
        Architecture, head and training (e.g. :data:`ORIGINAL`, :data:`BAYESIAN`).
    data : Dataset or (x, y)
        Training rows: ``x`` of shape (R, 6) with the columns
        :data:`physgen.FEATURES` [rad, rad/s, s, kg, m/s^2, m], ``y`` of shape
        (R,) observed angles [rad]. A :class:`physgen.Dataset` gives
        ``features`` and (noisy) ``target``.
    validation : Dataset or (x, y), optional
        Rows scored after every epoch (history, early stopping,
        ``restore_best``); give it whole held-out trajectories. Required when
        ``config.patience`` is set or ``config.restore_best`` is True.
    weights : array_like, shape (R,), optional
        Non-negative per-row weights of the training loss (not all zero);
        each batch's loss is ``sum(w * loss) / sum(w)``. Default: equal.
    seed : int, optional
        Non-negative seed. Default 0.
    init_from : FitResult, optional
        Start from this trained network (same layers, fixed weights): its
        weights become the initial weights (for a Bayesian ``config``, the
        initial posterior means) and its input scaling is reused.
    progress : str, optional
        A label: show a progress bar "label: epoch i/n" while training, in a
        notebook or a terminal (see :mod:`physgen._progress`); None: silent.
        The losses per epoch are in the result's ``history``.

    Returns
    -------
    FitResult

    Raises
    ------
    TypeError
        A config, data, weights or seed of the wrong type.
    ValueError
        Wrong shapes, non-finite or empty data, negative weights, or a missing
        validation set when the config needs one.
    FloatingPointError
        The training loss became NaN or infinite (lower the learning rate).

    Notes
    -----
    Long because: it is the training loop a reader follows top to bottom (set up,
    then per epoch: KL warm-up, one pass, history, early stopping), as chapter 2
    writes it inline; its steps share a dozen local variables.
    """
    check_config(config, "train")
    x, y, xv, yv, w = _training_rows(config, data, validation, weights)
    n = x.shape[0]
    seed = check.seed(seed, "seed", "train")
    if init_from is not None:
        _check_init_from(init_from, config)

    seed_tensorflow(seed)
    gen = np.random.default_rng(seed)
    start = time.perf_counter()
    mean, std = _input_statistics(config, x, init_from)
    kl_target = 1.0 / n if config.kl_weight is None else config.kl_weight
    kl_var = tf.Variable(
        0.0 if config.kl_warmup_epochs else kl_target, trainable=False, dtype=tf.float32
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tfp.layers use a deprecated Keras call
        scaling = {} if mean is None else {"mean": mean, "std": std}
        model = build_network(config, x.shape[1], seed=seed, kl_weight=kl_var, **scaling)
    if init_from is not None:
        _copy_weights(model, init_from)
    bs = min(config.batch_size, n)
    step = _step_functions(config, model, n, bs, kl_var, mean, std)
    if step.worker is not model:  # a compiled worker of the same shape: start it from `model`
        step.worker.set_weights(model.get_weights())
    X = tf.constant(x, dtype=tf.float32)
    Y = tf.constant(y, dtype=tf.float32)
    W = tf.constant(w / w.mean(), dtype=tf.float32)
    if xv is not None:
        XV = tf.constant(xv, dtype=tf.float32)
        YV = tf.constant(yv, dtype=tf.float32)

        def val_loss():
            return step.val_loss(XV, YV)

    def run_epoch(perm):
        return step.run_epoch(X, Y, W, perm)

    history: dict[str, list[float]] = {"loss": []}
    if xv is not None:
        history["val_loss"] = []
    flipout = [layer for layer in model.layers if isinstance(layer, tfp.layers.DenseFlipout)]
    if flipout:
        for key in _POSTERIOR_HISTORY:
            history[key] = []
    best, best_epoch, best_weights, wait = math.inf, None, None, 0
    bar = Progress(progress, config.epochs)
    epochs_run = 0
    for epoch in range(1, config.epochs + 1):
        if config.kl_warmup_epochs:
            kl_var.assign(kl_target * min(1.0, epoch / config.kl_warmup_epochs))
        perm = tf.constant(gen.permutation(n).astype(np.int32))
        loss = float(run_epoch(perm))
        epochs_run = epoch
        if not math.isfinite(loss):
            raise FloatingPointError(
                f"train: the training loss became {loss} at epoch {epoch}; lower "
                f"learning_rate (now {config.learning_rate}) or standardise the inputs."
            )
        history["loss"].append(loss)
        if flipout:
            for key, value in _posterior_summary(flipout, float(kl_var.numpy())).items():
                history[key].append(value)
        if xv is not None:
            vloss = float(val_loss())
            history["val_loss"].append(vloss)
            if vloss < best:
                best, best_epoch, wait = vloss, epoch, 0
                if config.restore_best:
                    best_weights = step.worker.get_weights()
            else:
                wait += 1
        bar.update(epoch)
        if config.patience is not None and wait >= config.patience:
            break
    bar.close(epochs_run)
    if config.restore_best and best_weights is not None:
        step.worker.set_weights(best_weights)
    if step.worker is not model:
        model.set_weights(step.worker.get_weights())
    seconds = time.perf_counter() - start
    return FitResult(
        model=model,
        config=config,
        history=MappingProxyType({k: tuple(vals) for k, vals in history.items()}),
        epochs_run=epochs_run,
        best_epoch=best_epoch,
        seconds=seconds,
        mean=mean,
        std=std,
        n_train=n,
        seed=seed,
    )


def _training_rows(config: NetworkConfig, data, validation, weights):
    """train's checked rows: ``(x, y, xv, yv, w)``, the validation rows None when there
    are none, the weights ``w`` all 1 when not given."""
    x, y = _rows(data, config, "train", "data")
    n = x.shape[0]
    if validation is None and (config.patience is not None or config.restore_best):
        raise ValueError(
            "train: validation=None, but this config uses early stopping "
            f"(patience={config.patience}) or restore_best={config.restore_best}; "
            "pass validation=... (held-out trajectories, e.g. split.validation) "
            "or use patience=None, restore_best=False."
        )
    xv = yv = None
    if validation is not None:
        xv, yv = _rows(validation, config, "train", "validation")
    if weights is None:
        w = np.ones(n)
    else:
        w = check.array(
            weights,
            "weights",
            "train",
            shape=(n,),
            nonnegative=True,
            fix=f"pass {n} finite values >= 0, one per training row, e.g. "
            "1 / (noise.std(t)**2 + 0.01).",
        )
        if not np.any(w > 0):
            raise ValueError("train: weights are all 0; give some rows a positive weight.")
    return x, y, xv, yv, w


def _input_statistics(config: NetworkConfig, x, init_from):
    """``(mean, std)`` of the inputs the network standardises with: those of the network
    it starts from, else of the training features, else ``(None, None)``."""
    if init_from is not None:
        return init_from.mean, init_from.std
    if config.input_scaling == "standardize":
        return x.mean(axis=0), x.std(axis=0)
    return None, None


def train_ensemble(
    config: NetworkConfig, data, *, n_members=5, seed=0, validation=None, progress=None
) -> Ensemble:
    """Train ``n_members`` networks from seeds ``seed, seed + 1, ...`` (a deep ensemble).

    Parameters
    ----------
    config : NetworkConfig
        Usually :data:`ALEATORIC` (the ensemble of Lakshminarayanan et al.).
    data, validation
        As in :func:`train`.
    progress : str, keyword-only, optional
        A label: one progress bar per member, "label, member k: epoch i/n".
    n_members : int, keyword-only
        Ensemble size, >= 2.
    seed : int, keyword-only
        Seed of the first member.

    Returns
    -------
    Ensemble
    """
    n_members = check.integer(
        n_members, "n_members", "train_ensemble", minimum=2, fix="pass e.g. n_members=5."
    )
    seed = check.seed(seed, "seed", "train_ensemble")
    return Ensemble(
        tuple(
            train(
                config,
                data,
                seed=seed + k,
                validation=validation,
                progress=None if progress is None else f"{progress}, member {k + 1}",
            )
            for k in range(n_members)
        )
    )


def sweep(configs, data, *, validation=None, seeds, score) -> dict:
    """Train every configuration once per seed and score each trained network.

    Comparisons between set-ups need several seeds: the spread between seeds of
    one set-up is the yardstick for the difference between two set-ups. All
    runs happen in this process, so the compiled training steps of one network
    shape are reused across seeds.

    Parameters
    ----------
    configs : Mapping[str, NetworkConfig]
        The set-ups, by name.
    data, validation
        As in :func:`train` (the same rows for every run).
    seeds : sequence of int
        At least two distinct non-negative seeds.
    score : callable
        ``score(result) -> float`` for a :class:`FitResult`, e.g. the test RMSE.

    Returns
    -------
    dict[str, numpy.ndarray]
        For each name, the scores in the order of ``seeds``.
    """
    check.mapping(
        configs,
        "configs",
        "sweep",
        what="name -> NetworkConfig",
        fix="pass e.g. {'original': nn.ORIGINAL}.",
    )
    names = check.sequence(
        tuple(configs),
        "configs",
        "sweep",
        fix="pass a dict with at least one name -> NetworkConfig.",
    )
    for name in names:
        check_config(configs[name], "sweep")
    seeds = check.sequence(
        seeds,
        "seeds",
        "sweep",
        fix="pass e.g. seeds=range(5).",
        item=lambda x, item: check.seed(x, item, "sweep"),
    )
    if len(set(seeds)) < 2 or len(set(seeds)) != len(seeds):
        raise ValueError(
            f"sweep: seeds={seeds!r} must be at least two distinct seeds; pass e.g. seeds=range(5)."
        )
    check.function(
        score,
        "score",
        "sweep",
        what="of a FitResult",
        fix="pass e.g. lambda r: rmse(test.truth, r.predict(test.features)).",
    )
    return {
        name: np.array(
            [float(score(train(configs[name], data, validation=validation, seed=s))) for s in seeds]
        )
        for name in names
    }
