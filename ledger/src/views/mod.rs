//! The live views' tables (SPEC §5): request traces, revocation propagation and violations,
//! written once per completed epoch ([`write`], its trace writes in `traces`); what a
//! restart reads back ([`hydrate`]); what the views have written so far ([`progress`]); the
//! ledger rows as the views see them ([`read`]).
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
mod traces;
mod update;
mod write;

pub use hydrate::{hydrate, Hydrated};
pub use progress::{record_progress, GraphRecord};
pub use read::{read_after, read_events};
pub use update::{ViewRules, ViewStats, ViewUpdate};
pub use write::write_batch;
