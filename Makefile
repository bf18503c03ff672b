# 客服台账 — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
WEB_CONCURRENCY ?= 2
BIND ?= 127.0.0.1:$(PORT)
FLASK := $(BIN)/flask --app admin_app

.PHONY: run test install lint migrate seed bench serve load

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

# Issue #7: a production start. The app refuses a missing or development SECRET_KEY here
# (KEFU_ENV defaults to production, so the migration step checks it too, before touching the database).
serve: install
	KEFU_ENV=$${KEFU_ENV:-production} $(FLASK) db upgrade
	KEFU_ENV=$${KEFU_ENV:-production} exec $(BIN)/gunicorn --workers $(WEB_CONCURRENCY) --bind $(BIND) \
		$(GUNICORN_ARGS) 'admin_app:create_app()'

test: install
	$(BIN)/ruff check .
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

# Issue #7: the pages at 10k and 1M rows on SQLite and PostgreSQL (long: about two hours on 2 cores).
bench: install
	$(BIN)/python -m bench --rows 10000,1000000 --backend both --json-out bench/results.json $(BENCH_ARGS)

# Issue #7: mixed traffic against gunicorn on a fresh PostgreSQL database, 60 s (LOAD_ARGS=--seconds 30 …).
load: install
	$(BIN)/python -m bench.traffic $(LOAD_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check models views admin_app seed tests
