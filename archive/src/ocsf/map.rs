//! Each ledger row as one OCSF 1.3.0 event (`docs/ocsf.md` is the table this code keeps).
//!
//! The mapping is lossless on purpose: what OCSF has a place for goes there, and every
//! Caracal field OCSF has no place for goes under `unmapped` as text, with the ledger's
//! hashes. So `verify-archive` recomputes each event's `content_sha256` from the OCSF event
//! alone, as it does from a row of the main archive.

use crate::parquet_file::{col, ExportRow};
use auditflow_schemas::canonical::EventFields;
use chrono::{DateTime, Utc};

/// The OCSF schema version the events follow.
pub const OCSF_VERSION: &str = "1.3.0";

/// One ledger row, borrowed: the event and where the ledger put it.
#[derive(Clone, Copy, Debug)]
pub struct LedgerRow<'a> {
    /// The event's canonical fields (JSON values as canonical text).
    pub event: EventFields<'a>,
    /// `ingested_at`.
    pub ingested_at: DateTime<Utc>,
    /// `content_sha256`.
    pub content_sha256: &'a str,
    /// `prev_content_sha256`.
    pub prev_content_sha256: Option<&'a str>,
    /// `chain_hmac`.
    pub chain_hmac: &'a str,
    /// `chain_seq`.
    pub chain_seq: i64,
    /// `chain_id`.
    pub chain_id: i32,
    /// `ingest_signature`.
    pub ingest_signature: Option<&'a str>,
    /// `key_id`.
    pub key_id: Option<&'a str>,
    /// `src_stream_id`.
    pub src_stream_id: Option<&'a str>,
}

impl<'a> LedgerRow<'a> {
    /// An exported row, borrowed.
    pub fn of(row: &'a ExportRow) -> LedgerRow<'a> {
        let text = |c: usize| row.text(c);
        LedgerRow {
            event: EventFields {
                id: text(col::ID).unwrap_or_default(),
                zone_id: row.zone_id(),
                event_type: row.event_type(),
                request_id: text(col::REQUEST_ID),
                decision: text(col::DECISION),
                policy_set_id: text(col::POLICY_SET_ID),
                policy_set_version_id: text(col::POLICY_SET_VERSION_ID),
                manifest_sha: text(col::MANIFEST_SHA),
                evaluation_status: text(col::EVALUATION_STATUS),
                determining_policies_json: text(col::DETERMINING_POLICIES_JSON),
                diagnostics_json: text(col::DIAGNOSTICS_JSON),
                metadata_json: text(col::METADATA_JSON),
                occurred_at: row.occurred_at(),
                extra_json: text(col::EXTRA_JSON),
            },
            ingested_at: DateTime::from_timestamp_micros(row.ingested_at_us).unwrap_or_default(),
            content_sha256: text(col::CONTENT_SHA256).unwrap_or_default(),
            prev_content_sha256: text(col::PREV_CONTENT_SHA256),
            chain_hmac: text(col::CHAIN_HMAC).unwrap_or_default(),
            chain_seq: row.chain_seq,
            chain_id: row.chain_id,
            ingest_signature: text(col::INGEST_SIGNATURE),
            key_id: text(col::KEY_ID),
            src_stream_id: text(col::SRC_STREAM_ID),
        }
    }
}

/// The OCSF classes events map to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OcsfClass {
    /// 3002: step-up and session lifecycle.
    Authentication,
    /// 3003: token exchanges.
    AuthorizeSession,
    /// 3004: delegation edges and administrative changes.
    EntityManagement,
    /// 6003: gateway requests, control invocations and every event type not known here.
    ApiActivity,
}

impl OcsfClass {
    /// Every class, in `class_uid` order.
    pub const ALL: [OcsfClass; 4] =
        [OcsfClass::Authentication, OcsfClass::AuthorizeSession, OcsfClass::EntityManagement, OcsfClass::ApiActivity];

    /// `class_uid`.
    pub fn uid(self) -> i64 {
        match self {
            OcsfClass::Authentication => 3002,
            OcsfClass::AuthorizeSession => 3003,
            OcsfClass::EntityManagement => 3004,
            OcsfClass::ApiActivity => 6003,
        }
    }

    /// `class_name`.
    pub fn name(self) -> &'static str {
        match self {
            OcsfClass::Authentication => "Authentication",
            OcsfClass::AuthorizeSession => "Authorize Session",
            OcsfClass::EntityManagement => "Entity Management",
            OcsfClass::ApiActivity => "API Activity",
        }
    }

    /// The schema's name for the class (`authorize_session`), used in table names.
    pub fn slug(self) -> &'static str {
        match self {
            OcsfClass::Authentication => "authentication",
            OcsfClass::AuthorizeSession => "authorize_session",
            OcsfClass::EntityManagement => "entity_management",
            OcsfClass::ApiActivity => "api_activity",
        }
    }

    pub(super) fn category(self) -> (i64, &'static str) {
        match self {
            OcsfClass::ApiActivity => (6, "Application Activity"),
            _ => (3, "Identity & Access Management"),
        }
    }

    pub(super) fn activity_name(self, id: i64) -> &'static str {
        match (self, id) {
            (_, 0) => "Unknown",
            (_, 99) => "Other",
            (OcsfClass::Authentication, 1) => "Logon",
            (OcsfClass::Authentication, 2) => "Logoff",
            (OcsfClass::Authentication, 6) => "Preauth",
            (OcsfClass::AuthorizeSession, 1) => "Assign Privileges",
            (OcsfClass::EntityManagement, 1) | (OcsfClass::ApiActivity, 1) => "Create",
            (OcsfClass::EntityManagement, 2) | (OcsfClass::ApiActivity, 2) => "Read",
            (OcsfClass::EntityManagement, 3) | (OcsfClass::ApiActivity, 3) => "Update",
            (OcsfClass::EntityManagement, 4) | (OcsfClass::ApiActivity, 4) => "Delete",
            (OcsfClass::EntityManagement, 9) => "Disable",
            _ => "Other",
        }
    }
}

/// Administrative event type prefixes (Caracal's admin API and coordinator).
pub(super) const ENTITY_PREFIXES: [&str; 8] =
    ["delegation_", "admin_", "admin.", "policy_", "agent_", "zone_", "principal_", "key_"];

/// The class and activity of an event type (`docs/ocsf.md`, "Classes").
///
/// ```
/// use auditflow_archive::ocsf::{classify, OcsfClass};
/// assert_eq!(classify("token_exchange", None), (OcsfClass::AuthorizeSession, 1));
/// assert_eq!(classify("step_up_issued", None), (OcsfClass::Authentication, 6));
/// assert_eq!(classify("session_revoked", None), (OcsfClass::Authentication, 2));
/// assert_eq!(classify("delegation_edge_revoked", None), (OcsfClass::EntityManagement, 4));
/// assert_eq!(classify("gateway_resource_request", Some("GET")), (OcsfClass::ApiActivity, 2));
/// assert_eq!(classify("something_new", None), (OcsfClass::ApiActivity, 99));
/// ```
pub fn classify(event_type: &str, method: Option<&str>) -> (OcsfClass, i64) {
    let t = event_type;
    if t.starts_with("token_") {
        let activity = if matches!(t, "token_exchange" | "token_issued") { 1 } else { 99 };
        return (OcsfClass::AuthorizeSession, activity);
    }
    if t.starts_with("step_up_") || t.contains("authn") {
        let activity = match t {
            "step_up_issued" => 6,
            "step_up_decided" => 1,
            _ if t.contains("authn") => 1,
            _ => 99,
        };
        return (OcsfClass::Authentication, activity);
    }
    if t.starts_with("session_") {
        let activity = match t {
            "session_spawned" | "session_created" | "session_started" => 1,
            "session_revoked" | "session_terminated" | "session_expired" | "session_ended" => 2,
            _ => 99,
        };
        return (OcsfClass::Authentication, activity);
    }
    if ENTITY_PREFIXES.iter().any(|p| t.starts_with(p)) {
        let activity = if t.ends_with("created") || t.ends_with("registered") || t.ends_with("added") {
            1
        } else if t.ends_with("updated") || t.ends_with("changed") || t.ends_with("rotated") || t.ends_with("published")
        {
            3
        } else if t.ends_with("revoked") || t.ends_with("deleted") || t.ends_with("removed") {
            4
        } else if t.ends_with("disabled") || t.ends_with("suspended") {
            9
        } else {
            99
        };
        return (OcsfClass::EntityManagement, activity);
    }
    // Gateway requests, control invocations, and any type not known above: an API call at
    // Caracal, never dropped.
    let activity = match method.map(str::to_ascii_uppercase).as_deref() {
        Some("POST") | Some("PUT") if t.starts_with("gateway_") => 1,
        Some("GET") | Some("HEAD") => 2,
        Some("PATCH") => 3,
        Some("DELETE") => 4,
        _ => 99,
    };
    (OcsfClass::ApiActivity, activity)
}

/// OCSF `severity_id` and caption from the decision: allow 1 Informational, deny 3 Medium,
/// another decision 2 Low, none 0 Unknown (as the main archive's `severity_id`).
pub(super) fn severity(decision: Option<&str>) -> (i64, &'static str) {
    match decision {
        Some("allow") => (1, "Informational"),
        Some("deny") => (3, "Medium"),
        Some(_) => (2, "Low"),
        None => (0, "Unknown"),
    }
}

/// OCSF `status_id` and caption from the decision.
pub(super) fn status(decision: Option<&str>) -> (i64, &'static str) {
    match decision {
        Some("allow") => (1, "Success"),
        Some("deny") => (2, "Failure"),
        Some(_) => (99, "Other"),
        None => (0, "Unknown"),
    }
}
