# The two commands of the README: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run test install install-dev quality lock e2e faults bench bench-smoke screenshots clean

# The virtual environment and its installer, uv, itself locked with its hashes
# (requirements/tools.txt): it installs the lock files in 6 s where pip took 47.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: requirements/tools.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/tools.txt
	touch $@

# Installed from the lock files (exact versions, with hashes): a fresh machine gets what CI tested.
# pyproject.toml keeps the ranges; `make lock` turns them into the lock files again.
INSTALL := $(BIN)/uv pip install --quiet --python $(BIN)/python --require-hashes
$(VENV)/.installed: requirements/base.txt | $(BIN)/uv
	$(INSTALL) -r requirements/base.txt
	touch $@

$(VENV)/.installed-dev: requirements/dev.txt | $(BIN)/uv
	$(INSTALL) -r requirements/dev.txt
	touch $(VENV)/.installed $@

# Every Python these commands start keeps the bytecode of what it imports (Python's default),
# even where the machine sets PYTHONDONTWRITEBYTECODE: the suite starts some 200 Python
# processes, and each would otherwise compile again every module it imports. Compiling only
# what is imported, once, costs a quarter of compiling every installed file ahead (35 MB of
# the 146 MB of sources; docs/performance.md, eighth session).
unexport PYTHONDONTWRITEBYTECODE

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

## Run the platform on the embedded default (SQLite, in-memory layer, eager Celery).
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_referentiel
	$(BIN)/python manage.py load_demo
	# SITE_URL is the address served (emails' links, the CSP's WebSocket origin): PORT moves it.
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(BIN)/python manage.py runserver $(HOST):$(PORT)

## Lint, import boundaries, migrations, static files: the quality gate run before the tests.
quality: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# The boundaries between the rooms and the layers of consultations (pyproject.toml).
	$(BIN)/lint-imports
	# Checked on the embedded settings: no database has to exist for it.
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

## Every test: unit, integration, browser journeys, faults (against PostgreSQL + Redis if set),
## on TEST_WORKERS processes (pytest-xdist); the journeys on two, the bench on one, the faults
## and load on one, the backups on one (tests/conftest.py); the slow tests are sent first.
TEST_WORKERS ?= 3
test: quality
	$(BIN)/pytest -n $(TEST_WORKERS)

## Only the browser journeys (Chromium against a live production-like platform; needs PostgreSQL and Redis).
e2e: install-dev
	$(BIN)/pytest -m e2e

## A screenshot of every page of every role at 360 and 1280 px, under var/screenshots/
## (index.html to look at them); the embedded demo in a temporary folder, Debian's Chromium.
screenshots: install-dev
	$(BIN)/python -m tests.e2e.screenshots var/screenshots

## Only the fault and load tests (docs/pannes.md): private Redis and PostgreSQL on free ports.
faults: install-dev
	$(BIN)/pytest -m "faults or load"

## The performance bench (docs/performance.md): agglomeration-scale data in PostgreSQL, the
## production processes, wrk at 32 connections; needs PostgreSQL and Redis on 127.0.0.1.
bench: install-dev
	$(BIN)/python -m bench.runner $(BENCH_ARGS)

## The same at scale 0.01 and 1 s per measurement (what CI runs through tests/bench).
bench-smoke: install-dev
	$(BIN)/python -m bench.runner --smoke $(BENCH_ARGS)

## Lock the dependencies again from pyproject.toml's ranges (newest allowed versions, with hashes).
# One lock for every CPython 3.11 (--universal): what a dependency needs only below some
# release is kept with its marker (redis needs async-timeout before 3.11.3, and Debian 12's
# python3 is 3.11.2), so the same files install on this machine and on the commune's server.
# LOCK_UPGRADE= keeps the versions already locked (to add a package alone).
LOCK_UPGRADE ?= --upgrade
LOCK := $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--no-emit-index-url --custom-compile-command "make lock" $(LOCK_UPGRADE)
lock: install-dev
	$(LOCK) -o requirements/base.txt pyproject.toml
	$(LOCK) --extra dev -o requirements/dev.txt pyproject.toml
	$(LOCK) -o requirements/tools.txt requirements/tools.in

clean:
	rm -rf $(VENV) var
