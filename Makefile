# 客服台账 — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app admin_app

.PHONY: run test install lint migrate seed bench

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed

run: seed
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install
	$(BIN)/ruff check .
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

# Issue #7: the pages at 10k and 1M rows on SQLite and PostgreSQL (long: about two hours on 2 cores).
bench: install
	$(BIN)/python -m bench --rows 10000,1000000 --backend both --json-out bench/results.json $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check models views admin_app seed tests
