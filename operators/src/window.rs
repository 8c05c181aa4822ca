//! The views' window (issue: "evicted after `views.trace_window`"): committed rows become a
//! differential collection, and access events leave it again once their event time is
//! older than the window, so the views' memory stays bounded. Lifecycle events (sessions,
//! delegation edges, revocations) stay: they are few and the delegation graph needs all of
//! them.

use auditflow_schemas::view::SharedEvent;
use differential_dataflow::{AsCollection, VecCollection};
use std::collections::BTreeMap;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::Operator;
use timely::dataflow::operators::Capability;
use timely::dataflow::Stream;

/// Extension trait: the windowed view input.
///
/// ```
/// use auditflow_operators::ViewWindow;
/// use auditflow_schemas::view::{SharedEvent, ViewEvent};
/// use timely::dataflow::operators::vec::ToStream;
/// use std::sync::{Arc, Mutex};
///
/// let ev = |id: &str, ty: &str, at: i64| SharedEvent::new(ViewEvent {
///     id: id.into(), zone_id: "z".into(), event_type: ty.into(), request_id: None, decision: None,
///     evaluation_status: None, determining_policies_json: None, diagnostics_json: None,
///     session_id: None, agent_session_id: None, delegation_edge_id: None,
///     parent_agent_session_id: None, occurred_at_us: at, chain_id: 0, chain_seq: 0,
/// });
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let sink = seen.clone();
/// timely::example(move |scope| {
///     // "Now" is 100 µs; the window 50 µs: the old access event is retracted, the old
///     // lifecycle event and the recent access event stay.
///     vec![ev("old", "token_exchange", 10), ev("edge", "delegation_edge_created", 10), ev("new", "token_exchange", 90)]
///         .to_stream(scope)
///         .windowed(50, || 100)
///         .inspect(move |(e, _, diff)| sink.lock().unwrap().push((e.id.clone(), *diff)));
/// });
/// let mut seen = seen.lock().unwrap().clone();
/// seen.sort();
/// assert_eq!(seen, vec![("edge".into(), 1), ("new".into(), 1), ("old".into(), -1), ("old".into(), 1)]);
/// ```
pub trait ViewWindow<'s> {
    /// The committed rows as a collection; access events are retracted once
    /// `now() - window_us` passes their event time (checked whenever the input frontier
    /// moves, i.e. every epoch).
    fn windowed(self, window_us: i64, now: fn() -> i64) -> VecCollection<'s, u64, SharedEvent>;
}

impl<'s> ViewWindow<'s> for Stream<'s, u64, Vec<SharedEvent>> {
    fn windowed(self, window_us: i64, now: fn() -> i64) -> VecCollection<'s, u64, SharedEvent> {
        self.unary_frontier::<CapacityContainerBuilder<Vec<(SharedEvent, u64, isize)>>, _, _, _>(
            Pipeline,
            "ViewWindow",
            move |initial, _info| {
                let mut held: Option<Capability<u64>> = Some(initial);
                // Evictable events by event time.
                let mut live: BTreeMap<i64, Vec<(u64, SharedEvent)>> = BTreeMap::new();
                move |(input, frontier), output| {
                    input.for_each_stamp(|cap, data| {
                        let Some(cap) = cap.retain_least(output.output_index()) else { return };
                        let time = *cap.time();
                        let mut session = output.session(&cap);
                        for batch in data {
                            for event in batch.drain(..) {
                                if !event.is_lifecycle() {
                                    live.entry(event.occurred_at_us).or_default().push((time, event.clone()));
                                }
                                session.give((event, time, 1));
                            }
                        }
                    });
                    let Some(cap) = held.as_mut() else { return };
                    let next = frontier.frontier().iter().min().copied();
                    if let Some(f) = next {
                        if *cap.time() < f {
                            cap.downgrade(&f);
                        }
                    }
                    let cutoff = now() - window_us;
                    let keep = live.split_off(&cutoff);
                    let expired = std::mem::replace(&mut live, keep);
                    // Retracted no earlier than inserted, so no time sees a negative count.
                    let mut by_time: BTreeMap<u64, Vec<SharedEvent>> = BTreeMap::new();
                    for (inserted, event) in expired.into_values().flatten() {
                        by_time.entry(inserted.max(*cap.time())).or_default().push(event);
                    }
                    for (time, events) in by_time {
                        let at = cap.delayed(&time);
                        let mut session = output.session(&at);
                        for event in events {
                            session.give((event, time, -1));
                        }
                    }
                    if next.is_none() {
                        // Input finished: nothing will be retracted any more.
                        held = None;
                    }
                }
            },
        )
        .as_collection()
    }
}
