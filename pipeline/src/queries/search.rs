//! Searching the ledger (`GET /v1/events`, `auditflow search`): filters, and cursor pages that
//! return each matching row exactly once while ingestion goes on.
//!
//! A search is pinned to a snapshot of the ledger: the first page reads every chain's
//! committed head (`audit_ingest_watermarks`, written in the same transaction as the rows it
//! covers), and every page keeps only rows at or below those heads. Pages are ordered by
//! `(occurred_at, id)` and the cursor carries the last row's key and the snapshot, so rows
//! committed after the first page (whatever their event time) never shift or repeat a page.

use anyhow::Context;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// Largest page.
pub const MAX_LIMIT: i64 = 1000;

/// A bad search parameter: HTTP 400 / exit 2, naming the parameter.
#[derive(Debug, thiserror::Error)]
#[error("{parameter}: {message}")]
pub struct BadParameter {
    /// The parameter.
    pub parameter: &'static str,
    /// What is wrong and what is expected.
    pub message: String,
}

fn bad(parameter: &'static str, message: impl Into<String>) -> BadParameter {
    BadParameter { parameter, message: message.into() }
}

/// Search parameters as they arrive (query string or CLI flags): all text, checked by
/// [`Filters::parse`].
#[derive(Debug, Default, Clone, Deserialize, serde::Serialize, clap::Args)]
#[serde(deny_unknown_fields)]
pub struct RawQuery {
    /// Zone.
    #[arg(long)]
    pub zone: Option<String>,
    /// Event time from (RFC 3339, inclusive).
    #[arg(long)]
    pub since: Option<String>,
    /// Event time until (RFC 3339, exclusive).
    #[arg(long)]
    pub until: Option<String>,
    /// Request id.
    #[arg(long)]
    pub request_id: Option<String>,
    /// Decision (case-insensitive).
    #[arg(long)]
    pub decision: Option<String>,
    /// Event type.
    #[arg(long)]
    pub event_type: Option<String>,
    /// `metadata_json.session_id`.
    #[arg(long)]
    pub session_id: Option<String>,
    /// `metadata_json.agent_session_id`.
    #[arg(long)]
    pub agent_session_id: Option<String>,
    /// Rows per page, 1 to 1000 [default: 100].
    #[arg(long)]
    pub limit: Option<String>,
    /// Continue from a previous page's `next_cursor`.
    #[arg(long)]
    pub cursor: Option<String>,
}

/// Checked filters.
#[derive(Debug, Default, Clone)]
pub struct Filters {
    zone: Option<String>,
    since: Option<chrono::DateTime<chrono::Utc>>,
    until: Option<chrono::DateTime<chrono::Utc>>,
    request_id: Option<String>,
    decision: Option<String>,
    event_type: Option<String>,
    session_id: Option<String>,
    agent_session_id: Option<String>,
    /// Zones the caller may see (`None`: all).
    allowed_zones: Option<Vec<String>>,
    limit: i64,
    cursor: Option<Cursor>,
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
    fn encode(&self) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    fn decode(text: &str) -> Result<Self, BadParameter> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| bad("cursor", "not a cursor from a previous page's next_cursor"))?;
        serde_json::from_slice(&bytes).map_err(|_| bad("cursor", "not a cursor from a previous page's next_cursor"))
    }
}

fn time(parameter: &'static str, text: &str) -> Result<chrono::DateTime<chrono::Utc>, BadParameter> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| bad(parameter, format!("{text:?} is not an RFC 3339 time such as 2026-11-24T00:00:00Z")))
}

fn text(parameter: &'static str, value: &Option<String>) -> Result<Option<String>, BadParameter> {
    match value {
        Some(v) if v.is_empty() || v.len() > 256 => Err(bad(parameter, "must be 1 to 256 characters")),
        other => Ok(other.clone()),
    }
}

impl Filters {
    /// Moves on to the page after one whose `next_cursor` was `next`.
    pub fn follow(&mut self, next: &str) -> Result<(), BadParameter> {
        self.cursor = Some(Cursor::decode(next)?);
        Ok(())
    }

    /// Checks the parameters; `allowed_zones` limits what a zone-scoped caller sees.
    pub fn parse(raw: &RawQuery, allowed_zones: Option<Vec<String>>) -> Result<Self, BadParameter> {
        let limit = match &raw.limit {
            None => 100,
            Some(l) => match l.parse::<i64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => return Err(bad("limit", format!("{l:?}: must be a whole number from 1 to {MAX_LIMIT}"))),
            },
        };
        let since = raw.since.as_deref().map(|t| time("since", t)).transpose()?;
        let until = raw.until.as_deref().map(|t| time("until", t)).transpose()?;
        if let (Some(s), Some(u)) = (since, until) {
            if s >= u {
                return Err(bad("until", "must be later than since"));
            }
        }
        if let Some(r) = &raw.request_id {
            if !auditflow_schemas::wire::is_valid_request_id(r) {
                return Err(bad("request_id", format!("{r:?} does not match ^[A-Za-z0-9_.\\-:]{{1,128}}$")));
            }
        }
        Ok(Filters {
            zone: text("zone", &raw.zone)?,
            since,
            until,
            request_id: raw.request_id.clone(),
            decision: text("decision", &raw.decision)?,
            event_type: text("event_type", &raw.event_type)?,
            session_id: text("session_id", &raw.session_id)?,
            agent_session_id: text("agent_session_id", &raw.agent_session_id)?,
            allowed_zones,
            limit,
            cursor: raw.cursor.as_deref().map(Cursor::decode).transpose()?,
        })
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
pub async fn search(client: &deadpool_postgres::Client, filters: &Filters) -> anyhow::Result<Page> {
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
    let statement = client.prepare_cached(&sql).await.context("prepare the search")?;
    let rows = client.query(&statement, &refs).await.context("search the ledger")?;
    // The heads' row is the one without an id (every ledger row has one). It is looked for
    // wherever it is, since SQL does not promise the order of a `UNION ALL`'s branches; the
    // page's rows come out of one branch, its `ORDER BY` subquery, in that order.
    let first = rows.first().context("the search returned no snapshot row")?;
    let column = |name: &str| {
        first.columns().iter().position(|c| c.name() == name).with_context(|| format!("the search has no {name}"))
    };
    let (id_at, time_at) = (column("id")?, column("occurred_at")?);
    let mut heads = None;
    let mut page: Vec<&tokio_postgres::Row> = Vec::with_capacity(rows.len());
    for row in &rows {
        if row.try_get::<_, Option<&str>>(id_at).context("a row's id")?.is_some() {
            page.push(row);
        } else {
            heads = row.try_get::<_, Option<Vec<i64>>>("auditflow_snapshot_heads").context("the snapshot's heads")?;
        }
    }
    let heads = heads.unwrap_or_default();
    let more = page.len() as i64 > filters.limit;
    page.truncate(filters.limit as usize);
    let next_cursor = match (more, page.last()) {
        (true, Some(last)) => {
            let after: chrono::DateTime<chrono::Utc> = last.try_get(time_at).context("the last row's time")?;
            let after_id: String = last.try_get(id_at).context("the last row's id")?;
            Some(Cursor { heads: heads.clone(), after_us: after.timestamp_micros(), after_id }.encode())
        }
        _ => None,
    };
    let events = page.into_iter().map(row_json).collect::<anyhow::Result<Vec<_>>>()?;
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
fn row_json(row: &tokio_postgres::Row) -> anyhow::Result<String> {
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
        serde_json::to_writer(&mut out, name)?;
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
            ref other => anyhow::bail!("column {name} has type {other}, which the search cannot render"),
        }
    }
    out.push(b'}');
    Ok(String::from_utf8(out)?)
}

/// Writes column `i` of `row` with `write`, or `null`.
fn put<'a, T: tokio_postgres::types::FromSql<'a>>(
    row: &'a tokio_postgres::Row,
    i: usize,
    out: &mut Vec<u8>,
    write: impl FnOnce(&mut Vec<u8>, T) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    match row.try_get::<_, Option<T>>(i).with_context(|| format!("column {}", row.columns()[i].name()))? {
        Some(v) => write(out, v)?,
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
    fn bad_parameters_are_named() {
        let q = |f: fn(&mut RawQuery)| {
            let mut raw = RawQuery::default();
            f(&mut raw);
            Filters::parse(&raw, None).map(|_| ()).map_err(|e| e.parameter)
        };
        assert_eq!(q(|r| r.limit = Some("100000".into())), Err("limit"));
        assert_eq!(q(|r| r.limit = Some("0".into())), Err("limit"));
        assert_eq!(q(|r| r.since = Some("yesterday".into())), Err("since"));
        assert_eq!(q(|r| r.request_id = Some("a b".into())), Err("request_id"));
        assert_eq!(q(|r| r.cursor = Some("not-a-cursor".into())), Err("cursor"));
        assert_eq!(
            q(|r| {
                r.since = Some("2026-11-24T01:00:00Z".into());
                r.until = Some("2026-11-24T00:00:00Z".into());
            }),
            Err("until")
        );
        assert_eq!(q(|r| r.limit = Some("1000".into())), Ok(()));
    }

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
        assert_eq!(Cursor::decode(&c.encode()).ok(), Some(c));
    }
}
