"""One symbol, one meaning: the chapters follow the notation page (book/notation.md).

Each rule below describes a *second* sense that a key symbol once had somewhere in
the course, as a pattern of the text (prose, math and figure texts of every page;
code only where a name carries the symbol). Any match fails, naming the page, the
line and the symbol to use instead.
"""

import pathlib
import re

import pytest

BOOK = pathlib.Path(__file__).resolve().parents[1] / "book"
PAGES = sorted(p for p in BOOK.glob("*.md") if p.name != "notation.md")

# (symbol, pattern of the wrong sense, where: "text" or "code", what to write instead)
RULES = [
    ("σ", r"((?<!\\hat)\\sigma|σ)\((?!t\b|t_i\b|0\))", "text",
     ("σ is the observation noise, a function of time only; a model's predicted spread is "
      "\\hat\\sigma(x) (σ̂), a sigmoid is written out")),
    ("σ", r"(learned|predicted|network's|model's)\s+(\$\\sigma\b|σ(?!̂))", "text",
     "a learned or predicted spread is \\hat\\sigma (σ̂); σ is the true observation noise"),
    ("σ", r"(?<!\\hat)\\sigma_(w|\{\\text\{epistemic)", "text",
     "a network's spread is \\hat\\sigma_w, \\hat\\sigma_{\\text{epistemic}}"),
    ("σ", r"\\mu \+ \\sigma\\varepsilon|\\mu-\\sigma\\varepsilon|\\mu - \\sigma\\varepsilon", "text",
     "a predicted spread times ε is \\hat\\sigma\\varepsilon"),
    ("ω", r"\\omega_k|ω_k", "text",
     "ω is the angular velocity; fixed feature frequencies are \\nu_k"),
    ("Ω", r"(cos|sin)\(omega \*", "code",
     "the natural frequency Ω is named Omega in code; omega is the angular velocity"),
    ("p", r"\\dot p\b(?!_)|\\partial p\b(?!_)|H_p\b|momentum \$p\b|\$p = l\^2|\\theta,\\? p\b(?!_)|\bp/l\b|\bp\^2/|and \$p\$", "text",
     "p is a probability density; the momentum is p_\\theta"),
    ("θ", r"p_\\theta\s*\(", "text",
     "θ is the angle; a decoder's parameters are w, as in p_w(x | z)"),
]


def split(text):
    """(line number, line, kind) for every line; kind is 'code' inside code cells."""
    kind, out = "text", []
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("```{code-cell}"):
            kind = "code"
            continue
        if kind == "code" and line.startswith("```"):
            kind = "text"
            continue
        # Figure alt texts and captions are text, although they sit in code cells.
        is_meta = kind == "code" and re.match(r"\s+(alt|caption):", line)
        out.append((number, line, "text" if is_meta else kind))
    return out


def violations(text, rules=RULES):
    found = []
    for number, line, kind in split(text):
        for symbol, pattern, where, fix in rules:
            if where == kind and re.search(pattern, line):
                found.append(f"line {number}: {symbol} in a second sense ({fix}): {line.strip()}")
    return found


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_key_symbols_have_one_sense(page):
    assert violations(page.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(("text", "bad"), [
    ("SiLU, $x\\,\\sigma(x)$, is smooth.", True),
    ("with $\\sigma(t) = 0.1\\,t$ rad", False),
    ("The learned σ(t) follows the true noise", True),
    ("The learned σ̂(t) follows the true noise", False),
    ("a learned $\\sigma$ is driven to its minimum", True),
    ("fixed frequencies $\\omega_k$", True),
    ("the momentum $p = l^2\\omega$", True),
    ("the momentum $p_\\theta = l^2\\omega$", False),
    ("$\\dot p = -\\partial H/\\partial\\theta$", True),
    ("the energy $H(\\theta, p; l)$", True),
    ("the energy $H(\\theta, p_\\theta; l)$", False),
    ("a predicted $\\hat\\sigma(x)$", False),
    ("$p_\\theta(x \\mid z)$ over trajectories", True),
    ("$p(x \\mid z)$ and $p_w(x \\mid z)$", False),
    ("```{code-cell} ipython3\ny = A * np.cos(omega * t)\n```", True),
    ("```{code-cell} ipython3\ny = A * np.cos(Omega * t)\n```", False),
])
def test_the_rules_catch_a_second_sense(text, bad):
    assert bool(violations(text)) is bad


def test_the_notation_page_lists_every_key_symbol():
    table = (BOOK / "notation.md").read_text(encoding="utf-8")
    for symbol in [r"$\sigma$", r"$\hat\sigma(x)$", r"$\omega = \dot\theta$",
                   r"$\Omega = \sqrt{g/l}$", r"$p_\theta", r"$p(\cdot)$", r"$\nu_k$",
                   r"$\mathrm{KL}(q\,\|\,p)$", r"$\mathrm{NLL}$"]:
        assert symbol in table, f"book/notation.md has no row for {symbol}"
