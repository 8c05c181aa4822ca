//! The search's parameters as the API and the command line take them, checked into
//! [`auditflow_ledger::search::Filters`]; the search itself is the ledger's.

pub use auditflow_ledger::search::{search, Cursor, Filters, Page};
use serde::Deserialize;

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

/// Moves `filters` on to the page after one whose `next_cursor` was `next`.
pub fn follow(filters: &mut Filters, next: &str) -> Result<(), BadParameter> {
    filters.cursor = Some(decode_cursor(next)?);
    Ok(())
}

fn decode_cursor(text: &str) -> Result<Cursor, BadParameter> {
    Cursor::decode(text).ok_or_else(|| bad("cursor", "not a cursor from a previous page's next_cursor"))
}

/// Checks the parameters; `allowed_zones` limits what a zone-scoped caller sees.
pub fn parse(raw: &RawQuery, allowed_zones: Option<Vec<String>>) -> Result<Filters, BadParameter> {
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
        cursor: raw.cursor.as_deref().map(decode_cursor).transpose()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_parameters_are_named() {
        let q = |f: fn(&mut RawQuery)| {
            let mut raw = RawQuery::default();
            f(&mut raw);
            parse(&raw, None).map(|_| ()).map_err(|e| e.parameter)
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
}
