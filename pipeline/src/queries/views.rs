//! The live views read back: a request's trace (from `request_traces`, with the evidence
//! itself read from the ledger) and the revocation view, for `auditflow trace`,
//! `auditflow revocations` and the API.

use anyhow::Context;
use auditflow_schemas::view::{RequestTrace, StoredTrace, TraceSummary};

/// The request was not found: exit 1, the message printed.
#[derive(Debug, thiserror::Error)]
#[error("no events with request id {0:?} in the views or the ledger")]
pub struct UnknownRequest(pub String);

/// A request's trace from the ledger rows, and where it stands in the live view: the view
/// stores what it derived and where the rows are; the rows themselves are read from the
/// ledger, so what is shown is the evidence, not a copy of it. `zones` limits the rows read
/// (an API token limited to zones). `None` when no (visible) row has the id.
pub async fn load_trace(
    pool: &deadpool_postgres::Pool,
    request_id: &str,
    zones: Option<&[String]>,
) -> anyhow::Result<Option<(RequestTrace, String)>> {
    let c = auditflow_ledger::postgres::client(pool).await?;
    let stored = c
        .query_opt("SELECT trace::text FROM request_traces WHERE request_id = $1", &[&request_id])
        .await
        .context("read request_traces")?
        .map(|row| serde_json::from_str::<StoredTrace>(&row.get::<_, String>(0)))
        .transpose()
        .context("a stored trace that does not parse")?;
    let events = match zones {
        None => auditflow_ledger::views::read_events(pool, "request_id = $1", &[&request_id]).await?,
        Some(zones) => {
            auditflow_ledger::views::read_events(pool, "request_id = $1 AND zone_id = ANY($2)", &[&request_id, &zones])
                .await?
        }
    };
    if events.is_empty() {
        return Ok(None);
    }
    let trace = RequestTrace::of(request_id, events.iter());
    let source = match stored {
        Some(stored) if stored == TraceSummary::of(request_id, events.iter()).stored => {
            "the live view; event details from the ledger".to_owned()
        }
        Some(stored) => format!(
            "the ledger; the live view has caught up with {} of its {} events",
            stored.events.len(),
            trace.steps.len()
        ),
        None => "the ledger (outside the view window)".to_owned(),
    };
    Ok(Some((trace, source)))
}

/// Rows of the revocation view as JSON: per revocation its status, or (`violations`) the
/// violations; newest first.
pub async fn revocation_rows(
    client: &tokio_postgres::Client,
    zones: Option<&[String]>,
    violations: bool,
    limit: i64,
) -> anyhow::Result<Vec<serde_json::Value>> {
    let zones: Option<Vec<String>> = zones.map(<[String]>::to_vec);
    let sql = if violations {
        "SELECT json_build_object('event_id', event_id, 'revocation_event_id', revocation_event_id, 'zone_id', zone_id, \
            'agent_session_id', agent_session_id, 'occurred_at', occurred_at, 'lag_seconds', lag_ms / 1000.0)::text \
         FROM revocation_violations WHERE $1::text[] IS NULL OR zone_id = ANY($1) ORDER BY occurred_at DESC LIMIT $2"
    } else {
        "SELECT json_build_object('revocation_event_id', p.revocation_event_id, 'zone_id', p.zone_id, 'root', p.root, \
            'revoked_at', p.revoked_at, 'affected', p.affected, 'first_deny_after', p.first_deny_after, \
            'violations', (SELECT count(*) FROM revocation_violations v WHERE v.revocation_event_id = p.revocation_event_id))::text \
         FROM revocation_propagation p WHERE $1::text[] IS NULL OR p.zone_id = ANY($1) ORDER BY p.revoked_at DESC LIMIT $2"
    };
    Ok(auditflow_ledger::postgres::json_rows(client, sql, &[&zones, &limit], "read the revocation view").await?)
}
