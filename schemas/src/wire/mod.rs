//! Wire format of the audit stream (SPEC §1): one Redis stream entry in, a verified event
//! or a rejection with its DLQ reason out.
//!
//! Order of checks, which decides the reason when several apply: `data` present; size
//! limit; `kid` known; HMAC over the exact bytes of `data` (never over a re-serialisation);
//! UTF-8 JSON; schema. The signature is checked before parsing so that nothing an
//! unauthenticated writer sends is interpreted beyond its length.

mod field;
mod members;

use crate::canonical::{canonical_object, content_sha256, into_canonical_json, normalize_numbers};
use crate::event::{AuditEvent, VerifiedEvent};
use crate::keyring::{Keyring, VerifyOutcome};
use crate::{DeadLetter, Reason};
use chrono::{DateTime, SubsecRound, Utc};
use field::{check_required, optional_str, required_str};
use members::{slot, Members};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One entry as read from a Redis stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamEntry {
    /// Stream the entry belongs to.
    pub stream: String,
    /// Redis stream id `<ms>-<seq>`.
    pub stream_id: String,
    /// Field/value pairs in the order Redis returned them.
    pub fields: Vec<(String, Vec<u8>)>,
    /// How many times the group has delivered it (1 for a first read).
    pub deliveries: u64,
    /// When it was read (unix ms).
    pub received_at_ms: i64,
    /// The consumer that read it.
    pub consumer: String,
}

impl StreamEntry {
    /// A first-delivery entry of stream `caracal.audit.events`, for examples and tests.
    pub fn new(stream_id: &str, fields: Vec<(String, Vec<u8>)>) -> Self {
        StreamEntry {
            stream: "caracal.audit.events".into(),
            stream_id: stream_id.into(),
            fields,
            deliveries: 1,
            received_at_ms: 0,
            consumer: "example".into(),
        }
    }

    /// The value of a field, if present.
    pub fn field(&self, name: &str) -> Option<&[u8]> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_slice())
    }

    /// A dead letter for this entry, carrying its original fields.
    pub fn dead_letter(&self, rejection: Rejection) -> DeadLetter {
        DeadLetter {
            reason: rejection.reason,
            src_stream: self.stream.clone(),
            src_stream_id: self.stream_id.clone(),
            src_id: rejection.src_id.or_else(|| self.field("id").map(|v| String::from_utf8_lossy(v).into_owned())),
            fields: Some(self.fields.clone()),
            received_at_ms: self.received_at_ms,
            consumer: self.consumer.clone(),
        }
    }
}

/// Size and shape limits applied while decoding.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest accepted `data` in bytes (default 1 MiB).
    pub max_data_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_data_bytes: 1 << 20 }
    }
}

/// Why an entry was rejected, and its event id when known.
#[derive(Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The DLQ reason.
    pub reason: Reason,
    /// `data.id`, when parsing got that far.
    pub src_id: Option<String>,
}

impl From<Reason> for Rejection {
    fn from(reason: Reason) -> Self {
        Rejection { reason, src_id: None }
    }
}

/// Longest accepted `request_id` (SPEC pattern `^[A-Za-z0-9_.\-:]{1,128}$`).
pub const MAX_REQUEST_ID: usize = 128;

/// Whether a request id matches `^[A-Za-z0-9_.\-:]{1,128}$`.
///
/// ```
/// use auditflow_schemas::wire::is_valid_request_id;
/// assert!(is_valid_request_id("req-1.2:3_x"));
/// assert!(!is_valid_request_id(""));
/// assert!(!is_valid_request_id("a b"));
/// assert!(!is_valid_request_id(&"a".repeat(129)));
/// ```
pub fn is_valid_request_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_REQUEST_ID
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b':'))
}

/// Decodes and verifies one stream entry.
pub fn decode(entry: &StreamEntry, ring: &Keyring, limits: &Limits) -> Result<VerifiedEvent, Rejection> {
    let (text, key_id, sig) = authenticated(entry, ring, limits)?;
    let members = Members::parse(text)
        .map_err(|e| Reason::JsonParseError(e.to_string()))?
        .ok_or_else(|| Reason::schema("data", "must be a JSON object"))?;
    let event = validate(text, members, entry.field("id"))?;
    Ok(verified(entry, event, key_id, sig))
}

/// An event with what the ledger needs besides: its hash, key, signature and origin.
fn verified(entry: &StreamEntry, event: AuditEvent, key_id: String, producer_sig: String) -> VerifiedEvent {
    VerifiedEvent {
        content_sha256: content_sha256(&event),
        event,
        key_id,
        producer_sig,
        src_stream: entry.stream.clone(),
        src_stream_id: entry.stream_id.clone(),
    }
}

/// Postgres text and jsonb cannot hold U+0000: refused here with a precise reason rather
/// than failing a whole COPY later.
fn refuse_nul(object: &Map<String, Value>) -> Result<(), Reason> {
    match object.iter().find(|(k, v)| k.contains('\0') || contains_nul(v)) {
        Some((field, _)) => Err(Reason::schema(&field.replace('\0', "\\u0000"), "contains a NUL character")),
        None => Ok(()),
    }
}

/// The fields left over after the known ones are taken, as canonical JSON (`None`: none).
fn extra_fields(mut object: Map<String, Value>) -> Option<String> {
    if object.is_empty() {
        return None;
    }
    for v in object.values_mut() {
        normalize_numbers(v);
    }
    Some(canonical_object(object))
}

/// Decodes an entry of either stream: [`decode_revocation`] for entries of
/// `revocation_stream`, [`decode`] for every other.
pub fn decode_any(
    entry: &StreamEntry,
    ring: &Keyring,
    limits: &Limits,
    revocation_stream: Option<&str>,
) -> Result<VerifiedEvent, Rejection> {
    if revocation_stream == Some(entry.stream.as_str()) {
        decode_revocation(entry, ring, limits)
    } else {
        decode(entry, ring, limits)
    }
}

/// The ledger id of the event a `caracal.sessions.revoke` entry becomes: derived from the
/// stream and entry id, so a re-delivery is a duplicate.
pub fn revocation_event_id(stream: &str, stream_id: &str) -> String {
    format!("{stream}:{stream_id}")
}

/// Decodes and verifies one entry of the revocation stream (SPEC §1: `{zone_id, session_id,
/// agent_session_id?, delegation_edge_id?, reason}` in `data`, signed like audit events)
/// into the event the ledger stores and the revocation view reads:
///
/// * `delegation_edge_revoked` when it names an edge, else `session_revoked`;
/// * id [`revocation_event_id`]; event time the entry's stream id (when Redis accepted it),
///   since the entry carries none;
/// * `metadata_json` holds the session, agent session and edge ids and the reason; other
///   fields are kept in `extra_json`.
///
/// ```
/// use auditflow_schemas::{keyring::Keyring, wire::{decode_revocation, Limits, StreamEntry}};
/// let ring = Keyring::single_hex("default", &"ab".repeat(32)).unwrap();
/// let data = r#"{"zone_id":"z","session_id":"s-1","agent_session_id":"as-1","reason":"offboarded"}"#;
/// let mut entry = StreamEntry::new("1795410000000-0", vec![
///     ("data".into(), data.into()),
///     ("sig".into(), ring.sign("default", data.as_bytes()).unwrap().into()),
/// ]);
/// entry.stream = "caracal.sessions.revoke".into();
/// let v = decode_revocation(&entry, &ring, &Limits::default()).unwrap();
/// assert_eq!(v.event.id, "caracal.sessions.revoke:1795410000000-0");
/// assert_eq!(v.event.event_type, "session_revoked");
/// assert_eq!(v.event.occurred_at.timestamp_millis(), 1795410000000);
/// assert_eq!(
///     v.event.metadata_json.as_deref(),
///     Some(r#"{"agent_session_id":"as-1","reason":"offboarded","session_id":"s-1"}"#)
/// );
/// ```
pub fn decode_revocation(entry: &StreamEntry, ring: &Keyring, limits: &Limits) -> Result<VerifiedEvent, Rejection> {
    let (mut object, key_id, sig) = verified_object(entry, ring, limits)?;
    refuse_nul(&object)?;
    let zone_id = required_str(object.remove("zone_id"), "zone_id", 256)?;
    let session_id = required_str(object.remove("session_id"), "session_id", 256)?;
    let agent_session_id = optional_str(object.remove("agent_session_id"), "agent_session_id", 256)?;
    let delegation_edge_id = optional_str(object.remove("delegation_edge_id"), "delegation_edge_id", 256)?;
    let reason = required_str(object.remove("reason"), "reason", 1024)?;
    let occurred_at = entry
        .stream_id
        .split_once('-')
        .and_then(|(ms, _)| ms.parse::<i64>().ok())
        .and_then(DateTime::from_timestamp_millis)
        .ok_or_else(|| Reason::schema("stream_id", format!("{:?} is not a Redis stream id", entry.stream_id)))?;
    let mut metadata = Map::new();
    metadata.insert("session_id".into(), Value::String(session_id));
    if let Some(a) = agent_session_id {
        metadata.insert("agent_session_id".into(), Value::String(a));
    }
    let event_type = match delegation_edge_id {
        Some(edge) => {
            metadata.insert("delegation_edge_id".into(), Value::String(edge));
            "delegation_edge_revoked"
        }
        None => "session_revoked",
    };
    metadata.insert("reason".into(), Value::String(reason));
    let extra_json = extra_fields(object);
    let event = AuditEvent {
        id: revocation_event_id(&entry.stream, &entry.stream_id),
        zone_id,
        event_type: event_type.into(),
        request_id: None,
        decision: None,
        policy_set_id: None,
        policy_set_version_id: None,
        manifest_sha: None,
        evaluation_status: None,
        determining_policies_json: None,
        diagnostics_json: None,
        metadata_json: Some(canonical_object(metadata)),
        occurred_at,
        extra_json,
    };
    Ok(verified(entry, event, key_id, sig))
}

/// The checks every signed entry goes through before its JSON is read (size, key, HMAC over
/// the exact bytes, UTF-8), in the order that decides the reason; returns the text, the
/// verifying key's id and the signature as stored.
fn authenticated<'e>(
    entry: &'e StreamEntry,
    ring: &Keyring,
    limits: &Limits,
) -> Result<(&'e str, String, String), Rejection> {
    let data = entry.field("data").ok_or(Reason::MissingDataField)?;
    if data.len() > limits.max_data_bytes {
        return Err(Reason::Oversized.into());
    }
    let kid = match entry.field("kid") {
        Some(k) => Some(std::str::from_utf8(k).map_err(|_| Reason::UnknownKeyId)?),
        None => None,
    };
    let sig = entry.field("sig").and_then(|s| std::str::from_utf8(s).ok()).unwrap_or("");
    let key_id = match ring.verify(data, sig, kid) {
        VerifyOutcome::Verified(id) => id,
        VerifyOutcome::UnknownKeyId => return Err(Reason::UnknownKeyId.into()),
        VerifyOutcome::Mismatch => return Err(Reason::HmacVerifyFailed.into()),
    };
    let text = std::str::from_utf8(data).map_err(|e| Reason::JsonParseError(format!("invalid UTF-8: {e}")))?;
    Ok((text, key_id, sig.trim().to_ascii_lowercase()))
}

/// [`authenticated`], then the text as a JSON object.
fn verified_object(
    entry: &StreamEntry,
    ring: &Keyring,
    limits: &Limits,
) -> Result<(Map<String, Value>, String, String), Rejection> {
    let (text, key_id, sig) = authenticated(entry, ring, limits)?;
    let value: Value = serde_json::from_str(text).map_err(|e| Reason::JsonParseError(e.to_string()))?;
    let Value::Object(object) = value else {
        return Err(Reason::schema("data", "must be a JSON object").into());
    };
    Ok((object, key_id, sig))
}

/// Whether `text` can hold a NUL character once parsed. Raw control characters are not JSON,
/// so a NUL arrives only as the escape `\u0000`; most events have none and skip the walk.
fn may_hold_nul(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), b"\\u0000").is_some()
}

fn contains_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(contains_nul),
        Value::Object(members) => members.iter().any(|(k, v)| k.contains('\0') || contains_nul(v)),
        _ => false,
    }
}

fn optional_json(value: Option<Value>) -> Option<String> {
    match value {
        None | Some(Value::Null) => None,
        Some(v) => Some(into_canonical_json(v)),
    }
}

/// Parses an RFC 3339 event time, truncated to microseconds.
pub fn parse_occurred_at(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc).trunc_subsecs(6))
        .map_err(|e| format!("not RFC 3339: {e}"))
}

fn validate(text: &str, mut m: Members, entry_id: Option<&[u8]>) -> Result<AuditEvent, Rejection> {
    if may_hold_nul(text) {
        let all = m.to_map();
        refuse_nul(&all)
            .map_err(|reason| Rejection { reason, src_id: all.get("id").and_then(Value::as_str).map(str::to_owned) })?;
    }
    let id = match m.take(const { slot("id") }) {
        Some(Value::String(id)) => match check_required(&id, "id", 256) {
            Ok(()) => id,
            Err(reason) => return Err(Rejection { reason, src_id: Some(id) }),
        },
        None | Some(Value::Null) => return Err(Reason::schema("id", "required").into()),
        Some(_) => return Err(Reason::schema("id", "must be a string").into()),
    };
    match fields(m, &id, entry_id) {
        Ok(event) => Ok(AuditEvent { id, ..event }),
        Err(reason) => Err(Rejection { reason, src_id: Some(id) }),
    }
}

/// Every field but `id` (left empty for the caller), checked in the order that decides the
/// reason.
fn fields(mut m: Members, id: &str, entry_id: Option<&[u8]>) -> Result<AuditEvent, Reason> {
    if let Some(entry_id) = entry_id {
        if entry_id != id.as_bytes() {
            return Err(Reason::schema("id", "entry field `id` differs from data.id"));
        }
    }
    let zone_id = m.required(const { slot("zone_id") }, 256)?;
    let event_type = m.required(const { slot("event_type") }, 128)?;
    let occurred_text = m.required(const { slot("occurred_at") }, 64)?;
    let occurred_at = parse_occurred_at(&occurred_text).map_err(|e| Reason::schema("occurred_at", e))?;
    let request_id = m.optional(const { slot("request_id") }, MAX_REQUEST_ID)?;
    if let Some(r) = &request_id {
        if !is_valid_request_id(r) {
            return Err(Reason::schema("request_id", "must match ^[A-Za-z0-9_.\\-:]{1,128}$"));
        }
    }
    let decision = m.optional(const { slot("decision") }, 64)?;
    let policy_set_id = m.optional(const { slot("policy_set_id") }, 1024)?;
    let policy_set_version_id = m.optional(const { slot("policy_set_version_id") }, 1024)?;
    let manifest_sha = m.optional(const { slot("manifest_sha") }, 1024)?;
    let evaluation_status = m.optional(const { slot("evaluation_status") }, 1024)?;
    let metadata_json = match m.take(const { slot("metadata_json") }) {
        None | Some(Value::Null) => None,
        Some(v @ Value::Object(_)) => Some(into_canonical_json(v)),
        Some(_) => return Err(Reason::schema("metadata_json", "must be a JSON object")),
    };
    let determining_policies_json = optional_json(m.take(const { slot("determining_policies_json") }));
    let diagnostics_json = optional_json(m.take(const { slot("diagnostics_json") }));
    let extra_json = extra_fields(m.extra);
    Ok(AuditEvent {
        id: String::new(),
        zone_id,
        event_type,
        request_id,
        decision,
        policy_set_id,
        policy_set_version_id,
        manifest_sha,
        evaluation_status,
        determining_policies_json,
        diagnostics_json,
        metadata_json,
        occurred_at,
        extra_json,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring() -> Keyring {
        Keyring::single_hex("default", &"ab".repeat(32)).unwrap()
    }

    fn entry(data: &str) -> StreamEntry {
        let sig = ring().sign("default", data.as_bytes()).unwrap();
        StreamEntry::new("1-0", vec![("data".into(), data.into()), ("sig".into(), sig.into())])
    }

    #[test]
    fn unknown_fields_survive_in_extra_json_and_the_hash() {
        let a = entry(
            r#"{"id":"e","zone_id":"z","event_type":"t","occurred_at":"2026-01-01T00:00:00Z","x_vendor":{"b":1,"a":2.0}}"#,
        );
        let b = entry(
            r#"{"id":"e","zone_id":"z","event_type":"t","occurred_at":"2026-01-01T00:00:00Z","x_vendor":{"b":1,"a":3}}"#,
        );
        let ea = decode(&a, &ring(), &Limits::default()).unwrap();
        let eb = decode(&b, &ring(), &Limits::default()).unwrap();
        assert_eq!(ea.event.extra_json.as_deref(), Some(r#"{"x_vendor":{"a":2,"b":1}}"#));
        assert_ne!(ea.content_sha256, eb.content_sha256);
    }

    #[test]
    fn formatting_does_not_change_the_content_hash() {
        let a = entry(
            r#"{"id":"e","zone_id":"z","event_type":"t","occurred_at":"2026-01-01T00:00:00Z","diagnostics_json":{"b":[1,2],"a":null}}"#,
        );
        let b = entry("{ \"diagnostics_json\" : {\"a\":null, \"b\":[1.0, 2]}, \"occurred_at\":\"2026-01-01T01:00:00+01:00\",\n\"event_type\":\"t\",\"zone_id\":\"z\",\"id\":\"e\", \"decision\": null}");
        let ea = decode(&a, &ring(), &Limits::default()).unwrap();
        let eb = decode(&b, &ring(), &Limits::default()).unwrap();
        assert_eq!(ea.content_sha256, eb.content_sha256);
        assert_eq!(ea.event, eb.event);
    }

    #[test]
    fn nul_characters_are_schema_errors() {
        let e = entry(
            r#"{"id":"e","zone_id":"z","event_type":"t","occurred_at":"2026-01-01T00:00:00Z","metadata_json":{"k":"a\u0000b"}}"#,
        );
        let r = decode(&e, &ring(), &Limits::default()).unwrap_err();
        assert_eq!(r.reason.kind(), "schema_invalid");
        assert_eq!(r.src_id.as_deref(), Some("e"));
    }

    #[test]
    fn oversized_is_checked_before_anything_else() {
        let e = entry(&format!(r#"{{"id":"{}"}}"#, "x".repeat(100)));
        let r = decode(&e, &ring(), &Limits { max_data_bytes: 50 }).unwrap_err();
        assert_eq!(r.reason, Reason::Oversized);
    }
}
