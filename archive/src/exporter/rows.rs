//! The ledger rows of a segment, read with one binary COPY in archive order.

use crate::error::ExportError;
use crate::parquet_file::{ExportRow, EXPORTED};
use auditflow_ledger::row::{canonical_json, copy_range, Order};
use auditflow_ledger::LedgerError;
use futures_util::StreamExt;

/// Streams a chain's rows `from..=to` in archive order (zone by byte order, then event time,
/// then chain position) with one binary COPY.
pub async fn read_rows(
    c: &tokio_postgres::Client,
    chain: i32,
    from: i64,
    to: i64,
) -> Result<impl futures_util::Stream<Item = Result<ExportRow, ExportError>>, ExportError> {
    let stream = copy_range(c, EXPORTED, chain, from, to, Order::Archive).await?;
    Ok(stream.map(|row| {
        let row = row.map_err(LedgerError::pg("read copied row"))?;
        ExportRow::new(row, canonical_json_text)
            .map_err(|e| ExportError::Ledger(LedgerError::Postgres { op: "decode copied row", source: e }))
    }))
}

/// `jsonb::text` re-encoded canonically, as the ledger hashed it (a value that is somehow not
/// JSON is archived as stored).
fn canonical_json_text(text: &str) -> String {
    canonical_json(text).unwrap_or_else(|| text.to_owned())
}
