r"""Where a flow runs: affine coordinates of trajectories, raw or principal components.

A trajectory of ``T`` angles is a point in ``T`` dimensions, but the pendulums of the
clean line have three free numbers. :func:`flow_coordinates` fits, to training
trajectories, either every angle centred and scaled (``"raw"``) or the leading principal
components, whitened (``"pca"``): a linear latent space, where latent diffusion uses a
learned one. :class:`FlowCoordinates` encodes and decodes. Used by
:mod:`physgen.nn.flow`, which re-exports both. This module imports only NumPy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from physgen import _validation as check

__all__ = ["SPACES", "FlowCoordinates", "flow_coordinates"]

#: Where the flow runs: every angle (``"raw"``) or principal components (``"pca"``).
SPACES = ("raw", "pca")


def _trajectories(x, name, where, width=None):
    shape = None if width is None else (None, width)
    fix = (
        "pass one trajectory per row, shape (n, T)."
        if width is None
        else (f"pass shape (n, {width}).")
    )
    return check.array(x, name, where, ndim=2, shape=shape, unit="rad", fix=fix)


# --------------------------------------------------------------------------- coordinates
@dataclass(frozen=True, eq=False)
class FlowCoordinates:
    r"""Affine coordinates of trajectories: :math:`z = B^\top (x - m) / \sigma`.

    Attributes
    ----------
    space : str
        ``"raw"`` or ``"pca"``.
    mean : numpy.ndarray, shape (T,)
        :math:`m`, the training trajectories' mean [rad].
    basis : numpy.ndarray, shape (T, d)
        :math:`B`, orthonormal columns (the identity for ``"raw"``).
    scale : numpy.ndarray, shape (d,)
        :math:`\sigma` [rad]: the standard deviation of each coordinate over
        the training set, so that the coordinates have unit variance.
    """

    space: str
    mean: np.ndarray
    basis: np.ndarray
    scale: np.ndarray

    @property
    def dim(self) -> int:
        """``d``, the number of coordinates the flow runs in."""
        return int(self.scale.size)

    def encode(self, x) -> np.ndarray:
        """Coordinates (n, d) of trajectories ``x`` (n, T) [rad]."""
        x = _trajectories(x, "x", "FlowCoordinates.encode", self.mean.size)
        return (x - self.mean) @ self.basis / self.scale

    def decode(self, z) -> np.ndarray:
        """Trajectories (n, T) [rad] of coordinates ``z`` (n, d)."""
        z = check.array(
            z,
            "z",
            "FlowCoordinates.decode",
            ndim=2,
            shape=(None, self.dim),
            fix=f"pass coordinates of shape (n, {self.dim}).",
        )
        return self.mean + (z * self.scale) @ self.basis.T

    def reconstruct(self, x) -> np.ndarray:
        """``decode(encode(x))``: ``x`` itself for ``"raw"``, its projection for ``"pca"``."""
        return self.decode(self.encode(x))


def flow_coordinates(trajectories, *, space="raw", n_components=16) -> FlowCoordinates:
    """The coordinates a flow runs in, fitted to training trajectories.

    Parameters
    ----------
    trajectories : array_like, shape (n, T)
        Training trajectories [rad].
    space : {"raw", "pca"}, keyword-only
        ``"raw"``: each angle centred and divided by its standard deviation
        over the set (``d = T``); ``"pca"``: the ``n_components`` leading
        principal components (SVD of the centred set), each divided by its
        standard deviation (whitened).
    n_components : int, keyword-only
        For ``"pca"``: ``d``, between 1 and ``min(n, T)``.

    Returns
    -------
    FlowCoordinates
    """
    where = "flow_coordinates"
    x = _trajectories(trajectories, "trajectories", where)
    space = check.choice(space, "space", where, SPACES)
    mean = x.mean(axis=0)
    centred = x - mean
    if space == "raw":
        basis = np.eye(x.shape[1])
        scale = np.maximum(centred.std(axis=0, ddof=1), 1e-12)
    else:
        most = min(x.shape)
        k = check.integer(n_components, "n_components", where, minimum=1, fix=f"pass 1 to {most}.")
        if k > most:
            raise ValueError(
                f"{where}: n_components={k} exceeds min(n, T) = {most}; pass <= {most}."
            )
        _, sv, vt = np.linalg.svd(centred, full_matrices=False)
        basis = vt[:k].T
        scale = np.maximum(sv[:k] / np.sqrt(x.shape[0] - 1), 1e-12)
    return FlowCoordinates(
        space, check.readonly(mean), check.readonly(basis), check.readonly(scale)
    )
