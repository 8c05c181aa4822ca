//! What the views sink is handed (one change of a view), what it counts, and how it judges
//! what its ledger look-ups find.

use auditflow_schemas::view::{Propagation, TraceSummary, Violation};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// One change of a view, with its multiplicity change.
#[derive(Clone, Debug)]
pub enum ViewUpdate {
    /// A request's trace summary.
    Trace(std::sync::Arc<TraceSummary>, isize),
    /// The summary of late rows of a request that had left the views' memory: its trace may
    /// be stored already, so it is merged by upsert, not COPYed as a new row.
    LateTrace(std::sync::Arc<TraceSummary>),
    /// A revocation's status (boxed, as is a violation: the traces, by far the most updates,
    /// then move through the epoch's buffer at pointer size).
    Propagation(Box<Propagation>, isize),
    /// A violation.
    Violation(Box<Violation>, isize),
    /// A row to check against what left the views' memory.
    Check(auditflow_schemas::view::SharedEvent),
}

/// What the views sink wrote (for the run summary and metrics).
#[derive(Debug, Default)]
pub struct ViewStats {
    /// Trace rows written.
    pub traces: AtomicU64,
    /// Revocation status rows written.
    pub revocations: AtomicU64,
    /// New violations recorded (`auditflow_revocation_violations_total`).
    pub violations: AtomicU64,
    /// Epoch batches written.
    pub batches: AtomicU64,
    /// Unix ms of the last violations warning (they are logged at most every 10 s).
    pub violations_logged_at_ms: std::sync::atomic::AtomicI64,
    /// Violations recorded since that warning.
    pub violations_unlogged: AtomicU64,
    /// Affected sessions whose past accesses were looked up in the ledger.
    pub ledger_lookups: AtomicU64,
    /// Traces rebuilt from the ledger (a late event of a request that had left memory).
    pub traces_rebuilt: AtomicU64,
    /// How long the oldest ledger commit the views have not written has waited, ms.
    pub lag_ms: std::sync::atomic::AtomicI64,
    /// Rows read from the ledger at start-up, over all workers.
    pub hydrated_rows: AtomicU64,
    /// The slowest worker's start-up read, ms.
    pub hydration_ms: AtomicU64,
    /// Rows checked against the stored views and the ledger (they touched retired trees).
    pub checked: AtomicU64,
    /// Rows the views' budget kept from them when committed (the ledger gave them back).
    pub shed_rows: AtomicU64,
    /// Rows read back from the ledger into the views (shed, or committed before a restart
    /// and not yet written by the views).
    pub caught_up_rows: AtomicU64,
    /// Chains whose rows the views are reading back from the ledger.
    pub behind_chains: std::sync::atomic::AtomicI64,
    /// Rows given to the views and not written yet, over all workers.
    pub unwritten_rows: std::sync::atomic::AtomicI64,
    /// Per worker of the process, how long its oldest row kept from the views and not read
    /// back yet has waited, ms.
    pub behind_ms: std::sync::Mutex<Vec<i64>>,
}

impl ViewStats {
    /// How far the views lag behind the ledger, ms: the oldest commit they have not written,
    /// or the oldest row their budget kept from them and they have not read back, whichever
    /// waited longer.
    pub fn lag_ms(&self) -> i64 {
        let behind = self.behind_ms.lock().map_or(0, |b| b.iter().copied().max().unwrap_or(0));
        self.lag_ms.load(std::sync::atomic::Ordering::Relaxed).max(behind)
    }

    /// Sets how long `worker`'s oldest row kept from the views has waited, ms.
    pub fn set_behind_ms(&self, worker: usize, ms: i64) {
        if let Ok(mut behind) = self.behind_ms.lock() {
            if behind.len() <= worker {
                behind.resize(worker + 1, 0);
            }
            behind[worker] = ms;
        }
    }
}

/// How the sink judges what the ledger look-ups find.
#[derive(Clone, Default)]
pub struct ViewRules {
    /// An allow later than revocation + grace is a violation, µs.
    pub grace_us: i64,
    /// In a single process, the highest event-time watermark of its workers (µs): a
    /// revocation at or after it cannot have accesses that already left memory (an access
    /// leaves only once behind its worker's watermark, and a restart hydrates everything
    /// after it), so its accesses need no ledger look-up. `None` (a cluster, where other
    /// processes' watermarks are not known here): always look up.
    pub watermark: Option<Arc<dyn Fn() -> i64 + Send + Sync>>,
}

/// A time in µs since the epoch as a timestamp.
pub(super) fn at(us: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(us).unwrap_or_default()
}
