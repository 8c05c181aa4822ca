//! The Postgres ledger sink (SPEC §3).
//!
//! Every zone is one hash chain (`chain_seq` per zone, from 1, gapless, in commit order, as
//! Caracal's readers expect). Zones map to shards by a stable hash; per completed batch and
//! shard, one transaction covers every zone of that shard the batch touches: lock the zones'
//! watermark rows (their chain heads, in chain order), look up which ids are already stored
//! (in the global id index `audit_event_ids`, one probe per id whatever the number of
//! partitions), plan new / duplicate / tamper per zone
//! ([`auditflow_schemas::chain::plan_batch`]), binary-COPY the new rows and their ids, sign
//! one batch head per zone, record tamper alerts, advance the watermarks, commit.
//!
//! A zone's next transaction waits on its watermark row until the previous one committed, so
//! a reader that has seen position n of a zone never sees a position <= n appear later. The
//! chain head is always read from the locked row, never from memory, so a retry after an
//! unknown commit outcome re-plans against what is really stored: at worst the batch turns
//! out to be duplicates.

mod caracal;
mod committer;
mod copy;
mod heads;
mod zone_plan;

pub use committer::{LedgerCommitter, LedgerConfig, LedgerOutput, LedgerStats};

use crate::epoch_sink::epoch_sink;
use crate::export::ChainAdvance;
use auditflow_schemas::view::SharedEvent;
use auditflow_schemas::{DeadLetter, VerifiedEvent};
use timely::dataflow::operators::vec::map::Map;
use timely::dataflow::Stream;

/// Extension trait: `ledger_sink` on a stream of shard-routed verified events.
pub trait LedgerSink<'scope> {
    /// Commits events to the ledger. Emits, at a time the output frontiers hold until the
    /// commit is durable, the `tamper_on_replay` (and `pg_permanent_error`) dead letters
    /// found while committing, the chains whose committed head moved, and the committed
    /// rows (for the live views).
    fn ledger_sink(self, committer: LedgerCommitter) -> LedgerStreams<'scope>;
}

/// What the ledger sink emits, each at a time its frontier holds until the commit is durable.
pub struct LedgerStreams<'scope> {
    /// Dead letters found while committing (`tamper_on_replay`, `pg_permanent_error`).
    pub dead: Stream<'scope, u64, Vec<DeadLetter>>,
    /// Chains whose committed head moved.
    pub advanced: Stream<'scope, u64, Vec<ChainAdvance>>,
    /// Rows committed.
    pub committed: Stream<'scope, u64, Vec<SharedEvent>>,
}

impl<'scope> LedgerSink<'scope> for Stream<'scope, u64, Vec<VerifiedEvent>> {
    fn ledger_sink(self, committer: LedgerCommitter) -> LedgerStreams<'scope> {
        let out =
            epoch_sink(self, "LedgerSink", move |epoch, batch, completion| committer.submit(epoch, batch, completion));
        let dead = out.clone().flat_map(|o| match o {
            LedgerOutput::Dead(letter) => Some(letter),
            _ => None,
        });
        let advanced = out.clone().flat_map(|o| match o {
            LedgerOutput::Advanced(advance) => Some(advance),
            _ => None,
        });
        let committed = out.flat_map(|o| match o {
            LedgerOutput::Committed(view) => Some(view),
            _ => None,
        });
        LedgerStreams { dead, advanced, committed }
    }
}
