#!/usr/bin/env bash
# `make demo-cluster`: a three-process auditflow cluster on this machine (one timely cluster,
# one consumer group, one ledger), one process SIGKILLed mid-drain, the cluster restarted as
# a supervisor would, and the proof that nothing was lost or doubled.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${AUDITFLOW_BIN:-target/release/auditflow}
COUNT=${DEMO_EVENTS:-300000}
DIR=$PWD/.demo-cluster
DB=auditflow_demo_cluster

export AUDIT_HMAC_KEY=${AUDIT_HMAC_KEY:-$(printf '%.0s6d' {1..32})}
export AUDITFLOW_DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB
export AUDITFLOW_STREAM=auditflow.demo-cluster.events
export AUDITFLOW_LEDGER_KEY_FILE=$DIR/keys/ledger.key
export AUDITFLOW_LEDGER_HEAD_KEY_FILE=$DIR/keys/ledger-head.key
export AUDITFLOW_EXPORT_SIGNING_KEY_FILE=$DIR/keys/export.key
export AUDITFLOW_EXPORT_URL=file://$DIR/export
export AUDITFLOW_LISTEN=127.0.0.1:0
export AUDITFLOW_GENERATION=demo-1
export RUST_LOG=${RUST_LOG:-warn,auditflow_pipeline::cluster=info}

redis-cli -h 127.0.0.1 DEL "$AUDITFLOW_STREAM" "$AUDITFLOW_STREAM.dlq" >/dev/null
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
rm -rf "$DIR" && mkdir -p "$DIR/keys"
printf '127.0.0.1:7701\n127.0.0.1:7702\n127.0.0.1:7703\n' > "$DIR/hostfile"
"$BIN" migrate >/dev/null

echo "== 1. a producer publishes $COUNT signed events (2% invalid, 2% re-sent duplicates)"
"$BIN" emit --count "$COUNT" --invalid-ratio 0.02 --duplicate-ratio 0.02 --zones 12 --seed 3 --manifest "$DIR/manifest.ndjson"
valid=$(grep -c '"expect":"ok"' "$DIR/manifest.ndjson")
invalid=$(grep -vc '"expect":"ok"\|"expect":"duplicate"' "$DIR/manifest.ndjson")

declare -a pids
start() { # start <process> [flags...]
  local i=$1; shift
  "$BIN" run --processes 3 --process "$i" --hostfile "$DIR/hostfile" --workers 1 --claim-idle-ms 2000 "$@" \
    >>"$DIR/process-$i.log" 2>&1 &
  pids[$i]=$!
}
rows() { psql -h 127.0.0.1 -U postgres -d "$DB" -Atc "SELECT count(*) FROM audit_events"; }

echo
echo "== 2. three processes form one cluster (hostfile: $DIR/hostfile) and drain the stream"
for i in 0 1 2; do start "$i"; done
until [ "$(rows)" -gt $((valid / 3)) ]; do sleep 0.2; done
echo "   $(rows) of $valid events committed"

echo
echo "== 3. process 1 is SIGKILLed mid-drain; its peers notice and stop (fail-stop)"
kill -9 "${pids[1]}"
killed_at=$(date +%s.%N)
for i in 0 2; do
  status=0; wait "${pids[$i]}" || status=$?
  printf '   process %s exited %s after %.2f s: %s\n' "$i" "$status" "$(echo "$(date +%s.%N) - $killed_at" | bc)" \
    "$(grep -o 'cluster peer [0-9]* at [^ ]* is gone' "$DIR/process-$i.log" | tail -1)"
done
wait "${pids[1]}" 2>/dev/null || true
echo "   $(rows) of $valid events committed when the cluster stopped"

echo
echo "== 4. the supervisor restarts the cluster; it re-forms and resumes from the ledger's watermarks"
restarted_at=$(date +%s.%N)
for i in 0 1 2; do start "$i" --exit-when-drained; done
for i in 0 1 2; do
  status=0; wait "${pids[$i]}" || status=$?
  [ "$status" = 0 ] || { echo "process $i failed ($status); see $DIR/process-$i.log"; exit 1; }
done
printf '   drained in %.1f s after the restart\n' "$(echo "$(date +%s.%N) - $restarted_at" | bc)"

echo
echo "== 5. nothing lost, nothing doubled"
read -r stored distinct < <(psql -h 127.0.0.1 -U postgres -d "$DB" -AtF' ' -c "SELECT count(*), count(DISTINCT id) FROM audit_events")
dlq=$(redis-cli -h 127.0.0.1 XLEN "$AUDITFLOW_STREAM.dlq")
pending=$(redis-cli -h 127.0.0.1 XPENDING "$AUDITFLOW_STREAM" audit-ingestor | head -1)
printf '   valid events published %8s   ledger rows %8s (distinct ids %s)\n' "$valid" "$stored" "$distinct"
printf '   invalid entries        %8s   dead letters %7s\n' "$invalid" "$dlq"
printf '   entries still pending  %8s\n' "$pending"
"$BIN" verify | tail -3
"$BIN" verify-export | tail -1
if [ "$stored" = "$valid" ] && [ "$distinct" = "$valid" ] && [ "$dlq" = "$invalid" ] && [ "$pending" = 0 ]; then
  echo "   OK: every valid event is in the ledger exactly once, every invalid one in the DLQ, nothing pending"
else
  echo "   MISMATCH: see $DIR/process-*.log"; exit 1
fi
