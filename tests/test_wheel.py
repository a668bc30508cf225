"""The package as users install it: the wheel, in a fresh venv, outside the repository.

Every other test imports the editable install of the working tree, so a module that
the wheel leaves out (``physgen.nn`` once was) goes unnoticed there; a student's
``pip install`` (the Colab cell, Binder, ``pip install .``) then fails at the first
import. Here:

* ``python -m build`` makes the sdist and, from it, the wheel, as a user's pip does;
  the wheel must hold every module of the source tree, every module the chapters
  import, and ``py.typed`` (``test_wheel_ships_every_module``, fast);
* ``test_launch_notebooks_run_from_the_wheel`` (marked ``chapter_run``; the second
  and last execution of each chapter in ``make test``, the first being the book
  build) installs the wheel into a fresh venv on Colab's Python (3.12) the way
  Colab has it: TensorFlow already there, then physgen with its ``ml`` and ``law``
  extras, every version pinned to requirements.txt, no myst-nb, no Jupyter Book.
  There it runs every launch notebook (what the Colab and Binder buttons open),
  each from its own folder outside the repository, under nbval: each code cell
  carries the outputs the page shows, taken from the build (``tools/nbval_prepare.py``
  restores the glue records), and nbval compares every output of the re-run with
  them, the prose's glued numbers included (see ``check_notebook``).
"""

from __future__ import annotations

import copy
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import site_notebooks as sn

ROOT = sn.ROOT
#: Colab's Python: the installed wheel is tested there (the book builds on 3.11).
WHEEL_PYTHON = (3, 12)
GLUE_PREFIX = "application/papermill.record/"
NBVAL_SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
#: The outputs the pages show, glue records restored (tools/nbval_prepare.py, make test).
NBVAL_DIR = ROOT / "_build" / "nbval"

#: Test harness cell, inserted right after the chapter defines its own fallback glue() or
#: imports physgen.report's:
#: where myst-nb is missing (Colab) that glue() shows nothing for display=False, so the
#: glued numbers would go unchecked. This one records each value exactly as myst-nb's
#: glue() does (myst_nb/ext/glue/__init__.py), without myst-nb.
RECORD_GLUE = f"""\
# Test harness (not part of the launch notebook): record glued values as myst-nb does.
def glue(name, value, display=True):
    import IPython
    from IPython.display import display as _show

    bundle, metadata = IPython.core.formatters.format_display_data(value)
    prefix = "" if display else {GLUE_PREFIX!r}
    metadata["scrapbook"] = dict(name=name, mime_prefix=prefix)
    _show({{prefix + k: v for k, v in bundle.items()}}, raw=True, metadata=metadata)


# physgen.report's own helpers (glue_generator) glue through physgen.report.glue
import physgen.report as _report

_report.glue = glue
"""

#: Where a chapter gets its glue(): its own fallback, or physgen.report's.
GLUE_DEFINED = re.compile(
    r"^\s*def glue\(|^\s*from physgen\.report import [^\n]*\bglue\b", flags=re.MULTILINE
)

#: Test harness cell, appended last: the notebook ran as a student runs it.
CHECK_CELL = """\
# Test harness (not part of the launch notebook): it ran as a student runs it.
import importlib.util
import os
import sys

import physgen

assert importlib.util.find_spec("myst_nb") is None, "myst-nb is importable"
assert sys.version_info[:2] == {python!r}, sys.version
assert os.path.realpath(sys.prefix) == {venv!r}, sys.prefix
for _path in (os.getcwd(), physgen.__file__):
    assert not os.path.realpath(_path).startswith({root!r}), _path
"""


class MappingError(AssertionError):
    """A launch notebook's code does not match the page it was written from."""


# --- the wheel -------------------------------------------------------------------------


def build_wheel(out: Path) -> Path:
    """``python -m build`` (sdist, then the wheel from the sdist) into ``out``; the wheel."""
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    (wheel,) = out.glob("physgen-*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    try:
        return build_wheel(tmp_path_factory.mktemp("dist"))
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"python -m build failed:\n{exc.stdout}\n{exc.stderr}")


def chapter_imports(root: Path = ROOT) -> dict[str, set[str]]:
    """``{module: chapters}`` for every physgen module the chapters' code cells import.

    ``from physgen import nn`` counts as importing ``physgen.nn`` when ``nn`` is a
    module of the source tree (and not a name defined in ``physgen/__init__.py``).
    """
    found: dict[str, set[str]] = {}
    pattern = re.compile(
        r"^\s*(?:import\s+(physgen(?:\.\w+)*)|from\s+(physgen(?:\.\w+)*)\s+import\s+\(?([^)#\n]*))",
        flags=re.MULTILINE,
    )
    for md in sn.chapters(root):
        text = md.read_text(encoding="utf-8")
        for match in sn.code_cells(text):
            for imp in pattern.finditer(match.group(0)):
                modules = {imp.group(1) or imp.group(2)}
                for name in (imp.group(3) or "").split(","):
                    name = name.strip().split(" as ")[0].strip()
                    candidate = f"{imp.group(2)}.{name}"
                    if name and _source_module(candidate, root) is not None:
                        modules.add(candidate)
                for module in modules:
                    found.setdefault(module, set()).add(md.name)
    return found


def _source_module(module: str, root: Path = ROOT) -> str | None:
    """The wheel path of ``module`` if the source tree has it (``physgen/nn/__init__.py``)."""
    base = Path(*module.split("."))
    for rel in (base / "__init__.py", base.with_suffix(".py")):
        if (root / rel).is_file():
            return rel.as_posix()
    return None


@pytest.mark.site
def test_wheel_ships_every_module(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    source = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "physgen").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }
    assert "physgen/py.typed" in source
    missing = sorted(source - names)
    assert not missing, f"{wheel.name} lacks {missing}: see [tool.setuptools] in pyproject.toml"
    imports = chapter_imports()
    assert "physgen" in imports and len(imports) > 1, imports
    for module, chapters in sorted(imports.items()):
        rel = _source_module(module)
        assert rel is not None, f"{sorted(chapters)} import {module}, which is not in physgen/"
        assert rel in names, f"{sorted(chapters)} import {module}; {wheel.name} lacks {rel}"
    assert not [n for n in names if n.startswith(("tests/", "tools/", "book/", "benchmarks/"))]


def test_chapter_imports_finds_submodules(tmp_path):
    (tmp_path / "physgen" / "nn").mkdir(parents=True)
    (tmp_path / "physgen" / "__init__.py").write_text("")
    (tmp_path / "physgen" / "nn" / "__init__.py").write_text("")
    (tmp_path / "physgen" / "pendulum.py").write_text("")
    assert _source_module("physgen.nn", tmp_path) == "physgen/nn/__init__.py"
    assert _source_module("physgen.pendulum", tmp_path) == "physgen/pendulum.py"
    assert _source_module("physgen.rmse", tmp_path) is None


# --- the launch notebooks, run from the wheel under nbval -------------------------------


def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _hidden(cell) -> bool:
    return "remove-cell" in cell.get("metadata", {}).get("tags", [])


def check_notebook(launch: dict, page: dict, *, root: str, venv: str) -> dict:
    """The launch notebook, each code cell carrying the outputs the page shows.

    ``launch`` is the notebook the Colab button opens; ``page`` the build's execution
    of the same chapter with every output, glue records included
    (``tools/nbval_prepare.py``). The launch notebook is the page's code minus the
    hidden cells' ``glue(...)`` calls (book/_ext/launch_notebooks.py). For nbval to
    compare the glued numbers too, those calls are put back where the page has them:
    a hidden cell gets its page source again (asserted to be the launch cell plus only
    glue calls), a hidden cell that held nothing but glue calls is re-inserted in its
    place. Two harness cells are added: ``RECORD_GLUE`` right after the chapter defines
    its fallback ``glue`` (so glue records are produced as myst-nb produces them), and
    ``CHECK_CELL`` at the end. Every other cell is the launch notebook's, unchanged.
    """
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    from launch_notebooks import strip_glue_calls

    def expected(cell) -> str:
        source = _source(cell)
        if _hidden(cell) and not source.startswith(sn.COLAB_MARKER):
            return strip_glue_calls(source)
        return source.strip()

    def harness(source: str) -> dict:
        return {
            "cell_type": "code",
            "execution_count": None,
            "id": f"harness-{len(cells)}",
            "metadata": {},
            "outputs": [],
            "source": source,
        }

    page_code = [c for c in page["cells"] if c["cell_type"] == "code"]
    cells: list[dict] = []
    j = 0
    recorder_added = False

    def take_glue_only_cells() -> None:
        nonlocal j
        while j < len(page_code) and _hidden(page_code[j]) and expected(page_code[j]) == "":
            cells.append(copy.deepcopy(page_code[j]))
            j += 1

    for cell in launch["cells"]:
        if cell["cell_type"] != "code":
            cells.append(copy.deepcopy(cell))
            continue
        take_glue_only_cells()
        if j >= len(page_code) or expected(page_code[j]) != _source(cell).strip():
            raise MappingError(
                f"launch code cell {_source(cell)[:80]!r} is not the page's next code cell; "
                "rebuild (make book) and run make notebooks"
            )
        mine = copy.deepcopy(cell)
        mine["outputs"] = copy.deepcopy(page_code[j]["outputs"])
        mine["execution_count"] = page_code[j]["execution_count"]
        if _hidden(page_code[j]):
            mine["source"] = _source(page_code[j])
        cells.append(mine)
        j += 1
        if not recorder_added and GLUE_DEFINED.search(_source(mine)):
            if any("scrapbook" in (o.get("metadata") or {}) for o in mine["outputs"]):
                raise MappingError(
                    "the cell that defines or imports glue() also glues a value, before the "
                    "recorder can be put in after it; glue in a later cell"
                )
            cells.append(harness(RECORD_GLUE))
            recorder_added = True
    take_glue_only_cells()
    if j != len(page_code):
        raise MappingError(
            f"{len(page_code) - j} code cells of the page are not in the launch "
            "notebook; rebuild (make book) and run make notebooks"
        )
    records = [
        o
        for c in cells
        if c["cell_type"] == "code"
        for o in c["outputs"]
        if "scrapbook" in (o.get("metadata") or {})
    ]
    if records and not recorder_added:
        raise MappingError(
            "the page glues values but no cell defines glue() or imports physgen.report's"
        )
    cells.append(
        harness(
            CHECK_CELL.format(python=WHEEL_PYTHON, venv=venv, root=root.rstrip(os.sep) + os.sep)
        )
    )
    result = copy.deepcopy(launch)
    result["cells"] = cells
    return result


def test_check_notebook_maps_outputs_and_puts_glue_back():
    def code(source, outputs=(), hidden=False, count=None):
        meta = {"tags": ["remove-cell"]} if hidden else {}
        return {
            "cell_type": "code",
            "source": source,
            "metadata": meta,
            "outputs": list(outputs),
            "execution_count": count,
        }

    record = {
        "output_type": "display_data",
        "data": {GLUE_PREFIX + "text/plain": "'3'"},
        "metadata": {"scrapbook": {"name": "n", "mime_prefix": GLUE_PREFIX}},
    }
    printed = {"output_type": "stream", "name": "stdout", "text": "hi\n"}
    colab = sn.COLAB_MARKER + "\nimport sys"
    page = {
        "cells": [
            code(colab, hidden=True, count=1),
            code("def glue(name, value, display=True):\n    pass", count=2),
            code("x = 3\nglue('n', f'{x}', display=False)", [record], hidden=True, count=3),
            {"cell_type": "markdown", "source": "Text", "metadata": {}},
            code("print('hi')", [printed], count=4),
            code("glue('m', 1, display=False)", [record], hidden=True, count=5),
        ]
    }
    launch = {
        "metadata": {},
        "cells": [
            {"cell_type": "markdown", "source": "# Title", "metadata": {}},
            code(colab),
            code("def glue(name, value, display=True):\n    pass"),
            code("x = 3"),
            code("print('hi')"),
        ],
    }
    nb = check_notebook(launch, page, root="/repo", venv="/venv")
    sources = [_source(c) for c in nb["cells"] if c["cell_type"] == "code"]
    assert sources[0] == colab and sources[2] == RECORD_GLUE
    assert sources[3] == "x = 3\nglue('n', f'{x}', display=False)"
    assert sources[4] == "print('hi')" and sources[5] == "glue('m', 1, display=False)"
    assert sources[6].startswith("# Test harness") and "'/repo/'" in sources[6]
    outputs = [c["outputs"] for c in nb["cells"] if c["cell_type"] == "code"]
    assert outputs == [[], [], [], [record], [printed], [record], []]
    assert nb["cells"][0]["source"] == "# Title"
    launch["cells"][4] = code("print('changed')")
    with pytest.raises(MappingError):
        check_notebook(launch, page, root="/repo", venv="/venv")
    launch["cells"][4] = code("print('hi')")
    page["cells"][1] = code("def glue(name, value, display=True):\n    pass\nglue('k', 1)",
                            [record], count=2)
    launch["cells"][2] = code("def glue(name, value, display=True):\n    pass\nglue('k', 1)")
    with pytest.raises(MappingError, match="glue in a later cell"):
        check_notebook(launch, page, root="/repo", venv="/venv")


def find_wheel_python() -> str | None:
    """A Python 3.12 interpreter: $PHYSGEN_WHEEL_PYTHON, python3.12 on PATH, or pyenv's."""
    pyenv = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates = [
        os.environ.get("PHYSGEN_WHEEL_PYTHON"),
        shutil.which("python3.12"),
        *sorted(glob.glob(os.path.join(pyenv, "versions", "3.12*", "bin", "python"))),
    ]
    for candidate in filter(None, candidates):
        try:
            version = subprocess.run(
                [candidate, "-c", "import sys; print(*sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            ).stdout.split()
        except (OSError, subprocess.SubprocessError):
            continue
        if tuple(map(int, version)) == WHEEL_PYTHON:
            return candidate
    return None


def _missing(message: str):
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _pip(python: Path, *args: str) -> None:
    result = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, f"pip install {' '.join(args)} failed:\n{result.stderr}"


@pytest.mark.chapter_run
def test_launch_notebooks_run_from_the_wheel(wheel, tmp_path):
    """Every launch notebook, from the installed wheel on Python 3.12, checked by nbval."""
    if os.environ.get("PHYSGEN_EDITION", "full") == "student":
        pytest.skip(
            "the student edition's launch notebooks lack the solutions' code; "
            "make test checks the full edition (EDITION=full)"
        )
    python = find_wheel_python()
    if python is None:
        _missing(
            "no Python 3.12 (Colab's) found: install it (e.g. pyenv install 3.12) or "
            "set PHYSGEN_WHEEL_PYTHON to its interpreter"
        )
    chapters = sn.chapters()
    for md in chapters:
        for path in (
            sn.launch_notebook(md),
            NBVAL_DIR / md.relative_to(ROOT).with_suffix(".ipynb"),
        ):
            if not path.exists():
                _missing(
                    f"no {path}: run `make test` (it builds the book, then "
                    "tools/nbval_prepare.py writes _build/nbval)"
                )

    # A fresh venv, installed as on Colab: TensorFlow first (Colab has it), then the
    # wheel with the extras the chapters need; every version pinned to requirements.txt.
    # nbval, pytest and pytest-xdist are the test's tools (Colab has ipykernel).
    venv = tmp_path / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True, timeout=300)
    vpython = venv / "bin" / "python"
    constraints = tmp_path / "constraints.txt"
    constraints.write_text(
        "\n".join(
            line
            for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith(("#", "-e"))
        )
        + "\n",
        encoding="utf-8",
    )
    _pip(
        vpython,
        "-c",
        str(constraints),
        "tensorflow",
        "ipykernel",
        "nbval",
        "pytest",
        "pytest-xdist",
    )
    _pip(vpython, "-c", str(constraints), f"physgen[ml,law] @ {wheel.as_uri()}")

    # Each chapter in its own folder outside the repository (nbval runs the kernel there).
    work = tmp_path / "chapters"
    real_venv = os.path.realpath(venv)
    for md in chapters:
        launch = json.loads(sn.launch_notebook(md).read_text(encoding="utf-8"))
        page = json.loads(
            (NBVAL_DIR / md.relative_to(ROOT).with_suffix(".ipynb")).read_text(encoding="utf-8")
        )
        try:
            nb = check_notebook(launch, page, root=str(ROOT.resolve()), venv=real_venv)
        except MappingError as exc:
            pytest.fail(f"{md.name}: {exc}")
        folder = work / md.stem
        folder.mkdir(parents=True)
        (folder / f"{md.stem}.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")

    env = {
        k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "PYTHONPATH", "VIRTUAL_ENV")
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    command = [
        str(vpython),
        "-m",
        "pytest",
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        str(NBVAL_SANITIZE),
        "--nbval-cell-timeout",
        "900",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        "--rootdir",
        str(work),
        "-n",
        "2",
        "--dist",
        "loadfile",
        str(work),
    ]
    print("\n" + " ".join(command), flush=True)
    result = subprocess.run(command, check=False, cwd=work, env=env, timeout=3600)
    assert result.returncode == 0, "nbval found differences or errors: see its report above"


def test_the_recorder_follows_either_source_of_glue():
    assert GLUE_DEFINED.search("x = 1\ndef glue(name, value, display=True):\n    pass")
    assert GLUE_DEFINED.search("from physgen.report import glue, glue_generator, md_table")
    assert GLUE_DEFINED.search("from physgen.report import md_table, glue")
    assert not GLUE_DEFINED.search("from physgen.report import glue_generator, md_table")
    assert not GLUE_DEFINED.search("# def glue( in a comment\nx = 1")


#: A call of glue() itself (not glue_generator(), not myst_glue(), not a comment).
GLUE_CALL = re.compile(r"^[^#\n]*(?<![\w.])glue\(", flags=re.MULTILINE)


def test_no_page_glues_in_the_cell_that_gets_glue():
    """The recorder goes in right after the cell that defines or imports glue(): a value
    glued in that very cell would run before it and go unrecorded, and nbval would fail
    only at the end of ``make test``. This finds it in a second."""
    offenders = []
    for md in sn.chapters(ROOT):
        for match in sn.code_cells(md.read_text(encoding="utf-8")):
            source = match.group(0)
            if GLUE_DEFINED.search(source):
                body = GLUE_DEFINED.sub("", source)
                if GLUE_CALL.search(body):
                    offenders.append(md.name)
                break
    assert offenders == [], f"glue() called in the cell that gets it: {offenders}"


def test_the_glue_call_pattern():
    assert GLUE_CALL.search("glue('x', 1)") and GLUE_CALL.search("y = 2; glue('x', y)")
    assert not GLUE_CALL.search("glue_generator('x', r)")
    assert not GLUE_CALL.search("myst_glue('x', 1)") and not GLUE_CALL.search("report.glue(1)")
    assert not GLUE_CALL.search("# glue() hands a value to the text")
    assert GLUE_CALL.search("# a comment\nglue('x', 1)  # and one after")
