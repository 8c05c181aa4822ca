//! The live views' sink (SPEC §5): request traces, revocation propagation and violations,
//! written to Postgres once per completed epoch.
//!
//! The tables are derived state, rebuilt from the ledger at start-up, so writes are
//! idempotent upserts. Retractions are not applied as deletions: they come from the window
//! evicting old events (memory), not from evidence going away, so a stored trace never
//! shrinks and a recorded violation stays recorded.

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
}

/// Extension trait: write view updates to Postgres.
pub trait ViewSink<'scope> {
    /// Writes each completed epoch's updates; the output frontier is the written frontier.
    fn view_sink(
        self,
        pool: Pool,
        stats: Arc<ViewStats>,
        runtime: tokio::runtime::Handle,
    ) -> Stream<'scope, u64, Vec<()>>;
}

impl<'scope> ViewSink<'scope> for Stream<'scope, u64, Vec<ViewUpdate>> {
    fn view_sink(
        self,
        pool: Pool,
        stats: Arc<ViewStats>,
        runtime: tokio::runtime::Handle,
    ) -> Stream<'scope, u64, Vec<()>> {
        epoch_sink(self, "ViewSink", move |_epoch, batch, completion: Completion<()>| {
            let (pool, stats) = (pool.clone(), stats.clone());
            runtime.spawn(async move {
                let mut backoff = Duration::from_millis(100);
                loop {
                    match write(&pool, &batch, &stats).await {
                        Ok(()) => break,
                        Err(e) if e.is_retryable() => {
                            tracing::warn!(error = %e, "writing the views failed, retrying");
                            tokio::time::sleep(backoff).await;
                            backoff = (backoff * 2).min(Duration::from_secs(5));
                        }
                        Err(e) => {
                            // Derived state: the next start-up rebuilds it from the ledger.
                            tracing::error!(error = %e, "the views could not be written; they are rebuilt at the next start");
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

/// The net state of a batch: per key, the values whose count went up.
fn net<K: Ord, V: Ord + Clone>(items: impl Iterator<Item = (K, V, isize)>) -> BTreeMap<K, Vec<V>> {
    let mut counts: BTreeMap<(K, V), isize> = BTreeMap::new();
    for (k, v, d) in items {
        *counts.entry((k, v)).or_default() += d;
    }
    let mut out: BTreeMap<K, Vec<V>> = BTreeMap::new();
    for ((k, v), d) in counts {
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

async fn write(pool: &Pool, batch: &[ViewUpdate], stats: &ViewStats) -> Result<(), SinkError> {
    match write_with(pool, batch, stats, TraceWrite::CopyNew).await {
        // A trace new to this run was stored by an earlier one: hydration after a restart
        // re-derives the window's traces, and a request can outlive the window. The
        // transaction rolled back before anything else was written; the upsert does it all.
        Err(SinkError::Postgres { source, .. })
            if source.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) =>
        {
            tracing::debug!(
                "a new trace was stored already (restart or a request older than the window); upserting the batch"
            );
            write_with(pool, batch, stats, TraceWrite::UpsertAll).await
        }
        other => other,
    }
}

async fn write_with(pool: &Pool, batch: &[ViewUpdate], stats: &ViewStats, how: TraceWrite) -> Result<(), SinkError> {
    // The newest trace per request: within one epoch a changed trace comes as the old one
    // retracted and the new one added, and retractions are not applied (see above).
    let mut traces: std::collections::HashMap<&str, &TraceSummary> = std::collections::HashMap::new();
    // Requests whose earlier trace this batch retracts: the dataflow had them before, so
    // their row may be stored already and they take the upsert.
    let mut retracted: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for update in batch {
        if let ViewUpdate::Trace(t, d) = update {
            if *d > 0 {
                let newest = traces.entry(t.request_id.as_str()).or_insert(t.as_ref());
                if t.stored.events.len() > newest.stored.events.len() {
                    *newest = t.as_ref();
                }
            } else {
                retracted.insert(t.request_id.as_str());
            }
        }
    }
    let revocations = net(batch.iter().filter_map(|u| match u {
        ViewUpdate::Propagation(p, d) => Some((p.revocation_event_id.clone(), p.as_ref().clone(), *d)),
        _ => None,
    }));
    let violations = net(batch.iter().filter_map(|u| match u {
        ViewUpdate::Violation(v, d) => {
            Some(((v.event_id.clone(), v.revocation_event_id.clone()), v.as_ref().clone(), *d))
        }
        _ => None,
    }));
    if traces.is_empty() && revocations.is_empty() && violations.is_empty() {
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
    if !changed.is_empty() {
        let rows = &changed;
        let ids: Vec<&str> = rows.iter().map(|t| t.request_id.as_str()).collect();
        let zones: Vec<&str> = rows.iter().map(|t| t.zone_id.as_str()).collect();
        let decisions: Vec<Option<&str>> = rows.iter().map(|t| t.final_decision.as_deref()).collect();
        let first: Vec<chrono::DateTime<chrono::Utc>> = rows.iter().map(|t| at(t.first_at_us)).collect();
        let last: Vec<chrono::DateTime<chrono::Utc>> = rows.iter().map(|t| at(t.last_at_us)).collect();
        let counts: Vec<i32> = rows.iter().map(|t| t.stored.events.len() as i32).collect();
        let json: Vec<String> = rows.iter().map(|t| serde_json::to_string(&t.stored).unwrap_or_default()).collect();
        let n = tx
            .execute(
                "INSERT INTO request_traces (request_id, zone_id, final_decision, first_at, last_at, event_count, trace) \
                 SELECT r, z, d, f, l, n, t::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], \
                        $5::timestamptz[], $6::int[], $7::text[]) AS u(r, z, d, f, l, n, t) \
                 ON CONFLICT (request_id) DO UPDATE SET zone_id = excluded.zone_id, final_decision = excluded.final_decision, \
                    first_at = excluded.first_at, last_at = excluded.last_at, event_count = excluded.event_count, \
                    trace = excluded.trace, updated_at = now() \
                 WHERE excluded.event_count >= request_traces.event_count",
                &[&ids, &zones, &decisions, &first, &last, &counts, &json],
            )
            .await
            .map_err(SinkError::pg("write request traces"))?;
        stats.traces.fetch_add(n, Ordering::Relaxed);
    }
    if !revocations.is_empty() {
        let rows: Vec<&Propagation> = revocations.values().filter_map(|v| v.last()).collect();
        let ids: Vec<&str> = rows.iter().map(|p| p.revocation_event_id.as_str()).collect();
        let zones: Vec<&str> = rows.iter().map(|p| p.zone_id.as_str()).collect();
        let roots: Vec<&str> = rows.iter().map(|p| p.root.as_str()).collect();
        let revoked: Vec<chrono::DateTime<chrono::Utc>> = rows.iter().map(|p| at(p.revoked_at_us)).collect();
        // text[] per row does not nest in unnest; pass JSON arrays instead.
        let affected: Vec<String> =
            rows.iter().map(|p| serde_json::to_string(&p.affected).unwrap_or_default()).collect();
        let deny: Vec<Option<chrono::DateTime<chrono::Utc>>> =
            rows.iter().map(|p| p.first_deny_after_us.map(at)).collect();
        let n = tx
            .execute(
                "INSERT INTO revocation_propagation (revocation_event_id, zone_id, root, revoked_at, affected, first_deny_after) \
                 SELECT i, z, r, t, ARRAY(SELECT jsonb_array_elements_text(a::jsonb)), d \
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::timestamptz[]) \
                      AS u(i, z, r, t, a, d) \
                 ON CONFLICT (revocation_event_id) DO UPDATE SET affected = excluded.affected, \
                    first_deny_after = LEAST(revocation_propagation.first_deny_after, excluded.first_deny_after), \
                    updated_at = now()",
                &[&ids, &zones, &roots, &revoked, &affected, &deny],
            )
            .await
            .map_err(SinkError::pg("write revocation status"))?;
        stats.revocations.fetch_add(n, Ordering::Relaxed);
    }
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

/// The rows the views start from (SPEC §5 "hydration"): of the given chains, every
/// lifecycle event (the delegation graph and its revocations) and every other event whose
/// event time is within `window` of now — what an uninterrupted run would hold.
pub async fn hydrate(
    pool: &Pool,
    chains: &[i32],
    window: Duration,
) -> Result<Vec<auditflow_schemas::view::ViewEvent>, SinkError> {
    let since = chrono::Utc::now() - chrono::Duration::from_std(window).unwrap_or(chrono::Duration::days(1));
    read_events(
        pool,
        "chain_id = ANY($1) AND (occurred_at >= $2 OR event_type LIKE 'session\\_%' OR event_type LIKE 'delegation\\_%')",
        &[&chains, &since],
    )
    .await
}

/// Ledger rows matching `condition` (SQL over `audit_events`, parameters `$1…`) as the
/// views see them.
pub async fn read_events(
    pool: &Pool,
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
         FROM audit_events WHERE {condition}",
        meta("session_id"),
        meta("agent_session_id"),
        meta("delegation_edge_id"),
        meta("parent_agent_session_id")
    );
    let c = client(pool).await?;
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
                chain_id: r.get(13),
                chain_seq: r.get(14),
            }
        })
        .collect())
}
