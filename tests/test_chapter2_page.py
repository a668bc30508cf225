"""Chapter 2 writes its two networks inline in plain tf_keras; physgen builds the same ones.

The chapter's functions ``original_network`` and ``improved_network`` are read from the
page itself (book/02-approximation.md) and compared with ``physgen.nn.build_network``:
same seed, identical predictions. If either side changes, this test fails.
"""

import ast
import pathlib

import numpy as np
import pytest

# These tests train networks: `make unit` leaves them out (-m "not slow").
pytestmark = pytest.mark.slow

nn = pytest.importorskip("physgen.nn")
tf_keras = pytest.importorskip("tf_keras")

PAGE = pathlib.Path(__file__).resolve().parents[1] / "book" / "02-approximation.md"
NAMES = {"original_network", "improved_network", "IMPROVED_FEATURES"}


def page_definitions():
    """The page's network definitions, executed from its code cells."""
    text = PAGE.read_text(encoding="utf-8")
    cells = [block.split("```", 1)[0] for block in text.split("```{code-cell} ipython3")[1:]]
    namespace = {"tf_keras": tf_keras, "np": np}
    found = set()
    for cell in cells:
        code = "\n".join(line for line in cell.splitlines()
                         if not line.startswith((":", "%", "---")))
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        keep = [node for node in tree.body
                if (isinstance(node, ast.FunctionDef) and node.name in NAMES)
                or (isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id in NAMES for t in node.targets))]
        if keep:
            exec(compile(ast.Module(body=keep, type_ignores=[]), str(PAGE), "exec"), namespace)
            found |= {getattr(n, "name", None) or n.targets[0].id for n in keep}
    assert found == NAMES, f"the page no longer defines {NAMES - found}"
    return namespace


@pytest.fixture(scope="module")
def page():
    return page_definitions()


@pytest.mark.parametrize("seed", [0, 7, 20240602])
def test_the_pages_original_network_is_physgens(page, seed):
    x = np.random.default_rng(seed).normal(size=(64, 6)).astype("float32")
    ours = nn.build_network(nn.ORIGINAL, 6, seed=seed)
    theirs = page["original_network"](seed)
    assert ours.count_params() == theirs.count_params()
    np.testing.assert_array_equal(ours(x).numpy(), theirs(x).numpy())


@pytest.mark.parametrize("seed", [0, 20240602])
def test_the_pages_improved_network_is_physgens(page, seed):
    assert tuple(page["IMPROVED_FEATURES"]) == nn.IMPROVED.feature_index
    gen = np.random.default_rng(seed)
    raw = gen.normal(loc=[1, 1, 2.5, 10, 1.5], scale=[0.3, 0.3, 1.4, 0.1, 0.5], size=(500, 5))
    mean, std = raw.mean(axis=0), raw.std(axis=0)
    x = raw[:64].astype("float32")
    ours = nn.build_network(nn.IMPROVED, 5, mean=mean, std=std, seed=seed)
    theirs = page["improved_network"](seed, mean, std)
    np.testing.assert_array_equal(ours(x).numpy(), theirs(x).numpy())


def test_a_different_seed_gives_a_different_network(page):
    x = np.ones((4, 6), dtype="float32")
    a = page["original_network"](1)(x).numpy()
    b = nn.build_network(nn.ORIGINAL, 6, seed=2)(x).numpy()
    assert not np.array_equal(a, b)
