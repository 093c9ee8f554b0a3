# The README's two commands:
#   make demo   set up, then run the built-in case on the embedded store
#   make test   set up everything the tests need (Python packages, Debian packages,
#               a local Neo4j 5.26 from Maven Central), then lint, type-check and test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo test lint

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: setup
	$(BIN)/graphkit demo

lint: setup
	$(BIN)/ruff check graphkit tests bench
	$(BIN)/ruff format --check graphkit tests bench
	$(BIN)/mypy graphkit

test: setup
	bash tests/run.sh
