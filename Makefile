# Kinerja: `make run` to try it, `make test` to check it. Everything installs into .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run serve db seed test test-sqlite test-postgres test-mariadb test-all lint migrations-check \
        translations extract-messages bench clean

$(BIN)/activate:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Kinerja needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/activate setup.cfg pyproject.toml
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	@$(BIN)/pybabel -q compile -d kinerja/translations

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -o kinerja/translations/messages.pot .
	$(BIN)/pybabel -q update -i kinerja/translations/messages.pot -d kinerja/translations

db: install
	$(FLASK) db upgrade

seed: db
	$(FLASK) seed-demo

run: seed
	@echo "Kinerja berjalan di http://$(HOST):$(PORT)  (Ctrl+C untuk berhenti)"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/pytest

test-sqlite: test

test-postgres: install
	KINERJA_TEST_DB=postgresql $(BIN)/pytest

test-mariadb: install
	KINERJA_TEST_DB=mariadb $(BIN)/pytest

test-all: test test-postgres test-mariadb migrations-check

lint: install
	$(BIN)/ruff check .

migrations-check: install
	$(BIN)/python -m tests.migrations_check sqlite postgresql mariadb

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
