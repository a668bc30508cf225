"""Tests of physgen.plotting: every helper returns its axes, labels carry units,
existing axes are reused, bad input is refused, and the drawings show the physics."""

from __future__ import annotations

import importlib
import json
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.animation import FuncAnimation  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

import physgen  # noqa: E402
from physgen import (  # noqa: E402
    animate_pendulums,
    pendulum_animation_html,
    plot_energy_drift,
    plot_error_over_time,
    plot_period_vs_amplitude,
    plot_phase_portrait,
    plot_trajectories,
    simulate,
)

UNIT = re.compile(r"\[[^\]]+\]")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def batch():
    """Four pendulums of different lengths and gravities; the last goes over the top."""
    t = np.linspace(0.0, 6.0, 301)
    return simulate(
        np.array([0.3, 1.0, -1.4, 0.5]),
        np.array([0.0, 0.5, 0.0, 7.0]),
        t,
        length=np.array([1.0, 0.5, 2.0, 1.0]),
        g=np.array([9.81, 9.81, 3.7, 9.81]),
    )


@pytest.fixture(scope="module")
def same_pendulum():
    t = np.linspace(0.0, 4.0, 201)
    return simulate(np.array([0.5, 2.0]), 0.0, t, length=1.5, g=9.81)


def _assert_units(ax):
    assert UNIT.search(ax.get_xlabel()), ax.get_xlabel()
    assert UNIT.search(ax.get_ylabel()), ax.get_ylabel()


# --------------------------------------------------------------------------- each helper
def _calls(batch, same_pendulum):
    t = batch.t
    amp = np.linspace(0.1, 3.0, 30)
    return {
        "plot_trajectories": lambda ax: plot_trajectories(batch, ax=ax),
        "plot_phase_portrait": lambda ax: plot_phase_portrait(batch, ax=ax, scaled=True),
        "plot_phase_portrait_unscaled": lambda ax: plot_phase_portrait(same_pendulum, ax=ax),
        "plot_period_vs_amplitude": lambda ax: plot_period_vs_amplitude(
            amp, physgen.period(amp, 0.0), ax=ax, small_angle=2 * np.pi / np.sqrt(9.81)
        ),
        "plot_period_vs_amplitude_relative": lambda ax: plot_period_vs_amplitude(
            amp, physgen.period(amp, 0.0), ax=ax, small_angle=2.0, relative=True, degrees=False
        ),
        "plot_error_over_time": lambda ax: plot_error_over_time(
            t, {"a": 1e-3 * (1 + t), "b": 1e-5 * (1 + t)}, ax=ax
        ),
        "plot_energy_drift": lambda ax: plot_energy_drift(t, batch.energy()[0], ax=ax),
    }


@pytest.mark.parametrize(
    "name",
    [
        "plot_trajectories",
        "plot_phase_portrait",
        "plot_phase_portrait_unscaled",
        "plot_period_vs_amplitude",
        "plot_period_vs_amplitude_relative",
        "plot_error_over_time",
        "plot_energy_drift",
    ],
)
def test_helper_returns_axes_with_units_and_reuses_ax(name, batch, same_pendulum):
    call = _calls(batch, same_pendulum)[name]
    new = call(None)
    assert isinstance(new, Axes)
    _assert_units(new)
    assert len(new.lines) > 0

    fig, (left, right) = plt.subplots(1, 2)
    got = call(right)
    assert got is right
    assert len(right.lines) > 0 and len(left.lines) == 0
    assert len(fig.axes) == 2  # nothing added elsewhere
    _assert_units(right)


def test_import_does_not_touch_rcparams():
    before = dict(matplotlib.rcParams)
    importlib.reload(physgen.plotting)
    assert dict(matplotlib.rcParams) == before


# --------------------------------------------------------------------------- physics in the drawings
def test_trajectories_one_line_per_pendulum_with_the_data(batch):
    ax = plot_trajectories(batch)
    assert len(ax.lines) == 4
    for k, line in enumerate(ax.lines):
        np.testing.assert_array_equal(line.get_xdata(), batch.t)
        np.testing.assert_array_equal(line.get_ydata(), batch.theta[k])
        assert line.get_color() == f"C{k}"  # pendulum k has colour Ck everywhere


def test_trajectories_which_and_labels(batch):
    ax = plot_trajectories(batch, which=[3, 1], label_params=True)
    assert [line.get_color() for line in ax.lines] == ["C3", "C1"]
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), batch.theta[3])
    assert "l = 1.00 m" in ax.lines[0].get_label() and "rad/s" in ax.lines[0].get_label()


def test_separatrix_has_the_right_height():
    # Unscaled: omega = 2 sqrt(g/l) cos(theta/2), so 2 sqrt(g/l) at theta = 0.
    ax = plot_phase_portrait(None, length=2.0, g=8.0)
    peak = max(np.nanmax(line.get_ydata()) for line in ax.lines)
    assert peak == pytest.approx(2 * np.sqrt(8.0 / 2.0), rel=1e-4)
    # Scaled: one separatrix for every pendulum, height 2.
    ax = plot_phase_portrait(None, scaled=True)
    assert max(np.nanmax(line.get_ydata()) for line in ax.lines) == pytest.approx(2.0, rel=1e-4)


def test_phase_portrait_separates_swinging_from_rotating(batch):
    ax = plot_phase_portrait(batch, scaled=True, separatrix=False)
    assert len(ax.lines) == 4
    for k, line in enumerate(ax.lines):
        x = np.asarray(line.get_xdata(), dtype=float)
        y = np.asarray(line.get_ydata(), dtype=float)
        ok = np.isfinite(x)
        assert np.all((x[ok] >= -np.pi) & (x[ok] < np.pi))  # wrapped
        # Energy conservation: (w/W)^2/4 + sin^2(theta/2) = k^2 is constant on each curve.
        k2 = y[ok] ** 2 / 4 + np.sin(x[ok] / 2) ** 2
        assert np.ptp(k2) < 1e-8
        assert (k2[0] > 1) == (k == 3)  # only the fast one rotates, outside the separatrix
    # The rotating curve is broken (NaN) where it wraps around; swinging ones are not.
    assert np.isnan(np.asarray(ax.lines[3].get_xdata(), dtype=float)).any()
    assert not np.isnan(np.asarray(ax.lines[0].get_xdata(), dtype=float)).any()


def test_phase_portrait_unwrapped_keeps_continuous_angle(batch):
    ax = plot_phase_portrait(batch, which=3, scaled=True, wrap=False)
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), batch.theta[3])


def test_period_plot_draws_reference_and_hides_infinite_period():
    amp = np.array([0.5, 1.0, np.pi])  # pi: the separatrix, period inf
    per = physgen.period(amp, 0.0)
    assert np.isinf(per[-1])
    ax = plot_period_vs_amplitude(amp, per, small_angle=2 * np.pi / np.sqrt(9.81))
    y = np.asarray(ax.lines[0].get_ydata(), dtype=float)
    assert np.isnan(y[-1]) and np.all(np.isfinite(y[:-1]))
    np.testing.assert_allclose(ax.lines[0].get_xdata(), np.degrees(amp))
    assert ax.lines[1].get_ydata()[0] == pytest.approx(2 * np.pi / np.sqrt(9.81))


def test_energy_drift_is_relative():
    t = np.linspace(0, 1, 11)
    ax = plot_energy_drift(t, {"m": 2.0 * (1 + 0.01 * t)})
    np.testing.assert_allclose(ax.lines[0].get_ydata()[1:], 0.01 * t[1:], rtol=1e-12)
    assert ax.get_yscale() == "log"


# --------------------------------------------------------------------------- animations
def test_animation_html_is_small_deterministic_and_faithful(batch):
    page = pendulum_animation_html(batch, fps=25, alt="Four pendulums.")
    again = pendulum_animation_html(batch, fps=25, alt="Four pendulums.")
    assert page == again  # re-running a notebook reproduces it exactly
    assert len(page.encode()) < 30_000
    assert page.count('class="bob"') == 4 and page.count('class="rod"') == 4
    assert "<title" in page and "Four pendulums." in page and 'role="img"' in page
    payload = json.loads(re.search(r"var D=(\{.*?\});", page).group(1))
    frames = np.array(payload["a"])
    frame_t = np.arange(frames.shape[1]) / 25
    assert frame_t[-1] <= batch.t[-1] < frame_t[-1] + 1 / 25 + 1e-12
    expected = np.stack([np.interp(frame_t, batch.t, th) for th in batch.theta])
    np.testing.assert_allclose(frames, expected, atol=5e-4)
    # Rods to scale: the 2 m pendulum is twice as long as the 1 m ones.
    r = payload["r"]
    assert r[2] == pytest.approx(2 * r[0], rel=1e-3)


def test_animation_html_layout_and_selection(batch):
    page = pendulum_animation_html(batch, which=[0, 3], columns=1, duration=2.0, fps=10)
    assert page.count('class="bob"') == 2
    payload = json.loads(re.search(r"var D=(\{.*?\});", page).group(1))
    assert len(payload["a"]) == 2 and len(payload["a"][0]) == 20


def test_animate_pendulums_returns_funcanimation(batch):
    anim = animate_pendulums(batch, which=[0, 1], fps=10, duration=3.0)
    assert isinstance(anim, FuncAnimation)
    assert len(list(anim.new_frame_seq())) == 30


# --------------------------------------------------------------------------- bad input
def test_bad_ax_is_a_type_error(batch):
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        plot_trajectories(batch, ax="left")


def test_not_a_trajectory(batch):
    with pytest.raises(TypeError, match="traj must be a physgen.Trajectory"):
        plot_trajectories(np.zeros((3, 10)))
    with pytest.raises(TypeError, match="traj must be a physgen.Trajectory"):
        pendulum_animation_html({"t": batch.t})


def test_inconsistent_trajectory_shapes():
    class Fake:
        t = np.linspace(0, 1, 10)
        theta = np.zeros((2, 9))
        omega = np.zeros((2, 9))
        length = 1.0
        g = 9.81

    with pytest.raises(ValueError, match="shape"):
        plot_trajectories(Fake())


def test_non_finite_trajectory():
    class Fake:
        t = np.linspace(0, 1, 10)
        theta = np.full(10, np.nan)
        omega = np.zeros(10)
        length = 1.0
        g = 9.81

    with pytest.raises(ValueError, match="non-finite"):
        plot_trajectories(Fake())


@pytest.mark.parametrize("which", [7, [0, -9], [1.5]])
def test_which_out_of_range_or_not_int(batch, which):
    with pytest.raises((ValueError, TypeError), match="which"):
        plot_trajectories(batch, which=which)


def test_phase_portrait_without_common_separatrix(batch):
    with pytest.raises(ValueError, match="scaled=True"):
        plot_phase_portrait(batch)  # lengths and gravities differ
    ax = plot_phase_portrait(batch, length=1.0, g=9.81)  # explicit separatrix: fine
    assert isinstance(ax, Axes)
    with pytest.raises(ValueError, match="length"):
        plot_phase_portrait(None)
    with pytest.raises(ValueError, match="positive"):
        plot_phase_portrait(None, length=-1.0, g=9.81)


def test_period_plot_bad_input():
    amp = np.linspace(0.1, 1, 5)
    with pytest.raises(ValueError, match="shape"):
        plot_period_vs_amplitude(amp, np.ones(4))
    with pytest.raises(ValueError, match="small_angle"):
        plot_period_vs_amplitude(amp, np.ones(5), relative=True)
    with pytest.raises(ValueError, match="positive"):
        plot_period_vs_amplitude(amp, -np.ones(5))
    with pytest.raises(ValueError, match="small_angle"):
        plot_period_vs_amplitude(amp, np.ones(5), small_angle=0.0)


def test_error_plot_bad_input():
    t = np.linspace(0, 1, 5)
    with pytest.raises(ValueError, match="shape"):
        plot_error_over_time(t, {"a": np.ones(4)})
    with pytest.raises(ValueError, match="unit"):
        plot_error_over_time(t, np.ones(5), ylabel="error")
    with pytest.raises(ValueError, match="empty"):
        plot_error_over_time(t, {})


def test_energy_drift_needs_positive_initial_energy():
    t = np.linspace(0, 1, 5)
    with pytest.raises(ValueError, match="initial energy"):
        plot_energy_drift(t, np.zeros(5))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"fps": 0}, "fps"),
        ({"fps": True}, "fps"),
        ({"duration": 100.0}, "duration"),
        ({"alt": "  "}, "alt"),
        ({"decimals": 0}, "decimals"),
        ({"columns": 0}, "columns"),
        ({"cell_size": 5}, "cell_size"),
    ],
)
def test_animation_bad_options(batch, kwargs, match):
    # a wrong type (True for fps) is a TypeError, a bad value a ValueError
    with pytest.raises(TypeError if kwargs.get("fps") is True else ValueError, match=match):
        pendulum_animation_html(batch, **kwargs)
