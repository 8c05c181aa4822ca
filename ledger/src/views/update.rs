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
