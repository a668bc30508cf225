"""The chapters' Colab install cell and their committed .ipynb twins (tools/site_notebooks.py)."""

from __future__ import annotations

import json
import os
import sys
import types
from importlib.metadata import version

import pytest

import site_notebooks as sn

pytestmark = pytest.mark.site

CHAPTERS = sn.chapters()
IDS = [p.name for p in CHAPTERS]


def test_the_book_has_chapters():
    names = [p.name for p in CHAPTERS]
    for expected in ("01-classical-mechanics.md", "02-approximation.md", "03-bayesian.md"):
        assert expected in names, f"{expected} is missing from _toc.yml or is not a notebook"


@pytest.mark.parametrize("md", CHAPTERS, ids=IDS)
def test_first_code_cell_is_the_current_colab_cell(md):
    url, branch = sn.repository()
    cells = sn.code_cells(md.read_text(encoding="utf-8"))
    assert cells, f"{md.name} has no code cell"
    expected = sn.colab_cell_markdown(url, branch)
    assert cells[0].group(0) == expected, (
        f"book/{md.name}: the first code cell must be the Colab install cell for "
        f"{url}@{branch} (from _config.yml); run `make notebooks` to rewrite it"
    )


@pytest.mark.parametrize("md", CHAPTERS, ids=IDS)
def test_twin_is_up_to_date(md):
    """The committed twin is the launch notebook the book build wrote from the page."""
    twin = sn.twin_path(md)
    rel = twin.relative_to(sn.ROOT)
    assert twin.exists(), f"{rel} is missing: run `make notebooks` and commit it"
    built = sn.launch_notebook(md)
    if not built.exists():
        message = f"no built launch notebook {built}: run `make book` (make test does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    assert sn.same_notebook(twin.read_text(encoding="utf-8"), built.read_text(encoding="utf-8")), (
        f"{rel} is out of date with the built page of {md.relative_to(sn.ROOT)}: run "
        "`make notebooks` and commit the result"
    )


@pytest.mark.parametrize("md", CHAPTERS, ids=IDS)
def test_twin_has_no_outputs_and_the_python3_kernel(md):
    nb = json.loads(sn.twin_path(md).read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


def test_no_stray_twins():
    chapters = {p.with_suffix("") for p in CHAPTERS}
    for twin in sorted((sn.ROOT / "book").glob("*.ipynb")):
        assert twin.with_suffix("") in chapters, (
            f"{twin.relative_to(sn.ROOT)} has no chapter in _toc.yml: delete it"
        )


def _run_cell(monkeypatch, *, on_colab: bool):
    calls = []
    monkeypatch.setattr("subprocess.run", lambda cmd, **kw: calls.append((cmd, kw)))
    if on_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(sn.colab_source("https://github.com/someone/fork", "dev"), {})
    return calls


def test_colab_cell_does_nothing_off_colab(monkeypatch):
    assert _run_cell(monkeypatch, on_colab=False) == []


def test_colab_cell_installs_physgen_and_keeps_tensorflow(monkeypatch):
    calls = _run_cell(monkeypatch, on_colab=True)
    assert len(calls) == 1
    cmd, kwargs = calls[0]
    assert kwargs.get("check") is True
    assert cmd[:4] == [sys.executable, "-m", "pip", "install"]
    reqs = [c for c in cmd[4:] if not c.startswith("-")]
    tf_minor = ".".join(version("tensorflow").split(".")[:2])
    assert reqs == [
        "physgen @ git+https://github.com/someone/fork@dev",
        f"tensorflow-probability=={sn.TFP_VERSION}",
        f"tf-keras=={tf_minor}.*",
        f"pysindy=={sn.PYSINDY_VERSION}",
    ]
    # Nothing that would replace Colab's TensorFlow.
    assert not any(r.split("=")[0].strip() in ("tensorflow", "keras") for r in reqs)
    assert "--upgrade" not in cmd and "-U" not in cmd


def test_tfp_pin_matches_requirements():
    text = (sn.ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert f"tensorflow-probability=={sn.TFP_VERSION}" in text.splitlines()


def test_pysindy_pin_matches_requirements():
    text = (sn.ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert f"pysindy=={sn.PYSINDY_VERSION}" in text.splitlines()


HEADER = "---\nkernelspec:\n  name: python3\n  display_name: Python 3\n---\n\n# Title\n\n"


def test_with_colab_cell_inserts_under_the_title_and_is_idempotent():
    text = HEADER + "Text.\n\n```{code-cell} ipython3\nx = 1\n```\n"
    once = sn.with_colab_cell(text, "https://github.com/a/b", "main")
    assert sn.code_cells(once)[0].group(0) == sn.colab_cell_markdown("https://github.com/a/b", "main")
    assert "x = 1" in sn.code_cells(once)[1].group(0)
    assert sn.with_colab_cell(once, "https://github.com/a/b", "main") == once
    moved = sn.with_colab_cell(once, "https://github.com/c/d", "dev")
    assert "git+https://github.com/c/d@dev" in moved and "github.com/a/b" not in moved


def test_with_colab_cell_rejects_a_colab_cell_below_other_code():
    cell = sn.colab_cell_markdown("https://github.com/a/b", "main")
    text = HEADER + "```{code-cell} ipython3\nx = 1\n```\n\n" + cell + "\n"
    with pytest.raises(ValueError, match="first code cell"):
        sn.with_colab_cell(text, "https://github.com/a/b", "main")


def test_repository_rejects_a_non_github_url(tmp_path):
    (tmp_path / "_config.yml").write_text("repository:\n  url: https://example.org/x\n  branch: main\n")
    with pytest.raises(ValueError, match="repository.url"):
        sn.repository(tmp_path)
