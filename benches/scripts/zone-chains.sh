#!/usr/bin/env bash
# Ingest throughput of two auditflow builds, back to back: chains per zone (this build)
# against chains per shard (the build before them), for several zone counts.
#
#   benches/scripts/zone-chains.sh NEW_BIN OLD_BIN [EVENTS] [PAIRS] [ZONES...]
#
# For each zone count and pair, each build gets a fresh database and stream: `emit` preloads
# EVENTS events over the zones (not timed), then `run --exit-when-drained --workers 2` drains
# them into the ledger (timed, start-up included). The builds alternate (new, old, new, old …)
# so that drift of the machine's speed hits both. Prints one line per run and the median rate
# of each build per zone count; writes target/bench/zone-chains.json.
set -euo pipefail
new=${1:?new auditflow binary}
old=${2:?old auditflow binary}
events=${3:-200000}
pairs=${4:-3}
shift $(( $# < 4 ? $# : 4 ))
zones=("$@")
[ ${#zones[@]} -gt 0 ] || zones=(16 1 1000)
pg=${PG_URL:-postgres://postgres@127.0.0.1:5432}
redis=${REDIS_URL:-redis://127.0.0.1:6379}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p target/bench
results=()

one_run() { # bin zones tag -> prints events/s
    local bin=$1 z=$2 tag=$3
    local name="bz_${tag}_$$_$RANDOM"
    local dir="$work/$name"; mkdir -p "$dir"
    export AUDITFLOW_DATABASE_URL="$pg/$name" AUDITFLOW_REDIS_URL="$redis" AUDITFLOW_STREAM="bz.$name" \
        AUDITFLOW_DLQ_STREAM="bz.$name.dlq" AUDITFLOW_REVOCATION_STREAM="bz.$name.revoke" \
        AUDITFLOW_EXPORT_URL="file://$dir/export" AUDITFLOW_LISTEN=127.0.0.1:0 \
        AUDIT_HMAC_KEY=6b65796b65796b65796b65796b65796b65796b65796b65796b65796b65796b6579 RUST_LOG=warn
    (cd "$dir" && "$bin" migrate >/dev/null && "$bin" emit --count "$events" --zones "$z" --seed 5 >/dev/null)
    local t0 t1
    t0=$(date +%s.%N)
    (cd "$dir" && "$bin" run --exit-when-drained --workers 2 >"$dir/run.log" 2>&1)
    t1=$(date +%s.%N)
    local rows
    rows=$(psql -tA "$pg/$name" -c "SELECT count(*) FROM audit_events")
    psql -q "$pg/postgres" -c "DROP DATABASE \"$name\"" >/dev/null 2>&1 || true
    redis-cli -u "$redis" DEL "bz.$name" "bz.$name.dlq" "bz.$name.revoke" >/dev/null
    awk -v r="$rows" -v a="$t0" -v b="$t1" 'BEGIN { printf "%d %.1f %.0f\n", r, b - a, r / (b - a) }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

json="["
for z in "${zones[@]}"; do
    new_rates=(); old_rates=()
    for p in $(seq 1 "$pairs"); do
        read -r rows secs rate < <(one_run "$new" "$z" new)
        echo "zones=$z pair=$p new: $rows rows in ${secs}s = $rate events/s"
        new_rates+=("$rate")
        read -r rows secs rate < <(one_run "$old" "$z" old)
        echo "zones=$z pair=$p old: $rows rows in ${secs}s = $rate events/s"
        old_rates+=("$rate")
    done
    n=$(printf '%s\n' "${new_rates[@]}" | median)
    o=$(printf '%s\n' "${old_rates[@]}" | median)
    ratio=$(awk -v n="$n" -v o="$o" 'BEGIN { printf "%.3f", n / o }')
    echo "zones=$z median: chains per zone $n events/s, chains per shard $o events/s, ratio $ratio"
    json+="{\"zones\":$z,\"events\":$events,\"pairs\":$pairs,\"per_zone\":[$(IFS=,; echo "${new_rates[*]}")],\"per_shard\":[$(IFS=,; echo "${old_rates[*]}")],\"median_per_zone\":$n,\"median_per_shard\":$o,\"ratio\":$ratio},"
done
echo "${json%,}]" > target/bench/zone-chains.json
echo "wrote target/bench/zone-chains.json"
