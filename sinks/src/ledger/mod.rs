//! The Postgres ledger sink (SPEC §3).
//!
//! Per completed batch and shard, one transaction: lock the shard's watermark row (its
//! chain head), look up which ids are already stored (in the global id index
//! `audit_event_ids`, one probe per id whatever the number of partitions), plan new /
//! duplicate / tamper
//! ([`auditflow_schemas::chain::plan_batch`]), binary-COPY the new rows and their ids, record tamper
//! alerts, advance the watermark, commit. The chain head is always read from the locked
//! watermark row, never from memory, so a retry after an unknown commit outcome re-plans
//! against what is really stored: at worst the batch turns out to be duplicates.

mod committer;
mod copy;

pub use committer::{LedgerCommitter, LedgerConfig, LedgerOutput, LedgerStats};

use crate::epoch_sink::epoch_sink;
use crate::export::ChainAdvance;
use auditflow_schemas::{DeadLetter, VerifiedEvent};
use timely::dataflow::operators::core::OkErr;
use timely::dataflow::Stream;

/// Extension trait: `ledger_sink` on a stream of shard-routed verified events.
pub trait LedgerSink<'scope> {
    /// Commits events to the ledger. Emits, at a time the output frontiers hold until the
    /// commit is durable, the `tamper_on_replay` (and `pg_permanent_error`) dead letters
    /// found while committing, and the chains whose committed head moved.
    #[allow(clippy::type_complexity)]
    fn ledger_sink(
        self,
        committer: LedgerCommitter,
    ) -> (Stream<'scope, u64, Vec<DeadLetter>>, Stream<'scope, u64, Vec<ChainAdvance>>);
}

impl<'scope> LedgerSink<'scope> for Stream<'scope, u64, Vec<VerifiedEvent>> {
    fn ledger_sink(
        self,
        committer: LedgerCommitter,
    ) -> (Stream<'scope, u64, Vec<DeadLetter>>, Stream<'scope, u64, Vec<ChainAdvance>>) {
        let out =
            epoch_sink(self, "LedgerSink", move |epoch, batch, completion| committer.submit(epoch, batch, completion));
        out.ok_err(|o| match o {
            LedgerOutput::Dead(letter) => Ok(letter),
            LedgerOutput::Advanced(advance) => Err(advance),
        })
    }
}
