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
    into_canonical_json(value.clone())
}

/// [`canonical_json`] of a value the caller no longer needs (no copy of it is made).
pub fn into_canonical_json(mut value: Value) -> String {
    normalize_numbers(&mut value);
    // serde_json's Map is a BTreeMap (the `preserve_order` feature is off), so keys come
    // out sorted by byte order. Written to bytes, not through `Display`'s formatter: this
    // runs for every JSON field of every event.
    serde_json::to_vec(&value).ok().and_then(|b| String::from_utf8(b).ok()).unwrap_or_else(|| value.to_string())
}

/// Formats an event time the canonical way.
pub fn canonical_time(time: &chrono::DateTime<chrono::Utc>) -> String {
    use chrono::{Datelike, Timelike};
    let nanos = time.nanosecond();
    if nanos >= 1_000_000_000 || !(0..=9999).contains(&time.year()) {
        // Leap seconds and years outside 0..=9999: chrono's own formatting decides.
        return time.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    }
    // What the format string above produces, digit by digit: this runs for every row.
    let mut out = *b"0000-00-00T00:00:00.000000Z";
    let mut put = |at: usize, width: usize, mut n: u32| {
        for i in (at..at + width).rev() {
            out[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    put(0, 4, time.year() as u32);
    put(5, 2, time.month());
    put(8, 2, time.day());
    put(11, 2, time.hour());
    put(14, 2, time.minute());
    put(17, 2, time.second());
    put(20, 6, nanos / 1000);
    // Digits and separators only: always UTF-8.
    std::str::from_utf8(&out).map(str::to_owned).unwrap_or_default()
}

/// An event's canonical fields, borrowed (from an [`AuditEvent`] or from ledger columns).
/// JSON-valued fields must already be canonical JSON text.
#[derive(Clone, Copy, Debug)]
pub struct EventFields<'a> {
    /// `id`.
    pub id: &'a str,
    /// `zone_id`.
    pub zone_id: &'a str,
    /// `event_type`.
    pub event_type: &'a str,
    /// `request_id`.
    pub request_id: Option<&'a str>,
    /// `decision`.
    pub decision: Option<&'a str>,
    /// `policy_set_id`.
    pub policy_set_id: Option<&'a str>,
    /// `policy_set_version_id`.
    pub policy_set_version_id: Option<&'a str>,
    /// `manifest_sha`.
    pub manifest_sha: Option<&'a str>,
    /// `evaluation_status`.
    pub evaluation_status: Option<&'a str>,
    /// Canonical `determining_policies_json`.
    pub determining_policies_json: Option<&'a str>,
    /// Canonical `diagnostics_json`.
    pub diagnostics_json: Option<&'a str>,
    /// Canonical `metadata_json`.
    pub metadata_json: Option<&'a str>,
    /// `occurred_at`.
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    /// Canonical object text of the unknown top-level fields.
    pub extra_json: Option<&'a str>,
}

impl<'a> From<&'a AuditEvent> for EventFields<'a> {
    fn from(e: &'a AuditEvent) -> Self {
        EventFields {
            id: &e.id,
            zone_id: &e.zone_id,
            event_type: &e.event_type,
            request_id: e.request_id.as_deref(),
            decision: e.decision.as_deref(),
            policy_set_id: e.policy_set_id.as_deref(),
            policy_set_version_id: e.policy_set_version_id.as_deref(),
            manifest_sha: e.manifest_sha.as_deref(),
            evaluation_status: e.evaluation_status.as_deref(),
            determining_policies_json: e.determining_policies_json.as_deref(),
            diagnostics_json: e.diagnostics_json.as_deref(),
            metadata_json: e.metadata_json.as_deref(),
            occurred_at: e.occurred_at,
            extra_json: e.extra_json.as_deref(),
        }
    }
}

/// One member of the canonical object: a string to quote, or JSON text to copy.
enum Member<'a> {
    Text(&'a str),
    Json(&'a str),
}

fn push_quoted(out: &mut Vec<u8>, s: &str) {
    // Writing a &str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// The canonical bytes of an event (see the module docs).
pub fn canonical_bytes(event: &AuditEvent) -> Vec<u8> {
    canonical_bytes_of(EventFields::from(event))
}

/// The canonical bytes of borrowed event fields.
pub fn canonical_bytes_of(e: EventFields<'_>) -> Vec<u8> {
    let time = canonical_time(&e.occurred_at);
    // The known members, already in the byte order of their keys: the object is a merge of
    // these with the unknown members (sorted too: a BTreeMap), with no sort per event.
    let known: [(&str, Option<Member<'_>>); 13] = [
        ("decision", e.decision.map(Member::Text)),
        ("determining_policies_json", e.determining_policies_json.map(Member::Json)),
        ("diagnostics_json", e.diagnostics_json.map(Member::Json)),
        ("evaluation_status", e.evaluation_status.map(Member::Text)),
        ("event_type", Some(Member::Text(e.event_type))),
        ("id", Some(Member::Text(e.id))),
        ("manifest_sha", e.manifest_sha.map(Member::Text)),
        ("metadata_json", e.metadata_json.map(Member::Json)),
        ("occurred_at", Some(Member::Text(&time))),
        ("policy_set_id", e.policy_set_id.map(Member::Text)),
        ("policy_set_version_id", e.policy_set_version_id.map(Member::Text)),
        ("request_id", e.request_id.map(Member::Text)),
        ("zone_id", Some(Member::Text(e.zone_id))),
    ];
    let extra: Vec<(String, String)> = match e.extra_json.map(serde_json::from_str::<Value>) {
        Some(Ok(Value::Object(map))) => map.into_iter().map(|(k, v)| (k, into_canonical_json(v))).collect(),
        _ => Vec::new(),
    };
    let mut out = Vec::with_capacity(1024);
    out.push(b'{');
    let mut first = true;
    let mut member = |out: &mut Vec<u8>, k: &str, v: &Member<'_>| {
        if !std::mem::take(&mut first) {
            out.push(b',');
        }
        push_quoted(out, k);
        out.push(b':');
        match v {
            Member::Text(s) => push_quoted(out, s),
            Member::Json(j) => out.extend_from_slice(j.as_bytes()),
        }
    };
    let mut extra = extra.iter().peekable();
    for (k, v) in known.iter().filter_map(|(k, v)| v.as_ref().map(|v| (*k, v))) {
        // On equal keys the known member goes first, as a stable sort of known-then-extra did.
        while let Some((ek, ev)) = extra.next_if(|(ek, _)| ek.as_bytes() < k.as_bytes()) {
            member(&mut out, ek, &Member::Json(ev));
        }
        member(&mut out, k, v);
    }
    for (ek, ev) in extra {
        member(&mut out, ek, &Member::Json(ev));
    }
    out.push(b'}');
    out
}

/// Lowercase hex of a digest or MAC: the form every hash and HMAC in the ledger is stored
/// in. (`hex::encode` goes through an iterator of chars; this is the per-row path.)
///
/// ```
/// assert_eq!(auditflow_schemas::canonical::lower_hex([0x0f, 0xa0]), "0fa0");
/// ```
pub fn lower_hex(bytes: impl AsRef<[u8]>) -> String {
    let bytes = bytes.as_ref();
    let mut out = vec![0u8; bytes.len() * 2];
    // The buffer is exactly twice the input, so this cannot fail.
    let _ = hex::encode_to_slice(bytes, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Lowercase hex SHA-256 of the canonical bytes.
pub fn content_sha256(event: &AuditEvent) -> String {
    lower_hex(Sha256::digest(canonical_bytes(event)))
}

/// Lowercase hex SHA-256 of the canonical bytes of borrowed fields.
pub fn content_sha256_of(fields: EventFields<'_>) -> String {
    lower_hex(Sha256::digest(canonical_bytes_of(fields)))
}

/// Canonical text of an object built from the given members (used for `extra_json`).
pub fn canonical_object(members: Map<String, Value>) -> String {
    into_canonical_json(Value::Object(members))
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

#[cfg(test)]
mod golden {
    use super::*;
    use chrono::TimeZone;

    /// Events exercising every member kind; their hashes must never change (a change would
    /// make every existing ledger row fail verification).
    pub(super) fn events() -> Vec<AuditEvent> {
        let base = AuditEvent {
            id: "evt-1".into(),
            zone_id: "zürich/\"q\"".into(),
            event_type: "token_exchange".into(),
            request_id: Some("req-1".into()),
            decision: Some("deny".into()),
            policy_set_id: Some("ps".into()),
            policy_set_version_id: None,
            manifest_sha: Some("ab".repeat(32)),
            evaluation_status: Some("ok".into()),
            determining_policies_json: Some(r#"[{"id":"p1","v":1}]"#.into()),
            diagnostics_json: Some(r#"{"a":"\n\u0001","b":[1.5,-2]}"#.into()),
            metadata_json: Some("{}".into()),
            occurred_at: chrono::Utc.with_ymd_and_hms(2026, 11, 23, 6, 0, 0).unwrap()
                + chrono::Duration::microseconds(123_456),
            extra_json: Some(r#"{"aaa":null,"zzz":{"y":1,"x":[true]}}"#.into()),
        };
        let bare = AuditEvent {
            request_id: None,
            decision: None,
            policy_set_id: None,
            manifest_sha: None,
            evaluation_status: None,
            determining_policies_json: None,
            diagnostics_json: None,
            metadata_json: None,
            extra_json: None,
            occurred_at: chrono::Utc.with_ymd_and_hms(1999, 1, 2, 3, 4, 5).unwrap(),
            ..base.clone()
        };
        vec![base, bare]
    }

    #[test]
    fn the_bytes_are_the_canonical_json_of_the_object_of_members() {
        // Unknown members sorting before, between and after the known ones.
        let extra = r#"{"a":1,"e_x":[2.0],"id_":{"b":1,"a":null},"occurred_atz":"t","zz":true}"#;
        for mut e in events() {
            e.extra_json = Some(extra.into());
            let mut all: Map<String, Value> = serde_json::from_str(extra).expect("json");
            let text = |v: &Option<String>| v.clone().map(Value::String);
            let json = |v: &Option<String>| v.as_deref().map(|j| serde_json::from_str(j).expect("json"));
            for (k, v) in [
                ("id", Some(Value::String(e.id.clone()))),
                ("zone_id", Some(Value::String(e.zone_id.clone()))),
                ("event_type", Some(Value::String(e.event_type.clone()))),
                ("request_id", text(&e.request_id)),
                ("decision", text(&e.decision)),
                ("policy_set_id", text(&e.policy_set_id)),
                ("policy_set_version_id", text(&e.policy_set_version_id)),
                ("manifest_sha", text(&e.manifest_sha)),
                ("evaluation_status", text(&e.evaluation_status)),
                ("determining_policies_json", json(&e.determining_policies_json)),
                ("diagnostics_json", json(&e.diagnostics_json)),
                ("metadata_json", json(&e.metadata_json)),
                ("occurred_at", Some(Value::String(canonical_time(&e.occurred_at)))),
            ] {
                if let Some(v) = v {
                    all.insert(k.into(), v);
                }
            }
            assert_eq!(String::from_utf8(canonical_bytes(&e)).expect("utf-8"), canonical_json(&Value::Object(all)));
        }
    }

    #[test]
    fn the_fast_time_format_is_chronos() {
        let mut t = chrono::Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap();
        for step in 0..20_000i64 {
            t += chrono::Duration::microseconds(step * 7_919_993_311 + 17);
            assert_eq!(canonical_time(&t), t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string());
        }
    }

    #[test]
    fn content_hashes_are_stable() {
        let hashes: Vec<String> = events().iter().map(content_sha256).collect();
        assert_eq!(
            hashes,
            vec![
                "eeb7595a4dd1f0f117842bdcf56e5b827b761f99738d1e1ffaa959e0fa4151f4".to_string(),
                "0c6036cbcb17681ea003ee4a2319bf30a771737dc5b723c6b8dbe049ca532617".to_string(),
            ]
        );
    }
}
