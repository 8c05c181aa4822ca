//! The archive's Parquet schema (stable and documented in `docs/archive.md`) and the writer
//! that turns ledger rows into files.
//!
//! Native ledger columns keep their names and types (timestamps as UTC `timestamp[us]`, JSON
//! columns as canonical JSON strings, hashes as lowercase hex); OCSF-style columns
//! (`class_uid`, `activity_id`, `severity_id`, `type_uid`, `time`) are derived from them.
//! Bytes depend only on the rows and the writer settings, so a retry writes identical files.

use arrow_array::builder::{Int32Builder, Int64Builder, StringBuilder, TimestampMicrosecondBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use chrono::{DateTime, Utc};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use std::sync::{Arc, OnceLock};

/// One ledger row as the archive stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow {
    /// Event id.
    pub id: String,
    /// Zone.
    pub zone_id: String,
    /// Event type.
    pub event_type: String,
    /// Request id.
    pub request_id: Option<String>,
    /// Decision.
    pub decision: Option<String>,
    /// Policy set.
    pub policy_set_id: Option<String>,
    /// Policy set version.
    pub policy_set_version_id: Option<String>,
    /// Manifest hash.
    pub manifest_sha: Option<String>,
    /// Evaluation status.
    pub evaluation_status: Option<String>,
    /// Canonical JSON.
    pub determining_policies_json: Option<String>,
    /// Canonical JSON.
    pub diagnostics_json: Option<String>,
    /// Canonical JSON.
    pub metadata_json: Option<String>,
    /// Event time.
    pub occurred_at: DateTime<Utc>,
    /// Ledger commit time.
    pub ingested_at: DateTime<Utc>,
    /// Hex.
    pub content_sha256: String,
    /// Hex.
    pub prev_content_sha256: Option<String>,
    /// Hex.
    pub chain_hmac: String,
    /// Position in the chain.
    pub chain_seq: i64,
    /// Chain (ledger shard).
    pub chain_id: i32,
    /// Producer signature.
    pub ingest_signature: Option<String>,
    /// Producer key id.
    pub key_id: Option<String>,
    /// Source stream entry id.
    pub src_stream_id: Option<String>,
    /// Unknown top-level fields, canonical JSON.
    pub extra_json: Option<String>,
}

/// The OCSF-style classification of an event: `(class_uid, activity_id)`.
///
/// | event type | class | activity |
/// |---|---|---|
/// | `token_*`, `step_up_*`, `*authn*` | 3002 Authentication | 1 Logon |
/// | `session_*`, `delegation_*` | 3005 User Access Management | 2 Revoke Privileges when ending `_revoked`, `_ended` or `_expired`; else 1 Assign Privileges |
/// | everything else (`gateway_*`, …) | 6003 API Activity | 99 Other |
///
/// ```
/// use auditflow_sinks::export::parquet_file::ocsf_class;
/// assert_eq!(ocsf_class("token_exchange"), (3002, 1));
/// assert_eq!(ocsf_class("delegation_edge_revoked"), (3005, 2));
/// assert_eq!(ocsf_class("gateway_resource_request"), (6003, 99));
/// ```
pub fn ocsf_class(event_type: &str) -> (i32, i32) {
    if event_type.starts_with("token_") || event_type.starts_with("step_up_") || event_type.contains("authn") {
        (3002, 1)
    } else if event_type.starts_with("session_") || event_type.starts_with("delegation_") {
        if event_type.ends_with("_revoked") || event_type.ends_with("_ended") || event_type.ends_with("_expired") {
            (3005, 2)
        } else {
            (3005, 1)
        }
    } else {
        (6003, 99)
    }
}

/// OCSF `severity_id` from the decision: allow 1 (Informational), deny 3 (Medium), any other
/// decision 2 (Low), none 0 (Unknown).
pub fn ocsf_severity(decision: Option<&str>) -> i32 {
    match decision {
        Some("allow") => 1,
        Some("deny") => 3,
        Some(_) => 2,
        None => 0,
    }
}

/// The archive's Arrow schema, in file column order.
pub fn schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let ts = || DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
            let text = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
            Arc::new(Schema::new(vec![
                text("id", false),
                text("zone_id", false),
                text("event_type", false),
                text("request_id", true),
                text("decision", true),
                text("policy_set_id", true),
                text("policy_set_version_id", true),
                text("manifest_sha", true),
                text("evaluation_status", true),
                text("determining_policies_json", true),
                text("diagnostics_json", true),
                text("metadata_json", true),
                Field::new("occurred_at", ts(), false),
                Field::new("ingested_at", ts(), false),
                text("content_sha256", false),
                text("prev_content_sha256", true),
                text("chain_hmac", false),
                Field::new("chain_seq", DataType::Int64, false),
                Field::new("chain_id", DataType::Int32, false),
                text("ingest_signature", true),
                text("key_id", true),
                text("src_stream_id", true),
                text("extra_json", true),
                Field::new("class_uid", DataType::Int32, false),
                Field::new("activity_id", DataType::Int32, false),
                Field::new("severity_id", DataType::Int32, false),
                Field::new("type_uid", DataType::Int64, false),
                Field::new("time", DataType::Int64, false),
            ]))
        })
        .clone()
}

/// Rows to one Arrow batch (in the given order).
pub fn to_record_batch(rows: &[&ExportRow]) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let n = rows.len();
    let strings = |f: &dyn Fn(&ExportRow) -> Option<&str>| -> ArrayRef {
        let mut b = StringBuilder::with_capacity(n, n * 16);
        for r in rows {
            b.append_option(f(r));
        }
        Arc::new(b.finish())
    };
    let times = |f: &dyn Fn(&ExportRow) -> i64| -> ArrayRef {
        let mut b = TimestampMicrosecondBuilder::with_capacity(n).with_timezone("UTC");
        for r in rows {
            b.append_value(f(r));
        }
        Arc::new(b.finish())
    };
    let ints = |f: &dyn Fn(&ExportRow) -> i32| -> ArrayRef {
        let mut b = Int32Builder::with_capacity(n);
        for r in rows {
            b.append_value(f(r));
        }
        Arc::new(b.finish())
    };
    let longs = |f: &dyn Fn(&ExportRow) -> i64| -> ArrayRef {
        let mut b = Int64Builder::with_capacity(n);
        for r in rows {
            b.append_value(f(r));
        }
        Arc::new(b.finish())
    };
    let columns: Vec<ArrayRef> = vec![
        strings(&|r| Some(&r.id)),
        strings(&|r| Some(&r.zone_id)),
        strings(&|r| Some(&r.event_type)),
        strings(&|r| r.request_id.as_deref()),
        strings(&|r| r.decision.as_deref()),
        strings(&|r| r.policy_set_id.as_deref()),
        strings(&|r| r.policy_set_version_id.as_deref()),
        strings(&|r| r.manifest_sha.as_deref()),
        strings(&|r| r.evaluation_status.as_deref()),
        strings(&|r| r.determining_policies_json.as_deref()),
        strings(&|r| r.diagnostics_json.as_deref()),
        strings(&|r| r.metadata_json.as_deref()),
        times(&|r| r.occurred_at.timestamp_micros()),
        times(&|r| r.ingested_at.timestamp_micros()),
        strings(&|r| Some(&r.content_sha256)),
        strings(&|r| r.prev_content_sha256.as_deref()),
        strings(&|r| Some(&r.chain_hmac)),
        longs(&|r| r.chain_seq),
        ints(&|r| r.chain_id),
        strings(&|r| r.ingest_signature.as_deref()),
        strings(&|r| r.key_id.as_deref()),
        strings(&|r| r.src_stream_id.as_deref()),
        strings(&|r| r.extra_json.as_deref()),
        ints(&|r| ocsf_class(&r.event_type).0),
        ints(&|r| ocsf_class(&r.event_type).1),
        ints(&|r| ocsf_severity(r.decision.as_deref())),
        longs(&|r| {
            let (class, activity) = ocsf_class(&r.event_type);
            class as i64 * 100 + activity as i64
        }),
        longs(&|r| r.occurred_at.timestamp_millis()),
    ];
    RecordBatch::try_new(schema(), columns)
}

/// Rows per row group: big enough for scans (column chunks of a few MiB), small enough
/// that a reader filtering on `occurred_at` skips most of a large file.
pub const ROW_GROUP_ROWS: usize = 128 * 1024;

/// Columns whose values are (nearly) all distinct: a dictionary would only cost hashing.
const HIGH_CARDINALITY: [&str; 10] = [
    "id",
    "content_sha256",
    "prev_content_sha256",
    "chain_hmac",
    "ingest_signature",
    "src_stream_id",
    "chain_seq",
    "occurred_at",
    "ingested_at",
    "time",
];

fn properties() -> WriterProperties {
    let mut builder = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).unwrap_or_default()))
        .set_max_row_group_size(ROW_GROUP_ROWS)
        .set_statistics_enabled(EnabledStatistics::Chunk)
        .set_created_by("auditflow".into());
    for column in HIGH_CARDINALITY {
        builder = builder.set_column_dictionary_enabled(column.into(), false);
    }
    builder.build()
}

/// One finished file.
#[derive(Debug, Clone)]
pub struct EncodedFile {
    /// The Parquet bytes.
    pub bytes: Vec<u8>,
    /// Rows in the file.
    pub rows: usize,
    /// Lowest and highest `chain_seq` in the file.
    pub seq_range: (i64, i64),
}

/// Rows handed to the writer at a time.
pub const CHUNK_ROWS: usize = 2048;

/// Encodes rows, already in file order, into one Parquet file in memory.
pub struct Encoder {
    writer: ArrowWriter<Vec<u8>>,
    rows: usize,
    seq_range: (i64, i64),
}

impl Encoder {
    /// An empty file with the archive schema and writer settings.
    pub fn new() -> Result<Self, parquet::errors::ParquetError> {
        Ok(Encoder {
            writer: ArrowWriter::try_new(Vec::new(), schema(), Some(properties()))?,
            rows: 0,
            seq_range: (i64::MAX, i64::MIN),
        })
    }

    /// Appends `rows` (drained) to the file.
    pub fn write(&mut self, rows: &mut Vec<ExportRow>) -> Result<(), parquet::errors::ParquetError> {
        if rows.is_empty() {
            return Ok(());
        }
        let refs: Vec<&ExportRow> = rows.iter().collect();
        let batch = to_record_batch(&refs).map_err(|e| parquet::errors::ParquetError::External(Box::new(e)))?;
        self.writer.write(&batch)?;
        self.rows += rows.len();
        for r in rows.iter() {
            self.seq_range = (self.seq_range.0.min(r.chain_seq), self.seq_range.1.max(r.chain_seq));
        }
        rows.clear();
        Ok(())
    }

    /// Encoded bytes so far, including the open row group's estimate.
    pub fn size(&self) -> usize {
        self.writer.bytes_written() + self.writer.in_progress_size()
    }

    /// Rows written so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Closes the file.
    pub fn finish(self) -> Result<EncodedFile, parquet::errors::ParquetError> {
        let (rows, seq_range) = (self.rows, self.seq_range);
        Ok(EncodedFile { bytes: self.writer.into_inner()?, rows, seq_range })
    }
}
