//! A ledger that went back in time, noticed and repaired from the stream (issue 31).
//!
//! An asynchronous standby promoted after its primary died may lack the primary's last
//! commits, whose entries auditflow had already acknowledged in Redis. Every commit is
//! therefore also recorded in Redis ([`RedisJournal`]) before its entries are acknowledged.
//! At start, and whenever the committer finds a chain's head below what was committed on
//! it, the gap is named in the log, counted (`auditflow_ledger_rewinds_total`), held as a
//! `/readyz` failure while it lasts, and repaired ([`Repairer`]): the stream is read again
//! from the oldest entry of the lost transactions, every valid entry is committed (those the
//! ledger still holds are duplicates and dropped), so each event ends in the ledger once.
//! Invalid entries are not dead-lettered again: the DLQ, in Redis, did not go back.

mod journal;
mod repair;
mod rewinds;

pub use journal::{RedisJournal, KEEP_POSITIONS};
pub use repair::Repairer;
pub use rewinds::Rewinds;
