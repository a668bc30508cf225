"""Sphinx extension: fixes for accessibility and console errors of the pinned theme.

The browser tests (tests/browser) open every page in Chromium, run axe-core and
fail on console errors. These problems come from the theme stack pinned in
requirements.txt (sphinx-book-theme 1.3.0 / pydata-sphinx-theme 0.17.1 /
sphinx-thebe 0.3.1 / docutils 0.21), not from the course's pages, and are fixed
here, each where it arises:

1. pydata-sphinx-theme logs ``Got invalid theme mode: .`` (console error) on a
   reader's first visit, because no ``default_mode`` is set: we set it to
   ``auto`` (follow the reader's system setting) unless _config.yml sets one.
2. sphinx-thebe's inline configuration script (``const THEBE_JS_URL = ...``) is
   emitted twice in every page, so the second copy throws ``SyntaxError:
   Identifier 'THEBE_JS_URL' has already been declared``: we drop exact
   duplicate scripts from each page.
3. The search buttons and the colour-mode button had accessible names that did
   not contain their visible text (axe ``label-content-name-mismatch``,
   serious): two theme components are overridden in ``templates/``.
4. docutils writes the bibliography as ``<div role="list">`` holding
   ``role="doc-biblioentry"`` items, a DPUB role axe no longer accepts as a list
   item (``aria-required-children``, critical): the entries get ``role="listitem"``.
5. myst-nb's collapsed code cells (``hide-input``) are ``<summary
   aria-label="Toggle hidden content">`` whose visible text is "Show code cell
   source" (``label-content-name-mismatch``, serious): the aria-label is dropped, so
   the visible text names the control.
6. sphinx-book-theme's link colour has a 4.29:1 contrast on the tinted background
   of exercise and note boxes (``color-contrast``, serious; 4.5:1 needed):
   ``static/physgen-a11y.css`` darkens links inside those boxes.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
CSS_FILE = "physgen-a11y.css"


def _config_inited(app: Sphinx, config) -> None:
    config.templates_path = [str(TEMPLATES), *config.templates_path]
    context = dict(config.html_context or {})
    context.setdefault("default_mode", "auto")
    config.html_context = context


def _builder_inited(app: Sphinx) -> None:
    if app.builder.format == "html":
        app.config.html_static_path = [*app.config.html_static_path, str(STATIC)]
        app.add_css_file(CSS_FILE)


def _page_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if scripts:
        unique = []
        seen = set()
        for script in scripts:
            # Inline scripts come as filename None or "" (the same script added
            # through two routes), so both count as "no file".
            key = (
                str(getattr(script, "filename", script) or ""),
                tuple(sorted(getattr(script, "attributes", {}).items())),
            )
            if key not in seen:
                seen.add(key)
                unique.append(script)
        scripts[:] = unique
    body = context.get("body")
    if body:
        context["body"] = body.replace(
            'role="doc-biblioentry"', 'role="listitem"'
        ).replace('<summary aria-label="Toggle hidden content">', "<summary>")


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _config_inited)
    app.connect("builder-inited", _builder_inited)
    # After the themes' and extensions' own page-context handlers.
    app.connect("html-page-context", _page_context, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
