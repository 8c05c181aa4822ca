//! How far a worker's live views got: the positions to record in `audit_views_progress`
//! (hydration after a restart re-reads what follows them) together with the worker's filter
//! of retired trees, and the views' lag behind the ledger (`auditflow_views_lag_seconds`).

use auditflow_operators::window::GraphState;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

/// What the views were given at one epoch.
#[derive(Default)]
pub(super) struct FedEpoch {
    /// Rows.
    pub(super) rows: usize,
    /// Per chain, the newest position and event time.
    pub(super) chains: HashMap<i32, (i64, i64)>,
}

/// Per epoch, what the views were given; an epoch leaves once the views have written it.
pub(super) type FedByEpoch = BTreeMap<u64, FedEpoch>;

/// Rows the views were given and have not written yet: what their budget counts.
pub(super) fn unwritten(fed: &RefCell<FedByEpoch>) -> usize {
    fed.borrow().values().map(|epoch| epoch.rows).sum()
}

/// How far this worker's views got: what to record in `audit_views_progress`, and the
/// views' lag behind the ledger.
#[derive(Default)]
pub(super) struct ViewProgress {
    /// Per chain, the newest position and event time written and not yet recorded.
    written: HashMap<i32, (i64, i64)>,
    /// When the ledger's frontier passed each epoch the views have not written yet.
    committed_at: BTreeMap<u64, Instant>,
    /// The record being written; it says how many of the graph's added keys it stored.
    recording: Option<tokio::task::JoinHandle<usize>>,
    recorded_at: Option<Instant>,
    /// When the filter of retired keys was last stored.
    filter_stored_at: Option<Instant>,
}

/// The filter of retired keys is 4 MiB: it is stored whole at most this often; each record
/// in between adds the keys retired since.
const FILTER_EVERY: Duration = Duration::from_secs(30);

impl ViewProgress {
    /// Takes in the ledger's and the views' frontiers (`None`: passed everything).
    pub(super) fn advance(&mut self, fed: &RefCell<FedByEpoch>, ledger: Option<u64>, views: Option<u64>) {
        let mut fed = fed.borrow_mut();
        let done: Vec<u64> = fed.keys().copied().filter(|e| views.is_none_or(|v| *e < v)).collect();
        for epoch in done {
            for (chain, (seq, at)) in fed.remove(&epoch).unwrap_or_default().chains {
                let entry = self.written.entry(chain).or_insert((seq, at));
                *entry = (entry.0.max(seq), entry.1.max(at));
            }
        }
        let now = Instant::now();
        let ledger_epoch = ledger.unwrap_or(u64::MAX);
        if self.committed_at.last_key_value().is_none_or(|(e, _)| *e < ledger_epoch) {
            self.committed_at.insert(ledger_epoch, now);
        }
        let views_epoch = views.unwrap_or(u64::MAX);
        self.committed_at.retain(|epoch, _| *epoch > views_epoch);
    }

    /// How long the oldest commit the views have not written has waited, ms.
    pub(super) fn lag_ms(&self) -> i64 {
        self.committed_at.first_key_value().map_or(0, |(_, at)| at.elapsed().as_millis() as i64)
    }

    /// Records the written positions with what a restart needs of the worker's graph (the
    /// keys retired since the last record, or the whole filter at most every 30 s, and where
    /// the live trees' rows are), at most every 2 s (or now, waiting, with `last`).
    pub(super) fn record(
        &mut self,
        pool: &deadpool_postgres::Pool,
        runtime: &tokio::runtime::Handle,
        graph: &RefCell<GraphState>,
        worker: usize,
        last: bool,
    ) {
        let busy = self.recording.as_ref().is_some_and(|r| !r.is_finished());
        let due = self.recorded_at.is_none_or(|at| at.elapsed() >= Duration::from_secs(2));
        if !last && (busy || !due) {
            return;
        }
        if let Some(previous) = self.recording.take() {
            // The keys a record stored are done; those of a failed one go with the next.
            let stored = runtime.block_on(previous).unwrap_or(0);
            graph.borrow_mut().added.drain(..stored);
        }
        let state = graph.borrow();
        if self.written.is_empty() && state.added.is_empty() && !last {
            return;
        }
        let rows: Vec<(i32, i64, i64)> = self.written.drain().map(|(chain, (seq, at))| (chain, seq, at)).collect();
        let whole =
            !state.added.is_empty() && (last || self.filter_stored_at.is_none_or(|at| at.elapsed() >= FILTER_EVERY));
        if whole {
            self.filter_stored_at = Some(Instant::now());
        }
        let stored = state.added.len();
        let record = auditflow_ledger::views::GraphRecord {
            worker: worker as i32,
            pages: whole.then(|| state.keys.pages().map(|(page, bits)| (page as i32, bits)).collect()),
            added: state.added.iter().map(|k| *k as i64).collect(),
            live: state.trees.positions().into_iter().filter(|(chain, _)| *chain >= 0).collect(),
        };
        drop(state);
        let pool = pool.clone();
        let write = async move {
            // A missed record only makes the next start-up re-read a little more.
            match auditflow_ledger::views::record_progress(&pool, &rows, &record).await {
                Ok(()) => stored,
                Err(e) => {
                    tracing::warn!(error = %e, "could not record the views' progress; the next start re-reads more");
                    0
                }
            }
        };
        self.recorded_at = Some(Instant::now());
        if last {
            let stored = runtime.block_on(write);
            graph.borrow_mut().added.drain(..stored);
        } else {
            self.recording = Some(runtime.spawn(write));
        }
    }
}
