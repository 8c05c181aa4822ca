//! Decode, then encode canonically, then decode again: an accepted event's canonical bytes
//! are themselves an accepted event with the same content hash (the hash the ledger chains
//! and the archive and `verify` recompute).
#![no_main]

use auditflow_schemas::canonical::{canonical_bytes, content_sha256};
use auditflow_schemas::keyring::Keyring;
use auditflow_schemas::wire::{decode, Limits, StreamEntry};
use libfuzzer_sys::fuzz_target;

const KEY: &str = "6b65796b65796b65796b65796b65796b65796b65796b65796b65796b65796b6579";

fn signed(ring: &Keyring, data: &[u8]) -> StreamEntry {
    let sig = ring.sign("default", data).expect("sign");
    StreamEntry::new("1700000000000-0", vec![("data".to_owned(), data.to_vec()), ("sig".to_owned(), sig.into_bytes())])
}

fuzz_target!(|data: &[u8]| {
    let ring = Keyring::single_hex("default", KEY).expect("key");
    let limits = Limits { max_data_bytes: 64 * 1024 };
    let Ok(first) = decode(&signed(&ring, data), &ring, &limits) else { return };
    assert_eq!(first.content_sha256, content_sha256(&first.event));
    let bytes = canonical_bytes(&first.event);
    let second = decode(&signed(&ring, &bytes), &ring, &limits)
        .unwrap_or_else(|r| panic!("canonical bytes rejected: {:?}\n{}", r.reason, String::from_utf8_lossy(&bytes)));
    assert_eq!(first.content_sha256, second.content_sha256, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(canonical_bytes(&second.event), bytes, "canonical encoding is not stable");
});
