//! The rows of an archived file, whichever archive wrote it: the main archive's Parquet,
//! the OCSF archive's Parquet or its gzip JSON lines. Each row comes with its content hash
//! recomputed from its own columns, so a verifier needs neither the database nor the key.

use arrow_array::{Array, Int32Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
use auditflow_schemas::canonical::{content_sha256_of, EventFields};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;
use std::io::Read;

/// One archived row, as far as the chain is concerned.
#[derive(Debug, Clone)]
pub(crate) struct ArchivedRow {
    pub(crate) chain_id: i32,
    pub(crate) chain_seq: i64,
    pub(crate) id: String,
    pub(crate) content_sha256: String,
    pub(crate) prev_content_sha256: Option<String>,
    /// The hash of the row's own columns.
    pub(crate) computed_sha256: String,
}

/// Reads every row of a file (`path` tells the format).
pub(crate) fn read(path: &str, bytes: &[u8]) -> Result<Vec<ArchivedRow>, String> {
    if path.ends_with(".json.gz") {
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes).read_to_string(&mut text).map_err(|e| format!("gzip: {e}"))?;
        return text
            .lines()
            .enumerate()
            .map(|(i, line)| {
                let v: Value = serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1))?;
                from_ocsf(&v).map_err(|e| format!("line {}: {e}", i + 1))
            })
            .collect();
    }
    let builder = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::copy_from_slice(bytes))
        .map_err(|e| format!("parquet: {e}"))?;
    let ocsf = builder.schema().field_with_name("unmapped").is_ok();
    let reader = builder.build().map_err(|e| format!("parquet: {e}"))?;
    let mut rows = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| format!("parquet: {e}"))?;
        if ocsf {
            let mut writer = arrow_json::LineDelimitedWriter::new(Vec::new());
            writer.write(&batch).map_err(|e| format!("json: {e}"))?;
            writer.finish().map_err(|e| format!("json: {e}"))?;
            let text = writer.into_inner();
            for line in text.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                let v: Value = serde_json::from_slice(line).map_err(|e| format!("json: {e}"))?;
                rows.push(from_ocsf(&v)?);
            }
        } else {
            native(&batch, &mut rows)?;
        }
    }
    Ok(rows)
}

/// A row of the OCSF archive: the mapped attributes that carry Caracal fields, and
/// `unmapped` for the rest (`ocsf::map` keeps the two in step).
fn from_ocsf(v: &Value) -> Result<ArchivedRow, String> {
    let meta = &v["metadata"];
    let un = &v["unmapped"];
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let need = |v: &Value, k: &str| s(v, k).ok_or_else(|| format!("no {k}"));
    let occurred = need(meta, "original_time")?;
    let occurred_at = chrono::DateTime::parse_from_rfc3339(&occurred)
        .map_err(|e| format!("metadata.original_time {occurred:?}: {e}"))?
        .with_timezone(&chrono::Utc);
    let (id, zone, event_type) = (need(meta, "uid")?, need(meta, "tenant_uid")?, need(meta, "event_code")?);
    let request = s(meta, "correlation_uid");
    let u = |k: &str| s(un, k);
    let fields = [
        u("decision"),
        u("policy_set_id"),
        u("policy_set_version_id"),
        u("manifest_sha"),
        u("evaluation_status"),
        u("determining_policies_json"),
        u("diagnostics_json"),
        u("metadata_json"),
        u("extra_json"),
    ];
    let computed = content_sha256_of(EventFields {
        id: &id,
        zone_id: &zone,
        event_type: &event_type,
        request_id: request.as_deref(),
        decision: fields[0].as_deref(),
        policy_set_id: fields[1].as_deref(),
        policy_set_version_id: fields[2].as_deref(),
        manifest_sha: fields[3].as_deref(),
        evaluation_status: fields[4].as_deref(),
        determining_policies_json: fields[5].as_deref(),
        diagnostics_json: fields[6].as_deref(),
        metadata_json: fields[7].as_deref(),
        occurred_at,
        extra_json: fields[8].as_deref(),
    });
    Ok(ArchivedRow {
        chain_id: need(un, "chain_id")?.parse().map_err(|_| "unmapped.chain_id is not a number".to_owned())?,
        chain_seq: meta.get("sequence").and_then(Value::as_i64).ok_or("no metadata.sequence")?,
        id,
        content_sha256: need(un, "content_sha256")?,
        prev_content_sha256: u("prev_content_sha256"),
        computed_sha256: computed,
    })
}

fn strings<'b>(batch: &'b RecordBatch, name: &str) -> Result<&'b StringArray, String> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<StringArray>())
        .ok_or_else(|| format!("no string column {name}"))
}

/// Rows of the main archive's Parquet.
fn native(batch: &RecordBatch, out: &mut Vec<ArchivedRow>) -> Result<(), String> {
    let names = [
        "id",
        "zone_id",
        "event_type",
        "request_id",
        "decision",
        "policy_set_id",
        "policy_set_version_id",
        "manifest_sha",
        "evaluation_status",
        "determining_policies_json",
        "diagnostics_json",
        "metadata_json",
        "extra_json",
        "content_sha256",
        "prev_content_sha256",
    ];
    let cols: Vec<&StringArray> = names.iter().map(|n| strings(batch, n)).collect::<Result<_, _>>()?;
    let occurred = batch
        .column_by_name("occurred_at")
        .and_then(|c| c.as_any().downcast_ref::<TimestampMicrosecondArray>())
        .ok_or("no timestamp column occurred_at")?;
    let seqs = batch
        .column_by_name("chain_seq")
        .and_then(|c| c.as_any().downcast_ref::<Int64Array>())
        .ok_or("no int64 column chain_seq")?;
    let chains = batch
        .column_by_name("chain_id")
        .and_then(|c| c.as_any().downcast_ref::<Int32Array>())
        .ok_or("no int32 column chain_id")?;
    for i in 0..batch.num_rows() {
        let get = |c: usize| if cols[c].is_null(i) { None } else { Some(cols[c].value(i)) };
        let occurred_at = chrono::DateTime::from_timestamp_micros(occurred.value(i)).unwrap_or_default();
        let computed = content_sha256_of(EventFields {
            id: get(0).unwrap_or_default(),
            zone_id: get(1).unwrap_or_default(),
            event_type: get(2).unwrap_or_default(),
            request_id: get(3),
            decision: get(4),
            policy_set_id: get(5),
            policy_set_version_id: get(6),
            manifest_sha: get(7),
            evaluation_status: get(8),
            determining_policies_json: get(9),
            diagnostics_json: get(10),
            metadata_json: get(11),
            occurred_at,
            extra_json: get(12),
        });
        out.push(ArchivedRow {
            chain_id: chains.value(i),
            chain_seq: seqs.value(i),
            id: get(0).unwrap_or_default().to_owned(),
            content_sha256: get(13).unwrap_or_default().to_owned(),
            prev_content_sha256: get(14).map(str::to_owned),
            computed_sha256: computed,
        });
    }
    Ok(())
}
