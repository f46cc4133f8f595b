# The README's commands. Each target installs what it needs on a fresh Debian machine.
SHELL := /bin/bash
PYTHON ?= python3
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-dejavu-extra poppler-utils zbar-tools
PYTEST_ARGS ?=

.PHONY: run serve test lint bench sysdeps venv translations messages clean

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
	$(BIN)/pybabel extract -q -F babel.cfg -k lazy_gettext -k _l --no-location --sort-output -o lms/translations/messages.pot .
	$(BIN)/pybabel update -q -i lms/translations/messages.pot -d lms/translations

run: sysdeps venv translations
	$(BIN)/flask --app lms db upgrade
	$(BIN)/flask --app lms seed
	@echo "Serving on http://127.0.0.1:$(PORT)"
	$(BIN)/flask --app lms run --host 127.0.0.1 --port $(PORT)

serve: sysdeps venv translations
	$(BIN)/flask --app lms db upgrade
	$(BIN)/gunicorn -c gunicorn.conf.py 'lms:create_app()'

test: sysdeps venv translations
	$(BIN)/python -m pytest -n 2 -q $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
