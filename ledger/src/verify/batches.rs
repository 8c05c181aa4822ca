//! The signed batch heads as `audit_ledger_batches` stores them.

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
