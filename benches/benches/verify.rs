//! Micro-benchmarks of the per-event CPU work: wire decode (HMAC verify, JSON parse,
//! validation, canonical encoding, content hash), and its parts.

use auditflow_schemas::canonical::content_sha256;
use auditflow_schemas::keyring::Keyring;
use auditflow_schemas::wire::{decode, Limits, StreamEntry};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

const EVENT: &str = r#"{"id":"evt-63-0000012345","zone_id":"zone-3","event_type":"gateway_resource_request","request_id":"req-63-4411","decision":"deny","policy_set_id":"ps-zone-3","policy_set_version_id":"psv-7","manifest_sha":"3f2a9c","evaluation_status":"policy_denied","determining_policies_json":[{"policy":"restrict-files","effect":"deny"}],"diagnostics_json":{"reason":"resource outside delegated scope","resource":"files"},"metadata_json":{"session_id":"sess-1203","agent_session_id":"as-4410","resource":"files","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"},"occurred_at":"2026-11-23T06:00:00.123456Z"}"#;

fn entry(ring: &Keyring) -> StreamEntry {
    let sig = ring.sign("default", EVENT.as_bytes()).expect("key");
    StreamEntry::new(
        "1700000000000-0",
        vec![("id".into(), b"evt-63-0000012345".to_vec()), ("data".into(), EVENT.into()), ("sig".into(), sig.into())],
    )
}

fn bench(c: &mut Criterion) {
    let ring = Keyring::single_hex("default", &"ab".repeat(32)).expect("key");
    let e = entry(&ring);
    let mut g = c.benchmark_group("per_event");
    g.throughput(Throughput::Elements(1));
    g.bench_function("decode (verify + parse + validate + hash)", |b| {
        b.iter(|| decode(black_box(&e), &ring, &Limits::default()))
    });
    let sig = ring.sign("default", EVENT.as_bytes()).expect("key");
    g.bench_function("hmac verify only", |b| b.iter(|| ring.verify(black_box(EVENT.as_bytes()), &sig, None)));
    g.bench_function("json parse only", |b| b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(EVENT))));
    let event = decode(&e, &ring, &Limits::default()).expect("valid").event;
    g.bench_function("canonical content hash only", |b| b.iter(|| content_sha256(black_box(&event))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
