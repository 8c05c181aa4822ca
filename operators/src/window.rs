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
//! * Lifecycle events (sessions, delegation edges, revocations) form trees (`trees`): a
//!   tree stays in the graph until nothing has touched it for `session_idle_us` of event time
//!   and the views have written it. Then its rows leave and its keys go into a fixed-size
//!   filter of retired keys (`retired`). In the traces they leave with their request.
//! * A row touching a retired key (an access on a retired session, a late revocation or edge
//!   of a retired tree) still joins the graph, and is also emitted as [`Held::Check`]: the
//!   views' sink checks it against the stored views and the ledger, which hold what left
//!   memory. A live tree such a row links to counts as retired from then on (its keys join
//!   the filter, its revocations are checked again), so nothing that reaches a retired part
//!   is judged by memory alone.
//! * A row that arrives already behind `W` is late: it is inserted and retracted one epoch
//!   later, so every view sees it (a late access on a revoked session still becomes a
//!   violation) and nothing of it stays.

// longer than 500 lines because the window is one operator whose parts share its state
// (the watermark, the held rows by time, the retired trees' filter): `trees` and `retired`
// already hold what stands alone; what is left reads as one state machine.

use auditflow_schemas::view::{SharedEvent, TraceSummary, ViewEvent};
use differential_dataflow::hashable::Hashable;
use differential_dataflow::{AsCollection, VecCollection};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::Operator;
use timely::dataflow::operators::Capability;
use timely::dataflow::Stream;

mod retired;
mod trees;

pub use retired::{graph_key, RetiredKeys, RETIRED_FILTER_BYTES, RETIRED_PAGE_BYTES};
pub use trees::{access_key, is_pinned, lifecycle_keys, Trees};

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
    /// How long (event time) nothing may touch a delegation tree before it leaves memory.
    pub session_idle_us: i64,
}

/// Where a worker's window starts: what hydration read, and the retired trees' keys.
pub struct WindowStart {
    /// The clock's start (after a restart: the newest event time the views had written, so
    /// that what hydration left out is behind the watermark from the start).
    pub clock_from_us: Option<i64>,
    /// The delegation graph as the views held it, already written: it joins the graph
    /// without being checked again. A tree of it that touches a retired key stays out (its
    /// keys join the filter): it was linked to a retired tree before the restart.
    pub seed: Vec<SharedEvent>,
    /// The graph's memory (with the retired keys read back), shared with the worker.
    pub graph: Rc<RefCell<GraphState>>,
}

/// The delegation graph's memory on one worker: the trees in memory and the keys of those
/// that retired. Shared between the window (which changes it) and the worker (which stores
/// what a restart needs of it with the views' progress: the filter, and where the live
/// trees' rows are in the ledger).
#[derive(Debug, Default)]
pub struct GraphState {
    /// The trees in memory.
    pub trees: Trees,
    /// The keys of every retired tree.
    pub keys: RetiredKeys,
    /// The keys added to `keys` since the worker last stored them, in order.
    pub added: Vec<u64>,
    /// Every epoch below this one is written by the views (set by the worker): a tree
    /// leaves memory only once its last epoch is.
    pub written: u64,
}

/// A stored page of the retired trees' filter that this version cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "page {page} of a stored filter of retired trees (audit_views_retired_pages) is not one of this version's {} KiB pages",
    RETIRED_PAGE_BYTES >> 10
)]
pub struct ForeignPage {
    /// The page number as stored.
    pub page: i32,
}

impl GraphState {
    /// The retired keys as stored: every worker's filter pages (a zone may have moved between
    /// workers) and the keys retired since each was stored. Err names a page that is not one
    /// of this version's.
    pub fn restore(pages: &[(i32, Vec<u8>)], added: &[i64]) -> Result<GraphState, ForeignPage> {
        let mut state = GraphState::default();
        for (page, bits) in pages {
            if !state.keys.union_page(*page as usize, bits) {
                return Err(ForeignPage { page: *page });
            }
        }
        for key in added {
            state.keys.insert(*key as u64);
        }
        Ok(state)
    }

    /// Remembers a retired key.
    fn retire_key(&mut self, key: u64) {
        if self.keys.insert(key) {
            self.added.push(key);
        }
    }
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
    /// Delegation trees in memory.
    pub graph_trees: AtomicI64,
    /// Lifecycle rows in memory.
    pub graph_rows: AtomicI64,
    /// Trees that left memory.
    pub retired_trees_total: AtomicU64,
    /// Rows emitted to be checked against the stored views and the ledger.
    pub checks_total: AtomicU64,
    /// The fullest worker's filter of retired keys, parts per million of its bits.
    pub retired_fill_ppm: AtomicU64,
}

/// What the window emits, as differential updates `(Held, time, diff)`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Held {
    /// A row of the delegation graph or an access decision, for the revocation views: a
    /// collection (each row inserted, and retracted when it leaves).
    Graph(SharedEvent),
    /// A request's trace summary: each change is the old summary retracted and the new one
    /// added. Nothing downstream holds them, so a request leaving memory retracts nothing.
    Trace(Arc<TraceSummary>),
    /// The summary of late rows of a request that had left memory: its stored trace holds the
    /// rest, so the sink merges them (never a new row).
    LateTrace(Arc<TraceSummary>),
    /// A row touching a retired tree, or a revocation naming no agent session: the sink
    /// checks it against the stored views and the ledger.
    Check(SharedEvent),
}

/// Extension trait: the windowed view input.
///
/// ```
/// use auditflow_operators::window::{GraphState, Held, ViewWindow, WindowGauges, WindowSettings, WindowStart};
/// use auditflow_schemas::view::{SharedEvent, ViewEvent};
/// use timely::dataflow::operators::vec::ToStream;
/// use timely::dataflow::operators::Inspect;
/// use std::sync::{Arc, Mutex};
///
/// let ev = |id: &str, ty: &str, request: Option<&str>, agent: Option<&str>, at: i64| SharedEvent::new(ViewEvent {
///     id: id.into(), zone_id: "z".into(), event_type: ty.into(), request_id: request.map(Into::into),
///     decision: None, evaluation_status: None, determining_policies_json: None, diagnostics_json: None,
///     session_id: None, agent_session_id: agent.map(Into::into), delegation_edge_id: None,
///     parent_agent_session_id: None, occurred_at_us: at, chain_id: 0, chain_seq: 0,
/// });
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let sink = seen.clone();
/// let settings = WindowSettings {
///     allowed_lateness_us: 50, request_gap_us: 10, max_clock_skew_us: i64::MAX / 4, session_idle_us: 30,
/// };
/// timely::example(move |scope| {
///     // The newest event is at 100, so the watermark is 50: request r1 (at 10) is quiet past
///     // the gap and leaves again; the session spawned at 10 has been idle for longer than 30
///     // behind the watermark, and (the views having written everything) its tree retires;
///     // the access at 90 stays.
///     let graph = GraphState { written: u64::MAX, ..GraphState::default() };
///     let start = WindowStart { clock_from_us: None, seed: Vec::new(), graph: std::rc::Rc::new(graph.into()) };
///     vec![ev("old", "token_exchange", Some("r1"), None, 10), ev("spawn", "session_spawned", None, Some("a"), 10),
///          ev("new", "token_exchange", None, None, 90), ev("newest", "token_exchange", None, None, 100)]
///         .to_stream(scope)
///         .windowed(settings, start, || 0, Arc::new(WindowGauges::default()))
///         .inspect(move |(held, t, diff)| {
///             let what = match held {
///                 Held::Graph(e) => format!("graph {}", e.id),
///                 Held::Trace(tr) | Held::LateTrace(tr) => format!("trace {} of {}", tr.request_id, tr.stored.events.len()),
///                 Held::Check(e) => format!("check {}", e.id),
///             };
///             sink.lock().unwrap().push((what, *t, *diff))
///         });
/// });
/// let mut seen = seen.lock().unwrap().clone();
/// seen.sort();
/// assert_eq!(seen, vec![
///     ("graph new".into(), 0, 1), ("graph newest".into(), 0, 1), ("graph old".into(), 0, 1),
///     ("graph old".into(), 1, -1), ("graph spawn".into(), 0, 1), ("graph spawn".into(), 1, -1),
///     ("trace r1 of 1".into(), 0, 1),
/// ]);
/// ```
pub trait ViewWindow<'s> {
    /// The committed rows as graph rows (leaving as the watermark passes them, and
    /// lifecycle rows as their tree retires), the trace summaries of the requests in memory,
    /// and the rows to check against what left memory. `wall_now` (µs) only bounds how far
    /// ahead of it an event time counts.
    fn windowed(
        self,
        settings: WindowSettings,
        start: WindowStart,
        wall_now: fn() -> i64,
        gauges: Arc<WindowGauges>,
    ) -> Stream<'s, u64, Vec<(Held, u64, isize)>>;
}

/// The graph rows of the window's output, as a differential collection.
pub fn graph_rows<'s>(held: Stream<'s, u64, Vec<(Held, u64, isize)>>) -> VecCollection<'s, u64, SharedEvent> {
    use timely::dataflow::operators::vec::map::Map;
    held.flat_map(|(row, time, diff)| match row {
        Held::Graph(event) => Some((event, time, diff)),
        Held::Trace(_) | Held::LateTrace(_) | Held::Check(_) => None,
    })
    .as_collection()
}

/// A request's rows in memory, and the summaries last emitted for it.
struct OpenRequest {
    /// Its last event time plus the gap: it leaves once the watermark passes this.
    deadline: i64,
    /// (inserted at, in the graph collection, row).
    rows: Vec<(u64, bool, SharedEvent)>,
    summaries: Vec<Arc<TraceSummary>>,
}

/// The window's state on one worker.
struct Window {
    settings: WindowSettings,
    /// The highest event time seen (within the skew bound).
    clock: i64,
    /// Open requests by a hash of their id (requests that collide only leave together).
    requests: HashMap<u64, OpenRequest>,
    /// Requests by deadline; an entry whose deadline has moved since is skipped.
    deadlines: BTreeMap<i64, Vec<u64>>,
    /// Access events without a request, by event time.
    loose: BTreeMap<i64, Vec<(u64, SharedEvent)>>,
    held_access: i64,
    /// The delegation graph's trees in memory and the retired keys.
    graph: Rc<RefCell<GraphState>>,
    /// Wall time (µs) of the last scan for idle trees.
    retired_scan_at: i64,
}

/// Where an admitted row went.
enum Admitted {
    /// Into the open request with this key (the caller re-summarises it).
    Request(u64),
    /// Behind the watermark, with its request: summarised alone, then gone.
    LateRequest,
    /// An access without a request, held.
    Loose,
    /// An access without a request, behind the watermark: seen for one epoch.
    LateLoose,
    /// A lifecycle row without a request: the graph only.
    Graph,
}

/// The summaries of a group of rows, one per request id among them.
fn summaries<'a>(rows: impl Iterator<Item = &'a SharedEvent>) -> Vec<Arc<TraceSummary>> {
    let mut by_request: BTreeMap<&str, Vec<&ViewEvent>> = BTreeMap::new();
    for row in rows {
        if let Some(request) = row.request_id.as_deref() {
            by_request.entry(request).or_default().push(row.as_ref());
        }
    }
    by_request.into_iter().map(|(request, events)| Arc::new(TraceSummary::of(request, events.into_iter()))).collect()
}

impl Window {
    fn watermark(&self) -> i64 {
        self.clock.saturating_sub(self.settings.allowed_lateness_us)
    }

    /// The hydrated graph: the rows that join memory (each tree that touches no retired key,
    /// and the pinned revocations). A tree that touches one was linked to a retired tree
    /// before the restart: its keys join the filter, and rows on it are checked from now on.
    fn seed(&mut self, rows: Vec<SharedEvent>) -> Vec<SharedEvent> {
        let mut grouped = Trees::default();
        let mut kept = Vec::new();
        for row in rows {
            if is_pinned(&row) {
                kept.push(row);
            } else {
                let keys = lifecycle_keys(&row);
                grouped.add(0, row, &keys);
            }
        }
        let mut graph = self.graph.borrow_mut();
        for tree in grouped.retire(i64::MAX, u64::MAX) {
            if tree.keys.iter().any(|k| graph.keys.contains(*k)) {
                for key in tree.keys {
                    graph.retire_key(key);
                }
            } else {
                for (_, row) in tree.rows {
                    graph.trees.add(0, row.clone(), &lifecycle_keys(&row));
                    kept.push(row);
                }
            }
        }
        kept
    }

    /// Takes a row into the graph's memory; the rows to check against what left memory go
    /// into `checks`.
    fn remember(&mut self, time: u64, event: &SharedEvent, checks: &mut Vec<SharedEvent>) {
        let mut graph = self.graph.borrow_mut();
        if !event.is_lifecycle() {
            if let Some(key) = access_key(event) {
                if graph.keys.contains(key) {
                    checks.push(event.clone());
                }
                graph.trees.touch(key, event.occurred_at_us, time);
            }
            return;
        }
        let pinned = is_pinned(event);
        let keys = lifecycle_keys(event);
        let touches = keys.iter().any(|k| graph.keys.contains(*k));
        if touches || pinned {
            checks.push(event.clone());
        }
        if touches {
            // Linked to a retired tree: the live trees it links count as retired from now on.
            // Their revocations were judged by memory alone, which lacks the retired part: they
            // are checked again (once, when the tree first joins the filter).
            let (linked, revocations) = graph.trees.linked(&keys);
            if linked.iter().any(|k| !graph.keys.contains(*k)) {
                checks.extend(revocations);
            }
            for key in keys.iter().copied().chain(linked) {
                graph.retire_key(key);
            }
        }
        if !pinned {
            graph.trees.add(time, event.clone(), &keys);
        }
    }

    /// Takes out the trees idle for `session_idle_us` whose epochs the views have written:
    /// their keys join the filter. Returns how many, and their rows with the times they were
    /// inserted at. Once the input has ended (`last`), no row will be checked in this run
    /// any more, so the views' writes need not be waited for: the worker stores the filter
    /// only after they are done.
    fn retire(&mut self, last: bool) -> (usize, Vec<(u64, SharedEvent)>) {
        let mut graph = self.graph.borrow_mut();
        let idle_before = self.watermark().saturating_sub(self.settings.session_idle_us);
        let written = if last { u64::MAX } else { graph.written };
        let gone = graph.trees.retire(idle_before, written);
        let trees = gone.len();
        let mut rows = Vec::new();
        for tree in gone {
            for key in &tree.keys {
                graph.retire_key(*key);
            }
            rows.extend(tree.rows);
        }
        (trees, rows)
    }

    /// Takes in one row arriving at `time`.
    fn admit(&mut self, time: u64, event: &SharedEvent, wall_now: i64) -> Admitted {
        if event.occurred_at_us <= wall_now.saturating_add(self.settings.max_clock_skew_us) {
            self.clock = self.clock.max(event.occurred_at_us);
        }
        let watermark = self.watermark();
        let access = !event.is_lifecycle();
        match event.request_id.as_deref() {
            Some(request) => {
                let key = request.hashed();
                let reach = event.occurred_at_us.saturating_add(self.settings.request_gap_us);
                match self.requests.get_mut(&key) {
                    Some(open) => {
                        // Joins its open request (even if this row alone is old): the trace
                        // leaves as one.
                        if reach > open.deadline {
                            open.deadline = reach;
                            self.deadlines.entry(reach).or_default().push(key);
                        }
                        open.rows.push((time, access, event.clone()));
                    }
                    None if reach < watermark => return Admitted::LateRequest,
                    None => {
                        let rows = vec![(time, access, event.clone())];
                        self.requests.insert(key, OpenRequest { deadline: reach, rows, summaries: Vec::new() });
                        self.deadlines.entry(reach).or_default().push(key);
                    }
                }
                if access {
                    self.held_access += 1;
                }
                Admitted::Request(key)
            }
            None if !access => Admitted::Graph,
            None if event.occurred_at_us < watermark => Admitted::LateLoose,
            None => {
                self.loose.entry(event.occurred_at_us).or_default().push((time, event.clone()));
                self.held_access += 1;
                Admitted::Loose
            }
        }
    }

    /// The graph rows the watermark has passed, each with the time it was inserted at.
    fn evict(&mut self) -> (Vec<(u64, SharedEvent)>, usize) {
        let watermark = self.watermark();
        let mut graph = Vec::new();
        let mut rows = 0;
        let keep = self.loose.split_off(&watermark);
        for (time, event) in std::mem::replace(&mut self.loose, keep).into_values().flatten() {
            graph.push((time, event));
            rows += 1;
        }
        let keep = self.deadlines.split_off(&watermark);
        for (deadline, requests) in std::mem::replace(&mut self.deadlines, keep) {
            for request in requests {
                if self.requests.get(&request).is_some_and(|open| open.deadline == deadline) {
                    if let Some(open) = self.requests.remove(&request) {
                        rows += open.rows.len();
                        graph.extend(open.rows.into_iter().filter(|(_, g, _)| *g).map(|(t, _, e)| (t, e)));
                    }
                }
            }
        }
        self.held_access -= graph.len() as i64;
        (graph, rows)
    }
}

impl<'s> ViewWindow<'s> for Stream<'s, u64, Vec<SharedEvent>> {
    fn windowed(
        self,
        settings: WindowSettings,
        start: WindowStart,
        wall_now: fn() -> i64,
        gauges: Arc<WindowGauges>,
    ) -> Stream<'s, u64, Vec<(Held, u64, isize)>> {
        self.unary_frontier::<CapacityContainerBuilder<Vec<(Held, u64, isize)>>, _, _, _>(
            Pipeline,
            "ViewWindow",
            move |initial, _info| {
                let mut held: Option<Capability<u64>> = Some(initial);
                let mut window = Window {
                    settings,
                    clock: start.clock_from_us.unwrap_or(i64::MIN),
                    requests: HashMap::new(),
                    deadlines: BTreeMap::new(),
                    loose: BTreeMap::new(),
                    held_access: 0,
                    graph: start.graph,
                    retired_scan_at: i64::MIN,
                };
                let mut seed = Some(start.seed);
                let mut reported = [0i64; 4];
                move |(input, frontier), output| {
                    let now = wall_now();
                    if let (Some(rows), Some(cap)) = (seed.take(), held.as_ref()) {
                        // The graph as the views held it, at the first time.
                        let time = *cap.time();
                        let mut session = output.session(cap);
                        for row in window.seed(rows) {
                            session.give((Held::Graph(row), time, 1));
                        }
                    }
                    input.for_each_stamp(|cap, data| {
                        let Some(cap) = cap.retain_least(output.output_index()) else { return };
                        let time = *cap.time();
                        let mut late_graph = Vec::new();
                        let mut late_requests: Vec<SharedEvent> = Vec::new();
                        let mut touched: Vec<u64> = Vec::new();
                        let mut checks: Vec<SharedEvent> = Vec::new();
                        let mut session = output.session(&cap);
                        let mut late = 0u64;
                        for batch in data {
                            for event in batch.drain(..) {
                                window.remember(time, &event, &mut checks);
                                let admitted = window.admit(time, &event, now);
                                let access = !event.is_lifecycle();
                                match admitted {
                                    Admitted::Request(key) => touched.push(key),
                                    Admitted::LateRequest => {
                                        late += 1;
                                        late_requests.push(event.clone());
                                        if access {
                                            late_graph.push(event.clone());
                                        }
                                    }
                                    Admitted::LateLoose => {
                                        late += 1;
                                        late_graph.push(event.clone());
                                    }
                                    Admitted::Loose | Admitted::Graph => {}
                                }
                                // Every row joins the graph collection once; access rows leave
                                // with the window, lifecycle rows with their tree.
                                session.give((Held::Graph(event), time, 1));
                            }
                        }
                        gauges.checks_total.fetch_add(checks.len() as u64, Ordering::Relaxed);
                        for row in checks {
                            session.give((Held::Check(row), time, 1));
                        }
                        touched.sort_unstable();
                        touched.dedup();
                        for key in touched {
                            if let Some(open) = window.requests.get_mut(&key) {
                                let fresh = summaries(open.rows.iter().map(|(_, _, e)| e));
                                for old in std::mem::replace(&mut open.summaries, fresh.clone()) {
                                    session.give((Held::Trace(old), time, -1));
                                }
                                for new in fresh {
                                    session.give((Held::Trace(new), time, 1));
                                }
                            }
                        }
                        // Late rows of requests that left memory: their summary alone (the sink
                        // merges it with the stored trace), then nothing of them stays.
                        for summary in summaries(late_requests.iter()) {
                            session.give((Held::LateTrace(summary), time, 1));
                        }
                        drop(session);
                        if !late_graph.is_empty() {
                            let next = cap.delayed(&(time + 1));
                            let mut session = output.session(&next);
                            for row in late_graph {
                                session.give((Held::Graph(row), time + 1, -1));
                            }
                        }
                        gauges.late_total.fetch_add(late, Ordering::Relaxed);
                        gauges.evicted_total.fetch_add(late, Ordering::Relaxed);
                    });
                    let Some(cap) = held.as_mut() else { return };
                    let next = frontier.frontier().iter().min().copied();
                    if let Some(f) = next {
                        if *cap.time() < f {
                            cap.downgrade(&f);
                        }
                    }
                    let (mut expired, rows) = window.evict();
                    gauges.evicted_total.fetch_add(rows as u64, Ordering::Relaxed);
                    // At most every 200 ms: a scan visits every tree.
                    if now.saturating_sub(window.retired_scan_at) >= 200_000 || next.is_none() {
                        window.retired_scan_at = now;
                        let (trees, graph) = window.retire(next.is_none());
                        gauges.retired_trees_total.fetch_add(trees as u64, Ordering::Relaxed);
                        gauges.evicted_total.fetch_add(graph.len() as u64, Ordering::Relaxed);
                        expired.extend(graph);
                        let fill = (window.graph.borrow().keys.fill() * 1e6) as u64;
                        gauges.retired_fill_ppm.fetch_max(fill, Ordering::Relaxed);
                    }
                    // Retracted at least one time after it was inserted: every view sees each
                    // row at some time, even one that leaves in the activation it arrived.
                    let mut by_time: BTreeMap<u64, Vec<SharedEvent>> = BTreeMap::new();
                    for (inserted, event) in expired {
                        by_time.entry((inserted + 1).max(*cap.time())).or_default().push(event);
                    }
                    for (time, rows) in by_time {
                        let at = cap.delayed(&time);
                        let mut session = output.session(&at);
                        for row in rows {
                            session.give((Held::Graph(row), time, -1));
                        }
                    }
                    // Deltas: every worker's window adds to the same gauges.
                    let (trees, graph_rows) = window.graph.borrow().trees.size();
                    let holding = [window.requests.len() as i64, window.held_access, trees as i64, graph_rows as i64];
                    let targets =
                        [&gauges.open_requests, &gauges.held_access_events, &gauges.graph_trees, &gauges.graph_rows];
                    for ((gauge, now), before) in targets.iter().zip(holding).zip(reported) {
                        gauge.fetch_add(now - before, Ordering::Relaxed);
                    }
                    reported = holding;
                    gauges.watermark_us.fetch_max(window.watermark(), Ordering::Relaxed);
                    if next.is_none() {
                        // Input finished: nothing will be retracted any more.
                        held = None;
                    }
                }
            },
        )
    }
}
