"""Helpers shared by the tests of the built site (tests/test_site.py, tests/test_editions.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def require_built(index: Path, what: str) -> None:
    """Skip (fail under CI) when ``index`` was not built: ``what`` names the missing build."""
    if not index.exists():
        message = f"no {what}: run `make book` (make test does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def parse_html(path: Path):
    """The parsed HTML of a built page."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
