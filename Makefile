# Genba: `make run` serves the app with demo data; `make test` runs every test.
# Both set up what they need on a fresh Debian machine: a virtual environment with the
# Python packages, and the Debian packages below where they are missing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= data
HOST ?= 127.0.0.1
PORT ?= 8000
LOCK_FLAGS := --quiet --upgrade --strip-extras --generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links

# Chinese fonts and Pango for the PDFs; the browser and PDF readers for the tests.
DEB_RUN := fonts-noto-cjk fonts-noto-color-emoji libpango-1.0-0 libpangoft2-1.0-0
DEB_TEST := $(DEB_RUN) chromium poppler-utils nodejs nginx openssl

.PHONY: run test lint format lock deb-run deb-test clean

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

# Exact versions, checked by hash, from the lock files (regenerate them with `make lock`).
$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements-test.lock $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-test.lock
	touch $@

# Re-pin every dependency of pyproject.toml to its newest allowed version, with hashes; the
# runtime lock is held to the test lock's versions, so `make run` runs what `make test` tested.
lock:
	test -x .lockvenv/bin/pip-compile || ($(PYTHON) -m venv .lockvenv && .lockvenv/bin/pip install --quiet pip-tools)
	.lockvenv/bin/pip-compile $(LOCK_FLAGS) --extra test -o requirements-test.lock pyproject.toml
	.lockvenv/bin/pip-compile $(LOCK_FLAGS) -c requirements-test.lock -o requirements.lock pyproject.toml

deb-run:
	@sh scripts/deb-install.sh $(DEB_RUN)

deb-test:
	@sh scripts/deb-install.sh $(DEB_TEST)

clean:
	rm -rf $(VENV) .lockvenv .pytest_cache .ruff_cache .hypothesis
