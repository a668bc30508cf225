"""Sphinx extension: the translated editions of the book (Sphinx's gettext mechanism).

The Chinese edition is the English pages with translated messages: ``make book`` runs a
second Sphinx build with ``language = "zh_CN"`` into ``_build/html/zh_CN/``
(``tools/build_edition.py``), whose catalogues are ``locales/zh_CN/LC_MESSAGES/book/<page>.po``
(``gettext_compact = False``: one catalogue per page). Outputs and glued numbers come from
the same execution cache, so they are identical in both editions. This extension adds
what Sphinx does not do by itself:

* **figure text** (extraction and translation): a figure made by a code cell takes its
  alt text and caption from the cell's metadata (``mystnb: image: alt:`` and
  ``mystnb: figure: caption:``), and an SVG animation carries its text alternative in a
  ``<title>``. The gettext builder does not extract these (with execution off there is no
  figure at all), so here every such string becomes a message whose ``msgid`` is the
  string itself, read from the page's source (and, when the page's outputs are present,
  from the SVG titles); in a translated build the image ``alt``, the caption and the SVG
  title are replaced by the page catalogue's translation;
* **glued numbers inside translated sentences**: Sphinx parses each translated message
  as a document of its own, which myst-nb reads as plain MyST without the page's
  notebook, so a ``{glue:text}`` role there would find no glue data;
  :class:`TranslatedMessageParser` hands such a message the glue data that myst-nb
  wrote for its page when it read the page (``<page>.glue.json``);
* the **meta description** (front matter ``description:``) of a translated page is a
  message too, and its ``<meta name="description">`` and ``og:description`` are translated;
* **a language switch** in the header of every page of every edition, linking to the same
  page in the other edition (``lang`` and ``hreflang`` set), with ``<link rel="alternate"
  hreflang>`` in the head, and ``<html lang="zh-CN">`` (a BCP 47 tag, not ``zh_CN``);
* **pages not yet translated** (not in ``physgen_translated_pages`` of ``_config.yml``)
  appear in English with a one-line note in the edition's language, their content marked
  ``lang="en"``; the root page of a translated edition says that labels inside the
  figures stay in English;
* the translated edition's canonical URLs, ``og:url`` and sitemap are under
  ``<language>/`` (``tools/build_edition.py`` merges it into the English sitemap.xml),
  and its launch buttons open the same notebooks (the repository's
  ``book/<page>.ipynb``); ``launch_notebooks`` writes them from the English build only.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import yaml
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.locale import init as init_locale
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.i18n import docname_to_domain

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
SOURCE_LANGUAGE = "en"
# Where each edition lives relative to the English site's root, and its name in itself.
EDITIONS = {"en": ("", "English"), "zh_CN": ("zh_CN/", "中文")}
# The edition notes, in the edition's own language.
NOTES = {
    "zh_CN": {
        "untranslated": "本页尚未翻译成中文，以下为英文原文。",
        "figure_labels": "说明：图中的坐标轴标签、图例和文字暂时保留英文；图的说明文字和替代文本已译成中文。",
    },
}

_CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n---\n(.*?)\n---\n", flags=re.S | re.M)
_ALT_OPTION = re.compile(r"^\s*:alt:\s*(.+?)\s*$", flags=re.M)
_SVG_TITLE = re.compile(r"(<title\b[^>]*>)(.*?)(</title>)", flags=re.S)


def bcp47(language: str | None) -> str:
    """The HTML ``lang`` tag of a Sphinx language code.

    >>> bcp47("zh_CN")
    'zh-CN'
    >>> bcp47(None)
    'en'
    """
    return (language or SOURCE_LANGUAGE).replace("_", "-")


def figure_texts(source: str) -> list[str]:
    """The alt texts and captions of a MyST page's figures, as Sphinx sees them.

    The ``mystnb: image: alt`` and ``mystnb: figure: caption`` of every code cell (YAML
    decoded), and the ``:alt:`` option of every directive, in page order, each once.

    >>> page = '''```{code-cell} ipython3
    ... ---
    ... mystnb:
    ...   image:
    ...     alt: "A curve."
    ...   figure:
    ...     caption: "The curve."
    ... ---
    ... plt.show()
    ... ```
    ... '''
    >>> figure_texts(page)
    ['A curve.', 'The curve.']
    """
    found: list[tuple[int, str]] = []
    for match in _CODE_CELL.finditer(source):
        meta = (yaml.safe_load(match.group(1)) or {}).get("mystnb") or {}
        for key, field in (("image", "alt"), ("figure", "caption")):
            value = (meta.get(key) or {}).get(field)
            if value:
                found.append((match.start(), str(value)))
    found.extend((match.start(), match.group(1)) for match in _ALT_OPTION.finditer(source))
    texts: list[str] = []
    for _, text in sorted(found):
        if text not in texts:
            texts.append(text)
    return texts


def figure_captions(source: str) -> dict[str, str]:
    """Figure name -> caption (the Markdown source) of the code-cell figures of a page."""
    captions = {}
    for match in _CODE_CELL.finditer(source):
        figure = ((yaml.safe_load(match.group(1)) or {}).get("mystnb") or {}).get("figure") or {}
        if figure.get("name") and figure.get("caption"):
            captions[nodes.fully_normalize_name(str(figure["name"]))] = str(figure["caption"])
    return captions


def translated(app: Sphinx, pagename: str) -> bool:
    """Whether page ``pagename`` is translated in this build's edition."""
    pages = (app.config.physgen_translated_pages or {}).get(app.config.language) or []
    return pagename in pages


def is_translation(app: Sphinx) -> bool:
    return (app.config.language or SOURCE_LANGUAGE) != SOURCE_LANGUAGE


def page_catalog(app: Sphinx, docname: str):
    """The translations of page ``docname`` in this build's language (None if it has none)."""
    domain = docname_to_domain(docname, app.config.gettext_compact)
    dirs = [str(Path(app.srcdir, d)) for d in app.config.locale_dirs]
    catalog, has_catalog = init_locale(dirs, app.config.language, domain)
    return catalog if has_catalog else None


def page_description(app: Sphinx, docname: str) -> str | None:
    """The page's front-matter ``description:`` on one line (site_meta.py's meta description)."""
    from site_meta import page_description as description

    return description(app, docname)


# --- extraction (gettext builder) ---------------------------------------------------


def _add_figure_messages(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """gettext builder: add the page's alt texts, captions and SVG titles to its template."""
    if app.builder.name != "gettext":
        return
    from sphinx.builders.gettext import MsgOrigin

    path = Path(app.env.doc2path(docname))
    texts = figure_texts(path.read_text(encoding="utf-8")) if path.suffix == ".md" else []
    texts += cached_svg_titles(app, path)
    texts.append(page_description(app, docname) or "")  # the meta description
    catalog = app.builder.catalogs[docname_to_domain(docname, app.config.gettext_compact)]
    for text in texts:
        if text:
            catalog.add(text, MsgOrigin(str(path), 0))


def cached_svg_titles(app: Sphinx, path: Path) -> list[str]:
    """The ``<svg><title>`` texts of the page's HTML outputs, from the execution cache.

    An animation's text alternative is made by its code cell, so it exists only in the
    page's outputs; the gettext build runs with execution off and reads them from the
    cache that ``make book`` filled (none if the page is not cached).
    """
    cache_path = getattr(app.env, "mystnb_config", None)
    cache_path = getattr(cache_path, "execution_cache_path", "") or ""
    if path.suffix != ".md" or not cache_path or not Path(app.srcdir, cache_path).is_dir():
        return []
    head = path.read_text(encoding="utf-8").split("\n---", 1)[0]
    if not head.startswith("---") or "kernelspec:" not in head:
        return []  # not a notebook page
    from jupyter_cache import get_cache
    from myst_nb.core.read import read_myst_markdown_notebook

    cache = get_cache(str(Path(app.srcdir, cache_path)))
    try:
        record = cache.match_cache_notebook(read_myst_markdown_notebook(path.read_text(encoding="utf-8")))
    except KeyError:
        logger.warning("editions: %s is not in the execution cache: run `make book` first, "
                       "or its animations' titles are not extracted", path.name)
        return []
    titles = []
    for cell in cache.get_cache_bundle(record.pk).nb.cells:
        for output in cell.get("outputs", []):
            body = output.get("data", {}).get("text/html", "")
            body = "".join(body) if isinstance(body, list) else body
            titles += [html.unescape(m.group(2)).strip() for m in _SVG_TITLE.finditer(body)]
    return titles


# --- translation (translated builds) ----------------------------------------------


class TranslateFigureText(SphinxTransform):
    """Translate image alt texts, code-cell figure captions and SVG titles of a page.

    Runs right after Sphinx's own ``Locale`` transform (priority 20), on the doctree that
    myst-nb rendered from the page and its cached outputs.
    """

    default_priority = 21

    def apply(self, **kwargs) -> None:
        if not is_translation(self.app) or not self.env.docname:
            return
        catalog = page_catalog(self.app, self.env.docname)
        if catalog is None:
            return

        def tr(text: str) -> str:
            return catalog.gettext(text) if text else text

        for image in self.document.findall(nodes.image):
            if image.get("alt"):
                image["alt"] = tr(image["alt"])
        for raw in self.document.findall(nodes.raw):
            if "html" in raw.get("format", "").split() and "<title" in raw.astext():
                text = _SVG_TITLE.sub(
                    lambda m: m.group(1)
                    + html.escape(tr(html.unescape(m.group(2)).strip()), quote=False)
                    + m.group(3),
                    raw.astext(),
                )
                raw.replace_self(nodes.raw(text, text, **raw.attributes))
        path = Path(self.env.doc2path(self.env.docname))
        captions = figure_captions(path.read_text(encoding="utf-8")) if path.suffix == ".md" else {}
        for figure in self.document.findall(nodes.figure):
            source = next((captions[n] for n in figure["names"] if n in captions), None)
            caption = next(iter(figure.findall(nodes.caption)), None)
            if source is None or caption is None or tr(source) == source:
                continue
            self._set_caption(caption, tr(source))

    def _set_caption(self, caption: nodes.caption, text: str) -> None:
        """Replace the caption's content by ``text`` parsed as MyST Markdown."""
        from sphinx.transforms.i18n import publish_msgstr

        settings = self.document.settings
        parsed = publish_msgstr(
            self.app, text, caption.source or self.document["source"], caption.line or 0,
            self.config, settings,
        )
        paragraph = next(iter(parsed.findall(nodes.paragraph)), None)
        if paragraph is None:
            return
        caption.children = []
        caption += paragraph.children
        caption.rawsource = text


class _PageGlue:
    """The one thing myst-nb's glue roles read from a document's ``nb_renderer``.

    ``myst_nb.ext.glue.utils.retrieve_glue_data`` looks up
    ``document["nb_renderer"].renderer.nb_client.glue_data``; a translated message has no
    notebook, so this stands in for it with the page's glue data.
    """

    def __init__(self, glue_data: dict) -> None:
        self.renderer = self
        self.nb_client = self
        self.glue_data = glue_data


def translated_message_parser():
    """myst-nb's parser, extended so that a translated message can paste glued values."""
    from myst_nb.ext.glue.crossref import read_glue_cache
    from myst_nb.sphinx_ import Parser as MystNbParser

    class TranslatedMessageParser(MystNbParser):
        """Parses pages as myst-nb does; a translated message gets its page's glue data.

        Sphinx's ``Locale`` transform parses each translated message (a document whose
        source ends in ``<translated>``) after myst-nb has read the page and written
        the page's glue data to ``<output folder>/<page>.glue.json``; the message's
        ``{glue:text}`` roles read that data, so a translated sentence shows exactly the
        number the English one does.
        """

        def parse(self, inputstring: str, document: nodes.document) -> None:
            env = getattr(document.settings, "env", None) or self.env
            if not document.current_source.endswith("<translated>") or not env.docname:
                return super().parse(inputstring, document)
            glue_data = read_glue_cache(env.mystnb_config.output_folder, env.docname)
            document.attributes["nb_renderer"] = _PageGlue(glue_data)
            try:
                return super().parse(inputstring, document)
            finally:
                document.attributes.pop("nb_renderer", None)

    return TranslatedMessageParser


# --- the HTML of every page -------------------------------------------------------


def _page_url(app: Sphinx, pagename: str, language: str) -> str:
    """Relative URL from ``pagename`` of this build to the same page in ``language``."""
    depth = pagename.count("/") + (1 if is_translation(app) else 0)
    root = "../" * depth
    return f"{root}{EDITIONS[language][0]}{pagename}{app.builder.link_suffix}"


def _page_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if app.builder.format != "html":
        return
    language = app.config.language or SOURCE_LANGUAGE
    context["language"] = bcp47(language)  # the layout's <html lang="...">
    others = [lang for lang in EDITIONS if lang != language]
    context["physgen_editions"] = [
        {"href": _page_url(app, pagename, lang), "lang": bcp47(lang), "name": EDITIONS[lang][1]}
        for lang in others
    ]
    base = app.physgen_site_root
    links = [
        f'<link rel="alternate" hreflang="{bcp47(lang)}" '
        f'href="{html.escape(base + EDITIONS[lang][0] + pagename + app.builder.link_suffix)}" />\n'
        for lang in EDITIONS
    ]
    context["metatags"] = context.get("metatags", "") + "".join(links)
    if not is_translation(app) or "body" not in context or doctree is None:
        return
    notes = NOTES.get(language, {})
    body = context["body"]
    if not translated(app, pagename) and notes.get("untranslated"):
        note = f'<p class="physgen-edition-note" lang="{bcp47(language)}">{html.escape(notes["untranslated"])}</p>'
        context["body"] = f'<div lang="en">\n{_after_title(body, note)}</div>\n'
    elif pagename == app.config.root_doc and notes.get("figure_labels"):
        note = f'<p class="physgen-edition-note">{html.escape(notes["figure_labels"])}</p>'
        context["body"] = _after_title(body, note)


def _after_title(body: str, note: str) -> str:
    """``body`` with ``note`` right after the page's title (or at its top)."""
    end = body.find("</h1>")
    if end < 0:
        return f"{note}\n{body}"
    end += len("</h1>")
    return f"{body[:end]}\n{note}\n{body[end:]}"


def _translate_description(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """The meta description and og:description of a translated page, in its language.

    After site_meta.py wrote them from the front matter (priority 400), before
    sphinxext-opengraph reads og:description (500).
    """
    if not is_translation(app) or app.builder.format != "html" or not translated(app, pagename):
        return
    description = page_description(app, pagename)
    catalog = page_catalog(app, pagename)
    if not description or catalog is None or catalog.gettext(description) == description:
        return
    text = " ".join(catalog.gettext(description).split())
    context["meta"] = {**(context.get("meta") or {}), "og:description": text}

    def attribute(value: str) -> str:
        return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")

    context["metatags"] = context.get("metatags", "").replace(
        f'content="{attribute(description)}"', f'content="{attribute(text)}"'
    )


def _config_inited(app: Sphinx, config) -> None:
    config.templates_path = [str(TEMPLATES), *config.templates_path]
    options = dict(config.html_theme_options or {})
    end = options.get("article_header_end") or ["article-header-buttons.html"]
    if isinstance(end, str):
        end = [s.strip() for s in end.split(",") if s.strip()]
    if "language-switch.html" not in end:
        options["article_header_end"] = ["language-switch.html", *end]
    config.html_theme_options = options
    # sphinx-sitemap would give every URL an "alternate" per folder of locales/, at the same
    # URL; tools/build_edition.py writes the alternates when it merges the sitemaps.
    config.sitemap_locales = [None]
    # The site's root URL (site_meta.py set html_baseurl from the repository before this).
    app.physgen_site_root = config.html_baseurl or ""  # type: ignore[attr-defined]
    if is_translation(app) and config.language.startswith("zh"):
        # Sphinx's Chinese search index segments words with jieba; keep its log quiet.
        import logging as std_logging

        import jieba

        jieba.setLogLevel(std_logging.WARNING)
    if is_translation(app):
        # Glued numbers inside translated messages (see TranslatedMessageParser).
        app.add_source_parser(translated_message_parser(), override=True)
        # Canonical URLs, og:url and the sitemap of this edition: under <language>/.
        config.html_baseurl += EDITIONS.get(config.language, (f"{config.language}/",))[0]
        config.ogp_site_url = config.html_baseurl


def setup(app: Sphinx) -> dict:
    app.add_config_value("physgen_translated_pages", {}, "env", types=[dict])
    # After site_meta's (priority 500), which derives html_baseurl from the repository.
    app.connect("config-inited", _config_inited, priority=600)
    app.connect("doctree-resolved", _add_figure_messages)
    app.add_transform(TranslateFigureText)
    app.connect("html-page-context", _page_context)
    app.connect("html-page-context", _translate_description, priority=450)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
