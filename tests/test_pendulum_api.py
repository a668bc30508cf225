"""The public contract of physgen.pendulum: names, shapes, the result type and bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import physgen
from physgen import METHODS, Trajectory, energy, period, simulate
from physgen import pendulum as pendulum_module


def test_public_names():
    assert set(pendulum_module.__all__) == {"METHODS", "Trajectory", "simulate", "period", "energy"}
    for name in pendulum_module.__all__:
        assert getattr(physgen, name) is getattr(pendulum_module, name)
    assert METHODS == ("exact", "small_angle", "euler_cromer", "verlet", "rk")


def test_physics_module_does_not_import_tensorflow():
    source = open(pendulum_module.__file__, encoding="utf-8").read()
    assert "tensorflow" not in source and "import tf" not in source


@pytest.mark.parametrize(
    "theta0, omega0, length, g, batch",
    [
        (1.0, 0.0, 1.0, 9.81, ()),
        (np.array([0.1, 0.2, 0.3]), 0.0, 1.0, 9.81, (3,)),
        (0.5, np.array([0.0, 1.0]), np.array([[1.0], [2.0], [3.0]]), 9.81, (3, 2)),
        (np.zeros((2, 1, 4)), 1.0, 1.0, np.array([9.81, 3.7, 24.8]).reshape(1, 3, 1), (2, 3, 4)),
    ],
)
@pytest.mark.parametrize("method", METHODS)
def test_shapes_and_broadcasting(theta0, omega0, length, g, batch, method):
    t = 0.05 * np.arange(7)
    traj = simulate(theta0, omega0, t, length=length, g=g, method=method)
    assert isinstance(traj, Trajectory)
    assert traj.method == method
    assert traj.batch_shape == batch
    assert traj.t.shape == (7,)
    assert traj.theta.shape == batch + (7,)
    assert traj.omega.shape == batch + (7,)
    for name in ("theta0", "omega0", "length", "g"):
        assert getattr(traj, name).shape == batch
    assert traj.energy().shape == batch + (7,)
    assert traj.energy(mass=2.0).shape == batch + (7,)
    assert np.shape(period(theta0, omega0, length=length, g=g)) == batch


def test_result_is_frozen_and_read_only():
    traj = simulate(np.array([0.1, 0.2]), 0.0, np.linspace(0.0, 1.0, 5))
    with pytest.raises(dataclasses.FrozenInstanceError):
        traj.theta = None  # type: ignore[misc]
    with pytest.raises(ValueError):
        traj.theta[0, 0] = 1.0
    # inputs are not aliased: changing them afterwards changes nothing
    theta0 = np.array([0.1, 0.2])
    traj = simulate(theta0, 0.0, np.linspace(0.0, 1.0, 5))
    theta0[0] = 5.0
    assert traj.theta0[0] == 0.1


def test_energy_function_and_mass_scaling():
    assert energy(0.0, 2.0, length=1.0, g=9.81, mass=2.0) == pytest.approx(4.0)
    assert energy(np.pi, 0.0, length=2.0, g=10.0, mass=3.0) == pytest.approx(2 * 3.0 * 10.0 * 2.0)
    traj = simulate(1.0, 0.0, np.linspace(0.0, 3.0, 4), length=np.array([1.0, 2.0]))
    np.testing.assert_allclose(traj.energy(mass=3.0), 3.0 * traj.energy(), rtol=1e-14)
    np.testing.assert_allclose(traj.energy(mass=np.array([1.0, 2.0]))[1], 2.0 * traj.energy()[1], rtol=1e-14)


# --------------------------------------------------------------------------
# bad input: ValueError/TypeError naming the argument, the value and the fix
# --------------------------------------------------------------------------
T = np.linspace(0.0, 1.0, 11)


def _check_message(excinfo, name, value_text):
    msg = str(excinfo.value)
    assert name in msg, msg
    assert value_text in msg, msg
    assert any(word in msg for word in ("pass", "use", "give", "remove", "convert", "e.g.")), msg


@pytest.mark.parametrize(
    "kwargs, name, value_text",
    [
        (dict(length=0.0), "length", "0.0"),
        (dict(length=-1.0), "length", "-1.0"),
        (dict(length=np.nan), "length", "nan"),
        (dict(length=np.inf), "length", "inf"),
        (dict(length=np.array([1.0, -2.0])), "length", "-2.0"),
        (dict(g=0.0), "g", "0.0"),
        (dict(g=-9.81), "g", "-9.81"),
        (dict(g=np.nan), "g", "nan"),
        (dict(theta0=np.nan), "theta0", "nan"),
        (dict(theta0=np.array([0.0, np.inf])), "theta0", "inf"),
        (dict(omega0=-np.inf), "omega0", "inf"),
        (dict(t=np.array([0.0, np.nan])), "t", "nan"),
        (dict(t=np.zeros((2, 3))), "t", "(2, 3)"),
        (dict(t=1.0), "t", "()"),
        (dict(method="leapfrog"), "method", "leapfrog"),
        (dict(theta0=np.zeros(3), omega0=np.zeros(4)), "broadcast", "(3,)"),
        (dict(method="euler_cromer", t=np.array([0.0, 0.1, 0.3])), "dt", "euler_cromer"),
        (dict(method="verlet", dt=0.0), "dt", "0.0"),
        (dict(method="verlet", dt=-0.1), "dt", "-0.1"),
        (dict(method="verlet", dt=0.3), "t", "0.1"),
    ],
)
def test_bad_input_raises_value_error(kwargs, name, value_text):
    args = dict(theta0=1.0, omega0=0.0, t=T)
    args.update(kwargs)
    theta0, omega0, t = args.pop("theta0"), args.pop("omega0"), args.pop("t")
    with pytest.raises(ValueError) as excinfo:
        simulate(theta0, omega0, t, **args)
    _check_message(excinfo, name, value_text)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(theta0="1.0"), "theta0"),
        (dict(omega0=None), "omega0"),
        (dict(length="long"), "length"),
        (dict(theta0=1 + 2j), "theta0"),
        (dict(t=["a", "b"]), "t"),
        (dict(method=3), "method"),
        (dict(method="verlet", dt="0.1"), "dt"),
    ],
)
def test_bad_types_raise_type_error(kwargs, name):
    args = dict(theta0=1.0, omega0=0.0, t=T)
    args.update(kwargs)
    theta0, omega0, t = args.pop("theta0"), args.pop("omega0"), args.pop("t")
    with pytest.raises(TypeError) as excinfo:
        simulate(theta0, omega0, t, **args)
    assert name in str(excinfo.value)


def test_bad_input_to_period_and_energy():
    with pytest.raises(ValueError, match="length"):
        period(1.0, 0.0, length=0.0)
    with pytest.raises(ValueError, match="theta0"):
        period(np.nan, 0.0)
    with pytest.raises(ValueError, match="mass"):
        energy(1.0, 0.0, length=1.0, g=9.81, mass=-1.0)
    with pytest.raises(ValueError, match="omega"):
        energy(1.0, np.nan, length=1.0, g=9.81)
    with pytest.raises(ValueError, match="broadcast"):
        energy(np.zeros((2, 5)), 0.0, length=np.ones(2), g=9.81)
    traj = simulate(1.0, 0.0, T)
    with pytest.raises(ValueError, match="mass"):
        traj.energy(mass=0.0)
