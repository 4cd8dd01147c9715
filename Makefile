# The README's two commands: `make run` and `make test`.
# CPython 3.12 or newer: in 3.11 a garbage collection can run while an object's __dict__ is being
# made and leave it corrupt; SQLAlchemy's instance states hit it and web workers die with SIGSEGV
# (README, "Why not 3.11").
SUPPORTED_PYTHON = import sys; sys.exit(not (sys.implementation.name == "cpython" and sys.version_info >= (3, 12)))
PYTHON ?= $(shell for p in python3.12 python3.13 python3.14 $$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null) python3; do \
	  $$p -c '$(SUPPORTED_PYTHON)' 2>/dev/null && { echo $$p; break; }; done)
ifneq ($(shell $(or $(PYTHON),false) -c '$(SUPPORTED_PYTHON)' 2>/dev/null && echo ok),ok)
$(error Outreach needs CPython 3.12 or newer; "$(PYTHON)" is not one, and none was found among python3.12, python3.13, pyenv's versions and python3. Install one, or name it: make PYTHON=/path/to/python3.12)
endif
VENV ?= .venv
BIN = $(VENV)/bin
# A virtual environment left from an unsupported interpreter is made anew.
_ := $(shell [ -x $(BIN)/python ] && ! $(BIN)/python -c '$(SUPPORTED_PYTHON)' 2>/dev/null && rm -rf $(VENV))
HOST ?= 127.0.0.1
, := ,
PORT ?= 5000

.PHONY: run test install install-test routes clean bench bench-smoke soak lint soak-reliability

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel

$(VENV)/.installed: setup.cfg setup.py | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: setup.cfg setup.py $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## Start the web app and the worker on SQLite with demo data (Ctrl-C stops both).
run: install
	$(BIN)/outreach db upgrade
	$(BIN)/outreach seed-demo
	@echo "Outreach is starting on http://$(HOST):$(PORT) with its worker; Ctrl-C stops both."
	@bash -c '$(BIN)/outreach worker & worker=$$!; trap "kill $$worker 2>/dev/null; wait $$worker 2>/dev/null" EXIT INT TERM; $(BIN)/outreach run --host $(HOST) --port $(PORT)'

## Run the whole suite (PostgreSQL runs too when OUTREACH_TEST_POSTGRES_URL is set).
test: install-test
	$(BIN)/pytest $(PYTEST_ARGS)

## Lint (ruff, configured in ruff.toml) and type-check core (mypy, configured in setup.cfg); CI runs both first.
lint: install-test
	$(BIN)/ruff check outreach bench tests
	$(BIN)/mypy

## The whole benchmark (long: generates large data sets, needs wrk and PostgreSQL); writes bench/RESULTS.md.
bench: install-test
	$(BIN)/python -m bench.run $(BENCH_ARGS)

## Tiny data, every benchmarked page once: proves the benchmark still runs (CI).
bench-smoke: install-test
	$(BIN)/python -m bench.run --smoke --dbs $(if $(OUTREACH_BENCH_POSTGRES_URL),sqlite$(,)postgres,sqlite)

## Soak: the benchmark's pages, 20,000 requests in one process on the large data set, under each
## interpreter named in SOAK_PYTHONS (default: the virtual environment's); fails on a crash or on growth.
soak: install-test
	$(BIN)/python -m bench.soak $(foreach p,$(or $(SOAK_PYTHONS),$(BIN)/python),--python $(p)) $(SOAK_ARGS)

## The reliability proofs' long forms (docs/RELIABILITY.md): more kill cycles, writes, reminders and races.
## Set OUTREACH_TEST_POSTGRES_URL for the PostgreSQL ones; OUTREACH_RELIABILITY_REPORT=DIR keeps the figures.
soak-reliability: install-test
	OUTREACH_SOAK=1 $(BIN)/pytest tests/reliability -s -p no:cacheprovider $(PYTEST_ARGS)

routes: install
	$(BIN)/outreach routes

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
