# Awn's two commands:  `make run` (set up everything and start Awn on SQLite)  and  `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run setup test test-sqlite test-postgres lint worker clean

run: setup  ## install, migrate, load the demo marketplace, start the server
	$(BIN)/awn run

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: setup  ## the whole suite: lint, then tests on SQLite, then on PostgreSQL when it is reachable (required when CI=true)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/awn makemigrations --check --dry-run
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

test-sqlite: setup
	AWN_DATABASE_URL= $(BIN)/python -m pytest

test-postgres: setup
	@if $(BIN)/python scripts/pg_ready.py "$(PG_URL)"; then \
		AWN_DATABASE_URL="$(PG_URL)" $(BIN)/python -m pytest; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL at $(PG_URL) is unreachable and CI=true: a skipped database is not a pass" >&2; exit 1; \
	else \
		echo "PostgreSQL at $(PG_URL) is unreachable: skipping the PostgreSQL run (CI would fail here)"; \
	fi

worker: setup
	$(BIN)/awn worker

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
