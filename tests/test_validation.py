"""One validation rule for the whole package: the same bad input gets the same exception.

A value of the wrong *type* raises TypeError, a value of the right type that is out of
range (or unknown, non-finite, of the wrong shape) raises ValueError; the message names
the argument and the value and says how to fix it.
"""

import dataclasses

import numpy as np
import pytest

import physgen
from physgen import (
    ConstantNoise,
    ParameterGrid,
    PendulumPrior,
    generate,
    make_dataset,
    simulate,
)
from physgen import _validation as check

T = np.linspace(0.0, 1.0, 11)
GRID = dict(theta0=(0.5,), omega0=(0.5,), mass=(1.0,), length=(1.0,))


@pytest.mark.parametrize("call", [
    lambda m: simulate(1.0, 0.0, T, method=m),
    lambda m: ParameterGrid(**GRID, method=m),
    lambda m: make_dataset(PendulumPrior(), n=2, t=T, method=m),
    lambda m: generate(PendulumPrior(), 2, T, method=m),
], ids=["simulate", "ParameterGrid", "make_dataset", "generate"])
def test_method_gets_the_same_exceptions_everywhere(call):
    with pytest.raises(TypeError, match="method=3"):
        call(3)
    with pytest.raises(ValueError, match="method='leapfrog' is not one of"):
        call("leapfrog")


@pytest.mark.parametrize("call, name", [
    (lambda x: ConstantNoise(x), "sigma"),
    (lambda x: ParameterGrid(**GRID, g=x), "g"),
    (lambda x: PendulumPrior(length=x), "length"),
    (lambda x: physgen.split_by_row(make_dataset(ParameterGrid(**GRID), rng=0),
                                    test_fraction=x), "test_fraction"),
])
def test_numbers_wrong_type_vs_bad_value(call, name):
    with pytest.raises(TypeError, match=name):
        call("0.5")
    with pytest.raises(TypeError, match=name):
        call(True)
    with pytest.raises(ValueError, match=f"{name}=nan"):
        call(float("nan"))


def test_checkers_name_argument_value_and_fix():
    with pytest.raises(ValueError) as info:
        check.real(-2.0, "length", "f", positive=True, unit="m", fix="pass e.g. length=1.0.")
    assert str(info.value) == "f: length=-2.0 must be > 0 [m]; pass e.g. length=1.0."
    with pytest.raises(ValueError, match=r"x=.*2 non-finite value\(s\).*the first nan"):
        check.array([1.0, np.nan, np.inf], "x", "f")
    with pytest.raises(ValueError, match=r"must have shape \(any, 6\)"):
        check.array(np.zeros((3, 5)), "x", "f", shape=(None, 6))
    with pytest.raises(TypeError, match="dtype"):
        check.array(np.array(["a"]), "x", "f")
    assert check.integer(np.int64(3), "n", "f", minimum=1) == 3
    assert check.sequence([1, 2], "s", "f", item=lambda v, n: check.integer(v, n, "f")) == (1, 2)
    with pytest.raises(TypeError, match=r"s\[1\]"):
        check.sequence([1, 2.5], "s", "f", item=lambda v, n: check.integer(v, n, "f"))


def test_shared_checkers_name_argument_value_and_fix():
    with pytest.raises(TypeError) as info:
        check.function(3, "law", "f", what="theta -> acceleration", fix="pass a function.")
    assert str(info.value) == (
        "f: law must be a function theta -> acceleration, got int; pass a function."
    )
    with pytest.raises(TypeError, match="f: curves must be a mapping label -> x, got list; pass"):
        check.mapping([1], "curves", "f", what="label -> x", fix="pass a dict.")
    with pytest.raises(ValueError) as info:
        check.broadcast({"a": np.zeros(2), "b": np.zeros(3)}, "f", fix="pass equal shapes.")
    assert str(info.value) == (
        "f: the shapes a(2,), b(3,) do not broadcast to one shape; pass equal shapes."
    )
    assert check.broadcast({"a": np.zeros((2, 1)), "b": 1.0, "c": np.zeros(3)}, "f", fix="") == (
        2,
        3,
    )
    with pytest.raises(ValueError) as info:
        check.increasing(np.array([0.0, 0.5, 0.5]), "t", "f", fix="sort t.")
    assert str(info.value) == (
        "f: t must be strictly increasing [s], but t[2]=0.5 <= t[1]=0.5; sort t."
    )
    assert check.fraction(0.0, "p", "f", zero=True) == 0.0
    for bad, zero in ((0.0, False), (1.0, True), (-0.1, True)):
        with pytest.raises(ValueError, match=f"p={bad}"):
            check.fraction(bad, "p", "f", zero=zero)
    assert check.widths([3, np.int64(2)], "hidden", "f", example="(8, 8)") == (3, 2)
    with pytest.raises(ValueError, match=r"hidden\[1\]=0 must be an int >= 1; .*hidden=\(8, 8\)"):
        check.widths((3, 0), "hidden", "f", example="(8, 8)")
    x, y = check.sample_sets("f", allow_1d=True, x=[1.0, 2.0], y=np.zeros((3, 1)))
    assert x.shape == (2, 1) and y.shape == (3, 1)
    with pytest.raises(ValueError, match="same number of values per sample"):
        check.sample_sets("f", x=np.zeros((2, 3)), y=np.zeros((2, 4)))
    with pytest.raises(TypeError, match="f: x must be an array of samples"):
        check.sample_sets("f", x="abc", y=np.zeros((2, 4)))


@pytest.mark.parametrize("call", [
    lambda: simulate([1.0, 2.0], [0.0, 0.1, 0.2], T),
    lambda: physgen.energy(np.zeros(2), np.zeros(3), length=1.0, g=9.81),
    lambda: physgen.PendulumParameters(theta0=[1.0, 2.0], omega0=[0.0, 0.1, 0.2]),
    lambda: physgen.gaussian_kl(np.zeros(2), 1.0, np.zeros(3), 1.0),
    lambda: physgen.integrate_verlet(np.sin, [1.0, 2.0], [0.0, 0.1, 0.2], T),
], ids=["simulate", "energy", "PendulumParameters", "gaussian_kl", "integrate_verlet"])
def test_shapes_that_do_not_broadcast_get_one_message(call):
    with pytest.raises(ValueError, match=r"^\w+: the shapes \w+\(2,\), .*do not broadcast"):
        call()


def test_frozen_results_holding_arrays_compare_by_identity_and_hash():
    traj = simulate(np.array([0.1, 0.2]), 0.0, T)
    assert traj == traj and traj != simulate(np.array([0.1, 0.2]), 0.0, T)
    hash(traj)
    ds = make_dataset(ParameterGrid(**GRID), rng=0)
    curve = physgen.calibration_curve(np.zeros(4), np.zeros(4), 1.0)
    for obj in (ds, ds.params, physgen.split_by_row(ds, rng=0), curve):
        assert obj == obj
        hash(obj)
        assert dataclasses.is_dataclass(obj)


def test_backslash_docstrings_are_raw():
    """Python 3.12 warns at import about invalid escapes such as "\\b" in a docstring."""
    import ast
    import pathlib

    root = pathlib.Path(physgen.__file__).parent
    for path in sorted(root.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert "\b" not in node.value, f"{path.name}: a backspace in a string literal"
        compile(source, str(path), "exec")  # SyntaxWarning would be raised by -W error
