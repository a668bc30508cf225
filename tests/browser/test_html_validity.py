"""Every page of the built site is valid HTML: 0 errors from the Nu HTML checker.

The checker is vnu.jar from the npm package vnu-jar (tests/browser/package.json;
``make test`` installs it), run on Java. It checks every HTML page of the site,
the ``index.html`` redirect included, in one run; the per-page error counts are
printed and written to ``_build/html_validity.md``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from browser_support import BUILD, VNU_JAR, site_pages

REPORT = BUILD / "html_validity.md"


def _missing_or_skip(message: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (.ci/run must install it before `make test`)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def vnu_messages(site) -> dict[str, list[dict]]:
    java = shutil.which("java")
    if java is None:
        _missing_or_skip("Java not found: the Nu HTML checker needs Java 11 or later "
                         "(Debian: apt-get install -y default-jre-headless)")
    if not VNU_JAR.is_file():
        _missing_or_skip(f"{VNU_JAR} not found: run `npm ci --ignore-scripts --prefix tests/browser` "
                         "(make test does)")
    pages = site_pages(site)
    result = subprocess.run(
        [java, "-Xss4m", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always",
         *map(str, pages)],
        capture_output=True, text=True, timeout=600,
    )
    try:
        messages = json.loads(result.stderr or result.stdout)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"the Nu HTML checker gave no report:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    by_page: dict[str, list[dict]] = {p.relative_to(site).as_posix(): [] for p in pages}
    for message in messages:
        url = message.get("url", "")
        path = Path(url.removeprefix("file:")).resolve() if url.startswith("file:") else None
        key = path.relative_to(site).as_posix() if path and site in path.parents else url
        by_page.setdefault(key, []).append(message)
    lines = ["| page | errors | warnings |", "| --- | ---: | ---: |"]
    for name, items in sorted(by_page.items()):
        errors = sum(m.get("type") in ("error", "non-document-error") for m in items)
        warnings = sum(m.get("subType") == "warning" for m in items)
        lines.append(f"| {name} | {errors} | {warnings} |")
    table = "\n".join(lines) + "\n"
    REPORT.write_text("# Nu HTML checker: errors per page\n\nWritten by "
                      "tests/browser/test_html_validity.py (`make test`).\n\n" + table,
                      encoding="utf-8")
    print("\nNu HTML checker, per page:\n" + table)
    return by_page


def test_every_page_was_checked(vnu_messages, site):
    assert len(vnu_messages) >= len(site_pages(site)) > 3


def test_no_html_errors_on_any_page(vnu_messages):
    problems = []
    for name, items in sorted(vnu_messages.items()):
        for m in items:
            if m.get("type") in ("error", "non-document-error"):
                where = f"line {m.get('lastLine', '?')}"
                problems.append(f"{name} ({where}): {m.get('message')} -- {m.get('extract', '')[:120]!r}")
    assert not problems, f"{len(problems)} Nu HTML checker error(s):\n" + "\n".join(problems[:40])
