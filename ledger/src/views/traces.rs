//! The `request_traces` writes of the views' transaction: traces new to the dataflow by
//! binary COPY, the rest by upsert, and traces rebuilt from the ledger when a late event came
//! apart from the rest of its request.

use super::read::{probe_each, query_events_from};
use super::update::at;
use crate::LedgerError;
use auditflow_schemas::view::TraceSummary;
use std::collections::BTreeMap;

/// Upserts traces; with `only_growing`, a stored trace is replaced only by one holding all
/// its events. Returns the requests whose stored trace was not replaced.
pub(super) async fn upsert_traces(
    tx: &tokio_postgres::Transaction<'_>,
    rows: &[&TraceSummary],
    only_growing: bool,
) -> Result<Vec<String>, LedgerError> {
    let ids: Vec<&str> = rows.iter().map(|t| t.request_id.as_str()).collect();
    let zones: Vec<&str> = rows.iter().map(|t| t.zone_id.as_str()).collect();
    let decisions: Vec<Option<&str>> = rows.iter().map(|t| t.final_decision.as_deref()).collect();
    let first: Vec<chrono::DateTime<chrono::Utc>> = rows.iter().map(|t| at(t.first_at_us)).collect();
    let last: Vec<chrono::DateTime<chrono::Utc>> = rows.iter().map(|t| at(t.last_at_us)).collect();
    let counts: Vec<i32> = rows.iter().map(|t| t.stored.events.len() as i32).collect();
    let json: Vec<String> = rows.iter().map(|t| serde_json::to_string(&t.stored).unwrap_or_default()).collect();
    let condition =
        if only_growing { "WHERE (excluded.trace->'events') @> (request_traces.trace->'events')" } else { "" };
    let written = tx
        .query(
            &format!(
                "INSERT INTO request_traces (request_id, zone_id, final_decision, first_at, last_at, event_count, trace) \
                 SELECT r, z, d, f, l, n, t::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], \
                        $5::timestamptz[], $6::int[], $7::text[]) AS u(r, z, d, f, l, n, t) \
                 ON CONFLICT (request_id) DO UPDATE SET zone_id = excluded.zone_id, final_decision = excluded.final_decision, \
                    first_at = excluded.first_at, last_at = excluded.last_at, event_count = excluded.event_count, \
                    trace = excluded.trace, updated_at = now() {condition} \
                 RETURNING request_id"
            ),
            &[&ids, &zones, &decisions, &first, &last, &counts, &json],
        )
        .await
        .map_err(LedgerError::pg("write request traces"))?;
    let written: std::collections::HashSet<String> = written.iter().map(|r| r.get(0)).collect();
    Ok(ids.into_iter().filter(|id| !written.contains(*id)).map(str::to_owned).collect())
}

/// The traces of `requests` computed over every ledger row they have.
pub(super) async fn traces_from_ledger(
    tx: &tokio_postgres::Transaction<'_>,
    requests: &[String],
) -> Result<Vec<TraceSummary>, LedgerError> {
    let from =
        probe_each("unnest($1::text[]) AS u(wanted)", "SELECT e.* FROM audit_events e WHERE e.request_id = u.wanted");
    let rows = query_events_from(tx, &from, "true", &[&requests]).await?;
    let mut by_request: BTreeMap<&str, Vec<&auditflow_schemas::view::ViewEvent>> = BTreeMap::new();
    for row in &rows {
        if let Some(request) = row.request_id.as_deref() {
            by_request.entry(request).or_default().push(row);
        }
    }
    Ok(by_request.into_iter().map(|(request, events)| TraceSummary::of(request, events.into_iter())).collect())
}

/// Streams traces not stored yet into `request_traces` (binary COPY; a row that is stored
/// after all fails it with a unique violation).
pub(super) async fn copy_traces(
    tx: &tokio_postgres::Transaction<'_>,
    rows: &[&TraceSummary],
) -> Result<u64, tokio_postgres::Error> {
    use tokio_postgres::types::{Json, Type};
    let sink = tx
        .copy_in(
            "COPY request_traces (request_id, zone_id, final_decision, first_at, last_at, event_count, trace) \
             FROM STDIN BINARY",
        )
        .await?;
    let writer = tokio_postgres::binary_copy::BinaryCopyInWriter::new(
        sink,
        &[Type::TEXT, Type::TEXT, Type::TEXT, Type::TIMESTAMPTZ, Type::TIMESTAMPTZ, Type::INT4, Type::JSONB],
    );
    futures_util::pin_mut!(writer);
    for t in rows {
        let count = t.stored.events.len() as i32;
        writer
            .as_mut()
            .write(&[
                &t.request_id,
                &t.zone_id,
                &t.final_decision,
                &at(t.first_at_us),
                &at(t.last_at_us),
                &count,
                &Json(&t.stored),
            ])
            .await?;
    }
    writer.finish().await
}
