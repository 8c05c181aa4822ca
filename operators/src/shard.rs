//! Routes verified events to the worker that owns their zone's ledger shard.
//!
//! Each zone is one hash chain; zones map to shards by a stable hash of the zone id (see
//! `auditflow_schemas::shard`), and shard `s` is owned by worker `s % peers`: timely's
//! exchange sends a record to `key % peers`, and the key here is the shard itself. One owner
//! per shard means one writer per zone, so a zone's chain positions are assigned without
//! waiting on another worker; a different worker count moves whole shards (the zone's
//! watermark row, locked by every transaction that appends to the chain, keeps positions
//! gapless even while two processes briefly overlap).

use auditflow_schemas::shard::shard_of;
use auditflow_schemas::VerifiedEvent;
use timely::dataflow::operators::core::Exchange;
use timely::dataflow::Stream;

/// Extension trait: `to_shards` on a stream of verified events.
pub trait ToShards<'scope> {
    /// Exchanges each event to the owner of `shard_of(event.zone_id, shards)`.
    ///
    /// ```
    /// use auditflow_operators::ToShards;
    /// use auditflow_schemas::{keyring::Keyring, wire::{decode, Limits, StreamEntry}};
    /// use timely::dataflow::operators::{ToStream, capture::{Capture, Event}};
    ///
    /// let ring = Keyring::single_hex("k", &"ab".repeat(32)).unwrap();
    /// let events: Vec<_> = (0..10).map(|i| {
    ///     let data = format!(r#"{{"id":"e{i}","zone_id":"z","event_type":"t","occurred_at":"2026-11-23T06:00:00Z"}}"#);
    ///     let sig = ring.sign("k", data.as_bytes()).unwrap();
    ///     decode(&StreamEntry::new("1-0", vec![("data".into(), data.into()), ("sig".into(), sig.into())]), &ring, &Limits::default()).unwrap()
    /// }).collect();
    /// let captured = timely::example(move |scope| events.to_stream(scope).container::<Vec<_>>().to_shards(16).capture());
    /// let routed: Vec<_> = captured.try_iter().filter_map(|e| match e { Event::Messages(_, v) => Some(v), _ => None }).flatten().collect();
    /// assert_eq!(routed.len(), 10); // one worker owns every shard; nothing is lost on the way
    /// ```
    fn to_shards(self, shards: u32) -> Stream<'scope, u64, Vec<VerifiedEvent>>;
}

impl<'scope> ToShards<'scope> for Stream<'scope, u64, Vec<VerifiedEvent>> {
    fn to_shards(self, shards: u32) -> Stream<'scope, u64, Vec<VerifiedEvent>> {
        self.exchange(move |event: &VerifiedEvent| u64::from(shard_of(&event.event.zone_id, shards)))
    }
}
