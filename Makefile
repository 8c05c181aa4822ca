# auditflow: the two commands a newcomer needs are `make demo` and `make test`.
CARGO ?= cargo
BIN := target/release/auditflow
BENCH := target/release/auditflow-bench
SHELL := /bin/bash

.PHONY: demo demo-cluster test services build check bench fmt

demo: services build
	bash scripts/demo.sh

# Three processes as one cluster on this machine; one is killed mid-drain and restarted.
demo-cluster: services build
	bash scripts/demo-cluster.sh

test: services build
	@mkdir -p target
	set -o pipefail; AUDITFLOW_BIN=$(CURDIR)/$(BIN) $(CARGO) test --workspace --no-fail-fast -- --test-threads 2 2>&1 | tee target/test.log
	@awk '/^test result:/ { p += $$4; f += $$6 } END { printf "tests: %d passed, %d failed\n", p, f; exit (f > 0 || p == 0) }' target/test.log

services:
	bash scripts/services.sh

build:
	$(CARGO) build --release -p auditflow

check:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# Every benchmark, end to end then the criterion micro-benchmarks; each writes its JSON
# under target/bench/. One alone: `target/release/auditflow-bench <name> --help`.
bench: services build
	$(CARGO) build --release -p auditflow-benches
	$(BENCH) ingest
	$(BENCH) export
	$(BENCH) tamper
	$(BENCH) views
	$(BENCH) search
	$(CARGO) bench -p auditflow-benches

fmt:
	$(CARGO) fmt --all
