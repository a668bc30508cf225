"""Execute the chapters two at a time into the build's execution cache.

When it runs: ``make book`` (and so ``make test``) calls it just before
``jupyter-book build``. Run it by hand with ``python tools/execute_chapters.py``.

Why: with ``execute_notebooks: cache`` (``_config.yml``), myst-nb executes each page
when Sphinx reads it, one page after another. The chapters that train networks take
minutes each, and the machine has more than one core. This script does the very same
executions, in a pool of processes, and stores them in the same jupyter-cache that
myst-nb reads (``execute.cache`` in ``_config.yml``). The cache is keyed by the code
cells, so the build then takes every page's outputs from the cache instead of running
it again; a page whose code changed after this script ran is still executed by the
build itself. Nothing is skipped or weakened: every chapter runs exactly once, from
its directory (``run_in_temp: false``), with the build's timeout, and a cell that
raises makes this script fail, naming the chapter.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import yaml
from jupyter_cache import get_cache
from jupyter_cache.executors import load_executor
from sphinx_external_toc.parsing import parse_toc_yaml

ROOT = Path(__file__).resolve().parents[1]

#: jupyter-cache reader that parses MyST Markdown notebooks exactly as myst-nb does.
MYST_READER = {"name": "myst_nb_md", "type": "plugin"}


def notebook_pages(root: Path = ROOT) -> list[Path]:
    """The pages of ``_toc.yml`` that are notebooks (their front matter has a kernelspec)."""
    site_map = parse_toc_yaml(root / "_toc.yml")
    pages = []
    for docname in site_map:
        path = root / f"{docname}.md"
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if text.startswith("---") and "kernelspec:" in text.split("\n---", 1)[0]:
            pages.append(path)
    return pages


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args(argv)

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    execute = config.get("execute", {})
    if execute.get("execute_notebooks") != "cache" or execute.get("run_in_temp"):
        print("execute_chapters: _config.yml does not execute into a cache from the "
              "chapters' own folder; nothing to do (the build executes the pages).")
        return 0
    cache = get_cache(str(ROOT / execute["cache"]))
    pages = notebook_pages()
    records = [cache.add_nb_to_project(str(page), read_data=MYST_READER) for page in pages]
    # Only the notebooks whose code is not cached yet (jupyter-cache compares the code cells).
    todo = cache.list_unexecuted(filter_pks=[r.pk for r in records])
    if not todo:
        print(f"execute_chapters: all {len(pages)} notebook pages are cached already.")
        return 0
    names = ", ".join(Path(r.uri).name for r in todo)
    print(f"execute_chapters: running {len(todo)} notebook(s), one per core "
          f"({os.cpu_count()} at a time): {names}", flush=True)
    # "local-parallel": a process pool with one worker per core, each notebook run from
    # its own folder, as the build would run it.
    executor = load_executor("local-parallel", cache=cache)
    result = executor.run_and_cache(
        filter_pks=[r.pk for r in todo],
        timeout=execute.get("timeout", 600),
        allow_errors=bool(execute.get("allow_errors", False)),
    )
    failed = [*result.excepted, *result.errored]
    for uri in failed:
        record = cache.get_project_record(uri)
        print(f"execute_chapters: {Path(uri).name} failed:\n{record.traceback or ''}",
              file=sys.stderr)
    if failed:
        return 1
    print(f"execute_chapters: cached {len(result.succeeded)} notebook(s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
