"""Shared code of the browser tests: which pages the site has, and one recorded visit of a page.

Kept out of conftest.py so test modules can import them by a unique name.
"""

from __future__ import annotations

import gzip
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]

# The table of contents is read in one place, tools/site_notebooks.py (with
# sphinx-external-toc's parser, as the build reads it).
import sys  # noqa: E402

sys.path.insert(0, str(ROOT / "tools"))
from site_notebooks import toc_files  # noqa: E402,F401
#: The built site under test (``make book``); overridable for development.
SITE = Path(os.environ.get("PHYSGEN_SITE_DIR", ROOT / "_build" / "html")).resolve()
BUILD = SITE.parent
SCREENSHOTS = BUILD / "screenshots"
PAGE_WEIGHTS = BUILD / "page_weights.md"

#: Debian's Chromium; PHYSGEN_CHROMIUM may name another Chromium-based browser.
CHROMIUM = Path(os.environ.get("PHYSGEN_CHROMIUM") or "/usr/bin/chromium")
NODE_MODULES = Path(__file__).resolve().parent / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
#: The Nu HTML checker (npm package vnu-jar; runs on Java).
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
#: Largest page (HTML + images + scripts + CSS + fonts actually loaded), bytes
#: transferred with gzip.
MAX_PAGE_BYTES = 1.5 * 1024 * 1024


def site_pages(site: Path = SITE) -> list[Path]:
    """Every HTML page of the built site (not theme assets), sorted.

    ``index.html`` is the redirect Jupyter Book writes to the root page; it is
    included (the link test checks where it points) but not screenshotted. The
    translated editions' pages (``zh_CN/...``) are included: every check covers them;
    their theme assets (``zh_CN/_static``) are not pages.
    """
    pages = [
        p
        for p in site.rglob("*.html")
        if not any(part.startswith("_") for part in p.relative_to(site).parts)
    ]
    return sorted(pages, key=lambda p: p.relative_to(site).as_posix())


def source_language_pages(site: Path = SITE) -> list[Path]:
    """The pages of the English site alone: not those of a translated edition.

    A translated edition is a folder of the site with its own ``searchindex.js``
    (``_build/html/zh_CN``, book/_ext/editions.py).
    """
    editions = {d.name for d in site.iterdir() if d.is_dir() and (d / "searchindex.js").is_file()}
    return [p for p in site_pages(site) if p.relative_to(site).parts[0] not in editions]


def is_redirect(page: Path, site: Path = SITE) -> bool:
    """The ``index.html`` redirect of the site or of a translated edition (``zh_CN/index.html``)."""
    return page.name == "index.html" and len(page.relative_to(site).parts) <= 2 and (
        'http-equiv="refresh"' in page.read_text(encoding="utf-8")
    )


def page_name(page: Path, site: Path = SITE) -> str:
    """``book/01-classical-mechanics.html`` -> ``book/01-classical-mechanics``."""
    return page.relative_to(site).with_suffix("").as_posix()


def install_routes(page, blocked: list[str]) -> None:
    """Let requests to the local site through; block (and record) every other host.

    Nothing is answered on another host's behalf: a page whose math renderer,
    font or image lives elsewhere shows it missing here, as it would offline.
    """

    def handle(route, request):
        url = request.url
        host = urlsplit(url).hostname or ""
        if host in ("127.0.0.1", "localhost") or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    page.route("**/*", handle)


# JavaScript run in each page after it loaded -----------------------------------

_WAIT_MATHJAX = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
    return true;
  }
  return false;
}"""

_IMAGES = """async () => {
  const imgs = Array.from(document.images);
  for (const img of imgs) { img.loading = 'eager'; }
  await Promise.all(imgs.map(img => img.complete ? null : new Promise(resolve => {
    img.addEventListener('load', resolve); img.addEventListener('error', resolve);
    setTimeout(resolve, 10000);
  })));
  return imgs.map(img => ({src: img.currentSrc || img.src || '',
                           naturalWidth: img.naturalWidth,
                           alt: img.getAttribute('alt')}));
}"""

_MATH = """() => {
  const math = Array.from(document.querySelectorAll('.math'));
  const unrendered = math.filter(el => !el.querySelector('mjx-container'))
                         .map(el => el.textContent.trim().slice(0, 80));
  const errors = Array.from(document.querySelectorAll('mjx-merror'))
                      .map(el => el.getAttribute('data-mjx-error') || el.textContent);
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const skip = 'PRE,CODE,SCRIPT,STYLE,TEXTAREA,MJX-CONTAINER,MJX-ASSISTIVE-MML';
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement && node.parentElement.closest(skip)) continue;
    const text = node.textContent;
    if (/\\$\\$|\\\\\\(|\\\\\\[|\\\\begin\\{/.test(text)) raw.push(text.trim().slice(0, 80));
  }
  return {count: math.length,
          containers: document.querySelectorAll('mjx-container').length,
          unrendered, errors, raw};
}"""

_STRUCTURE = """() => ({
  solutions: Array.from(document.querySelectorAll('div.solution')).map(sol => {
    const body = sol.querySelector(':scope > section, :scope > div.section');
    return {id: sol.id, classes: sol.className,
            bodyVisible: !!body && body.checkVisibility({checkOpacity: true,
                                                         checkVisibilityCSS: true})};
  }),
  codeCells: document.querySelectorAll('div.cell_input div.highlight').length,
  copyButtons: document.querySelectorAll('div.cell_input div.highlight button.copybtn').length,
})"""

_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(' '),
                                          html: n.html.slice(0, 200)})),
    count: v.nodes.length}));
}"""


@dataclass
class PageReport:
    """What one visit of one page recorded."""

    name: str
    url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    mathjax_loaded: bool = False
    math: dict = field(default_factory=dict)
    structure: dict = field(default_factory=dict)
    axe: list[dict] = field(default_factory=list)
    #: bytes loaded per resource kind, uncompressed
    bytes_by_kind: dict = field(default_factory=dict)
    #: the same, as transferred with gzip (what GitHub Pages does for text types)
    gzip_bytes_by_kind: dict = field(default_factory=dict)
    #: every request the page made while loading (blocked ones included)
    requests: list[str] = field(default_factory=list)
    #: bytes transferred (gzip) for what the page loaded by itself (lazy images not forced)
    load_transfer_bytes: int = 0
    screenshot: Path | None = None
    seconds: float = 0.0

    @property
    def total_bytes(self) -> int:
        """Everything the page loaded, uncompressed."""
        return sum(self.bytes_by_kind.values())

    @property
    def transfer_bytes(self) -> int:
        """Everything the page loaded, as sent over the wire with gzip."""
        return sum(self.gzip_bytes_by_kind.values())


#: Content types GitHub Pages (and any common web server) sends gzip-compressed.
_COMPRESSIBLE = ("text/", "javascript", "json", "xml", "svg", "font/ttf", "font/otf")


def transfer_size(body: bytes, content_type: str) -> int:
    """Bytes on the wire for ``body``: gzip level 6 for text types, as served by GitHub Pages.

    >>> transfer_size(b"a" * 10_000, "text/html") < 100
    True
    >>> transfer_size(b"\\x89PNG" * 10, "image/png")
    40
    """
    if any(t in content_type.lower() for t in _COMPRESSIBLE):
        return len(gzip.compress(body, compresslevel=6, mtime=0))
    return len(body)


def _kind(response) -> str:
    rtype = response.request.resource_type
    if rtype in ("document", "image", "script", "stylesheet", "font"):
        return rtype
    return "other"


def visit(context, base_url: str, page_path: Path, site: Path, axe_source: str) -> PageReport:
    """Open one page, let it settle, and record everything the tests check."""
    name = page_name(page_path, site)
    url = base_url + page_path.relative_to(site).as_posix()
    report = PageReport(name=name, url=url)
    start = time.perf_counter()
    page = context.new_page()
    responses = []
    page.on(
        "console",
        lambda msg: report.console_errors.append(
            f"{msg.text} ({msg.location.get('url', '')}:{msg.location.get('lineNumber', '')})"
        )
        if msg.type == "error"
        else None,
    )
    page.on("pageerror", lambda exc: report.page_errors.append(str(exc)))
    page.on(
        "requestfailed",
        lambda req: report.failed_requests.append(f"{req.url} ({req.failure})"),
    )
    page.on("response", lambda response: responses.append(response))
    page.on("request", lambda request: report.requests.append(request.url))
    install_routes(page, report.blocked_requests)
    try:
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        report.mathjax_loaded = bool(page.evaluate(_WAIT_MATHJAX))
        # What the page loaded by itself, before the test forces lazy images to load.
        loaded = list(report.requests)
        loaded_responses = len(responses)
        report.images = page.evaluate(_IMAGES)
        report.math = page.evaluate(_MATH)
        report.structure = page.evaluate(_STRUCTURE)
        page.evaluate("document.fonts.ready.then(() => true)")  # fonts MathJax asked for
        shot = SCREENSHOTS / f"{name.replace('/', '__')}.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        report.screenshot = shot
        # Weigh before axe is injected: axe is the test's, not the page's.
        sizes: dict[str, int] = {}
        gzipped: dict[str, int] = {}
        on_load = 0
        for index, response in enumerate(responses):
            if 300 <= response.status < 400:
                continue
            try:
                body = response.body()
            except Exception:  # body gone (e.g. aborted): nothing was loaded
                continue
            kind = _kind(response)
            sizes[kind] = sizes.get(kind, 0) + len(body)
            wire = transfer_size(body, response.headers.get("content-type", ""))
            gzipped[kind] = gzipped.get(kind, 0) + wire
            if index < loaded_responses:
                on_load += wire
        report.bytes_by_kind = sizes
        report.gzip_bytes_by_kind = gzipped
        report.requests = loaded
        report.load_transfer_bytes = on_load
        page.add_script_tag(content=axe_source)
        report.axe = page.evaluate(_AXE)
    finally:
        page.close()
    report.seconds = time.perf_counter() - start
    return report


def write_page_weights(reports: dict[str, PageReport]) -> str:
    """Write ``_build/page_weights.md`` and return its table (Markdown)."""
    kinds = ["document", "image", "script", "stylesheet", "font", "other"]
    limit = MAX_PAGE_BYTES / 2**20
    lines = [
        "| page | requests on load | transferred on load (kB, gzip) | "
        + " | ".join(kinds) + f" | all images loaded (kB, gzip) | < {limit:g} MB |",
        "| --- | ---: | ---: | " + " | ".join("---:" for _ in kinds) + " | ---: | --- |",
    ]
    for name, report in reports.items():
        cells = [f"{report.bytes_by_kind.get(k, 0) / 1024:.0f}" for k in kinds]
        verdict = "yes" if report.transfer_bytes < MAX_PAGE_BYTES else "**NO**"
        lines.append(
            f"| {name} | {len(report.requests)} | {report.load_transfer_bytes / 1024:.0f} | "
            + " | ".join(cells)
            + f" | {report.transfer_bytes / 1024:.0f} | {verdict} |"
        )
    table = "\n".join(lines) + "\n"
    PAGE_WEIGHTS.parent.mkdir(parents=True, exist_ok=True)
    PAGE_WEIGHTS.write_text(
        "# Page weight of each page of the built site\n\n"
        "What headless Chromium loaded for each page, with every request to another host\n"
        "blocked. *Requests on load* and *transferred on load* count what the page fetched by\n"
        "itself (offscreen images load lazily, so they are not in it); text types are counted\n"
        "gzip-compressed, as GitHub Pages serves them (images as they are). The columns per\n"
        "kind (kB, uncompressed) and *all images loaded* include every image of the page; the\n"
        f"limit, {limit:g} MB (x 2^20 bytes), applies to that last, larger figure.\n"
        "Written by tests/browser (`make test`).\n\n" + table,
        encoding="utf-8",
    )
    return table
