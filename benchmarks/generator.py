"""Throughput of the pendulum generators: 10,000 trajectories x 1,000 time points.

Run:  python benchmarks/generator.py  [--trajectories N] [--points T] [--repeats R]

Prints one table, every row measured in this run, side by side:

* ``np.sin`` over an array of the output's size (the phases ``w0 * t``): the floor
  for any closed form, and the unit of the "x np.sin" column;
* physgen ``simulate`` with each vectorised method (whole batch in one call);
* the original course code's per-trajectory Python loop of Euler-Cromer and a
  per-trajectory ``scipy.integrate.solve_ivp`` loop: these are slow, so they are
  timed on a subset of trajectories and scaled to the full batch (the table
  says which rows are scaled, and from how many trajectories).

Times are the best of ``--repeats`` wall-clock runs (the machine may be shared:
the load average is printed). "points/s" counts time points of one trajectory
(each point gives theta and omega, except np.sin which gives one number).
The last column is the largest |theta - exact| [rad] of each method on the
first trajectories (accuracy at a glance; the exact solution's own accuracy
is tested against a 30-digit reference in tests/test_pendulum_exact.py).
Finally the peak memory that ``simulate(method="exact")`` allocates
(tracemalloc) is given relative to the size of one output array.
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc

import numpy as np
from scipy.integrate import solve_ivp

from physgen import simulate

SEED = 2024
G = 9.81
DT = 0.02  # s: t = 0, 0.02, ..., 19.98 s (uniform from 0, as Euler-Cromer needs)


def best_time(fn, repeats):
    best = np.inf
    out = None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def original_euler_cromer(theta0, omega0, length, g, n_steps, dt):
    """The original course code's loop, one trajectory at a time (plain Python floats)."""
    rows = np.empty((theta0.size, n_steps))
    for j in range(theta0.size):
        theta, omega = float(theta0[j]), float(omega0[j])
        k = g / float(length[j])
        out = rows[j]
        for i in range(n_steps):
            omega -= k * np.sin(theta) * dt
            theta += omega * dt
            out[i] = theta
    return rows


def solve_ivp_loop(theta0, omega0, length, g, t):
    rows = np.empty((theta0.size, t.size))
    for j in range(theta0.size):
        w2 = g / length[j]
        sol = solve_ivp(
            lambda _, y, w2=w2: (y[1], -w2 * np.sin(y[0])),
            (t[0], t[-1]),
            (theta0[j], omega0[j]),
            method="DOP853",
            t_eval=t,
            rtol=1e-10,
            atol=1e-10,
        )
        rows[j] = sol.y[0]
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajectories", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--loop-subset", type=int, default=100, help="trajectories timed for the Python loop"
    )
    parser.add_argument(
        "--ivp-subset", type=int, default=20, help="trajectories timed for solve_ivp"
    )
    args = parser.parse_args(argv)
    n, T, R = args.trajectories, args.points, args.repeats

    rng = np.random.default_rng(SEED)
    theta0 = rng.uniform(-np.pi, np.pi, n)  # rad
    omega0 = rng.uniform(-8.0, 8.0, n)  # rad/s
    length = rng.uniform(0.5, 2.0, n)  # m
    t = DT * np.arange(T)  # s
    w0 = np.sqrt(G / length)
    rotating = np.mean((omega0 / (2 * w0)) ** 2 + np.sin(theta0 / 2) ** 2 > 1)
    phases = w0[:, None] * t  # the argument of a closed form's sine, shape (n, T)
    size = n * T

    rows = []  # (name, seconds for the full batch, trajectories timed, scaled?, max |error| [rad] or None)

    # side by side, interleaved: np.sin and "exact" (the headline ratio)
    t_sin = t_exact = cpu_sin = cpu_exact = np.inf
    for _ in range(R):
        c0 = time.process_time()
        t_sin = min(t_sin, best_time(lambda: np.sin(phases), 1)[0])
        c1 = time.process_time()
        dt_exact, exact = best_time(lambda: simulate(theta0, omega0, t, length=length, g=G), 1)
        c2 = time.process_time()
        t_exact = min(t_exact, dt_exact)
        cpu_sin, cpu_exact = min(cpu_sin, c1 - c0), min(cpu_exact, c2 - c1)
    rows.append(("np.sin (array of the output's size)", t_sin, n, False, None))
    rows.append(('physgen "exact" (Jacobi elliptic, batch)', t_exact, n, False, 0.0))
    ref = exact.theta[: args.loop_subset]

    for method in ("small_angle", "verlet", "euler_cromer", "rk"):
        reps = 1 if method == "rk" else R
        sub = n if method != "rk" else max(1, n // 10)
        sec, traj = best_time(
            lambda: simulate(
                theta0[:sub], omega0[:sub], t, length=length[:sub], g=G, method=method
            ),
            reps,
        )
        err = float(np.max(np.abs(traj.theta[: args.loop_subset] - ref[:sub])))
        label = f'physgen "{method}" (batch)'
        if method == "rk":
            label = 'physgen "rk" (one solve_ivp DOP853 for the batch)'
        rows.append((label, sec * n / sub, sub, sub != n, err))

    m = args.loop_subset
    sec, loop = best_time(
        lambda: original_euler_cromer(theta0[:m], omega0[:m], length[:m], G, T, DT), 1
    )
    rows.append(
        (
            "original per-trajectory Python loop (Euler-Cromer)",
            sec * n / m,
            m,
            True,
            float(np.max(np.abs(loop - ref))),
        )
    )
    m = args.ivp_subset
    sec, ivp = best_time(lambda: solve_ivp_loop(theta0[:m], omega0[:m], length[:m], G, t), 1)
    rows.append(
        (
            "solve_ivp DOP853 rtol 1e-10, one call per trajectory",
            sec * n / m,
            m,
            True,
            float(np.max(np.abs(ivp - ref[:m]))),
        )
    )

    tracemalloc.start()
    simulate(theta0, omega0, t, length=length, g=G)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"Pendulum generators: {n:,} trajectories x {T:,} time points = {size:,} points "
        f"(t = 0..{t[-1]:.2f} s, dt = {DT} s; theta0 ~ U(-pi, pi), omega0 ~ U(-8, 8) rad/s, "
        f"l ~ U(0.5, 2) m, g = {G}; {rotating:.0%} rotating). Best of {R} runs; load average {load:.1f}."
    )
    header = f"| {'method':<56} | {'trajectories timed':>18} | {'time [s]':>9} | {'points/s':>9} | {'x np.sin':>8} | {'max abs dtheta [rad]':>20} |"
    print(header)
    print("|" + "|".join("-" * len(c) for c in header.split("|")[1:-1]) + "|")
    for name, sec, timed, scaled, err in rows:
        timed_txt = f"{timed:,}" + (" scaled" if scaled else "")
        err_txt = (
            "-"
            if err is None
            else ("reference" if err == 0.0 and "exact" in name else f"{err:.1e}")
        )
        print(
            f"| {name:<56} | {timed_txt:>18} | {sec:9.3f} | {size / sec:9.2e} | {t_sin / sec:8.3g} | {err_txt:>20} |"
        )
    out_bytes = size * 8
    print(
        f"\nPeak memory allocated by simulate(method='exact'): {peak / 2**20:.0f} MiB = "
        f"{peak / out_bytes:.2f} x one output array ({out_bytes / 2**20:.0f} MiB; the result holds two: theta and omega)."
    )
    print(
        'Target: "exact" >= 0.5 x np.sin throughput (points/s); measured '
        f"{t_sin / t_exact:.2f} x by wall time, {cpu_sin / cpu_exact:.2f} x by CPU time "
        '(each point of "exact" is two numbers, theta and omega; np.sin gives one).'
    )


if __name__ == "__main__":
    main()
