"""Sphinx extension: the student edition of the course removes every solution.

The edition is chosen by the environment variable ``PHYSGEN_EDITION`` (the
Makefile exports it from ``make book EDITION=...``):

``full`` (default)
    Solutions stay in the page, collapsed under their exercise
    (``:class: dropdown``).
``student``
    Every sphinx-exercise solution -- ``{solution}`` directives and gated
    ``{solution-start}`` ... ``{solution-end}`` blocks with their code cells --
    is *removed* from the document tree before anything is written, so no
    solution text reaches the HTML, the search index or the page source
    (the student site ships no page sources: ``html_copy_source`` is off and a
    full edition's ``_sources/`` left in the same output folder is deleted).

``make book EDITION=student`` builds it into ``_build/html``, like the full
edition, so the Pages workflow publishes either by changing one setting. The
test (tests/browser/test_student_edition.py) builds it into
``_build/student/_build/html`` instead, next to the full edition; both builds
share the execution cache (``execute.cache`` in _config.yml), so the student
build re-executes nothing.

sphinx-exercise's own ``hide_solutions`` option is not used: it drops the
``{solution-start}`` directive but leaves the cells between it and
``{solution-end}`` in the page.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.util import logging

logger = logging.getLogger(__name__)

EDITIONS = ("full", "student")
ENV_VAR = "PHYSGEN_EDITION"


def edition_from_environment() -> str:
    """Return the edition named by ``$PHYSGEN_EDITION`` (``"full"`` when unset).

    Raises
    ------
    ConfigError
        If the variable names an unknown edition.
    """
    value = os.environ.get(ENV_VAR, "").strip() or "full"
    if value not in EDITIONS:
        raise ConfigError(
            f"{ENV_VAR}={value!r} is not an edition; use one of {EDITIONS} "
            f"(e.g. `make book EDITION=student`)."
        )
    return value


def _solution_node_types() -> tuple[type, ...]:
    from sphinx_exercise.nodes import solution_node, solution_start_node

    return (solution_node, solution_start_node)


def _config_inited(app: Sphinx, config) -> None:
    if config.physgen_edition not in EDITIONS:
        raise ConfigError(
            f"physgen_edition={config.physgen_edition!r} is not an edition; "
            f"use one of {EDITIONS}."
        )
    if config.physgen_edition == "student":
        # The student site must not ship the chapter sources (which contain
        # the solutions) under _sources/; the page's download and repository
        # buttons still point readers at the notebooks.
        config.html_copy_source = False
        config.html_show_sourcelink = False
        # Share the full edition's execution cache even when built elsewhere
        # (--path-output), unless _config.yml names one (execute.cache).
        if not getattr(config, "nb_execution_cache_path", "x"):
            config.nb_execution_cache_path = str(Path(app.srcdir) / "_build" / ".jupyter_cache")
    logger.info(f"[student_edition] building the {config.physgen_edition} edition")


def _builder_inited(app: Sphinx) -> None:
    if app.config.physgen_edition != "student" or app.builder.format != "html":
        return
    # A full-edition build into the same folder left the sources (with their
    # solutions) under _sources/; this edition copies none, so remove them.
    stale = Path(app.outdir) / "_sources"
    if stale.is_dir():
        shutil.rmtree(stale)
        logger.info(f"[student_edition] removed the full edition's {stale}")


def _remove_solutions(app: Sphinx, doctree: nodes.document) -> None:
    """Remove every solution node (and its content) from a freshly read doctree."""
    if app.config.physgen_edition != "student":
        return
    types = _solution_node_types()
    found = [node for node in doctree.findall(lambda n: isinstance(n, types))]
    domain = app.env.get_domain("std")
    registry = getattr(app.env, "sphinx_exercise_registry", {})
    for node in found:
        # Forget the solution's label so nothing can link to removed text.
        for name in node.get("names", []):
            domain.labels.pop(name, None)
            domain.anonlabels.pop(name, None)
        label = node.get("label")
        if label and registry.get(label, {}).get("type", "").startswith("solution"):
            registry.pop(label, None)
        node.parent.remove(node)
    if found:
        logger.verbose(
            f"[student_edition] removed {len(found)} solution(s) from {app.env.docname}"
        )


def _check_no_solution_left(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Fail loudly if any solution survived to the writing stage."""
    if app.config.physgen_edition != "student":
        return
    types = _solution_node_types()
    for node in doctree.findall(lambda n: isinstance(n, types)):
        raise RuntimeError(
            f"student edition: a solution survived in {docname} "
            f"(line {node.line}); the student_edition extension failed to remove it."
        )


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx_exercise")
    app.add_config_value("physgen_edition", edition_from_environment(), "env", [str])
    app.connect("config-inited", _config_inited)
    app.connect("builder-inited", _builder_inited)
    # After sphinx-exercise's own doctree-read handler (priority 500) registered
    # the nodes, so our removal also undoes its label registration.
    app.connect("doctree-read", _remove_solutions, priority=900)
    app.connect("doctree-resolved", _check_no_solution_left)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
