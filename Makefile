# The two commands of the README: `make run` and `make test`; `make stack` runs it as production does,
# `make bench` prints the figures at scale (bench/README.md). Everything else is what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
DEMO_PASSWORD ?= annotate-demo
PYTEST_ARGS ?=
STACK_ARGS ?=
BENCH_ARGS ?=

.PHONY: install run stack test lint chromium check-python bench clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'

$(BIN)/.installed: pyproject.toml | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

# Browser tests drive Debian's Chromium; install it when it is missing and we may (root, apt).
chromium:
	@if ! command -v chromium >/dev/null 2>&1 && [ -z "$$PLAYWRIGHT_CHROMIUM" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing: install it (apt-get install chromium) or set PLAYWRIGHT_CHROMIUM to a Chromium binary."; exit 1; fi; \
	fi

run: install
	$(BIN)/python manage.py demo --password '$(DEMO_PASSWORD)'
	@echo ""
	@echo "  Open http://$(HOST)/ and log in as editor1 (also editor2, reviewer, manager, admin)"
	@echo "  with the password $(DEMO_PASSWORD). The background worker runs beside the server; Ctrl+C stops both."
	@echo ""
	@# The background worker (documents from web pages and files, imports of marks, webhooks) beside the server; Ctrl+C stops both.
	@$(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST)

# PostgreSQL of its own in .stack/, two gunicorn processes with DEBUG off; Ctrl+C stops it all (README).
stack: install
	$(BIN)/python scripts/stack.py --password '$(DEMO_PASSWORD)' $(STACK_ARGS)

test: install chromium
	$(BIN)/python manage.py makemigrations --check --dry-run >/dev/null
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Lint, format and types: ruff and mypy (with django-stubs), as configured in pyproject.toml. `ruff format .` and
# `ruff check --fix .` fix most of what they find.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# SQLite in a temporary folder by default; with DATABASE_URL set, that database (flushed first).
# BENCH_ARGS='--quick' for a small run, '--skip-browser' without Chromium.
bench: install chromium
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .hypothesis
