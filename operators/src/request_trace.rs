//! Request traces (SPEC §5) as a differential dataflow: committed events arranged by
//! `request_id`, each group reduced to a [`RequestTrace`].
//!
//! The trace is a pure function of the request's events ([`RequestTrace::of`]), so it is
//! kept current as events arrive and as they are retracted (the window eviction feeds
//! retractions), whatever the order.

use auditflow_schemas::view::{RequestTrace, SharedEvent};
use differential_dataflow::lattice::Lattice;
use differential_dataflow::VecCollection;
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
    fn request_traces(self) -> VecCollection<'s, T, Arc<RequestTrace>>;
}

impl<'s, T: Timestamp + Lattice + Ord> RequestTraces<'s, T> for VecCollection<'s, T, SharedEvent> {
    fn request_traces(self) -> VecCollection<'s, T, Arc<RequestTrace>> {
        self.flat_map(|e| e.request_id.clone().map(|r| (r, e)))
            .reduce(|request_id, events, out| {
                // Each distinct event once, whatever its multiplicity.
                let trace =
                    RequestTrace::of(request_id, events.iter().filter(|(_, n)| *n > 0).map(|(e, _)| e.as_ref()));
                // Shared: the output arrangement's merges then move pointers, not traces.
                out.push((Arc::new(trace), 1isize));
            })
            .map(|(_, trace)| trace)
    }
}
