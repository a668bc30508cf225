"""Sphinx extension: the notebooks the Colab and Binder buttons open, written from the built book.

A chapter is a MyST Markdown notebook. Opened as it is in Colab (a plain Jupyter
kernel, no Jupyter Book), its prose would show MyST syntax: ``{glue:text}``
placeholders where the numbers belong, ``{cite}`` and ``{eq}`` roles, exercise
directives as code fences, and the cells the page hides. So the notebook a
reader launches is written here, from the *resolved* document of the HTML build
(after every transform, so glued values -- also those pasted from another page as
``{glue:text}`page::key``` -- citations, equation and figure numbers are what the
page shows):

* Markdown cells: the page's text as Markdown. Numbers filled in; citations as
  author-year links to the site's references page; ``{eq}``/``{numref}``
  references as their numbers, linked to the page; equations as ``$$...$$`` with
  ``\\tag{n}``; exercises as headed sections ("Exercise 2 (...)"); each solution
  folded in ``<details>`` (its code cells hidden, ``jupyter.source_hidden``), or
  absent in the student edition (book/_ext/student_edition.py removes it first).
  Images are attached to their cell, so the notebook needs no network to show them.
* Code cells: the chapter's own code cells, without outputs. Of the cells the page
  removes (``remove-cell``) only the Colab install cell is kept as it is; the other
  hidden cells lose their ``glue(...)`` calls (their values are in the text
  already) and are dropped when nothing else is left.

The notebooks are written to ``_build/launch/<page>.ipynb`` (beside the HTML
output folder) on every HTML build. ``make notebooks`` copies them to the
committed ``book/<page>.ipynb`` twins that the launch buttons open; the tests
(tests/test_launch_notebooks.py) read them and execute them outside the repository
in a kernel without myst-nb.
"""

from __future__ import annotations

import ast
import base64
import mimetypes
import re
from pathlib import Path
from urllib.parse import urljoin

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: First line of the Colab install cell (tools/site_notebooks.py writes it).
COLAB_MARKER = "# Colab only: install physgen"
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", flags=re.S)


def launch_dir(app: Sphinx) -> Path:
    """Where the launch notebooks of this build go: ``<outdir>/../launch``."""
    return Path(app.outdir).parent / "launch"


def is_notebook_source(path: Path) -> bool:
    """True for a MyST Markdown notebook (front matter with a kernelspec)."""
    import yaml

    if path.suffix != ".md" or not path.is_file():
        return False
    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    return bool(match) and "kernelspec" in (yaml.safe_load(match.group(1)) or {})


def strip_glue_calls(source: str) -> str:
    """``source`` without its top-level ``glue(...)`` statements (``""`` if nothing is left).

    >>> strip_glue_calls('x = 2\\nglue("x", x, display=False)\\n')
    'x = 2'
    >>> strip_glue_calls('glue("a", 1, display=False)\\nglue("b", 2, display=False)')
    ''
    """
    tree = ast.parse(source)
    lines = source.splitlines()
    keep = []
    for stmt in tree.body:
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                and call.func.id == "glue"):
            continue
        keep.append("\n".join(lines[stmt.lineno - 1: stmt.end_lineno]))
    return "\n".join(keep).strip()


def _escape(text: str) -> str:
    """Plain text made safe for Markdown in Jupyter (``$`` would start math)."""
    return (text.replace("\\", "\\\\").replace("$", "\\$").replace("*", "\\*")
            .replace("<", "&lt;").replace("`", "\\`"))


class _Writer:
    """Walks a resolved doctree and collects notebook cells."""

    def __init__(self, app: Sphinx, docname: str, notebook):
        self.app = app
        self.docname = docname
        self.source_cells = notebook.cells
        self.cells: list = []
        self.md: list[str] = []
        self.attachments: dict = {}
        self.next_source = 0  # index of the next source cell not yet considered
        self.level = 0
        self.details: list[str] = []  # summaries of the open <details> (solutions)
        self.colab_done = False
        self.page_url = urljoin(app.config.html_baseurl or "", app.builder.get_target_uri(docname))

    # -- cells -------------------------------------------------------------------
    def flush(self) -> None:
        import nbformat

        text = "".join(self.md).strip()
        if text:
            cell = nbformat.v4.new_markdown_cell(text)
            if self.attachments:
                cell["attachments"] = self.attachments
            self.cells.append(cell)
        self.md, self.attachments = [], {}

    def code_cell(self, source: str, *, hidden: bool = False) -> None:
        import nbformat

        self.flush()
        cell = nbformat.v4.new_code_cell(source)
        if hidden:
            cell.metadata["jupyter"] = {"source_hidden": True}
        self.cells.append(cell)

    def removed_cells_until(self, index: int) -> None:
        """Emit the page's removed (hidden) cells before source cell ``index``."""
        while self.next_source < index:
            cell = self.source_cells[self.next_source]
            self.next_source += 1
            if cell.cell_type != "code":
                continue
            tags = cell.metadata.get("tags", [])
            if "remove-cell" not in tags and "remove_cell" not in tags:
                continue  # e.g. a solution's cell, removed with it (student edition)
            if cell.source.lstrip().startswith(COLAB_MARKER):
                if not self.colab_done:
                    self.code_cell(cell.source)
                    self.colab_done = True
                continue
            rest = strip_glue_calls(cell.source)
            if rest:
                self.code_cell(rest)

    def visible_cell(self, index: int) -> None:
        self.removed_cells_until(index)
        cell = self.source_cells[index]
        self.next_source = index + 1
        self.code_cell(cell.source, hidden=bool(self.details))

    # -- Markdown ----------------------------------------------------------------
    def inline(self, node) -> str:
        saved, self.md = self.md, []
        for child in node.children:
            self.visit(child)
        text, self.md = "".join(self.md), saved
        return text.strip()

    def block(self, node) -> str:
        saved, self.md = self.md, []
        for child in node.children:
            self.visit(child)
        text, self.md = "".join(self.md), saved
        return text.strip("\n")

    def url(self, node) -> str:
        if node.get("refuri"):
            return urljoin(self.page_url, node["refuri"])
        if node.get("refid"):
            return f"{self.page_url}#{node['refid']}"
        return ""

    def attach(self, uri: str) -> str | None:
        path = Path(self.app.srcdir) / uri
        if not path.is_file():
            return None
        mime = mimetypes.guess_type(path.name)[0] or "image/png"
        name = path.name
        self.attachments[name] = {mime: base64.b64encode(path.read_bytes()).decode("ascii")}
        return f"attachment:{name}"

    def visit(self, node) -> None:  # noqa: C901 - one branch per node type
        md = self.md
        if isinstance(node, nodes.Text):
            md.append(_escape(node.astext()))
        elif isinstance(node, (nodes.comment, nodes.target, nodes.system_message,
                               nodes.substitution_definition, addnodes.index,
                               nodes.raw)) and not (isinstance(node, nodes.raw)
                                                    and node.get("format") == "html"):
            return
        elif isinstance(node, nodes.raw):
            md.append(node.astext() + "\n\n")
        elif isinstance(node, nodes.container) and node.get("nb_element") == "cell_code":
            self.visible_cell(node["cell_index"])
        elif isinstance(node, nodes.container) and node.get("nb_element", "").startswith("cell_"):
            return  # outputs: a launched notebook starts without them
        elif isinstance(node, nodes.section):
            self.level += 1
            for child in node.children:
                self.visit(child)
            self.level -= 1
        elif isinstance(node, nodes.title) and isinstance(node.parent, nodes.section):
            md.append("#" * min(self.level, 6) + " " + self.inline(node) + "\n\n")
            if self.level == 1 and not self.colab_done:
                # The Colab install cell runs first, right under the title.
                for cell in self.source_cells:
                    if cell.cell_type == "code" and cell.source.lstrip().startswith(COLAB_MARKER):
                        self.code_cell(cell.source)
                        self.colab_done = True
                        break
        elif isinstance(node, nodes.paragraph):
            md.append(self.inline(node) + "\n\n")
        elif isinstance(node, nodes.emphasis):
            md.append(f"*{self.inline(node)}*")
        elif isinstance(node, nodes.strong):
            md.append(f"**{self.inline(node)}**")
        elif isinstance(node, nodes.literal):
            text = node.astext()
            fence = "``" if "`" in text else "`"
            md.append(f"{fence}{text}{fence}")
        elif isinstance(node, nodes.reference):
            text, url = self.inline(node), self.url(node)
            md.append(f"[{text}]({url})" if url else text)
        elif isinstance(node, nodes.math):
            md.append(f"${node.astext().strip()}$")
        elif isinstance(node, nodes.math_block):
            latex = node.astext().strip()
            if node.get("number") is not None and "\\tag" not in latex and not node.get("nowrap"):
                latex += f" \\tag{{{node['number']}}}"
            md.append(f"$$\n{latex}\n$$\n\n")
        elif isinstance(node, nodes.literal_block):
            md.append(f"```{node.get('language', '')}\n{node.astext()}\n```\n\n")
        elif isinstance(node, (nodes.bullet_list, nodes.enumerated_list)):
            for number, item in enumerate(node.children, start=1):
                marker = f"{number}. " if isinstance(node, nodes.enumerated_list) else "- "
                text = self.block(item)
                pad = " " * len(marker)
                lines = text.split("\n")
                md.append(marker + lines[0] + "".join(
                    "\n" + (pad + line if line else "") for line in lines[1:]) + "\n")
            md.append("\n")
        elif isinstance(node, nodes.definition_list):
            for item in node.children:
                term = self.inline(item.next_node(nodes.term))
                definition = self.block(item.next_node(nodes.definition))
                md.append(f"**{term}**  \n{definition}\n\n")
        elif isinstance(node, nodes.block_quote):
            text = self.block(node)
            md.append("\n".join("> " + line if line else ">" for line in text.split("\n")) + "\n\n")
        elif isinstance(node, nodes.table):
            self.table(node)
        elif isinstance(node, nodes.image):
            alt = node.get("alt", "")
            src = self.attach(node["uri"]) or urljoin(self.page_url, node["uri"])
            md.append(f"![{_escape(alt)}]({src})\n\n")
        elif isinstance(node, nodes.caption):
            md.append(f"*{self.inline(node)}*\n\n")
        elif type(node).__name__ in ("exercise_enumerable_node", "exercise_node"):
            title = node.next_node(nodes.title)
            heading = "#" * min(self.level + 1, 6)
            md.append(f"{heading} {self.exercise_title(node, title)}\n\n")
            for child in node.children:
                if child is not title:
                    self.visit(child)
        elif type(node).__name__ == "solution_node":
            self.solution(node)
        elif isinstance(node, nodes.Admonition):
            title = node.next_node(nodes.title)
            name = self.inline(title) if title and title.parent is node else node.tagname.capitalize()
            body = "\n\n".join(self.block(c) for c in node.children if c is not title)
            quoted = "\n".join("> " + line if line else ">" for line in body.split("\n"))
            md.append(f"> **{name}**\n>\n{quoted}\n\n")
        elif isinstance(node, nodes.rubric):
            md.append(f"**{self.inline(node)}**\n\n")
        elif isinstance(node, nodes.footnote_reference):
            md.append(f"[{node.astext()}]")
        elif isinstance(node, nodes.line):
            md.append(self.inline(node) + "  \n")
        else:
            for child in node.children:
                self.visit(child)

    def exercise_title(self, node, title) -> str:
        """"Exercise 3 (title)": sphinx-exercise numbers enumerable exercises when writing."""
        name = "Exercise"
        if type(node).__name__ == "exercise_enumerable_node":
            numbers = self.app.env.toc_fignumbers.get(self.docname, {}).get("exercise", {})
            number = numbers.get((node.get("ids") or [""])[0])
            if number:
                fmt = self.app.config.numfig_format.get("exercise", "Exercise %s")
                name = fmt % ".".join(map(str, number))
        subtitle = ""
        if title is not None:
            for child in title.children:
                if type(child).__name__ == "exercise_subtitle":
                    subtitle = self.inline(child)
        return f"{name} ({subtitle})" if subtitle else name

    def solution(self, node) -> None:
        """A solution: its prose folded in <details>, its code cells' source hidden."""
        title = node.next_node(nodes.title)
        summary = " ".join((title.astext() if title else "Solution").split())
        self.flush()
        start = len(self.cells)
        self.details.append(summary)
        for child in node.children:
            if child is not title:
                self.visit(child)
        self.flush()
        self.details.pop()
        code_first = len(self.cells) > start and self.cells[start].cell_type == "code"
        part = int(code_first)
        for cell in self.cells[start:]:
            if cell.cell_type == "markdown":
                label = summary if part == 0 else f"{summary} (continued)"
                cell.source = (f"<details>\n<summary>{_escape(label)}</summary>\n\n"
                               f"{cell.source}\n\n</details>")
                part += 1
        if code_first:
            import nbformat

            # The code comes first: say whose it is (its source is folded).
            self.cells.insert(start, nbformat.v4.new_markdown_cell(f"**{_escape(summary)}**"))

    def table(self, node) -> None:
        rows = []
        head_rows = 0
        for part in node.findall(lambda n: isinstance(n, (nodes.thead, nodes.tbody))):
            for row in part.children:
                if not isinstance(row, nodes.row):
                    continue
                rows.append([self.inline(entry).replace("|", "\\|").replace("\n", " ")
                             for entry in row.children])
                head_rows += isinstance(part, nodes.thead)
        if not rows:
            return
        width = max(map(len, rows))
        rows = [r + [""] * (width - len(r)) for r in rows]
        header = rows[0] if head_rows else [""] * width
        body = rows[1:] if head_rows else rows
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * width]
        lines += ["| " + " | ".join(r) + " |" for r in body]
        title = node.next_node(nodes.title)
        if title is not None and title.parent is node:
            self.md.append(f"*{self.inline(title)}*\n\n")
        self.md.append("\n".join(lines) + "\n\n")


def notebook_from_doctree(app: Sphinx, docname: str, doctree: nodes.document):
    """The launch notebook of chapter ``docname`` from its resolved ``doctree``."""
    import jupytext
    import nbformat

    source = jupytext.read(app.env.doc2path(docname), fmt="md:myst")
    writer = _Writer(app, docname, source)
    for child in doctree.children:
        writer.visit(child)
    writer.removed_cells_until(len(source.cells))
    writer.flush()
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = dict(source.metadata.get("kernelspec", {}))
    notebook.metadata["language_info"] = {"name": "python"}
    for index, cell in enumerate(writer.cells):
        cell["id"] = f"cell-{index:03d}"
    notebook.cells = writer.cells
    return notebook


def _doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html" or not is_notebook_source(Path(app.env.doc2path(docname))):
        return
    if (app.config.language or "en") != "en":
        return  # a translated edition (editions.py) launches the same English notebooks
    import nbformat

    notebook = notebook_from_doctree(app, docname, doctree)
    target = launch_dir(app) / f"{docname}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(target))
    logger.verbose(f"[launch_notebooks] wrote {target}")


def setup(app: Sphinx) -> dict:
    app.connect("doctree-resolved", _doctree_resolved)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
