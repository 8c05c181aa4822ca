# auditflow: the two commands a newcomer needs are `make demo` and `make test`.
CARGO ?= cargo
BIN := target/release/auditflow
BENCH := target/release/auditflow-bench
SHELL := /bin/bash

.PHONY: demo demo-cluster test services build check bench fmt fuzz-smoke image

demo: services build
	bash scripts/demo.sh

# Three processes as one cluster on this machine; one is killed mid-drain and restarted.
demo-cluster: services build
	bash scripts/demo-cluster.sh

# The binary the tests drive is the release build; the tests themselves build in the dev
# profile, which compiles in about a third of the time a release build of the test code takes.
# The image tests run the image `make image` builds (as Caracal's chart runs it).
test: services build image
	@mkdir -p target
	set -o pipefail; AUDITFLOW_BIN=$(CURDIR)/$(BIN) $(CARGO) test --workspace --no-fail-fast -- --test-threads 2 2>&1 | tee target/test.log
	@awk '/^test result:/ { p += $$4; f += $$6 } END { printf "tests: %d passed, %d failed\n", p, f; exit (f > 0 || p == 0) }' target/test.log
	$(MAKE) fuzz-smoke

# Each fuzz target for FUZZ_SECS seconds from its committed seed corpus (new inputs go to
# fuzz/target/fuzz-work, not the corpus). A long run: docs/reliability.md.
FUZZ_TARGETS := wire_decoder canonical_roundtrip config_files api_query
FUZZ_SECS ?= 10
# The smoke builds without optimisation (`--dev`, AddressSanitizer kept): ten seconds a target
# need coverage, not speed, and an optimised instrumented build of the whole dependency graph
# took 13 minutes of CI. A long run: `make fuzz-smoke FUZZ_PROFILE= FUZZ_SECS=3600`.
FUZZ_PROFILE ?= --dev
# nightly and cargo-fuzz are installed here rather than by `make services`, so that
# `make demo` on a fresh machine does not wait for them.
fuzz-smoke:
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	@cargo fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz --locked --quiet
	cd fuzz && cargo +nightly fuzz build $(FUZZ_PROFILE)
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  rm -rf target/fuzz-work/$$t && mkdir -p target/fuzz-work/$$t && \
	  cargo +nightly fuzz run $(FUZZ_PROFILE) $$t target/fuzz-work/$$t corpus/$$t -- -max_total_time=$(FUZZ_SECS) > target/fuzz-work/$$t.log 2>&1 \
	    || { tail -40 target/fuzz-work/$$t.log; echo "fuzz target $$t found a crash (fuzz/artifacts/$$t)"; exit 1; }; \
	  grep -h "DONE" target/fuzz-work/$$t.log | sed "s/^/fuzz $$t: /"; \
	done

services:
	bash scripts/services.sh

build:
	$(CARGO) build --release -p auditflow

# The container image (Containerfile) as localhost/auditflow:<version> and :latest, built with
# podman from bases made of Debian's packages (no container registry needed), and its SBOM
# in target/image/. With Docker and a registry: `docker build -f Containerfile .`.
image:
	bash scripts/image.sh

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
