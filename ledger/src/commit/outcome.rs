//! What a commit produced: counters, one shard transaction's outcome, the sink's output.

use super::journal::Committed;
use auditflow_schemas::view::SharedEvent;
use auditflow_schemas::DeadLetter;
use std::sync::atomic::{AtomicU64, Ordering};

/// A chain's committed ledger head moved (emitted by the ledger sink once durable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainAdvance {
    /// Ledger chain (one per zone).
    pub chain_id: i32,
    /// Its committed `chain_seq`.
    pub head_seq: i64,
}

/// Counters of what this process committed (for summaries and metrics).
#[derive(Debug, Default)]
pub struct LedgerStats {
    /// Rows inserted.
    pub inserted: AtomicU64,
    /// Identical re-deliveries dropped.
    pub duplicates: AtomicU64,
    /// Tampered re-deliveries dead-lettered.
    pub tampers: AtomicU64,
}

impl LedgerStats {
    pub(super) fn record(&self, outcome: &ShardOutcome) {
        self.inserted.fetch_add(outcome.inserted as u64, Ordering::Relaxed);
        self.duplicates.fetch_add(outcome.duplicates as u64, Ordering::Relaxed);
        self.tampers.fetch_add(outcome.tampers as u64, Ordering::Relaxed);
    }
}

/// What one shard transaction did.
#[derive(Debug, Default, Clone)]
pub struct ShardOutcome {
    /// Rows inserted.
    pub inserted: usize,
    /// Identical re-deliveries dropped.
    pub duplicates: usize,
    /// Re-deliveries with other content.
    pub tampers: usize,
    /// The chains (one per zone) whose head moved, with their new heads.
    pub advanced: Vec<ChainAdvance>,
    /// What each chain gained, for the journal.
    pub committed: Vec<Committed>,
}

/// What the ledger sink emits once a batch is durable.
#[derive(Debug, Clone)]
pub enum LedgerOutput {
    /// A dead letter found while committing (`tamper_on_replay`, `pg_permanent_error`).
    Dead(DeadLetter),
    /// A chain's committed head moved (for the export).
    Advanced(ChainAdvance),
    /// A row the ledger committed (for the live views).
    Committed(SharedEvent),
}
