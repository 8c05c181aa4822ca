# auditflow: the two commands a newcomer needs are `make demo` and `make test`.
CARGO ?= cargo
BIN := target/release/auditflow

.PHONY: demo test services build check bench fmt

demo: services build
	bash scripts/demo.sh

test: services build
	AUDITFLOW_BIN=$(CURDIR)/$(BIN) $(CARGO) test --workspace -- --test-threads 2

services:
	bash scripts/services.sh

build:
	$(CARGO) build --release -p auditflow

check:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

bench: services build
	$(BIN) bench ingest
	$(CARGO) bench -p auditflow-benches

fmt:
	$(CARGO) fmt --all
