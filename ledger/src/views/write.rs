//! The views' write transaction: one per completed epoch, idempotent upserts, with the
//! look-ups a late row needs (`checks`).

use super::checks;
use super::read::probe_each;
use super::traces::{copy_traces, traces_from_ledger, upsert_traces};
use super::update::{at, ViewRules, ViewStats, ViewUpdate};
use crate::postgres::client;
use crate::LedgerError;
use auditflow_retry::{Backoff, Retry};
use auditflow_schemas::view::{Propagation, TraceSummary, Violation};
use deadpool_postgres::Pool;
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

/// Writes one epoch's updates, retrying while Postgres is unreachable (with the one
/// [`auditflow_retry::Backoff`]). A batch that fails for good is logged and
/// skipped: the views are derived, and the evidence stays in the ledger, which `auditflow
/// trace` and the API explain from.
pub async fn write_batch(pool: &Pool, batch: &[ViewUpdate], stats: &ViewStats, rules: &ViewRules) {
    let outcome = Backoff::outage()
        .retry(
            || write(pool, batch, stats, rules),
            |e, wait| {
                if !e.is_retryable() {
                    return Retry::GiveUp;
                }
                tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "writing the views failed, retrying");
                Retry::Again
            },
        )
        .await;
    if let Err(e) = outcome {
        tracing::error!(error = %e, "the views could not be written; this batch is missing from them");
    }
    stats.batches.fetch_add(1, Ordering::Relaxed);
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

/// How a batch's traces go in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TraceWrite {
    /// Traces new to the dataflow by binary COPY, changed ones by upsert.
    CopyNew,
    /// Every trace by upsert: after a COPY met a row that was already stored.
    UpsertAll,
}

async fn write(pool: &Pool, batch: &[ViewUpdate], stats: &ViewStats, rules: &ViewRules) -> Result<(), LedgerError> {
    match write_with(pool, batch, stats, rules, TraceWrite::CopyNew).await {
        // A trace new to this run was stored by an earlier one: hydration after a restart
        // re-derives the window's traces, and a request can outlive the window. The
        // transaction rolled back before anything else was written; the upsert does it all.
        Err(LedgerError::Postgres { source, .. })
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
) -> Result<(), LedgerError> {
    // The newest trace per request: within one epoch a changed trace comes as the old one
    // retracted and the new one added, and retractions are not applied (see above).
    let mut versions: std::collections::HashMap<&str, Vec<&TraceSummary>> = std::collections::HashMap::new();
    // Requests whose earlier trace this batch retracts (the dataflow had them before), and
    // late rows of requests that had left memory: their row may be stored already, so they
    // take the upsert. A COPY meeting a stored row fails whole and the batch is written again.
    let mut retracted: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for update in batch {
        match update {
            ViewUpdate::Trace(t, d) if *d > 0 => versions.entry(t.request_id.as_str()).or_default().push(t.as_ref()),
            ViewUpdate::Trace(t, _) => {
                retracted.insert(t.request_id.as_str());
            }
            ViewUpdate::LateTrace(t) => {
                versions.entry(t.request_id.as_str()).or_default().push(t.as_ref());
                retracted.insert(t.request_id.as_str());
            }
            _ => {}
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
    let tx = c.transaction().await.map_err(LedgerError::pg("begin"))?;
    // Derived state: a crash may lose the last few milliseconds of view writes, which the
    // next start-up rewrites from the ledger, so the commit need not wait for the WAL flush.
    tx.batch_execute("SET LOCAL synchronous_commit TO off").await.map_err(LedgerError::pg("set synchronous_commit"))?;
    let (new, changed): (Vec<&TraceSummary>, Vec<&TraceSummary>) = traces
        .values()
        .copied()
        .partition(|t| how == TraceWrite::CopyNew && !retracted.contains(t.request_id.as_str()));
    // Most requests complete within one epoch, so most traces are new to the dataflow. A
    // binary COPY costs Postgres less than the upsert (no array parameters to parse, no
    // conflict check). It comes first in the transaction, so that a conflict rolls back
    // nothing else.
    if !new.is_empty() {
        let n = copy_traces(&tx, &new).await.map_err(LedgerError::pg("copy request traces"))?;
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
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&crate::migrations::VIEWS_REVOCATION_LOCK_KEY])
            .await
            .map_err(LedgerError::pg("wait for the revocation writers' lock"))?;
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
            .map_err(LedgerError::pg("write revocation violations"))?;
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
    tx.commit().await.map_err(LedgerError::pg("commit views"))?;
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
) -> Result<(), LedgerError> {
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
        .map_err(LedgerError::pg("write revocation status"))?;
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
) -> Result<u64, LedgerError> {
    use auditflow_schemas::view::{RevocationHit, Verdict};
    let todo = tx
        .query(
            "SELECT p.revocation_event_id, p.zone_id, p.revoked_at, a.node \
             FROM revocation_propagation p CROSS JOIN LATERAL unnest(p.affected) AS a(node) \
             WHERE p.revocation_event_id = ANY($1) AND NOT (a.node = ANY(p.checked_affected))",
            &[&ids],
        )
        .await
        .map_err(LedgerError::pg("list the sessions to look up"))?;
    if todo.is_empty() {
        return Ok(0);
    }
    let revs: Vec<String> = todo.iter().map(|r| r.get(0)).collect();
    let zones: Vec<String> = todo.iter().map(|r| r.get(1)).collect();
    let times: Vec<chrono::DateTime<chrono::Utc>> = todo.iter().map(|r| r.get(2)).collect();
    let nodes: Vec<String> = todo.iter().map(|r| r.get(3)).collect();
    // Access decisions only, as the live views take them: not lifecycle, an allow or a deny,
    // the agent session a JSON string. The index on (zone, agent session, time) serves it:
    // its predicate, `->> IS NOT NULL`, is stated as it is so that the planner can prove it.
    let hits = tx
        .query(
            &format!(
                "SELECT t.rev, t.zone, t.node, t.at, audit_events.id, audit_events.occurred_at, audit_events.decision \
                 FROM {}",
                probe_each(
                    "unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[]) AS t(rev, zone, at, node)",
                    "SELECT e.id, e.occurred_at, e.decision FROM audit_events e \
                     WHERE e.zone_id = t.zone AND (e.metadata_json->>'agent_session_id') IS NOT NULL \
                       AND (e.metadata_json->>'agent_session_id') = t.node AND e.occurred_at >= t.at \
                       AND jsonb_typeof(e.metadata_json->'agent_session_id') = 'string' \
                       AND e.event_type NOT LIKE 'session\\_%' AND e.event_type NOT LIKE 'delegation\\_%' \
                       AND lower(e.decision) IN ('allow', 'deny')"
                )
            ),
            &[&revs, &zones, &times, &nodes],
        )
        .await
        .map_err(LedgerError::pg("look up accesses of revoked sessions in the ledger"))?;
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
    .map_err(LedgerError::pg("record the sessions looked up"))?;
    Ok(nodes.len() as u64)
}

/// Lowers stored first denies to those found (per revocation id, µs).
async fn record_first_denies(
    tx: &tokio_postgres::Transaction<'_>,
    first_deny: BTreeMap<String, i64>,
) -> Result<(), LedgerError> {
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
    .map_err(LedgerError::pg("record the first deny found"))?;
    Ok(())
}
