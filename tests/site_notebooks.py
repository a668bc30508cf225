"""The chapters' notebook plumbing: the Colab install cell and the .ipynb twins.

Every chapter is a MyST Markdown notebook ``book/NN-name.md`` (jupytext ``myst``
format). Colab cannot open Markdown, so each chapter has a committed twin
``book/NN-name.ipynb`` (no outputs) that the site's Colab and Binder buttons open.
The first code cell of every chapter installs physgen on Colab; its repository URL
and branch come from ``_config.yml`` (``repository.url`` / ``repository.branch``),
the one place a fork edits.

Run ``python tests/site_notebooks.py`` (``make notebooks``) to rewrite each
chapter's Colab cell from ``_config.yml`` and regenerate the twins;
``tests/test_site_notebooks.py`` fails, naming the file, when either is stale.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

#: Marker that identifies the Colab install cell (its first line).
COLAB_MARKER = "# Colab only: install physgen"

#: TensorFlow Probability release the course is tested with (requirements.txt).
TFP_VERSION = "0.25.0"

#: pysindy release the course is tested with (requirements.txt); Colab's own
#: scikit-learn satisfies its requirements.
PYSINDY_VERSION = "2.1.0"

_CELL_TEMPLATE = '''\
```{{code-cell}} ipython3
:tags: [remove-cell]

{source}
```'''

_SOURCE_TEMPLATE = '''\
# Colab only: install physgen from the course repository, keeping Colab's own
# TensorFlow (tf-keras must have TensorFlow's minor version). Does nothing elsewhere.
import sys

if "google.colab" in sys.modules:
    import importlib
    import subprocess
    from importlib.metadata import version

    tf_minor = ".".join(version("tensorflow").split(".")[:2])
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet",
         "physgen @ git+{url}@{branch}",
         "tensorflow-probability=={tfp}", f"tf-keras=={{tf_minor}}.*",
         "pysindy=={pysindy}"],
        check=True,
    )
    importlib.invalidate_caches()'''


def load_config(root: Path = ROOT) -> dict:
    """Return the parsed ``_config.yml`` of the book at ``root``."""
    return yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))


def repository(root: Path = ROOT) -> tuple[str, str]:
    """Return ``(url, branch)`` from ``_config.yml``'s ``repository`` section."""
    repo = load_config(root).get("repository") or {}
    url = str(repo.get("url", "")).rstrip("/")
    branch = str(repo.get("branch", ""))
    if not url.startswith("https://github.com/") or not branch:
        raise ValueError(
            f"_config.yml: repository.url must be https://github.com/OWNER/REPO and "
            f"repository.branch must be set, got url={url!r}, branch={branch!r}"
        )
    return url, branch


def colab_source(url: str, branch: str) -> str:
    """Python source of the Colab install cell for repository ``url`` at ``branch``.

    >>> src = colab_source("https://github.com/me/fork", "main")
    >>> "physgen @ git+https://github.com/me/fork@main" in src
    True
    """
    return _SOURCE_TEMPLATE.format(url=url, branch=branch, tfp=TFP_VERSION,
                                   pysindy=PYSINDY_VERSION)


def colab_cell_markdown(url: str, branch: str) -> str:
    """The Colab install cell as it appears in a chapter's MyST Markdown."""
    return _CELL_TEMPLATE.format(source=colab_source(url, branch))


def toc_files(root: Path = ROOT) -> list[Path]:
    """Every page listed in ``_toc.yml`` (root first), as paths to existing files."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    names = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(entry["file"])
            walk(entry.get("chapters"))
            walk(entry.get("sections"))

    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    paths = []
    for name in names:
        matches = [root / f"{name}{ext}" for ext in (".md", ".ipynb")]
        found = [p for p in matches if p.exists()]
        if not found:
            raise FileNotFoundError(f"_toc.yml lists {name!r} but no {name}.md exists")
        paths.append(found[0])
    return paths


def is_notebook(path: Path) -> bool:
    """True when ``path`` is a MyST Markdown notebook (front matter with a kernelspec)."""
    text = path.read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n", text, flags=re.S)
    return bool(match) and "kernelspec" in (yaml.safe_load(match.group(1)) or {})


def chapters(root: Path = ROOT) -> list[Path]:
    """The notebook pages of the book, in table-of-contents order."""
    return [p for p in toc_files(root) if p.suffix == ".md" and is_notebook(p)]


_CELL_RE = re.compile(r"```\{code-cell\}[^\n]*\n(?:(?!```).*\n)*?```", flags=re.M)


def code_cells(text: str) -> list[re.Match]:
    """The ```` ```{code-cell} ```` blocks of a MyST notebook's text, in order."""
    return list(_CELL_RE.finditer(text))


def with_colab_cell(text: str, url: str, branch: str, *, name: str = "chapter") -> str:
    """Return ``text`` with its Colab cell rewritten (or inserted as the first code cell)."""
    cell = colab_cell_markdown(url, branch)
    cells = code_cells(text)
    for match in cells:
        if COLAB_MARKER in match.group(0):
            if match is not cells[0]:
                raise ValueError(
                    f"{name}: the Colab install cell must be the first code cell; "
                    "move it above the other code cells"
                )
            return text[: match.start()] + cell + text[match.end():]
    # No Colab cell yet: insert it right after the page title.
    title = re.search(r"^# .*\n", text, flags=re.M)
    if title is None:
        raise ValueError(f"{name}: no '# Title' line to put the Colab install cell under")
    return text[: title.end()] + "\n" + cell + "\n" + text[title.end():]


def twin_path(md: Path) -> Path:
    """The committed ``.ipynb`` twin of chapter ``md``."""
    return md.with_suffix(".ipynb")


def twin_text(md: Path) -> str:
    """The exact text ``make notebooks`` writes to ``md``'s twin (no outputs)."""
    import jupytext

    notebook = jupytext.read(md, fmt="md:myst")
    for index, cell in enumerate(notebook.cells):
        # Stable cell ids (jupytext draws random ones), so the twin only changes
        # when the chapter does.
        cell.id = f"cell-{index:03d}"
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    # The twin records no jupytext version, so it does not churn when jupytext upgrades.
    notebook.metadata.pop("jupytext", None)
    return jupytext.writes(notebook, fmt="ipynb")


def main(root: Path = ROOT) -> int:
    """Rewrite every chapter's Colab cell from ``_config.yml`` and regenerate the twins."""
    url, branch = repository(root)
    for md in chapters(root):
        rel = md.relative_to(root)
        text = md.read_text(encoding="utf-8")
        new = with_colab_cell(text, url, branch, name=str(rel))
        if new != text:
            md.write_text(new, encoding="utf-8")
            print(f"updated Colab cell: {rel}")
        twin = twin_path(md)
        content = twin_text(md)
        if not twin.exists() or twin.read_text(encoding="utf-8") != content:
            twin.write_text(content, encoding="utf-8")
            print(f"regenerated twin:   {twin.relative_to(root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
