"""The notebooks the Colab and Binder buttons open read like the page and run on their own.

The book build writes them (book/_ext/launch_notebooks.py) to ``_build/launch``;
``make notebooks`` commits them as the chapters' ``.ipynb`` twins
(tests/test_site_notebooks.py checks the twins are current). Here:

* no Markdown cell shows unresolved MyST syntax (a role such as ``{glue:text}``,
  ``{cite}``, ``{eq}``, ``{ref}``, ``{numref}``, or a fenced directive);
* the notebook keeps the page's structure: the Colab install cell first, exercises
  as headed sections, solutions folded in ``<details>`` (removed in the student
  edition), no outputs;
* each one executes from start to end the way a student runs it in Colab: in a
  fresh temporary folder outside the repository, in a kernel where myst-nb cannot
  be imported (``test_launch_notebook_runs_outside_the_repository``, marked
  ``chapter_run``: ``make test`` runs it beside nbval, in parallel).
"""

from __future__ import annotations

import json
import os
import re
import time
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


_BLOCK_MYST_NB = '''\
raise ModuleNotFoundError("No module named 'myst_nb'", name="myst_nb")
'''

_CHECK_CELL = '''\
import os, sys
try:
    import myst_nb  # noqa: F401
except ModuleNotFoundError:
    pass
else:
    raise AssertionError("myst_nb was importable in the launch-notebook kernel")
cwd = os.path.realpath(os.getcwd())
assert not cwd.startswith({root!r}), cwd
print("ran outside the repository, without myst-nb:", cwd)
'''


@pytest.mark.chapter_run
@pytest.mark.parametrize("md", CHAPTERS, ids=IDS)
def test_launch_notebook_runs_outside_the_repository(md, tmp_path):
    """Execute the launch notebook as a student would: own folder, no myst-nb, no repository."""
    import nbformat
    from nbclient import NotebookClient

    _launch(md)
    nb = nbformat.read(sn.launch_notebook(md), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_CHECK_CELL.format(root=str(sn.ROOT.resolve()))))
    work = tmp_path / "student"
    work.mkdir()
    blocker = tmp_path / "no-myst-nb"
    blocker.mkdir()
    (blocker / "myst_nb.py").write_text(_BLOCK_MYST_NB, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["PYTHONPATH"] = str(blocker)
    client = NotebookClient(nb, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(work)}})
    start = time.perf_counter()
    client.execute(env=env, cwd=str(work))
    seconds = time.perf_counter() - start
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    assert "ran outside the repository" in "".join(
        o.get("text", "") for o in nb.cells[-1].outputs), nb.cells[-1].outputs
    print(f"{md.name}: launch notebook executed in {seconds:.0f} s")
