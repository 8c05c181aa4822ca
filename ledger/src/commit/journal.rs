//! What the committer tells a record kept outside Postgres, so that a ledger that went back
//! in time (an asynchronous standby promoted without the old primary's last commits) is
//! noticed and repaired from the stream.
//!
//! After every commit, before its entries are acknowledged, the committer hands the journal
//! what each chain gained ([`Committed`]). Before appending to a chain, it compares the
//! chain's head in the locked watermark row with the highest head this process committed or
//! was told of at start: a lower one is a rewind ([`Rewound`]), handed to the journal, which
//! records where the stream must be read again before the commit goes on.

use super::zone_plan::ZonePlan;
use crate::LedgerError;
use auditflow_retry::Backoff;
use auditflow_schemas::chain::ChainHead;
use futures_util::future::BoxFuture;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Rows one transaction appended to one chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Committed {
    /// Ledger chain (one per zone).
    pub chain_id: i32,
    /// First position appended.
    pub from_seq: i64,
    /// The chain's new head.
    pub to_seq: i64,
    /// The oldest stream id among the appended rows (where a re-read must start).
    pub first_stream_id: String,
}

/// A chain whose stored head is behind what was committed on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rewound {
    /// Ledger chain (one per zone).
    pub chain_id: i32,
    /// The head the ledger holds now.
    pub ledger_seq: i64,
    /// The head that had been committed.
    pub known_seq: i64,
}

/// Where commits are recorded outside the ledger database (Redis in `auditflow run`).
pub trait CommitJournal: Send + Sync {
    /// Records what one transaction appended; called after COMMIT, before acknowledging.
    /// An error is retried (the entries stay unacknowledged meanwhile).
    fn record(&self, batches: Vec<Committed>) -> BoxFuture<'_, Result<(), String>>;

    /// The ledger holds less than was committed on these chains: record where the stream
    /// must be read again, and start that repair. The commit that noticed waits for this
    /// and goes on once it returned `Ok`.
    fn rewound(&self, chains: Vec<Rewound>) -> BoxFuture<'_, Result<(), String>>;
}

/// The committer's side of the journal: the journal itself, if any, and the highest head
/// known committed per chain.
#[derive(Default)]
pub(super) struct Journaling {
    journal: Option<Arc<dyn CommitJournal>>,
    known: Mutex<HashMap<i32, i64>>,
}

impl Journaling {
    pub(super) fn new(journal: Arc<dyn CommitJournal>) -> Self {
        Journaling { journal: Some(journal), known: Mutex::default() }
    }

    /// Raises the known heads to `heads` (what the journal recorded before this process).
    pub(super) fn seed(&self, heads: impl IntoIterator<Item = (i32, i64)>) {
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        for (chain, seq) in heads {
            let k = known.entry(chain).or_default();
            *k = (*k).max(seq);
        }
    }

    /// Compares the locked heads with the known ones; a rewind is handed to the journal
    /// (which records where to re-read) and then forgotten, so this commit goes on from
    /// the ledger's head.
    pub(super) async fn check(&self, heads: &HashMap<i32, ChainHead>) -> Result<(), LedgerError> {
        let Some(journal) = &self.journal else { return Ok(()) };
        let rewound: Vec<Rewound> = {
            let known = self.known.lock().unwrap_or_else(|p| p.into_inner());
            heads
                .iter()
                .filter_map(|(&chain_id, head)| {
                    let known_seq = known.get(&chain_id).copied().unwrap_or(0);
                    (head.seq < known_seq).then_some(Rewound { chain_id, ledger_seq: head.seq, known_seq })
                })
                .collect()
        };
        if rewound.is_empty() {
            return Ok(());
        }
        journal.rewound(rewound.clone()).await.map_err(LedgerError::Journal)?;
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        for r in rewound {
            known.insert(r.chain_id, r.ledger_seq);
        }
        Ok(())
    }

    /// Records what a transaction appended, waiting out a journal that does not answer
    /// (the entries cannot be acknowledged before it answers anyway).
    pub(super) async fn record(&self, committed: Vec<Committed>) {
        if committed.is_empty() {
            return;
        }
        self.seed(committed.iter().map(|c| (c.chain_id, c.to_seq)));
        let Some(journal) = &self.journal else { return };
        Backoff::outage()
            .until_ok(
                || journal.record(committed.clone()),
                |e, wait| tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "cannot record the commit outside the ledger yet, retrying"),
            )
            .await
    }
}

/// What each plan appended, for the journal.
pub(super) fn committed_of(plans: &[ZonePlan<'_>]) -> Vec<Committed> {
    plans
        .iter()
        .filter_map(|p| {
            let first = p.plan.new_rows.first()?;
            let first_stream_id =
                p.plan.new_rows.iter().map(|r| &p.events[r.index].src_stream_id).min_by_key(|id| stream_pos(id))?;
            Some(Committed {
                chain_id: p.chain_id,
                from_seq: first.chain_seq,
                to_seq: p.plan.head.seq,
                first_stream_id: first_stream_id.clone(),
            })
        })
        .collect()
}

/// A Redis stream id `<ms>-<seq>` as numbers, for ordering (malformed parts read as 0).
///
/// ```
/// use auditflow_ledger::commit::stream_pos;
/// assert!(stream_pos("1700000000000-2") < stream_pos("1700000000000-10"));
/// assert!(stream_pos("999-0") < stream_pos("1000-0"));
/// ```
pub fn stream_pos(id: &str) -> (u64, u64) {
    let mut parts = id.splitn(2, '-');
    let ms = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let seq = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    (ms, seq)
}
