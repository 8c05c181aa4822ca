//! One page of a zone in `chain_seq` order, as Caracal's `GET /api/audit/search` answers it
//! (docs/caracal-reference.md, its search): rows of one zone inside a time window, optionally
//! one decision or request, after a cursor position, oldest position first. It relies on
//! chains per zone: a zone's `chain_seq` is gapless and commit-ordered, so a cursor never
//! skips a row that commits later.
//!
//! Caracal's quirks are kept because its callers depend on them: a bad `since`, `until`,
//! `limit` or `cursor` is silently replaced by its default; `events` is `null` when nothing
//! matches; the rows' keys are Go field names (`Event`, `ChainSeq`, …); `next_cursor` is the
//! last row's position whenever a row came back, even on a short page.

use auditflow_ledger::read::{zone_page, StoredRow, ZoneQuery};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Rows a page holds by default, and at most.
pub const DEFAULT_LIMIT: i64 = 100;
/// The cap on `limit`.
pub const MAX_LIMIT: i64 = 1000;

/// The parameters of a page, Caracal's defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct ZonePage {
    /// The zone (required).
    pub zone_id: String,
    /// Rows at or after this time (default: a day ago).
    pub since: DateTime<Utc>,
    /// Rows before this time (default: now).
    pub until: DateTime<Utc>,
    /// Rows at most (default 100, at most 1000).
    pub limit: i64,
    /// Rows after this position (0: from the start).
    pub cursor: i64,
    /// Only this decision (empty: any).
    pub decision: String,
    /// Only this request (empty: any).
    pub request_id: String,
}

impl ZonePage {
    /// Reads the query string the way Caracal does; `None` when `zone_id` is missing.
    ///
    /// ```
    /// use auditflow_pipeline::queries::zone_page::ZonePage;
    /// let q = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    /// let now = chrono::Utc::now();
    /// let page = ZonePage::parse(&q(&[("zone_id", "z"), ("limit", "5000"), ("cursor", "x"), ("since", "bad")]), now).unwrap();
    /// assert_eq!((page.limit, page.cursor, page.since), (1000, 0, now - chrono::Duration::hours(24)));
    /// assert_eq!(ZonePage::parse(&q(&[("limit", "-1"), ("zone_id", "z")]), now).unwrap().limit, 100);
    /// assert!(ZonePage::parse(&q(&[("zone_id", "")]), now).is_none());
    /// ```
    pub fn parse(query: &HashMap<String, String>, now: DateTime<Utc>) -> Option<Self> {
        let get = |k: &str| query.get(k).map(String::as_str).unwrap_or("");
        let zone_id = get("zone_id");
        if zone_id.is_empty() {
            return None;
        }
        let time = |k: &str, default: DateTime<Utc>| {
            DateTime::parse_from_rfc3339(get(k)).map(|t| t.with_timezone(&Utc)).unwrap_or(default)
        };
        let limit = get("limit").parse::<i64>().ok().filter(|n| *n > 0).map_or(DEFAULT_LIMIT, |n| n.min(MAX_LIMIT));
        Some(ZonePage {
            zone_id: zone_id.to_owned(),
            since: time("since", now - Duration::hours(24)),
            until: time("until", now),
            limit,
            cursor: get("cursor").parse().unwrap_or(0),
            decision: get("decision").to_owned(),
            request_id: get("request_id").to_owned(),
        })
    }
}

/// The page as Caracal's JSON body.
pub async fn read(client: &deadpool_postgres::Client, page: &ZonePage) -> anyhow::Result<Value> {
    let query = ZoneQuery {
        zone_id: &page.zone_id,
        since: page.since,
        until: page.until,
        decision: &page.decision,
        request_id: &page.request_id,
        after_seq: page.cursor,
        limit: page.limit,
    };
    let rows = zone_page(&***client, &query).await?;
    let next = rows.last().map(|r| r.chain_seq.unwrap_or(0).to_string()).unwrap_or_default();
    let events: Vec<Value> = rows.iter().map(row).collect();
    let events = if events.is_empty() { Value::Null } else { Value::Array(events) };
    Ok(json!({ "events": events, "next_cursor": next }))
}

/// One row with Caracal's keys: the event under `Event` (its wire names, the empty optional
/// ones left out where Caracal leaves them out), the chain columns in Go's field names.
/// Absent values read as Caracal's reader reads them: empty text, position 0.
fn row(stored: &StoredRow) -> Value {
    let r = &stored.event;
    let text = |v: &Option<String>| Value::String(v.clone().unwrap_or_default());
    let raw =
        |v: &Option<String>| v.as_deref().and_then(|t| serde_json::from_str::<Value>(t).ok()).unwrap_or(Value::Null);
    let mut event = Map::new();
    event.insert("id".into(), Value::String(r.id.clone()));
    event.insert("zone_id".into(), Value::String(r.zone_id.clone()));
    event.insert("event_type".into(), Value::String(r.event_type.clone()));
    event.insert("request_id".into(), text(&r.request_id));
    event.insert("decision".into(), text(&r.decision));
    for (key, value) in [
        ("policy_set_id", &r.policy_set_id),
        ("policy_set_version_id", &r.policy_set_version_id),
        ("manifest_sha", &r.manifest_sha),
    ] {
        if value.as_deref().is_some_and(|v| !v.is_empty()) {
            event.insert(key.into(), text(value));
        }
    }
    event.insert("evaluation_status".into(), text(&r.evaluation_status));
    event.insert("determining_policies_json".into(), raw(&r.determining_policies_json));
    event.insert("diagnostics_json".into(), raw(&r.diagnostics_json));
    if r.metadata_json.is_some() {
        event.insert("metadata_json".into(), raw(&r.metadata_json));
    }
    event.insert("occurred_at".into(), Value::String(go_time(r.occurred_at)));
    json!({
        "Event": event,
        "IngestedAt": go_time(stored.ingested_at),
        "ContentSHA256": stored.content_sha256.clone().unwrap_or_default(),
        "PrevContentSHA256": stored.prev_content_sha256.clone().unwrap_or_default(),
        "ChainHMAC": stored.chain_hmac.clone().unwrap_or_default(),
        "ChainSeq": stored.chain_seq.unwrap_or(0),
    })
}

/// A time as Go prints one in JSON (RFC 3339 with the fraction's trailing zeros dropped).
///
/// ```
/// use auditflow_pipeline::queries::zone_page::go_time;
/// let t = chrono::DateTime::parse_from_rfc3339("2026-11-01T10:00:00.120000Z").unwrap().to_utc();
/// assert_eq!(go_time(t), "2026-11-01T10:00:00.12Z");
/// let whole = chrono::DateTime::parse_from_rfc3339("2026-11-01T10:00:00Z").unwrap().to_utc();
/// assert_eq!(go_time(whole), "2026-11-01T10:00:00Z");
/// ```
pub fn go_time(t: DateTime<Utc>) -> String {
    let nanos = t.timestamp_subsec_nanos();
    let base = t.format("%Y-%m-%dT%H:%M:%S").to_string();
    if nanos == 0 {
        return format!("{base}Z");
    }
    let fraction = format!("{nanos:09}");
    format!("{base}.{}Z", fraction.trim_end_matches('0'))
}
