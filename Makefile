# Two commands on a fresh machine:
#   make book   -> creates .venv, installs the pinned requirements and physgen, builds the site
#   make test   -> the same set-up, then runs every test
# Both reuse .venv and skip the install when requirements.txt and pyproject.toml are unchanged.

PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
# full (solutions collapsed under each exercise) or student (solutions removed)
EDITION ?= full

# Keep TensorFlow quiet before anything imports it; deterministic hashing.
export TF_CPP_MIN_LOG_LEVEL := 3
export TF_USE_LEGACY_KERAS  := 1
export PYTHONHASHSEED       := 0
export MPLBACKEND           := Agg
export PHYSGEN_EDITION      := $(EDITION)
# The same numbers on every x86-64 machine, so that a page built here, in CI and on an
# instructor's fork agrees with its committed launch notebook: TensorFlow's own kernels
# instead of oneDNN's (chosen per CPU), and NumPy's and OpenBLAS's code paths fixed
# instead of picked per CPU (AVX-512 kernels round differently, and training turns a last
# bit into a different early-stopping epoch). book/teaching.md: Reproducible numbers.
export TF_ENABLE_ONEDNN_OPTS := 0
ifeq ($(shell uname -m),x86_64)
export NPY_DISABLE_CPU_FEATURES := SSSE3 SSE41 POPCNT SSE42 AVX F16C FMA3 AVX2 AVX512F AVX512CD \
    AVX512_KNL AVX512_KNM AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL AVX512_SPR
export OPENBLAS_CORETYPE := Haswell
endif
# Training progress bars (physgen._progress) stay off the built pages and their re-runs.
export PHYSGEN_PROGRESS     := 0
# Kernels started by the build and by nbval run the venv's Python (their kernelspec
# says "python"); debugpy's "frozen modules" notice stays out of the logs.
export PATH                 := $(CURDIR)/$(BIN):$(PATH)
export PYDEVD_DISABLE_FILE_VALIDATION := 1

# Notebook kernels must not inherit MPLBACKEND=Agg: ipykernel then keeps Agg instead of
# its inline backend and no figure reaches the page (glued figures lose their image).
NB_ENV := env -u MPLBACKEND

# Notebook execution cache (between local builds). CI always starts from an empty one.
JB_CACHE := _build/.jupyter_cache
# The pages' outputs, glue records restored (tools/nbval_prepare.py), for nbval to compare.
NBVAL_DIR := _build/nbval

# Translated editions: each is built from the same pages and the same execution cache
# into _build/html/<language>/ (tools/build_edition.py; book/teaching.md: Translations).
LANGUAGES ?= zh_CN

# Browser tests: Chromium (Debian's package), Java (for the Nu HTML checker) and
# the npm packages of tests/browser (installed here when missing or outdated;
# --ignore-scripts: vnu-jar's install script would download a Java runtime).
BROWSER := tests/browser
NPM_STAMP := $(BROWSER)/node_modules/.package-lock.json

.PHONY: all venv book translations test unit lint browser-tools notebooks benchmarks chapter-times clean help

help:
	@echo "make book       build the site into _build/html (EDITION=student removes solutions)"
	@echo "make translations  refresh the catalogues locales/<language>/LC_MESSAGES/book/<page>.po after an English edit"
	@echo "make test       build, then run every test (unit, property, doctest, site, browser; the launch notebooks from the wheel under nbval)"
	@echo "make unit       the package's unit tests alone: no book build, no network training (< 1 min)"
	@echo "make lint       compileall, ruff (lint, format) and mypy on the package"
	@echo "make notebooks  rewrite the Colab cells, build, and copy the launch notebooks to the committed .ipynb twins"
	@echo "make benchmarks run the benchmark scripts and print their tables"
	@echo "make chapter-times  measure each chapter's run time into benchmarks/results/chapters.txt (book/teaching.md)"
	@echo "make clean      remove _build (keeps .venv)"

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

# -W -n --keep-going: every warning (and every missing reference) is reported, then the
# build fails. --all re-reads every page, so warnings of unchanged pages are never
# hidden by an incremental build; outputs still come from the execution cache.
# tools/execute_chapters.py first runs the chapters not yet cached, one per core, into the
# execution cache that the build then reads (each chapter still runs exactly once).
book: $(STAMP)
	@if [ "$$CI" = "true" ]; then echo "CI: emptying the execution cache $(JB_CACHE)"; rm -rf $(JB_CACHE); fi
	$(NB_ENV) $(BIN)/python tools/execute_chapters.py
	$(NB_ENV) $(BIN)/jupyter-book build . -W -n --keep-going --all
	@for lang in $(LANGUAGES); do \
	  echo "Building the $$lang edition into _build/html/$$lang (execution cache only)"; \
	  $(NB_ENV) $(BIN)/python tools/build_edition.py html --language $$lang || exit 1; \
	done

# Message templates from the English pages (execution off: no code output is a message),
# then each translated edition's catalogues updated with sphinx-intl: changed messages
# become fuzzy, new ones empty, for a translator to review (book/teaching.md).
translations: $(STAMP)
	@for lang in $(LANGUAGES); do \
	  $(NB_ENV) $(BIN)/python tools/build_edition.py translations --language $$lang || exit 1; \
	done

# Each chapter executes twice in `make test`, never more:
#  1. the book build (`book`), whose outputs the site publishes;
#  2. tests/test_wheel.py::test_launch_notebooks_run_from_the_wheel: the launch notebook
#     (what Colab opens), from the built wheel installed in a fresh Python 3.12 venv,
#     outside the repository, without myst-nb, under nbval, which compares every output
#     (glued numbers included) with the build's. Two chapters at a time (2 cores).
# The second run is the check itself: nbval proves the published outputs come again
# from a new process, and only a run of the installed wheel proves the wheel works;
# a single execution could show neither.
test: lint book browser-tools
	$(BIN)/python -m pytest -m "not chapter_run"
	$(BIN)/python tools/nbval_prepare.py --out $(NBVAL_DIR)
	$(NB_ENV) $(BIN)/python -m pytest -s -m chapter_run tests/test_wheel.py

# The package's own tests: no book, no browser, no network training.
unit: lint
	$(BIN)/python -m pytest -m "not slow and not site and not chapter_run" --ignore=$(BROWSER)

# The package compiles without warnings, passes ruff (lint and format; rules in
# pyproject.toml) and mypy.
lint: $(STAMP)
	$(BIN)/python -W error -m compileall -q physgen
	$(BIN)/ruff check physgen benchmarks
	$(BIN)/ruff format --check physgen benchmarks
	$(BIN)/mypy

browser-tools: $(NPM_STAMP)
	@command -v java >/dev/null 2>&1 || echo "make: Java not found: the Nu HTML checker test will be skipped; install Java 11 or later (Debian: apt-get install -y default-jre-headless)"
	@[ -x "$${PHYSGEN_CHROMIUM:-/usr/bin/chromium}" ] || echo "make: Chromium not found: the browser tests will be skipped; install it (Debian: apt-get install -y chromium)"

$(NPM_STAMP): $(BROWSER)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix $(BROWSER) --ignore-scripts --no-audit --no-fund --loglevel=error; \
	else \
	  echo "make: npm not found: the browser tests will be skipped; install Node.js and npm (Debian: apt-get install -y nodejs npm)"; \
	fi

# Rewrites each chapter's Colab cell from _config.yml, builds the book, and copies the
# launch notebooks it wrote (_build/launch) to the committed .ipynb twins.
notebooks: $(STAMP)
	$(BIN)/python tools/site_notebooks.py colab
	$(MAKE) book
	$(BIN)/python tools/site_notebooks.py twins

benchmarks: $(STAMP)
	@for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

# The chapter-timing table that book/teaching.md includes: the benchmark's own output
# (commit the file). Written only when the benchmark succeeds.
chapter-times: $(STAMP)
	@mkdir -p benchmarks/results
	$(BIN)/python benchmarks/chapters.py > benchmarks/results/chapters.txt.tmp
	@mv benchmarks/results/chapters.txt.tmp benchmarks/results/chapters.txt
	@cat benchmarks/results/chapters.txt

clean:
	rm -rf _build
