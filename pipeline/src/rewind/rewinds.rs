//! What the rewind repair reports: how many rewinds were seen, whether one is being repaired.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// Rewinds this process noticed, and whether a repair runs now.
#[derive(Debug, Default)]
pub struct Rewinds {
    count: AtomicU64,
    repairing: Arc<AtomicBool>,
}

impl Rewinds {
    pub(super) fn noticed(&self) {
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn set_repairing(&self, on: bool) {
        self.repairing.store(on, Ordering::SeqCst);
    }

    /// Rewinds noticed so far (`auditflow_ledger_rewinds_total`).
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// Whether the stream is being read again into the ledger now.
    pub fn repairing(&self) -> bool {
        self.repairing.load(Ordering::Relaxed)
    }

    /// The flag behind [`repairing`](Rewinds::repairing): a draining run does not end
    /// while it is set.
    pub fn repairing_flag(&self) -> Arc<AtomicBool> {
        self.repairing.clone()
    }
}
