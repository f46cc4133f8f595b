# The README's commands. Each target installs what it needs on a fresh Debian machine.
SHELL := /bin/bash
PYTHON ?= python3
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-dejavu-extra poppler-utils zbar-tools
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: run serve test lint bench sysdeps browserdeps venv translations messages clean

sysdeps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing system packages: $$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null || exit 1; \
	  else \
	    echo "Missing system packages. Run: sudo apt-get install -y $$missing"; exit 1; \
	  fi; \
	fi

# Chromium (Debian's) and axe-core for the browser tests; when they cannot be installed the
# browser tests are skipped with the reason printed, and everything else still runs.
browserdeps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing chromium"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null \
	      || echo "chromium could not be installed: browser tests will be skipped"; \
	  else echo "chromium is missing (sudo apt-get install chromium): browser tests will be skipped"; fi; \
	fi
	@if [ ! -f node_modules/axe-core/axe.min.js ]; then \
	  if command -v npm >/dev/null; then npm install --no-save --no-audit --no-fund --silent axe-core >/dev/null \
	    || echo "axe-core could not be installed: the accessibility test will be skipped"; \
	  else echo "npm is missing: the accessibility test will be skipped"; fi; \
	fi

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

venv: $(VENV)/.installed

translations: venv
	@$(BIN)/pybabel compile -d lms/translations >/dev/null 2>&1 || $(BIN)/pybabel compile -d lms/translations

messages: venv  ## re-extract the strings to translate and merge them into each catalog
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l --no-location --sort-output -o lms/translations/messages.pot .
	$(BIN)/pybabel update -i lms/translations/messages.pot -d lms/translations

run: sysdeps venv translations
	$(BIN)/flask --app lms db upgrade
	$(BIN)/flask --app lms seed
	@echo "Serving on http://127.0.0.1:$(PORT)"
	$(BIN)/flask --app lms run --host 127.0.0.1 --port $(PORT)

serve: sysdeps venv translations
	$(BIN)/flask --app lms db upgrade
	$(BIN)/gunicorn -c gunicorn.conf.py 'lms:create_app()'

test: sysdeps venv translations browserdeps
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Load, concurrency, crash, page-weight and data-at-scale figures against a floor measured in
# the same run (bench/README.md). Installs wrk, starts a throwaway PostgreSQL (bench/postgres.sh)
# when run as root, traffic to 127.0.0.1 only, about 3 minutes. BENCH_ARGS="--only 1,5" etc.
bench: sysdeps venv translations
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing wrk"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null || exit 1; \
	  else echo "wrk is missing (sudo apt-get install -y wrk): the throughput step is skipped"; fi; \
	fi
	$(BIN)/python -m bench.grading_speed
	$(BIN)/python -m bench.import_speed
	@if [ "$$(id -u)" = 0 ] && [ -z "$${LMS_TEST_DATABASE_URL:-}" ]; then \
	  source bench/postgres.sh && bench_pg_start && trap bench_pg_stop EXIT; \
	fi; \
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
