"""Time each chapter's execution and measure its peak memory; print a table.

Each chapter (a MyST Markdown notebook listed in ``_toc.yml``) is read with jupytext and
executed top to bottom with nbclient, in a fresh subprocess with a fresh kernel, exactly
as the book build runs it (kernel ``python3``, working directory ``book/``). Reported:

- wall time [s] of the whole execution (kernel start-up included);
- peak RSS [MB] of the kernel process tree: the largest sum of the resident memory of the
  kernel and its children seen while polling every 0.05 s with psutil, or the kernel's
  own peak from ``getrusage(RUSAGE_CHILDREN)`` if that is larger;
- the target of the course's cost budget (book/teaching.md) and whether it was met.

Usage::

    python benchmarks/chapters.py                 # every chapter
    python benchmarks/chapters.py 01 03           # chapters whose file name starts so
    python benchmarks/chapters.py --full-build    # also time `make book` from an empty cache

``--full-build`` deletes ``_build/.jupyter_cache`` first (that is what "from an empty cache"
means), so the next local build re-executes everything too.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

#: (seconds, megabytes) targets by chapter file-name prefix (book/teaching.md).
TARGETS = {
    "intro": (30.0, 1024.0),  # the introduction: no training, seconds
    "01-": (60.0, 1024.0),
    "02-ml-primer": (100.0, 1536.0),  # the primer page of chapter 2
    "02-probability": (60.0, 1024.0),  # the probability primer: no training
    # Chapters 2 and 3: under 3 minutes on 2 cores with a peak under 1.5 GB, their
    # seeds included (the cost rule of each chapter's issue; book/teaching.md).
    "02-": (180.0, 1536.0),
    "03-": (180.0, 1536.0),
    # Part 2 (the VAE, the GANs, the flow, the learned law, the comparison): each page
    # under 5 minutes on 2 cores with a peak under 2 GB (the cost rule of the Part 2,
    # flow-matching and law issues).
    "04-": (300.0, 2048.0),
    "05-": (300.0, 2048.0),
    "06-": (300.0, 2048.0),
    "07-": (300.0, 2048.0),
    "08-": (300.0, 2048.0),
}
#: `make book` from an empty cache.
FULL_BUILD_TARGET_S = 300.0


def _kernel_env() -> dict:
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("TF_USE_LEGACY_KERAS", "1")
    env.setdefault("PYTHONHASHSEED", "0")
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    env.pop("MPLBACKEND", None)  # let ipykernel use its inline backend, as in the build
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def run_one(path: Path, timeout: float) -> int:
    """Child mode: execute one chapter, then print the kernel's peak RSS as JSON."""
    import resource

    import jupytext
    from nbclient import NotebookClient

    notebook = jupytext.read(path)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    # The kernel was our child and has been waited for: ru_maxrss is its peak (KiB on Linux).
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"kernel_peak_mb": peak_kib / 1024.0}))
    return 0


def _tree_rss_mb(proc) -> float:
    """Resident memory of ``proc``'s descendants (the kernel and its children) [MB]."""
    import psutil

    total = 0
    for child in proc.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            total += child.memory_info().rss
    return total / 2**20


def measure(path: Path, timeout: float) -> dict:
    """Execute chapter ``path`` in a subprocess; return wall time, peak memory, status."""
    import psutil

    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, __file__, "--run-one", str(path), "--timeout", str(timeout)],
        env=_kernel_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    proc = psutil.Process(child.pid)
    peak = 0.0
    while child.poll() is None:
        with contextlib.suppress(psutil.Error):
            peak = max(peak, _tree_rss_mb(proc))
        time.sleep(0.05)
    wall = time.perf_counter() - start
    out, err = child.communicate()
    ok = child.returncode == 0
    if ok:
        last = out.strip().splitlines()[-1]
        peak = max(peak, json.loads(last)["kernel_peak_mb"])
    return {"wall_s": wall, "peak_mb": peak, "ok": ok, "error": err if not ok else ""}


def full_build() -> dict:
    """Time `make book` after emptying the execution cache; peak RSS of the build tree."""
    import shutil

    import psutil

    shutil.rmtree(ROOT / "_build" / ".jupyter_cache", ignore_errors=True)
    start = time.perf_counter()
    child = subprocess.Popen(
        ["make", "book"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    proc = psutil.Process(child.pid)
    peak = 0.0
    while child.poll() is None:
        with contextlib.suppress(psutil.Error):
            peak = max(peak, _tree_rss_mb(proc))
        time.sleep(0.1)
    _, err = child.communicate()
    return {
        "wall_s": time.perf_counter() - start,
        "peak_mb": peak,
        "ok": child.returncode == 0,
        "error": err[-2000:],
    }


def _target(name: str):
    for prefix, target in TARGETS.items():
        if name.startswith(prefix):
            return target
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Time and measure each chapter's execution.")
    parser.add_argument("chapters", nargs="*", help="file-name prefixes (default: all)")
    parser.add_argument("--timeout", type=float, default=600.0, help="per-cell timeout [s]")
    parser.add_argument(
        "--full-build",
        action="store_true",
        help="also time `make book` from an empty execution cache",
    )
    parser.add_argument("--run-one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_one:
        return run_one(args.run_one, args.timeout)

    import site_notebooks

    chapters = [
        p
        for p in site_notebooks.chapters()
        if not args.chapters or any(p.name.startswith(c) for c in args.chapters)
    ]
    if not chapters:
        parser.error(f"no chapter matches {args.chapters}")
    print(f"{'chapter':<28} {'wall [s]':>9} {'peak RSS [MB]':>14} {'target':>16}  status")
    failed = False
    for path in chapters:
        r = measure(path, args.timeout)
        target = _target(path.name)
        target_text = f"< {target[0]:.0f} s / {target[1]:.0f} MB" if target else "-"
        if not r["ok"]:
            status, failed = "FAILED", True
        elif target and (r["wall_s"] > target[0] or r["peak_mb"] > target[1]):
            status = "OVER TARGET"
        else:
            status = "ok"
        print(
            f"{path.name:<28} {r['wall_s']:>9.1f} {r['peak_mb']:>14.0f} {target_text:>16}  {status}",
            flush=True,
        )
        if not r["ok"]:
            print(r["error"][-3000:], file=sys.stderr)
    if args.full_build:
        r = full_build()
        status = (
            "FAILED"
            if not r["ok"]
            else ("ok" if r["wall_s"] < FULL_BUILD_TARGET_S else "OVER TARGET")
        )
        print(
            f"{'make book (empty cache)':<28} {r['wall_s']:>9.1f} {r['peak_mb']:>14.0f} "
            f"{'< 300 s':>16}  {status}"
        )
        if not r["ok"]:
            print(r["error"], file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
