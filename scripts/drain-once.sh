#!/usr/bin/env bash
# Drains the stream $STREAM (preloaded) once, into a fresh database, with a fresh consumer
# group: one run of the TLS-against-plain comparison in docs/benchmarks.md, timed whole
# (`/usr/bin/time -v`). The sslmode comes from the environment (AUDITFLOW_DATABASE_SSLMODE).
# Usage: STREAM=auditflow.bench.tls scripts/drain-once.sh
set -euo pipefail
bin=${AUDITFLOW_BIN:-target/release/auditflow}
name="af_tls_$$_$RANDOM"
export AUDITFLOW_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$name"
export AUDIT_HMAC_KEY=${AUDIT_HMAC_KEY:-6b65796b65796b65796b65796b65796b65796b65796b65796b65796b65796b6579}
export AUDITFLOW_LEDGER_KEY_FILE=target/bench/ledger.key AUDITFLOW_EXPORT_SIGNING_KEY_FILE=target/bench/export.key
export AUDITFLOW_EXPORT_URL="file://$PWD/target/bench/archive-$name" AUDITFLOW_LISTEN=127.0.0.1:0 RUST_LOG=warn
trap 'psql -q -o /dev/null -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" postgres >/dev/null 2>&1; rm -rf "target/bench/archive-$name"; redis-cli XGROUP DESTROY "$STREAM" "$name" >/dev/null' EXIT
"$bin" run --stream "$STREAM" --group "$name" --exit-when-drained >/dev/null
