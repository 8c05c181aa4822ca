//! Tamper evidence of the ledger (SPEC §3, issue "tamper evidence"):
//!
//! * [`walk`]: `auditflow verify`, the chain walk (content hashes, links, HMACs, signed
//!   batch heads, the id index);
//! * [`privileges`]: `auditflow verify --privileges`, the grants and triggers that make the
//!   ledger append-only;
//! * [`caracal_walk`]: the rows of a ledger adopted from Caracal, with Caracal's algorithm;
//! * [`sweep`]: the background sweep inside `auditflow run`.
//!
//! The checks themselves are pure and live in [`auditflow_schemas::tamper`]; the ledger
//! against the archive's signed manifests is `auditflow_archive::anchor`.

mod batches;
pub mod caracal_walk;
pub mod durability;
pub mod privileges;
pub mod sweep;
pub mod walk;

pub use batches::{signed_batch, BATCH_COLUMNS};
pub use durability::{check_durability, Durability};
pub use privileges::check_privileges;
pub use sweep::{run_sweeps, SweepConfig, TamperStats};
pub use walk::{verify_ledger, LedgerReport, Scope};
