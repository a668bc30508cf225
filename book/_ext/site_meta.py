"""Sphinx extension: what search engines and link previews read from every page.

All of it follows from the one repository setting in ``_config.yml``
(``repository.url: https://github.com/OWNER/REPO``), which Jupyter Book passes to
the theme as ``html_theme_options["repository_url"]``:

* the **canonical URL** of every page: ``html_baseurl`` is set to the GitHub Pages
  address of that repository, ``https://OWNER.github.io/REPO/`` (unless
  ``_config.yml`` sets ``html.baseurl`` itself); Sphinx then writes
  ``<link rel="canonical">`` and sphinx-sitemap writes ``sitemap.xml`` from it;
* the **meta description** and ``og:description`` of a page come from the
  ``description:`` key of its front matter (sphinxext-opengraph writes the Open
  Graph tags; without a front-matter description it would fall back to the first
  paragraph, and ``tests/test_site.py`` requires one on every page of _toc.yml);
* the **preview image** (``og:image``) is drawn here with matplotlib, a pendulum
  beside the course title, into ``_static/physgen-preview.png`` (1200 x 630 px,
  the size link previews expect); the favicon is ``static/favicon.svg``, the same
  pendulum as a small SVG, set by ``html.favicon`` in ``_config.yml``.

The MathJax that renders the equations is served from the site itself
(sphinx-mathjax-offline), and Sphinx loads it only on pages that have math.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.util import logging

logger = logging.getLogger(__name__)

PREVIEW = "physgen-preview.png"
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", flags=re.S)


def site_url(repository_url: str) -> str:
    """GitHub Pages address of ``repository_url`` (ends with ``/``).

    >>> site_url("https://github.com/physgen-course/physgen-course")
    'https://physgen-course.github.io/physgen-course/'
    >>> site_url("https://github.com/me/me.github.io/")
    'https://me.github.io/'
    """
    match = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?", repository_url or "")
    if not match:
        raise ConfigError(
            f"_config.yml: repository.url must be https://github.com/OWNER/REPO to derive the "
            f"site's canonical URL, got {repository_url!r}"
        )
    owner, repo = match.groups()
    if repo.lower() == f"{owner.lower()}.github.io":
        return f"https://{owner.lower()}.github.io/"
    return f"https://{owner.lower()}.github.io/{repo}/"


def front_matter(path: Path) -> dict:
    """The YAML front matter of a Markdown page (``{}`` if it has none)."""
    if path.suffix != ".md" or not path.is_file():
        return {}
    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    return (yaml.safe_load(match.group(1)) or {}) if match else {}


def page_description(app: Sphinx, pagename: str) -> str | None:
    """The ``description:`` of page ``pagename``'s front matter, on one line."""
    if pagename not in app.env.all_docs:
        return None
    description = front_matter(Path(app.env.doc2path(pagename))).get("description")
    return " ".join(str(description).split()) if description else None


def course_title(config) -> str:
    """The course's title (``title`` in _config.yml, which Jupyter Book passes as ``html_title``)."""
    return config.html_title or config.project


def _config_inited(app: Sphinx, config) -> None:
    repository = (config.html_theme_options or {}).get("repository_url", "")
    if not config.html_baseurl:
        config.html_baseurl = site_url(repository)
    config.ogp_site_url = config.html_baseurl
    config.ogp_image = f"_static/{PREVIEW}"
    config.ogp_site_name = course_title(config)
    config.ogp_image_alt = f"A swinging pendulum beside the title: {course_title(config)}"
    config.ogp_social_cards = {"enable": False}  # one preview image, drawn below
    # sitemap.xml lists page URLs as html_baseurl + page (no language/version prefix).
    config.sitemap_url_scheme = "{link}"
    config.sitemap_excludes = ["search.html", "genindex.html"]


def draw_preview(path: Path, title: str) -> None:
    """Draw the link-preview image: a pendulum and the course title (1200 x 630 px)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure
    from matplotlib.patches import Arc, Circle

    fig = Figure(figsize=(12, 6.3), dpi=100, facecolor="#f5f7fb")
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 12)
    ax.set_ylim(0, 6.3)
    ax.axis("off")
    pivot, length, angle = (2.6, 5.4), 3.8, 0.45  # angle from the vertical, rad
    import math

    bob = (pivot[0] + length * math.sin(angle), pivot[1] - length * math.cos(angle))
    ax.plot([1.4, 3.8], [pivot[1], pivot[1]], color="#334155", lw=6, solid_capstyle="round")
    ax.plot([pivot[0], pivot[0]], [pivot[1], pivot[1] - length], color="#94a3b8", lw=2, ls="--")
    ax.add_patch(Arc(pivot, 2.4, 2.4, theta1=-90, theta2=-90 + math.degrees(angle),
                     color="#2563eb", lw=3))
    ax.plot([pivot[0], bob[0]], [pivot[1], bob[1]], color="#1e293b", lw=4)
    ax.add_patch(Circle(bob, 0.45, color="#2563eb"))
    ax.text(2.95, 4.0, "θ", fontsize=34, color="#2563eb")
    words = title.split()
    lines, line = [], ""
    for word in words:  # wrap the title at ~24 characters
        if line and len(line) + len(word) > 24:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    ax.text(5.2, 3.2, "\n".join(lines), fontsize=40, color="#0f172a", va="center",
            fontweight="bold", linespacing=1.25)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, metadata={"Software": None})


def _builder_inited(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / PREVIEW
    draw_preview(target, course_title(app.config))


def _page_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    description = page_description(app, pagename)
    if not description:
        return
    # Before sphinxext-opengraph (priority 500): it takes og:description from the
    # page's fields and writes no second meta description when one exists.
    context["meta"] = {**(context.get("meta") or {}), "og:description": description}
    content = description.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    context["metatags"] = context.get("metatags", "") + f'<meta name="description" content="{content}" />\n'


def _mathjax_only_with_math(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Drop MathJax from a page that has no math of its own.

    Sphinx's ``MathDomain.has_equations(page)`` also counts the pages in the page's
    toctree (sphinx/domains/math.py), so the root page, whose toctree holds every
    chapter, loaded MathJax without a single equation.
    """
    domain = app.env.get_domain("math")
    if domain.data["has_equations"].get(pagename, False):
        return
    scripts = context.get("script_files")
    if not scripts:
        return

    def is_mathjax(script) -> bool:
        filename = str(getattr(script, "filename", script) or "")
        body = str(getattr(script, "attributes", {}).get("body", ""))
        path = app.config.mathjax_path
        return filename in (path, f"_static/{path}") or body.startswith("window.MathJax")

    scripts[:] = [s for s in scripts if not is_mathjax(s)]


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinxext.opengraph")
    app.setup_extension("sphinx_sitemap")
    app.setup_extension("sphinx-mathjax-offline")
    app.connect("config-inited", _config_inited)
    app.connect("builder-inited", _builder_inited)
    app.connect("html-page-context", _page_context, priority=400)
    # After sphinx.ext.mathjax added its scripts (priority 500).
    app.connect("html-page-context", _mathjax_only_with_math, priority=800)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
