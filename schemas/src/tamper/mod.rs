//! Tamper evidence of the ledger (SPEC §3): the signed batch heads and the checks behind
//! `auditflow verify`.
//!
//! Every committed batch of a chain (the rows one ledger transaction appended, `from_seq`
//! ..= `to_seq`) gets a row in `audit_ledger_batches` holding
//!
//! * the Merkle root of the batch's `content_sha256` values in chain order, computed as in
//!   RFC 6962 §2.1 (leaf hash `SHA-256(0x00 ‖ leaf)`, node hash `SHA-256(0x01 ‖ left ‖ right)`,
//!   the split at the largest power of two below the leaf count), each leaf being the 32
//!   raw bytes of one `content_sha256`;
//! * the head: `content_sha256` and `chain_hmac` of row `to_seq`;
//! * the id of the ledger HMAC key the batch's `chain_hmac` values were made with;
//! * an Ed25519 signature by the ledger *head* key (a key distinct from the HMAC key) over
//!   [`BatchHead::signed_message`].
//!
//! Someone who can write to the database and holds the HMAC key can recompute a whole chain
//! so that every link and HMAC checks out; the head signatures still fail, because that
//! person does not hold the head key. Someone who holds both can re-sign too; the archive
//! manifests (signed with the export key) anchor the heads outside the database for that
//! case (`verify --against-archive`).
//!
//! The code is split by concern, and everything public is re-exported here, so the paths
//! stay `auditflow_schemas::tamper::X`:
//!
//! * `content`: a row's `content_sha256` as stored, recomputed and recorded by the id index,
//!   and its raw bytes ([`sha256_bytes`], [`CheckedRow`], [`IndexedId`]);
//! * `links`: the walk over one chain's positions and links ([`ChainChecker`]);
//! * `merkle`: the batch Merkle root ([`merkle_root`]);
//! * `head`: signed batch heads ([`BatchHead`], [`SignedBatch`], [`TrustedKeys`]; the key is a
//!   [`crate::signer::Signer`])
//!   and the comparison of the rows with them;
//! * `finding`: what `verify` reports ([`Finding`], [`FindingKind`]).

mod batches;
mod content;
mod finding;
#[cfg(test)]
mod fixtures;
mod head;
mod links;
mod merkle;
mod row;

pub use finding::{Finding, FindingKind};
pub use head::{BatchHead, SignedBatch, TrustedKeys};
pub use links::ChainChecker;
pub use merkle::merkle_root;
pub use row::{sha256_bytes, CheckedRow, IndexedId};
