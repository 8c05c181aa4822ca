//! The audit event as stored in the ledger (SPEC §1, §3).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One audit event after validation.
///
/// JSON-valued fields are kept as canonical JSON text (sorted keys, no whitespace,
/// normalised numbers; see [`crate::canonical`]) rather than as `serde_json::Value`, so the
/// struct crosses process boundaries in a timely cluster (bincode cannot carry `Value`)
/// and is written to Postgres without re-serialising.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Producer-assigned event id (unique per event).
    pub id: String,
    /// Tenant / zone the decision belongs to.
    pub zone_id: String,
    /// Event type, e.g. `token_exchange`.
    pub event_type: String,
    /// Request correlation id, `^[A-Za-z0-9_.\-:]{1,128}$`.
    pub request_id: Option<String>,
    /// Decision as sent (`allow`, `deny`, step-up states); compare case-insensitively.
    pub decision: Option<String>,
    /// Policy set id.
    pub policy_set_id: Option<String>,
    /// Policy set version id.
    pub policy_set_version_id: Option<String>,
    /// Manifest hash.
    pub manifest_sha: Option<String>,
    /// Evaluation status.
    pub evaluation_status: Option<String>,
    /// Canonical JSON text of `determining_policies_json` (any JSON).
    pub determining_policies_json: Option<String>,
    /// Canonical JSON text of `diagnostics_json` (any JSON).
    pub diagnostics_json: Option<String>,
    /// Canonical JSON text of `metadata_json` (an object).
    pub metadata_json: Option<String>,
    /// Event time, UTC, truncated to microseconds (Postgres `timestamptz` precision).
    pub occurred_at: DateTime<Utc>,
    /// Unknown top-level fields, canonical JSON text of an object; `None` when there are none.
    pub extra_json: Option<String>,
}

/// An event whose producer signature verified, with what the ledger needs besides.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedEvent {
    /// The validated event.
    pub event: AuditEvent,
    /// Lowercase hex SHA-256 of the canonical encoding.
    pub content_sha256: String,
    /// Id of the keyring key that verified the producer signature.
    pub key_id: String,
    /// The producer's signature as received, lowercased (stored as `ingest_signature`).
    pub producer_sig: String,
    /// Source stream the entry was read from.
    pub src_stream: String,
    /// Redis stream id of the entry (`<ms>-<seq>`).
    pub src_stream_id: String,
}
