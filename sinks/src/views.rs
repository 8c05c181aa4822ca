//! The live views' sink (SPEC §5): request traces, revocation propagation and violations,
//! written to Postgres once per completed epoch.
//!
//! The tables are derived state, so writes are idempotent upserts. Retractions are not
//! applied: they come from the window letting rows go (memory), not from evidence going
//! away. Every fact the dataflow produced at some time counts, even one it retracted in a
//! later epoch of the same batch (a late row is in the views for one epoch only):
//! * a trace replaces the stored one only when it holds every event the stored one does;
//!   otherwise (a late event of a request that left memory) the trace is rebuilt from the
//!   ledger, so it never shrinks and always ends equal to the ledger's;
//! * a revocation's affected sessions are merged with the stored ones and its first deny is
//!   the earliest seen; the accesses on newly affected sessions are looked up in the ledger
//!   (they may have left memory before the revocation arrived) and judged by the same rule;
//! * a recorded violation stays recorded;
//! * a row touching a delegation tree that left memory is checked against the stored
//!   statuses and the ledger (`checks`).

mod checks;

use crate::epoch_sink::{epoch_sink, Completion};
use crate::postgres::client;
use crate::SinkError;
use auditflow_schemas::view::{Propagation, TraceSummary, Violation};
use deadpool_postgres::Pool;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use timely::dataflow::Stream;

/// One change of a view, with its multiplicity change.
#[derive(Clone, Debug)]
pub enum ViewUpdate {
    /// A request's trace summary.
    Trace(std::sync::Arc<TraceSummary>, isize),
    /// A revocation's status (boxed, as is a violation: the traces, by far the most updates,
    /// then move through the epoch's buffer at pointer size).
    Propagation(Box<Propagation>, isize),
    /// A violation.
    Violation(Box<Violation>, isize),
    /// A row to check against what left the views' memory.
    Check(auditflow_schemas::view::SharedEvent),
}

/// What the views sink wrote (for the run summary and metrics).
#[derive(Debug, Default)]
pub struct ViewStats {
    /// Trace rows written.
    pub traces: AtomicU64,
    /// Revocation status rows written.
    pub revocations: AtomicU64,
    /// New violations recorded (`auditflow_revocation_violations_total`).
    pub violations: AtomicU64,
    /// Epoch batches written.
    pub batches: AtomicU64,
    /// Unix ms of the last violations warning (they are logged at most every 10 s).
    pub violations_logged_at_ms: std::sync::atomic::AtomicI64,
    /// Violations recorded since that warning.
    pub violations_unlogged: AtomicU64,
    /// Affected sessions whose past accesses were looked up in the ledger.
    pub ledger_lookups: AtomicU64,
    /// Traces rebuilt from the ledger (a late event of a request that had left memory).
    pub traces_rebuilt: AtomicU64,
    /// How long the oldest ledger commit the views have not written has waited, ms.
    pub lag_ms: std::sync::atomic::AtomicI64,
    /// Rows read from the ledger at start-up, over all workers.
    pub hydrated_rows: AtomicU64,
    /// The slowest worker's start-up read, ms.
    pub hydration_ms: AtomicU64,
    /// Rows checked against the stored views and the ledger (they touched retired trees).
    pub checked: AtomicU64,
}

/// How the sink judges what the ledger look-ups find.
#[derive(Clone, Default)]
pub struct ViewRules {
    /// An allow later than revocation + grace is a violation, µs.
    pub grace_us: i64,
    /// In a single process, the highest event-time watermark of its workers (µs): a
    /// revocation at or after it cannot have accesses that already left memory (an access
    /// leaves only once behind its worker's watermark, and a restart hydrates everything
    /// after it), so its accesses need no ledger look-up. `None` (a cluster, where other
    /// processes' watermarks are not known here): always look up.
    pub watermark: Option<Arc<dyn Fn() -> i64 + Send + Sync>>,
}

/// Extension trait: write view updates to Postgres.
pub trait ViewSink<'scope> {
    /// Writes each completed epoch's updates; the output frontier is the written frontier.
    fn view_sink(
        self,
        pool: Pool,
        stats: Arc<ViewStats>,
        rules: ViewRules,
        runtime: tokio::runtime::Handle,
    ) -> Stream<'scope, u64, Vec<()>>;
}

impl<'scope> ViewSink<'scope> for Stream<'scope, u64, Vec<ViewUpdate>> {
    fn view_sink(
        self,
        pool: Pool,
        stats: Arc<ViewStats>,
        rules: ViewRules,
        runtime: tokio::runtime::Handle,
    ) -> Stream<'scope, u64, Vec<()>> {
        epoch_sink(self, "ViewSink", move |_epoch, batch, completion: Completion<()>| {
            let (pool, stats, rules) = (pool.clone(), stats.clone(), rules.clone());
            runtime.spawn(async move {
                let mut backoff = Duration::from_millis(100);
                loop {
                    match write(&pool, &batch, &stats, &rules).await {
                        Ok(()) => break,
                        Err(e) if e.is_retryable() => {
                            tracing::warn!(error = %e, "writing the views failed, retrying");
                            tokio::time::sleep(backoff).await;
                            backoff = (backoff * 2).min(Duration::from_secs(5));
                        }
                        Err(e) => {
                            // Not an outage: retrying would not help. The evidence is in the
                            // ledger, which `auditflow trace` and the API explain from.
                            tracing::error!(error = %e, "the views could not be written; this batch is missing from them");
                            break;
                        }
                    }
                }
                stats.batches.fetch_add(1, Ordering::Relaxed);
                completion.complete(Vec::new());
            });
        })
    }
}

/// Per key, every value the batch added at some time (retractions are not applied).
fn added<K: Ord, V: Ord>(items: impl Iterator<Item = (K, V, isize)>) -> BTreeMap<K, Vec<V>> {
    let mut out: BTreeMap<K, Vec<V>> = BTreeMap::new();
    for (k, v, d) in items {
        if d > 0 {
            out.entry(k).or_default().push(v);
        }
    }
    out
}

fn at(us: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(us).unwrap_or_default()
}

/// How a batch's traces go in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TraceWrite {
    /// Traces new to the dataflow by binary COPY, changed ones by upsert.
    CopyNew,
    /// Every trace by upsert: after a COPY met a row that was already stored.
    UpsertAll,
}

async fn write(pool: &Pool, batch: &[ViewUpdate], stats: &ViewStats, rules: &ViewRules) -> Result<(), SinkError> {
    match write_with(pool, batch, stats, rules, TraceWrite::CopyNew).await {
        // A trace new to this run was stored by an earlier one: hydration after a restart
        // re-derives the window's traces, and a request can outlive the window. The
        // transaction rolled back before anything else was written; the upsert does it all.
        Err(SinkError::Postgres { source, .. })
            if source.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) =>
        {
            tracing::debug!(
                "a new trace was stored already (restart, or a late event of a request that left memory); upserting the batch"
            );
            write_with(pool, batch, stats, rules, TraceWrite::UpsertAll).await
        }
        other => other,
    }
}

async fn write_with(
    pool: &Pool,
    batch: &[ViewUpdate],
    stats: &ViewStats,
    rules: &ViewRules,
    how: TraceWrite,
) -> Result<(), SinkError> {
    // The newest trace per request: within one epoch a changed trace comes as the old one
    // retracted and the new one added, and retractions are not applied (see above).
    let mut versions: std::collections::HashMap<&str, Vec<&TraceSummary>> = std::collections::HashMap::new();
    // Requests whose earlier trace this batch retracts: the dataflow had them before, so
    // their row may be stored already and they take the upsert.
    let mut retracted: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for update in batch {
        if let ViewUpdate::Trace(t, d) = update {
            if *d > 0 {
                versions.entry(t.request_id.as_str()).or_default().push(t.as_ref());
            } else {
                retracted.insert(t.request_id.as_str());
            }
        }
    }
    // Per request the largest version, when it holds every other one (a request growing
    // within the batch); otherwise (a late event seen apart from the rest) the ledger's.
    let mut traces: std::collections::HashMap<&str, &TraceSummary> = std::collections::HashMap::new();
    let mut disjoint: Vec<String> = Vec::new();
    for (request, mut seen) in versions {
        seen.sort_by_key(|t| std::cmp::Reverse(t.stored.events.len()));
        let largest = seen[0];
        let holds = |t: &TraceSummary| t.stored.events.iter().all(|e| largest.stored.events.contains(e));
        if seen[1..].iter().all(|t| holds(t)) {
            traces.insert(request, largest);
        } else {
            disjoint.push(request.to_owned());
        }
    }
    let mut revocations = added(batch.iter().filter_map(|u| match u {
        ViewUpdate::Propagation(p, d) => Some((p.revocation_event_id.clone(), p.as_ref().clone(), *d)),
        _ => None,
    }));
    let mut violations = added(batch.iter().filter_map(|u| match u {
        ViewUpdate::Violation(v, d) => {
            Some(((v.event_id.clone(), v.revocation_event_id.clone()), v.as_ref().clone(), *d))
        }
        _ => None,
    }));
    let checks = checks::Checks::of(batch.iter().filter_map(|u| match u {
        ViewUpdate::Check(row) => Some(row.as_ref()),
        _ => None,
    }));
    if traces.is_empty() && disjoint.is_empty() && revocations.is_empty() && violations.is_empty() && checks.is_empty()
    {
        return Ok(());
    }
    let started = std::time::Instant::now();
    let mut c = client(pool).await?;
    let tx = c.transaction().await.map_err(SinkError::pg("begin"))?;
    // Derived state: a crash may lose the last few milliseconds of view writes, which the
    // next start-up rewrites from the ledger, so the commit need not wait for the WAL flush.
    tx.batch_execute("SET LOCAL synchronous_commit TO off").await.map_err(SinkError::pg("set synchronous_commit"))?;
    let (new, changed): (Vec<&TraceSummary>, Vec<&TraceSummary>) = traces
        .values()
        .copied()
        .partition(|t| how == TraceWrite::CopyNew && !retracted.contains(t.request_id.as_str()));
    // Most requests complete within one epoch, so most traces are new to the dataflow. A
    // binary COPY costs Postgres less than the upsert (no array parameters to parse, no
    // conflict check). It comes first in the transaction, so that a conflict rolls back
    // nothing else.
    if !new.is_empty() {
        let n = copy_traces(&tx, &new).await.map_err(SinkError::pg("copy request traces"))?;
        stats.traces.fetch_add(n, Ordering::Relaxed);
    }
    if !changed.is_empty() || !disjoint.is_empty() {
        let mut stale = upsert_traces(&tx, &changed, true).await?;
        stats.traces.fetch_add((changed.len() - stale.len()) as u64, Ordering::Relaxed);
        stale.append(&mut disjoint);
        if !stale.is_empty() {
            // The stored trace holds events this one lacks: the request left memory and a late
            // event brought it back partly. The ledger has all of them.
            let rebuilt = traces_from_ledger(&tx, &stale).await?;
            let rows: Vec<&TraceSummary> = rebuilt.iter().collect();
            upsert_traces(&tx, &rows, false).await?;
            stats.traces.fetch_add(rows.len() as u64, Ordering::Relaxed);
            stats.traces_rebuilt.fetch_add(rows.len() as u64, Ordering::Relaxed);
        }
    }
    // Every view writer of every process updates revocation statuses in one transaction
    // over several statements, and the rows one touches depend on what it finds (a link or
    // an access may update a status another worker wrote): sorting each statement's rows
    // cannot stop two writers from taking them in opposite orders, and Postgres then aborts
    // one with a deadlock (40P01). One transaction-level lock orders them; the traces above,
    // by far the most rows, stay parallel.
    if !revocations.is_empty() || !violations.is_empty() || !checks.is_empty() {
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&auditflow_schemas::migrations::VIEWS_REVOCATION_LOCK_KEY])
            .await
            .map_err(SinkError::pg("wait for the revocation writers' lock"))?;
    }
    // Statuses in dependency order: the batch's own and the checked revocations' (from the
    // ledger), then what linking rows add to stored ones, then accesses on retired sessions
    // against all of them.
    let mut from_ledger: std::collections::HashSet<String> = std::collections::HashSet::new();
    if !checks.revocations.is_empty() {
        for status in checks::revocations_in_ledger(&tx, &checks.revocations).await? {
            from_ledger.insert(status.revocation_event_id.clone());
            revocations.entry(status.revocation_event_id.clone()).or_default().push(status);
        }
    }
    if !revocations.is_empty() {
        let rows: Vec<Propagation> = revocations.into_values().filter_map(merged).collect();
        write_statuses(&tx, &rows, &from_ledger, stats, rules, &mut violations).await?;
    }
    if !checks.links.is_empty() {
        let rows = checks::links_in_ledger(&tx, &checks.links).await?;
        let all: std::collections::HashSet<String> = rows.iter().map(|p| p.revocation_event_id.clone()).collect();
        write_statuses(&tx, &rows, &all, stats, rules, &mut violations).await?;
    }
    if !checks.accesses.is_empty() {
        let first_deny =
            checks::accesses_against_stored(&tx, &checks.accesses, rules.grace_us, &mut violations).await?;
        record_first_denies(&tx, first_deny).await?;
    }
    let checked = checks.revocations.len() + checks.links.len() + checks.accesses.len();
    stats.checked.fetch_add(checked as u64, Ordering::Relaxed);
    if !violations.is_empty() {
        let rows: Vec<&Violation> = violations.values().filter_map(|v| v.last()).collect();
        let events: Vec<&str> = rows.iter().map(|v| v.event_id.as_str()).collect();
        let revs: Vec<&str> = rows.iter().map(|v| v.revocation_event_id.as_str()).collect();
        let zones: Vec<&str> = rows.iter().map(|v| v.zone_id.as_str()).collect();
        let agents: Vec<&str> = rows.iter().map(|v| v.agent_session_id.as_str()).collect();
        let times: Vec<chrono::DateTime<chrono::Utc>> = rows.iter().map(|v| at(v.occurred_at_us)).collect();
        let lags: Vec<i64> = rows.iter().map(|v| v.lag_us / 1000).collect();
        let n = tx
            .execute(
                "INSERT INTO revocation_violations (event_id, revocation_event_id, zone_id, agent_session_id, occurred_at, lag_ms) \
                 SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::bigint[]) \
                 ON CONFLICT DO NOTHING",
                &[&events, &revs, &zones, &agents, &times, &lags],
            )
            .await
            .map_err(SinkError::pg("write revocation violations"))?;
        if n > 0 {
            // One warning per 10 s at most: a burst of violations is one incident, not a log flood.
            let unlogged = stats.violations_unlogged.fetch_add(n, Ordering::Relaxed) + n;
            let now = chrono::Utc::now().timestamp_millis();
            let last = stats.violations_logged_at_ms.load(Ordering::Relaxed);
            if now - last >= 10_000
                && stats
                    .violations_logged_at_ms
                    .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                    .is_ok()
            {
                stats.violations_unlogged.fetch_sub(unlogged, Ordering::Relaxed);
                tracing::warn!(
                    new = unlogged,
                    total = stats.violations.load(Ordering::Relaxed) + n,
                    "revocation violations: allows on revoked sessions after the grace period (auditflow revocations --violations)"
                );
            }
        }
        stats.violations.fetch_add(n, Ordering::Relaxed);
    }
    tx.commit().await.map_err(SinkError::pg("commit views"))?;
    metrics::histogram!("auditflow_sink_commit_seconds", "sink" => "views").record(started.elapsed().as_secs_f64());
    Ok(())
}

/// Writes revocation statuses, merged with the stored ones, then looks up in the ledger the
/// accesses on sessions newly affected. Statuses in `from_ledger` were found there (a
/// revocation of a retired tree): their sessions are always looked up.
async fn write_statuses(
    tx: &tokio_postgres::Transaction<'_>,
    rows: &[Propagation],
    from_ledger: &std::collections::HashSet<String>,
    stats: &ViewStats,
    rules: &ViewRules,
    violations: &mut BTreeMap<(String, String), Vec<Violation>>,
) -> Result<(), SinkError> {
    let ids: Vec<&str> = rows.iter().map(|p| p.revocation_event_id.as_str()).collect();
    let zones: Vec<&str> = rows.iter().map(|p| p.zone_id.as_str()).collect();
    let roots: Vec<&str> = rows.iter().map(|p| p.root.as_str()).collect();
    let revoked: Vec<chrono::DateTime<chrono::Utc>> = rows.iter().map(|p| at(p.revoked_at_us)).collect();
    // text[] per row does not nest in unnest; pass JSON arrays instead.
    let affected: Vec<String> = rows.iter().map(|p| serde_json::to_string(&p.affected).unwrap_or_default()).collect();
    let deny: Vec<Option<chrono::DateTime<chrono::Utc>>> = rows.iter().map(|p| p.first_deny_after_us.map(at)).collect();
    // Revocations whose accesses are all in memory or still to come: their sessions count
    // as looked up without a look-up.
    let watermark = rules.watermark.as_ref().map(|w| w());
    let covered: Vec<bool> = rows
        .iter()
        .map(|p| !from_ledger.contains(&p.revocation_event_id) && watermark.is_some_and(|w| p.revoked_at_us >= w))
        .collect();
    let n = tx
        .execute(
            "INSERT INTO revocation_propagation \
                    (revocation_event_id, zone_id, root, revoked_at, affected, first_deny_after, checked_affected) \
             SELECT i, z, r, t, ARRAY(SELECT jsonb_array_elements_text(a::jsonb)), d, \
                    CASE WHEN c THEN ARRAY(SELECT jsonb_array_elements_text(a::jsonb)) ELSE '{}' END \
             FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::timestamptz[], $7::bool[]) \
                  AS u(i, z, r, t, a, d, c) \
             ON CONFLICT (revocation_event_id) DO UPDATE SET \
                affected = ARRAY(SELECT DISTINCT x FROM unnest(revocation_propagation.affected || excluded.affected) AS x ORDER BY x), \
                first_deny_after = LEAST(revocation_propagation.first_deny_after, excluded.first_deny_after), \
                checked_affected = ARRAY(SELECT DISTINCT x FROM \
                    unnest(revocation_propagation.checked_affected || excluded.checked_affected) AS x ORDER BY x), \
                updated_at = now()",
            &[&ids, &zones, &roots, &revoked, &affected, &deny, &covered],
        )
        .await
        .map_err(SinkError::pg("write revocation status"))?;
    stats.revocations.fetch_add(n, Ordering::Relaxed);
    let uncovered: Vec<&str> = ids.iter().zip(&covered).filter(|(_, c)| !**c).map(|(id, _)| *id).collect();
    if !uncovered.is_empty() {
        let looked_up = accesses_from_ledger(tx, &uncovered, rules.grace_us, violations).await?;
        stats.ledger_lookups.fetch_add(looked_up, Ordering::Relaxed);
    }
    Ok(())
}

/// One revocation's statuses seen in a batch as one: every affected session, the earliest
/// deny (its time and root do not change).
fn merged(mut seen: Vec<Propagation>) -> Option<Propagation> {
    let mut out = seen.pop()?;
    for p in seen {
        out.affected.extend(p.affected);
        out.first_deny_after_us = match (out.first_deny_after_us, p.first_deny_after_us) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    out.affected.sort();
    out.affected.dedup();
    Some(out)
}

/// Upserts traces; with `only_growing`, a stored trace is replaced only by one holding all
/// its events. Returns the requests whose stored trace was not replaced.
async fn upsert_traces(
    tx: &tokio_postgres::Transaction<'_>,
    rows: &[&TraceSummary],
    only_growing: bool,
) -> Result<Vec<String>, SinkError> {
    let ids: Vec<&str> = rows.iter().map(|t| t.request_id.as_str()).collect();
    let zones: Vec<&str> = rows.iter().map(|t| t.zone_id.as_str()).collect();
    let decisions: Vec<Option<&str>> = rows.iter().map(|t| t.final_decision.as_deref()).collect();
    let first: Vec<chrono::DateTime<chrono::Utc>> = rows.iter().map(|t| at(t.first_at_us)).collect();
    let last: Vec<chrono::DateTime<chrono::Utc>> = rows.iter().map(|t| at(t.last_at_us)).collect();
    let counts: Vec<i32> = rows.iter().map(|t| t.stored.events.len() as i32).collect();
    let json: Vec<String> = rows.iter().map(|t| serde_json::to_string(&t.stored).unwrap_or_default()).collect();
    let condition =
        if only_growing { "WHERE (excluded.trace->'events') @> (request_traces.trace->'events')" } else { "" };
    let written = tx
        .query(
            &format!(
                "INSERT INTO request_traces (request_id, zone_id, final_decision, first_at, last_at, event_count, trace) \
                 SELECT r, z, d, f, l, n, t::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], \
                        $5::timestamptz[], $6::int[], $7::text[]) AS u(r, z, d, f, l, n, t) \
                 ON CONFLICT (request_id) DO UPDATE SET zone_id = excluded.zone_id, final_decision = excluded.final_decision, \
                    first_at = excluded.first_at, last_at = excluded.last_at, event_count = excluded.event_count, \
                    trace = excluded.trace, updated_at = now() {condition} \
                 RETURNING request_id"
            ),
            &[&ids, &zones, &decisions, &first, &last, &counts, &json],
        )
        .await
        .map_err(SinkError::pg("write request traces"))?;
    let written: std::collections::HashSet<String> = written.iter().map(|r| r.get(0)).collect();
    Ok(ids.into_iter().filter(|id| !written.contains(*id)).map(str::to_owned).collect())
}

/// The traces of `requests` computed over every ledger row they have.
async fn traces_from_ledger(
    tx: &tokio_postgres::Transaction<'_>,
    requests: &[String],
) -> Result<Vec<TraceSummary>, SinkError> {
    let rows = query_events(tx, "request_id = ANY($1)", &[&requests]).await?;
    let mut by_request: BTreeMap<&str, Vec<&auditflow_schemas::view::ViewEvent>> = BTreeMap::new();
    for row in &rows {
        if let Some(request) = row.request_id.as_deref() {
            by_request.entry(request).or_default().push(row);
        }
    }
    Ok(by_request.into_iter().map(|(request, events)| TraceSummary::of(request, events.into_iter())).collect())
}

/// For each revocation in `ids`, the accesses on its affected sessions not looked up yet,
/// from the ledger: violations join `violations`, the earliest deny goes into the stored
/// status. The accesses may have left the views' memory before the revocation arrived (it
/// was late); those still in memory are found twice, which the writes absorb. Returns how
/// many sessions were looked up.
async fn accesses_from_ledger(
    tx: &tokio_postgres::Transaction<'_>,
    ids: &[&str],
    grace_us: i64,
    violations: &mut BTreeMap<(String, String), Vec<Violation>>,
) -> Result<u64, SinkError> {
    use auditflow_schemas::view::{RevocationHit, Verdict};
    let todo = tx
        .query(
            "SELECT p.revocation_event_id, p.zone_id, p.revoked_at, a.node \
             FROM revocation_propagation p CROSS JOIN LATERAL unnest(p.affected) AS a(node) \
             WHERE p.revocation_event_id = ANY($1) AND NOT (a.node = ANY(p.checked_affected))",
            &[&ids],
        )
        .await
        .map_err(SinkError::pg("list the sessions to look up"))?;
    if todo.is_empty() {
        return Ok(0);
    }
    let revs: Vec<String> = todo.iter().map(|r| r.get(0)).collect();
    let zones: Vec<String> = todo.iter().map(|r| r.get(1)).collect();
    let times: Vec<chrono::DateTime<chrono::Utc>> = todo.iter().map(|r| r.get(2)).collect();
    let nodes: Vec<String> = todo.iter().map(|r| r.get(3)).collect();
    // Access decisions only, as the live views take them: not lifecycle, an allow or a deny,
    // the agent session a JSON string. The index on (zone, agent session, time) serves it.
    let hits = tx
        .query(
            "SELECT t.rev, t.zone, t.node, t.at, e.id, e.occurred_at, e.decision \
             FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[]) AS t(rev, zone, at, node) \
             JOIN audit_events e ON e.zone_id = t.zone AND e.metadata_json ? 'agent_session_id' \
                  AND (e.metadata_json->>'agent_session_id') = t.node AND e.occurred_at >= t.at \
             WHERE jsonb_typeof(e.metadata_json->'agent_session_id') = 'string' \
               AND e.event_type NOT LIKE 'session\\_%' AND e.event_type NOT LIKE 'delegation\\_%' \
               AND lower(e.decision) IN ('allow', 'deny')",
            &[&revs, &zones, &times, &nodes],
        )
        .await
        .map_err(SinkError::pg("look up accesses of revoked sessions in the ledger"))?;
    let mut first_deny: BTreeMap<String, i64> = BTreeMap::new();
    for row in hits {
        let (rev, zone, node): (String, String, String) = (row.get(0), row.get(1), row.get(2));
        let revoked_at: chrono::DateTime<chrono::Utc> = row.get(3);
        let occurred_at: chrono::DateTime<chrono::Utc> = row.get(5);
        let decision: Option<String> = row.get(6);
        let (revoked_at, occurred_at) = (revoked_at.timestamp_micros(), occurred_at.timestamp_micros());
        match Verdict::of(decision.as_deref()).against(revoked_at, occurred_at, grace_us) {
            Some(RevocationHit::Violation) => {
                let event_id: String = row.get(4);
                violations.entry((event_id.clone(), rev.clone())).or_default().push(Violation {
                    event_id,
                    zone_id: zone,
                    agent_session_id: node,
                    revocation_event_id: rev,
                    occurred_at_us: occurred_at,
                    lag_us: occurred_at - revoked_at,
                });
            }
            Some(RevocationHit::Deny) => {
                let first = first_deny.entry(rev).or_insert(occurred_at);
                *first = (*first).min(occurred_at);
            }
            None => {}
        }
    }
    record_first_denies(tx, first_deny).await?;
    tx.execute(
        "UPDATE revocation_propagation SET checked_affected = affected WHERE revocation_event_id = ANY($1)",
        &[&ids],
    )
    .await
    .map_err(SinkError::pg("record the sessions looked up"))?;
    Ok(nodes.len() as u64)
}

/// Lowers stored first denies to those found (per revocation id, µs).
async fn record_first_denies(
    tx: &tokio_postgres::Transaction<'_>,
    first_deny: BTreeMap<String, i64>,
) -> Result<(), SinkError> {
    if first_deny.is_empty() {
        return Ok(());
    }
    let (revs, denies): (Vec<String>, Vec<chrono::DateTime<chrono::Utc>>) =
        first_deny.into_iter().map(|(rev, t)| (rev, at(t))).unzip();
    tx.execute(
        "UPDATE revocation_propagation p SET first_deny_after = LEAST(p.first_deny_after, u.d) \
         FROM unnest($1::text[], $2::timestamptz[]) AS u(i, d) WHERE p.revocation_event_id = u.i",
        &[&revs, &denies],
    )
    .await
    .map_err(SinkError::pg("record the first deny found"))?;
    Ok(())
}

/// Streams traces not stored yet into `request_traces` (binary COPY; a row that is stored
/// after all fails it with a unique violation).
async fn copy_traces(
    tx: &tokio_postgres::Transaction<'_>,
    rows: &[&TraceSummary],
) -> Result<u64, tokio_postgres::Error> {
    use tokio_postgres::types::{Json, Type};
    let sink = tx
        .copy_in(
            "COPY request_traces (request_id, zone_id, final_decision, first_at, last_at, event_count, trace) \
             FROM STDIN BINARY",
        )
        .await?;
    let writer = tokio_postgres::binary_copy::BinaryCopyInWriter::new(
        sink,
        &[Type::TEXT, Type::TEXT, Type::TEXT, Type::TIMESTAMPTZ, Type::TIMESTAMPTZ, Type::INT4, Type::JSONB],
    );
    futures_util::pin_mut!(writer);
    for t in rows {
        let count = t.stored.events.len() as i32;
        writer
            .as_mut()
            .write(&[
                &t.request_id,
                &t.zone_id,
                &t.final_decision,
                &at(t.first_at_us),
                &at(t.last_at_us),
                &count,
                &Json(&t.stored),
            ])
            .await?;
    }
    writer.finish().await
}

/// What hydration read, for the start-up log and the metrics.
#[derive(Debug, Default)]
pub struct Hydrated {
    /// The delegation graph as the views held it (written already): it joins memory
    /// without being checked again.
    pub graph: Vec<auditflow_schemas::view::ViewEvent>,
    /// The rows the window takes in as if they arrived now: every row committed after the
    /// views' recorded progress, and the rows recent enough to be in memory. No row is both
    /// here and in `graph`.
    pub rows: Vec<auditflow_schemas::view::ViewEvent>,
    /// Of `rows`, those committed after the views' recorded progress.
    pub unprocessed: usize,
    /// The newest event time the views had written (µs): the window's clock starts there.
    pub newest_us: Option<i64>,
    /// The pages of the stored filters of retired trees' keys, (page, bits), of every worker
    /// that stored one, and the keys retired since each was stored: their union is what
    /// retired.
    pub retired: Vec<(i32, Vec<u8>)>,
    /// See `retired`.
    pub retired_keys: Vec<i64>,
}

/// The rows the views start from (SPEC §5 "hydration"), of the given chains: what an
/// uninterrupted run would hold, not a fixed span of history.
/// * the delegation trees that were in memory, by their rows' positions as each worker last
///   recorded them (`audit_views_retired`; a ledger without any: every lifecycle row), and
///   every revocation naming no agent session (they stay in memory);
/// * every row whose event time is within `held_us` (allowed lateness plus the request gap)
///   of the newest event time the views had written (`audit_views_progress.newest_at`);
/// * every row committed after the views' recorded progress, whatever its event time: the
///   views may not have seen it before the process stopped.
pub async fn hydrate(pool: &Pool, chains: &[i32], held_us: i64) -> Result<Hydrated, SinkError> {
    let c = client(pool).await?;
    let progress = c
        .query(
            "SELECT c.id, coalesce(p.chain_seq, 0), p.newest_at FROM unnest($1::int[]) AS c(id) \
             LEFT JOIN audit_views_progress p ON p.chain_id = c.id",
            &[&chains],
        )
        .await
        .map_err(SinkError::pg("read the views' progress"))?;
    let newest: Option<chrono::DateTime<chrono::Utc>> =
        progress.iter().filter_map(|r| r.get::<_, Option<chrono::DateTime<chrono::Utc>>>(2)).max();
    let retired = c
        .query("SELECT added, live_chain, live_seq FROM audit_views_retired", &[])
        .await
        .map_err(SinkError::pg("read the retired trees' filters"))?;
    let mut out = Hydrated {
        newest_us: newest.map(|n| n.timestamp_micros()),
        retired: c
            .query("SELECT page, bits FROM audit_views_retired_pages", &[])
            .await
            .map_err(SinkError::pg("read the retired trees' filters"))?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect(),
        retired_keys: retired.iter().flat_map(|r| r.get::<_, Vec<i64>>(0)).collect(),
        ..Hydrated::default()
    };
    // The live trees' rows on these chains (a chain may have moved from another worker).
    let owned: std::collections::HashSet<i32> = chains.iter().copied().collect();
    let (live_chains, live_seqs): (Vec<i32>, Vec<i64>) = retired
        .iter()
        .flat_map(|r| r.get::<_, Vec<i32>>(1).into_iter().zip(r.get::<_, Vec<i64>>(2)))
        .filter(|(chain, _)| owned.contains(chain))
        .unzip();
    let mut seen = std::collections::HashSet::new();
    let mut keep = |rows: Vec<auditflow_schemas::view::ViewEvent>, into: &mut Vec<_>| {
        let mut n = 0;
        for row in rows {
            if seen.insert((row.chain_id, row.chain_seq)) {
                into.push(row);
                n += 1;
            }
        }
        n
    };
    // Every chain's rows after its position, in one statement (an index range per chain).
    let (positions, after): (Vec<i32>, Vec<i64>) =
        progress.iter().map(|r| (r.get::<_, i32>(0), r.get::<_, i64>(1))).unzip();
    let rows = query_events_from(
        &**c,
        "unnest($1::int[], $2::bigint[]) AS p(c, s) \
         CROSS JOIN LATERAL (SELECT * FROM audit_events WHERE chain_id = p.c AND chain_seq > p.s) AS audit_events",
        "true",
        &[&positions, &after],
    )
    .await?;
    out.unprocessed = keep(rows, &mut out.rows);
    if let Some(newest) = newest {
        let since = newest - chrono::Duration::microseconds(held_us);
        let rows = query_events(&**c, "chain_id = ANY($1) AND occurred_at >= $2", &[&chains, &since]).await?;
        keep(rows, &mut out.rows);
    }
    let graph = if retired.is_empty() {
        query_events(
            &**c,
            "chain_id = ANY($1) AND (event_type LIKE 'session\\_%' OR event_type LIKE 'delegation\\_%')",
            &[&chains],
        )
        .await?
    } else {
        query_events_from(
            &**c,
            "unnest($1::int[], $2::bigint[]) AS p(c, s) \
             CROSS JOIN LATERAL (SELECT * FROM audit_events WHERE chain_id = p.c AND chain_seq = p.s) AS audit_events",
            "true",
            &[&live_chains, &live_seqs],
        )
        .await?
    };
    keep(graph, &mut out.graph);
    let pinned = query_events(
        &**c,
        "chain_id = ANY($1) AND event_type IN ('session_revoked', 'delegation_edge_revoked') \
         AND jsonb_typeof(metadata_json->'agent_session_id') IS DISTINCT FROM 'string'",
        &[&chains],
    )
    .await?;
    keep(pinned, &mut out.graph);
    Ok(out)
}

/// What a worker stores of its delegation graph with the views' progress.
#[derive(Debug)]
pub struct GraphRecord {
    /// The worker (timely's index, unique in a cluster).
    pub worker: i32,
    /// Its whole filter of retired keys, in pages (page, bits), at most every 30 s.
    pub pages: Option<Vec<(i32, Vec<u8>)>>,
    /// The keys retired since it last stored them.
    pub added: Vec<i64>,
    /// Where its live trees' rows are in the ledger: (chain, position).
    pub live: Vec<(i32, i64)>,
}

/// Records that the views wrote everything committed up to these positions: (chain, chain
/// position, newest event time µs), with the worker's retired trees, in one transaction
/// (a restart relies on the two agreeing). Positions only move forward.
pub async fn record_progress(pool: &Pool, progress: &[(i32, i64, i64)], graph: &GraphRecord) -> Result<(), SinkError> {
    let chains: Vec<i32> = progress.iter().map(|p| p.0).collect();
    let seqs: Vec<i64> = progress.iter().map(|p| p.1).collect();
    let newest: Vec<chrono::DateTime<chrono::Utc>> = progress.iter().map(|p| at(p.2)).collect();
    let mut c = client(pool).await?;
    let tx = c.transaction().await.map_err(SinkError::pg("begin"))?;
    let (live_chains, live_seqs): (Vec<i32>, Vec<i64>) = graph.live.iter().copied().unzip();
    // The whole filter holds every key added so far; otherwise the added keys go on the
    // stored list.
    let whole = graph.pages.is_some();
    for (page, bits) in graph.pages.iter().flatten() {
        tx.execute(
            "INSERT INTO audit_views_retired_pages (worker, page, bits) VALUES ($1, $2, $3) \
             ON CONFLICT (worker, page) DO UPDATE SET bits = excluded.bits",
            &[&graph.worker, page, bits],
        )
        .await
        .map_err(SinkError::pg("store the retired trees' filter"))?;
    }
    tx.execute(
        "INSERT INTO audit_views_retired (worker, added, live_chain, live_seq) \
         VALUES ($1, CASE WHEN $2 THEN '{}' ELSE $3::bigint[] END, $4, $5) \
         ON CONFLICT (worker) DO UPDATE SET \
            added = CASE WHEN $2 THEN '{}' ELSE audit_views_retired.added || excluded.added END, \
            live_chain = excluded.live_chain, live_seq = excluded.live_seq, updated_at = now()",
        &[&graph.worker, &whole, &graph.added, &live_chains, &live_seqs],
    )
    .await
    .map_err(SinkError::pg("record the delegation graph's state"))?;
    tx.execute(
        "INSERT INTO audit_views_progress (chain_id, chain_seq, newest_at) \
         SELECT * FROM unnest($1::int[], $2::bigint[], $3::timestamptz[]) \
         ON CONFLICT (chain_id) DO UPDATE SET chain_seq = GREATEST(audit_views_progress.chain_seq, excluded.chain_seq), \
            newest_at = GREATEST(audit_views_progress.newest_at, excluded.newest_at), updated_at = now()",
        &[&chains, &seqs, &newest],
    )
    .await
    .map_err(SinkError::pg("record the views' progress"))?;
    tx.commit().await.map_err(SinkError::pg("commit the views' progress"))?;
    Ok(())
}

/// Ledger rows matching `condition` (SQL over `audit_events`, parameters `$1…`) as the
/// views see them.
pub async fn read_events(
    pool: &Pool,
    condition: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<auditflow_schemas::view::ViewEvent>, SinkError> {
    let c = client(pool).await?;
    query_events(&**c, condition, params).await
}

/// [`read_events`] on a client or within a transaction.
async fn query_events<C: tokio_postgres::GenericClient>(
    c: &C,
    condition: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<auditflow_schemas::view::ViewEvent>, SinkError> {
    query_events_from(c, "audit_events", condition, params).await
}

/// [`query_events`] over `from`, which must name its ledger rows `audit_events`.
async fn query_events_from<C: tokio_postgres::GenericClient>(
    c: &C,
    from: &str,
    condition: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<auditflow_schemas::view::ViewEvent>, SinkError> {
    use auditflow_schemas::canonical::canonical_json;
    use auditflow_schemas::view::ViewEvent;
    // Metadata fields count only as strings, as in `ViewEvent::of`.
    let meta =
        |f: &str| format!("CASE WHEN jsonb_typeof(metadata_json->'{f}') = 'string' THEN metadata_json->>'{f}' END");
    let sql = format!(
        "SELECT id, zone_id, event_type, request_id, decision, evaluation_status, determining_policies_json::text, \
                diagnostics_json::text, {}, {}, {}, {}, occurred_at, chain_id, chain_seq \
         FROM {from} WHERE {condition}",
        meta("session_id"),
        meta("agent_session_id"),
        meta("delegation_edge_id"),
        meta("parent_agent_session_id")
    );
    let rows = c.query(&sql, params).await.map_err(SinkError::pg("read the ledger for the views"))?;
    // The JSON columns as the live path carries them: canonical text.
    let canonical = |text: Option<String>| {
        text.map(|t| serde_json::from_str::<serde_json::Value>(&t).map(|v| canonical_json(&v)).unwrap_or(t))
    };
    Ok(rows
        .into_iter()
        .map(|r| {
            let occurred_at: chrono::DateTime<chrono::Utc> = r.get(12);
            ViewEvent {
                id: r.get(0),
                zone_id: r.get(1),
                event_type: r.get(2),
                request_id: r.get(3),
                decision: r.get(4),
                evaluation_status: r.get(5),
                determining_policies_json: canonical(r.get(6)),
                diagnostics_json: canonical(r.get(7)),
                session_id: r.get(8),
                agent_session_id: r.get(9),
                delegation_edge_id: r.get(10),
                parent_agent_session_id: r.get(11),
                occurred_at_us: occurred_at.timestamp_micros(),
                // A row adopted from Caracal is on its zone's chain without an auditflow
                // chain id.
                chain_id: r.get::<_, Option<i32>>(13).unwrap_or(-1),
                chain_seq: r.get(14),
            }
        })
        .collect())
}
