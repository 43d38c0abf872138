# Kinerja: `make run` to try it, `make test` to check it. Everything installs into .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# Every dependency, pinned with its hashes (`make lock` writes it from setup.cfg; docs/operations.md#dependencies).
LOCK := requirements/lock.txt
LOCK_EXTRAS := --extra dev --extra metrics --extra sentry

.PHONY: install static icons run serve db seed test test-sqlite test-dates test-postgres test-mariadb test-all lint migrations-check \
        translations extract-messages lock bench loadtest drills restore-drill clean

$(BIN)/activate:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Kinerja needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)

# The pinned, hash-checked dependencies first, then Kinerja itself without resolving anything again.
$(VENV)/.installed: $(BIN)/activate $(LOCK) setup.cfg pyproject.toml
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

install: $(VENV)/.installed translations static

# Content-hashed, precompressed (.gz, .br) copies of static/ in static/dist/ with their manifest, which the app and
# nginx serve with a year's caching (kinerja/assets/build.py); rebuilt when a static file changes.
STATIC_SOURCES := $(shell find static -type f -not -path 'static/dist/*' 2>/dev/null)
static/dist/manifest.json: $(VENV)/.installed $(STATIC_SOURCES) kinerja/assets/build.py
	$(BIN)/python -m kinerja.assets build

static: static/dist/manifest.json

# Cut the Bootstrap Icons font and stylesheet down to the icons the code uses (kinerja/assets/icons.py), after
# adding an icon; the subset is committed, and tests/test_static_assets.py says when it lacks one.
icons: $(VENV)/.installed
	$(BIN)/python -m kinerja.assets icons

# Each catalogue compiled only when its .po changed: CI starts suites while others run, and rewriting a .mo under
# a running test's feet could hand it half a file.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard kinerja/translations/*/LC_MESSAGES/messages.po))
kinerja/translations/%/LC_MESSAGES/messages.mo: kinerja/translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	@$(BIN)/pybabel -q compile -i $< -o $@

translations: $(CATALOGS)

# Re-pin every dependency (after changing setup.cfg, or to take updates): pip-compile from pip-tools resolves
# setup.cfg's requirements and extras and writes each version with the hashes of its files. Review the diff.
lock: $(BIN)/activate
	$(BIN)/pip install --quiet --disable-pip-version-check "pip-tools>=7.4"
	$(BIN)/pip-compile --quiet --upgrade --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links \
	  $(LOCK_EXTRAS) --output-file $(LOCK) setup.cfg
	rm -f $(VENV)/.installed

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

# The calendar-sensitive tests (marked `calendar`) with the clock at a Saturday, cuti bersama, late evening UTC,
# New Year's night, Ramadan, a month's last day and 29 February (tests/dates.py; `python -m tests.dates --all`
# runs the whole suite at each of them).
test-dates: install
	$(BIN)/python -m tests.dates

test-postgres: install
	KINERJA_TEST_DB=postgresql $(BIN)/pytest

test-mariadb: install
	KINERJA_TEST_DB=mariadb $(BIN)/pytest

test-all: test test-dates test-postgres test-mariadb migrations-check

lint: install
	$(BIN)/ruff check .

migrations-check: install
	$(BIN)/python -m tests.migrations_check sqlite postgresql mariadb

bench: install
	$(BIN)/python -m bench

# The month-end load test on gunicorn + PostgreSQL + Redis, then SQLite (bench/loadtest): 2,000 staff arriving
# over a 20-minute window on each database.
loadtest: install
	$(BIN)/python -m bench.loadtest --db both --run-time 20m --out loadtest.md

# Fault drills on private PostgreSQL and Redis servers (drills/; about 8 minutes).
drills: install
	$(BIN)/python -m drills

# Backup into an archive and restore into fresh databases of each kind, then compare (drills/restore_drill.py).
restore-drill: install
	$(BIN)/python -m drills.restore_drill --source sqlite --target postgresql
	$(BIN)/python -m drills.restore_drill --source postgresql --target mariadb

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info static/dist
