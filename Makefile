# Quick start: `make report` (main job on the bundled real data), `make test` (test suite without
# the long end-to-end tests), `make test-slow` (those tests only).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= out
# test workers of `make test` (pytest-xdist): the 2 cores of the reference machine
WORKERS ?= 2

.PHONY: report test test-slow lint bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e ".[test,dev]"
	touch $(VENV)/.installed $@

report: $(VENV)/.installed
	$(BIN)/nqpf report --out $(OUT)

# WORKERS processes (pytest-xdist); --dist loadfile keeps each test file, and so its module-scoped
# fixtures (studies run once per module, boundary reads), in one worker.
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -m "not slow" -n $(WORKERS) --dist loadfile src tests

# One process: under pytest-xdist each worker would start its own workbench server, browser and
# Spark JVM. pytest exits with 5 when nothing is marked slow: not a failure
test-slow: $(VENV)/.installed-test
	$(BIN)/python -m pytest -m slow src tests || [ $$? -eq 5 ]

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

bench: $(VENV)/.installed-test
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) $(OUT) build src/*.egg-info
