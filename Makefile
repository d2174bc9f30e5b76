# Two commands: `make run` (install, migrate, load the Lamphun demo, serve) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
MANAGE := $(BIN)/python manage.py
export DJANGO_SETTINGS_MODULE ?= creditbank.settings.local

.PHONY: install run test test-fast e2e lint format bench messages worker beat clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	@echo ""
	@echo "Serving the Lamphun demo on http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	$(MANAGE) runserver $(HOST):$(PORT)

test: install
	DJANGO_SETTINGS_MODULE=creditbank.settings.test $(BIN)/python -m pytest -q -m "not e2e" $(PYTEST_ARGS)

e2e: install
	DJANGO_SETTINGS_MODULE=creditbank.settings.test $(BIN)/python -m pytest -q -m e2e tests/e2e $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=creditbank.settings.test $(MANAGE) makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install
	$(MANAGE) makemessages -l th -l en --ignore=.venv --ignore=var --ignore=bench --ignore=tests
	$(MANAGE) compilemessages --ignore=.venv

bench: install
	$(BIN)/python bench/web.py

worker: install
	$(BIN)/celery -A creditbank worker --loglevel=INFO

beat: install
	$(BIN)/celery -A creditbank beat --loglevel=INFO

clean:
	rm -rf $(VENV) var/creditbank.sqlite3* var/media var/staticfiles
