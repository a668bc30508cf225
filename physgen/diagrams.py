r"""Diagrams of the course, drawn with matplotlib.

Each function draws one picture a reader needs before the equations: the
pendulum and its forces, a network layer by layer, the three learned
generators of part 2 (VAE, GAN, Hamiltonian network) and the map of the
course. Every function takes ``ax=None`` (a new figure when omitted) and
returns the axes. Text artists carry a ``gid`` naming what they label, so that
tests (and readers of the code) can find them.

The network diagram is read from a model, never typed by hand:
:func:`network_layers` lists the layers of any Keras-like model (anything with
``layers`` and ``input_shape``), and :func:`draw_network` draws that list.
This module imports only numpy and matplotlib; it does not import TensorFlow.
"""

from __future__ import annotations

import itertools
import math
import textwrap
from dataclasses import dataclass

import numpy as np
from matplotlib.patches import Arc, Circle, FancyArrowPatch, FancyBboxPatch

from physgen import _validation as check
from physgen.plotting._common import _get_ax

__all__ = [
    "COURSE_MAP",
    "LayerSpec",
    "draw_course_map",
    "draw_gan",
    "draw_hnn",
    "draw_network",
    "draw_pendulum",
    "draw_vae",
    "network_layers",
]


def _blank(ax, xlim, ylim, *, equal=True):
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    if equal:
        ax.set_aspect("equal")
    ax.set_axis_off()


def _arrow(ax, start, end, *, color="k", gid=None, lw=1.5, style="-|>", rad=0.0, zorder=2):
    patch = FancyArrowPatch(
        start,
        end,
        arrowstyle=style,
        mutation_scale=14,
        color=color,
        lw=lw,
        connectionstyle=f"arc3,rad={rad}",
        shrinkA=0,
        shrinkB=0,
        zorder=zorder,
    )
    patch.set_gid(gid)
    ax.add_patch(patch)
    return patch


def _box(ax, xy, text, *, width, height, gid, color="C0", fontsize=10):
    """A rounded box centred on ``xy`` with ``text`` in it; returns the text artist."""
    x, y = xy
    box = FancyBboxPatch(
        (x - width / 2, y - height / 2),
        width,
        height,
        boxstyle="round,pad=0.02,rounding_size=0.08",
        facecolor=color,
        edgecolor="k",
        alpha=0.25,
        lw=1.2,
    )
    ax.add_patch(box)
    label = ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, gid=gid)
    return label


def _pipeline(ax, y, boxes):
    """Boxes in a row along height ``y``, each joined to the next by an arrow.

    ``boxes`` holds ``(x, text, width, height, gid, color)`` per box, left to
    right; an arrow runs from the right edge of each box to the left edge of
    the next (edges rounded to the drawing's 0.01 grid).
    """
    for x, text, width, height, gid, color in boxes:
        _box(ax, (x, y), text, width=width, height=height, gid=gid, color=color)
    for (x0, _, w0, *_), (x1, _, w1, *_) in itertools.pairwise(boxes):
        _arrow(ax, (round(x0 + w0 / 2, 2), y), (round(x1 - w1 / 2, 2), y))


# --- the pendulum ------------------------------------------------------------------


def draw_pendulum(theta: float = 0.5, length: float = 1.0, *, ax=None):
    r"""The pendulum of chapter 1 with its angle, length, gravity and forces.

    The rod hangs from the pivot at the origin; the bob sits at
    :math:`(l\sin\theta,\ -l\cos\theta)`, so the angle is measured from the
    downward vertical, positive anticlockwise. Drawn: the vertical (dashed),
    the angle :math:`\theta`, the length :math:`l`, the weight :math:`mg`
    (straight down, with the direction of :math:`g`), the rod's tension
    :math:`T` (along the rod, towards the pivot) and the restoring force
    :math:`mg\sin\theta` (along the swing, towards the vertical). Arrow lengths
    are to scale at a turning point (:math:`\omega = 0`), where the tension is
    :math:`mg\cos\theta`.

    Parameters
    ----------
    theta : float, optional
        Angle from the downward vertical [rad], ``0 < |theta| < pi/2`` so that
        the angle and the forces can be seen. Default 0.5.
    length : float, optional
        Rod length in the drawing's units [m], > 0. Default 1.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes. The rod is the line with ``gid="rod"``; every label is a
        text artist whose ``gid`` names it (``"theta"``, ``"length"``,
        ``"g"``, ``"weight"``, ``"tension"``, ``"restoring"``).

    Raises
    ------
    ValueError
        For an angle outside ``0 < |theta| < pi/2`` or a non-positive length.
    """
    theta = check.real(theta, "theta", "draw_pendulum", unit="rad", fix="try theta=0.5.")
    length = check.real(
        length, "length", "draw_pendulum", unit="m", positive=True, fix="try length=1.0."
    )
    if not 0 < abs(theta) < math.pi / 2:
        raise ValueError(
            f"draw_pendulum: theta={theta!r} rad must satisfy 0 < |theta| < pi/2 "
            "so that the angle and the forces are visible; try theta=0.5."
        )
    ax = _get_ax(ax, (4.2, 4.6))
    s, c = math.sin(theta), math.cos(theta)
    bob = np.array([length * s, -length * c])
    f = 0.45 * length  # arrow length for a force of size mg
    _draw_rod(ax, bob, length)
    _draw_angle_and_length(ax, theta, length, bob)
    _draw_forces(ax, theta, length, bob, f)
    _draw_gravity(ax, theta, length)
    pad = 0.75 * length
    _blank(ax, (-pad, pad), (-1.2 * length - 0.5 * f, 0.12 * length))
    return ax


def _draw_rod(ax, bob, length: float) -> None:
    """The ceiling, the dashed vertical, the rod, the pivot and the bob."""
    ax.plot([-0.35 * length, 0.35 * length], [0, 0], color="0.3", lw=3)  # the ceiling
    ax.plot([0, 0], [0, -1.1 * length], "k--", lw=0.8, gid="vertical")
    ax.plot([0, bob[0]], [0, bob[1]], color="k", lw=2, gid="rod")
    ax.add_patch(Circle((0, 0), 0.025 * length, color="k"))
    ax.add_patch(Circle(tuple(bob), 0.06 * length, color="C0", zorder=3))


def _draw_angle_and_length(ax, theta: float, length: float, bob) -> None:
    """The arc of the angle from the vertical to the rod, its label, and the rod's label."""
    s, c = math.sin(theta), math.cos(theta)
    r = 0.3 * length
    start = -90.0 if theta > 0 else -90.0 + math.degrees(theta)
    ax.add_patch(
        Arc((0, 0), 2 * r, 2 * r, theta1=start, theta2=start + abs(math.degrees(theta)), lw=1.2)
    )
    half = -math.pi / 2 + theta / 2
    ax.text(
        1.25 * r * math.cos(half),
        1.25 * r * math.sin(half),
        "θ",
        ha="center",
        va="center",
        fontsize=13,
        gid="theta",
    )
    # The length, beside the middle of the rod (on its outer side).
    normal = np.array([c, s]) * np.sign(theta)
    mid = bob / 2 + 0.09 * length * normal
    ax.text(*mid, "l", ha="center", va="center", fontsize=13, style="italic", gid="length")


def _draw_forces(ax, theta: float, length: float, bob, f: float) -> None:
    """Weight straight down; tension along the rod towards the pivot; restoring force
    along the swing, towards the vertical (arrows of length ``f`` per mg)."""
    s, c = math.sin(theta), math.cos(theta)
    _arrow(ax, bob, bob + [0, -f], color="C3", gid="weight-arrow")
    ax.text(
        bob[0] + 0.05 * length, bob[1] - f, "mg", color="C3", fontsize=12, va="center", gid="weight"
    )
    t_dir = -bob / length
    _arrow(ax, bob, bob + f * c * t_dir, color="C2", gid="tension-arrow", lw=3, zorder=4)
    tip = bob + f * c * t_dir
    ax.text(
        tip[0] - 0.09 * length * np.sign(theta),
        tip[1],
        "T",
        color="C2",
        fontsize=12,
        ha="center",
        va="center",
        gid="tension",
    )
    tangent = -np.sign(theta) * np.array([c, s])  # towards the vertical along the swing
    r_tip = bob + f * abs(s) * tangent
    _arrow(ax, bob, r_tip, color="C1", gid="restoring-arrow")
    ax.text(
        r_tip[0],
        r_tip[1] - 0.09 * length,
        "mg sin θ",
        color="C1",
        fontsize=11,
        ha="center",
        va="top",
        gid="restoring",
    )


def _draw_gravity(ax, theta: float, length: float) -> None:
    """The direction of gravity, on the side away from the pendulum."""
    gx = -0.55 * length * np.sign(theta)
    _arrow(ax, (gx, -0.35 * length), (gx, -0.7 * length), color="0.3", gid="g-arrow")
    ax.text(
        gx + 0.06 * length * np.sign(theta),
        -0.52 * length,
        "g",
        fontsize=13,
        style="italic",
        ha="center",
        va="center",
        color="0.3",
        gid="g",
    )


# --- a network, read from the model --------------------------------------------------


@dataclass(frozen=True)
class LayerSpec:
    """One column of a network diagram.

    Attributes
    ----------
    kind : str
        ``"input"``, ``"dense"`` or the layer's class name (e.g.
        ``"Normalization"``, ``"Dropout"``).
    width : int
        Number of units (features for the input, outputs otherwise).
    activation : str
        Activation function's name (``"relu"``, ``"swish"``, ``"linear"``);
        empty for layers without one.
    """

    kind: str
    width: int
    activation: str = ""


def network_layers(model) -> tuple[LayerSpec, ...]:
    """The layers of a Keras-like model, input first, as :class:`LayerSpec` columns.

    Parameters
    ----------
    model : object
        Anything with ``input_shape`` (its last entry is the number of
        features) and ``layers``; dense layers are recognised by a ``units``
        attribute and their ``activation`` function's ``__name__``. A
        ``tf_keras.Sequential`` qualifies; TensorFlow is not imported here.

    Returns
    -------
    tuple of LayerSpec
        The input, then one entry per layer. Layers without units (e.g.
        normalisation) keep the width before them.

    Raises
    ------
    TypeError
        If ``model`` has no ``layers`` or no ``input_shape``.
    """
    if not hasattr(model, "layers") or not hasattr(model, "input_shape"):
        raise TypeError(
            f"network_layers: model={type(model).__name__} has no `layers` and "
            "`input_shape`; pass a built tf_keras model, e.g. "
            "physgen.nn.build_network(physgen.nn.ORIGINAL, 6)."
        )
    width = int(model.input_shape[-1])
    specs = [LayerSpec("input", width)]
    for layer in model.layers:
        units = getattr(layer, "units", None)
        if units is not None:
            width = int(units)
            activation = getattr(getattr(layer, "activation", None), "__name__", "")
            specs.append(LayerSpec("dense", width, activation))
        else:
            specs.append(LayerSpec(type(layer).__name__, width))
    return tuple(specs)


_ACTIVATION_NAMES = {"swish": "SiLU", "relu": "ReLU", "linear": "linear", "tanh": "tanh"}


def draw_network(model, *, input_names=None, output_name="θ(t)", max_nodes=8, ax=None):
    r"""A network drawn column by column, as :func:`network_layers` reads it from the model.

    Each dense layer is a column of units (at most ``max_nodes`` drawn, the
    rest elided with a dotted gap), every unit joined to every unit of the
    column before; the column's label gives its width and activation. Layers
    without units (normalisation) are drawn as a thin labelled bar.

    Parameters
    ----------
    model : object
        A Keras-like model (see :func:`network_layers`) or a sequence of
        :class:`LayerSpec`.
    input_names : sequence of str, optional
        One name per input feature, written beside the input units.
    output_name : str, optional
        Name written beside a single output unit. Default ``"θ(t)"``.
    max_nodes : int, optional
        Most units drawn per column, >= 3. Default 8.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes. The label of column ``k`` is a text artist with
        ``gid=f"layer-{k}"``.

    Raises
    ------
    ValueError
        If ``input_names`` does not have one name per input, or
        ``max_nodes < 3``.
    """
    specs = tuple(model) if not hasattr(model, "layers") else network_layers(model)
    max_nodes = check.integer(
        max_nodes, "max_nodes", "draw_network", minimum=3, fix="try max_nodes=8."
    )
    if input_names is not None and len(input_names) != specs[0].width:
        raise ValueError(
            f"draw_network: input_names has {len(input_names)} names but the "
            f"model has {specs[0].width} inputs; pass one name per input."
        )
    ax = _get_ax(ax, (1.6 * len(specs) + 1.5, 4.0))
    previous = None
    for k, spec in enumerate(specs):
        x = float(k)
        if spec.kind not in ("input", "dense"):
            _draw_bar(ax, x, k, spec, max_nodes)
            continue
        ys = _unit_heights(spec.width, max_nodes)
        if previous is not None:
            px, pys = previous
            for y0 in pys:
                for y1 in ys:
                    ax.plot([px, x], [y0, y1], color="0.75", lw=0.4, zorder=1)
        last = k == len(specs) - 1
        color = "C2" if spec.kind == "input" else ("C1" if last else "C0")
        ax.scatter(np.full(ys.size, x), ys, s=110, color=color, zorder=2)
        if spec.width > max_nodes:
            ax.text(x, 0.0, "⋮", ha="center", va="center", fontsize=12)
        ax.text(
            x,
            -0.5 * max_nodes - 0.6,
            _column_label(spec, last),
            ha="center",
            va="top",
            fontsize=8,
            gid=f"layer-{k}",
        )
        if spec.kind == "input" and input_names is not None:
            for y, name in zip(ys[::-1], input_names, strict=False):
                ax.text(x - 0.3, y, str(name), ha="right", va="center", fontsize=8)
        if last and spec.width == 1:
            ax.text(x + 0.3, ys[0], output_name, ha="left", va="center", fontsize=9)
        previous = (x, ys)
    _blank(
        ax, (-1.1, len(specs) - 0.1), (-0.5 * max_nodes - 1.9, 0.5 * max_nodes + 0.3), equal=False
    )
    return ax


def _draw_bar(ax, x: float, k: int, spec: LayerSpec, max_nodes: int) -> None:
    """A layer without units (e.g. normalisation): a thin bar and its label."""
    ax.add_patch(
        FancyBboxPatch(
            (x - 0.06, -0.5 * max_nodes),
            0.12,
            max_nodes,
            boxstyle="round,pad=0.02",
            color="0.6",
            alpha=0.6,
        )
    )
    ax.text(
        x,
        -0.5 * max_nodes - 0.6,
        f"{spec.kind}\n({spec.width})",
        ha="center",
        va="top",
        fontsize=8,
        gid=f"layer-{k}",
    )


def _unit_heights(width: int, max_nodes: int) -> np.ndarray:
    """Heights of the units drawn for a column of ``width`` units: all of them, or
    ``max_nodes - 1`` with a gap in the middle for the elided rest."""
    shown = width if width <= max_nodes else max_nodes - 1
    ys = (np.arange(shown) - (shown - 1) / 2) * (max_nodes / max(shown, 1)) * 0.9
    if width <= max_nodes:
        return ys
    return np.concatenate([ys[: shown // 2] - 0.4, ys[shown // 2 :] + 0.4])


def _column_label(spec: LayerSpec, last: bool) -> str:
    """The label under a column: input features, a hidden layer, or the output."""
    if spec.kind == "input":
        return f"input\n{spec.width} features"
    name = _ACTIVATION_NAMES.get(spec.activation, spec.activation)
    if last:
        return f"output\n{spec.width} ({name})"
    return f"dense\n{spec.width} {name}"


# --- the generators of part 2 -------------------------------------------------------

_AXES_DOC = """ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
{gids}
    """


def _labelled(*gids):
    """Finish a diagram's docstring, which ends with its own parameters: the ``ax``
    parameter, and the axes returned, whose text labels carry the ``gids``."""
    listing = ", ".join(f'``"{gid}"``' for gid in gids[:-1]) + f' and ``"{gids[-1]}"``'
    text = textwrap.fill(
        f"The axes. Labels have gids {listing}.",
        width=88,
        initial_indent=" " * 8,
        subsequent_indent=" " * 8,
        break_on_hyphens=False,
    )

    def finish(func):
        if func.__doc__ is not None:  # None under python -OO
            func.__doc__ += _AXES_DOC.format(gids=text)
        return func

    return finish


@_labelled(
    "data",
    "encoder",
    "latent",
    "decoder",
    "output",
    "prior",
    "loss",
    "reconstruction-loss",
    "kl-loss",
)
def draw_vae(*, latent_dim: int = 6, beta: float | None = None, ax=None):
    r"""A variational autoencoder: encoder, latent sample, decoder and its two loss terms.

    The encoder maps a trajectory :math:`x` to :math:`q_\phi(z\mid x)`; a
    latent :math:`z = \mu + L\varepsilon` is sampled (the reparameterisation
    trick); the decoder maps it to :math:`p_\theta(x\mid z)`. The loss is the
    negative ELBO:

    .. math:: -\mathbb E_q[\log p_\theta(x\mid z)] + \beta\,\mathrm{KL}(q_\phi(z\mid x)\,\|\,p(z)).

    Parameters
    ----------
    latent_dim : int, optional
        Size of :math:`z`, written in the diagram. Default 6.
    beta : float, optional
        Weight of the KL term, written in the diagram; the symbol β when
        omitted.
    """
    ax = _get_ax(ax, (10, 3.6))
    h = 1.0
    encoder = "encoder\n$q_\\phi(z\\,|\\,x)$\nmean μ, scale L"
    latent = f"latent sample\n$z = \\mu + L\\varepsilon$\n({latent_dim} numbers)"
    _pipeline(
        ax,
        0,
        (
            (0.6, "trajectory\nx", 1.0, h, "data", "C2"),
            (2.5, encoder, 1.8, 1.3, "encoder", "C0"),
            (4.7, latent, 1.9, 1.3, "latent", "C4"),
            (6.9, "decoder\n$p_\\theta(x\\,|\\,z)$", 1.8, 1.3, "decoder", "C0"),
            (8.8, "generated\ntrajectory", 1.2, h, "output", "C1"),
        ),
    )
    _box(
        ax,
        (4.7, 1.9),
        "prior $p(z) = \\mathcal{N}(0, I)$",
        width=2.6,
        height=0.6,
        gid="prior",
        color="0.7",
    )
    _arrow(ax, (4.7, 1.6), (4.7, 0.65), style="-|>")
    ax.text(4.85, 1.12, "to generate:\ndraw z here", fontsize=8, va="center")
    weight = "β" if beta is None else f"{beta:g}"
    ax.text(
        4.7,
        -2.45,
        f"loss (−ELBO) = reconstruction + {weight} × KL",
        ha="center",
        fontsize=10,
        gid="loss",
    )
    ax.text(
        6.9,
        -2.05,
        "reconstruction:  $-\\mathbb{E}_q[\\log p_\\theta(x\\,|\\,z)]$",
        ha="center",
        fontsize=10,
        color="C3",
        gid="reconstruction-loss",
    )
    ax.text(
        2.5,
        -2.05,
        "KL:  $\\mathrm{KL}(q_\\phi(z\\,|\\,x)\\,\\|\\,p(z))$",
        ha="center",
        fontsize=10,
        color="C3",
        gid="kl-loss",
    )
    _arrow(ax, (2.5, -1.8), (2.5, -0.7), color="C3", lw=1, style="-")
    _arrow(ax, (6.9, -1.8), (6.9, -0.7), color="C3", lw=1, style="-")
    _blank(ax, (0, 9.5), (-2.7, 2.4), equal=False)
    return ax


@_labelled("latent", "generator", "fake", "real", "critic", "critic-loss", "generator-loss")
def draw_gan(*, latent_dim: int = 4, ax=None):
    r"""A Wasserstein GAN: generator, critic, and the loss each one minimises.

    A latent :math:`z \sim p(z)` goes through the generator :math:`G`; the
    critic :math:`f` scores real trajectories :math:`x` and generated ones
    :math:`G(z)`. The critic minimises
    :math:`L_D = \mathbb E[f(G(z))] - \mathbb E[f(x)]`, the generator
    :math:`L_G = -\mathbb E[f(G(z))]`.

    Parameters
    ----------
    latent_dim : int, optional
        Size of :math:`z`, written in the diagram. Default 4.
    """
    ax = _get_ax(ax, (10, 3.6))
    _pipeline(
        ax,
        0.9,
        (
            (0.8, f"latent z ~ p(z)\n({latent_dim} numbers)", 1.6, 0.9, "latent", "C4"),
            (3.0, "generator G", 1.6, 0.9, "generator", "C0"),
            (5.2, "generated\ntrajectory G(z)", 1.7, 0.9, "fake", "C1"),
        ),
    )
    _box(ax, (5.2, -0.9), "real\ntrajectory x", width=1.7, height=0.9, gid="real", color="C2")
    _box(
        ax,
        (7.7, 0.0),
        "critic f\n(a score, not\na probability)",
        width=1.7,
        height=1.3,
        gid="critic",
    )
    _arrow(ax, (6.05, 0.9), (6.85, 0.3))
    _arrow(ax, (6.05, -0.9), (6.85, -0.3))
    ax.text(
        7.7,
        -1.35,
        "critic minimises\n$L_D = \\mathbb{E}[f(G(z))] - \\mathbb{E}[f(x)]$",
        ha="center",
        va="top",
        fontsize=10,
        color="C3",
        gid="critic-loss",
    )
    ax.text(
        3.0,
        -0.2,
        "generator minimises\n$L_G = -\\mathbb{E}[f(G(z))]$",
        ha="center",
        va="top",
        fontsize=10,
        color="C3",
        gid="generator-loss",
    )
    _arrow(ax, (7.0, 0.7), (3.6, 1.4), color="C3", lw=1, rad=0.35, style="-|>")
    ax.text(
        5.2,
        2.05,
        "the critic's score is the generator's only signal",
        ha="center",
        fontsize=8,
        color="C3",
    )
    _blank(ax, (-0.1, 8.8), (-2.3, 2.3), equal=False)
    return ax


@_labelled("state", "network", "gradient", "equations", "trajectory")
def draw_hnn(*, coordinate: str = "q", ax=None):
    r"""A Hamiltonian neural network: :math:`H(q, p)` → its gradient → the motion.

    The network outputs one number, the energy :math:`H_w(q, p)`; automatic
    differentiation gives its gradient, and Hamilton's equations
    :math:`\dot q = \partial H/\partial p`, :math:`\dot p = -\partial H/\partial q`
    give the motion, which an integrator turns into a trajectory. Since the
    motion follows the level sets of :math:`H`, whatever :math:`H` is learned
    is conserved.

    Parameters
    ----------
    coordinate : str, optional
        Symbol of the coordinate (``"θ"`` for the pendulum's angle). Default ``"q"``.
    """
    ax = _get_ax(ax, (10, 3.2))
    q = str(coordinate)
    qm = {"θ": "\\theta"}.get(q, q)  # mathtext name of the symbol
    network = f"network\n$H_w({qm}, p)$\none number:\nthe energy"
    gradient = (
        f"gradient\n$\\partial H/\\partial {qm},\\ \\partial H/\\partial p$\n"
        "(automatic\ndifferentiation)"
    )
    equations = (
        f"equations of motion\n$\\dot {qm} = \\partial H/\\partial p$\n"
        f"$\\dot p = -\\partial H/\\partial {qm}$"
    )
    _pipeline(
        ax,
        0,
        (
            (0.8, f"state\n({q}, p)", 1.2, 1.0, "state", "C2"),
            (2.85, network, 1.9, 1.5, "network", "C0"),
            (5.15, gradient, 1.9, 1.5, "gradient", "C4"),
            (7.45, equations, 2.0, 1.5, "equations", "C1"),
            (9.55, "integrate\n→ trajectory", 1.5, 1.0, "trajectory", "C2"),
        ),
    )
    _arrow(ax, (9.55, -0.5), (0.8, -0.5), rad=-0.25, lw=1)
    ax.text(
        5.15,
        -1.6,
        "next state: step by step, H stays constant along the motion",
        ha="center",
        fontsize=9,
    )
    _blank(ax, (0.1, 10.4), (-1.9, 0.9), equal=False)
    return ax


# --- the map of the course -------------------------------------------------------------

#: The course's chapters in the order of ``_toc.yml`` (a test checks it): the
#: page's file name, its short title, and the one idea it adds.
COURSE_MAP: tuple[tuple[str, str, str], ...] = (
    (
        "01-classical-mechanics",
        "1. Classical mechanics",
        "a formula fed with sampled\nparameters is a generator",
    ),
    (
        "02-approximation",
        "2. Learning the formula",
        "a network learns the formula\nfrom noisy data: one answer",
    ),
    ("03-bayesian", "3. Bayesian modelling", "outputs and weights become\ndistributions to sample"),
    (
        "04-vae",
        "4. Variational autoencoders",
        "whole trajectories generated\nfrom a latent; judged by physics",
    ),
    ("05-gan", "5. Adversarial networks", "a critic, not a likelihood,\nteaches the generator"),
    (
        "06-flow-matching",
        "6. Flow matching",
        "a learned ODE carries noise\nto data; solved as in ch. 1",
    ),
    (
        "07-learning-the-law",
        "7. Learning the law",
        "learn the equation of motion,\nthen generate with it",
    ),
    ("08-takeaways", "8. Takeaways", "every generator judged\non one scale"),
)


def draw_course_map(*, ax=None):
    """The chapters of the course in order, each with the one idea it adds.

    Two rows of boxes joined by arrows: chapters 1 to 3 (the essay's part 1,
    from the formula to a sampled network) and 4 to 8 (the learned generators).

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes; chapter ``k`` (from 1) is a text artist with ``gid=f"chapter-{k}"``,
        in the order of :data:`COURSE_MAP`.
    """
    ax = _get_ax(ax, (12.5, 4.2))
    width, height = 2.2, 1.25
    rows = (COURSE_MAP[:3], COURSE_MAP[3:])
    centres = []
    for r, chapters in enumerate(rows):
        y = 1.0 if r == 0 else -1.0
        for i, (_, title, idea) in enumerate(chapters):
            x = 1.35 + i * (2.85 if r == 0 else 2.5)
            centres.append((x, y))
            k = len(centres)
            color = "C0" if r == 0 else "C1"
            _box(ax, (x, y), "", width=width, height=height, gid=f"box-{k}", color=color)
            ax.text(
                x,
                y + 0.33,
                title,
                ha="center",
                va="center",
                fontsize=9.5,
                fontweight="bold",
                gid=f"chapter-{k}",
            )
            ax.text(x, y - 0.18, idea, ha="center", va="center", fontsize=8.5)
    for (x0, y0), (x1, y1) in itertools.pairwise(centres):
        if y0 == y1:
            _arrow(ax, (x0 + width / 2, y0), (x1 - width / 2, y1))
        else:  # from the end of the first row to the start of the second
            _arrow(ax, (x0, y0 - height / 2), (x1, y1 + height / 2), rad=-0.15)
    ax.text(
        9.9,
        1.0,
        "part 1:\nfrom a formula\nto a sampled\nnetwork",
        fontsize=8.5,
        va="center",
        color="C0",
    )
    _blank(ax, (0.05, 12.6), (-1.8, 1.8), equal=False)
    return ax
