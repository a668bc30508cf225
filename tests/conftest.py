"""Shared pytest set-up: the doctests that train networks run with the slow tests.

The docstring examples of the learned models (the networks, the VAE, the GANs)
train a model; `make unit` runs no training, so their doctests are marked
``slow`` here (run them with ``pytest -m slow``, from the repository root). A module counts as a
learned model when its dotted name starts with one of ``SLOW_DOCTEST_MODULES``.
"""

import pytest
from _pytest.doctest import DoctestItem

SLOW_DOCTEST_MODULES = ("physgen.nn", "physgen.vae", "physgen.gan")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if isinstance(item, DoctestItem) and item.name.startswith(SLOW_DOCTEST_MODULES):
            item.add_marker(pytest.mark.slow)
