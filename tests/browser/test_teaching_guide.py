"""The teaching guide (book/teaching.md) is in the book and its measured table is current."""

from __future__ import annotations

import re

from browser_support import ROOT, toc_files

GUIDE = ROOT / "book" / "teaching.md"
TIMES = ROOT / "benchmarks" / "results" / "chapters.txt"


def _toc_files() -> list[str]:
    """Every page of _toc.yml as "book/name", root first."""
    return [p.relative_to(ROOT).with_suffix("").as_posix() for p in toc_files()]


def _chapter_notebooks() -> list[str]:
    """Names (``01-classical-mechanics``) of the notebook chapters in the table of contents."""
    names = []
    for entry in _toc_files():
        path = ROOT / f"{entry}.md"
        if path.exists() and re.search(r"^kernelspec:", path.read_text(encoding="utf-8"), re.M):
            names.append(path.stem)
    return names


def test_guide_is_in_the_table_of_contents():
    assert "book/teaching" in _toc_files()


def test_guide_covers_every_chapter():
    text = GUIDE.read_text(encoding="utf-8")
    for name in _chapter_notebooks():
        assert f"{{doc}}`{name}`" in text, f"teaching.md has no objectives section for {name}"


def test_guide_includes_the_benchmark_output_not_typed_numbers():
    text = GUIDE.read_text(encoding="utf-8")
    assert "```{literalinclude} ../benchmarks/results/chapters.txt" in text


def test_chapter_times_list_every_chapter_and_none_failed():
    """benchmarks/results/chapters.txt (make chapter-times) is current: one row per chapter."""
    assert TIMES.exists(), "run `make chapter-times` and commit benchmarks/results/chapters.txt"
    rows = {
        line.split()[0].removesuffix(".md"): line
        for line in TIMES.read_text(encoding="utf-8").splitlines()[1:]
        if line.strip() and not line.startswith("make book")
    }
    chapters = _chapter_notebooks()
    assert sorted(rows) == sorted(chapters), (
        f"benchmarks/results/chapters.txt lists {sorted(rows)}, the book has {sorted(chapters)}: "
        "run `make chapter-times`"
    )
    failed = [row for row in rows.values() if row.rstrip().endswith("FAILED")]
    assert not failed, failed
