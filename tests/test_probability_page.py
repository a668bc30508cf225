"""The probability primer writes its formulas inline; physgen computes the same numbers.

The page book/02-probability.md defines ``kl_gauss`` (the KL divergence of two
Normals), ``log_normal`` and ``nll`` (the mean Gaussian negative log-likelihood) in
its code cells. They are read from the page itself and compared with
``physgen.gaussian_kl`` and ``physgen.gaussian_nll``; if either side changes, this
test fails.
"""

import ast
import pathlib

import numpy as np
import pytest
from scipy import stats

import physgen

PAGE = pathlib.Path(__file__).resolve().parents[1] / "book" / "02-probability.md"
NAMES = {"kl_gauss", "log_normal", "nll"}


def page_functions():
    text = PAGE.read_text(encoding="utf-8")
    cells = [block.split("```", 1)[0] for block in text.split("```{code-cell} ipython3")[1:]]
    namespace = {"np": np}
    found = set()
    for cell in cells:
        code = "\n".join(line for line in cell.splitlines()
                         if not line.startswith((":", "%", "---")))
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        keep = [node for node in tree.body
                if isinstance(node, ast.FunctionDef) and node.name in NAMES]
        if keep:
            exec(compile(ast.Module(body=keep, type_ignores=[]), str(PAGE), "exec"), namespace)  # noqa: S102
            found |= {n.name for n in keep}
    assert found == NAMES, f"the page no longer defines {NAMES - found}"
    return namespace


@pytest.fixture(scope="module")
def page():
    return page_functions()


def test_the_pages_kl_is_physgens(page):
    gen = np.random.default_rng(0)
    m_q, m_p = gen.normal(size=(2, 50))
    s_q, s_p = gen.uniform(0.05, 3.0, size=(2, 50))
    np.testing.assert_allclose(page["kl_gauss"](m_q, s_q, m_p, s_p),
                               physgen.gaussian_kl(m_q, s_q, m_p, s_p), rtol=1e-12, atol=1e-14)


def test_the_pages_log_density_is_the_normal_one(page):
    x = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(page["log_normal"](x, 0.4, 0.7), stats.norm.logpdf(x, 0.4, 0.7))


def test_the_pages_nll_is_physgens(page):
    gen = np.random.default_rng(1)
    y, mean = gen.normal(size=(2, 200))
    spread = gen.uniform(0.1, 2.0, size=200)
    assert page["nll"](y, mean, spread) == pytest.approx(physgen.gaussian_nll(y, mean, spread))
