//! The one column list of a ledger row (`audit_events`) and its codec: every reader and
//! writer of ledger rows names columns from [`Column`] and picks its projection from it, so
//! a column is typed out once, and a reader finds a value by name ([`at`]), never by a
//! position written by hand.
//!
//! JSON columns are written as binary `jsonb` from canonical text and read back as
//! `jsonb::text`, which Postgres re-encodes with its own spacing and key order: a reader that
//! hashes or archives them re-encodes the text canonically ([`canonical_json`]).
//!
//! ```
//! use auditflow_ledger::row::{at, select_list, Column};
//!
//! const PROJECTION: &[Column] = &[Column::Id, Column::MetadataJson, Column::ChainSeq];
//! const SEQ: usize = at(PROJECTION, Column::ChainSeq);
//! assert_eq!(SEQ, 2);
//! assert_eq!(select_list(PROJECTION), "id, metadata_json::text, chain_seq");
//! ```

use crate::LedgerError;
use auditflow_schemas::AuditEvent;
use tokio_postgres::binary_copy::BinaryCopyOutStream;
use tokio_postgres::types::Type;

/// A column of `audit_events`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    /// Event id (unique over the ledger).
    Id,
    /// Zone, whose chain the row is on.
    ZoneId,
    /// Event type.
    EventType,
    /// Request id.
    RequestId,
    /// `allow` / `deny` / …
    Decision,
    /// Policy set.
    PolicySetId,
    /// Policy set version.
    PolicySetVersionId,
    /// Policy manifest hash.
    ManifestSha,
    /// Evaluation status.
    EvaluationStatus,
    /// Determining policies (jsonb).
    DeterminingPoliciesJson,
    /// Diagnostics (jsonb).
    DiagnosticsJson,
    /// Metadata (jsonb).
    MetadataJson,
    /// Event time.
    OccurredAt,
    /// Commit time (set by the database).
    IngestedAt,
    /// SHA-256 of the canonical event.
    ContentSha256,
    /// The previous row's `content_sha256`.
    PrevContentSha256,
    /// Ledger HMAC over the link.
    ChainHmac,
    /// Position in the zone's chain.
    ChainSeq,
    /// The zone's chain.
    ChainId,
    /// The producer's signature as received.
    IngestSignature,
    /// The producer key id.
    KeyId,
    /// The Redis stream entry id it came from.
    SrcStreamId,
    /// Fields outside the SPEC's (jsonb).
    ExtraJson,
}

impl Column {
    /// The column's name in SQL.
    pub const fn name(self) -> &'static str {
        match self {
            Column::Id => "id",
            Column::ZoneId => "zone_id",
            Column::EventType => "event_type",
            Column::RequestId => "request_id",
            Column::Decision => "decision",
            Column::PolicySetId => "policy_set_id",
            Column::PolicySetVersionId => "policy_set_version_id",
            Column::ManifestSha => "manifest_sha",
            Column::EvaluationStatus => "evaluation_status",
            Column::DeterminingPoliciesJson => "determining_policies_json",
            Column::DiagnosticsJson => "diagnostics_json",
            Column::MetadataJson => "metadata_json",
            Column::OccurredAt => "occurred_at",
            Column::IngestedAt => "ingested_at",
            Column::ContentSha256 => "content_sha256",
            Column::PrevContentSha256 => "prev_content_sha256",
            Column::ChainHmac => "chain_hmac",
            Column::ChainSeq => "chain_seq",
            Column::ChainId => "chain_id",
            Column::IngestSignature => "ingest_signature",
            Column::KeyId => "key_id",
            Column::SrcStreamId => "src_stream_id",
            Column::ExtraJson => "extra_json",
        }
    }

    /// Whether the column is `jsonb`.
    pub const fn is_json(self) -> bool {
        matches!(
            self,
            Column::DeterminingPoliciesJson | Column::DiagnosticsJson | Column::MetadataJson | Column::ExtraJson
        )
    }

    /// Its type on the wire when written (JSON as `jsonb`).
    pub fn write_type(self) -> Type {
        match self {
            Column::OccurredAt | Column::IngestedAt => Type::TIMESTAMPTZ,
            Column::ChainSeq => Type::INT8,
            Column::ChainId => Type::INT4,
            c if c.is_json() => Type::JSONB,
            _ => Type::TEXT,
        }
    }

    /// Its type on the wire when read with [`select_list`] (JSON as text).
    pub fn read_type(self) -> Type {
        if self.is_json() {
            Type::TEXT
        } else {
            self.write_type()
        }
    }
}

/// Where `column` stands in `columns`. A `const` use fails to compile when it is absent.
pub const fn at(columns: &[Column], column: Column) -> usize {
    let mut i = 0;
    while i < columns.len() {
        if columns[i] as u8 == column as u8 {
            return i;
        }
        i += 1;
    }
    panic!("column not in this projection")
}

/// `a, b, c::text`: the projection as a select list, JSON columns as text.
pub fn select_list(columns: &[Column]) -> String {
    let names: Vec<String> =
        columns.iter().map(|c| if c.is_json() { format!("{}::text", c.name()) } else { c.name().to_owned() }).collect();
    names.join(", ")
}

/// `a, b, c`: the projection's names (for an insert).
pub fn name_list(columns: &[Column]) -> String {
    columns.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")
}

/// The event's own columns, in table order: how every projection of a row begins.
pub const EVENT: [Column; 13] = [
    Column::Id,
    Column::ZoneId,
    Column::EventType,
    Column::RequestId,
    Column::Decision,
    Column::PolicySetId,
    Column::PolicySetVersionId,
    Column::ManifestSha,
    Column::EvaluationStatus,
    Column::DeterminingPoliciesJson,
    Column::DiagnosticsJson,
    Column::MetadataJson,
    Column::OccurredAt,
];

/// The event of a row read with a projection that begins with [`EVENT`] (see
/// [`after_event`]). JSON columns are as Postgres renders `jsonb` text; the ledger keeps no
/// unknown fields, so `extra_json` is `None`.
pub fn event(r: &tokio_postgres::Row) -> Result<AuditEvent, tokio_postgres::Error> {
    let get = |c: Column| at(&EVENT, c);
    Ok(AuditEvent {
        id: r.try_get(get(Column::Id))?,
        zone_id: r.try_get(get(Column::ZoneId))?,
        event_type: r.try_get(get(Column::EventType))?,
        request_id: r.try_get(get(Column::RequestId))?,
        decision: r.try_get(get(Column::Decision))?,
        policy_set_id: r.try_get(get(Column::PolicySetId))?,
        policy_set_version_id: r.try_get(get(Column::PolicySetVersionId))?,
        manifest_sha: r.try_get(get(Column::ManifestSha))?,
        evaluation_status: r.try_get(get(Column::EvaluationStatus))?,
        determining_policies_json: r.try_get(get(Column::DeterminingPoliciesJson))?,
        diagnostics_json: r.try_get(get(Column::DiagnosticsJson))?,
        metadata_json: r.try_get(get(Column::MetadataJson))?,
        occurred_at: r.try_get(get(Column::OccurredAt))?,
        extra_json: None,
    })
}

/// [`EVENT`] followed by `rest`: a projection, built at compile time (`N` is the total).
pub const fn after_event<const N: usize>(rest: &[Column]) -> [Column; N] {
    assert!(EVENT.len() + rest.len() == N, "N must be the number of columns");
    let mut out = [Column::Id; N];
    let mut i = 0;
    while i < EVENT.len() {
        out[i] = EVENT[i];
        i += 1;
    }
    let mut j = 0;
    while j < rest.len() {
        out[EVENT.len() + j] = rest[j];
        j += 1;
    }
    out
}

/// What the ledger sink writes of each row, in its COPY's order: every column but
/// `ingested_at`, which the database sets.
pub const WRITTEN: &[Column] = &after_event::<22>(&[
    Column::ContentSha256,
    Column::PrevContentSha256,
    Column::ChainHmac,
    Column::ChainSeq,
    Column::IngestSignature,
    Column::ChainId,
    Column::KeyId,
    Column::SrcStreamId,
    Column::ExtraJson,
]);

/// The order a chain range is read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// By chain position (the tamper walk).
    ChainSeq,
    /// The archive's order: zone by byte order, then event time, then chain position.
    Archive,
}

/// Streams `columns` of `chain`'s rows `from..=to` with one binary COPY: the bulk reader of
/// ledger rows (the archive and the tamper walk).
pub async fn copy_range(
    c: &tokio_postgres::Client,
    columns: &[Column],
    chain: i32,
    from: i64,
    to: i64,
    order: Order,
) -> Result<BinaryCopyOutStream, LedgerError> {
    let order = match order {
        Order::ChainSeq => "chain_seq",
        Order::Archive => "zone_id COLLATE \"C\", occurred_at, chain_seq",
    };
    // COPY takes no parameters; the three values are integers.
    let sql = format!(
        "COPY (SELECT {} FROM audit_events WHERE chain_id = {chain} AND chain_seq BETWEEN {from} AND {to} \
         ORDER BY {order}) TO STDOUT (FORMAT binary)",
        select_list(columns)
    );
    let copy = c.copy_out(&sql).await.map_err(LedgerError::pg("copy rows out"))?;
    let types: Vec<Type> = columns.iter().map(|c| c.read_type()).collect();
    Ok(BinaryCopyOutStream::new(copy, &types))
}

/// `jsonb::text` re-encoded canonically (sorted keys, compact, numbers normalised), as the
/// ledger hashed it; `None` when the text is not JSON.
pub fn canonical_json(text: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    Some(auditflow_schemas::canonical::into_canonical_json(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_names_every_column_but_the_commit_time_once() {
        let names: Vec<&str> = WRITTEN.iter().map(|c| c.name()).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
        assert!(!names.contains(&"ingested_at"));
        assert_eq!(names.len(), 22);
    }

    #[test]
    fn canonical_json_sorts_keys_and_refuses_non_json() {
        assert_eq!(canonical_json(r#"{"b": 1, "a": [1.0]}"#).as_deref(), Some(r#"{"a":[1],"b":1}"#));
        assert_eq!(canonical_json("not json"), None);
    }
}
