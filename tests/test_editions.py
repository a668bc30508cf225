"""The Chinese edition: complete catalogues, and a built site that matches the English one.

The catalogues (``locales/zh_CN/LC_MESSAGES/book/<page>.po``) of the pages translated in
the edition (``physgen_translated_pages`` in ``_config.yml``) must translate every message
of the current English page, none fuzzy: the test extracts the messages afresh (Sphinx's
gettext builder with execution off, a few seconds) and prints a table of translated /
fuzzy / untranslated counts per page. After an English edit it names what to translate
(``make translations``, then the catalogue; book/teaching.md: Translations).

The built editions (``make book``: ``_build/html`` and ``_build/html/zh_CN``) must have
the same pages, each with a language switch to the other, the same code, outputs and
glued numbers, Chinese alt text and captions on translated pages, a note on the pages
not yet translated, the Chinese pages in the sitemap, and launch buttons that open the
same notebooks. The browser checks (tests/browser) visit the Chinese pages too, since
they visit every HTML page under ``_build/html``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from built_site import parse_html, require_built

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import build_edition  # noqa: E402
import editions  # noqa: E402
from site_notebooks import toc_files  # noqa: E402

pytestmark = pytest.mark.site

LANGUAGE = "zh_CN"
LANG_TAG = "zh-CN"
PAGES = build_edition.translated_pages(LANGUAGE)
PO_DIR = ROOT / "locales" / LANGUAGE / "LC_MESSAGES"
SITE = ROOT / "_build" / "html"
EDITION = SITE / LANGUAGE
CJK = re.compile(r"[\u3400-\u9fff]")
#: Chinese text long enough to describe an image (CJK characters, no spaces between words).
MIN_CJK_ALT = 6
#: The pages of part 1 of the essay (issue 24), translated in the Chinese edition.
PART_1 = {
    "book/intro", "book/01-classical-mechanics", "book/02-ml-primer", "book/02-probability",
    "book/02-approximation", "book/03-bayesian", "book/notation",
}


def _needs_build():
    require_built(EDITION / "index.html", f"Chinese edition in {EDITION}")


def _pages() -> list[str]:
    """Every page of _toc.yml, e.g. ``book/01-classical-mechanics``."""
    return [p.relative_to(ROOT).with_suffix("").as_posix() for p in toc_files()]


# --- catalogues ----------------------------------------------------------------------


def message_counts(template: Path, catalogue: Path) -> dict[str, int]:
    """Translated, fuzzy and untranslated messages of ``template`` in ``catalogue``."""
    with template.open("rb") as f:
        wanted = [m.id for m in read_po(f) if m.id]
    entries = {}
    if catalogue.is_file():
        with catalogue.open("rb") as f:
            entries = {m.id: m for m in read_po(f, locale=LANGUAGE) if m.id}
    counts = {"translated": 0, "fuzzy": 0, "untranslated": 0}
    for msgid in wanted:
        entry = entries.get(msgid)
        if entry is None or not entry.string:
            counts["untranslated"] += 1
        elif entry.fuzzy:
            counts["fuzzy"] += 1
        else:
            counts["translated"] += 1
    return counts


def test_part_1_and_the_glossary_are_the_translated_pages():
    assert set(PAGES) == PART_1 | {"book/glossary"}
    assert set(PAGES) <= set(_pages()), "a translated page is not in _toc.yml"


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> Path:
    # In a process of its own: Sphinx (sphinx-sitemap's multiprocessing queue) forks, and
    # a fork of this process would inherit the browser tests' threads and pipes.
    pot_dir = tmp_path_factory.mktemp("gettext") / "gettext"
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_edition.py"), "templates", "--out", str(pot_dir)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, "the gettext build failed:\n" + result.stderr[-3000:]
    return pot_dir


def test_figure_alt_texts_and_captions_are_messages(templates):
    """Every figure's alt text and caption of a translated page is in its template."""
    missing = []
    for page in PAGES:
        with (templates / f"{page}.pot").open("rb") as f:
            ids = {m.id for m in read_po(f)}
        texts = editions.figure_texts((ROOT / f"{page}.md").read_text(encoding="utf-8"))
        missing += [f"{page}: {t[:60]!r}" for t in texts if t not in ids]
    assert not missing, "figure texts not extracted:\n" + "\n".join(missing)
    chapter = (templates / "book/01-classical-mechanics.pot").read_text(encoding="utf-8")
    assert "Drawing of the pendulum" in chapter


def test_translated_pages_have_no_untranslated_or_fuzzy_message(templates):
    rows, bad = [], []
    for page in PAGES:
        counts = message_counts(templates / f"{page}.pot", PO_DIR / f"{page}.po")
        rows.append(f"{page:32} {counts['translated']:>10} {counts['fuzzy']:>6} {counts['untranslated']:>12}")
        if counts["fuzzy"] or counts["untranslated"] or not (PO_DIR / f"{page}.po").is_file():
            bad.append(page)
    table = "\n".join([f"{'page':32} {'translated':>10} {'fuzzy':>6} {'untranslated':>12}", *rows])
    print(f"\nMessages of the {LANGUAGE} catalogues:\n{table}")
    assert not bad, (
        f"{LANGUAGE} catalogues incomplete for {bad} (run `make translations`, then translate "
        f"the empty and fuzzy entries of locales/{LANGUAGE}/LC_MESSAGES/<page>.po):\n{table}"
    )


def test_message_counts_counts_each_state(tmp_path):
    (tmp_path / "a.pot").write_text(
        'msgid ""\nmsgstr ""\n\nmsgid "one"\nmsgstr ""\n\nmsgid "two"\nmsgstr ""\n\n'
        'msgid "three"\nmsgstr ""\n\nmsgid "four"\nmsgstr ""\n', encoding="utf-8")
    (tmp_path / "a.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "one"\nmsgstr "一"\n\n#, fuzzy\nmsgid "two"\nmsgstr "二"\n\n'
        'msgid "three"\nmsgstr ""\n', encoding="utf-8")
    counts = message_counts(tmp_path / "a.pot", tmp_path / "a.po")
    assert counts == {"translated": 1, "fuzzy": 1, "untranslated": 2}


# --- the built editions ------------------------------------------------------------------


def _article(path: Path):
    return parse_html(path).find("article") or parse_html(path)


def test_every_page_is_in_both_editions_with_a_language_switch():
    _needs_build()
    problems = []
    for page in [*_pages(), "genindex", "search"]:
        english, chinese = SITE / f"{page}.html", EDITION / f"{page}.html"
        for path, lang, other, other_lang in ((english, "en", chinese, LANG_TAG),
                                              (chinese, LANG_TAG, english, "en")):
            if not path.is_file():
                problems.append(f"{path.relative_to(SITE)} missing")
                continue
            soup = parse_html(path)
            if soup.html.get("lang") != lang:
                problems.append(f"{path.relative_to(SITE)}: <html lang={soup.html.get('lang')!r}>")
            links = soup.select("a.physgen-language-switch")
            if len(links) != 1:
                problems.append(f"{path.relative_to(SITE)}: {len(links)} language switches")
                continue
            link = links[0]
            target = (path.parent / link["href"]).resolve()
            if target != other.resolve():
                problems.append(f"{path.relative_to(SITE)}: switch leads to {link['href']}")
            if link.get("hreflang") != other_lang or link.get("lang") != other_lang:
                problems.append(f"{path.relative_to(SITE)}: switch hreflang/lang {link.attrs}")
            alternates = {a["hreflang"]: a["href"] for a in soup.select('link[rel="alternate"][hreflang]')}
            if set(alternates) != {"en", LANG_TAG}:
                problems.append(f"{path.relative_to(SITE)}: alternate links {alternates}")
    assert not problems, "\n".join(problems)


def test_chinese_pages_have_their_own_canonical_urls_and_are_in_the_sitemap():
    _needs_build()
    soup = parse_html(EDITION / "book/intro.html")
    canonical = soup.find("link", rel="canonical")["href"]
    assert canonical.endswith(f"/{LANGUAGE}/book/intro.html"), canonical
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {e.text for e in ET.parse(SITE / "sitemap.xml").getroot().findall("s:url/s:loc", ns)}
    base = canonical[: -len(f"{LANGUAGE}/book/intro.html")]
    missing = [p for p in _pages() for url in (f"{base}{p}.html", f"{base}{LANGUAGE}/{p}.html")
               if url not in locs]
    assert not missing, f"not in sitemap.xml: {missing}"
    assert not (EDITION / "sitemap.xml").exists(), "the edition's sitemap is merged into the site's"


def _glued(article) -> list[str]:
    return sorted(e.get_text() for e in article.select('[class*="pasted-"]'))


def _code_and_outputs(article) -> tuple[list[str], list[str]]:
    inputs = [e.get_text() for e in article.select("div.cell_input pre")]
    outputs = [e.get_text() for e in article.select("div.cell_output pre")]
    return inputs, outputs


def test_code_outputs_and_glued_numbers_are_identical_in_both_editions():
    _needs_build()
    problems, glued = [], 0
    for page in _pages():
        english, chinese = _article(SITE / f"{page}.html"), _article(EDITION / f"{page}.html")
        if _glued(english) != _glued(chinese):
            only_en = sorted(set(_glued(english)) - set(_glued(chinese)))[:5]
            only_zh = sorted(set(_glued(chinese)) - set(_glued(english)))[:5]
            problems.append(f"{page}: glued values differ (English only {only_en}, Chinese only {only_zh}; "
                            f"{len(_glued(english))} vs {len(_glued(chinese))})")
        if _code_and_outputs(english) != _code_and_outputs(chinese):
            problems.append(f"{page}: code cells or their text outputs differ")
        glued += len(_glued(english))
    assert not problems, "\n".join(problems)
    assert glued > 50, f"only {glued} glued values found: is the site built?"


def _content_images(article) -> list:
    return [img for img in article.find_all("img") if "_static/" not in img.get("src", "")]


def test_translated_pages_have_chinese_alt_text_and_captions():
    _needs_build()
    problems, images = [], 0
    for page in PAGES:
        article = _article(EDITION / f"{page}.html")
        for img in _content_images(article):
            images += 1
            alt = img.get("alt") or ""
            if len(CJK.findall(alt)) < MIN_CJK_ALT:
                problems.append(f"{page}: <img alt={alt[:60]!r}> is not Chinese alt text")
        problems.extend(f"{page}: <svg><title>{t.get_text()[:60]!r} not in Chinese"
                        for t in article.select("svg title") if not CJK.search(t.get_text()))
        problems.extend(f"{page}: caption {c.get_text()[:60]!r} not in Chinese"
                        for c in article.select("figcaption") if not CJK.search(c.get_text()))
    assert not problems, "\n".join(problems)
    assert images > 10, f"only {images} images on the translated pages: is the site built?"


def test_pages_not_yet_translated_say_so_in_chinese():
    _needs_build()
    problems = []
    for page in _pages():
        article = _article(EDITION / f"{page}.html")
        notes = [n.get_text() for n in article.select("p.physgen-edition-note")]
        untranslated = [n for n in notes if n == editions.NOTES[LANGUAGE]["untranslated"]]
        if (page in PAGES) == bool(untranslated):
            problems.append(f"{page}: translated={page in PAGES} but notes {notes}")
        if page not in PAGES and not article.find(attrs={"lang": "en"}):
            problems.append(f"{page}: English content not marked lang='en'")
    root = _article(EDITION / "book/intro.html").select("p.physgen-edition-note")
    assert [n.get_text() for n in root] == [editions.NOTES[LANGUAGE]["figure_labels"]]
    assert not problems, "\n".join(problems)


def _launch_links(path: Path) -> list[str]:
    hosts = ("colab.research.google.com", "mybinder.org", "github.com")
    return sorted(a["href"] for a in parse_html(path).find_all("a", href=True)
                  if any(h in a["href"] for h in hosts))


def test_launch_buttons_of_a_chinese_page_open_the_same_notebooks():
    _needs_build()
    differ = [p for p in _pages() if _launch_links(SITE / f"{p}.html") != _launch_links(EDITION / f"{p}.html")]
    assert not differ, f"launch / repository links differ between the editions: {differ}"
    assert any("colab" in h for h in _launch_links(EDITION / "book/01-classical-mechanics.html"))


def test_the_chinese_edition_writes_no_launch_notebooks_or_execution_folder():
    _needs_build()
    assert not (SITE / "launch").exists() and not (SITE / "jupyter_execute").exists()
    assert not (EDITION / "jupyter_execute").exists()


# --- pure functions ----------------------------------------------------------------------


def test_bcp47_tags():
    assert editions.bcp47("zh_CN") == "zh-CN"
    assert editions.bcp47("en") == "en"


def test_figure_texts_reads_alt_and_caption_of_code_cells_and_alt_options():
    page = (
        "```{code-cell} ipython3\n---\nmystnb:\n  image:\n    alt: \"A curve: y against x.\"\n"
        "  figure:\n    caption: 'The curve, with \"quotes\".'\n    name: fig-a\n---\nplt.show()\n```\n\n"
        "```{figure} a.png\n:alt: A drawing.\n\nIts caption.\n```\n"
        "```{code-cell} ipython3\n---\nmystnb:\n  image:\n    alt: \"A curve: y against x.\"\n---\nx\n```\n"
    )
    assert editions.figure_texts(page) == ['A curve: y against x.', 'The curve, with "quotes".', "A drawing."]
    assert editions.figure_captions(page) == {"fig-a": 'The curve, with "quotes".'}


def test_extension_doctests():
    import doctest

    assert doctest.testmod(editions).failed == 0


def test_the_edition_build_refuses_pages_missing_from_the_execution_cache(tmp_path):
    """The Chinese build never executes: without a cached run of a page it stops first."""
    for name in ("_config.yml", "_toc.yml"):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    (tmp_path / "book").symlink_to(ROOT / "book")
    missing = build_edition.uncached_pages(tmp_path)  # no _build/.jupyter_cache there
    assert missing and all(p.suffix == ".md" for p in missing)
    assert "01-classical-mechanics.md" in {p.name for p in missing}


def test_every_notebook_page_was_cached_for_the_chinese_build():
    _needs_build()
    assert build_edition.uncached_pages() == []


def test_the_chinese_build_is_strict_and_reads_the_catalogues(monkeypatch):
    """-W -n --keep-going --all, like the English build, plus the edition's settings."""
    import jupyter_book.sphinx

    calls = []
    monkeypatch.setattr(jupyter_book.sphinx, "build_sphinx", lambda *a, **k: calls.append((a, k)) or 0)
    monkeypatch.setattr(build_edition, "uncached_pages", lambda root=ROOT: [])
    monkeypatch.setattr(build_edition, "merge_sitemap", lambda *a, **k: 0)
    monkeypatch.setattr(build_edition, "BUILD", Path("/nonexistent-build"))
    monkeypatch.setattr(build_edition.shutil, "copytree", lambda *a, **k: None)
    assert build_edition.build_html(LANGUAGE) == 0
    (_, outdir), options = calls[0]
    assert outdir == Path("/nonexistent-build/editions/zh_CN/html")
    assert options["warningiserror"] and options["keep_going"] and options["freshenv"]
    overrides = options["confoverrides"]
    assert overrides["nitpicky"] is True
    assert overrides["language"] == LANGUAGE
    assert overrides["locale_dirs"] == ["locales/"] and overrides["gettext_compact"] is False


def test_translated_pages_have_a_chinese_meta_description():
    _needs_build()
    problems = []
    for page in PAGES:
        soup = parse_html(EDITION / f"{page}.html")
        for attrs in ({"name": "description"}, {"property": "og:description"}):
            tags = soup.find_all("meta", attrs=attrs)
            if len(tags) != 1 or not CJK.search(tags[0].get("content", "")):
                problems.append(f"{page}: {attrs} {[t.get('content', '')[:50] for t in tags]}")
    assert not problems, "meta descriptions not in Chinese:\n" + "\n".join(problems)
