//! Searching the ledger (`GET /v1/events`, `auditflow search`): cursor pages that return
//! each matching row exactly once while ingestion goes on.
//!
//! A search is pinned to a snapshot of the ledger: the first page reads every chain's
//! committed head (`audit_ingest_watermarks`, written in the same transaction as the rows it
//! covers), and every page keeps only rows at or below those heads. Pages are ordered by
//! `(occurred_at, id)` and the cursor carries the last row's key and the snapshot, so rows
//! committed after the first page (whatever their event time) never shift or repeat a page.

use crate::LedgerError;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// A search that failed: the database, or a row it could not render.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SearchError {
    /// Postgres failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// A row could not be rendered as JSON (a column of a type the search does not know).
    #[error("render a search row: {0}")]
    Render(String),
}

fn render(message: impl Into<String>) -> SearchError {
    SearchError::Render(message.into())
}

/// Checked filters (the command-line and query-string parsing is the caller's).
#[derive(Debug, Default, Clone)]
pub struct Filters {
    /// Zone.
    pub zone: Option<String>,
    /// Event time from (inclusive).
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// Event time until (exclusive).
    pub until: Option<chrono::DateTime<chrono::Utc>>,
    /// Request id.
    pub request_id: Option<String>,
    /// Decision (case-insensitive).
    pub decision: Option<String>,
    /// Event type.
    pub event_type: Option<String>,
    /// `metadata_json.session_id`.
    pub session_id: Option<String>,
    /// `metadata_json.agent_session_id`.
    pub agent_session_id: Option<String>,
    /// Zones the caller may see (`None`: all).
    pub allowed_zones: Option<Vec<String>>,
    /// Rows per page.
    pub limit: i64,
    /// Where the previous page ended.
    pub cursor: Option<Cursor>,
}

/// Where a search stands: the snapshot's chain heads and the last row returned.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Cursor {
    /// Committed head per chain (index = chain id) when the search began.
    pub heads: Vec<i64>,
    /// `occurred_at` of the last row returned, µs.
    pub after_us: i64,
    /// `id` of the last row returned.
    pub after_id: String,
}

impl Cursor {
    /// The cursor as the opaque text a page hands out.
    pub fn encode(&self) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// A cursor from its text; `None` when the text is not one [`Cursor::encode`] wrote.
    pub fn decode(text: &str) -> Option<Self> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

/// One page.
#[derive(Debug)]
pub struct Page {
    /// The rows, each as the ledger holds it: a JSON object of every column, as
    /// `row_to_json` renders it.
    pub events: Vec<String>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
    /// The snapshot: committed head per chain when the search began.
    pub chain_heads: Vec<i64>,
}

impl Page {
    /// The page as the API's JSON (`Page` in docs/openapi.json): the rows are spliced in as
    /// rendered, not parsed and written again.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(64 + self.events.iter().map(|e| e.len() + 1).sum::<usize>());
        out.push_str("{\"events\":[");
        for (i, event) in self.events.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(event);
        }
        out.push_str("],\"next_cursor\":");
        out.push_str(&serde_json::to_string(&self.next_cursor).unwrap_or_else(|_| "null".into()));
        out.push_str(",\"chain_heads\":");
        out.push_str(&serde_json::to_string(&self.chain_heads).unwrap_or_else(|_| "[]".into()));
        out.push('}');
        out
    }
}

/// Runs one page of a search. Statements are prepared once per connection and filter
/// combination: planning over every monthly partition costs more than most pages do.
pub async fn search(client: &deadpool_postgres::Client, filters: &Filters) -> Result<Page, SearchError> {
    // The snapshot: the cursor's chain heads, or on a first page the committed heads, read
    // once by the search itself (one round trip) and returned once, in a row of their own
    // ahead of the page: as a column of every row they cost Postgres an array per row.
    // Heads are indexed by chain id; a chain without a watermark yet has head 0, which the
    // slower gap-filling form supplies only when such a gap exists.
    const HEADS: &str = "COALESCE($1::bigint[], (SELECT CASE WHEN count(*) = max(w.chain_id) + 1 \
             THEN array_agg(w.chain_seq ORDER BY w.chain_id) \
             ELSE (SELECT array_agg(COALESCE(x.chain_seq, 0) ORDER BY g) FROM generate_series(0, max(w.chain_id)) g \
                   LEFT JOIN audit_ingest_watermarks x ON x.sink = 'ledger' AND x.chain_id = g) END \
         FROM audit_ingest_watermarks w WHERE w.sink = 'ledger'))";
    let cursor_heads: Option<Vec<i64>> = filters.cursor.as_ref().map(|c| c.heads.clone());
    let mut sql = format!(
        "WITH snapshot AS MATERIALIZED (SELECT {HEADS} AS heads) \
         SELECT (NULL::audit_events).*, heads AS auditflow_snapshot_heads FROM snapshot \
         UNION ALL (SELECT e.*, NULL FROM audit_events e \
         WHERE e.chain_seq <= COALESCE(((SELECT heads FROM snapshot))[e.chain_id + 1], 0)"
    );
    let mut params: Vec<Box<dyn tokio_postgres::types::ToSql + Sync + Send>> = vec![Box::new(cursor_heads)];
    let mut add = |sql: &mut String, clause: &str, value: Box<dyn tokio_postgres::types::ToSql + Sync + Send>| {
        params.push(value);
        sql.push_str(&clause.replace('?', &format!("${}", params.len())));
    };
    if let Some(z) = &filters.zone {
        add(&mut sql, " AND e.zone_id = ?", Box::new(z.clone()));
    }
    if let Some(zones) = &filters.allowed_zones {
        add(&mut sql, " AND e.zone_id = ANY(?)", Box::new(zones.clone()));
    }
    if let Some(t) = filters.since {
        add(&mut sql, " AND e.occurred_at >= ?", Box::new(t));
    }
    if let Some(t) = filters.until {
        add(&mut sql, " AND e.occurred_at < ?", Box::new(t));
    }
    if let Some(r) = &filters.request_id {
        add(&mut sql, " AND e.request_id = ?", Box::new(r.clone()));
    }
    if let Some(d) = &filters.decision {
        add(&mut sql, " AND lower(e.decision) = lower(?)", Box::new(d.clone()));
    }
    if let Some(t) = &filters.event_type {
        add(&mut sql, " AND e.event_type = ?", Box::new(t.clone()));
    }
    if let Some(s) = &filters.session_id {
        add(&mut sql, " AND e.metadata_json->>'session_id' = ?", Box::new(s.clone()));
    }
    if let Some(s) = &filters.agent_session_id {
        add(&mut sql, " AND e.metadata_json->>'agent_session_id' = ?", Box::new(s.clone()));
    }
    if let Some(c) = &filters.cursor {
        let after = chrono::DateTime::from_timestamp_micros(c.after_us).unwrap_or_default();
        add(&mut sql, " AND (e.occurred_at, e.id) > (?", Box::new(after));
        add(&mut sql, ", ?)", Box::new(c.after_id.clone()));
    }
    add(&mut sql, " ORDER BY e.occurred_at, e.id LIMIT ?)", Box::new(filters.limit + 1));
    let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
        params.iter().map(|p| p.as_ref() as &(dyn tokio_postgres::types::ToSql + Sync)).collect();
    let statement = client.prepare_cached(&sql).await.map_err(LedgerError::pg("prepare the search"))?;
    let rows = client.query(&statement, &refs).await.map_err(LedgerError::pg("search the ledger"))?;
    // The heads' row is the one without an id (every ledger row has one). It is looked for
    // wherever it is, since SQL does not promise the order of a `UNION ALL`'s branches; the
    // page's rows come out of one branch, its `ORDER BY` subquery, in that order.
    let first = rows.first().ok_or_else(|| render("the search returned no snapshot row"))?;
    let column = |name: &str| {
        first.columns().iter().position(|c| c.name() == name).ok_or_else(|| render(format!("the search has no {name}")))
    };
    let (id_at, time_at) = (column("id")?, column("occurred_at")?);
    let mut heads = None;
    let mut page: Vec<&tokio_postgres::Row> = Vec::with_capacity(rows.len());
    for row in &rows {
        if row.try_get::<_, Option<&str>>(id_at).map_err(LedgerError::pg("read a row's id"))?.is_some() {
            page.push(row);
        } else {
            heads = row
                .try_get::<_, Option<Vec<i64>>>("auditflow_snapshot_heads")
                .map_err(LedgerError::pg("read the snapshot's heads"))?;
        }
    }
    let heads = heads.unwrap_or_default();
    let more = page.len() as i64 > filters.limit;
    page.truncate(filters.limit as usize);
    let next_cursor = match (more, page.last()) {
        (true, Some(last)) => {
            let after: chrono::DateTime<chrono::Utc> =
                last.try_get(time_at).map_err(LedgerError::pg("read the last row's time"))?;
            let after_id: String = last.try_get(id_at).map_err(LedgerError::pg("read the last row's id"))?;
            Some(Cursor { heads: heads.clone(), after_us: after.timestamp_micros(), after_id }.encode())
        }
        _ => None,
    };
    let events = page.into_iter().map(row_json).collect::<Result<Vec<_>, _>>()?;
    Ok(Page { events, next_cursor, chain_heads: heads })
}

/// A `jsonb` or `json` value as Postgres sends it, kept as text.
struct JsonText<'a>(&'a str);

impl<'a> tokio_postgres::types::FromSql<'a> for JsonText<'a> {
    fn from_sql(
        ty: &tokio_postgres::types::Type,
        raw: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        // Binary jsonb is a version byte (1) and the value's text.
        let text = match (ty, raw.split_first()) {
            (&tokio_postgres::types::Type::JSONB, Some((1, rest))) => rest,
            (&tokio_postgres::types::Type::JSONB, _) => return Err("unknown jsonb format version".into()),
            _ => raw,
        };
        Ok(JsonText(std::str::from_utf8(text)?))
    }

    fn accepts(ty: &tokio_postgres::types::Type) -> bool {
        matches!(*ty, tokio_postgres::types::Type::JSONB | tokio_postgres::types::Type::JSON)
    }
}

/// One ledger row (all columns but the last) as a JSON object of every column, in table
/// order, as `row_to_json` renders it under `TimeZone = UTC`: times are written as
/// `2026-11-24T08:34:47.922082+00:00` whatever the server's time zone.
///
/// Rendered here rather than by `row_to_json` in the query: Postgres escaping a page of
/// rows cost about as much as finding them, on the cores ingestion needs (docs/benchmarks.md).
/// Valid JSON by construction (strings escaped by serde_json, `jsonb` as Postgres prints it),
/// so a page is assembled from the rows without parsing them again.
fn row_json(row: &tokio_postgres::Row) -> Result<String, SearchError> {
    use std::io::Write;
    use tokio_postgres::types::Type;
    let mut out: Vec<u8> = Vec::with_capacity(1024);
    out.push(b'{');
    // The last column is the snapshot's heads, not part of the row.
    let columns = &row.columns()[..row.columns().len().saturating_sub(1)];
    for (i, column) in columns.iter().enumerate() {
        let name = column.name();
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, name).map_err(|e| render(e.to_string()))?;
        out.push(b':');
        match *column.type_() {
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => {
                put(row, i, &mut out, |o, v: &str| serde_json::to_writer(o, v).map_err(std::io::Error::from))?
            }
            Type::JSONB | Type::JSON => put(row, i, &mut out, |o, v: JsonText| o.write_all(v.0.as_bytes()))?,
            Type::INT8 => put(row, i, &mut out, |o, v: i64| write!(o, "{v}"))?,
            Type::INT4 => put(row, i, &mut out, |o, v: i32| write!(o, "{v}"))?,
            Type::BOOL => put(row, i, &mut out, |o, v: bool| write!(o, "{v}"))?,
            Type::TIMESTAMPTZ => put(row, i, &mut out, |o, v: chrono::DateTime<chrono::Utc>| {
                o.push(b'"');
                write_postgres_time(o, v)?;
                o.push(b'"');
                Ok(())
            })?,
            ref other => return Err(render(format!("column {name} has type {other}, which the search cannot render"))),
        }
    }
    out.push(b'}');
    String::from_utf8(out).map_err(|e| render(e.to_string()))
}

/// Writes column `i` of `row` with `write`, or `null`.
fn put<'a, T: tokio_postgres::types::FromSql<'a>>(
    row: &'a tokio_postgres::Row,
    i: usize,
    out: &mut Vec<u8>,
    write: impl FnOnce(&mut Vec<u8>, T) -> std::io::Result<()>,
) -> Result<(), SearchError> {
    let value =
        row.try_get::<_, Option<T>>(i).map_err(|e| render(format!("column {}: {e}", row.columns()[i].name())))?;
    match value {
        Some(v) => write(out, v).map_err(|e| render(e.to_string()))?,
        None => out.extend_from_slice(b"null"),
    }
    Ok(())
}

/// A time as Postgres renders a `timestamptz` in JSON under `TimeZone = UTC`: ISO 8601, the
/// fraction of a second without trailing zeros (none at all on a whole second).
fn write_postgres_time(out: &mut Vec<u8>, t: chrono::DateTime<chrono::Utc>) -> std::io::Result<()> {
    use chrono::{Datelike, Timelike};
    use std::io::Write;
    write!(out, "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", t.year(), t.month(), t.day(), t.hour(), t.minute(), t.second())?;
    let mut micros = t.timestamp_subsec_micros();
    if micros > 0 {
        let mut digits = 6;
        while micros.is_multiple_of(10) {
            micros /= 10;
            digits -= 1;
        }
        write!(out, ".{micros:0digits$}")?;
    }
    out.extend_from_slice(b"+00:00");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_render_as_postgres_renders_them() {
        let render = |s: &str| {
            let mut out = Vec::new();
            write_postgres_time(&mut out, chrono::DateTime::parse_from_rfc3339(s).expect("time").to_utc())
                .expect("write");
            String::from_utf8(out).expect("utf8")
        };
        assert_eq!(render("2026-11-24T08:34:47.922082Z"), "2026-11-24T08:34:47.922082+00:00");
        assert_eq!(render("2026-11-24T08:34:47.9Z"), "2026-11-24T08:34:47.9+00:00");
        assert_eq!(render("2026-11-24T08:34:47.000120Z"), "2026-11-24T08:34:47.00012+00:00");
        assert_eq!(render("2026-10-01T00:00:00Z"), "2026-10-01T00:00:00+00:00");
    }

    #[test]
    fn a_page_is_json_with_its_rows_spliced_in() {
        let page = Page {
            events: vec![r#"{"id":"a","n":1}"#.into(), r#"{"id":"b \"q\"","j":{"k": [1, 2]}}"#.into()],
            next_cursor: Some("c1".into()),
            chain_heads: vec![3, 0],
        };
        let parsed: serde_json::Value = serde_json::from_str(&page.to_json()).expect("valid JSON");
        assert_eq!(
            parsed,
            serde_json::json!({"events": [{"id": "a", "n": 1}, {"id": "b \"q\"", "j": {"k": [1, 2]}}],
                               "next_cursor": "c1", "chain_heads": [3, 0]})
        );
        let last = Page { events: vec![], next_cursor: None, chain_heads: vec![] };
        assert_eq!(last.to_json(), r#"{"events":[],"next_cursor":null,"chain_heads":[]}"#);
    }

    #[test]
    fn a_cursor_round_trips() {
        let c = Cursor { heads: vec![3, 0, 7], after_us: 1_795_400_000_000_000, after_id: "evt-1".into() };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
    }
}
