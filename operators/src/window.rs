//! The views' window in event time (issue 19): committed rows become a differential
//! collection, and they leave it again once the event-time watermark has passed them, so
//! the views' memory is bounded by open work, not by traffic times a wall-clock window.
//!
//! * The watermark `W` is the highest event time this worker has seen (ignoring times more
//!   than the allowed clock skew ahead of the wall clock) less the allowed lateness. It is
//!   derived from the data only, so a replay of last week behaves exactly like live
//!   traffic.
//! * A request's events stay together until the request has been quiet for the gap
//!   (its last event time plus the gap is behind `W`): a session window per request. Its
//!   stored row in `request_traces` is the durable copy.
//! * An access event without a request stays while its own time is not behind `W`: as long
//!   as a revocation could still arrive on time for it.
//! * Lifecycle events (sessions, delegation edges, revocations) stay in the graph for ever;
//!   in the traces they leave with their request.
//! * A row that arrives already behind `W` is late: it is inserted and retracted one epoch
//!   later, so every view sees it (a late access on a revoked session still becomes a
//!   violation) and nothing of it stays.

use auditflow_schemas::view::SharedEvent;
use differential_dataflow::hashable::Hashable;
use differential_dataflow::{AsCollection, VecCollection};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::Operator;
use timely::dataflow::operators::Capability;
use timely::dataflow::Stream;

/// How long rows stay in the views (event time, µs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowSettings {
    /// How far behind the newest event time a row may arrive and still count as on time.
    pub allowed_lateness_us: i64,
    /// How long a request must be quiet (event time) before its trace leaves memory.
    pub request_gap_us: i64,
    /// Event times further than this ahead of the wall clock do not move the watermark (a
    /// producer with a wrong clock must not push everything else out as late).
    pub max_clock_skew_us: i64,
}

/// What the window holds and did, shared with the metrics (counts, not I/O).
#[derive(Debug, Default)]
pub struct WindowGauges {
    /// Requests whose trace is in memory.
    pub open_requests: AtomicI64,
    /// Access events in memory.
    pub held_access_events: AtomicI64,
    /// Rows that arrived behind the watermark.
    pub late_total: AtomicU64,
    /// Rows that left memory.
    pub evicted_total: AtomicU64,
    /// The highest watermark of any worker, µs.
    pub watermark_us: AtomicI64,
}

/// Which views a row takes part in while it is in the window.
pub mod role {
    /// The request traces.
    pub const TRACE: u8 = 1;
    /// The revocation views (delegation graph and access decisions).
    pub const GRAPH: u8 = 2;
}

/// Extension trait: the windowed view input.
///
/// ```
/// use auditflow_operators::window::{role, ViewWindow, WindowGauges, WindowSettings};
/// use auditflow_schemas::view::{SharedEvent, ViewEvent};
/// use timely::dataflow::operators::vec::ToStream;
/// use std::sync::{Arc, Mutex};
///
/// let ev = |id: &str, ty: &str, request: Option<&str>, at: i64| SharedEvent::new(ViewEvent {
///     id: id.into(), zone_id: "z".into(), event_type: ty.into(), request_id: request.map(Into::into),
///     decision: None, evaluation_status: None, determining_policies_json: None, diagnostics_json: None,
///     session_id: None, agent_session_id: None, delegation_edge_id: None,
///     parent_agent_session_id: None, occurred_at_us: at, chain_id: 0, chain_seq: 0,
/// });
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let sink = seen.clone();
/// let settings = WindowSettings { allowed_lateness_us: 50, request_gap_us: 10, max_clock_skew_us: i64::MAX / 4 };
/// timely::example(move |scope| {
///     // The newest event is at 100, so the watermark is 50: the access at 10 arrived late and
///     // leaves again, the edge stays in the graph for ever, the access at 90 stays.
///     vec![ev("old", "token_exchange", Some("r1"), 10), ev("edge", "delegation_edge_created", None, 10),
///          ev("new", "token_exchange", None, 90), ev("newest", "token_exchange", None, 100)]
///         .to_stream(scope)
///         .windowed(settings, None, || 0, Arc::new(WindowGauges::default()))
///         .inspect(move |((r, e), t, diff)| sink.lock().unwrap().push((e.id.clone(), *r, *t, *diff)));
/// });
/// let mut seen = seen.lock().unwrap().clone();
/// seen.sort();
/// let (trace, graph) = (role::TRACE | role::GRAPH, role::GRAPH);
/// assert_eq!(seen, vec![
///     ("edge".into(), graph, 0, 1), ("new".into(), graph, 0, 1), ("newest".into(), graph, 0, 1),
///     ("old".into(), trace, 0, 1), ("old".into(), trace, 1, -1),
/// ]);
/// ```
pub trait ViewWindow<'s> {
    /// The committed rows as a collection of (roles, row); rows leave as the watermark
    /// passes them. The clock starts at `clock_from_us` (after a restart: the newest event
    /// time the views had written, so that what hydration left out is behind the watermark
    /// from the start). `wall_now` (µs) only bounds how far ahead of it an event time counts.
    fn windowed(
        self,
        settings: WindowSettings,
        clock_from_us: Option<i64>,
        wall_now: fn() -> i64,
        gauges: Arc<WindowGauges>,
    ) -> VecCollection<'s, u64, (u8, SharedEvent)>;
}

/// A request's rows in memory.
struct OpenRequest {
    /// Its last event time plus the gap: it leaves once the watermark passes this.
    deadline: i64,
    rows: Vec<(u64, u8, SharedEvent)>,
}

/// The window's state on one worker.
struct Window {
    settings: WindowSettings,
    /// The highest event time seen (within the skew bound).
    clock: i64,
    /// Open requests by a hash of their id (two requests that collide only leave together).
    requests: HashMap<u64, OpenRequest>,
    /// Requests by deadline; an entry whose deadline has moved since is skipped.
    deadlines: BTreeMap<i64, Vec<u64>>,
    /// Access events without a request, by event time.
    loose: BTreeMap<i64, Vec<(u64, SharedEvent)>>,
    held_access: i64,
}

impl Window {
    fn watermark(&self) -> i64 {
        self.clock.saturating_sub(self.settings.allowed_lateness_us)
    }

    /// Takes in one row arriving at `time`; returns the roles it joins now and whether it is
    /// late (then it leaves again at `time + 1`).
    fn admit(&mut self, time: u64, event: &SharedEvent, wall_now: i64) -> (u8, bool) {
        if event.occurred_at_us <= wall_now.saturating_add(self.settings.max_clock_skew_us) {
            self.clock = self.clock.max(event.occurred_at_us);
        }
        let watermark = self.watermark();
        let lifecycle = event.is_lifecycle();
        let (roles, late) = match event.request_id.as_deref() {
            Some(request) => {
                let request = request.hashed();
                let roles = if lifecycle { role::TRACE } else { role::TRACE | role::GRAPH };
                let reach = event.occurred_at_us.saturating_add(self.settings.request_gap_us);
                match self.requests.get_mut(&request) {
                    Some(open) => {
                        // Joins its open request (even if this row alone is old): the trace
                        // leaves as one.
                        if reach > open.deadline {
                            open.deadline = reach;
                            self.deadlines.entry(reach).or_default().push(request);
                        }
                        open.rows.push((time, roles, event.clone()));
                        (roles, false)
                    }
                    None if reach < watermark => (roles, true),
                    None => {
                        self.requests
                            .insert(request, OpenRequest { deadline: reach, rows: vec![(time, roles, event.clone())] });
                        self.deadlines.entry(reach).or_default().push(request);
                        (roles, false)
                    }
                }
            }
            None if lifecycle => (0, false),
            None if event.occurred_at_us < watermark => (role::GRAPH, true),
            None => {
                self.loose.entry(event.occurred_at_us).or_default().push((time, event.clone()));
                (role::GRAPH, false)
            }
        };
        if roles & role::GRAPH != 0 && !late {
            self.held_access += 1;
        }
        (roles, late)
    }

    /// The rows the watermark has passed, each with the time it was inserted at.
    fn evict(&mut self) -> Vec<(u64, u8, SharedEvent)> {
        let watermark = self.watermark();
        let mut out = Vec::new();
        let keep = self.loose.split_off(&watermark);
        for (time, event) in std::mem::replace(&mut self.loose, keep).into_values().flatten() {
            out.push((time, role::GRAPH, event));
        }
        let keep = self.deadlines.split_off(&watermark);
        for (deadline, requests) in std::mem::replace(&mut self.deadlines, keep) {
            for request in requests {
                if self.requests.get(&request).is_some_and(|open| open.deadline == deadline) {
                    if let Some(open) = self.requests.remove(&request) {
                        out.extend(open.rows);
                    }
                }
            }
        }
        self.held_access -= out.iter().filter(|(_, roles, _)| roles & role::GRAPH != 0).count() as i64;
        out
    }
}

impl<'s> ViewWindow<'s> for Stream<'s, u64, Vec<SharedEvent>> {
    fn windowed(
        self,
        settings: WindowSettings,
        clock_from_us: Option<i64>,
        wall_now: fn() -> i64,
        gauges: Arc<WindowGauges>,
    ) -> VecCollection<'s, u64, (u8, SharedEvent)> {
        self.unary_frontier::<CapacityContainerBuilder<Vec<((u8, SharedEvent), u64, isize)>>, _, _, _>(
            Pipeline,
            "ViewWindow",
            move |initial, _info| {
                let mut held: Option<Capability<u64>> = Some(initial);
                let mut window = Window {
                    settings,
                    clock: clock_from_us.unwrap_or(i64::MIN),
                    requests: HashMap::new(),
                    deadlines: BTreeMap::new(),
                    loose: BTreeMap::new(),
                    held_access: 0,
                };
                let mut reported = (0i64, 0i64);
                move |(input, frontier), output| {
                    let now = wall_now();
                    input.for_each_stamp(|cap, data| {
                        let Some(cap) = cap.retain_least(output.output_index()) else { return };
                        let time = *cap.time();
                        let mut late = Vec::new();
                        {
                            let mut session = output.session(&cap);
                            for batch in data {
                                for event in batch.drain(..) {
                                    if event.is_lifecycle() {
                                        // The graph keeps it for ever.
                                        session.give(((role::GRAPH, event.clone()), time, 1));
                                    }
                                    let (roles, is_late) = window.admit(time, &event, now);
                                    if roles != 0 {
                                        if is_late {
                                            late.push((roles, event.clone()));
                                        }
                                        session.give(((roles, event), time, 1));
                                    }
                                }
                            }
                        }
                        if !late.is_empty() {
                            gauges.late_total.fetch_add(late.len() as u64, Ordering::Relaxed);
                            gauges.evicted_total.fetch_add(late.len() as u64, Ordering::Relaxed);
                            let next = cap.delayed(&(time + 1));
                            let mut session = output.session(&next);
                            for row in late {
                                session.give((row, time + 1, -1));
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
                    let expired = window.evict();
                    gauges.evicted_total.fetch_add(expired.len() as u64, Ordering::Relaxed);
                    // Retracted at least one time after it was inserted: every view sees each
                    // row at some time, even one that leaves in the activation it arrived.
                    let mut by_time: BTreeMap<u64, Vec<(u8, SharedEvent)>> = BTreeMap::new();
                    for (inserted, roles, event) in expired {
                        by_time.entry((inserted + 1).max(*cap.time())).or_default().push((roles, event));
                    }
                    for (time, rows) in by_time {
                        let at = cap.delayed(&time);
                        let mut session = output.session(&at);
                        for row in rows {
                            session.give((row, time, -1));
                        }
                    }
                    // Deltas: every worker's window adds to the same gauges.
                    let holding = (window.requests.len() as i64, window.held_access);
                    gauges.open_requests.fetch_add(holding.0 - reported.0, Ordering::Relaxed);
                    gauges.held_access_events.fetch_add(holding.1 - reported.1, Ordering::Relaxed);
                    reported = holding;
                    gauges.watermark_us.fetch_max(window.watermark(), Ordering::Relaxed);
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
