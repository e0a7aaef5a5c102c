# Genba: `make run` serves the app with demo data; `make test` runs every test.
# Both set up what they need on a fresh Debian machine: a virtual environment with the
# Python packages, and the Debian packages below where they are missing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= data
HOST ?= 127.0.0.1
PORT ?= 8000

# Chinese fonts and Pango for the PDFs; the browser and PDF readers for the tests.
DEB_RUN := fonts-noto-cjk fonts-noto-color-emoji libpango-1.0-0 libpangoft2-1.0-0
DEB_TEST := $(DEB_RUN) chromium poppler-utils nodejs

.PHONY: run test lint format deb-run deb-test clean

run: $(VENV)/.installed deb-run
	$(BIN)/genba serve --demo --data $(DATA) --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test deb-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n auto --dist loadgroup

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

deb-run:
	@sh scripts/deb-install.sh $(DEB_RUN)

deb-test:
	@sh scripts/deb-install.sh $(DEB_TEST)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
