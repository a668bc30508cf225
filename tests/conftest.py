"""Shared test set-up: the build tools in tools/ are importable by the tests.

Test groups (markers, declared in pyproject.toml): ``slow`` tests train networks;
``site`` tests read the built site or the configuration of the book. ``make unit``
runs the package's unit tests alone (``-m "not slow and not site"``, no book build).
"""

from __future__ import annotations

import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[1] / "tools"
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))
