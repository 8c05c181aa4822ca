//! The commit transaction (SPEC §3).
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
mod journal;
mod outcome;
mod zone_plan;

pub use committer::{LedgerCommitter, LedgerConfig};
pub use journal::{stream_pos, CommitJournal, Committed, Rewound};
pub use outcome::{ChainAdvance, LedgerOutput, LedgerStats};
