# `make demo`: the examples against the local OCUS emulator. `make test`: every test, every language.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: help build demo test lint test-rust bench clean

help:
	@echo "make demo   - build, start the emulator, run the examples against it"
	@echo "make test   - lint and run every test in every language"
	@echo "make bench  - benchmarks (release builds)"

build:
	$(CARGO) build --locked -p ocus-mock -p ocus-cli

demo: build
	scripts/with-emulator -- scripts/demo.sh

test: lint test-rust

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

test-rust: build
	$(CARGO) test --locked --workspace

bench:
	$(CARGO) build --locked --release -p ocus-mock -p ocus-bench
	$(CARGO) run --locked --release -p ocus-bench

clean:
	$(CARGO) clean
