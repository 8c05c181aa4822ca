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

pub mod caracal_walk;
pub mod privileges;
pub mod sweep;
pub mod walk;

use auditflow_schemas::tamper::{BatchHead, SignedBatch};

/// The `audit_ledger_batches` columns [`signed_batch`] reads, in its order.
pub const BATCH_COLUMNS: &str = "from_seq, to_seq, merkle_root, head_content_sha256, head_chain_hmac, hmac_key_id, \
    committed_at_us, head_key_id, signature";

/// A batch row of `chain` selected with [`BATCH_COLUMNS`].
pub fn signed_batch(chain_id: i32, row: &tokio_postgres::Row) -> SignedBatch {
    SignedBatch {
        head: BatchHead {
            chain_id,
            from_seq: row.get(0),
            to_seq: row.get(1),
            merkle_root: row.get(2),
            head_content_sha256: row.get(3),
            head_chain_hmac: row.get(4),
            hmac_key_id: row.get(5),
            committed_at_us: row.get(6),
        },
        head_key_id: row.get(7),
        signature: row.get(8),
    }
}
pub use privileges::{check_privileges, PrivilegeFinding};
pub use sweep::{run_sweeps, SweepConfig, TamperStats};
pub use walk::{verify_ledger, LedgerReport, Scope};
