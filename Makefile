# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
HOST ?= 127.0.0.1
, := ,
PORT ?= 5000

.PHONY: run test install install-test routes clean bench bench-smoke

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

## The whole benchmark (long: generates large data sets, needs wrk and PostgreSQL); writes bench/RESULTS.md.
bench: install-test
	$(BIN)/python -m bench.run $(BENCH_ARGS)

## Tiny data, every benchmarked page once: proves the benchmark still runs (CI).
bench-smoke: install-test
	$(BIN)/python -m bench.run --smoke --dbs $(if $(OUTREACH_BENCH_POSTGRES_URL),sqlite$(,)postgres,sqlite)

routes: install
	$(BIN)/outreach routes

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
