"""Every page of the built site, opened in headless Chromium the way a reader meets it.

The visit of each page happens once (``page_reports`` in conftest.py); each test
below checks one property over all pages and names every page that fails it.
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote

import pytest

from browser_support import MAX_PAGE_BYTES, SCREENSHOTS, is_redirect, page_name, site_pages

#: axe-core impact levels that fail the build.
FAILING_IMPACTS = ("serious", "critical")


def _fail_if(problems: dict[str, list], what: str) -> None:
    problems = {name: items for name, items in problems.items() if items}
    if problems:
        lines = [f"{what}:"]
        for name, items in problems.items():
            lines.append(f"  {name}:")
            lines.extend(f"    - {item}" for item in items)
        pytest.fail("\n".join(lines), pytrace=False)


def test_every_page_was_visited(page_reports, site):
    expected = {page_name(p, site) for p in site_pages(site) if not is_redirect(p, site)}
    assert set(page_reports) == expected
    # The book's own pages, not only Sphinx's generated ones.
    assert any(name.startswith("book/") for name in page_reports)


def test_no_console_errors(page_reports):
    _fail_if(
        {
            name: r.console_errors + [f"uncaught: {e}" for e in r.page_errors]
            for name, r in page_reports.items()
        },
        "console errors",
    )


def test_no_failed_or_external_requests(page_reports):
    """Everything a page loads comes from the site: every other host is blocked."""
    _fail_if(
        {
            name: r.failed_requests + [f"external: {u}" for u in r.blocked_requests]
            for name, r in page_reports.items()
        },
        "requests that failed or left the site",
    )


def test_every_image_loads(page_reports):
    _fail_if(
        {
            name: [img["src"][:120] for img in r.images if img["naturalWidth"] <= 0]
            for name, r in page_reports.items()
        },
        "images that did not load (naturalWidth 0)",
    )


def test_every_equation_rendered_by_mathjax(page_reports):
    problems = {}
    for name, r in page_reports.items():
        math = r.math
        items = []
        if math["count"] and not r.mathjax_loaded:
            items.append(f"{math['count']} math elements but MathJax did not start")
        items += [f"not typeset: {m!r}" for m in math["unrendered"]]
        items += [f"MathJax error: {m!r}" for m in math["errors"]]
        items += [f"raw TeX left in the text: {m!r}" for m in math["raw"]]
        problems[name] = items
    _fail_if(problems, "math not rendered")
    # The check must be able to fail: the course has equations, and they were seen.
    assert sum(r.math["containers"] for r in page_reports.values()) > 0 or not any(
        r.math["count"] for r in page_reports.values()
    )


def _mathjax_requests(report):
    return [u for u in report.requests if re.search(r"mathjax[^?#]*\.js(?:[?#]|$)", u, flags=re.I)]


def test_mathjax_comes_from_the_site_and_only_where_there_is_math(page_reports):
    problems = {}
    for name, r in page_reports.items():
        scripts = _mathjax_requests(r)
        items = [f"MathJax from another host: {u}" for u in scripts
                 if not u.startswith(r.url.split("/", 3)[0] + "//" + r.url.split("/", 3)[2])]
        if r.math["count"] and not scripts:
            items.append(f"{r.math['count']} math elements but no MathJax loaded")
        if not r.math["count"] and scripts:
            items.append(f"no math on the page, but it loads {scripts}")
        problems[name] = items
    _fail_if(problems, "MathJax loading")
    assert any(_mathjax_requests(r) for r in page_reports.values())
    assert any(not _mathjax_requests(r) for r in page_reports.values())


def test_no_serious_or_critical_accessibility_violations(page_reports):
    problems = {}
    for name, r in page_reports.items():
        problems[name] = [
            f"[{v['impact']}] {v['id']}: {v['help']} ({v['count']} element(s); "
            f"e.g. {v['nodes'][0]['target']}: {v['nodes'][0]['html']}) {v['helpUrl']}"
            for v in r.axe
            if v["impact"] in FAILING_IMPACTS
        ]
    _fail_if(problems, "axe-core serious/critical violations")


def test_page_weight_under_limit(page_reports):
    """HTML + every image + scripts + CSS + fonts of each page, sent gzip-compressed, < 1.5 MB."""
    _fail_if(
        {
            name: [
                f"{r.transfer_bytes / 2**20:.2f} MB transferred "
                f"({r.total_bytes / 2**20:.2f} MB uncompressed): {r.bytes_by_kind}"
            ]
            for name, r in page_reports.items()
            if r.transfer_bytes >= MAX_PAGE_BYTES
        },
        f"pages over {MAX_PAGE_BYTES / 2**20:g} MB (table in _build/page_weights.md)",
    )
    assert all(r.bytes_by_kind.get("document", 0) > 0 for r in page_reports.values())


def test_screenshot_of_every_page(page_reports):
    for name, r in page_reports.items():
        assert r.screenshot is not None and r.screenshot.stat().st_size > 5_000, name
        assert r.screenshot.parent == SCREENSHOTS


def _chapter_pages(page_reports):
    return [n for n in page_reports if n.startswith("book/") and n[5:7].isdigit()]


def test_search_finds_pendulum(browser_context, server, page_reports):
    page = browser_context.new_page()
    try:
        page.goto(server + "search.html?q=" + quote("pendulum"), wait_until="load")
        results = page.locator("#search-results ul.search li")
        results.first.wait_for(state="attached", timeout=15_000)
        hrefs = results.locator("a").evaluate_all("els => els.map(a => a.href)")
    finally:
        page.close()
    assert hrefs, "searching for 'pendulum' returned nothing"
    chapters = _chapter_pages(page_reports)
    assert any(any(c in h for c in chapters) for h in hrefs), hrefs


def test_every_code_cell_has_a_copy_button(page_reports):
    """sphinx-copybutton puts a copy button on every code cell of every page."""
    _fail_if(
        {
            name: [f"{r.structure['codeCells']} code cells, {r.structure['copyButtons']} copy buttons"]
            for name, r in page_reports.items()
            if r.structure["codeCells"] != r.structure["copyButtons"]
        },
        "code cells without a copy button",
    )
    assert any(r.structure["codeCells"] for r in page_reports.values()), "no code cells at all"


def test_copy_button_copies_the_code(browser_context, server, page_reports):
    """Clicking a chapter's copy button puts that cell's code on the clipboard."""
    name = next(
        (n for n in _chapter_pages(page_reports) if page_reports[n].structure["codeCells"]),
        None,
    )
    assert name, "no chapter page with a visible code cell"
    page = browser_context.new_page()
    try:
        page.goto(server + name + ".html", wait_until="load")
        cell = page.locator("div.cell_input div.highlight:visible").first
        cell.scroll_into_view_if_needed()
        cell.hover()
        cell.locator("button.copybtn").click()
        copied = page.evaluate("navigator.clipboard.readText()")
        shown = cell.locator("pre").inner_text()
    finally:
        page.close()
    assert copied.strip(), f"{name}: the copy button copied nothing"
    assert copied.strip() == shown.strip(), (name, copied, shown)


def test_solutions_are_collapsed_under_their_exercise(page_reports):
    """Full edition: every solution is a dropdown whose body is hidden until opened."""
    if os.environ.get("PHYSGEN_EDITION", "full") == "student":
        pytest.skip("the student edition has no solutions (tests/browser/test_student_edition.py)")
    solutions = {name: r.structure["solutions"] for name, r in page_reports.items()}
    _fail_if(
        {
            name: [
                f"solution {s['id']}: "
                + ("not a dropdown" if "dropdown" not in s["classes"].split() else "shown open")
                for s in sols
                if "dropdown" not in s["classes"].split() or s["bodyVisible"]
            ]
            for name, sols in solutions.items()
        },
        "solutions not collapsed",
    )
    assert sum(map(len, solutions.values())), (
        "the site has no exercise solutions: the chapters need exercises with solutions"
    )


def test_opening_a_solution_shows_it(browser_context, server, page_reports):
    """The collapsed solution opens when its title is clicked (a reader can get to it)."""
    name = next((n for n, r in page_reports.items() if r.structure["solutions"]), None)
    if name is None:
        pytest.skip("no solutions in this edition")
    page = browser_context.new_page()
    try:
        page.goto(server + name + ".html", wait_until="load")
        solution = page.locator("div.solution").first
        solution.locator(".admonition-title").click()
        body = solution.locator(":scope > section, :scope > div.section").first
        body.wait_for(state="visible", timeout=5_000)
    finally:
        page.close()
