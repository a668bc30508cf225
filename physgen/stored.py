"""Results of long training runs, stored in the package and checked before a page uses them.

Some runs cost more than a page may: three seeds of a WGAN-GP, a VAE or a flow trained to
their plateau. A benchmark (``benchmarks/``) trains them and writes, per model and seed,
a JSON record (the judged quality at every checkpoint, the training time, the number of
parameters) and an ``.npz`` of the samples drawn at the end, into a folder of the package
(``physgen/nn/gan_results``, ``physgen/nn/vae_results``, ``physgen/nn/flow_results``), so
that they ship in the wheel. Each record carries a fingerprint of what the run was trained
on (:func:`training_fingerprint`: the training trajectories, the conditions and the
configuration); :func:`load_stored_run` recomputes it from the page's own data and
settings and refuses results that were trained on anything else.

- :func:`training_fingerprint`: 16 hex digits of a SHA-256 hash of a run's inputs.
- :func:`load_stored_run`: one stored run, checked, as a :class:`StoredRun`.

This module imports only NumPy.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from importlib.resources import files

import numpy as np

from physgen import _validation as check

__all__ = ["training_fingerprint", "StoredRun", "load_stored_run"]


def training_fingerprint(train, config, conditions=None) -> str:
    """A fingerprint of a training run's inputs: 16 hex digits of a SHA-256 hash.

    The hash covers the training trajectories (as float64), the conditions (if any)
    and ``repr(config)``; stored beside results trained elsewhere (a benchmark), it
    lets a page check that the results come from its own data and settings.

    Parameters
    ----------
    train : array_like, shape (n, T)
        Training trajectories [rad].
    config : dataclass instance
        The run's frozen configuration (e.g. a ``GANConfig``, ``VAEConfig`` or
        ``FlowConfig``); its ``repr`` is hashed, so every setting counts.
    conditions : array_like, optional
        The conditions of a conditional model (e.g. lengths [m] and g [m/s^2]).

    Returns
    -------
    str

    Examples
    --------
    >>> import numpy as np
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Config:
    ...     steps: int = 10
    >>> x = np.zeros((4, 3))
    >>> training_fingerprint(x, Config()) == training_fingerprint(x.copy(), Config())
    True
    >>> training_fingerprint(x, Config()) == training_fingerprint(x, Config(steps=11))
    False
    """
    where = "training_fingerprint"
    if not dataclasses.is_dataclass(config) or isinstance(config, type):
        raise TypeError(
            f"{where}: config={config!r} must be a configuration object (a dataclass "
            "instance such as physgen.gan.WGAN_GP); pass the run's config."
        )
    x = check.array(train, "train", where, ndim=2, fix="pass shape (n, T).")
    h = hashlib.sha256(np.ascontiguousarray(x, dtype=np.float64).tobytes())
    if conditions is not None:
        h.update(np.ascontiguousarray(conditions, dtype=np.float64).tobytes())
    h.update(repr(config).encode())
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class StoredRun:
    """One stored training run, its fingerprint checked.

    Attributes
    ----------
    record : dict
        The JSON record: ``"model"``, ``"seed"``, ``"fingerprint"``, ``"config"``,
        the judged ``"quality"`` at every checkpoint, ``"seconds"`` (training time,
        wall clock [s]), ``"parameters"`` and whatever else the benchmark stored.
    samples : numpy.ndarray, shape (n, T)
        The samples drawn at the end of training [rad].
    """

    record: dict
    samples: np.ndarray

    @property
    def seed(self) -> int:
        return int(self.record["seed"])


def load_stored_run(package: str, stem: str, *, train, config, conditions=None) -> StoredRun:
    """Load ``<stem>.json`` and ``<stem>.npz`` from ``package`` and check their fingerprint.

    Parameters
    ----------
    package : str
        The package folder holding the results, e.g. ``"physgen.nn.vae_results"``.
    stem : str
        The file name without extension, e.g. ``"vae_clean_20240605"``.
    train : array_like, shape (n, T), keyword-only
        The training trajectories [rad] the page would train on.
    config : dataclass instance, keyword-only
        The configuration the page would train with.
    conditions : array_like, optional, keyword-only
        The conditions, for a conditional model.

    Returns
    -------
    StoredRun

    Raises
    ------
    FileNotFoundError
        No such stored run (the message names the benchmark that writes it).
    ValueError
        The stored fingerprint differs from that of ``train``, ``config`` and
        ``conditions``: the results were trained on other data or settings.
    """
    where = "load_stored_run"
    folder = files(package)
    json_file, npz_file = folder / f"{stem}.json", folder / f"{stem}.npz"
    if not json_file.is_file() or not npz_file.is_file():
        raise FileNotFoundError(
            f"{where}: no stored run {stem!r} in {package}; run the benchmark that writes "
            "it (benchmarks/gan_clean.py, benchmarks/vae.py --store or benchmarks/flow.py "
            "--store) and commit its files."
        )
    record = json.loads(json_file.read_text())
    expected = training_fingerprint(train, config, conditions)
    if record.get("fingerprint") != expected:
        raise ValueError(
            f"{where}: stored run {stem!r} has fingerprint {record.get('fingerprint')!r}, "
            f"but these training data and settings give {expected!r}: it was trained on "
            "other data or settings (or on a machine whose floating-point code paths "
            "differ: run under the Makefile's environment). Re-run its benchmark."
        )
    with npz_file.open("rb") as fh:
        samples = np.load(fh)["samples"].astype(float)
    return StoredRun(record, samples)
