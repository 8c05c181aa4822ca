//! Ledger rows as the views see them ([`auditflow_schemas::view::ViewEvent`]).

use crate::postgres::client;
use crate::LedgerError;
use deadpool_postgres::Pool;

/// Ledger rows matching `condition` (SQL over `audit_events`, parameters `$1…`) as the
/// views see them.
pub async fn read_events(
    pool: &Pool,
    condition: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<auditflow_schemas::view::ViewEvent>, LedgerError> {
    let c = client(pool).await?;
    query_events(&**c, condition, params).await
}

/// [`read_events`] on a client or within a transaction.
pub(super) async fn query_events<C: tokio_postgres::GenericClient>(
    c: &C,
    condition: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<auditflow_schemas::view::ViewEvent>, LedgerError> {
    query_events_from(c, "audit_events", condition, params).await
}

/// `keys` (a row source, typically `unnest(…) AS u(…)`) joined to the ledger rows `rows`
/// (a `SELECT … FROM audit_events e WHERE …` over `u`'s columns) found for each key, named
/// `audit_events`: a `FROM` for [`query_events_from`].
///
/// The `OFFSET 0` keeps Postgres from flattening the lateral subquery into a join it may
/// plan as a hash join over every row of a partition: a fresh or growing ledger has no (or
/// stale) statistics, and a batch of a few hundred keys was then answered by scanning the
/// zone (100–360 ms per batch on a 200k-row ledger, measured with `auto_explain`). Kept as a
/// subquery, each key is one probe of the index that serves `rows`.
///
/// ```
/// use auditflow_ledger::views::read::probe_each;
/// let from = probe_each("unnest($1::text[]) AS u(k)", "SELECT e.* FROM audit_events e WHERE e.request_id = u.k");
/// assert_eq!(from, "unnest($1::text[]) AS u(k) CROSS JOIN LATERAL \
///                   (SELECT e.* FROM audit_events e WHERE e.request_id = u.k OFFSET 0) AS audit_events");
/// ```
pub fn probe_each(keys: &str, rows: &str) -> String {
    probe_each_as(keys, rows, "audit_events")
}

/// [`probe_each`] for rows of another table, named `alias`.
pub fn probe_each_as(keys: &str, rows: &str, alias: &str) -> String {
    format!("{keys} CROSS JOIN LATERAL ({rows} OFFSET 0) AS {alias}")
}

/// [`query_events`] over `from`, which must name its ledger rows `audit_events`.
pub(super) async fn query_events_from<C: tokio_postgres::GenericClient>(
    c: &C,
    from: &str,
    condition: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<auditflow_schemas::view::ViewEvent>, LedgerError> {
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
    let rows = c.query(&sql, params).await.map_err(LedgerError::pg("read the ledger for the views"))?;
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

/// Each chain's rows after a position, in position order, at most `limit` a chain: how the
/// views catch up a chain that fell behind their budget.
pub async fn read_after(
    pool: &Pool,
    after: &[(i32, i64)],
    limit: i64,
) -> Result<Vec<auditflow_schemas::view::ViewEvent>, LedgerError> {
    let c = client(pool).await?;
    let (chains, seqs): (Vec<i32>, Vec<i64>) = after.iter().copied().unzip();
    let from = probe_each(
        "unnest($1::int[], $2::bigint[]) AS p(c, s)",
        "SELECT e.* FROM audit_events e WHERE e.chain_id = p.c AND e.chain_seq > p.s ORDER BY e.chain_seq LIMIT $3",
    );
    let mut rows = query_events_from(&**c, &from, "true", &[&chains, &seqs, &limit]).await?;
    rows.sort_unstable_by_key(|r| (r.chain_id, r.chain_seq));
    Ok(rows)
}
