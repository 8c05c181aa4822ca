//! Wire-format conformance: every vector of `../shared/fixtures/wire-vectors.json`, and
//! property tests that arbitrary input always ends as an event or a DLQ reason.

use auditflow_schemas::keyring::Keyring;
use auditflow_schemas::wire::{decode, Limits, StreamEntry};
use proptest::prelude::*;
use serde_json::Value;
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures")
}

fn load_vectors() -> Value {
    let path = fixtures().join("wire-vectors.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("conformance fixtures missing at {}: {e} (the repo expects ../shared beside it)", path.display())
    });
    serde_json::from_str(&text).expect("wire-vectors.json is JSON")
}

fn entry_of(fields: &serde_json::Map<String, Value>) -> StreamEntry {
    let fields =
        fields.iter().map(|(k, v)| (k.clone(), v.as_str().expect("string field").as_bytes().to_vec())).collect();
    StreamEntry::new("1700000000000-0", fields)
}

#[test]
fn every_wire_vector_has_its_expected_outcome() {
    let doc = load_vectors();
    let ring = Keyring::single_hex("default", doc["key_hex"].as_str().expect("key_hex")).expect("fixture key is valid");
    let vectors = doc["vectors"].as_array().expect("vectors");
    assert!(vectors.len() >= 10, "expected the full vector set, found {}", vectors.len());
    for v in vectors {
        let name = v["name"].as_str().expect("name");
        let expect = v["expect"].as_str().expect("expect");
        let entry = entry_of(v["fields"].as_object().expect("fields"));
        match decode(&entry, &ring, &Limits::default()) {
            Ok(event) => {
                assert_eq!(expect, "ok", "vector {name}: accepted, expected {expect}");
                assert_eq!(event.key_id, "default");
                assert_eq!(event.content_sha256.len(), 64);
                if name == "unknown_field_preserved" {
                    let extra = event.event.extra_json.as_deref().expect("extra_json kept");
                    assert!(extra.contains("x_vendor_field"), "vector {name}: extra_json = {extra}");
                }
            }
            Err(rejection) => {
                let reason = rejection.reason.to_string();
                assert!(reason.starts_with(expect), "vector {name}: got `{reason}`, expected prefix `{expect}`");
            }
        }
    }
}

#[test]
fn pretty_and_compact_encodings_of_one_event_share_a_content_hash() {
    let doc = load_vectors();
    let ring = Keyring::single_hex("default", doc["key_hex"].as_str().expect("key_hex")).expect("key");
    let by_name = |n: &str| {
        let v = doc["vectors"].as_array().expect("vectors").iter().find(|v| v["name"] == n).expect("vector").clone();
        decode(&entry_of(v["fields"].as_object().expect("fields")), &ring, &Limits::default()).expect("valid")
    };
    let compact = by_name("valid_compact");
    let pretty = by_name("valid_pretty_whitespace_is_signed_as_is");
    assert_eq!(compact.content_sha256, pretty.content_sha256);
    assert_ne!(compact.producer_sig, pretty.producer_sig);
}

fn ring() -> Keyring {
    Keyring::single_hex("default", &"5a".repeat(32)).expect("key")
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Event-shaped objects: known fields with arbitrary values mixed with arbitrary extras.
fn arb_event_like() -> impl Strategy<Value = Value> {
    let known = prop::sample::select(
        ["id", "zone_id", "event_type", "request_id", "decision", "occurred_at", "metadata_json", "diagnostics_json"]
            .map(String::from)
            .to_vec(),
    );
    (
        prop::collection::vec((known, arb_json()), 0..8),
        prop::collection::vec((any::<String>(), arb_json()), 0..3),
        any::<bool>(),
    )
        .prop_map(|(fields, extras, base)| {
            let mut m = serde_json::Map::new();
            if base {
                m.insert("id".into(), "e-1".into());
                m.insert("zone_id".into(), "z".into());
                m.insert("event_type".into(), "token_exchange".into());
                m.insert("occurred_at".into(), "2026-11-23T06:00:00Z".into());
            }
            for (k, v) in fields.into_iter().chain(extras) {
                m.insert(k, v);
            }
            Value::Object(m)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..512), sign in any::<bool>()) {
        let ring = ring();
        let mut fields = vec![("data".to_string(), data.clone())];
        if sign {
            fields.push(("sig".into(), ring.sign("default", &data).expect("key").into_bytes()));
        }
        match decode(&StreamEntry::new("1-0", fields), &ring, &Limits::default()) {
            Ok(e) => prop_assert_eq!(e.content_sha256.len(), 64),
            Err(r) => prop_assert!(!r.reason.to_string().is_empty()),
        }
    }

    #[test]
    fn arbitrary_signed_json_is_accepted_or_given_a_reason(value in arb_event_like()) {
        let ring = ring();
        let data = value.to_string();
        let sig = ring.sign("default", data.as_bytes()).expect("key");
        let entry = StreamEntry::new("1-0", vec![("data".into(), data.into_bytes()), ("sig".into(), sig.into_bytes())]);
        match decode(&entry, &ring, &Limits::default()) {
            Ok(e) => {
                // Whatever was accepted re-encodes canonically and stably.
                prop_assert_eq!(e.content_sha256.clone(), auditflow_schemas::canonical::content_sha256(&e.event));
                prop_assert!(!e.event.id.is_empty());
            }
            Err(r) => {
                let reason = r.reason.to_string();
                prop_assert!(reason.starts_with("schema_invalid:") || reason.starts_with("json_parse_error:"), "{}", reason);
            }
        }
    }
}
