//! The canonical encoding behind `content_sha256`.
//!
//! The encoding is a compact JSON object (no insignificant whitespace) whose members are
//! sorted by the UTF-8 bytes of their keys, containing:
//!
//! * every known event field that is present and not `null`, with its value;
//! * `occurred_at` rewritten as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, exactly six fractional
//!   digits; finer digits are truncated, as Postgres stores microseconds);
//! * every unknown top-level field, `null` values included;
//!
//! and inside any JSON value: object members sorted the same way, strings escaped as
//! `serde_json` does (`"`, `\` and control characters only; other characters raw UTF-8), and
//! numbers normalised: an integer stays an integer, a fraction-free float that fits in
//! 64 bits becomes an integer (`1.0` -> `1`, `-0.0` -> `0`), any other float is written in
//! its shortest round-trip form. This normalisation is idempotent and survives a round trip
//! through Postgres `jsonb`, so a verifier recomputes the same bytes from ledger columns.
//!
//! `content_sha256` is the lowercase hex SHA-256 of those bytes.

use crate::event::AuditEvent;
use serde_json::{Map, Number, Value};
use sha2::{Digest, Sha256};

/// Normalises the numbers of a JSON value in place (see the module docs).
pub fn normalize_numbers(value: &mut Value) {
    match value {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64()) {
                // 2^63 and 2^64 are exact in f64, so these bounds are exact.
                const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
                const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;
                if f.fract() == 0.0 && (-TWO_POW_63..TWO_POW_63).contains(&f) {
                    *n = Number::from(f as i64);
                } else if f.fract() == 0.0 && (0.0..TWO_POW_64).contains(&f) {
                    *n = Number::from(f as u64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize_numbers),
        Value::Object(members) => members.values_mut().for_each(normalize_numbers),
        _ => {}
    }
}

/// Canonical JSON text of a value: numbers normalised, object keys sorted, compact.
pub fn canonical_json(value: &Value) -> String {
    let mut value = value.clone();
    normalize_numbers(&mut value);
    // serde_json's Map is a BTreeMap (the `preserve_order` feature is off), so keys come
    // out sorted by byte order.
    value.to_string()
}

/// Formats an event time the canonical way.
pub fn canonical_time(time: &chrono::DateTime<chrono::Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The canonical bytes of an event (see the module docs).
pub fn canonical_bytes(event: &AuditEvent) -> Vec<u8> {
    // Members as (key, canonical value text); JSON-valued fields are already canonical.
    let quoted = |s: &str| Value::String(s.to_owned()).to_string();
    let mut members: Vec<(String, String)> = Vec::with_capacity(16);
    let mut put_str = |k: &str, v: Option<&str>| {
        if let Some(v) = v {
            members.push((k.to_owned(), quoted(v)));
        }
    };
    put_str("id", Some(&event.id));
    put_str("zone_id", Some(&event.zone_id));
    put_str("event_type", Some(&event.event_type));
    put_str("request_id", event.request_id.as_deref());
    put_str("decision", event.decision.as_deref());
    put_str("policy_set_id", event.policy_set_id.as_deref());
    put_str("policy_set_version_id", event.policy_set_version_id.as_deref());
    put_str("manifest_sha", event.manifest_sha.as_deref());
    put_str("evaluation_status", event.evaluation_status.as_deref());
    put_str("occurred_at", Some(&canonical_time(&event.occurred_at)));
    for (k, v) in [
        ("determining_policies_json", &event.determining_policies_json),
        ("diagnostics_json", &event.diagnostics_json),
        ("metadata_json", &event.metadata_json),
    ] {
        if let Some(v) = v {
            members.push((k.to_owned(), v.clone()));
        }
    }
    if let Some(extra) = &event.extra_json {
        if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(extra) {
            for (k, v) in map {
                members.push((k, canonical_json(&v)));
            }
        }
    }
    members.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut out = Vec::with_capacity(512);
    out.push(b'{');
    for (i, (k, v)) in members.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(quoted(k).as_bytes());
        out.push(b':');
        out.extend_from_slice(v.as_bytes());
    }
    out.push(b'}');
    out
}

/// Lowercase hex SHA-256 of the canonical bytes.
pub fn content_sha256(event: &AuditEvent) -> String {
    hex::encode(Sha256::digest(canonical_bytes(event)))
}

/// Canonical text of an object built from the given members (used for `extra_json`).
pub fn canonical_object(members: Map<String, Value>) -> String {
    canonical_json(&Value::Object(members))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_normalise_idempotently() {
        for (input, want) in [
            ("1.0", "1"),
            ("-0.0", "0"),
            ("1e2", "100"),
            ("0.5", "0.5"),
            ("1.5e-7", "1.5e-7"),
            ("18446744073709551615", "18446744073709551615"),
            ("1e300", "1e+300"),
        ] {
            let v: Value = serde_json::from_str(input).expect("valid json");
            let once = canonical_json(&v);
            assert_eq!(once, want, "{input}");
            let again = canonical_json(&serde_json::from_str(&once).expect("valid json"));
            assert_eq!(again, once, "idempotent for {input}");
        }
    }

    #[test]
    fn keys_sorted_compact() {
        let v = json!({"b": 1, "a": {"d": [1, 2.0], "c": "x"}});
        assert_eq!(canonical_json(&v), r#"{"a":{"c":"x","d":[1,2]},"b":1}"#);
    }
}
