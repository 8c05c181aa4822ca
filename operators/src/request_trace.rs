//! Request traces (SPEC §5) as a differential dataflow: committed events arranged by
//! `request_id`, each group reduced to a [`TraceSummary`] (what `request_traces` stores).
//!
//! The summary is a pure function of the request's events ([`TraceSummary::of`]), so it is
//! kept current as events arrive and as they are retracted (the window eviction feeds
//! retractions), whatever the order.

use auditflow_schemas::view::{SharedEvent, TraceSummary, ViewEvent};
use differential_dataflow::hashable::Hashable;
use differential_dataflow::lattice::Lattice;
use differential_dataflow::VecCollection;
use std::collections::BTreeMap;
use std::sync::Arc;
use timely::progress::Timestamp;

/// Extension trait: request traces of a collection of committed events.
///
/// ```
/// use auditflow_operators::RequestTraces;
/// use auditflow_schemas::view::{SharedEvent, ViewEvent};
/// use differential_dataflow::input::Input;
/// use std::sync::{Arc, Mutex};
///
/// let ev = |id: &str, ty: &str, decision: &str, secs: i64| SharedEvent::new(ViewEvent {
///     id: id.into(), zone_id: "z".into(), event_type: ty.into(), request_id: Some("r1".into()),
///     decision: Some(decision.into()), evaluation_status: None, determining_policies_json: None,
///     diagnostics_json: None, session_id: None, agent_session_id: None, delegation_edge_id: None,
///     parent_agent_session_id: None, occurred_at_us: secs, chain_id: 0, chain_seq: secs,
/// });
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let sink = seen.clone();
/// timely::execute_directly(move |worker| {
///     let mut input = worker.dataflow::<u64, _, _>(|scope| {
///         let (input, events) = scope.new_collection();
///         events.request_traces().inspect(move |(t, time, diff)| {
///             sink.lock().unwrap().push((*time, t.final_decision.clone(), *diff))
///         });
///         input
///     });
///     input.insert(ev("a", "token_exchange", "allow", 1));
///     input.advance_to(1);
///     input.insert(ev("b", "gateway_resource_request", "deny", 2));
/// });
/// // The allow trace, then at time 1 replaced by the deny trace.
/// assert_eq!(
///     *seen.lock().unwrap(),
///     vec![(0, Some("allow".into()), 1), (1, Some("allow".into()), -1), (1, Some("deny".into()), 1)]
/// );
/// ```
pub trait RequestTraces<'s, T: Timestamp + Lattice + Ord> {
    /// One trace per request id (events without one are not traced).
    fn request_traces(self) -> VecCollection<'s, T, Arc<TraceSummary>>;
}

impl<'s, T: Timestamp + Lattice + Ord> RequestTraces<'s, T> for VecCollection<'s, T, SharedEvent> {
    fn request_traces(self) -> VecCollection<'s, T, Arc<TraceSummary>> {
        // Arranged by a hash of the request id rather than the id itself: arrangement merges
        // copy every key, and a `u64` copies without an allocation. A collision only puts two
        // requests in one group, which the reduction separates again by the id.
        self.flat_map(|e| e.request_id.as_deref().map(|r| r.hashed()).map(|key| (key, e)))
            .reduce(|_key, events, out| {
                let mut by_request: BTreeMap<&str, Vec<&ViewEvent>> = BTreeMap::new();
                // Each distinct event once, whatever its multiplicity.
                for (e, n) in events {
                    if *n > 0 {
                        by_request.entry(e.request_id.as_deref().unwrap_or_default()).or_default().push(e.as_ref());
                    }
                }
                for (request_id, events) in by_request {
                    // Shared: the output arrangement's merges then move pointers, not traces.
                    out.push((Arc::new(TraceSummary::of(request_id, events.into_iter())), 1isize));
                }
            })
            .map(|(_, trace)| trace)
    }
}
