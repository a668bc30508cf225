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
# Kernels started by the build and by nbval run the venv's Python (their kernelspec
# says "python"); debugpy's "frozen modules" notice stays out of the logs.
export PATH                 := $(CURDIR)/$(BIN):$(PATH)
export PYDEVD_DISABLE_FILE_VALIDATION := 1

# Notebook kernels must not inherit MPLBACKEND=Agg: ipykernel then keeps Agg instead of
# its inline backend and no figure reaches the page (glued figures lose their image).
NB_ENV := env -u MPLBACKEND

# Notebook execution cache (between local builds). CI always starts from an empty one.
JB_CACHE := _build/.jupyter_cache
# Every chapter notebook is re-run by nbval and compared output by output.
NBVAL_DIR := _build/nbval
NBVAL_OPTS := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
              --nbval-cell-timeout 600 -p no:randomly -p no:cacheprovider \
              -o addopts= -o testpaths=

.PHONY: all venv book test notebooks benchmarks chapter-times clean help

help:
	@echo "make book       build the site into _build/html (EDITION=student removes solutions)"
	@echo "make test       build, then run every test (unit, property, doctest, nbval, site checks)"
	@echo "make notebooks  regenerate the committed .ipynb twins of the chapters"
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
book: $(STAMP)
	@if [ "$$CI" = "true" ]; then echo "CI: emptying the execution cache $(JB_CACHE)"; rm -rf $(JB_CACHE); fi
	$(NB_ENV) $(BIN)/jupyter-book build . -W -n --keep-going --all

# Unit, property, doctest and site tests, then nbval over every chapter as built.
test: book
	$(BIN)/python -m pytest
	$(BIN)/python tests/nbval_prepare.py --out $(NBVAL_DIR)
	$(NB_ENV) $(BIN)/python -m pytest $(NBVAL_OPTS) $(NBVAL_DIR)

# Rewrites each chapter's Colab cell from _config.yml and regenerates the .ipynb twins.
notebooks: $(STAMP)
	$(BIN)/python tests/site_notebooks.py

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
