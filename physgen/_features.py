"""Feature rows: the one layout of a network's inputs, one row per (pendulum, time).

The tabular datasets (:func:`physgen.make_dataset`), the fitted networks'
predictions and their samples all build their inputs with :func:`feature_rows`,
so a column always means the same thing.
"""

from __future__ import annotations

import numpy as np

from physgen import _validation as check
from physgen.generator import PendulumParameters

#: Column names of :attr:`Dataset.features`, in order: initial angle [rad],
#: initial angular velocity [rad/s], time [s], mass [kg], gravitational
#: acceleration [m/s^2], length [m].
FEATURES = ("theta0", "omega0", "t", "m", "g", "l")
#: Where each feature comes from: a field of :class:`physgen.PendulumParameters`,
#: or ``None`` for the time.
FEATURE_SOURCES = {
    "theta0": "theta0",
    "omega0": "omega0",
    "t": None,
    "m": "mass",
    "g": "g",
    "l": "length",
}


def feature_rows(params, t) -> np.ndarray:
    """Feature rows of pendulums on a time grid, columns :data:`FEATURES`.

    The one builder of network inputs: datasets, predictions and samples all
    use it, so a feature always means the same thing.

    Parameters
    ----------
    params : PendulumParameters or Mapping
        ``n`` pendulums, or one pendulum as a mapping with the fields of
        :class:`physgen.PendulumParameters` (``theta0`` [rad], ``omega0``
        [rad/s], and optional ``length`` [m], ``g`` [m/s^2], ``mass`` [kg],
        with that class's defaults: 1 m, 9.81 m/s^2, 1 kg).
    t : array_like, shape (T,)
        Times [s], finite.

    Returns
    -------
    numpy.ndarray, shape (n, T, 6), or (T, 6) for a mapping

    Examples
    --------
    >>> from physgen import feature_rows
    >>> feature_rows(dict(theta0=1.0, omega0=0.5, length=2.0, g=10.0), [0.0, 0.1])
    array([[ 1. ,  0.5,  0. ,  1. , 10. ,  2. ],
           [ 1. ,  0.5,  0.1,  1. , 10. ,  2. ]])
    """
    single = False
    if not isinstance(params, PendulumParameters):
        if not hasattr(params, "keys"):
            raise TypeError(
                f"feature_rows: params must be PendulumParameters or a mapping, "
                f"got {type(params).__name__}; pass e.g. "
                "dict(theta0=1.0, omega0=1.0, length=1.0, g=10.0)."
            )
        allowed = {"theta0", "omega0", "length", "g", "mass"}
        if set(params) - allowed or not {"theta0", "omega0"} <= set(params):
            raise ValueError(
                f"feature_rows: params={dict(params)!r} must have theta0 and "
                f"omega0 and may have length, g, mass (no other keys); pass e.g. "
                "dict(theta0=1.0, omega0=1.0, length=1.0, g=10.0)."
            )
        params = PendulumParameters(**params)
        single = True
    times = check.array(
        t,
        "t",
        "feature_rows",
        ndim=1,
        unit="s",
        fix="pass a 1-D grid of finite times such as np.arange(500) * 0.01.",
    )
    values = params.as_dict()
    out = np.empty((len(params), times.size, len(FEATURES)))
    for j, name in enumerate(FEATURES):
        source = FEATURE_SOURCES[name]
        out[..., j] = times[None, :] if source is None else values[source][:, None]
    return out[0] if single else out
