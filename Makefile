# `make demo` and `make test` are the two commands of the README's quick start: each installs
# what it needs first, so they work on a fresh clone.
PYTHON ?= python3
PIP := $(PYTHON) -m pip

.PHONY: install install-dev services demo test test-fast lint format bench

install:
	$(PIP) install -q -e .

install-dev:
	$(PIP) install -q -e ".[dev]"

services:
	bash scripts/services.sh

demo: install
	$(PYTHON) -m outagewatch demo

test: install-dev services
	$(PYTHON) -m pytest

test-fast: install-dev
	$(PYTHON) -m pytest -m "not slow and not browser and not postgres"

lint:
	ruff check .
	ruff format --check .

format:
	ruff check --fix .
	ruff format .

bench:
	$(PYTHON) benchmarks/ingest.py
