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
#[derive(Debug, Default, Clone, Deserialize, clap::Args)]
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
#[derive(Debug, Serialize)]
pub struct Page {
    /// The rows, each as the ledger holds it (every column), passed through as Postgres
    /// rendered them.
    pub events: Vec<Box<serde_json::value::RawValue>>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
    /// The snapshot: committed head per chain when the search began.
    pub chain_heads: Vec<i64>,
}

/// Runs one page of a search. Statements are prepared once per connection and filter
/// combination: planning over every monthly partition costs more than most pages do.
pub async fn search(client: &deadpool_postgres::Client, filters: &Filters) -> anyhow::Result<Page> {
    let heads: Vec<i64> = match &filters.cursor {
        Some(c) => c.heads.clone(),
        None => {
            let heads = client
                .prepare_cached(
                    "SELECT chain_id, chain_seq FROM audit_ingest_watermarks WHERE sink = 'ledger' ORDER BY chain_id",
                )
                .await
                .context("prepare the chain heads query")?;
            let rows = client.query(&heads, &[]).await.context("read the ledger's chain heads")?;
            let mut heads = Vec::new();
            for r in rows {
                let (chain, seq): (i32, i64) = (r.get(0), r.get(1));
                if heads.len() <= chain as usize {
                    heads.resize(chain as usize + 1, 0);
                }
                heads[chain as usize] = seq;
            }
            heads
        }
    };
    let mut sql = String::from(
        "SELECT row_to_json(e)::text, (extract(epoch FROM e.occurred_at) * 1000000)::bigint, e.id FROM audit_events e \
         WHERE e.chain_seq <= COALESCE(($1::bigint[])[e.chain_id + 1], 0)",
    );
    let mut params: Vec<Box<dyn tokio_postgres::types::ToSql + Sync + Send>> = vec![Box::new(heads.clone())];
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
    add(&mut sql, " ORDER BY e.occurred_at, e.id LIMIT ?", Box::new(filters.limit + 1));
    let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
        params.iter().map(|p| p.as_ref() as &(dyn tokio_postgres::types::ToSql + Sync)).collect();
    let statement = client.prepare_cached(&sql).await.context("prepare the search")?;
    let rows = client.query(&statement, &refs).await.context("search the ledger")?;
    let more = rows.len() as i64 > filters.limit;
    let rows = &rows[..rows.len().min(filters.limit as usize)];
    let next_cursor = match (more, rows.last()) {
        (true, Some(last)) => {
            Some(Cursor { heads: heads.clone(), after_us: last.get(1), after_id: last.get(2) }.encode())
        }
        _ => None,
    };
    let events = rows
        .iter()
        .map(|r| serde_json::value::RawValue::from_string(r.get::<_, String>(0)).context("a ledger row as JSON"))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Page { events, next_cursor, chain_heads: heads })
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
    fn a_cursor_round_trips() {
        let c = Cursor { heads: vec![3, 0, 7], after_us: 1_795_400_000_000_000, after_id: "evt-1".into() };
        assert_eq!(Cursor::decode(&c.encode()).ok(), Some(c));
    }
}

/// `auditflow search`.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// The filters and page, as the API takes them.
    #[command(flatten)]
    pub query: RawQuery,
    /// Follow the cursor to the last page.
    #[arg(long)]
    pub all: bool,
    /// Print JSON on stdout (one page object per page).
    #[arg(long)]
    pub json: bool,
}

/// Runs `search`.
pub fn run(global: &crate::cli::GlobalArgs, args: &SearchArgs) -> anyhow::Result<()> {
    let mut filters = Filters::parse(&args.query, None)
        .map_err(|e| crate::settings::ConfigError::new(&format!("--{}", e.parameter.replace('_', "-")), e.message))?;
    let settings = crate::settings::resolve(global, None)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let pool = crate::run::prepare_postgres_for_reading(&settings, std::time::Duration::from_secs(10)).await?;
        let c = auditflow_sinks::postgres::client(&pool).await?;
        let mut shown = 0usize;
        if !args.json {
            println!(
                "{:<27} {:<10} {:<26} {:<8} {:<20} {:<24} chain:seq",
                "occurred at", "zone", "event", "decision", "request", "id"
            );
        }
        loop {
            let page = search(&c, &filters).await?;
            shown += page.events.len();
            if args.json {
                println!("{}", serde_json::to_string(&page)?);
            } else {
                for raw in &page.events {
                    let e: serde_json::Value = serde_json::from_str(raw.get())?;
                    let s = |k: &str| e[k].as_str().unwrap_or("-").to_owned();
                    println!(
                        "{:<27} {:<10} {:<26} {:<8} {:<20} {:<24} {}:{}",
                        s("occurred_at"),
                        s("zone_id"),
                        s("event_type"),
                        s("decision"),
                        s("request_id"),
                        s("id"),
                        e["chain_id"],
                        e["chain_seq"]
                    );
                }
            }
            match page.next_cursor {
                Some(next) if args.all => filters.cursor = Some(Cursor::decode(&next)?),
                Some(next) => {
                    if !args.json {
                        println!("{shown} rows; more with --cursor {next} (or --all)");
                    }
                    break;
                }
                None => {
                    if !args.json {
                        println!("{shown} rows");
                    }
                    break;
                }
            }
        }
        anyhow::Ok(())
    })
}
