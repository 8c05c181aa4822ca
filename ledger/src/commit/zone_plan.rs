//! A shard's batch split by zone, and what one transaction plans for each zone's chain.

use auditflow_schemas::chain::BatchPlan;
use auditflow_schemas::VerifiedEvent;
use std::collections::BTreeMap;

/// The events of one zone in a shard's batch, in arrival order.
pub(super) struct ZoneBatch {
    pub(super) zone: String,
    pub(super) events: Vec<VerifiedEvent>,
}

/// What a transaction plans for one zone's chain.
pub(super) struct ZonePlan<'a> {
    pub(super) chain_id: i32,
    pub(super) events: &'a [VerifiedEvent],
    pub(super) plan: BatchPlan,
}

/// Splits a shard's events by zone, each zone keeping its arrival order.
pub(super) fn by_zone(events: Vec<VerifiedEvent>) -> Vec<ZoneBatch> {
    let mut zones: BTreeMap<String, Vec<VerifiedEvent>> = BTreeMap::new();
    for event in events {
        zones.entry(event.event.zone_id.clone()).or_default().push(event);
    }
    zones.into_iter().map(|(zone, events)| ZoneBatch { zone, events }).collect()
}
