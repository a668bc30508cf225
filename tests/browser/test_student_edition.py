"""The student edition (``make book EDITION=student``) contains no solution text.

The test builds the student edition next to the full one (``_build/html``, which
``make book`` built): into ``_build/student/_build/html``, with the same
``jupyter-book build -W -n --keep-going`` and ``PHYSGEN_EDITION=student``. Both
builds share the execution cache, so nothing is re-executed.

Then, for every solution of the full edition (the collapsed dropdowns), each line
of its text that appears nowhere else on its page must appear nowhere in the
student site: not in its pages, not in its search index, not in any file it ships.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from browser_support import ROOT, page_name, toc_files
# The English pages only: the student build here is the English site (`make book
# EDITION=student` builds the translated editions with the same extension too).
from browser_support import source_language_pages as site_pages

STUDENT_OUT = ROOT / "_build" / "student"
STUDENT_SITE = STUDENT_OUT / "_build" / "html"
SOLUTION_DIRECTIVE = re.compile(r"^\s*(`{3,}|:{3,})\{solution(-start)?\}", re.M)
MIN_FRAGMENT = 12  # characters: shorter lines ("Solution", "x = 1") prove little


def _norm(text: str) -> str:
    return " ".join(text.split())


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module", autouse=True)
def _full_edition_in_build_html():
    if os.environ.get("PHYSGEN_EDITION", "full") != "full":
        pytest.skip("_build/html holds the student edition (EDITION=student); "
                    "these tests compare it with the full edition: run `make test`")


@pytest.fixture(scope="module")
def student_site(site) -> Path:
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [
        str(jupyter_book), "build", str(ROOT), "--path-output", str(STUDENT_OUT),
        "-W", "-n", "--keep-going",
    ]
    env = {**os.environ, "PHYSGEN_EDITION": "student"}
    env.pop("MPLBACKEND", None)  # as `make book` runs the kernels (its NB_ENV)
    # Always from scratch: an incremental build would not notice a change to the
    # student_edition extension itself. Outputs come from the shared cache.
    shutil.rmtree(STUDENT_OUT, ignore_errors=True)
    start = time.perf_counter()
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0 or not (STUDENT_SITE / "index.html").exists():
        pytest.fail(
            f"the student edition did not build ({' '.join(command)}):\n"
            + (result.stdout + result.stderr)[-4000:],
            pytrace=False,
        )
    executed = re.findall(r"Executing notebook", result.stdout + result.stderr)
    print(f"student edition built in {seconds:.1f} s; notebooks executed: {len(executed)}")
    assert not executed, (
        f"the student build re-executed {len(executed)} notebook(s): it should take every "
        "output from the full edition's execution cache (execute.cache in _config.yml)"
    )
    return STUDENT_SITE


def _solutions(site: Path) -> dict[str, list]:
    return {page_name(p, site): _soup(p).select("div.solution") for p in site_pages(site)}


def test_full_edition_shows_every_solution_collapsed(site):
    in_sources = sum(len(SOLUTION_DIRECTIVE.findall(p.read_text(encoding="utf-8"))) for p in toc_files())
    solutions = _solutions(site)
    in_html = sum(map(len, solutions.values()))
    assert in_sources > 0, (
        "the book has no {solution} directives: the chapters' exercises need solutions, "
        "and without them this test would prove nothing"
    )
    assert in_html == in_sources, f"{in_sources} solutions in the sources, {in_html} in the full edition"
    for name, sols in solutions.items():
        for sol in sols:
            assert "dropdown" in sol.get("class", []), f"{name}: solution {sol.get('id')} is not collapsed"


def test_student_edition_keeps_exercises_and_drops_solutions(site, student_site):
    full_pages = {page_name(p, site) for p in site_pages(site)}
    student_pages = {page_name(p, student_site) for p in site_pages(student_site)}
    assert full_pages == student_pages
    for page in site_pages(student_site):
        name = page_name(page, student_site)
        soup = _soup(page)
        assert not soup.select(".solution, .solution-start, #solution-content"), name
        assert "Solution to" not in soup.get_text(" "), name
        full = _soup(site / page.relative_to(student_site))
        assert len(soup.select("div.exercise")) == len(full.select("div.exercise")), (
            f"{name}: the student edition lost exercises"
        )
    assert not (student_site / "_sources").exists(), "the student site ships the page sources"
    assert not list(student_site.rglob("*.ipynb")), "the student site ships notebooks"


def _solution_fragments(site: Path) -> dict[str, list[str]]:
    """Per full-edition page: lines of solution text found nowhere else in the site.

    A line that also stands outside every solution (on any page: chapters share
    names such as ``PendulumPrior``) says nothing about a leak, so it is not checked.
    """
    solution_texts, rest = {}, []
    for page in site_pages(site):
        soup = _soup(page)
        solutions = soup.select("div.solution")
        texts = []
        for sol in solutions:
            title = sol.select_one(".admonition-title")
            body = [c for c in sol.children if c is not title]
            texts.append("\n".join(
                c.get_text("\n") if hasattr(c, "get_text") else str(c) for c in body
            ))
        for sol in solutions:
            sol.decompose()
        rest.append(_norm(soup.get_text(" ")))
        if texts:
            solution_texts[page_name(page, site)] = texts
    rest = "\n".join(rest)
    fragments = {}
    for name, texts in solution_texts.items():
        lines = {_norm(line) for text in texts for line in text.splitlines()}
        fragments[name] = sorted(
            line for line in lines if len(line) >= MIN_FRAGMENT and line not in rest
        )
    return fragments


def test_no_solution_text_anywhere_in_the_student_site(site, student_site):
    fragments = _solution_fragments(site)
    total = sum(map(len, fragments.values()))
    assert total > 0, "no checkable solution text found in the full edition"
    # Every text file the student site ships, except the theme's own assets.
    shipped = {}
    for path in student_site.rglob("*"):
        if not path.is_file() or "_static" in path.relative_to(student_site).parts:
            continue
        if path.suffix in (".png", ".jpg", ".jpeg", ".gif", ".svg", ".woff", ".woff2", ".inv"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".html":
            text = BeautifulSoup(text, "html.parser").get_text(" ")
        shipped[path.relative_to(student_site).as_posix()] = _norm(text)
    leaks = [
        f"{name}: {fragment!r} found in {where}"
        for name, frags in fragments.items()
        for fragment in frags
        for where, text in shipped.items()
        if fragment in text
    ]
    assert not leaks, "solution text in the student edition:\n" + "\n".join(leaks[:30])
    print(f"checked {total} solution lines against {len(shipped)} files of the student site")
