//! Small look-ups of ledger rows by position that the archive and the commands need. Each
//! counts retired positions (rows whose month retention dropped, recorded in
//! `audit_retired_events`) where the caller asks about the chain as a whole.

use crate::row::{after_event, at, event, select_list, Column};
use crate::LedgerError;
use auditflow_schemas::AuditEvent;
use chrono::{DateTime, Utc};
use tokio_postgres::GenericClient;

/// A position of a chain as the ledger holds it: (`chain_seq`, `id`, `content_sha256`).
pub type Position = (i64, String, String);

/// When the row at `chain`/`seq` was committed, if it is stored.
pub async fn commit_time<C: GenericClient>(c: &C, chain: i32, seq: i64) -> Result<Option<DateTime<Utc>>, LedgerError> {
    let row = c
        .query_opt("SELECT ingested_at FROM audit_events WHERE chain_id = $1 AND chain_seq = $2", &[&chain, &seq])
        .await
        .map_err(LedgerError::pg("read commit time"))?;
    Ok(row.map(|r| r.get(0)))
}

/// The position just below a chain's oldest stored row (retention may have dropped older
/// ones), else its ledger head: where a copy of the chain switched on later starts.
pub async fn before_oldest_stored<C: GenericClient>(c: &C, chain: i32) -> Result<i64, LedgerError> {
    let row = c
        .query_one(
            "SELECT coalesce((SELECT min(chain_seq) - 1 FROM audit_events WHERE chain_id = $1), \
                             (SELECT chain_seq FROM audit_ingest_watermarks WHERE sink = 'ledger' AND chain_id = $1), 0)",
            &[&chain],
        )
        .await
        .map_err(LedgerError::pg("read the oldest stored position"))?;
    Ok(row.get(0))
}

/// The `content_sha256` and `chain_hmac` of the stored row at `chain`/`seq`.
pub async fn link_at<C: GenericClient>(c: &C, chain: i32, seq: i64) -> Result<(String, String), LedgerError> {
    let row = c
        .query_one(
            "SELECT content_sha256, chain_hmac FROM audit_events WHERE chain_id = $1 AND chain_seq = $2",
            &[&chain, &seq],
        )
        .await
        .map_err(LedgerError::pg("read segment head"))?;
    Ok((row.get(0), row.get(1)))
}

/// The id, `content_sha256` and (for a stored row, not a retired one) `chain_hmac` at
/// `chain`/`seq`, if the position exists.
pub async fn anchored_at<C: GenericClient>(
    c: &C,
    chain: i32,
    seq: i64,
) -> Result<Option<(String, String, Option<String>)>, LedgerError> {
    let row = c
        .query_opt(
            "SELECT id, content_sha256, chain_hmac FROM audit_events WHERE chain_id = $1 AND chain_seq = $2 \
             UNION ALL SELECT id, content_sha256, NULL::text FROM audit_retired_events WHERE chain_id = $1 AND chain_seq = $2 \
             LIMIT 1",
            &[&chain, &seq],
        )
        .await
        .map_err(LedgerError::pg("read an anchored head"))?;
    Ok(row.map(|r| (r.get(0), r.get(1), r.get(2))))
}

/// Every position of `chain` in `from..=to`, stored or retired, in chain order (a position
/// held twice shows twice).
pub async fn positions<C: GenericClient>(c: &C, chain: i32, from: i64, to: i64) -> Result<Vec<Position>, LedgerError> {
    let rows = c
        .query(
            "SELECT chain_seq, id, content_sha256 FROM audit_events \
             WHERE chain_id = $1 AND chain_seq BETWEEN $2 AND $3 \
             UNION ALL SELECT chain_seq, id, content_sha256 FROM audit_retired_events \
             WHERE chain_id = $1 AND chain_seq BETWEEN $2 AND $3 ORDER BY chain_seq",
            &[&chain, &from, &to],
        )
        .await
        .map_err(LedgerError::pg("read ledger positions"))?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
}

/// How many rows the ledger holds.
pub async fn row_count<C: GenericClient>(c: &C) -> Result<i64, LedgerError> {
    let row = c.query_one("SELECT count(*) FROM audit_events", &[]).await.map_err(LedgerError::pg("count rows"))?;
    Ok(row.get(0))
}

/// A zone page as Caracal's readers ask for it: a zone's rows in chain order after a
/// position, within an event-time window, optionally of one decision or request.
#[derive(Debug, Clone)]
pub struct ZoneQuery<'a> {
    /// The zone.
    pub zone_id: &'a str,
    /// Event time from (inclusive).
    pub since: DateTime<Utc>,
    /// Event time until (exclusive).
    pub until: DateTime<Utc>,
    /// Only this decision (empty: any).
    pub decision: &'a str,
    /// Only this request (empty: any).
    pub request_id: &'a str,
    /// Rows after this chain position (0: from the start).
    pub after_seq: i64,
    /// At most this many rows.
    pub limit: i64,
}

/// The columns of a [`StoredRow`], in its order.
const STORED: &[Column] = &after_event::<18>(&[
    Column::IngestedAt,
    Column::ContentSha256,
    Column::PrevContentSha256,
    Column::ChainHmac,
    Column::ChainSeq,
]);

/// A ledger row as stored: its event ([`crate::row::event`]) and chain columns. Columns a
/// row adopted from Caracal may lack are optional.
#[derive(Debug, Clone)]
pub struct StoredRow {
    /// The event, JSON columns as Postgres renders `jsonb` text.
    pub event: AuditEvent,
    /// Commit time.
    pub ingested_at: DateTime<Utc>,
    /// Content hash.
    pub content_sha256: Option<String>,
    /// The previous row's content hash.
    pub prev_content_sha256: Option<String>,
    /// Ledger HMAC.
    pub chain_hmac: Option<String>,
    /// Position in the zone's chain.
    pub chain_seq: Option<i64>,
}

impl StoredRow {
    fn decode(r: &tokio_postgres::Row) -> Result<Self, tokio_postgres::Error> {
        let get = |c: Column| at(STORED, c);
        Ok(StoredRow {
            event: event(r)?,
            ingested_at: r.try_get(get(Column::IngestedAt))?,
            content_sha256: r.try_get(get(Column::ContentSha256))?,
            prev_content_sha256: r.try_get(get(Column::PrevContentSha256))?,
            chain_hmac: r.try_get(get(Column::ChainHmac))?,
            chain_seq: r.try_get(get(Column::ChainSeq))?,
        })
    }
}

/// One page of a zone in chain order (what Caracal's notification dispatcher and console
/// read).
pub async fn zone_page<C: GenericClient>(c: &C, q: &ZoneQuery<'_>) -> Result<Vec<StoredRow>, LedgerError> {
    let sql = format!(
        "SELECT {} FROM audit_events \
         WHERE zone_id = $1 AND occurred_at >= $2 AND occurred_at < $3 \
           AND ($4 = '' OR decision = $4) AND ($5 = '' OR request_id = $5) \
           AND ($6::bigint = 0 OR chain_seq > $6) \
         ORDER BY chain_seq ASC LIMIT $7",
        select_list(STORED)
    );
    let rows = c
        .query(&sql, &[&q.zone_id, &q.since, &q.until, &q.decision, &q.request_id, &q.after_seq, &q.limit])
        .await
        .map_err(LedgerError::pg("read a zone page"))?;
    rows.iter().map(StoredRow::decode).collect::<Result<_, _>>().map_err(LedgerError::pg("decode a zone page row"))
}

/// Every chain's committed head (`chain_seq` of its ledger watermark), by chain.
pub async fn chain_heads<C: GenericClient>(c: &C) -> Result<std::collections::BTreeMap<i32, i64>, LedgerError> {
    let rows = c
        .query("SELECT chain_id, chain_seq FROM audit_ingest_watermarks WHERE sink = 'ledger'", &[])
        .await
        .map_err(LedgerError::pg("read the chain heads"))?;
    Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// The ledger database's OID: the same on a promoted standby, another one for a database
/// created again under the same name (so records about the old one do not apply to it).
pub async fn database_oid<C: GenericClient>(c: &C) -> Result<i64, LedgerError> {
    let row = c
        .query_one("SELECT oid::bigint FROM pg_database WHERE datname = current_database()", &[])
        .await
        .map_err(LedgerError::pg("read the database's oid"))?;
    Ok(row.get(0))
}
