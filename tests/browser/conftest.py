"""Fixtures for the browser tests: the built site, a local server, headless Chromium.

The tests read the site that ``make book`` wrote to ``_build/html`` (``make test``
builds it first). They need two things from outside PyPI, which ``.ci/run``
installs and which a developer installs once:

* Debian's Chromium at ``/usr/bin/chromium`` (``apt-get install -y chromium``),
  driven by Playwright's Python package (pinned in requirements.txt; it downloads
  no browser of its own here);
* the npm packages of ``tests/browser/package.json``, which ``make test`` installs
  (``npm ci --ignore-scripts --prefix tests/browser``): axe-core, injected into
  every page, and vnu-jar, the Nu HTML checker, which runs on Java (11 or later,
  ``apt-get install -y default-jre-headless``).

Every request to another host is blocked: the site must work offline, MathJax
included (it is served by the site itself).

Without them the browser tests are skipped with a message that says what to
install -- except under CI (``CI=true``), where ``.ci/run`` installs them, so
their absence is a failure, never a silent pass.

Every page is visited once (``page_reports``); the tests then assert on what the
visit recorded. Side products, for people: ``_build/screenshots/*.png`` and
``_build/page_weights.md``.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import http.server
import os
import threading
from pathlib import Path

import pytest

from browser_support import (
    AXE_JS,
    CHROMIUM,
    CHROMIUM_ARGS,
    NODE_MODULES,
    PAGE_WEIGHTS,
    SCREENSHOTS,
    SITE,
    VIEWPORT,
    PageReport,
    is_redirect,
    site_pages,
    visit,
    write_page_weights,
)


def _missing_or_skip(what: str, how: str) -> None:
    message = f"{what} not found: {how}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (.ci/run must install it before `make test`)", pytrace=False)
    pytest.skip(f"browser tests skipped -- {message}")


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").exists():
        pytest.fail(
            f"no built site at {SITE}: run `make book` first (`make test` does).",
            pytrace=False,
        )
    return SITE


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        pass


@pytest.fixture(scope="session")
def server(site):
    """Serve the site on 127.0.0.1 at a free port; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _require_browser_tools() -> None:
    """Skip (fail under CI) when Chromium or the npm assets are missing."""
    if not CHROMIUM.is_file():
        _missing_or_skip(
            f"Chromium at {CHROMIUM}",
            "install Debian's package with `apt-get update && apt-get install -y chromium`",
        )
    if not AXE_JS.exists():
        _missing_or_skip(
            f"axe-core under {NODE_MODULES}",
            "install it with `npm ci --ignore-scripts --prefix tests/browser` (make test does)",
        )


@contextlib.contextmanager
def _chromium(profile: Path):
    """A headless Chromium (Debian's) with a throw-away profile, as a Playwright context.

    Playwright's sync API belongs to the thread that starts it: each thread that
    drives a browser opens its own with this.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
            permissions=["clipboard-read", "clipboard-write"],
        )
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory):
    """A headless Chromium for the tests that click and type."""
    _require_browser_tools()
    with _chromium(tmp_path_factory.mktemp("chromium-profile")) as context:
        yield context


def pytest_collection_modifyitems(config, items):
    """Every test in this folder checks the built site: marker ``site``."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.site)


_SUMMARY: list[str] = []


#: Browsers visiting pages at the same time (each in its own thread).
WORKERS = int(os.environ.get("PHYSGEN_BROWSER_WORKERS", "2"))


@pytest.fixture(scope="session")
def page_reports(server, site, tmp_path_factory) -> dict[str, PageReport]:
    """Visit every page once, several browsers in parallel; map page name -> PageReport."""
    _require_browser_tools()
    axe_source = AXE_JS.read_text(encoding="utf-8")
    pages = [
        p for p in site_pages(site)
        if not is_redirect(p, site)  # the redirects: test_site_html
    ]
    assert pages, f"no pages found in {site}"
    # Share the work out by page size, largest first, to the least loaded browser.
    chunks: list[list[Path]] = [[] for _ in range(max(1, min(WORKERS, len(pages))))]
    loads = [0] * len(chunks)
    for page in sorted(pages, key=lambda p: p.stat().st_size, reverse=True):
        i = loads.index(min(loads))
        chunks[i].append(page)
        loads[i] += page.stat().st_size

    def work(chunk: list[Path]) -> list[PageReport]:
        with _chromium(tmp_path_factory.mktemp("chromium-profile")) as context:
            return [visit(context, server, page, site, axe_source) for page in chunk]

    with concurrent.futures.ThreadPoolExecutor(len(chunks)) as pool:
        results = [r for chunk_reports in pool.map(work, chunks) for r in chunk_reports]
    reports = {r.name: r for r in sorted(results, key=lambda r: r.name)}
    table = write_page_weights(reports)
    _SUMMARY.append(
        f"Page weight of each page (also written to {PAGE_WEIGHTS}):\n\n{table}\n"
        f"Screenshots of every page: {SCREENSHOTS}\n"
    )
    return reports


def pytest_terminal_summary(terminalreporter):
    for text in _SUMMARY:
        terminalreporter.write_sep("-", "browser tests: page weights")
        terminalreporter.write(text)
