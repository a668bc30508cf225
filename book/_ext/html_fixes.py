"""Sphinx extension: valid HTML, real table headers and well-behaved figures.

The browser tests run the Nu HTML checker (vnu.jar) over every page and fail on
any error. These errors come from the pinned upstream extensions, not from the
course's pages, and are fixed here where they arise (no upstream issue for the
first two existed when this was written: the links go to the code and to the
project's issue tracker):

1. sphinx-exercise 1.2.1 gives the content section of *every* exercise the id
   ``exercise-content`` and of every solution ``solution-content``
   (``sphinx_exercise/directive.py``; https://github.com/executablebooks/sphinx-exercise/issues),
   so a page with several exercises repeats ids. Each becomes ``<label>-content``,
   unique because exercise labels are.
2. myst-nb 1.4.0 writes the "Show code cell source" toggle as ``<summary>`` holding
   two ``<p>`` (``myst_nb/sphinx_.py``, ``visit_HideCellInput``;
   https://github.com/executablebooks/MyST-NB/issues), but ``<summary>`` allows
   phrasing content only. The same toggle is written with ``<span>``; the
   stylesheet ``static/physgen-a11y.css`` repeats myst-nb's rules for it.
3. sphinx-external-toc writes ``index.html`` (the redirect to the root page) as a
   bare ``<meta http-equiv="Refresh">`` line, without doctype, ``<html lang>``
   or ``<title>`` (``ensure_index_file``; see
   https://github.com/executablebooks/sphinx-external-toc/issues/93 on the same
   stub). A complete, valid redirect page is written first, so it is kept.

And, for readers:

4. **Tables** whose top-left header cell is empty (a header row above labelled
   rows, the course's comparison tables) get real row headers: the first cell of
   each body row becomes ``<th scope="row">``, so screen readers announce it.
5. **Images** get their ``width`` and ``height`` (read from the image file), so
   the page does not jump as they load, and every image after the first of a page
   ``loading="lazy"``: the offscreen ones are fetched when the reader scrolls near.
6. **Page weight**: pydata-sphinx-theme 0.17.1 loads Font Awesome twice, as the
   webfonts its stylesheet declares and as ``scripts/fontawesome.js`` (1.5 MB,
   0.5 MB compressed: every icon as SVG, "so that users can add custom icons",
   ``static/webpack-macros.html``). The course adds no icons, so the script is
   dropped from every page and the theme's icons come from the webfonts.
7. **Figures** are rewritten as 256-colour palette PNGs where that is smaller
   (:func:`smaller_png`): line plots look the same at about half the bytes.
8. The sidebar's section toggles (``<summary>`` holding only an icon) get a name that
   screen readers read out (axe rule summary-name).
"""

from __future__ import annotations

import base64
import html
import io
import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx


# 1. unique ids for the content of exercises and solutions -------------------------

def _unique_exercise_ids(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for section in doctree.findall(nodes.section):
        ids = section.get("ids", [])
        for shared in ("exercise-content", "solution-content"):
            if shared in ids:
                owner = section.parent
                label = (owner.get("ids") or [None])[0] if owner is not None else None
                if label:
                    section["ids"] = [f"{label}-content" if i == shared else i for i in ids]


# 2. the code-cell toggle without <p> in <summary> ---------------------------------

def _visit_hide_cell(self, node) -> None:
    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n')
    # No aria-label: the visible text names the control (a11y_fixes.py, item 5).
    self.body.append("<summary>\n")
    self.body.append(
        f'<span class="collapsed admonition-title">{html.escape(node["prompt_show"])}</span>\n'
    )
    self.body.append(
        f'<span class="expanded admonition-title">{html.escape(node["prompt_hide"])}</span>\n'
    )
    self.body.append("</summary>\n")


def _depart_hide_cell(self, node) -> None:
    self.body.append("</details>\n")


# 3. a valid index.html redirect ---------------------------------------------------

REDIRECT_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<meta http-equiv="refresh" content="0; url={target}">
<link rel="canonical" href="{canonical}">
</head>
<body>
<p>This course starts at <a href="{target}">{title}</a>.</p>
</body>
</html>
"""


def _write_index_redirect(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html" or app.config.root_doc == "index":
        return
    target = app.builder.get_target_uri(app.config.root_doc)
    page = REDIRECT_PAGE.format(
        lang=html.escape((app.config.language or "en").replace("_", "-")),  # BCP 47: zh-CN
        title=html.escape(app.config.html_title or app.config.project),
        target=html.escape(target),
        canonical=html.escape((app.config.html_baseurl or "") + target),
    )
    (Path(app.outdir) / "index.html").write_text(page, encoding="utf-8")


# 4. row headers -------------------------------------------------------------------

_TABLE = re.compile(r"<table\b.*?</table>", flags=re.S)
_THEAD_FIRST = re.compile(r"<thead>\s*<tr[^>]*>\s*<th(?=[\s>])([^>]*)>(.*?)</th>", flags=re.S)
_TBODY = re.compile(r"<tbody>(.*?)</tbody>", flags=re.S)
_ROW_FIRST_CELL = re.compile(r"(<tr[^>]*>\s*)<td([^>]*)>(.*?)</td>", flags=re.S)


def _is_empty(cell_html: str) -> bool:
    return not re.sub(r"<[^>]+>|&nbsp;|\s", "", cell_html)


def row_headers(table: str) -> str:
    """Give a table whose top-left header cell is empty ``<th scope="row">`` row labels.

    >>> t = ('<table><thead><tr><th class="head"><p></p></th><th class="head"><p>a</p></th>'
    ...      '</tr></thead><tbody><tr><td><p>x</p></td><td><p>1</p></td></tr></tbody></table>')
    >>> print(row_headers(t))  # doctest: +NORMALIZE_WHITESPACE
    <table><thead><tr><td class="head"></td><th class="head" scope="col"><p>a</p></th></tr></thead><tbody><tr><th scope="row"><p>x</p></th><td><p>1</p></td></tr></tbody></table>
    """
    head = _THEAD_FIRST.search(table)
    if head is None or not _is_empty(head.group(2)):
        return table
    # The empty corner is no header of anything: an empty data cell.
    start, end = head.span(0)
    corner = head.group(0)
    corner = corner[: corner.rfind("<th")] + f"<td{head.group(1)}></td>"
    table = table[:start] + corner + table[end:]
    # The remaining header cells head columns.
    thead_end = table.find("</thead>")
    table = re.sub(r"<th(?=[\s>])(?![^>]*scope=)([^>]*)>", r'<th\1 scope="col">', table[:thead_end]) + table[thead_end:]

    def body(match: re.Match) -> str:
        return "<tbody>" + _ROW_FIRST_CELL.sub(r'\1<th scope="row"\2>\3</th>', match.group(1)) + "</tbody>"

    return _TBODY.sub(body, table)


# 5. image sizes and lazy loading --------------------------------------------------

_IMG = re.compile(r"<img\b([^>]*?)\s*/?>", flags=re.S)
_ATTR = re.compile(r'([\w:-]+)="([^"]*)"')


def _image_size(src: str, page_dir: Path) -> tuple[int, int] | None:
    import imagesize

    try:
        if src.startswith("data:"):
            header, _, data = src.partition(",")
            if ";base64" not in header:
                return None
            width, height = imagesize.get(io.BytesIO(base64.b64decode(data)))
        else:
            path = (page_dir / src.split("#")[0].split("?")[0]).resolve()
            if not path.is_file():
                return None
            width, height = imagesize.get(str(path))
    except (ValueError, OSError):
        return None
    if width <= 0 or height <= 0:
        return None
    return int(round(width)), int(round(height))


def sized_and_lazy_images(body: str, page_dir: Path) -> str:
    """Add width/height to every ``<img>`` that lacks them; lazy-load all content
    images but the first (theme icons under ``_static/`` are small and stay eager).
    Applying it twice changes nothing."""
    count = 0

    def fix(match: re.Match) -> str:
        nonlocal count
        attrs = match.group(1)
        names = {m.group(1) for m in _ATTR.finditer(attrs)}
        extra = ""
        src = html.unescape(dict(_ATTR.findall(attrs)).get("src", ""))
        if "_static/" not in src:
            count += 1
        if not {"width", "height"} & names and src:
            size = _image_size(src, page_dir)
            if size:
                extra += f' width="{size[0]}" height="{size[1]}"'
        if "_static/" not in src and count > 1 and "loading" not in names:
            extra += ' loading="lazy"'
        if "decoding" not in names:
            extra += ' decoding="async"'
        return f"<img{attrs}{extra} />"

    return _IMG.sub(fix, body)


def _page_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if body:
        context["body"] = _TABLE.sub(lambda m: row_headers(m.group(0)), body)


_FONTAWESOME_JS = re.compile(r'\n?[ \t]*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>')

# The theme's sidebar marks a chapter with sections by a <details> whose <summary> holds
# only a chevron icon (role="presentation"), so a screen reader announces a nameless
# control (axe rule summary-name). pydata-sphinx-theme writes it in
# pydata_sphinx_theme/toctree.py (https://github.com/pydata/pydata-sphinx-theme/issues):
# the summary gets a name that is read out but not shown (Bootstrap's .visually-hidden).
_TOCTREE_SUMMARY = '<summary><span class="toctree-toggle" role="presentation">'
_NAMED_TOCTREE_SUMMARY = ('<summary><span class="visually-hidden">Show or hide the sections '
                          'of this chapter</span><span class="toctree-toggle" role="presentation">')


def smaller_png(path: Path) -> bool:
    """Rewrite a figure as a 256-colour palette PNG when that makes it smaller.

    Line plots use few colours, so the palette image looks the same and weighs about
    half as much; a page's figures are most of its bytes. Returns whether it was
    rewritten. Applying it twice changes nothing.
    """
    from PIL import Image

    with Image.open(path) as im:
        im.load()
        if im.mode == "P":
            return False
        mode = "RGBA" if "A" in im.getbands() else "RGB"
        method = Image.Quantize.FASTOCTREE if mode == "RGBA" else Image.Quantize.MEDIANCUT
        palette = im.convert(mode).quantize(colors=256, method=method)
    buffer = io.BytesIO()
    palette.save(buffer, format="PNG", optimize=True)
    if buffer.tell() >= path.stat().st_size:
        return False
    path.write_bytes(buffer.getvalue())
    return True


def _size_images(app: Sphinx, exception) -> None:
    """After the build (images are copied last): shrink the figures, size the images
    of every page, drop the theme's Font Awesome script (item 6) and name the
    sidebar's section toggles."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    for figure in sorted((outdir / "_images").glob("*.png")):
        smaller_png(figure)
    for page in outdir.rglob("*.html"):
        if page.relative_to(outdir).parts[0].startswith("_"):
            continue
        text = page.read_text(encoding="utf-8")
        new = _FONTAWESOME_JS.sub("", sized_and_lazy_images(text, page.parent))
        new = new.replace(_TOCTREE_SUMMARY, _NAMED_TOCTREE_SUMMARY)
        if new != text:
            page.write_text(new, encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.setup_extension("myst_nb")
    app.setup_extension("sphinx_exercise")
    from myst_nb.sphinx_ import HideCodeCellNode

    app.add_node(HideCodeCellNode, override=True, html=(_visit_hide_cell, _depart_hide_cell))
    app.connect("doctree-resolved", _unique_exercise_ids)
    app.connect("html-page-context", _page_context, priority=950)
    # Before sphinx-external-toc's ensure_index_file (priority 500), which keeps
    # an index.html that exists.
    app.connect("build-finished", _write_index_redirect, priority=400)
    app.connect("build-finished", _size_images, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
