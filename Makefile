# wattshare: the two set-up commands are `make demo` and `make test`; both install what they need.
SHELL := /bin/bash
JOBS ?= 2
BIN := build/bin/wattshare
FUZZ_RUNS ?= 20000
# ccache hits across clones in any folder: paths under the clone are hashed as relative ones, and
# the build folder itself is not part of the hash (debug info may name another clone's path).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: all build web demo test bench fuzz clean setup-build setup-test setup-bench

all: build

setup-build:
	@scripts/setup build
setup-test:
	@scripts/setup test
setup-bench:
	@scripts/setup bench

# Release build; leaves the CLI at build/bin/wattshare and the dashboard in web/dist.
build: setup-build web
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

# The dashboard (Vite + Preact + uPlot) from the npm registry, versions pinned by the lock file.
web:
	@cd web && npm ci --no-audit --no-fund --loglevel=error >/dev/null && npx vite build --logLevel warn

# The main job on the embedded, emulated community: the sample houses trading energy in real
# time x60 with the sharing engine, history in ./wattshare-data, the operator API on
# http://127.0.0.1:4382 (the URL and the write token are printed), until Ctrl-C.
demo: build
	@$(BIN) demo --config examples/apis-sample/demo-community.json --port 4382 --acceleration 60

# Every test, under AddressSanitizer + UBSan, then a short run of every fuzz target.
test: setup-test web
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@ctest --preset asan -j $(JOBS)
	@$(MAKE) --no-print-directory fuzz

# libFuzzer targets (clang); FUZZ_RUNS inputs each from the seed corpus.
fuzz: setup-test
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)
	@scripts/run-fuzzers build/fuzz/bin $(FUZZ_RUNS)

bench: setup-bench build
	@scripts/run-bench

clean:
	rm -rf build web/dist web/node_modules
