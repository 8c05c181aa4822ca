//! Caracal's own chain algorithm, for the rows of a ledger adopted from Caracal's audit
//! service (docs/caracal-reference.md §1.3).
//!
//! Caracal hashes the *stored* form of a row: the text columns as stored (empty when NULL),
//! the three JSON columns as Postgres prints them (`jsonb::text`, or `null` when NULL), and
//! `occurred_at` as decimal Unix nanoseconds (stored with microsecond precision, so the
//! number ends in `000`). Each of the first twelve fields is followed by the byte 0x1F; the
//! timestamp is last and has no separator after it. `content_sha256` is the lowercase hex
//! SHA-256 of that; `chain_hmac` is the lowercase hex HMAC-SHA256, keyed with the bytes of
//! `AUDIT_HMAC_KEY`, of `content_sha256 || '|' || prev` (prev empty for a zone's first row),
//! or the empty string when Caracal ran without a key.

use sha2::{Digest, Sha256};

/// The columns of a Caracal row that its content hash covers, as read from Postgres.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaracalFields {
    /// `id`.
    pub id: String,
    /// `zone_id`.
    pub zone_id: String,
    /// `event_type`.
    pub event_type: String,
    /// `request_id` (empty when NULL).
    pub request_id: String,
    /// `decision` (empty when NULL).
    pub decision: String,
    /// `policy_set_id` (empty when NULL).
    pub policy_set_id: String,
    /// `policy_set_version_id` (empty when NULL).
    pub policy_set_version_id: String,
    /// `manifest_sha` (empty when NULL).
    pub manifest_sha: String,
    /// `evaluation_status` (empty when NULL).
    pub evaluation_status: String,
    /// `determining_policies_json::text`, `None` when NULL.
    pub determining_policies_json: Option<String>,
    /// `diagnostics_json::text`, `None` when NULL.
    pub diagnostics_json: Option<String>,
    /// `metadata_json::text`, `None` when NULL.
    pub metadata_json: Option<String>,
    /// `occurred_at` in Unix nanoseconds.
    pub occurred_at_nanos: i128,
}

/// Caracal's `content_sha256` of a row.
///
/// ```
/// use auditflow_schemas::caracal::{content_sha256, CaracalFields};
/// let row = CaracalFields {
///     id: "ev-1".into(), zone_id: "zone1".into(), event_type: "token_exchange".into(),
///     request_id: "req1".into(), decision: "allow".into(), policy_set_id: "ps-1".into(),
///     policy_set_version_id: "psv-1".into(), manifest_sha: "abc123".into(),
///     evaluation_status: "complete".into(), occurred_at_nanos: 1_700_000_000_000_000_000,
///     ..CaracalFields::default()
/// };
/// assert_eq!(content_sha256(&row), "d391d64daa8f05b312a097820baae8dd9a2486156d8af5a3491b2464232ba84c");
/// ```
pub fn content_sha256(row: &CaracalFields) -> String {
    let mut h = Sha256::new();
    for field in [
        &row.id,
        &row.zone_id,
        &row.event_type,
        &row.request_id,
        &row.decision,
        &row.policy_set_id,
        &row.policy_set_version_id,
        &row.manifest_sha,
        &row.evaluation_status,
    ] {
        h.update(field.as_bytes());
        h.update([0x1f]);
    }
    for json in [&row.determining_policies_json, &row.diagnostics_json, &row.metadata_json] {
        h.update(json.as_deref().unwrap_or("null").as_bytes());
        h.update([0x1f]);
    }
    h.update(row.occurred_at_nanos.to_string().as_bytes());
    crate::canonical::lower_hex(h.finalize())
}

/// The message Caracal's `chain_hmac` signs: `content_sha256 || '|' || prev`.
pub fn chain_hmac_message(content_sha256: &str, prev: Option<&str>) -> String {
    format!("{content_sha256}|{}", prev.unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyring::Keyring;

    /// The vectors of docs/caracal-reference.md §1.4 (computed from the algorithm as read).
    #[test]
    fn reference_vectors() {
        let key = Keyring::single_hex("caracal", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
            .expect("key");
        let first = CaracalFields {
            id: "ev-1".into(),
            zone_id: "zone1".into(),
            event_type: "token_exchange".into(),
            request_id: "req1".into(),
            decision: "allow".into(),
            policy_set_id: "ps-1".into(),
            policy_set_version_id: "psv-1".into(),
            manifest_sha: "abc123".into(),
            evaluation_status: "complete".into(),
            occurred_at_nanos: 1_700_000_000_000_000_000,
            ..CaracalFields::default()
        };
        let c1 = content_sha256(&first);
        assert_eq!(c1, "d391d64daa8f05b312a097820baae8dd9a2486156d8af5a3491b2464232ba84c");
        assert_eq!(
            key.sign("caracal", chain_hmac_message(&c1, None).as_bytes()).expect("sign"),
            "a758c42176f4fac33de298208d60301f9e9cff95bf151cdd68b002de3590a597"
        );
        let second = CaracalFields {
            id: "ev-2".into(),
            zone_id: "zone1".into(),
            event_type: "token_exchange".into(),
            request_id: "req2".into(),
            decision: "deny".into(),
            evaluation_status: "complete".into(),
            determining_policies_json: Some(r#"["p1"]"#.into()),
            diagnostics_json: Some(r#"{"k": 1}"#.into()),
            occurred_at_nanos: 1_700_000_000_123_456_000,
            ..CaracalFields::default()
        };
        let c2 = content_sha256(&second);
        assert_eq!(c2, "09bbd9ea019ce6d1be9ebb3995577d0e1217dc8a13026db1d69719a3dbf5ef06");
        assert_eq!(
            key.sign("caracal", chain_hmac_message(&c2, Some(&c1)).as_bytes()).expect("sign"),
            "38773059963dc0228d6101f260a2816365fb1d9f790898deedc94a221154ac23"
        );
    }
}
