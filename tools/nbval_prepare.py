"""Prepare the built chapter notebooks for ``pytest --nbval`` (``make test``).

When it runs: in ``make test``, after the book build and before the nbval run
that re-executes every chapter (tests/test_wheel.py: each launch notebook, from the
installed wheel, carries these outputs and nbval compares the re-run with them). It is a build step, not a test (its own unit tests
are in tests/test_site.py).

What nbval must check is what the published page shows: the executed notebooks
that ``jupyter-book build`` writes to ``_build/jupyter_execute``. One thing is
missing from them: myst-nb *removes* every ``glue(..., display=False)`` output
from those notebooks (it keeps the values in a ``<page>.glue.json`` beside each,
which is where the prose's ``{glue:text}`` numbers come from). Re-running such a
notebook produces those outputs again, so a naive nbval run reports "unexpected
output" on every glue cell -- and would not check the glued numbers at all.

This script restores them, honestly and in place:

1. For each executed page notebook, find the execution record it was built from
   in the build's jupyter-cache (``execute_notebooks: cache``; the cache is matched
   by the code cells' sources, exactly as myst-nb does).
2. Check that the page notebook *is* that execution minus the display=False glue
   records (every other output identical), and that ``<page>.glue.json`` holds
   exactly those glue records with the same values. Any disagreement is an error.
3. Write a copy under ``--out`` whose code cells carry the full outputs, glue
   records in their original position. nbval then re-runs every cell and
   compares every output, glue records included.

No cell, and no output, is dropped or ignored.

Usage: ``python tools/nbval_prepare.py [--build _build] [--out _build/nbval]``
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

GLUE_PREFIX = "application/papermill.record/"


class PrepareError(RuntimeError):
    """The built notebooks cannot be checked faithfully."""


def _is_hidden_glue(output: dict) -> bool:
    """True for the output of ``glue(name, value, display=False)``."""
    meta = output.get("metadata", {}) or {}
    return "scrapbook" in meta and bool(meta["scrapbook"].get("mime_prefix"))


def _unprefixed(output: dict) -> dict:
    """A glue record as myst-nb stores it in ``.glue.json`` (mime prefix removed)."""
    out = json.loads(json.dumps(output))
    prefix_len = len(out["metadata"]["scrapbook"].get("mime_prefix", ""))
    out["data"] = {k[prefix_len:]: v for k, v in out.get("data", {}).items()}
    return out


def _canonical(obj) -> str:
    return json.dumps(obj, sort_keys=True)


def restore_notebook(page, executed, glue: dict, *, name: str):
    """Return ``page`` with the glue records of ``executed`` restored.

    Parameters
    ----------
    page : nbformat.NotebookNode
        The notebook myst-nb wrote to ``_build/jupyter_execute``.
    executed : nbformat.NotebookNode
        The cached execution it was rendered from (full outputs).
    glue : dict
        The content of the page's ``.glue.json`` (``{}`` if there is none).
    name : str
        The page's name, for error messages.
    """
    import nbformat

    page_code = [c for c in page.cells if c.cell_type == "code"]
    exec_code = [c for c in executed.cells if c.cell_type == "code"]
    if [c.source for c in page_code] != [c.source for c in exec_code]:
        raise PrepareError(
            f"{name}: the cached execution's code differs from the page's; "
            "rebuild with `make book` before `make test`"
        )
    result = nbformat.from_dict(json.loads(json.dumps(page)))
    result_code = [c for c in result.cells if c.cell_type == "code"]
    # myst-nb 1.4 renders a page from the cached execution when the cache has one,
    # but then writes the *unexecuted* notebook to jupyter_execute (sphinx_.py writes
    # the notebook object it passed in, not the merged one). Such a page notebook has
    # no outputs at all; its page was rendered from `executed`, so that is what we check.
    cache_hit = not any(c.outputs for c in page_code)
    seen: dict[str, dict] = {}
    for index, (mine, cached) in enumerate(zip(result_code, exec_code)):
        shown = [o for o in cached.outputs if not _is_hidden_glue(o)]
        if not cache_hit and _canonical(shown) != _canonical(mine.outputs):
            raise PrepareError(
                f"{name}: code cell {index} shows outputs on the page that differ from "
                "its cached execution; rebuild with `make book`"
            )
        for output in cached.outputs:
            if _is_hidden_glue(output):
                key = output["metadata"]["scrapbook"]["name"]
                seen[key] = _unprefixed(output)
        mine.outputs = [nbformat.from_dict(json.loads(json.dumps(o))) for o in cached.outputs]
        # nbval refuses a cell with outputs but no execution count ("unrun reference").
        mine.execution_count = cached.execution_count
    hidden_in_json = {k: v for k, v in glue.items() if (v.get("metadata", {}) or {})
                      .get("scrapbook", {}).get("mime_prefix")}
    if set(hidden_in_json) != set(seen):
        raise PrepareError(
            f"{name}: glue records differ between the page's .glue.json "
            f"{sorted(hidden_in_json)} and its execution {sorted(seen)}"
        )
    for key, value in seen.items():
        if _canonical(value.get("data")) != _canonical(hidden_in_json[key].get("data")):
            raise PrepareError(f"{name}: glued value {key!r} differs from its execution")
    return result


def prepare(build: Path, out: Path, cache_path: Path | None = None) -> list[Path]:
    """Write the nbval copies of every executed notebook under ``build``; return them."""
    import nbformat
    from jupyter_cache import get_cache

    executed_dir = build / "jupyter_execute"
    pages = sorted(executed_dir.rglob("*.ipynb"))
    if not pages:
        raise PrepareError(f"no executed notebooks in {executed_dir}; run `make book` first")
    cache_path = cache_path or build / ".jupyter_cache"
    if not cache_path.exists():
        raise PrepareError(
            f"no execution cache at {cache_path}: _config.yml must keep "
            "`execute_notebooks: cache` (see tools/nbval_prepare.py)"
        )
    cache = get_cache(str(cache_path))
    if out.exists():
        shutil.rmtree(out)
    written = []
    for page_path in pages:
        rel = page_path.relative_to(executed_dir)
        page = nbformat.read(page_path, as_version=4)
        try:
            record = cache.match_cache_notebook(page)
        except KeyError:
            raise PrepareError(
                f"{rel}: no cached execution matches the built page; run `make book`"
            ) from None
        executed = cache.get_cache_bundle(record.pk).nb
        glue_path = page_path.with_name(page_path.stem + ".glue.json")
        glue = json.loads(glue_path.read_text(encoding="utf8")) if glue_path.exists() else {}
        restored = restore_notebook(page, executed, glue, name=str(rel))
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(restored, target)
        written.append(target)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=Path("_build"))
    parser.add_argument("--out", type=Path, default=Path("_build/nbval"))
    args = parser.parse_args(argv)
    try:
        written = prepare(args.build, args.out)
    except PrepareError as exc:
        print(f"nbval_prepare: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"nbval_prepare: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
