"""Build a translated edition of the book, or refresh its message catalogues.

When it runs: ``make book`` calls ``python tools/build_edition.py html --language zh_CN``
after the English build; ``make translations`` calls
``python tools/build_edition.py translations --language zh_CN``.

``html``: the same Sphinx build as ``jupyter-book build . -W -n --keep-going --all`` (the
same ``_config.yml`` and ``_toc.yml`` turned into Sphinx's configuration by Jupyter
Book's own ``get_final_config``), with ``language``, ``locale_dirs = ["locales/"]`` and
``gettext_compact = False`` on top, into ``_build/html/<language>/`` with its own
doctrees. The pages' outputs come from the execution cache that the English build
filled (``execute.cache`` in ``_config.yml``): no notebook executes a second time, and
the outputs and glued numbers are the English edition's.

``templates``: only the message templates, into ``--out`` (tests/test_editions.py).

``translations``: Sphinx's gettext builder with execution off (only the pages' own text
is extracted, never a code output; ``book/_ext/editions.py`` adds each figure's alt text
and caption), then ``sphinx-intl update`` on the catalogues
``locales/<language>/LC_MESSAGES/book/<page>.po`` of the translated pages
(``physgen_translated_pages`` in ``_config.yml``) and of every page that already has one.
Changed English messages become ``#, fuzzy`` entries, new ones empty entries, for the
translator to review (book/teaching.md: Translations).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
BUILD = ROOT / "_build"
LOCALES = "locales"


def translated_pages(language: str, root: Path = ROOT) -> list[str]:
    """The pages translated in ``language`` (``physgen_translated_pages`` of _config.yml)."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    pages = config["sphinx"]["config"].get("physgen_translated_pages", {})
    return list(pages.get(language, []))


def sphinx_build(builder: str, outdir: Path, doctreedir: Path, overrides: dict) -> int:
    """Jupyter Book's Sphinx build of the repository with extra configuration ``overrides``."""
    from jupyter_book.sphinx import build_sphinx

    config = {
        "external_toc_path": (ROOT / "_toc.yml").as_posix(),
        "latex_individualpages": False,
        "nitpicky": True,
        **overrides,
    }
    result = build_sphinx(
        ROOT,
        outdir,
        use_external_toc=True,
        noconfig=True,
        path_config=ROOT / "_config.yml",
        confoverrides=config,
        doctreedir=doctreedir,
        builder=builder,
        warningiserror=builder == "html",
        keep_going=True,
        freshenv=True,
        # gettext reads the pages with execution off: its glue warnings mean nothing.
        quiet=True,
        really_quiet=builder != "html",
    )
    return result if isinstance(result, int) else 1


def uncached_pages(root: Path = ROOT) -> list[Path]:
    """The notebook pages whose code is not in the execution cache (the build would run them)."""
    from execute_chapters import notebook_pages
    from jupyter_cache import get_cache
    from myst_nb.core.read import read_myst_markdown_notebook

    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    cache_dir = root / config["execute"]["cache"]
    pages = notebook_pages(root)
    if not cache_dir.is_dir():
        return pages
    cache = get_cache(str(cache_dir))
    missing = []
    for page in pages:
        try:
            cache.match_cache_notebook(read_myst_markdown_notebook(page.read_text(encoding="utf-8")))
        except KeyError:
            missing.append(page)
    return missing


def build_html(language: str) -> int:
    """The edition ``language`` into _build/html/<language>/ (strict: -W -n --keep-going).

    Sphinx writes it into ``_build/editions/<language>/html`` (myst-nb keeps its output
    files beside the output directory, in ``../jupyter_execute``, which must stay out of the
    published site), then it is copied into the English site, whose sitemap.xml gains
    the edition's pages.
    """
    missing = uncached_pages()
    if missing:
        names = ", ".join(p.name for p in missing)
        print(f"build_edition: not in the execution cache: {names}. The {language} edition "
              "never executes a notebook: build the English site first (make book).", file=sys.stderr)
        return 1
    outdir = BUILD / "editions" / language / "html"
    shutil.rmtree(outdir, ignore_errors=True)
    rc = sphinx_build(
        "html",
        outdir,
        outdir.parent / ".doctrees",
        {"language": language, "locale_dirs": [f"{LOCALES}/"], "gettext_compact": False},
    )
    if rc:
        return rc
    site = BUILD / "html"
    target = site / language
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(outdir, target)
    return merge_sitemap(site / "sitemap.xml", target / "sitemap.xml", language)


def site_root(root: Path = ROOT) -> str:
    """The published site's root URL: ``html.baseurl``, else the repository's Pages address."""
    sys.path.insert(0, str(root / "book" / "_ext"))
    from site_meta import site_url

    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    return (config.get("html") or {}).get("baseurl") or site_url(config["repository"]["url"])


def merge_sitemap(main: Path, edition: Path, language: str, base: str | None = None) -> int:
    """Add an edition's sitemap to the English site's, with hreflang alternates; drop the former.

    Every page then has its URL in both languages, each naming the other (and itself) as
    ``<xhtml:link rel="alternate" hreflang>``, as search engines expect.
    """
    if not main.is_file() or not edition.is_file():
        print(f"build_edition: no {main} or {edition}: build the English site first", file=sys.stderr)
        return 1
    base = base or site_root()
    ns, xhtml = "http://www.sitemaps.org/schemas/sitemap/0.9", "http://www.w3.org/1999/xhtml"
    ET.register_namespace("", ns)
    ET.register_namespace("xhtml", xhtml)
    tree = ET.parse(main)
    root = tree.getroot()
    prefix = f"{base}{language}/"
    urls = [u for u in root.findall(f"{{{ns}}}url")
            if not u.findtext(f"{{{ns}}}loc", "").startswith(prefix)]  # an earlier merge
    for url in list(root):
        root.remove(url)
    urls += ET.parse(edition).getroot().findall(f"{{{ns}}}url")
    locs = {u.findtext(f"{{{ns}}}loc") for u in urls}
    tag = language.replace("_", "-")
    for url in urls:
        loc = url.findtext(f"{{{ns}}}loc", "")
        link = loc[len(prefix):] if loc.startswith(prefix) else loc[len(base):]
        for alternate in url.findall(f"{{{xhtml}}}link"):
            url.remove(alternate)
        pair = {"en": base + link, tag: prefix + link}
        if set(pair.values()) <= locs:
            for hreflang, href in pair.items():
                ET.SubElement(url, f"{{{xhtml}}}link", rel="alternate", hreflang=hreflang, href=href)
        root.append(url)
    ET.indent(tree)
    tree.write(main, xml_declaration=True, encoding="utf-8")
    edition.unlink()
    return 0


def extract_templates(pot_dir: Path) -> int:
    """The message templates of every page, ``<pot_dir>/book/<page>.pot`` (execution off)."""
    shutil.rmtree(pot_dir, ignore_errors=True)
    return sphinx_build(
        "gettext",
        pot_dir,
        pot_dir.parent / f".doctrees-{pot_dir.name}",
        {"gettext_compact": False, "nb_execution_mode": "off"},
    )


def update_catalogues(language: str) -> int:
    """Message templates into _build/gettext, then the catalogues of ``language`` updated."""
    from sphinx_intl.basic import update

    pot_dir = BUILD / "gettext"
    rc = extract_templates(pot_dir)
    if rc:
        return rc
    po_dir = ROOT / LOCALES / language / "LC_MESSAGES"
    wanted = set(translated_pages(language))
    wanted |= {p.relative_to(po_dir).with_suffix("").as_posix() for p in po_dir.rglob("*.po")}
    selected = BUILD / "gettext-selected"
    shutil.rmtree(selected, ignore_errors=True)
    for page in sorted(wanted):
        pot = pot_dir / f"{page}.pot"
        if not pot.is_file():
            print(f"build_edition: no template for {page} (not in _toc.yml?)", file=sys.stderr)
            return 1
        (selected / pot.relative_to(pot_dir)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(pot, selected / pot.relative_to(pot_dir))
    update(str(ROOT / LOCALES), str(selected), (language,))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("task", choices=["html", "translations", "templates"])
    parser.add_argument("--language", default="zh_CN")
    parser.add_argument("--out", type=Path, default=BUILD / "gettext",
                        help="templates: the folder of the message templates")
    args = parser.parse_args(argv)
    if args.task == "html":
        return build_html(args.language)
    if args.task == "templates":
        return extract_templates(args.out)
    return update_catalogues(args.language)


if __name__ == "__main__":
    sys.exit(main())
