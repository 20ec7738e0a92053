# `make demo`: the examples against the local OCUS emulator. `make test`: every test, every language.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CARGO ?= cargo
PYTHON ?= python3
export CARGO_TERM_COLOR ?= never

PY_VENV := target/py-venv
PY := $(PY_VENV)/bin/python

.PHONY: help build demo test lint test-rust python-install test-python node-install test-node bench bench-rust bench-python bench-node clean

help:
	@echo "make demo   - build, start the emulator, run the examples against it"
	@echo "make test   - lint and run every test in every language"
	@echo "make bench  - benchmarks (release builds)"

build:
	$(CARGO) build --locked -p ocus-mock -p ocus-cli

demo: build python-install node-install
	scripts/with-emulator -- scripts/demo.sh

test: lint test-rust test-python test-node

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --all-targets -- -D warnings
	$(CARGO) clippy --locked -p ocus-python -p ocus-node --all-targets -- -D warnings

test-rust: build
	$(CARGO) test --locked --workspace --exclude ocus-python --exclude ocus-node

# ---- Python: installed into a fresh venv the way a user installs it -----------------------
$(PY): bindings-python/requirements-test.txt
	$(PYTHON) -m venv $(PY_VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r bindings-python/requirements-test.txt
	touch $(PY)

python-install: $(PY)
	$(PY) -m pip install -q --force-reinstall --no-deps ./bindings-python

test-python: build python-install
	$(PY) -m pytest bindings-python/tests -q -p no:cacheprovider
	cd examples/python && ../../$(PY) -m mypy --strict --no-incremental .
	$(PY) -m mypy.stubtest ocus._ocus --allowlist bindings-python/stubtest-allowlist.txt

# ---- Node.js: examples/node installs the package by path, as another project would ---------
NPM_CI := npm ci --no-audit --no-fund --loglevel=error

node-install:
	cd bindings-node && $(NPM_CI)
	rm -f bindings-node/ocus.node
	cd examples/node && $(NPM_CI)
	@test -f bindings-node/ocus.node || { echo "installing the package by path did not build the addon"; exit 1; }

test-node: build node-install
	OCUS_CONSUMER_DIR=$(CURDIR)/examples/node node --expose-gc --test bindings-node/test/

# ---- benchmarks ---------------------------------------------------------------------------
bench: bench-rust bench-python bench-node

bench-rust:
	$(CARGO) build --locked --release -p ocus-mock -p ocus-bench
	target/release/ocus-bench

bench-python: python-install
	$(CARGO) build --locked --release -p ocus-mock -p ocus-bench
	$(PY) bench/python_bench.py

bench-node: node-install
	$(CARGO) build --locked --release -p ocus-mock -p ocus-bench
	node bench/node_bench.js

clean:
	$(CARGO) clean
