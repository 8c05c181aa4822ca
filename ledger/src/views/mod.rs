//! The live views' tables (SPEC §5): request traces, revocation propagation and violations,
//! written once per completed epoch ([`write`]); what a restart reads back ([`hydrate`]);
//! what the views have written so far ([`progress`]); the ledger rows as the views see them
//! ([`read`]).
//!
//! The tables are derived state, so writes are idempotent upserts. Retractions are not
//! applied: they come from the window letting rows go (memory), not from evidence going
//! away. Every fact the dataflow produced at some time counts, even one it retracted in a
//! later epoch of the same batch (a late row is in the views for one epoch only):
//! * a trace replaces the stored one only when it holds every event the stored one does;
//!   otherwise (a late event of a request that left memory) the trace is rebuilt from the
//!   ledger, so it never shrinks and always ends equal to the ledger's;
//! * a revocation's affected sessions are merged with the stored ones and its first deny is
//!   the earliest seen; the accesses on newly affected sessions are looked up in the ledger
//!   (they may have left memory before the revocation arrived) and judged by the same rule;
//! * a recorded violation stays recorded;
//! * a row touching a delegation tree that left memory is checked against the stored
//!   statuses and the ledger (`checks`).

mod checks;
pub mod hydrate;
pub mod progress;
pub mod read;
mod write;

pub use hydrate::{hydrate, Hydrated};
pub use progress::{record_progress, GraphRecord};
pub use read::read_events;
pub use write::write_batch;

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
