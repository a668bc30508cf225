"""The language switch and the search of the Chinese edition, in a browser.

Every other browser check (axe, links, offline math, HTML validity, alt text) already
visits the Chinese pages, which ``make book`` writes under ``_build/html/zh_CN``.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

EDITION = "zh_CN"


@pytest.fixture(autouse=True)
def _needs_edition(site):
    if not (site / EDITION / "index.html").exists():
        pytest.fail(f"no Chinese edition in {site / EDITION}: run `make book`", pytrace=False)


@pytest.mark.parametrize(
    ("start", "arrive", "lang"),
    [
        ("book/01-classical-mechanics.html", f"{EDITION}/book/01-classical-mechanics.html", "zh-CN"),
        (f"{EDITION}/book/05-gan.html", "book/05-gan.html", "en"),
    ],
)
def test_language_switch_works_from_the_keyboard(browser_context, server, start, arrive, lang):
    page = browser_context.new_page()
    try:
        page.goto(server + start, wait_until="load")
        switch = page.locator("a.physgen-language-switch")
        assert switch.count() == 1 and switch.is_visible()
        # Reachable with Tab like any link: focus it, then activate it with Enter.
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.classList.contains('physgen-language-switch')"):
                break
        else:
            pytest.fail(f"{start}: 60 presses of Tab never reached the language switch")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == server + arrive
        assert page.evaluate("document.documentElement.lang") == lang
    finally:
        page.close()


def test_chinese_search_finds_a_chinese_term(browser_context, server):
    page = browser_context.new_page()
    try:
        page.goto(server + f"{EDITION}/search.html?q=" + quote("单摆"), wait_until="load")
        results = page.locator("#search-results ul.search li")
        results.first.wait_for(state="attached", timeout=15_000)
        hrefs = results.locator("a").evaluate_all("els => els.map(a => a.href)")
    finally:
        page.close()
    assert any(f"/{EDITION}/book/glossary.html" in h for h in hrefs), hrefs
