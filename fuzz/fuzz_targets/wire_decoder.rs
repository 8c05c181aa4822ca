//! The wire decoder: any `data` (signed with the producer key, so that decoding goes past
//! the signature check) and any other fields, on the audit stream and on the revocation
//! stream. Every input is either an event or a rejection with a reason; nothing panics.
#![no_main]

use auditflow_schemas::keyring::Keyring;
use auditflow_schemas::wire::{decode_any, Limits, StreamEntry};
use libfuzzer_sys::fuzz_target;

const KEY: &str = "6b65796b65796b65796b65796b65796b65796b65796b65796b65796b65796b6579";

fuzz_target!(|input: &[u8]| {
    let ring = Keyring::single_hex("default", KEY).expect("key");
    // The first byte picks the stream and the extra fields; the rest is `data`.
    let (selector, data) = input.split_first().unwrap_or((&0, &[]));
    let mut fields = vec![("data".to_owned(), data.to_vec())];
    if selector & 1 == 0 {
        let sig = ring.sign("default", data).expect("sign");
        fields.push(("sig".to_owned(), sig.into_bytes()));
    }
    if selector & 2 != 0 {
        fields.push(("kid".to_owned(), b"default".to_vec()));
    }
    if selector & 4 != 0 {
        // An `id` field that may or may not match the one inside `data`.
        fields.push(("id".to_owned(), data.iter().take(40).copied().collect()));
    }
    let stream = if selector & 8 != 0 { "caracal.sessions.revoke" } else { "caracal.audit.events" };
    let mut entry = StreamEntry::new("1700000000000-0", fields);
    entry.stream = stream.to_owned();
    let limits = Limits { max_data_bytes: 64 * 1024 };
    match decode_any(&entry, &ring, &limits, Some("caracal.sessions.revoke")) {
        Ok(event) => assert_eq!(event.content_sha256.len(), 64),
        Err(rejection) => assert!(!format!("{:?}", rejection.reason).is_empty()),
    }
});
