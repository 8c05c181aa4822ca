//! The ledger rows of a segment, read with one binary COPY in archive order.

use crate::error::ExportError;
use crate::parquet_file::ExportRow;
use auditflow_ledger::LedgerError;
use futures_util::StreamExt;

/// The ledger columns the archive needs, in [`ExportRow`] order, JSON as text.
const SELECT_COLUMNS: &str = "id, zone_id, event_type, request_id, decision, policy_set_id, policy_set_version_id, \
    manifest_sha, evaluation_status, determining_policies_json::text, diagnostics_json::text, metadata_json::text, \
    occurred_at, ingested_at, content_sha256, prev_content_sha256, chain_hmac, chain_seq, chain_id, \
    ingest_signature, key_id, src_stream_id, extra_json::text";

/// Streams a chain's rows `from..=to` in archive order (zone by byte order, then event time,
/// then chain position) with one binary COPY.
pub async fn read_rows(
    c: &tokio_postgres::Client,
    chain: i32,
    from: i64,
    to: i64,
) -> Result<impl futures_util::Stream<Item = Result<ExportRow, ExportError>>, ExportError> {
    use tokio_postgres::binary_copy::BinaryCopyOutStream;
    use tokio_postgres::types::Type;
    // COPY takes no parameters; the three values are integers.
    let sql = format!(
        "COPY (SELECT {SELECT_COLUMNS} FROM audit_events WHERE chain_id = {chain} AND chain_seq BETWEEN {from} AND {to} \
         ORDER BY zone_id COLLATE \"C\", occurred_at, chain_seq) TO STDOUT (FORMAT binary)"
    );
    let copy = c.copy_out(&sql).await.map_err(LedgerError::pg("copy rows out"))?;
    let t = Type::TEXT;
    let ts = Type::TIMESTAMPTZ;
    let types = [
        t.clone(),
        t.clone(),
        t.clone(),
        t.clone(),
        t.clone(),
        t.clone(),
        t.clone(),
        t.clone(),
        t.clone(),
        t.clone(),
        t.clone(),
        t.clone(),
        ts.clone(),
        ts,
        t.clone(),
        t.clone(),
        t.clone(),
        Type::INT8,
        Type::INT4,
        t.clone(),
        t.clone(),
        t.clone(),
        t,
    ];
    let stream = BinaryCopyOutStream::new(copy, &types);
    Ok(stream.map(|row| {
        let row = row.map_err(LedgerError::pg("read copied row"))?;
        ExportRow::new(row, canonical_json_text)
            .map_err(|e| ExportError::Ledger(LedgerError::Postgres { op: "decode copied row", source: e }))
    }))
}

/// `jsonb::text` re-encoded canonically (sorted keys, compact), as the ledger hashed it.
fn canonical_json_text(text: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(mut v) => {
            // What `canonical_json` does, without its defensive clone.
            auditflow_schemas::canonical::normalize_numbers(&mut v);
            v.to_string()
        }
        Err(_) => text.to_owned(),
    }
}
