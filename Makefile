# Two commands set everything up on a fresh machine (see README):
#   make run    build the warehouse from sample data (or $FINOPS_LANDING_DIR) into $FINOPS_DUCKDB_PATH
#   make test   lint, parse, then the whole test suite (dbt build with every test, pytest)
# Both install the locked environments first (uv, pinned; nothing needs to be installed by hand).

SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.8
# uv from PATH when it is the pinned version, else a private copy installed with pip.
UV := $(shell command -v uv >/dev/null 2>&1 && uv --version 2>/dev/null | grep -q ' $(UV_VERSION)' && command -v uv || echo $(CURDIR)/.venv-tools/bin/uv)
# focus-validator needs Python 3.12 (pyenv provides it on these machines).
PYTHON312 ?= $(shell PYENV_VERSION=$$(pyenv versions --bare 2>/dev/null | grep '^3\.12\.' | tail -n 1) pyenv which python3.12 2>/dev/null || command -v python3.12)
export FINOPS_DUCKDB_PATH ?= $(CURDIR)/warehouse.duckdb
export UV_NO_PROGRESS := 1
RUN := $(UV) run --no-sync
ROWS ?= 10000000
MONTHS ?= 3

.PHONY: help install validator-env run test lint docs bench clean

help:
	@echo "make run     build the warehouse (sample data unless FINOPS_LANDING_DIR is set)"
	@echo "make test    lint + dbt parse + pytest (builds a test warehouse, runs every dbt test and the FOCUS validator)"
	@echo "make docs    serve the dbt docs site on http://localhost:8080"
	@echo "make bench ROWS=10000000 MONTHS=3   benchmark full, incremental and no-change builds against one plain DuckDB pass (RESUME=1: go on after a stop)"

$(CURDIR)/.venv-tools/bin/uv:
	python3 -m venv $(CURDIR)/.venv-tools
	$(CURDIR)/.venv-tools/bin/python -m pip install --quiet uv==$(UV_VERSION)

install: $(UV)
	$(UV) sync --locked --quiet

validator-env: $(UV)
	@test -n "$(PYTHON312)" || { echo "error: Python 3.12 is needed for focus-validator; install it (pyenv install 3.12) or set PYTHON312=/path/to/python3.12"; exit 2; }
	$(UV) sync --locked --quiet --project tools/focus-validator --python $(PYTHON312)

run: install
	$(RUN) finops build

lint: install
	$(RUN) sqlfluff lint models analyses tests

test: install validator-env lint
	$(RUN) dbt parse --project-dir . --profiles-dir . --quiet
	$(RUN) pytest

docs: install
	$(RUN) dbt docs serve --project-dir . --profiles-dir . --port 8080

bench: install
	$(RUN) finops bench --rows $(ROWS) --months $(MONTHS) $(if $(RESUME),--resume)

clean:
	rm -rf target logs .cache .bench landing/sample warehouse.duckdb warehouse.data
