"""Checks over the built HTML that need no browser (they run even without Chromium).

* every internal link and anchor resolves;
* every ``<img>`` has meaningful alt text;
* the Binder, Colab, GitHub (repository / edit / issue) and download buttons
  point at files that exist: GitHub-hosted URLs are mapped back to paths in this
  working tree, and their branch must be ``_config.yml``'s ``repository.branch``;
* every chapter page offers Binder, Colab and its ``.ipynb`` / ``.md`` downloads;
* the landing page tells a reader how to launch a chapter and what to know first.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from browser_support import ROOT, page_name, site_pages

LINK_ATTRS = {"a": "href", "link": "href", "img": "src", "script": "src", "iframe": "src", "source": "src"}
EXTERNAL_PREFIXES = ("http://", "https://", "//", "mailto:", "javascript:", "data:", "tel:")
IMAGE_SUFFIX = re.compile(r"\.(png|jpe?g|gif|svg|webp|bmp)\b", re.I)
GENERIC_ALT = {
    "image", "img", "figure", "fig", "plot", "graph", "chart", "picture",
    "png", "output", "animation", "photo", "icon", "diagram", "none", "alt",
}


def alt_problem(alt: str | None, *, content: bool = True) -> str | None:
    """Why ``alt`` is not meaningful alt text for an image, or None if it is.

    ``content`` images (figures and cell outputs) need a description of at least
    three words; theme icons (``content=False``, e.g. "Binder logo") a name.

    >>> alt_problem(None)
    'no alt attribute'
    >>> alt_problem("../_images/abc123.png")
    'alt text is a file name'
    >>> alt_problem("Figure 2")
    'alt text is generic'
    >>> alt_problem("pendulum")
    'alt text too short to describe the image (fewer than 3 words)'
    >>> alt_problem("Angle against time for five sampled pendulums") is None
    True
    >>> alt_problem("Binder logo", content=False) is None
    True

    Chinese is written without spaces: two CJK characters count as a word.

    >>> alt_problem("单摆") is not None
    True
    >>> alt_problem("五个单摆的角度随时间变化") is None
    True
    """
    if alt is None:
        return "no alt attribute"
    text = " ".join(alt.split())
    if not text:
        return "empty alt text"
    if IMAGE_SUFFIX.search(text) or text.startswith(("data:", "http")):
        return "alt text is a file name"
    if text.lower().strip(".:") in GENERIC_ALT or re.fullmatch(
        r"(figure|fig\.?|image|plot|output)\s*[\d.]*", text, flags=re.I
    ):
        return "alt text is generic"
    words = len(text.split()) + len(re.findall(r"[\u3400-\u9fff]", text)) // 2
    if content and words < 3:
        return "alt text too short to describe the image (fewer than 3 words)"
    return None


@lru_cache(maxsize=None)
def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@lru_cache(maxsize=None)
def _ids(path: Path) -> frozenset[str]:
    soup = _soup(path)
    ids = {el["id"] for el in soup.find_all(id=True)}
    ids |= {el["name"] for el in soup.find_all("a", attrs={"name": True})}
    return frozenset(ids)


def _config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def _repository() -> tuple[str, str, str]:
    """(owner/name, branch, path_to_book) from _config.yml."""
    repo = _config().get("repository") or {}
    url = str(repo.get("url", "")).rstrip("/")
    match = re.fullmatch(r"https://github\.com/([^/]+/[^/]+?)(?:\.git)?", url)
    assert match, f"_config.yml repository.url must be https://github.com/OWNER/REPO, got {url!r}"
    branch = str(repo.get("branch") or "")
    assert branch, "_config.yml must set repository.branch (the theme's default is 'master')"
    return match.group(1), branch, str(repo.get("path_to_book") or "")


def _is_notebook_source(source: Path) -> bool:
    text = source.read_text(encoding="utf-8")
    front = re.match(r"---\n(.*?)\n---\n", text, flags=re.S)
    return bool(front) and "kernelspec" in (yaml.safe_load(front.group(1)) or {})


def _source_of(name: str) -> Path | None:
    for suffix in (".md", ".ipynb"):
        if (ROOT / f"{name}{suffix}").exists():
            return ROOT / f"{name}{suffix}"
    return None


def _student_edition() -> bool:
    return os.environ.get("PHYSGEN_EDITION", "full") == "student"


def _fail_if(problems: dict[str, list], what: str) -> None:
    problems = {k: v for k, v in problems.items() if v}
    if problems:
        lines = [f"{what}:"]
        for name, items in problems.items():
            lines.append(f"  {name}:")
            lines.extend(f"    - {item}" for item in items[:25])
            if len(items) > 25:
                lines.append(f"    ... and {len(items) - 25} more")
        pytest.fail("\n".join(lines), pytrace=False)


def test_internal_links_and_anchors_resolve(site):
    problems: dict[str, list] = {}
    checked = 0
    for page in site_pages(site):
        base = "http://site/" + page.relative_to(site).as_posix()
        items = []
        for tag, attr in LINK_ATTRS.items():
            for el in _soup(page).find_all(tag, attrs={attr: True}):
                ref = el[attr].strip()
                if not ref or ref == "#" or ref.startswith(EXTERNAL_PREFIXES):
                    continue
                url = urlsplit(urljoin(base, ref))
                target = site / unquote(url.path.lstrip("/"))
                if url.path.endswith("/"):
                    target = target / "index.html"
                checked += 1
                if not target.is_file():
                    items.append(f"<{tag} {attr}={ref!r}>: {target.relative_to(site)} does not exist")
                    continue
                fragment = unquote(url.fragment)
                if fragment and target.suffix == ".html" and fragment not in _ids(target):
                    items.append(f"<{tag} {attr}={ref!r}>: no id {fragment!r} in {target.relative_to(site)}")
        problems[page_name(page, site)] = items
    _fail_if(problems, "broken internal links")
    assert checked > 50, f"only {checked} internal links found: is the site built?"


def test_root_index_redirects_to_the_landing_page(site):
    soup = _soup(site / "index.html")
    refresh = soup.find("meta", attrs={"http-equiv": re.compile("refresh", re.I)})
    if refresh is None:  # a real page, not a redirect
        return
    target = refresh["content"].split("url=", 1)[-1].strip()
    assert (site / target).is_file(), f"index.html redirects to missing {target}"


def test_every_image_has_meaningful_alt_text(site):
    problems = {}
    for page in site_pages(site):
        items = []
        for img in _soup(page).find_all("img"):
            src = img.get("src", "")
            theme_icon = "_static/" in src and not src.startswith("data:")
            reason = alt_problem(img.get("alt"), content=not theme_icon)
            if reason:
                src = src[:40] + "..." if src.startswith("data:") else src
                items.append(f"{reason}: <img src={src!r} alt={img.get('alt')!r}>")
        problems[page_name(page, site)] = items
    _fail_if(problems, "images without meaningful alt text")


def _github_targets(href: str, owner_repo: str, branch: str):
    """Map a GitHub / Colab / Binder URL to (kind, repository, branch, path) or None."""
    url = urlsplit(href)
    host, path = url.netloc.lower(), unquote(url.path)
    if host == "github.com":
        m = re.fullmatch(r"/([^/]+/[^/]+)(?:/(blob|edit|tree|raw)/([^/]+)/(.+))?/?", path)
        if m and not path.endswith("/issues/new"):
            kind = m.group(2) or "repository"
            return kind, m.group(1), m.group(3), m.group(4)
        m = re.fullmatch(r"/([^/]+/[^/]+)/issues(?:/new)?", path)
        if m:
            return "issues", m.group(1), None, None
    if host == "colab.research.google.com":
        m = re.fullmatch(r"/github/([^/]+/[^/]+)/blob/([^/]+)/(.+)", path)
        if m:
            return "colab", m.group(1), m.group(2), m.group(3)
    if host in ("mybinder.org", "www.mybinder.org"):
        m = re.fullmatch(r"/v2/gh/([^/]+/[^/]+)/([^/?]+)/?", path)
        if m:
            urlpath = (parse_qs(url.query).get("urlpath") or [""])[0]
            file_path = re.sub(r"^(lab/tree|tree|notebooks|doc/tree|lab)/", "", urlpath)
            return "binder", m.group(1), m.group(2), file_path or None
    return None


def test_launch_and_repository_buttons_point_at_files_in_the_repository(site):
    owner_repo, branch, _ = _repository()
    problems = {}
    found: dict[str, int] = {}
    for page in site_pages(site):
        items = []
        for a in _soup(page).find_all("a", href=True):
            target = _github_targets(a["href"], owner_repo, branch)
            if target is None:
                continue
            kind, repo, ref, path = target
            found[kind] = found.get(kind, 0) + 1
            if repo != owner_repo:
                items.append(f"{kind} button names {repo!r}, _config.yml says {owner_repo!r}: {a['href']}")
            if ref is not None and ref != branch:
                items.append(f"{kind} button uses branch {ref!r}, _config.yml says {branch!r}: {a['href']}")
            if path is not None:
                if not (ROOT / path).is_file():
                    items.append(f"{kind} button opens {path!r}, which is not in the repository: {a['href']}")
                if kind in ("colab", "binder") and not path.endswith(".ipynb"):
                    items.append(f"{kind} button opens {path!r}, not a notebook (.ipynb twin)")
        problems[page_name(page, site)] = items
    _fail_if(problems, "launch / repository buttons pointing at the wrong place")
    for kind in ("repository", "colab", "binder"):
        assert found.get(kind), f"no {kind} button anywhere in the site"


def test_every_chapter_page_can_be_launched_and_downloaded(site):
    """Chapter (notebook) pages: Binder + Colab buttons, and .ipynb + .md downloads."""
    owner_repo, branch, _ = _repository()
    problems = {}
    chapters = 0
    for page in site_pages(site):
        name = page_name(page, site)
        source = _source_of(name)
        if source is None:
            continue
        hrefs = [a["href"] for a in _soup(page).find_all("a", href=True)]
        kinds = {t[0] for h in hrefs if (t := _github_targets(h, owner_repo, branch))}
        items = []
        if not any("/_sources/" in h or h.startswith("_sources/") for h in hrefs):
            if not _student_edition():
                items.append("no download button for the page source")
        if _is_notebook_source(source):
            chapters += 1
            items += [f"no {k} button" for k in ("binder", "colab") if k not in kinds]
            if not _student_edition():
                for suffix in (".ipynb", source.suffix):
                    want = f"_sources/{name}{suffix}"
                    links = [h for h in hrefs if h.endswith(want)]
                    if not links:
                        items.append(f"no download link to {want}")
                    elif not (site / want).is_file():
                        items.append(f"download link to {want}, which the site lacks")
        if "repository" not in kinds:
            items.append("no link to the repository")
        problems[name] = items
    _fail_if(problems, "pages missing launch / download / source links")
    assert chapters, "no notebook chapter pages found"


def test_student_site_ships_no_sources(site):
    """The student edition must not ship the page sources (they hold the solutions)."""
    if not _student_edition():
        pytest.skip("full edition: page sources are offered for download")
    assert not (site / "_sources").exists()


def test_landing_page_says_how_to_launch_and_what_to_know_first(site):
    root_doc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))["root"]
    soup = _soup(site / f"{root_doc}.html")
    text = " ".join(soup.get_text(" ").split()).lower()
    for word in ("binder", "colab", "python"):
        assert word in text, f"the landing page never mentions {word!r}"
    assert re.search(r"you need|prerequisite|who it is for", text), "no prerequisites on the landing page"
    links = {a["href"].split("#")[0] for a in soup.find_all("a", href=True)}
    assert any("teaching" in h for h in links), "the landing page does not link to the teaching guide"
