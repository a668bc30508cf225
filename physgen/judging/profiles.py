r"""Residual profiles: how far from a pendulum a set of trajectories is, time by time.

The median residual of :func:`fit_pendulum` is one number per set: it cannot
tell noise that grows with time from noise of constant size with the same
average. :func:`residual_profile` keeps the time axis: at each time it takes
the root-mean-square residual of the fitted pendulums over the set, an
estimate of the set's noise standard deviation :math:`\sigma(t)`.
:func:`relative_profile_error` compares two profiles with one number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from physgen import _validation as check
from physgen.judging.fitting import PendulumFit, fit_pendulum

__all__ = ["ResidualProfile", "residual_profile", "relative_profile_error"]


@dataclass(frozen=True, eq=False)
class ResidualProfile:
    r"""The per-time RMS residual of fitted pendulums (the result of :func:`residual_profile`).

    Attributes
    ----------
    t : ndarray, shape (T,)
        Time grid [s].
    rms : ndarray, shape (T,)
        Root-mean-square residual [rad] at each time over the fits that did not
        fail, :math:`\sqrt{\tfrac1{n'}\sum_i (\theta_{ij} - \hat\theta_i(t_j))^2}`;
        all NaN when every fit failed.
    n : int
        Number of trajectories.
    n_failed : int
        Fits left out because they failed (:attr:`PendulumFit.failed`); the
        profile averages over ``n - n_failed`` trajectories.
    g : float
        The gravitational acceleration [m/s^2] of the fits.

    All arrays are read-only.
    """

    t: np.ndarray
    rms: np.ndarray
    n: int
    n_failed: int
    g: float

    @property
    def n_used(self) -> int:
        """Trajectories the profile averages over, ``n - n_failed``."""
        return self.n - self.n_failed

    def __repr__(self) -> str:
        mean = float(np.sqrt(np.mean(self.rms**2))) if self.n_used else float("nan")
        return (
            f"ResidualProfile(T={self.rms.shape[0]}, n={self.n}, n_failed={self.n_failed}, "
            f"RMS over time {mean:.3g} rad)"
        )


def residual_profile(theta, t, *, g=9.81, fit=None) -> ResidualProfile:
    r"""Per-time root-mean-square residual of the pendulums fitted to a set of trajectories.

    Each trajectory :math:`\theta_i` is fitted by the exact pendulum
    :math:`\hat\theta_i(t)` (:func:`fit_pendulum`); the profile is

    .. math::

        r(t_j) = \sqrt{\frac{1}{n'} \sum_{i} \bigl(\theta_{ij} - \hat\theta_i(t_j)\bigr)^2},

    the sum over the :math:`n'` fits that did not fail. For pendulums observed
    with independent noise of standard deviation :math:`\sigma(t)`,
    :math:`r(t_j)^2 \approx \sigma(t_j)^2 (1 - h_j)`, where the leverage
    :math:`h_j` of the three fitted parameters averages :math:`3/T`: the
    profile estimates the data's own :math:`\sigma(t)`, with a relative
    sampling error of about :math:`1/\sqrt{2n'}` at each time. Noise of one
    average size but another shape over time (flat instead of growing) gives
    the same median residual and a different profile.

    Parameters
    ----------
    theta : array_like, shape (n, T) or (T,)
        Trajectories [rad], one per row, finite.
    t : array_like, shape (T,)
        Common time grid [s], strictly increasing, ``T >= 4``.
    g : float, default 9.81
        Gravitational acceleration [m/s^2] of the fits (> 0).
    fit : PendulumFit, optional
        ``fit_pendulum(theta, t, g=g)`` if already computed (it is not
        recomputed).

    Returns
    -------
    ResidualProfile
        ``rms`` [rad] and ``t`` [s] of shape ``(T,)``, with ``n``,
        ``n_failed`` and ``g``.

    Raises
    ------
    TypeError
        Non-numeric ``theta`` or ``t``, a ``fit`` that is not a PendulumFit.
    ValueError
        Non-finite values, ``t`` not matching ``T``, ``g <= 0``, a ``fit`` of
        another number of trajectories or another ``g``.

    Examples
    --------
    >>> import numpy as np
    >>> from physgen import ConstantNoise, PendulumPrior, PriorGenerator, residual_profile
    >>> t = np.linspace(0.0, 5.0, 50)
    >>> noisy = PriorGenerator(PendulumPrior(), t, noise=ConstantNoise(0.1)).sample(400, rng=0)
    >>> prof = residual_profile(noisy, t)
    >>> prof.rms.shape, prof.n_failed   # 5 swings smaller than the noise: no fit
    ((50,), 5)
    >>> bool(np.all(np.abs(prof.rms - 0.1) < 0.02))
    True
    """
    where = "residual_profile"
    y = check.samples("theta", theta, where, one_row=True)
    n, T = y.shape
    tt = check.times(t, T, where)
    g = check.real(g, "g", where, unit="m/s^2", positive=True, fix="pass e.g. g=9.81.")
    if fit is None:
        fit = fit_pendulum(y, tt, g=g)
    else:
        check.instance(
            fit, PendulumFit, "fit", where, fix="pass fit_pendulum(theta, t, g=g), or None."
        )
        if len(fit) != n or fit.g != g:
            raise ValueError(
                f"{where}: fit holds {len(fit)} fits with g={fit.g!r}, but theta has "
                f"{n} trajectories and g={g!r}; pass fit_pendulum(theta, t, g={g!r}) for "
                "these trajectories, or fit=None."
            )
    keep = ~fit.failed
    if np.any(keep):
        fitted = fit.trajectories(tt)[keep]
        rms = np.sqrt(np.mean((y[keep] - fitted) ** 2, axis=0))
    else:
        rms = np.full(T, np.nan)
    return ResidualProfile(
        t=check.readonly(tt.copy()),
        rms=check.readonly(rms),
        n=n,
        n_failed=fit.n_failed,
        g=g,
    )


def _profile_values(value, name: str, where: str) -> np.ndarray:
    if isinstance(value, ResidualProfile):
        return np.asarray(value.rms, dtype=float)
    return check.array(
        value,
        name,
        where,
        ndim=1,
        finite=False,
        nonnegative=True,
        unit="rad",
        fix=f"pass a ResidualProfile or its rms, shape (T,), e.g. {name}=residual_profile(x, t).",
    )


def relative_profile_error(profile, reference) -> float:
    r"""Relative root-mean-square difference of two residual profiles.

    .. math::

        \varepsilon = \sqrt{\frac{\sum_j (r_j - r^{\mathrm{ref}}_j)^2}
                                  {\sum_j (r^{\mathrm{ref}}_j)^2}}

    0 for identical profiles; about 1 for a profile that misses the
    reference's size entirely (or is twice as large). Noise of the right
    average size but the wrong shape over time scores well above 0: a flat
    profile against one growing linearly from 0 (both with the same mean
    square) gives :math:`\varepsilon = \sqrt{2 - \sqrt 3} \approx 0.52`.

    Parameters
    ----------
    profile : ResidualProfile or array_like, shape (T,)
        The profile judged (e.g. of generated samples) [rad].
    reference : ResidualProfile or array_like, shape (T,)
        The reference profile (e.g. of real data, or the true
        :math:`\sigma(t)`) [rad], not all zero.

    Returns
    -------
    float
        :math:`\varepsilon \ge 0` (dimensionless).

    Raises
    ------
    TypeError
        Non-numeric input.
    ValueError
        Non-finite or negative values (a profile whose fits all failed is
        NaN), profiles of different lengths, a reference that is all zero.

    Examples
    --------
    >>> import numpy as np
    >>> from physgen import relative_profile_error
    >>> t = np.linspace(0.0, 5.0, 101)
    >>> growing = 0.1 * t
    >>> flat = np.full_like(t, np.sqrt(np.mean(growing**2)))
    >>> relative_profile_error(growing, growing)
    0.0
    >>> round(relative_profile_error(flat, growing), 2)
    0.52
    """
    where = "relative_profile_error"
    a = _profile_values(profile, "profile", where)
    b = _profile_values(reference, "reference", where)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError(
            f"{where}: a profile holds NaN (every fit failed, ResidualProfile.n_failed == n); "
            "judge a set whose trajectories can be fitted, or report n_failed instead."
        )
    check.same_shape(
        a, b, ("profile", "reference"), where, fix="compute both on the same time grid t."
    )
    den = float(np.sum(b**2))
    if not den > 0:
        raise ValueError(
            f"{where}: reference is zero at every time (a noise-free reference); "
            "compare against a reference with noise, or use the absolute RMS difference."
        )
    return float(np.sqrt(np.sum((a - b) ** 2) / den))
