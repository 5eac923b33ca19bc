# Two commands for a fresh machine (see README):
#   make demo   set up, get the default data, build the warehouse, print headline figures
#   make test   set up and run the whole test suite
# Offline machines: set TALENTFLOW_MIRROR to a folder holding paperlists/ (e.g. ../shared/data).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DB     ?= out/demo.duckdb
EXTRAS ?= dev

.PHONY: setup system-deps demo test test-fast bench clean docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# one stamp per set of extras: .installed-dev (make setup/test), .installed-app (make demo)
$(VENV)/.installed-%: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[$*]"
	touch $@

setup: $(VENV)/.installed-$(EXTRAS)

# the demo needs the core and the app extra (it ends by writing the report): no Spark, no test tools
demo: $(VENV)/.installed-app
	mkdir -p out
	$(BIN)/talentflow demo --db $(DB)

# System packages some tests need (Debian's chromium for browser tests, a JRE for Spark);
# without them (no root, no apt) those tests skip. CI installs them strictly in .ci/run.
system-deps:
	@for s in scripts/ensure_*.sh; do bash $$s || echo "note: $$s failed; the tests that need it will skip"; done

test: setup system-deps
	$(BIN)/python -m pytest -q -p no:cacheprovider

# The inner loop: everything but the Spark (JVM), real-browser (chromium) and slow (whole mirror,
# API fuzzing) tests; markers set in tests/conftest.py. `make test` runs them all.
test-fast: setup
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "not spark and not browser and not slow"

bench: setup
	$(BIN)/python bench/run.py

docs: setup
	$(BIN)/talentflow schema > docs/schema.md
	$(BIN)/python -m talentflow.cli.reference > docs/cli.md

clean:
	rm -rf out .pytest_cache
