//! The ledger sink (SPEC §3): commits each completed epoch with
//! [`auditflow_ledger::commit::LedgerCommitter`]. What the commit does, and why it is
//! exactly once, is written there.

use crate::epoch_sink::epoch_sink;
use auditflow_ledger::commit::{ChainAdvance, LedgerCommitter, LedgerOutput};
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
