"""The site's configuration, workflows, references and built pages.

Tests that look at the built site need ``make book`` first (``make test`` builds
before it runs pytest). Outside CI they skip, saying so, when ``_build/html`` is
missing; in CI (``CI=true``) a missing build is a failure.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import nbval_prepare
from built_site import parse_html, require_built
import site_notebooks as sn

pytestmark = pytest.mark.site

ROOT = sn.ROOT
CONFIG = sn.load_config()
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
HTML = ROOT / "_build" / "html"


def _needs_build():
    require_built(HTML / "index.html", "built site in _build/html")


# --- configuration -----------------------------------------------------------------

def test_execution_settings():
    execute = CONFIG["execute"]
    assert execute["execute_notebooks"] == "cache"  # tools/nbval_prepare.py relies on it
    assert execute["allow_errors"] is False
    assert 0 < execute["timeout"] <= 1800
    assert execute["stderr_output"] in ("warn", "remove-warn", "error", "severe")


def test_extensions_and_math():
    extensions = CONFIG["sphinx"]["extra_extensions"]
    assert "sphinx_exercise" in extensions and "sphinxcontrib.bibtex" in extensions
    assert {"amsmath", "dollarmath"} <= set(CONFIG["parse"]["myst_enable_extensions"])
    assert CONFIG["sphinx"]["config"]["numfig"] is True


def test_twins_and_build_outputs_are_excluded_from_sphinx():
    patterns = CONFIG["exclude_patterns"]
    for pattern in ("book/*.ipynb", "_build", ".venv", "**README.md"):
        assert pattern in patterns


def test_repository_and_launch_buttons():
    url, branch = sn.repository()
    assert branch == "main"  # the theme would default to "master"
    assert CONFIG["repository"]["path_to_book"] == ""
    launch = CONFIG["launch_buttons"]
    assert launch["binderhub_url"] == "https://mybinder.org"
    assert launch["colab_url"] == "https://colab.research.google.com"


def test_toc_lists_every_page_in_book():
    listed = {p.resolve() for p in sn.toc_files()}
    for page in sorted((ROOT / "book").glob("*.md")):
        assert page.resolve() in listed, (
            f"book/{page.name} is not in _toc.yml, so it is silently left out of the site "
            "(only_build_toc_files); add it to _toc.yml or delete it"
        )


def test_binder_files():
    assert (ROOT / "requirements.txt").exists()
    assert (ROOT / "runtime.txt").read_text().strip() == "python-3.11"
    assert "-e ." in (ROOT / "requirements.txt").read_text().splitlines()


# --- what the make targets do ---------------------------------------------------------
# Each target runs in a copy of the Makefile whose venv is a stub: its `python`,
# `jupyter-book`, `ruff` and `mypy` only record how they were called (arguments, whether MPLBACKEND was
# set, whether the execution cache existed), so the recipes' real effects are checked
# without building anything.

_STUB = """#!/bin/sh
echo "$(basename "$0") $* | MPLBACKEND=${MPLBACKEND-unset} | cache=$(test -d "$JB_CACHE_DIR" && echo yes || echo no)" >> "$MAKE_LOG"
echo "${TF_ENABLE_ONEDNN_OPTS-unset} | ${NPY_DISABLE_CPU_FEATURES-unset} | ${OPENBLAS_CORETYPE-unset}" >> "$MAKE_LOG.env"
"""


def _run_make(tmp_path, target, **env_vars) -> list[str]:
    """Run ``make <target>`` in a stub copy of the repository; the commands it ran."""
    for name in ("Makefile", "_config.yml", "requirements.txt", "pyproject.toml"):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for tool in ("python", "jupyter-book", "ruff", "mypy"):
        (bin_dir / tool).write_text(_STUB, encoding="utf-8")
        (bin_dir / tool).chmod(0o755)
    browser = tmp_path / "tests" / "browser"
    (browser / "node_modules").mkdir(parents=True, exist_ok=True)
    (browser / "package-lock.json").write_text("{}")
    (browser / "node_modules" / ".package-lock.json").write_text("{}")
    (tmp_path / ".venv" / ".installed").write_text("")  # newer than requirements.txt
    cache = tmp_path / CONFIG["execute"]["cache"]
    cache.mkdir(parents=True, exist_ok=True)
    log = tmp_path / "make.log"
    log.write_text("")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "MAKEFLAGS", "MFLAGS")}
    env.update(MAKE_LOG=str(log), JB_CACHE_DIR=str(cache), MPLBACKEND="Agg", **env_vars)
    result = subprocess.run(["make", "--no-print-directory", "-C", str(tmp_path), target],
                            capture_output=True, text=True, env=env, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return log.read_text().splitlines()


def test_make_book_executes_then_builds_strictly_from_an_empty_cache_in_ci(tmp_path):
    ci = _run_make(tmp_path, "book", CI="true")
    assert ci == [
        "python tools/execute_chapters.py | MPLBACKEND=unset | cache=no",
        "jupyter-book build . -W -n --keep-going --all | MPLBACKEND=unset | cache=no",
        # the Chinese edition, from the same execution cache (tests/test_editions.py)
        "python tools/build_edition.py html --language zh_CN | MPLBACKEND=unset | cache=no",
    ]
    # Outside CI the cache (the one _config.yml names) is kept between builds.
    local = _run_make(tmp_path, "book")
    assert [line.rsplit("| cache=", 1)[1] for line in local] == ["yes", "yes", "yes"]


def test_make_translations_refreshes_the_catalogues_without_executing(tmp_path):
    assert [line.split(" | ")[0].strip() for line in _run_make(tmp_path, "translations")] == [
        "python tools/build_edition.py translations --language zh_CN",
    ]


LINT = [
    "python -W error -m compileall -q physgen",
    "ruff check physgen benchmarks",
    "ruff format --check physgen benchmarks",
    "mypy",
]


def test_make_lint_compiles_strictly_then_runs_ruff_and_mypy(tmp_path):
    assert [line.split(" | ")[0].strip() for line in _run_make(tmp_path, "lint")] == LINT


def test_make_unit_lints_then_runs_only_the_packages_tests(tmp_path):
    lines = _run_make(tmp_path, "unit")
    assert [line.split(" | ")[0].strip() for line in lines[:-1]] == LINT
    assert lines[-1] == (
        "python -m pytest -m not slow and not site and not chapter_run --ignore=tests/browser"
        " | MPLBACKEND=Agg | cache=yes"
    )


def test_make_test_builds_then_tests_and_executes_each_chapter_twice_at_most(tmp_path):
    commands = [line.split(" | ")[0].strip() for line in _run_make(tmp_path, "test", CI="true")]
    assert commands == [
        *LINT,
        "python tools/execute_chapters.py",  # execution 1: the build
        "jupyter-book build . -W -n --keep-going --all",
        "python tools/build_edition.py html --language zh_CN",  # cache only: no execution
        "python -m pytest -m not chapter_run",
        "python tools/nbval_prepare.py --out _build/nbval",
        # execution 2: the launch notebooks from the wheel, under nbval
        "python -m pytest -s -m chapter_run tests/test_wheel.py",
    ]


def test_every_command_of_make_runs_with_fixed_cpu_code_paths(tmp_path):
    """oneDNN off and NumPy/OpenBLAS on fixed code paths in every command make runs:
    without them a chapter built on an AVX-512 machine and one built without AVX-512
    disagree in the last bit, and training turns that into another early-stopping epoch
    (book/teaching.md, Reproducible numbers)."""
    _run_make(tmp_path, "test", CI="true")
    seen = set((tmp_path / "make.log.env").read_text().splitlines())
    assert len(seen) == 1
    onednn, numpy_off, openblas = next(iter(seen)).split(" | ")
    assert onednn == "0"
    if os.uname().machine == "x86_64":
        assert {"AVX2", "AVX512F", "AVX512_SKX", "FMA3"} <= set(numpy_off.split())
        assert openblas == "Haswell"


# --- references --------------------------------------------------------------------

def _bib_keys():
    from pybtex.database import parse_file

    return set(parse_file(str(ROOT / "book" / "references.bib")).entries.keys())


def test_bibliography_parses_and_cites_the_essay():
    keys = _bib_keys()  # pybtex raises on duplicate keys
    assert "physics_to_gans_essay" in keys
    assert {"goodfellow2014gan", "kingma2014vae", "rasmussen2006gaussian"} <= keys


def test_every_citation_exists():
    keys = _bib_keys()
    for page in sorted((ROOT / "book").glob("*.md")):
        for group in re.findall(r"\{cite(?::[a-z]+)?\}`([^`]+)`", page.read_text(encoding="utf-8")):
            for key in group.split(","):
                assert key.strip() in keys, f"book/{page.name} cites unknown key {key.strip()!r}"


# --- workflows ---------------------------------------------------------------------

def _workflow(name):
    path = ROOT / ".github" / "workflows" / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def test_workflows_validate_against_githubs_schema():
    assert len(WORKFLOWS) >= 2
    exe = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run(
        [str(exe), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_workflow_policy(path):
    text = path.read_text(encoding="utf-8")
    data = _workflow(path.name)
    assert data["permissions"] == {"contents": "read"}, "least privilege at the top level"
    owner = sn.repository()[0].split("/")[3]
    assert owner not in text, f"{path.name} hard-codes the owner {owner!r}; use github.repository"
    for job in data["jobs"].values():
        assert "timeout-minutes" in job
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), (
                    f"{path.name}: {step['uses']} is not pinned to a commit SHA"
                )
            if step.get("uses", "").startswith("actions/setup-python@"):
                assert step["with"]["cache"] == "pip"
                assert step["with"]["cache-dependency-path"] == "requirements.txt"
    # Each pinned SHA says which release it is, in a comment on its line.
    for line in text.splitlines():
        if re.match(r"\s*(- )?uses:", line):
            assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), (
                f"{path.name}: {line.strip()!r} needs the release as a comment, e.g. '# v4.2.2'"
            )


def _python_versions(data) -> set[str]:
    return {v.strip() for job in data["jobs"].values() for s in job["steps"]
            if s.get("uses", "").startswith("actions/setup-python@")
            for v in str(s["with"]["python-version"]).split()}


def test_pull_requests_run_make_test():
    data = _workflow("test.yml")
    assert "pull_request" in data["on"]
    runs = [s.get("run", "") for job in data["jobs"].values() for s in job["steps"]]
    assert ".ci/run" in runs
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    # 3.11 builds the book; 3.12 (Colab's) runs the installed wheel (tests/test_wheel.py).
    assert {"3.11", "3.12"} <= _python_versions(data)


def test_requires_python_is_what_is_tested():
    import tomllib

    claim = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    lowest = re.fullmatch(r">=\s*3\.(\d+)", claim)
    assert lowest, claim
    tested = {int(v.split(".")[1]) for v in _python_versions(_workflow("test.yml"))}
    assert int(lowest.group(1)) == min(tested), f"requires-python {claim}, tested {tested}"


def test_pushes_to_main_deploy_only_what_passed():
    data = _workflow("pages.yml")
    assert data["on"]["push"]["branches"] == ["main"]
    assert data["env"]["EDITION"] in ("full", "student")
    jobs = data["jobs"]
    deploy = jobs["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    # The only job deploy depends on tests this commit, then uploads what it built.
    (build,) = [jobs[deploy["needs"]]] if isinstance(deploy["needs"], str) else [
        jobs[n] for n in deploy["needs"]]
    steps = build["steps"]
    kinds = [s.get("run", "").strip() or s.get("uses", "").split("@")[0] for s in steps]
    upload = kinds.index("actions/upload-pages-artifact")
    assert ".ci/run" in kinds[:upload], "the site is uploaded before the tests ran"
    assert steps[upload]["with"]["path"] == "_build/html"
    assert {"3.11", "3.12"} <= _python_versions({"jobs": {"build": build}})
    tested = kinds.index(".ci/run")
    assert steps[tested].get("env", {}).get("EDITION") == "full"
    # Every step after the tests either renders the chosen edition from the tested
    # execution cache (CI off: the cache is kept, nothing executes again) or only reads.
    for step in steps[tested + 1: upload]:
        if re.search(r"^\s*make\b", step.get("run", ""), flags=re.MULTILINE):
            assert step["run"].strip() == 'make book EDITION="$EDITION"'
            assert step["env"]["CI"] == "false"


# --- the kernel --------------------------------------------------------------------

def test_notebook_kernel_is_this_environment():
    """The kernel the build and nbval start ("python3") runs this venv's Python."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")
    try:
        outputs = []
        kc.execute_interactive(
            "import sys; print(sys.executable)",
            output_hook=lambda m: outputs.append(m["content"].get("text", "")),
            timeout=60,
        )
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert Path("".join(outputs).strip()).resolve() == Path(sys.executable).resolve()


# --- nbval preparation (unit tests on small notebooks) ------------------------------

def _nb(*cells_outputs):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for i, outputs in enumerate(cells_outputs):
        cell = nbformat.v4.new_code_cell(source=f"cell {i}")
        cell.outputs = [nbformat.from_dict(o) for o in outputs]
        cell.execution_count = i + 1 if outputs else None
        nb.cells.append(cell)
    return nb


STREAM = {"output_type": "stream", "name": "stdout", "text": "1.5\n"}
HIDDEN = {
    "output_type": "display_data",
    "data": {"application/papermill.record/text/plain": "0.25"},
    "metadata": {"scrapbook": {"name": "x", "mime_prefix": "application/papermill.record/"}},
}
SHOWN = {"output_type": "execute_result", "execution_count": 2,
         "data": {"text/plain": "3"}, "metadata": {}}
GLUE = {"x": {"output_type": "display_data", "data": {"text/plain": "0.25"},
              "metadata": {"scrapbook": {"name": "x",
                                         "mime_prefix": "application/papermill.record/"}}}}


def test_prepare_restores_glue_records_in_place():
    executed = _nb([STREAM], [STREAM, HIDDEN, SHOWN])
    page = _nb([STREAM], [STREAM, SHOWN])  # what myst-nb writes: the glue record removed
    restored = nbval_prepare.restore_notebook(page, executed, GLUE, name="p")
    assert restored.cells[1].outputs == executed.cells[1].outputs
    assert restored.cells[1].execution_count == executed.cells[1].execution_count


def test_prepare_refuses_a_page_that_differs_from_its_execution():
    executed = _nb([STREAM], [STREAM, HIDDEN, SHOWN])
    page = _nb([{**STREAM, "text": "1.6\n"}], [STREAM, SHOWN])
    with pytest.raises(nbval_prepare.PrepareError, match="cell 0"):
        nbval_prepare.restore_notebook(page, executed, GLUE, name="p")


def test_prepare_refuses_glue_values_that_differ():
    executed = _nb([STREAM], [STREAM, HIDDEN, SHOWN])
    page = _nb([STREAM], [STREAM, SHOWN])
    other = json.loads(json.dumps(GLUE))
    other["x"]["data"]["text/plain"] = "0.26"
    with pytest.raises(nbval_prepare.PrepareError, match="differs"):
        nbval_prepare.restore_notebook(page, executed, other, name="p")
    with pytest.raises(nbval_prepare.PrepareError, match="glue records differ"):
        nbval_prepare.restore_notebook(page, executed, {}, name="p")


def test_prepare_takes_a_cache_hit_page_from_its_execution():
    executed = _nb([STREAM], [STREAM, HIDDEN, SHOWN])
    page = _nb([], [])  # myst-nb 1.4 writes no outputs when the page came from the cache
    restored = nbval_prepare.restore_notebook(page, executed, GLUE, name="p")
    assert [c.outputs for c in restored.cells] == [c.outputs for c in executed.cells]


# --- the sanitizer -----------------------------------------------------------------

def _sanitizer():
    text = (ROOT / "tests" / "nbval_sanitize.cfg").read_text(encoding="utf-8")
    sections = re.split(r"^\[[^\]]+\]\n", text, flags=re.M)[1:]
    from nbval.plugin import get_sanitize_patterns

    for section in sections:
        assert section.lstrip().startswith("#"), "every sanitizer pattern needs a comment saying why"
    return get_sanitize_patterns(text)


def _sanitize(s):
    for regex, replace in _sanitizer():
        s = re.sub(regex, replace, s)
    return s


def test_sanitizer_masks_only_what_honestly_varies():
    assert _sanitize("<Line2D at 0x7f3a12bc45d0>") == "<Line2D at 0xADDRESS>"
    assert _sanitize("iVBORw0KGgoAAAANSUhEUg==\n") == "<PNG image>"
    assert _sanitize('<img id="_anim_img0123456789abcdef0123456789abcdef">') == '<img id="_anim_imgID">'
    assert _sanitize("'41 s (wall clock)'") == "'<T> s (wall clock)'"
    assert _sanitize("'612 MB (peak memory)'") == "'<M> MB (peak memory)'"
    # Results stay compared: numbers, units, hashes of ordinary length.
    for text in ("0.125", "R2 = 0.849", "period 2.007 s", "1234 MB", "0x10", "seed 20240917",
                 "Figure size 640x480 with 1 Axes", "theta0 = 1.5 rad"):
        assert _sanitize(text) == text


# --- the built site ----------------------------------------------------------------

@pytest.mark.parametrize("md", sn.chapters(), ids=[p.name for p in sn.chapters()])
def test_launch_buttons_open_the_committed_twin(md):
    _needs_build()
    url, branch = sn.repository()
    owner_repo = url.removeprefix("https://github.com/")
    rel = md.relative_to(ROOT).with_suffix(".ipynb").as_posix()
    page = (HTML / md.relative_to(ROOT).with_suffix(".html")).read_text(encoding="utf-8")
    assert f"https://colab.research.google.com/github/{owner_repo}/blob/{branch}/{rel}" in page
    assert f"https://mybinder.org/v2/gh/{owner_repo}/{branch}?urlpath=lab/tree/{rel}" in page
    assert (ROOT / rel).exists()
    assert "google.colab" not in page, "the Colab install cell must be hidden (remove-cell)"


CHATTER = ("Unable to register", "oneDNN", "cuda_", "absl::InitializeLog", "WARNING:tensorflow",
           "TF_ENABLE_ONEDNN_OPTS", "I0000 ", "W0000 ", "E0000 ")


def test_no_tensorflow_chatter_or_traceback_on_any_page():
    """No cell output shows TensorFlow's log lines or a traceback (the prose may name them:
    the instructors' guide explains TF_ENABLE_ONEDNN_OPTS)."""
    from bs4 import BeautifulSoup

    _needs_build()
    pages = sorted(HTML.rglob("*.html"))
    assert pages
    n_outputs = 0
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8", errors="replace"), "html.parser")
        for output in soup.select("div.cell_output"):
            n_outputs += 1
            text = output.get_text()
            for needle in (*CHATTER, "Traceback (most recent call last)"):
                assert needle not in text, f"{page.relative_to(HTML)}: an output shows {needle!r}"
            assert not output.select(".stderr"), f"{page.relative_to(HTML)}: an output on stderr"
    assert n_outputs > 50  # the outputs were found


def test_result_tables_printed_by_cells_are_tables():
    """A Markdown table a cell prints (``Markdown(md_table(...))``) reaches the page as an
    HTML table, not as a paragraph of pipes (CommonMark has no tables)."""
    _needs_build()
    n_tables = 0
    for page in sorted(HTML.glob("book/*.html")):
        for output in parse_html(page).select("div.cell_output"):
            n_tables += len(output.find_all("table"))
            for p in output.find_all("p"):
                assert not p.get_text().lstrip().startswith("| "), (
                    f"{page.relative_to(HTML)}: a result table shows as text: "
                    f"{p.get_text()[:80]!r}"
                )
    assert n_tables > 20  # the chapters' result tables were found


# --- what search engines, link previews and screen readers get --------------------

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import html_fixes  # noqa: E402
import site_meta  # noqa: E402

BASE_URL = site_meta.site_url(sn.repository()[0])
TOC_PAGES = sn.toc_files()


def _built(page: Path) -> Path:
    return HTML / page.relative_to(ROOT).with_suffix(".html")


def test_canonical_base_is_the_repositorys_pages_address():
    owner_repo = sn.repository()[0].removeprefix("https://github.com/")
    owner, repo = owner_repo.split("/")
    assert BASE_URL == f"https://{owner.lower()}.github.io/{repo}/"
    assert site_meta.site_url("https://github.com/Someone/fork") == "https://someone.github.io/fork/"
    with pytest.raises(Exception, match="repository.url"):
        site_meta.site_url("https://example.org/x")


@pytest.mark.parametrize("page", TOC_PAGES, ids=[p.name for p in TOC_PAGES])
def test_every_page_has_a_description_in_its_front_matter(page):
    description = site_meta.front_matter(page).get("description")
    assert description, (
        f"{page.relative_to(ROOT)} has no `description:` in its front matter: add one sentence "
        "(at most ~200 characters) saying what the page teaches; search engines and link "
        "previews show it"
    )
    assert 40 <= len(" ".join(description.split())) <= 220, description


@pytest.mark.parametrize("page", TOC_PAGES, ids=[p.name for p in TOC_PAGES])
def test_every_page_has_meta_open_graph_canonical_and_favicon(page):
    _needs_build()
    soup = parse_html(_built(page))
    url = BASE_URL + page.relative_to(ROOT).with_suffix(".html").as_posix()
    description = " ".join(str(site_meta.front_matter(page).get("description", "")).split())

    def meta(attr, name):
        tags = soup.find_all("meta", attrs={attr: name})
        assert len(tags) == 1, f"{page.name}: {len(tags)} <meta {attr}={name!r}>"
        return tags[0]["content"]

    assert meta("name", "description") == description
    assert meta("property", "og:description") == description
    assert meta("property", "og:title")
    assert meta("property", "og:url") == url
    image = meta("property", "og:image")
    assert image == BASE_URL + "_static/" + site_meta.PREVIEW
    assert (HTML / "_static" / site_meta.PREVIEW).stat().st_size > 10_000
    assert meta("property", "og:image:alt")
    canonical = soup.find_all("link", rel="canonical")
    assert [c["href"] for c in canonical] == [url]
    icons = soup.find_all("link", rel="icon")
    assert icons and icons[0]["href"].endswith("favicon.svg")
    assert (_built(page).parent / icons[0]["href"]).resolve().is_file()


def test_sitemap_lists_every_page_at_its_canonical_url():
    _needs_build()
    import xml.etree.ElementTree as ET

    tree = ET.parse(HTML / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = {loc.text for loc in tree.findall(".//s:url/s:loc", ns)}
    expected = {BASE_URL + p.relative_to(ROOT).with_suffix(".html").as_posix() for p in TOC_PAGES}
    assert expected <= urls, sorted(expected - urls)
    assert all(u.startswith(BASE_URL) for u in urls)


def test_index_html_is_a_complete_redirect_page():
    _needs_build()
    text = (HTML / "index.html").read_text(encoding="utf-8")
    assert text.lower().startswith("<!doctype html>")
    soup = parse_html(HTML / "index.html")
    assert soup.html.get("lang") and soup.title and soup.title.string.strip()
    refresh = soup.find("meta", attrs={"http-equiv": "refresh"})
    target = refresh["content"].split("url=", 1)[1]
    assert target == TOC_PAGES[0].relative_to(ROOT).with_suffix(".html").as_posix()
    assert (HTML / target).is_file()


def test_row_headers_are_real_header_cells():
    """A table with an empty top-left header cell labels its rows with <th scope="row">."""
    _needs_build()
    labelled = 0
    for page in sorted(HTML.rglob("*.html")):
        if page.relative_to(HTML).parts[0].startswith("_"):
            continue
        for table in parse_html(page).find_all("table"):
            head = table.find("thead")
            first = head.find(["th", "td"]) if head else None
            if first is None or first.get_text(strip=True):
                continue
            assert first.name == "td", f"{page.name}: empty header cell <th> in a table"
            for row in table.find("tbody").find_all("tr"):
                cell = row.find(["th", "td"])
                assert cell.name == "th" and cell.get("scope") == "row", (
                    f"{page.name}: row label {cell.get_text(strip=True)!r} is not <th scope=row>"
                )
                labelled += 1
    assert labelled, "no table with row labels in the site: the check proved nothing"


def test_row_headers_unit():
    table = ('<table><thead><tr><th class="head"></th><th class="head">a</th></tr></thead>'
             '<tbody><tr><td>x</td><td>1</td></tr></tbody></table>')
    out = html_fixes.row_headers(table)
    assert '<th scope="row">x</th>' in out and "<td>1</td>" in out
    assert html_fixes.row_headers(out) == out  # idempotent
    plain = table.replace('<th class="head"></th>', '<th class="head">q</th>')
    assert html_fixes.row_headers(plain) == plain


def test_images_have_width_height_and_offscreen_ones_load_lazily():
    _needs_build()
    checked = 0
    for page in sorted(HTML.rglob("*.html")):
        if page.relative_to(HTML).parts[0].startswith("_"):
            continue
        content = [img for img in parse_html(page).find_all("img")
                   if "_static/" not in img.get("src", "") and img.get("src")]
        for index, img in enumerate(content):
            assert img.get("width") and img.get("height"), f"{page.name}: {img['src'][:60]} has no size"
            if index:
                assert img.get("loading") == "lazy", f"{page.name}: {img['src'][:60]} not lazy"
            checked += 1
    assert checked, "no content images found"
