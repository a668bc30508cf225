"""The chapters' notebook plumbing: the Colab install cell and the launch-notebook twins.

When it runs: ``make notebooks`` (after changing a chapter, ``_config.yml``'s
``repository`` or the pinned TensorFlow Probability), and its functions are read by
the tests and by ``benchmarks/chapters.py``. It is not a test.

Every chapter is a MyST Markdown notebook ``book/NN-name.md`` (jupytext ``myst``
format) listed in ``_toc.yml``. The first code cell of every chapter installs
physgen on Colab; its repository URL and branch come from ``_config.yml``
(``repository.url`` / ``repository.branch``), the one place a fork edits.

Colab cannot open Markdown, so each chapter has a committed twin
``book/NN-name.ipynb``, the notebook the site's Colab and Binder buttons open. The
twin is written by the book build from the rendered page
(``book/_ext/launch_notebooks.py`` writes ``_build/launch/book/NN-name.ipynb``):
numbers filled in, citations and references readable, no hidden cells but the
Colab one.

``python tools/site_notebooks.py colab`` rewrites each chapter's Colab cell from
``_config.yml``; ``python tools/site_notebooks.py twins`` copies the built launch
notebooks to the twins. ``make notebooks`` runs both, with ``make book`` between.
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
    """Every page listed in ``_toc.yml`` in reading order (root first), as paths to files.

    The table of contents is read by sphinx-external-toc's own parser, the one the
    book build uses.
    """
    from sphinx_external_toc.parsing import parse_toc_yaml

    site_map = parse_toc_yaml(root / "_toc.yml")
    names: list[str] = []

    def walk(docname: str) -> None:
        if docname in names:
            return
        names.append(docname)
        for subtree in site_map[docname].subtrees:
            for child in subtree.files():
                walk(child)

    walk(site_map.root.docname)
    paths = []
    for name in names:
        found = [p for p in (root / f"{name}.md", root / f"{name}.ipynb") if p.exists()]
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
    """The committed ``.ipynb`` twin of chapter ``md`` (what the launch buttons open)."""
    return md.with_suffix(".ipynb")


def launch_notebook(md: Path, build: Path | None = None, root: Path = ROOT) -> Path:
    """The launch notebook the book build wrote for chapter ``md``."""
    build = build or root / "_build"
    return build / "launch" / md.relative_to(root).with_suffix(".ipynb")


def same_notebook(a: str, b: str, root: Path = ROOT) -> bool:
    """True when two launch notebooks differ only where two correct runs honestly differ.

    The text of a launch notebook carries the numbers of the run that built it; wall-clock
    times and peak memory (glued as "NN s (wall clock)", "NN MB (peak memory)") change
    from run to run. Both texts go through the nbval sanitizer (tests/nbval_sanitize.cfg)
    before they are compared, as the chapters' outputs do.
    """
    from nbval.plugin import get_sanitize_patterns

    patterns = get_sanitize_patterns((root / "tests" / "nbval_sanitize.cfg").read_text(encoding="utf-8"))

    def clean(text: str) -> str:
        for regex, replace in patterns:
            text = re.sub(regex, replace, text)
        return text

    return a == b or clean(a) == clean(b)


def rewrite_colab_cells(root: Path = ROOT) -> int:
    """Rewrite every chapter's Colab cell from ``_config.yml``."""
    url, branch = repository(root)
    for md in chapters(root):
        rel = md.relative_to(root)
        text = md.read_text(encoding="utf-8")
        new = with_colab_cell(text, url, branch, name=str(rel))
        if new != text:
            md.write_text(new, encoding="utf-8")
            print(f"updated Colab cell: {rel}")
    return 0


def copy_twins(root: Path = ROOT, build: Path | None = None) -> int:
    """Copy the built launch notebooks to the committed twins; remove stray twins."""
    missing = []
    for md in chapters(root):
        built = launch_notebook(md, build, root)
        if not built.exists():
            missing.append(str(built))
            continue
        twin = twin_path(md)
        content = built.read_text(encoding="utf-8")
        if not twin.exists() or not same_notebook(twin.read_text(encoding="utf-8"), content, root):
            twin.write_text(content, encoding="utf-8")
            print(f"regenerated twin:   {twin.relative_to(root)}")
    if missing:
        print("no launch notebook (run `make book` first): " + ", ".join(missing), file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    """``colab``: rewrite the Colab cells; ``twins``: copy the built launch notebooks."""
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["colab"]:
        return rewrite_colab_cells(root)
    if argv == ["twins"]:
        return copy_twins(root)
    print("usage: python tools/site_notebooks.py colab|twins", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
