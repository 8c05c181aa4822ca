#!/usr/bin/env bash
# `make demo`: publish ~200k signed audit events (2% invalid, 2% duplicates) to a throwaway
# stream, run the pipeline until it has drained them, and show what happened.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${AUDITFLOW_BIN:-target/release/auditflow}
COUNT=${DEMO_EVENTS:-200000}

# Demo-only key and names: a fresh ledger database and stream every time.
export AUDIT_HMAC_KEY=${AUDIT_HMAC_KEY:-$(printf 'd3' | head -c 2; printf '%.0s6d' {1..31})}
export AUDITFLOW_DATABASE_URL=${AUDITFLOW_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/auditflow_demo}
export AUDITFLOW_STREAM=${AUDITFLOW_STREAM:-auditflow.demo.events}
export AUDITFLOW_LEDGER_KEY_FILE=${AUDITFLOW_LEDGER_KEY_FILE:-.demo/ledger.key}
export RUST_LOG=${RUST_LOG:-warn}
mkdir -p .demo

redis-cli -h 127.0.0.1 DEL "$AUDITFLOW_STREAM" "$AUDITFLOW_STREAM.dlq" >/dev/null
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS auditflow_demo WITH (FORCE)" >/dev/null

echo "== 1. a producer publishes $COUNT HMAC-signed events (2% invalid, 2% re-sent duplicates)"
"$BIN" emit --count "$COUNT" --invalid-ratio 0.02 --duplicate-ratio 0.02 --zones 5 --seed 1
echo
echo "== 2. auditflow verifies, dead-letters and commits them exactly once, then exits"
"$BIN" run --exit-when-drained
echo
echo "== 3. the ledger's hash chains are contiguous (one chain per shard)"
psql -h 127.0.0.1 -U postgres -d auditflow_demo -c "
  SELECT chain_id, count(*) AS rows, max(chain_seq) AS head_seq,
         bool_and(chain_seq = rn) AS contiguous
  FROM (SELECT chain_id, chain_seq, row_number() OVER (PARTITION BY chain_id ORDER BY chain_seq) AS rn
        FROM audit_events) c
  GROUP BY chain_id ORDER BY chain_id LIMIT 5;"
echo "== where to look next"
cat <<MSG
  ledger:   psql -h 127.0.0.1 -U postgres -d auditflow_demo -c "SELECT id, zone_id, event_type, decision, chain_id, chain_seq FROM audit_events WHERE decision = 'deny' LIMIT 5"
  DLQ:      redis-cli -h 127.0.0.1 XRANGE $AUDITFLOW_STREAM.dlq - + COUNT 3
  alerts:   psql -h 127.0.0.1 -U postgres -d auditflow_demo -c "SELECT * FROM audit_ingest_alerts"
  progress: psql -h 127.0.0.1 -U postgres -d auditflow_demo -c "SELECT * FROM audit_ingest_watermarks ORDER BY chain_id"
MSG
