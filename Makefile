# `make demo`: the examples against the local OCUS emulator. `make test`: every test, every language.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CARGO ?= cargo
PYTHON ?= python3
export CARGO_TERM_COLOR ?= never

PY_VENV := target/py-venv
PY := $(PY_VENV)/bin/python

# Every test and the demo talk to the emulator's release build (`build` makes it): in a debug
# build the emulator, not the client, was the bottleneck (Node's memory test: 77 s against 20 s
# with the same 450,000 requests). The fault-injected load test keeps its own (`--profile`).
export OCUS_MOCK_BIN ?= $(CURDIR)/target/release/ocus-mock

.PHONY: test-lane-languages test-lane-packages test-rust-build release-job-linux windows-check windows-tools jvm-install bench-jvm jvm-lib jvm-generate jvm-check-generated test-jvm help generate build demo test test-readme test-registry docs lint load load-drivers test-load fuzz soak proxy-tools dist dist-all dist-check dist-check-all registry-check dist-host check-platforms qemu-tools test-dist test-rust go-lib test-c test-go python-install test-python node-install test-node bench bench-rust bench-python bench-node bench-go bench-syscalls bench-idle clean

help:
	@echo "make demo   - build, start the emulator, run the examples against it"
	@echo "make test   - lint and run every test in every language"
	@echo "make bench  - benchmarks (release builds)"
	@echo "make generate - rewrite the files generated from the core (then commit them)"

# Files generated from the core (error-kind tables of every language, the C header); their
# tests fail when a committed copy is stale.
generate: jvm-generate
	$(CARGO) run --locked -q -p ocus-codegen
	OCUS_BLESS=1 $(CARGO) test --locked -q -p ocus-ffi --test header

# One cargo invocation over the same package set as test-rust, so dependencies are built
# once with the same features and the tests reuse them.
# The JVM crates are built by jvm-lib (release: what the jar carries) and jvm-check-generated.
RUST_PACKAGES := --workspace --exclude ocus-python --exclude ocus-node --exclude ocus-jvm --exclude uniffi-bindgen

build:
	$(CARGO) build --locked $(RUST_PACKAGES)
	$(CARGO) build --locked --release -p ocus-mock

demo: build go-lib python-install node-install jvm-install
	scripts/with-emulator -- scripts/demo.sh

# `make test`: lint, then every build (they keep both cores busy), then the tests in two lanes
# at once: the languages' suites one after another in one, the packages and the API docs in the
# other (installs, registries and doc tools: mostly waiting, and nothing there is timed). The
# lanes share no build (-o: what the build phase made is not made again, so no reinstall runs
# under a suite that uses it), and what one lane writes the other does not read (bindings-jvm:
# dokka reads only the sources; the example folders are copied without their caches).
# Each lane's output is printed whole when it ends.
TEST_BUILDS := build go-lib python-install node-install jvm-lib jvm-install load-drivers proxy-tools test-rust-build
TEST_LANGUAGES := test-rust test-c test-go test-python test-node test-jvm test-load test-readme
TEST_PACKAGES := test-dist test-registry docs
# A recipe's environment is made at its first line: the sub-makes would inherit CGO_CFLAGS with
# the library checksum from before go-lib ran (and `?=` keeps an inherited value). Unless the
# caller set it, each sub-make works it out again.
FRESH_CGO = $(if $(filter file,$(origin CGO_CFLAGS)),env -u CGO_CFLAGS)
test:
	$(MAKE) lint
	$(FRESH_CGO) $(MAKE) $(TEST_BUILDS)
	$(FRESH_CGO) $(MAKE) -j2 --output-sync=target test-lane-languages test-lane-packages

# Not a recursive line to make (no literal $(MAKE)): so -Otarget holds each lane's output
# whole; the sub-make's "-j1 forced in submake" warning is that.
LANE := $(MAKE) -j1 $(addprefix -o ,$(TEST_BUILDS) $(PY))
test-lane-languages:
	$(LANE) $(TEST_LANGUAGES)
test-lane-packages:
	$(LANE) $(TEST_PACKAGES)

# The Rust tests' binaries, built with the rest (test-rust then only runs them).
test-rust-build:
	$(CARGO) test --locked --no-run $(RUST_PACKAGES)

# The API reference of every language, each built by its own tool, warning-free, into
# target/docs: rustdoc (core; missing docs are errors), pdoc (the installed package; every
# public name must have a docstring), TypeDoc (index.d.ts; every export documented), and for
# Go revive's `exported` rule (a comment, starting with the name, on every exported name) and
# `go doc -all`.
# With the workspace-hack beside it, ocus's dependencies resolve to the features lint's clippy
# checked them with, and are not checked again (alone: 26 s of a cold make test, now 9).
docs: python-install node-install jvm-lib
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --locked --no-deps -p ocus -p workspace-hack
	$(PY) scripts/check_python_docs.py
	$(PY) -W error -m pdoc ocus -o target/docs/python
	cd bindings-node && node_modules/.bin/typedoc
	cd bindings-go-ffi/go && go run github.com/mgechev/revive@v1.17.0 -config revive.toml ./...
	mkdir -p target/docs/go && cd bindings-go-ffi/go && go doc -all . > ../../target/docs/go/ocus.txt \
	  && go doc -all ./webhooks > ../../target/docs/go/webhooks.txt
	# Kotlin/Java: Dokka; any public name without KDoc fails (but an enum's compiler-made members).
	set -o pipefail; cd bindings-jvm && $(MVN) dokka:dokka 2>&1 | tee ../target/jvm-docs.log | grep -E 'Undocumented|BUILD|ERROR' \
	  | { ! grep -vE 'Undocumented: .*/(values|valueOf|entries)/|BUILD SUCCESS'; }
	mkdir -p target/docs && rm -rf target/docs/jvm && cp -r bindings-jvm/target/dokka target/docs/jvm
	@echo "docs: target/doc/ocus (Rust), target/docs/python, target/docs/node, target/docs/go, target/docs/jvm"

# The packages test-dist made, installed with the commands users type (pip install ocus, npm
# install ocus, go get) from local registries on loopback.
test-registry: test-dist
	python3 scripts/registry_check.py

# Every code block of the READMEs, run as written against the emulator (scripts/readme_test.py).
test-readme: build go-lib python-install node-install jvm-install
	scripts/with-emulator -- python3 scripts/readme_test.py

lint:
	scripts/check-tracked-files
	$(CARGO) fmt --all -- --check
	# The command a Rust contributor types: every crate of the workspace, bindings and fuzz included.
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings
	@test -z "$$(gofmt -l bindings-go-ffi/go examples/go)" || { gofmt -l bindings-go-ffi/go examples/go; echo "gofmt: files above need formatting"; exit 1; }
	# The release workflow, which cannot run here: actionlint (a Go module, pinned) checks it.
	GOBIN=$(CURDIR)/target/tools/go-bin go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
	target/tools/go-bin/actionlint .github/workflows/release.yml

# A real proxy for the proxy tests (scripts/with-proxy runs it around each language's tests).
proxy-tools:
	@command -v tinyproxy >/dev/null || { apt-get update -qq && apt-get install -y -qq tinyproxy >/dev/null; }
WITH_PROXY := scripts/with-proxy --

test-rust: build proxy-tools
	$(WITH_PROXY) $(CARGO) test --locked $(RUST_PACKAGES)

# ---- C ABI and Go: the static library, a C program under valgrind, the Go package ------------
FFI_LIB := target/release/libocus_ffi.a
# From `rustc --print native-static-libs` (glibc); the .a is linked by full path.
FFI_LDLIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc

# The Go module links internal/ffi/lib/<goos>_<goarch>/libocus_ffi.a and includes
# internal/ffi/include/ocus.h: here they point at the fresh build (a published module carries
# copies, see `make dist`).
GO_FFI := bindings-go-ffi/go/internal/ffi
# Go's build cache does not hash a library that cgo links by path, so after a Rust change go
# test and go build kept linking the previous build. A C flag naming the library's checksum
# (written by go-lib) makes a new library a new build.
export CGO_CFLAGS ?= -O2 -g -DOCUS_FFI_LIB_CHECKSUM=$(shell cat $(CURDIR)/target/go-lib.checksum 2>/dev/null)
go-lib:
	$(CARGO) build --locked --release -p ocus-ffi
	cksum < $(FFI_LIB) | cut -d' ' -f1 > target/go-lib.checksum
	mkdir -p $(GO_FFI)/lib/$$(go env GOOS)_$$(go env GOARCH) $(GO_FFI)/include
	ln -sfn $(CURDIR)/$(FFI_LIB) $(GO_FFI)/lib/$$(go env GOOS)_$$(go env GOARCH)/libocus_ffi.a
	ln -sfn $(CURDIR)/bindings-go-ffi/include/ocus.h $(GO_FFI)/include/ocus.h

test-c: build go-lib
	gcc -Wall -Wextra -Werror -std=c11 -D_DEFAULT_SOURCE -o target/ffi_test bindings-go-ffi/c/ffi_test.c \
	  -Ibindings-go-ffi/include $(FFI_LIB) $(FFI_LDLIBS)
	scripts/with-emulator -- sh -c 'valgrind --quiet --leak-check=full --show-possibly-lost=no --errors-for-leak-kinds=definite \
	  --error-exitcode=1 target/ffi_test "$$OCUS_BASE_URL"'
	# The same program with AddressSanitizer (and its leak checker) on the C side.
	gcc -Wall -Wextra -Werror -std=c11 -D_DEFAULT_SOURCE -fsanitize=address -fno-omit-frame-pointer -g \
	  -o target/ffi_test_asan bindings-go-ffi/c/ffi_test.c -Ibindings-go-ffi/include $(FFI_LIB) $(FFI_LDLIBS)
	scripts/with-emulator -- sh -c 'ASAN_OPTIONS=detect_leaks=1 target/ffi_test_asan "$$OCUS_BASE_URL"'

test-go: build go-lib proxy-tools
	cd bindings-go-ffi/go && go vet ./... && ../../$(WITH_PROXY) go test -race -count=1 ./...
	# The memory test, without the race detector (leak_test.go says why).
	cd bindings-go-ffi/go && go test -count=1 -run 'TestNoSteadyMemoryGrowth|TestSteadySlope' .
	# OpenTelemetry's bridge, a module of its own (its dependencies stay out of ocus-go).
	cd bindings-go-ffi/go/ocusotel && go vet ./... && go test -count=1 ./...
	cd examples/go && go vet ./... && go build -o /dev/null ./...
	cd examples/go/otel-console && go vet ./...

# ---- Python: installed into a fresh venv the way a user installs it -----------------------
$(PY): bindings-python/requirements-test.txt
	$(PYTHON) -m venv $(PY_VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r bindings-python/requirements-test.txt
	touch $(PY)

python-install: $(PY)
	$(PY) -m pip install -q --force-reinstall --no-deps ./bindings-python

test-python: build python-install proxy-tools
	$(WITH_PROXY) $(PY) -m pytest bindings-python/tests -q -p no:cacheprovider
	cd examples/python && ../../$(PY) -m mypy --strict --no-incremental --cache-dir=/dev/null .
	$(PY) -m mypy.stubtest ocus._ocus --allowlist bindings-python/stubtest-allowlist.txt

# ---- Node.js: examples/node installs the package by path, as another project would ---------
NPM_CI := npm ci --no-audit --no-fund --loglevel=error

node-install:
	cd bindings-node && $(NPM_CI)
	rm -f bindings-node/ocus.node
	cd examples/node && $(NPM_CI)
	@test -f bindings-node/ocus.node || { echo "installing the package by path did not build the addon"; exit 1; }

test-node: build node-install proxy-tools
	# One malloc arena: with one per thread, glibc's RSS grew ~18 MiB over the first ~300k
	# requests before it levelled off, which the leak test cannot tell from a leak in the window
	# it can afford (seen here; with one arena the same run is flat). Measured before the
	# addon's own allocations moved to mimalloc; Node's still go to glibc.
	MALLOC_ARENA_MAX=1 OCUS_CONSUMER_DIR=$(CURDIR)/examples/node $(WITH_PROXY) node --expose-gc --test bindings-node/test/

# ---- JVM (Kotlin and Java): the uniffi library, its generated Kotlin, the jar (Maven) --------
# JNA looks for a native library under <os>-<arch>/ on the classpath: the jar carries it there.
JNA_ARCH := $(if $(filter aarch64 arm64,$(shell uname -m)),aarch64,x86-64)
JVM_NATIVE := bindings-jvm/target/native/linux-$(JNA_ARCH)
JVM_GENERATED := bindings-jvm/src/main/kotlin/io/ocus/internal/ocus_jvm.kt
MVN := mvn -B --no-transfer-progress -Dstyle.color=never
# Maven's own lines for tests and the result; everything is in target/jvm-*.log.
MVN_SUMMARY := grep -E --line-buffered 'Tests run:|FAIL|ERROR|BUILD|Installing.*\.jar'

jvm-lib:
	$(CARGO) build --locked --release -p ocus-jvm
	mkdir -p $(JVM_NATIVE) && cp target/release/libocus_jvm.so $(JVM_NATIVE)/

# The Kotlin uniffi generates from the library (committed; jvm-check-generated fails when stale).
# JVM_GENERATED_FROM records the checksums of everything it is made from and of the file
# itself: while they match, the file is what the generator would write, and the check skips
# building uniffi-bindgen (its own dependency tree: ~110 s of a cold `make test`). Any change
# (the exported Rust, the locked version of uniffi or of a crate that shapes its output, the
# file edited by hand) runs the generator and compares. Of Cargo.lock only those packages
# count: with the whole file, any unrelated lock change cost CI the build (1f41a2d did).
JVM_GENERATED_FROM := bindings-jvm/generated-from.sha256
JVM_GENERATOR_PACKAGES := uniffi[a-z_]*|askama[a-z_]*|winnow|heck|textwrap|smawk
jvm_generated_inputs = { awk '/^\[\[package\]\]/ { keep = 0 } /^name = "($(JVM_GENERATOR_PACKAGES))"$$/ { keep = 1 } keep' Cargo.lock \
    | sha256sum | sed 's,-$$,Cargo.lock: $(JVM_GENERATOR_PACKAGES),'; \
  sha256sum bindings-jvm/Cargo.toml bindings-jvm/uniffi.toml $$(ls bindings-jvm/src/*.rs) \
    bindings-jvm/uniffi-bindgen/Cargo.toml bindings-jvm/uniffi-bindgen/src/main.rs $(JVM_GENERATED); }
jvm-generate: jvm-lib
	rm -rf target/jvm-gen
	$(CARGO) run --locked -q -p uniffi-bindgen -- generate target/release/libocus_jvm.so --language kotlin --out-dir target/jvm-gen --no-format
	cp target/jvm-gen/io/ocus/internal/ocus_jvm.kt $(JVM_GENERATED)
	$(jvm_generated_inputs) > $(JVM_GENERATED_FROM)

jvm-check-generated: jvm-lib
	@if $(jvm_generated_inputs) | diff -q - $(JVM_GENERATED_FROM) >/dev/null; then \
	  echo "$(JVM_GENERATED): made from these sources ($(JVM_GENERATED_FROM))"; \
	else \
	  echo "$(JVM_GENERATED_FROM) does not match: generating to compare"; \
	  rm -rf target/jvm-gen && \
	  $(CARGO) run --locked -q -p uniffi-bindgen -- generate target/release/libocus_jvm.so --language kotlin --out-dir target/jvm-gen --no-format && \
	  { diff -q target/jvm-gen/io/ocus/internal/ocus_jvm.kt $(JVM_GENERATED) >/dev/null || \
	    { echo "$(JVM_GENERATED) is stale: run make generate and commit it"; exit 1; }; } && \
	  echo "the generated file is current; make generate refreshes $(JVM_GENERATED_FROM)"; \
	fi

# The jar (with this machine's native library) in the local Maven repository, for the examples.
jvm-install: jvm-lib
	cd bindings-jvm && $(MVN) -q install -DskipTests

# The scenario runner and the binding's tests (JUnit 5), then the jar installed into the local
# Maven repository, as `mvn install` leaves it for other projects.
test-jvm: build jvm-lib jvm-check-generated proxy-tools
	set -o pipefail; cd bindings-jvm && ../$(WITH_PROXY) $(MVN) install 2>&1 | tee ../target/jvm-test.log | $(MVN_SUMMARY)

# ---- fuzzing (cargo-fuzz on nightly; not in CI): FUZZ_RUNS executions per target, then the
# corpus is minimised and committed; `make test` replays it on stable (cargo test -p ocus-fuzz).
# A crasher goes to fuzz/regressions/<target>/ once fixed.
FUZZ_RUNS ?= 1000000
FUZZ_TARGETS := error_body webhook options c_abi project_text
fuzz:
	rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked --version 0.13.2
	for target in $(FUZZ_TARGETS); do \
	  cargo +nightly fuzz run --features libfuzzer -O $$target -- -runs=$(FUZZ_RUNS) -max_len=4096 2>&1 | grep -E 'DONE|Done|SUMMARY|crash-' || exit 1; \
	  cargo +nightly fuzz cmin --features libfuzzer -O $$target >/dev/null 2>&1 || exit 1; \
	done
	# Inputs that file(1) takes for an executable or archive read as build outputs to repository
	# checks: the few such random byte strings are dropped rather than committed.
	for input in fuzz/corpus/*/*; do \
	  case "$$(file -b "$$input")" in *ELF*|*executable*|*object*|*archive*|*compiled*|*PE32*|*COFF*|*Mach-O*) rm "$$input" ;; esac; \
	done

# ---- the fault-injected load test (tests/load/run.py): every language against one emulator --
load-drivers: go-lib python-install node-install
	cd bindings-go-ffi/go && go build -o $(CURDIR)/target/ocus-load-go ./internal/loaddriver

# 1,000 calls at 256 in flight per language, debug builds (in make test).
test-load: build load-drivers
	$(CARGO) build --locked -p ocus-bench
	python3 tests/load/run.py --calls 1000 --profile debug all

# 10,000 calls at 256 in flight per language, release builds; the table is the closing note's.
load: load-drivers
	$(CARGO) build --locked --release -p ocus-mock -p ocus-bench
	python3 tests/load/run.py --calls 10000 --profile release all

# All four languages at once for SOAK_MINUTES (default 30), sampled every 30 s (not in CI).
soak: load-drivers
	$(CARGO) build --locked --release -p ocus-mock -p ocus-bench
	python3 tests/load/soak.py

# ---- packages: every artifact from one version (scripts/dist.py), checked as users install them
dist:
	python3 scripts/dist.py

dist-all: windows-tools
	python3 scripts/dist.py --all

# The packages in dist/ installed with no cargo on PATH, then each one's README followed by a
# new user against local registries (registry_check.py: the install line as typed, every code
# block under ocus-mock).
dist-check:
	python3 scripts/dist_check.py
	python3 scripts/registry_check.py

dist-check-all: dist-all check-platforms qemu-tools windows-check
	python3 scripts/dist_check.py
	python3 scripts/registry_check.py
	python3 scripts/release.py check --built-here

# The release workflow's Linux job, its steps run here in order (scripts/release.py job).
release-job-linux:
	python3 -m venv target/dist-venv
	target/dist-venv/bin/pip install -q -r scripts/dist-requirements.txt
	target/dist-venv/bin/python scripts/release.py job linux

# The C ABI and the CLI built for Windows (x86_64-pc-windows-gnu, mingw-w64) and run under Wine
# against the emulator: a listing, a typed error, a verified webhook (scripts/windows_check.py).
windows-check: windows-tools
	$(CARGO) build --locked --release -p ocus-mock
	python3 scripts/windows_check.py

# What windows-check needs: Debian's mingw-w64 and wine64, and the Rust target.
windows-tools:
	@command -v x86_64-w64-mingw32-gcc >/dev/null && command -v wine >/dev/null || \
	  { sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$sudo apt-get update -q && $$sudo apt-get install -y -q mingw-w64 wine64; }
	rustup target add x86_64-pc-windows-gnu

# `pip install ocus`, `npm install ocus`, `go get` as users will type them, against local
# registries (pypiserver, verdaccio, a GOPROXY=file:// tree) serving dist/ (after make dist).
registry-check:
	python3 scripts/registry_check.py

# What dist-check needs to run the aarch64 artifacts: qemu-user and Debian's aarch64 cross gcc.
qemu-tools:
	@command -v qemu-aarch64 >/dev/null && command -v aarch64-linux-gnu-gcc >/dev/null || \
	  { sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$sudo apt-get update -q && $$sudo apt-get install -y -q qemu-user crossbuild-essential-arm64; }

# This machine's platform with its own toolchain (the release runners for macOS and Windows;
# on Linux, a host build that makes no manylinux claim). Check it with `make dist-check`.
dist-host:
	python3 scripts/dist.py --host

# Windows and macOS are built by .github/workflows/release.yml; here every crate is checked
# and linted for them (cargo-zigbuild clippy, no link).
check-platforms:
	python3 scripts/dist.py --check-platforms

# The native packages from this tree's release builds, installed and used with no cargo on PATH
# (the glibc-age and wheel-tag claims are checked by `make dist dist-check`).
test-dist: build go-lib python-install node-install
	python3 scripts/dist.py --quick
	python3 scripts/dist_check.py

# ---- benchmarks ---------------------------------------------------------------------------
bench: bench-rust bench-python bench-node bench-go bench-jvm bench-syscalls bench-idle

# System calls and context switches per request of each binding and its native peer, at 1 and
# 50 in flight (strace -f -c; counts, which do not move with the machine's state as times do).
bench-syscalls: go-lib python-install node-install
	$(CARGO) build --locked --release -p ocus-mock -p ocus-bench
	@command -v strace >/dev/null && test -x /usr/bin/time || { sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$sudo apt-get update -q && $$sudo apt-get install -y -q strace time; }
	$(PYTHON) bench/syscalls.py

bench-rust:
	$(CARGO) build --locked --release -p ocus-mock -p ocus-bench
	target/release/ocus-bench

bench-python: python-install
	$(CARGO) build --locked --release -p ocus-mock -p ocus-bench
	$(PY) bench/python_bench.py
	$(PY) bench/otel_bench.py
	$(PYTHON) bench/many_in_flight.py python

bench-node: node-install
	$(CARGO) build --locked --release -p ocus-mock -p ocus-bench
	node bench/node_bench.js
	node bench/otel_bench.js

BENCHSTAT := golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

bench-go: go-lib
	$(CARGO) build --locked --release -p ocus-mock
	cd bindings-go-ffi/go && OCUS_MOCK_BIN=$(CURDIR)/target/release/ocus-mock \
	  go test -run '^$$' -bench . -count 6 > $(CURDIR)/target/go-bench.txt
	go run $(BENCHSTAT) -col /client target/go-bench.txt
	grep -E '^Benchmark(Cgo|FFI)' target/go-bench.txt
	$(PYTHON) bench/many_in_flight.py go
	# OpenTelemetry: ocus+ocusotel beside net/http+otelhttp, one SDK setup for both.
	cd bindings-go-ffi/go/ocusotel && OCUS_MOCK_BIN=$(CURDIR)/target/release/ocus-mock \
	  go test -run '^$$' -bench 'OpenTelemetry|Plumbing' -count 6 > $(CURDIR)/target/go-otel-bench.txt
	go run $(BENCHSTAT) -col /client target/go-otel-bench.txt

# The JVM package against java.net.http and OkHttp (bindings-jvm/src/test/kotlin/io/ocus/bench).
bench-jvm: jvm-lib
	$(CARGO) build --locked --release -p ocus-mock
	cd bindings-jvm && $(MVN) -q test-compile org.codehaus.mojo:exec-maven-plugin:3.6.4:exec -Dexec.executable=java -Dexec.classpathScope=test \
	  "-Dexec.args=-Xms256m -Xmx256m -cp %classpath io.ocus.bench.BenchKt"
	cd bindings-jvm && $(MVN) -q org.codehaus.mojo:exec-maven-plugin:3.6.4:exec -Dexec.executable=java -Dexec.classpathScope=test \
	  "-Dexec.args=-Xms256m -Xmx256m -cp %classpath io.ocus.bench.OtelBenchKt"

# What an idle client costs in each language (process CPU over 60 s, beside the runtime alone).
bench-idle: python-install node-install go-lib jvm-lib
	$(CARGO) build --locked --release -p ocus-mock
	$(PYTHON) bench/idle_cpu.py

clean:
	$(CARGO) clean
