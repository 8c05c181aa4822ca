//! How far the views have written, per chain, with each worker's retired delegation trees.

use super::update::at;
use crate::postgres::client;
use crate::LedgerError;
use deadpool_postgres::Pool;

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
pub async fn record_progress(
    pool: &Pool,
    progress: &[(i32, i64, i64)],
    graph: &GraphRecord,
) -> Result<(), LedgerError> {
    let chains: Vec<i32> = progress.iter().map(|p| p.0).collect();
    let seqs: Vec<i64> = progress.iter().map(|p| p.1).collect();
    let newest: Vec<chrono::DateTime<chrono::Utc>> = progress.iter().map(|p| at(p.2)).collect();
    let mut c = client(pool).await?;
    let tx = c.transaction().await.map_err(LedgerError::pg("begin"))?;
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
        .map_err(LedgerError::pg("store the retired trees' filter"))?;
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
    .map_err(LedgerError::pg("record the delegation graph's state"))?;
    tx.execute(
        "INSERT INTO audit_views_progress (chain_id, chain_seq, newest_at) \
         SELECT * FROM unnest($1::int[], $2::bigint[], $3::timestamptz[]) \
         ON CONFLICT (chain_id) DO UPDATE SET chain_seq = GREATEST(audit_views_progress.chain_seq, excluded.chain_seq), \
            newest_at = GREATEST(audit_views_progress.newest_at, excluded.newest_at), updated_at = now()",
        &[&chains, &seqs, &newest],
    )
    .await
    .map_err(LedgerError::pg("record the views' progress"))?;
    tx.commit().await.map_err(LedgerError::pg("commit the views' progress"))?;
    Ok(())
}
