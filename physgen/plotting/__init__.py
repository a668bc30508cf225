"""Figures of pendulums: trajectories, phase portraits, periods, errors, animations.

Every plotting helper takes an optional matplotlib ``ax`` (a new figure is
made when it is ``None``), draws on it, labels both axes *with units*, and
returns the axes, so figures compose::

    fig, (left, right) = plt.subplots(1, 2)
    plot_trajectories(traj, ax=left)
    plot_phase_portrait(traj, ax=right, scaled=True)

Nothing here changes matplotlib's global state (no ``rcParams`` on import).
The helpers read a trajectory through its attributes ``t`` [s], ``theta``
[rad], ``omega`` [rad/s], ``length`` [m] and ``g`` [m/s^2] (a
:class:`physgen.Trajectory`, or any object with those attributes), and use
only NumPy and matplotlib.

Two ways to animate a batch of pendulums are provided:
:func:`animate_pendulums` returns a matplotlib
:class:`~matplotlib.animation.FuncAnimation` (for a notebook, or to save as a
video), and :func:`pendulum_animation_html` returns a small, self-contained
SVG + JavaScript snippet that plays on a static web page and weighs a few
kilobytes instead of the megabytes of a frame-by-frame image animation.

Pendulum ``k`` of a batch is drawn in colour ``"C{k}"`` by every helper, so the
same pendulum has the same colour in every figure of a chapter.

The helpers live in three modules by what they draw:
:mod:`~physgen.plotting.trajectories`, :mod:`~physgen.plotting.measurements`
and :mod:`~physgen.plotting.animation`.
"""

from physgen.plotting.animation import animate_pendulums, pendulum_animation_html
from physgen.plotting.measurements import (
    plot_energy_drift,
    plot_error_over_time,
    plot_period_vs_amplitude,
    plot_reliability,
)
from physgen.plotting.trajectories import (
    plot_phase_portrait,
    plot_sampled_trajectories,
    plot_trajectories,
)

__all__ = [
    "plot_trajectories",
    "plot_phase_portrait",
    "plot_period_vs_amplitude",
    "plot_error_over_time",
    "plot_energy_drift",
    "animate_pendulums",
    "pendulum_animation_html",
    "plot_reliability",
    "plot_sampled_trajectories",
]
