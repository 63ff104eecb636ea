# socecon: two commands on a fresh machine (only Python needed):
#   make reports   set up .venv and produce the reports for the participating municipalities
#   make test      set up .venv and run the test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: setup test lint lint-ci reports data benchmarks clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m pylint socecon
	$(VENV)/bin/actionlint examples/ci/*.yml
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m pylint socecon

# The example workflow users copy (examples/ci/), checked by actionlint (a dev dependency).
lint-ci: $(STAMP)
	$(VENV)/bin/actionlint examples/ci/*.yml

data: $(STAMP)
	$(VENV)/bin/socecon data build

reports: $(STAMP)
	$(VENV)/bin/socecon run

benchmarks: $(STAMP)
	for b in benchmarks/bench_*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) reports/*.html reports/logs .pytest_cache .ruff_cache
