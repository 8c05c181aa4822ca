//! Rows Caracal stored, in a ledger adopted from it, carry Caracal's content hash: a
//! re-delivery of such an event is compared with Caracal's algorithm.

use crate::LedgerError;

/// Caracal's content hash of `event` as Caracal would have stored it (its JSON columns as
/// Postgres prints them, hence the round trip).
pub(super) async fn caracal_content_sha256(
    tx: &deadpool_postgres::Transaction<'_>,
    event: &auditflow_schemas::AuditEvent,
) -> Result<String, LedgerError> {
    let row = tx
        .query_one(
            "SELECT $1::text::jsonb::text, $2::text::jsonb::text, $3::text::jsonb::text",
            &[&event.determining_policies_json, &event.diagnostics_json, &event.metadata_json],
        )
        .await
        .map_err(LedgerError::pg("print JSON as Caracal stored it"))?;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let fields = auditflow_schemas::caracal::CaracalFields {
        id: event.id.clone(),
        zone_id: event.zone_id.clone(),
        event_type: event.event_type.clone(),
        request_id: text(&event.request_id),
        decision: text(&event.decision),
        policy_set_id: text(&event.policy_set_id),
        policy_set_version_id: text(&event.policy_set_version_id),
        manifest_sha: text(&event.manifest_sha),
        evaluation_status: text(&event.evaluation_status),
        determining_policies_json: row.get(0),
        diagnostics_json: row.get(1),
        metadata_json: row.get(2),
        occurred_at_nanos: i128::from(event.occurred_at.timestamp_micros()) * 1000,
    };
    Ok(auditflow_schemas::caracal::content_sha256(&fields))
}
