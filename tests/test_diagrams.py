"""Tests of physgen.diagrams: the drawings show what their arguments say, the network
diagram is read from the model the chapters build, and the course map follows _toc.yml."""

from __future__ import annotations

import math
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import yaml
from matplotlib.axes import Axes

import physgen
from physgen import (
    COURSE_MAP,
    LayerSpec,
    draw_course_map,
    draw_gan,
    draw_hnn,
    draw_network,
    draw_pendulum,
    draw_vae,
    network_layers,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts(ax):
    return {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}


def _by_gid(ax, gid):
    found = [a for a in ax.get_children() if a.get_gid() == gid]
    assert len(found) == 1, f"expected one artist with gid={gid!r}, found {len(found)}"
    return found[0]


def test_every_diagram_is_exported_and_documented():
    for name in (
        "draw_pendulum",
        "draw_network",
        "network_layers",
        "draw_vae",
        "draw_gan",
        "draw_hnn",
        "draw_course_map",
        "COURSE_MAP",
        "LayerSpec",
    ):
        assert name in physgen.__all__
    for fn in (
        draw_pendulum,
        draw_network,
        network_layers,
        draw_vae,
        draw_gan,
        draw_hnn,
        draw_course_map,
    ):
        assert "Returns" in fn.__doc__ and "----" in fn.__doc__


@pytest.mark.parametrize("draw", [draw_vae, draw_gan, draw_hnn])
def test_generator_diagrams_label_what_their_docstrings_list(draw):
    """Each gid the docstring's Returns section lists is one text label of the drawing."""
    assert "ax : matplotlib.axes.Axes, optional" in draw.__doc__
    listed = re.findall(r'``"([a-z-]+)"``', draw.__doc__.split("Labels have gids", 1)[1])
    drawn = [t.get_gid() for t in draw().texts if t.get_gid()]
    assert len(listed) >= 5 and sorted(listed) == sorted(drawn)


@pytest.mark.parametrize("draw", [draw_pendulum, draw_vae, draw_gan, draw_hnn, draw_course_map])
def test_draws_on_the_given_axes_or_a_new_one(draw):
    _fig, ax = plt.subplots()
    assert draw(ax=ax) is ax
    assert isinstance(draw(), Axes)
    assert draw() is not ax


@pytest.mark.parametrize("theta, length", [(0.5, 1.0), (-0.9, 2.5), (1.3, 0.4)])
def test_pendulum_rod_has_the_given_length_and_angle(theta, length):
    ax = draw_pendulum(theta, length)
    (x0, x1), (y0, y1) = _by_gid(ax, "rod").get_data()
    assert (x0, y0) == (0, 0)  # the pivot
    assert math.hypot(x1, y1) == pytest.approx(length)
    # angle from the downward vertical, positive anticlockwise
    assert math.atan2(x1, -y1) == pytest.approx(theta)


def test_pendulum_forces_point_the_right_way():
    theta = 0.6
    ax = draw_pendulum(theta, 1.0)
    bob = np.array([math.sin(theta), -math.cos(theta)])

    def direction(gid):
        arrow = _by_gid(ax, gid)
        (start, end) = arrow._posA_posB
        assert np.allclose(start, bob)
        d = np.subtract(end, start)
        return d / np.linalg.norm(d)

    assert np.allclose(direction("weight-arrow"), [0, -1])  # gravity straight down
    assert np.allclose(direction("tension-arrow"), -bob)  # along the rod, to the pivot
    restoring = direction("restoring-arrow")
    assert abs(restoring @ bob) < 1e-12  # perpendicular to the rod: along the swing
    assert restoring[0] < 0  # back towards the vertical (theta > 0)
    # to scale at a turning point: T = mg cos(theta), restoring force = mg sin(theta)
    size = {
        g: np.linalg.norm(np.subtract(*_by_gid(ax, g)._posA_posB[::-1]))
        for g in ("weight-arrow", "tension-arrow", "restoring-arrow")
    }
    assert size["tension-arrow"] / size["weight-arrow"] == pytest.approx(math.cos(theta))
    assert size["restoring-arrow"] / size["weight-arrow"] == pytest.approx(math.sin(theta))
    labels = _texts(ax)
    assert labels["theta"] == "θ" and labels["length"] == "l" and labels["g"] == "g"
    assert labels["weight"] == "mg" and labels["tension"] == "T"
    assert "sin θ" in labels["restoring"]


@pytest.mark.parametrize("bad", [0.0, math.pi / 2, 2.0, float("nan")])
def test_pendulum_refuses_an_angle_that_cannot_be_drawn(bad):
    with pytest.raises(ValueError, match="theta="):
        draw_pendulum(bad)


def test_pendulum_refuses_a_bad_length():
    with pytest.raises(ValueError, match="length=-1"):
        draw_pendulum(0.5, -1.0)


def test_network_diagram_is_read_from_the_chapter_2_networks():
    """The layers drawn are those of the networks chapter 2 builds (nn.ORIGINAL, nn.IMPROVED)."""
    nn = pytest.importorskip("physgen.nn")
    original = nn.build_network(nn.ORIGINAL, len(nn.ORIGINAL.features), seed=0)
    specs = network_layers(original)
    assert [s.width for s in specs] == [len(nn.ORIGINAL.features), *nn.ORIGINAL.hidden, 1]
    assert [s.activation for s in specs[1:-1]] == [nn.ORIGINAL.activation] * 3
    assert specs[-1].activation == "linear"
    ax = draw_network(original, input_names=nn.ORIGINAL.features)
    labels = _texts(ax)
    for k, width in enumerate(nn.ORIGINAL.hidden, start=1):
        assert labels[f"layer-{k}"] == f"dense\n{width} ReLU"
    drawn = {t.get_text() for t in ax.texts}
    assert set(nn.ORIGINAL.features) <= drawn

    n = len(nn.IMPROVED.features)
    improved = nn.build_network(nn.IMPROVED, n, mean=np.zeros(n), std=np.ones(n), seed=0)
    specs = network_layers(improved)
    assert specs[1].kind == "Normalization" and specs[1].width == n
    assert [s.width for s in specs if s.kind == "dense"] == [*nn.IMPROVED.hidden, 1]
    assert _texts(draw_network(improved))["layer-2"].endswith("SiLU")


def test_network_diagram_elides_wide_layers():
    specs = (LayerSpec("input", 3), LayerSpec("dense", 64, "tanh"), LayerSpec("dense", 1))
    ax = draw_network(specs, max_nodes=6)
    units = [c for c in ax.collections if hasattr(c, "get_offsets")]
    assert [len(c.get_offsets()) for c in units] == [3, 5, 1]
    assert "⋮" in {t.get_text() for t in ax.texts}
    assert _texts(ax)["layer-1"] == "dense\n64 tanh"


def test_network_diagram_refuses_bad_input():
    specs = (LayerSpec("input", 2), LayerSpec("dense", 1))
    with pytest.raises(ValueError, match="input_names has 3 names"):
        draw_network(specs, input_names=["a", "b", "c"])
    with pytest.raises(ValueError, match="max_nodes=2"):
        draw_network(specs, max_nodes=2)
    with pytest.raises(TypeError, match="network_layers: model=int"):
        network_layers(3)


def test_chapter_2_draws_the_network_it_builds():
    page = (ROOT / "book" / "02-approximation.md").read_text(encoding="utf-8")
    built = re.search(r"^net = original_network\(SEED\)$", page, flags=re.MULTILINE)
    drawn = re.search(r"draw_network\(net\b", page)
    assert built and drawn and drawn.start() > built.start()


def test_vae_gan_hnn_label_their_parts_and_losses():
    # Which labels each diagram has: test_generator_diagrams_label_what_their_docstrings_list.
    vae = _texts(draw_vae(latent_dim=6, beta=10.0))
    assert "6 numbers" in vae["latent"] and "10 × KL" in vae["loss"]
    assert "KL" in vae["kl-loss"] and "log p" in vae["reconstruction-loss"]
    gan = _texts(draw_gan(latent_dim=4))
    assert {"latent", "generator", "fake", "real", "critic"} <= set(gan)
    assert "L_D" in gan["critic-loss"] and "L_G" in gan["generator-loss"]
    assert "4 numbers" in gan["latent"]
    hnn = _texts(draw_hnn())
    order = ["state", "network", "gradient", "equations", "trajectory"]
    xs = [_by_gid(draw_hnn(), f"{gid}").get_position()[0] for gid in order]
    assert xs == sorted(xs)  # H -> its gradient -> the equations of motion, left to right
    assert "H_w(q, p)" in hnn["network"] and "\\dot q" in hnn["equations"]


def _toc_chapters():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    course = [p for p in toc["parts"] if p["caption"] in ("The course", "Learned generators")]
    return [Path(c["file"]).name for part in course for c in part["chapters"]]


def test_course_map_follows_the_table_of_contents():
    assert [stem for stem, _, _ in COURSE_MAP] == _toc_chapters()
    ax = draw_course_map()
    titles = [_texts(ax)[f"chapter-{k}"] for k in range(1, len(COURSE_MAP) + 1)]
    assert titles == [title for _, title, _ in COURSE_MAP]
    assert [int(t.split(".")[0]) for t in titles] == list(range(1, len(COURSE_MAP) + 1))


def test_introduction_lists_the_chapters_in_toc_order():
    intro = (ROOT / "book" / "intro.md").read_text(encoding="utf-8")
    listed = re.findall(r"^(\d+)\. \[[^\]]+\]\(([\w-]+)\.md\)", intro, flags=re.MULTILINE)
    assert [name for _, name in listed] == _toc_chapters()
    assert [int(n) for n, _ in listed] == list(range(1, len(listed) + 1))
