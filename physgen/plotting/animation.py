"""Animations of a batch of pendulums: matplotlib's, and a small SVG + JavaScript one for a web page."""

from __future__ import annotations

import hashlib
import html
import json

import numpy as np

from physgen import _validation as check
from physgen.plotting._common import (
    _flat_batch,
)


# --------------------------------------------------------------------------- animation
def _animation_frames(traj, which, fps, duration, func):
    """Angles at the animation's frame times: (n, F) array, frame times (F,), params."""
    t, theta, _, length, g, idx = _flat_batch(traj, func, which)
    fps = check.real(fps, "fps", func, positive=True, upper=120, fix="pass e.g. fps=25.")
    span = t[-1] - t[0]
    duration = check.real(
        span if duration is None else duration,
        "duration",
        func,
        unit="s",
        positive=True,
        upper=span,
        fix="pass at most the trajectory's time span, or simulate longer.",
    )
    check.increasing(t, "traj.t", func, fix="pass a sorted time grid [s].")
    n_frames = max(2, round(duration * fps))
    frame_t = t[0] + np.arange(n_frames) / fps
    frame_t = frame_t[frame_t <= t[-1]]
    angles = np.stack([np.interp(frame_t, t, th) for th in theta])
    return angles, frame_t, length, g, idx


def animate_pendulums(
    traj,
    *,
    which=None,
    fps: float = 20,
    duration=None,
    figsize=(4.0, 2.0),
    dpi: int = 60,
):
    """Animate a batch of pendulums swinging side by side (matplotlib).

    Rod lengths are drawn to scale (the longest pendulum fills its cell); time
    runs at real speed when played at ``fps`` frames per second.

    Parameters
    ----------
    traj : physgen.Trajectory
        Trajectories to animate (``t`` [s], ``theta`` [rad], ``length`` [m]).
    which : int or sequence of int, optional
        Flat indices of the pendulums to show; all when None (keep it to a few).
    fps : float
        Frames per second of the animation (and of the resampling of ``t``).
    duration : float, optional
        Seconds of motion to animate, from ``t[0]``; the whole trajectory by default.
    figsize : (float, float)
        Figure size [inch].
    dpi : int
        Resolution of the frames [dots per inch] (keep it low for web pages).

    Returns
    -------
    matplotlib.animation.FuncAnimation
        Call ``.to_jshtml()`` for an embeddable HTML player (every frame is a
        PNG image, so the HTML grows with frames x pixels), or ``.save(...)``.
        For web pages prefer :func:`pendulum_animation_html`.
    """
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    func = "animate_pendulums"
    angles, frame_t, length, _, idx = _animation_frames(traj, which, fps, duration, func)
    n = len(idx)
    rel = _relative_lengths(length)
    fig, ax = plt.subplots(figsize=figsize, dpi=dpi, layout="constrained")
    ax.set_xlim(-1.1, 2.2 * n - 1.1)
    ax.set_ylim(-1.1, 1.1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("pendulums drawn to scale (longest rod = 1 unit)")
    pivots = 2.2 * np.arange(n)
    ax.plot(pivots, np.zeros(n), "k.", markersize=4)
    rods = [ax.plot([], [], color="0.35", linewidth=1.5)[0] for _ in range(n)]
    bobs = [ax.plot([], [], "o", color=f"C{int(k) % 10}", markersize=8)[0] for k in idx]
    clock = ax.text(0.01, 0.98, "", transform=ax.transAxes, va="top", fontsize=8)

    def update(f):
        for i in range(n):
            x = pivots[i] + rel[i] * np.sin(angles[i, f])
            y = -rel[i] * np.cos(angles[i, f])
            rods[i].set_data([pivots[i], x], [0.0, y])
            bobs[i].set_data([x], [y])
        clock.set_text(f"t = {frame_t[f]:.1f} s")
        return [*rods, *bobs, clock]

    anim = FuncAnimation(fig, update, frames=len(frame_t), interval=1000.0 / fps, blit=True)
    plt.close(fig)
    return anim


def _relative_lengths(length):
    """Rod lengths relative to the longest (1 when unknown)."""
    length = np.asarray(length, dtype=float)
    if not np.all(np.isfinite(length)) or np.any(length <= 0):
        return np.ones_like(length)
    return length / length.max()


def pendulum_animation_html(
    traj,
    *,
    which=None,
    fps: float = 25,
    duration=None,
    alt: str = "Animation of pendulums swinging side by side.",
    cell_size: int = 140,
    columns=None,
    decimals: int = 3,
    autoplay: bool = True,
) -> str:
    """A lightweight animation of pendulums as self-contained SVG + JavaScript.

    The returned HTML holds one SVG drawing (a rod and a bob per pendulum,
    rods to scale) and a short script that moves the rods through the angles,
    stored once as numbers: a few kilobytes where a frame-by-frame PNG
    animation needs megabytes. It plays on a static web page and in Jupyter
    (``IPython.display.HTML(...)``), loops, has a play/pause button, and
    starts paused for readers who ask their system for reduced motion. The
    output is deterministic (angles rounded to ``decimals``; element ids
    derived from the content), so re-running a notebook reproduces it exactly.

    Parameters
    ----------
    traj : physgen.Trajectory
        Trajectories to animate (``t`` [s], ``theta`` [rad], ``length`` [m],
        ``g`` [m/s^2]).
    which : int or sequence of int, optional
        Flat indices of the pendulums to show; all when None (keep it to a few).
    fps : float
        Frames per second; the motion is resampled to this rate, and plays in
        real time.
    duration : float, optional
        Seconds of motion to animate from ``t[0]``; the whole trajectory by
        default. The animation loops.
    alt : str
        Text alternative for screen readers (the SVG's title).
    cell_size : int
        Width and height of each pendulum's square cell [px] (the drawing
        scales to the page width).
    columns : int, optional
        Pendulums per row; all in one row when None.
    decimals : int
        Angles are stored rounded to this many decimals [rad].
    autoplay : bool
        Start playing when the page loads (unless reduced motion is requested).

    Returns
    -------
    str
        HTML; display it with ``IPython.display.HTML(...)``.

    Examples
    --------
    >>> import numpy as np
    >>> from physgen import simulate, pendulum_animation_html
    >>> traj = simulate([0.5, 2.0], 0.0, np.linspace(0, 2, 201), method="small_angle")
    >>> page = pendulum_animation_html(traj, fps=10)
    >>> page.count('class="bob"'), len(page) < 6000
    (2, True)
    """
    func = "pendulum_animation_html"
    decimals, cell_size = _html_options(alt, decimals, cell_size, func)
    angles, frame_t, length, g, idx = _animation_frames(traj, which, fps, duration, func)
    n = len(idx)
    rel = _relative_lengths(length)
    columns, size, row_h, width, height = _layout(n, columns, cell_size, func)
    radius = 0.42 * size
    data = {
        "fps": float(fps),
        "r": [round(float(radius * x), 2) for x in rel],
        "a": np.round(angles, int(decimals)).tolist(),
        "t0": round(float(frame_t[0]), 6),
    }
    payload = json.dumps(data, separators=(",", ":"))
    uid = "pgani-" + hashlib.sha256((payload + alt).encode()).hexdigest()[:10]
    parts = [
        f'<div id="{uid}" class="physgen-animation" style="max-width:{width}px">',
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{uid}-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{uid}-title">{html.escape(alt)}</title>',
    ]
    for i in range(n):
        row, col = divmod(i, columns)
        color = _PALETTE[int(idx[i]) % 10]
        parts += _pendulum_svg(
            size * col + size / 2,
            row_h * row,
            size,
            data["r"][i],
            angles[i, 0],
            color,
            length[i],
            g[i],
        )
    parts.append("</svg>")
    parts.append(
        f'<div style="font:12px sans-serif"><button type="button" class="pg-toggle">pause</button> '
        f'<span class="pg-clock">t = {frame_t[0]:.1f} s</span></div>'
    )
    parts.append(f"<script>{_player_script(payload, uid, autoplay)}</script>")
    parts.append("</div>")
    return "\n".join(p for p in parts if p)


# matplotlib's default colour cycle, so that the animation matches the figures.
_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)


def _html_options(alt, decimals, cell_size, func: str) -> tuple[int, int]:
    """Check the description and the layout of the animation: ``(decimals, cell_size)``."""
    fix = "describe what the animation shows, e.g. alt='Two pendulums swinging'."
    if not check.instance(alt, str, "alt", func, fix=fix).strip():
        raise ValueError(f"{func}: alt={alt!r} must be a non-empty description; {fix}")
    decimals = check.integer(decimals, "decimals", func, minimum=1, fix="pass e.g. decimals=3.")
    cell_size = check.integer(cell_size, "cell_size", func, minimum=40, fix="pass e.g. 110 (px).")
    if decimals > 6 or cell_size > 400:
        raise ValueError(
            f"{func}: decimals={decimals} must be at most 6 and cell_size="
            f"{cell_size} at most 400 px; pass e.g. decimals=3, cell_size=110."
        )
    return decimals, cell_size


def _layout(n: int, columns, cell_size: int, func: str) -> tuple[int, int, int, int, int]:
    """Cells of ``n`` pendulums in rows of ``columns``: ``(columns, size, row_h, width,
    height)`` [px], a cell ``size`` wide and ``row_h`` high (room for two labels)."""
    if columns is None:
        columns = n
    columns = check.integer(
        columns, "columns", func, minimum=1, fix="pass e.g. columns=3, or None."
    )
    columns = min(int(columns), n)
    rows = -(-n // columns)
    size = int(cell_size)
    row_h = size + 34
    return columns, size, row_h, columns * size, rows * row_h


def _pendulum_svg(cx, top, size, r, angle, color, length, g) -> list[str]:
    """SVG of one pendulum in its cell: the circle it swings on, the rod and bob at
    ``angle`` [rad], the pivot and a label with its length and g."""
    cy = top + size / 2
    x0 = cx + r * np.sin(angle)
    y0 = cy + r * np.cos(angle)
    parts = [
        f'<circle cx="{cx:g}" cy="{cy:g}" r="{r:g}" fill="none" stroke="#999" '
        f'stroke-width="0.8" stroke-dasharray="2 4"/>',
        f'<line x1="{cx:g}" y1="{cy:g}" x2="{x0:.2f}" y2="{y0:.2f}" '
        f'stroke="#555" stroke-width="2" class="rod"/>',
        f'<circle cx="{x0:.2f}" cy="{y0:.2f}" r="8" fill="{color}" class="bob"/>',
        f'<rect x="{cx - 3:g}" y="{cy - 2:g}" width="6" height="4" fill="#333"/>',
    ]
    lab = []
    if np.isfinite(length):
        lab.append(f"l = {length:.2f} m")
    if np.isfinite(g):
        lab.append(f"g = {g:.2f} m/s²")
    parts.append(
        f'<text x="{cx:g}" y="{top + size + 12}" font-size="11" text-anchor="middle" '
        f'fill="#777">{html.escape(", ".join(lab[:1]))}</text>'
    )
    if len(lab) > 1:
        parts.append(
            f'<text x="{cx:g}" y="{top + size + 26}" font-size="11" '
            f'text-anchor="middle" fill="#777">{html.escape(lab[1])}</text>'
        )
    return parts


def _player_script(payload: str, uid: str, autoplay: bool) -> str:
    """The JavaScript that plays the frames of ``payload`` in the element ``uid``, with a
    pause button; still under prefers-reduced-motion."""
    script = (
        "(function(){"
        f"var D={payload};"
        f"var root=document.getElementById('{uid}');if(!root)return;"
        "var rods=root.querySelectorAll('line.rod'),bobs=root.querySelectorAll('circle.bob');"
        "var btn=root.querySelector('.pg-toggle'),clock=root.querySelector('.pg-clock');"
        "var F=D.a[0].length,f=0,last=null,acc=0,dt=1000/D.fps;"
        "var rm=window.matchMedia&&window.matchMedia('(prefers-reduced-motion: reduce)').matches;"
        f"var playing={'true' if autoplay else 'false'}&&!rm;"
        "function draw(){for(var i=0;i<rods.length;i++){var cx=+rods[i].getAttribute('x1'),"
        "cy=+rods[i].getAttribute('y1'),a=D.a[i][f],x=cx+D.r[i]*Math.sin(a),y=cy+D.r[i]*Math.cos(a);"
        "rods[i].setAttribute('x2',x.toFixed(2));rods[i].setAttribute('y2',y.toFixed(2));"
        "bobs[i].setAttribute('cx',x.toFixed(2));bobs[i].setAttribute('cy',y.toFixed(2));}"
        "clock.textContent='t = '+(D.t0+f/D.fps).toFixed(1)+' s';}"
        "function step(ts){if(!playing){last=null;return;}if(last!==null){acc+=ts-last;"
        "while(acc>=dt){acc-=dt;f=(f+1)%F;}draw();}last=ts;requestAnimationFrame(step);}"
        "function label(){btn.textContent=playing?'pause':'play';}"
        "btn.addEventListener('click',function(){playing=!playing;label();"
        "if(playing)requestAnimationFrame(step);});"
        "label();draw();if(playing)requestAnimationFrame(step);"
        "})();"
    )
    return script
