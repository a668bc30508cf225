r"""One frozen, validated configuration for every network of the course.

A :class:`NetworkConfig` says what the network is (hidden layers, activation,
which features it reads and whether they are standardised), what it outputs (a
number, or a Normal distribution: the *head*), whether its weights are numbers or
distributions (``bayesian``: Flipout layers), and how it is trained (loss, Adam,
schedule, epochs, batches, early stopping).

Presets: :data:`ORIGINAL` and :data:`IMPROVED` (chapter 2), and the chapter-3
options :data:`ORIGINAL_FIXED`, :data:`ORIGINAL_SOFTPLUS`, :data:`ALEATORIC`,
:data:`BAYESIAN`, :data:`BAYESIAN_FINETUNE`, :data:`EPISTEMIC`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from scipy import special

from physgen import _validation as check
from physgen.datasets import FEATURES

__all__ = [
    "ACTIVATIONS",
    "INPUT_SCALINGS",
    "SCHEDULES",
    "HEADS",
    "LOSSES",
    "NetworkConfig",
    "ORIGINAL",
    "IMPROVED",
    "ORIGINAL_FIXED",
    "ORIGINAL_SOFTPLUS",
    "ALEATORIC",
    "BAYESIAN",
    "BAYESIAN_FINETUNE",
    "EPISTEMIC",
]


def _silu(z):
    with np.errstate(over="ignore"):
        return z / (1 + np.exp(-z))


#: Hidden-layer activations: name -> (tf_keras activation name, the same function
#: in NumPy, used to sample networks without TensorFlow).
ACTIVATIONS = MappingProxyType(
    {
        "relu": ("relu", lambda z: np.maximum(z, 0)),
        "tanh": ("tanh", np.tanh),
        "gelu": ("gelu", lambda z: 0.5 * z * (1 + special.erf(z / np.sqrt(2)))),
        "silu": ("swish", _silu),
        "softplus": ("softplus", lambda z: np.logaddexp(0.0, z)),
        "elu": ("elu", lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0)))),
    }
)
#: ``"none"`` feeds the raw features (the original); ``"standardize"`` subtracts
#: the training mean and divides by the training standard deviation of each
#: feature (a constant feature is only centred).
INPUT_SCALINGS = ("none", "standardize")
#: ``"constant"``, or ``"cosine"``: the rate decays from ``learning_rate`` to
#: ``learning_rate * final_lr_fraction`` along a half cosine over all steps.
SCHEDULES = ("constant", "cosine")
#: Output heads. ``"none"``: one number, the angle. The others output a Normal
#: :math:`\mathcal N(\mu(x), \sigma(x)^2)` of the angle: ``"fixed"``
#: (:math:`\sigma` = ``fixed_scale``), ``"softplus"`` (the original's:
#: :math:`\sigma = \text{fixed\_scale} + \operatorname{softplus}(z)`),
#: ``"heteroscedastic"`` (:math:`\sigma = \text{min\_scale} +
#: \operatorname{softplus}(z(x))`) and ``"homoscedastic"`` (one learned
#: :math:`\sigma` for every row).
HEADS = ("none", "fixed", "softplus", "heteroscedastic", "homoscedastic")
#: ``"mse"``: mean squared error (of the output, or of one *sample* of the output
#: distribution, as the original did); ``"nll"``: negative log-likelihood.
LOSSES = ("mse", "nll")


@dataclass(frozen=True)
class NetworkConfig:
    r"""Architecture, head and training of one network (frozen and validated).

    The defaults are the original code's set-up (:data:`ORIGINAL`). Derive
    variants with :meth:`replace` (validated again).

    Parameters
    ----------
    hidden : tuple of int
        Widths of the hidden layers, e.g. ``(20, 20, 20)``; at least one.
    activation : str
        Hidden activation, a key of :data:`ACTIVATIONS`.
    input_scaling : str
        One of :data:`INPUT_SCALINGS`.
    features : tuple of str
        Columns of :data:`physgen.FEATURES` the network reads (put in that
        order), e.g. without ``"m"``, which does not enter the dynamics.
    learning_rate : float
        Adam's initial learning rate, > 0.
    schedule : str
        One of :data:`SCHEDULES`.
    final_lr_fraction : float
        For ``schedule="cosine"``: the final rate as a fraction of the initial
        one, in [0, 1].
    epochs : int
        Maximum passes over the training rows, >= 1.
    batch_size : int
        Rows per gradient step, >= 1 (Keras' default 32 in the original).
    patience : int or None
        Early stopping: stop after this many epochs without a validation-loss
        improvement. ``None`` trains all ``epochs``.
    restore_best : bool
        Keep the weights of the epoch with the lowest validation loss (the
        original did not).
    head : str
        Output, one of :data:`HEADS`; ``"none"`` is a plain regressor.
    fixed_scale : float
        :math:`\sigma` [rad] of the ``"fixed"`` head; the floor of the
        ``"softplus"`` head (the original's 0.1 for both).
    min_scale : float
        Floor [rad] added to the learned :math:`\sigma` of the
        ``"heteroscedastic"`` and ``"homoscedastic"`` heads, >= 0.
    loss : str
        One of :data:`LOSSES`. A ``"none"`` head needs ``"mse"``; a Bayesian
        network needs ``"nll"`` (the negative ELBO).
    nll_beta : float
        In [0, 1]; above 0, every row's NLL is weighted by
        :math:`\sigma(x)^{2\beta}` (held constant in the gradient): the
        :math:`\beta`-NLL of Seitzer et al. (2022). Needs ``loss="nll"``.
    bayesian : bool
        Weights with a mean-field Normal distribution
        (``tfp.layers.DenseFlipout``), trained by variational inference.
    prior_scale : float
        Standard deviation of the zero-mean Normal prior on every weight, > 0.
    posterior_scale_init : float
        Initial standard deviation of every weight's posterior, > 0.
    posterior_loc_init : str
        Initial posterior means: ``"glorot"`` (like a plain Dense layer) or
        ``"tfp"`` (TFP's default, N(0, 0.1^2)).
    kl_weight : float or None
        Multiplier of the KL term; ``None`` means ``1 / N`` for ``N`` training
        rows (the negative ELBO per row). ``1.0`` reproduces the common bug of
        adding the whole KL to every batch's mean loss.
    kl_warmup_epochs : int
        Epochs over which the KL weight ramps linearly up to its value (0: none).

    Examples
    --------
    >>> from physgen.nn import NetworkConfig
    >>> NetworkConfig().hidden
    (20, 20, 20)
    >>> NetworkConfig(activation="sigmoid")
    Traceback (most recent call last):
    ...
    ValueError: NetworkConfig: activation='sigmoid' is not one of ('relu', 'tanh', 'gelu', 'silu', 'softplus', 'elu'); pass one of ('relu', 'tanh', 'gelu', 'silu', 'softplus', 'elu').
    """

    hidden: tuple[int, ...] = (20, 20, 20)
    activation: str = "relu"
    input_scaling: str = "none"
    features: tuple[str, ...] = FEATURES
    learning_rate: float = 0.01
    schedule: str = "constant"
    final_lr_fraction: float = 0.01
    epochs: int = 20
    batch_size: int = 32
    patience: int | None = 3
    restore_best: bool = False
    head: str = "none"
    fixed_scale: float = 0.1
    min_scale: float = 1e-3
    loss: str = "mse"
    nll_beta: float = 0.0
    bayesian: bool = False
    prior_scale: float = 1.0
    posterior_scale_init: float = 1e-3
    posterior_loc_init: str = "glorot"
    kl_weight: float | None = None
    kl_warmup_epochs: int = 0

    def __post_init__(self):
        self._check_network()
        self._check_training()
        self._check_head()
        self._check_bayesian()
        self._check_compatible()

    def _check_network(self) -> None:
        """The network: widths, activation, input scaling and features (canonical order)."""
        w = "NetworkConfig"
        set_ = object.__setattr__
        set_(
            self,
            "hidden",
            check.widths(self.hidden, "hidden", w, example="(20, 20, 20)"),
        )
        check.choice(self.activation, "activation", w, tuple(ACTIVATIONS))
        check.choice(self.input_scaling, "input_scaling", w, INPUT_SCALINGS)
        feats = check.sequence(
            self.features,
            "features",
            w,
            fix=f"pass distinct names from {FEATURES}, e.g. {FEATURES}.",
        )
        if any(not isinstance(f, str) or f not in FEATURES for f in feats) or len(
            set(feats)
        ) != len(feats):
            raise ValueError(
                f"{w}: features={feats!r} must be distinct names from "
                f"{FEATURES}; e.g. ('theta0', 'omega0', 't', 'g', 'l')."
            )
        set_(self, "features", tuple(f for f in FEATURES if f in feats))  # canonical order

    def _check_training(self) -> None:
        """The optimiser and the training loop."""
        w = "NetworkConfig"
        set_ = object.__setattr__
        set_(
            self,
            "learning_rate",
            check.real(
                self.learning_rate,
                "learning_rate",
                w,
                positive=True,
                fix="pass a float > 0 such as 0.01.",
            ),
        )
        check.choice(self.schedule, "schedule", w, SCHEDULES)
        set_(
            self,
            "final_lr_fraction",
            check.real(
                self.final_lr_fraction,
                "final_lr_fraction",
                w,
                lower=0.0,
                upper=1.0,
                fix="pass a float in [0, 1] such as 0.01.",
            ),
        )
        set_(
            self,
            "epochs",
            check.integer(self.epochs, "epochs", w, minimum=1, fix="pass an int >= 1 such as 20."),
        )
        set_(
            self,
            "batch_size",
            check.integer(
                self.batch_size, "batch_size", w, minimum=1, fix="pass an int >= 1 such as 32."
            ),
        )
        if self.patience is not None:
            set_(
                self,
                "patience",
                check.integer(
                    self.patience,
                    "patience",
                    w,
                    minimum=1,
                    fix="pass an int >= 1 such as 3, or None for no early stopping.",
                ),
            )
        set_(self, "restore_best", check.boolean(self.restore_best, "restore_best", w))

    def _check_head(self) -> None:
        """The output head and the loss."""
        w = "NetworkConfig"
        set_ = object.__setattr__
        check.choice(self.head, "head", w, HEADS)
        set_(
            self,
            "fixed_scale",
            check.real(
                self.fixed_scale,
                "fixed_scale",
                w,
                positive=True,
                unit="rad",
                fix="pass a noise level such as 0.1.",
            ),
        )
        set_(
            self,
            "min_scale",
            check.real(
                self.min_scale, "min_scale", w, nonnegative=True, unit="rad", fix="pass e.g. 1e-3."
            ),
        )
        check.choice(self.loss, "loss", w, LOSSES)
        set_(
            self,
            "nll_beta",
            check.real(
                self.nll_beta,
                "nll_beta",
                w,
                lower=0.0,
                upper=1.0,
                fix="pass a value in [0, 1], e.g. 0.5.",
            ),
        )

    def _check_bayesian(self) -> None:
        """The weight distributions of a Bayesian network and their KL term."""
        w = "NetworkConfig"
        set_ = object.__setattr__
        set_(self, "bayesian", check.boolean(self.bayesian, "bayesian", w))
        set_(
            self,
            "prior_scale",
            check.real(
                self.prior_scale, "prior_scale", w, positive=True, fix="pass e.g. prior_scale=1.0."
            ),
        )
        set_(
            self,
            "posterior_scale_init",
            check.real(
                self.posterior_scale_init,
                "posterior_scale_init",
                w,
                positive=True,
                fix="pass a small standard deviation, e.g. 1e-3.",
            ),
        )
        check.choice(self.posterior_loc_init, "posterior_loc_init", w, ("glorot", "tfp"))
        if self.kl_weight is not None:
            set_(
                self,
                "kl_weight",
                check.real(
                    self.kl_weight,
                    "kl_weight",
                    w,
                    nonnegative=True,
                    fix="pass None for 1/N (recommended).",
                ),
            )
        set_(
            self,
            "kl_warmup_epochs",
            check.integer(
                self.kl_warmup_epochs, "kl_warmup_epochs", w, minimum=0, fix="pass e.g. 0 or 10."
            ),
        )

    def _check_compatible(self) -> None:
        """Settings that cannot work together."""
        w = "NetworkConfig"
        if self.head == "none" and self.loss != "mse":
            raise ValueError(
                f"{w}: loss={self.loss!r} needs an output distribution, but "
                "head='none'; pass loss='mse', or a head such as "
                "head='heteroscedastic'."
            )
        if self.head == "none" and self.bayesian:
            raise ValueError(
                f"{w}: bayesian=True needs a distribution head, got head='none'; "
                "pass head='heteroscedastic' (and loss='nll')."
            )
        if self.bayesian and self.loss != "nll":
            raise ValueError(
                f"{w}: a Bayesian network needs loss='nll' (the ELBO), got "
                f"loss={self.loss!r}; loss='mse' is only for the original models."
            )
        if self.nll_beta > 0 and self.loss != "nll":
            raise ValueError(
                f"{w}: nll_beta={self.nll_beta!r} weights the NLL, but "
                f"loss={self.loss!r}; pass loss='nll' or nll_beta=0."
            )

    @property
    def feature_index(self) -> tuple[int, ...]:
        """Column indices of :attr:`features` in :data:`physgen.FEATURES`."""
        return tuple(FEATURES.index(f) for f in self.features)

    @property
    def n_outputs(self) -> int:
        """Columns of the last Dense layer: 2 for heads with a per-row scale, else 1."""
        return 2 if self.head in ("softplus", "heteroscedastic") else 1

    def replace(self, **changes) -> NetworkConfig:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)


#: The original code's regressor: 6 raw features (mass included), 3 x 20 ReLU,
#: Adam at 0.01, batch 32, 20 epochs, early stopping with patience 3, without
#: restoring the best weights.
ORIGINAL = NetworkConfig()

#: The regressor chapter 2 chooses by measurement on the original's data:
#: standardised inputs without mass, 3 x 64 SiLU, Adam from 0.01 with a cosine
#: decay, batch 256, 60 epochs, keeping the best validation epoch.
IMPROVED = NetworkConfig(
    hidden=(64, 64, 64),
    activation="silu",
    input_scaling="standardize",
    features=("theta0", "omega0", "t", "g", "l"),
    learning_rate=0.01,
    schedule="cosine",
    epochs=60,
    batch_size=256,
    patience=None,
    restore_best=True,
)

#: The original essay's first "Bayesian" model: :data:`ORIGINAL` ending in a
#: Normal with a fixed scale of 0.1 rad, still trained on the MSE (of a sample).
ORIGINAL_FIXED = ORIGINAL.replace(head="fixed", fixed_scale=0.1)
#: The original's second: a learned scale 0.1 + softplus(z), still on the MSE.
ORIGINAL_SOFTPLUS = ORIGINAL.replace(head="softplus", fixed_scale=0.1)
#: Chapter 2's body at half the width (3 x 32 SiLU, standardised inputs
#: without the mass) with a heteroscedastic Normal head trained on the NLL:
#: aleatoric uncertainty only. Adam from 0.01 with a cosine decay to 0, batch
#: 256, 30 epochs (chapter 3's cost budget; no validation needed).
ALEATORIC = IMPROVED.replace(
    hidden=(32, 32, 32),
    epochs=30,
    head="heteroscedastic",
    loss="nll",
    restore_best=False,
    final_lr_fraction=0.0,
)
#: Weights with a distribution and a heteroscedastic head: both kinds of
#: uncertainty (Flipout layers, prior N(0, 1), KL / N, posterior std 1e-3 at
#: the start). Chapter 3 starts its posterior means from a trained
#: :data:`ALEATORIC` network (``train(..., init_from=aleatoric)``) and trains
#: the ELBO with Adam from 0.01 (cosine decay to 0) for 50 epochs.
BAYESIAN = ALEATORIC.replace(
    bayesian=True, posterior_scale_init=1e-3, learning_rate=0.01, epochs=50
)
#: The first edition's variational stage, kept to show why it learned nothing:
#: 10 epochs from 1e-3 at a learning rate of 1e-3 (every posterior std ends at
#: the ceiling Adam can reach in that many steps).
BAYESIAN_FINETUNE = BAYESIAN.replace(epochs=10, learning_rate=1e-3)
#: Weights with a distribution and one learned noise level: epistemic only.
EPISTEMIC = BAYESIAN.replace(head="homoscedastic")
