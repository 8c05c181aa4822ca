//! Dead letters: entries that cannot enter the ledger, with the reason why (SPEC §2).

use serde::{Deserialize, Serialize};

/// Why an entry was dead-lettered. `Display` gives the SPEC reason string; prefix match on
/// it is the API (`schema_invalid:zone_id:…`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Reason {
    /// The entry has no `data` field.
    MissingDataField,
    /// `sig` missing, not hex, or no key produced it.
    HmacVerifyFailed,
    /// `kid` names a key the ring does not hold.
    UnknownKeyId,
    /// `data` is not UTF-8 JSON.
    JsonParseError(String),
    /// A field is missing or has the wrong form.
    SchemaInvalid {
        /// The offending field.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// `data` is larger than the configured limit.
    Oversized,
    /// A re-delivered event id whose content differs from the stored row.
    TamperOnReplay,
    /// The entry was delivered more than `max_deliveries` times without being committed.
    TransientExceededMaxDeliveries(String),
    /// Postgres refused the row for a reason retrying cannot fix.
    PgPermanentError(String),
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::MissingDataField => f.write_str("missing_data_field"),
            Reason::HmacVerifyFailed => f.write_str("hmac_verify_failed"),
            Reason::UnknownKeyId => f.write_str("unknown_key_id"),
            Reason::JsonParseError(m) => write!(f, "json_parse_error:{m}"),
            Reason::SchemaInvalid { field, message } => {
                write!(f, "schema_invalid:{field}:{message}")
            }
            Reason::Oversized => f.write_str("oversized"),
            Reason::TamperOnReplay => f.write_str("tamper_on_replay"),
            Reason::TransientExceededMaxDeliveries(m) => {
                write!(f, "transient_exceeded_max_deliveries:{m}")
            }
            Reason::PgPermanentError(m) => write!(f, "pg_permanent_error:{m}"),
        }
    }
}

impl Reason {
    /// Shorthand for a schema violation.
    pub fn schema(field: &str, message: impl Into<String>) -> Self {
        Reason::SchemaInvalid { field: field.to_owned(), message: message.into() }
    }

    /// The reason without its detail (`schema_invalid`), for metrics labels and summaries.
    pub fn kind(&self) -> &'static str {
        match self {
            Reason::MissingDataField => "missing_data_field",
            Reason::HmacVerifyFailed => "hmac_verify_failed",
            Reason::UnknownKeyId => "unknown_key_id",
            Reason::JsonParseError(_) => "json_parse_error",
            Reason::SchemaInvalid { .. } => "schema_invalid",
            Reason::Oversized => "oversized",
            Reason::TamperOnReplay => "tamper_on_replay",
            Reason::TransientExceededMaxDeliveries(_) => "transient_exceeded_max_deliveries",
            Reason::PgPermanentError(_) => "pg_permanent_error",
        }
    }
}

/// An entry on its way to the DLQ stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetter {
    /// Why.
    pub reason: Reason,
    /// Stream the entry came from.
    pub src_stream: String,
    /// Its stream id.
    pub src_stream_id: String,
    /// The event id, when it could be read.
    pub src_id: Option<String>,
    /// The original fields. `None` when the writer must re-read them from the source stream
    /// (a `tamper_on_replay` found by the ledger, which does not carry raw bytes).
    pub fields: Option<Vec<(String, Vec<u8>)>>,
    /// When auditflow read it (unix ms).
    pub received_at_ms: i64,
    /// The consumer that read it.
    pub consumer: String,
}

impl DeadLetter {
    /// The DLQ entry's fields (SPEC §2): `reason`, `src_stream`, `src_stream_id`, `src_id`,
    /// `received_at`, `consumer`, then `src_<field>` for each original field.
    pub fn dlq_fields(&self, original: &[(String, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
        let mut out = vec![
            ("reason".to_owned(), self.reason.to_string().into_bytes()),
            ("src_stream".to_owned(), self.src_stream.clone().into_bytes()),
            ("src_stream_id".to_owned(), self.src_stream_id.clone().into_bytes()),
            ("src_id".to_owned(), self.src_id.clone().unwrap_or_default().into_bytes()),
            ("received_at".to_owned(), self.received_at_ms.to_string().into_bytes()),
            ("consumer".to_owned(), self.consumer.clone().into_bytes()),
        ];
        out.extend(original.iter().map(|(k, v)| (format!("src_{k}"), v.clone())));
        out
    }
}
