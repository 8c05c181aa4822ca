//! The ledger: everything auditflow keeps in Postgres (SPEC §3), and the home of the SQL
//! over `audit_events` and `audit_event_ids`. (Not yet the only one: the archive's row
//! reader and verification, and the API's search and zone pages in `pipeline/src/queries`,
//! still hold their own queries; they move here next.)
//!
//! * [`migrations`]: the schema, as `.sql` files applied in order under an advisory lock;
//! * [`row`]: the one column list of a ledger row and its codec; [`read`]: look-ups by
//!   position;
//! * [`postgres`]: connections (libpq's URL, TLS modes) and pools;
//! * [`partitions`]: monthly partitions and the lock that serialises their owners;
//! * [`commit`]: the commit transaction (dedup, chain assignment, binary COPY, signed heads);
//! * [`retention`] and legal holds; [`adopt`]: taking over Caracal's ledger;
//! * [`verify`]: tamper evidence read back from the database;
//! * [`views`]: the live views' tables (their write transaction, hydration, progress).
//!
//! Nothing here knows about timely: the sinks crate wraps these in operators, and a
//! [`Completion`] is how a commit reports that a batch is durable.
#![deny(missing_docs)]

pub mod adopt;
pub mod commit;
mod completion;
mod error;
pub mod failpoint;
pub mod migrations;
pub mod partitions;
pub mod postgres;
pub mod read;
pub mod retention;
pub mod row;
pub mod search;
pub mod verify;
pub mod views;

pub use completion::Completion;
pub use error::LedgerError;
