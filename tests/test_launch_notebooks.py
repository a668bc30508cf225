"""The notebooks the Colab and Binder buttons open read like the page and run on their own.

The book build writes them (book/_ext/launch_notebooks.py) to ``_build/launch``;
``make notebooks`` commits them as the chapters' ``.ipynb`` twins
(tests/test_site_notebooks.py checks the twins are current). Here:

* no Markdown cell shows unresolved MyST syntax (a role such as ``{glue:text}``,
  ``{cite}``, ``{eq}``, ``{ref}``, ``{numref}``, or a fenced directive);
* the notebook keeps the page's structure: the Colab install cell first, exercises
  as headed sections, solutions folded in ``<details>`` (removed in the student
  edition), no outputs;
* the code cells are the page's code cells (``test_launch_notebook_code_is_the_pages_code``).

That each one runs as a student runs it in Colab -- the installed wheel, Python 3.12,
a folder outside the repository, no myst-nb -- and reproduces every output the page
shows, is tests/test_wheel.py's ``test_launch_notebooks_run_from_the_wheel``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

import site_notebooks as sn

pytestmark = pytest.mark.site

CHAPTERS = sn.chapters()
IDS = [p.name for p in CHAPTERS]

#: MyST that a plain Jupyter front end would show as it is.
UNRESOLVED = re.compile(
    r"\{(?:glue(?::\w+)?|cite(?::\w+)?|eq|ref|numref|doc|term|download|math)\}`"
    r"|^\s*(?:`{3,}|~{3,}|:{3,})\s*\{[\w:-]+\}",
    flags=re.M,
)


def _edition() -> str:
    return os.environ.get("PHYSGEN_EDITION", "full")


def _launch(md: Path) -> dict:
    path = sn.launch_notebook(md)
    if not path.exists():
        message = f"no launch notebook {path}: run `make book` (make test does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return json.loads(path.read_text(encoding="utf-8"))


def _markdown(nb: dict) -> list[str]:
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in nb["cells"] if c["cell_type"] == "markdown"]


def _code(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_the_pattern_finds_myst_syntax():
    for text in ("value {glue:text}`rmse:.3f` rad", "see {cite}`essay`", "{eq}`eq-motion`",
                 "{numref}`fig-x`", "```{exercise}\n:label: x\n```", ":::{note}\nx\n:::",
                 "{cite:p}`a,b`", "{glue}`key`"):
        assert UNRESOLVED.search(text), text
    for text in ("$\\{x\\}$", "a set {1, 2}", "```python\nx = {}\n```", "[(3)](https://a/b#eq)"):
        assert not UNRESOLVED.search(text), text


@pytest.mark.parametrize("md", CHAPTERS, ids=IDS)
def test_no_unresolved_myst_syntax_in_markdown_cells(md):
    nb = _launch(md)
    problems = [m.group(0) + " in: " + text[max(0, m.start() - 60): m.end() + 20].replace("\n", " ")
                for text in _markdown(nb) for m in UNRESOLVED.finditer(text)]
    assert not problems, f"{md.name}: unresolved MyST in the launch notebook:\n" + "\n".join(problems[:20])


@pytest.mark.parametrize("md", CHAPTERS, ids=IDS)
def test_launch_notebook_keeps_the_pages_structure(md):
    nb = _launch(md)
    source = md.read_text(encoding="utf-8")
    code = _code(nb)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert code and _source(code[0]).startswith(sn.COLAB_MARKER), "the Colab cell must come first"
    assert sum(_source(c).startswith(sn.COLAB_MARKER) for c in code) == 1
    for cell in code:
        assert cell["outputs"] == [] and cell["execution_count"] is None
        tags = cell.get("metadata", {}).get("tags", [])
        assert "remove-cell" not in tags or _source(cell).startswith(sn.COLAB_MARKER)
        # Only glue calls the page's hidden cells made are gone; the chapter's own remain.
        assert _source(cell).strip(), "an empty code cell"
    text = "\n".join(_markdown(nb))
    assert re.search(r"^# \S", text, flags=re.M), "the page title is missing"
    exercises = len(re.findall(r"^\s*(?:`{3,}|:{3,})\{exercise(?:-start)?\}", source, flags=re.M))
    solutions = len(re.findall(r"^\s*(?:`{3,}|:{3,})\{solution(?:-start)?\}", source, flags=re.M))
    headed = len(re.findall(r"^#{2,6} Exercise \d", text, flags=re.M))
    assert headed == exercises, f"{exercises} exercises in {md.name}, {headed} headed in its notebook"
    folded = len(re.findall(r"<summary>Solution to Exercise \d[^<]*</summary>", text))
    if _edition() == "student":
        assert folded == 0
    else:
        assert folded >= solutions, f"{solutions} solutions in {md.name}, {folded} folded"
    if "{glue" in source:
        assert "{glue" not in text


@pytest.mark.parametrize("md", CHAPTERS, ids=IDS)
def test_launch_notebook_code_is_the_pages_code(md):
    """Every code cell of the page, in order; of the hidden ones only what is not glue."""
    import sys

    sys.path.insert(0, str(sn.ROOT / "book" / "_ext"))
    from launch_notebooks import strip_glue_calls

    if _edition() == "student":
        pytest.skip("the student edition also drops the solutions' code cells")
    nb = _launch(md)
    executed = sn.ROOT / "_build" / "jupyter_execute" / md.relative_to(sn.ROOT).with_suffix(".ipynb")
    page = json.loads(executed.read_text(encoding="utf-8"))
    expected = []
    for cell in page["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = _source(cell)
        if "remove-cell" in cell.get("metadata", {}).get("tags", []):
            if source.startswith(sn.COLAB_MARKER):
                continue
            source = strip_glue_calls(source)
        if source.strip():
            expected.append(source.strip())
    launched = [_source(c).strip() for c in _code(nb)[1:]]
    assert launched == expected
