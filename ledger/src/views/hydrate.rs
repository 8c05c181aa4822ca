//! What a restarting worker reads back: the rows still inside the views' window and the
//! delegation graph as the views held it.

use super::read::{query_events, query_events_from};
use crate::postgres::client;
use crate::LedgerError;
use deadpool_postgres::Pool;

/// What hydration read, for the start-up log and the metrics.
#[derive(Debug, Default)]
pub struct Hydrated {
    /// The delegation graph as the views held it (written already): it joins memory
    /// without being checked again.
    pub graph: Vec<auditflow_schemas::view::ViewEvent>,
    /// The rows the window takes in as if they arrived now: the rows recent enough to be in
    /// memory, up to the views' recorded progress. No row is both here and in `graph`.
    pub rows: Vec<auditflow_schemas::view::ViewEvent>,
    /// The chains with rows committed after the views' recorded progress, and that
    /// position: the views may not have seen those rows before the process stopped, and
    /// read them back from the ledger a bounded batch at a time (their budget).
    pub behind: Vec<(i32, i64)>,
    /// How many rows `behind` leaves to read.
    pub unprocessed: u64,
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
/// * not the rows committed after the views' recorded progress: the views may not have seen
///   them before the process stopped, and take them from the ledger after start-up, within
///   their budget (`behind`).
pub async fn hydrate(pool: &Pool, chains: &[i32], held_us: i64) -> Result<Hydrated, LedgerError> {
    let c = client(pool).await?;
    let progress = c
        .query(
            "SELECT c.id, coalesce(p.chain_seq, 0), p.newest_at, \
                    (SELECT max(chain_seq) FROM audit_events e WHERE e.chain_id = c.id) \
             FROM unnest($1::int[]) AS c(id) LEFT JOIN audit_views_progress p ON p.chain_id = c.id",
            &[&chains],
        )
        .await
        .map_err(LedgerError::pg("read the views' progress"))?;
    let newest: Option<chrono::DateTime<chrono::Utc>> =
        progress.iter().filter_map(|r| r.get::<_, Option<chrono::DateTime<chrono::Utc>>>(2)).max();
    let retired = c
        .query("SELECT added, live_chain, live_seq FROM audit_views_retired", &[])
        .await
        .map_err(LedgerError::pg("read the retired trees' filters"))?;
    let mut out = Hydrated {
        newest_us: newest.map(|n| n.timestamp_micros()),
        retired: c
            .query("SELECT page, bits FROM audit_views_retired_pages", &[])
            .await
            .map_err(LedgerError::pg("read the retired trees' filters"))?
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
    // Per chain, the position the views recorded as written: what follows it comes later.
    let written: std::collections::HashMap<i32, i64> =
        progress.iter().map(|r| (r.get::<_, i32>(0), r.get::<_, i64>(1))).collect();
    for r in &progress {
        let (chain, after, newest) = (r.get::<_, i32>(0), r.get::<_, i64>(1), r.get::<_, Option<i64>>(3));
        if let Some(newest) = newest.filter(|n| *n > after) {
            out.behind.push((chain, after));
            out.unprocessed += (newest - after) as u64;
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut keep = |rows: Vec<auditflow_schemas::view::ViewEvent>, into: &mut Vec<_>| {
        for row in rows {
            let unwritten = written.get(&row.chain_id).is_some_and(|w| row.chain_seq > *w);
            if !unwritten && seen.insert((row.chain_id, row.chain_seq)) {
                into.push(row);
            }
        }
    };
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
