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
export AUDITFLOW_LEDGER_HEAD_KEY_FILE=${AUDITFLOW_LEDGER_HEAD_KEY_FILE:-.demo/ledger-head.key}
export AUDITFLOW_EXPORT_SIGNING_KEY_FILE=${AUDITFLOW_EXPORT_SIGNING_KEY_FILE:-.demo/export.key}
ARCHIVE_DIR=$PWD/.demo/export
export AUDITFLOW_EXPORT_URL=${AUDITFLOW_EXPORT_URL:-file://$ARCHIVE_DIR}
export RUST_LOG=${RUST_LOG:-warn}
mkdir -p .demo

redis-cli -h 127.0.0.1 DEL "$AUDITFLOW_STREAM" "$AUDITFLOW_STREAM.dlq" >/dev/null
# The commit journal of the last demo's ledger (docs/reliability.md, "Postgres failover").
redis-cli -h 127.0.0.1 --scan --pattern "$AUDITFLOW_STREAM:auditflow:*" | xargs -r redis-cli -h 127.0.0.1 DEL >/dev/null
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS auditflow_demo WITH (FORCE)" >/dev/null
rm -rf "$ARCHIVE_DIR"

echo "== 1. a producer publishes $COUNT HMAC-signed events (2% invalid, 2% re-sent duplicates)"
"$BIN" emit --count "$COUNT" --invalid-ratio 0.02 --duplicate-ratio 0.02 --zones 5 --seed 1
echo
echo "== 2. auditflow verifies, dead-letters, commits them exactly once, archives them as Parquet, then exits"
"$BIN" run --exit-when-drained --listen "${AUDITFLOW_LISTEN:-127.0.0.1:0}"
echo
echo "== 3. the ledger is tamper-evident: every row re-hashed, chains, HMACs and signed heads checked,"
echo "       and compared with the archive's signed manifests; then the database's grants and triggers"
"$BIN" verify --against-archive
"$BIN" verify --privileges
echo
echo "== 4. the archive: Hive-partitioned Parquet in $ARCHIVE_DIR, checked against the ledger"
"$BIN" verify-export
echo
DUCK_QUERY="SELECT zone_id, event_date, count(*) AS events, count(*) FILTER (WHERE decision = 'deny') AS denied
FROM read_parquet('$ARCHIVE_DIR/audit_events/**/*.parquet', hive_partitioning = true)
GROUP BY ALL ORDER BY ALL LIMIT 10"
echo "== 5. DuckDB reads it:"
echo "$DUCK_QUERY"
if python3 -c 'import duckdb' 2>/dev/null; then
  python3 -c 'import duckdb, sys; duckdb.sql(sys.argv[1]).show()' "$DUCK_QUERY"
else
  echo "(pip install duckdb to run it here)"
fi
echo
REQ=$(psql -h 127.0.0.1 -U postgres -d auditflow_demo -Atc "SELECT request_id FROM request_traces WHERE final_decision = 'deny' AND event_count > 1 ORDER BY request_id LIMIT 1")
echo "== 6. why was request $REQ denied? (the live request-trace view)"
"$BIN" trace "$REQ"
echo
echo "== 7. did the revocations propagate? (the live revocation view: newest 5, then the violations)"
"$BIN" revocations --limit 5
"$BIN" revocations --violations --limit 5
echo
echo "== 8. retention, dry run: months past 365 days are dropped unless held or not yet archived (here:"
echo "       none is that old, so every month is kept); the next three months are created"
"$BIN" retention apply --dry-run --by demo > .demo/retention.txt
head -3 .demo/retention.txt; echo "  …"; tail -3 .demo/retention.txt
echo
echo "== where to look next"
cat <<MSG
  ledger:   psql -h 127.0.0.1 -U postgres -d auditflow_demo -c "SELECT id, zone_id, event_type, decision, chain_id, chain_seq FROM audit_events WHERE decision = 'deny' LIMIT 5"
  DLQ:      redis-cli -h 127.0.0.1 XRANGE $AUDITFLOW_STREAM.dlq - + COUNT 3
  views:    $BIN trace <request-id>; $BIN revocations --violations   (docs/views.md)
  tamper:   $BIN verify --help   (docs/tamper-evidence.md: what is detected and what is out of reach)
  alerts:   psql -h 127.0.0.1 -U postgres -d auditflow_demo -c "SELECT * FROM audit_ingest_alerts"
  archive:  find $ARCHIVE_DIR -name '*.parquet' | head; cat $ARCHIVE_DIR/_auditflow/manifests/chain=0000/m0000000001.json
  athena:   $BIN export athena-ddl --location s3://your-bucket/auditflow
  holds:    $BIN legal-hold add --zone zone-1 --from 2026-01-01T00:00:00Z --until 2026-02-01T00:00:00Z --reason "case 1" --by you; $BIN retention history
  progress: psql -h 127.0.0.1 -U postgres -d auditflow_demo -c "SELECT * FROM audit_ingest_watermarks ORDER BY chain_id"
MSG
