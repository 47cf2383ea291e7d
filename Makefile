# Chumchon developer commands. Every target runs scripts/setup.sh first, so a fresh machine works.
#   make run [PORT=8000]   set up, migrate, load the demo data, serve on http://127.0.0.1:$(PORT)/
#   make test              lint, format check, migrations check, pytest on SQLite, pytest on PostgreSQL
#   make test-fast         lint + pytest on SQLite only
#   make bench             python -m bench against a throwaway PostgreSQL cluster (if bench/ exists)
#   make lint | format | messages | clean

PORT ?= 8000
VENV := .venv/bin
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# `make test` settings must not depend on var/secret_key or a local database.
TEST_ENV := DJANGO_SETTINGS_MODULE=config.settings.test

.PHONY: help setup setup-test run test test-fast bench lint format messages clean

help:
	@sed -n '2,7p' Makefile | sed 's/^# \{0,1\}//'

setup:
	bash scripts/setup.sh run

# Adds PostgreSQL 15 and chromium (Debian packages) for the test suite.
setup-test:
	bash scripts/setup.sh test

run:
	PORT=$(PORT) bash scripts/run.sh

# setup.sh also compiles the .po files (the .mo files are not committed).
# pytest exit code 5 (no tests collected) fails the target on purpose.
test: setup-test
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(TEST_ENV) $(VENV)/python manage.py makemigrations --check --dry-run
	@echo "== pytest on SQLite (not postgres-marked tests)"
	$(TEST_ENV) $(VENV)/pytest -m "not postgres"
	@echo "== pytest on PostgreSQL 15 (whole suite)"
	$(TEST_ENV) bash scripts/pgtest.sh

test-fast: setup-test
	$(VENV)/ruff check .
	$(TEST_ENV) $(VENV)/pytest -m "not postgres"

# Placeholder until bench/ exists: then `python -m bench` runs with DATABASE_URL pointing at a
# throwaway PostgreSQL cluster (scripts/pgtest.sh --run) and test settings (DEBUG off).
bench: setup-test
	@if [ -d bench ]; then \
	  DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.test} \
	    bash scripts/pgtest.sh --run $(VENV)/python -m bench; \
	else \
	  echo "make bench: no bench/ package yet: nothing to run"; \
	fi

lint: setup
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .

format: setup
	$(VENV)/ruff format .
	$(VENV)/ruff check --fix .

messages: setup
	mkdir -p locale
	$(TEST_ENV) $(VENV)/python manage.py makemessages -l th -l en \
	  --ignore .venv --ignore node_modules --ignore var --ignore static_root
	$(TEST_ENV) $(VENV)/python manage.py compilemessages \
	  --ignore .venv --ignore node_modules --ignore var --ignore static_root

# Removes only the local SQLite database files (and their journal/WAL side files); keeps
# var/secret_key, var/media and the logs.
clean:
	@shopt -s nullglob; files=(var/*.sqlite3 var/*.sqlite3-journal var/*.sqlite3-wal var/*.sqlite3-shm); \
	if [ $${#files[@]} -eq 0 ]; then echo "clean: no var/*.sqlite3"; else rm -v -f -- "$${files[@]}"; fi
