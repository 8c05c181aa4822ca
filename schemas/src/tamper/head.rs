//! Signed batch heads: what an `audit_ledger_batches` row records ([`BatchHead`]), the
//! keys `verify` trusts. The head key is a [`crate::signer::Signer`] of the `Head` role; the
//! checker's part that compares rows with the signed heads covering them is `batches`.
//!
//! Invariants:
//!
//! * the head key signs exactly [`BatchHead::signed_message`]: `auditflow-head-v1` and the
//!   eight fields in their declared order, joined by `\n`, no trailing newline; a stored
//!   signature is the hex of the 64-byte Ed25519 signature;
//! * a head key id is [`crate::signer::key_id`] of the `Head` role; a batch verifies only
//!   under the trusted key of that id;
//! * the batches of a chain do not overlap: sorted by `from_seq`, a batch starting at or
//!   before the end of the previous one is `head_signature_invalid`;
//! * batch `from_seq..=to_seq` must find exactly `to_seq - from_seq + 1` leaves (rows or
//!   retired positions) whose [`merkle_root`] equals the signed root, and position `to_seq`
//!   must hold the signed head `content_sha256` and (for a row) `chain_hmac`; otherwise
//!   `head_signature_invalid`, reported at `from_seq`;
//! * a row's `chain_hmac` is checked under the HMAC key its batch names; rows no signed
//!   batch covers are `extra_rows`.

use crate::chain::LedgerKey;
use ed25519_dalek::VerifyingKey;
use std::collections::HashMap;

/// What one `audit_ledger_batches` row says about a batch of a chain.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BatchHead {
    /// Chain.
    pub chain_id: i32,
    /// First position of the batch.
    pub from_seq: i64,
    /// Last position of the batch (the head).
    pub to_seq: i64,
    /// Merkle root of the batch's `content_sha256` values, hex.
    pub merkle_root: String,
    /// `content_sha256` of row `to_seq`.
    pub head_content_sha256: String,
    /// `chain_hmac` of row `to_seq`.
    pub head_chain_hmac: String,
    /// Id of the ledger HMAC key used for the batch's `chain_hmac` values.
    pub hmac_key_id: String,
    /// Commit time, µs since the epoch.
    pub committed_at_us: i64,
}

impl BatchHead {
    /// The bytes the head key signs:
    ///
    /// ```text
    /// auditflow-head-v1 \n chain_id \n from_seq \n to_seq \n merkle_root \n head_content_sha256 \n head_chain_hmac \n hmac_key_id \n committed_at_us
    /// ```
    pub fn signed_message(&self) -> Vec<u8> {
        format!(
            "auditflow-head-v1\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
            self.chain_id,
            self.from_seq,
            self.to_seq,
            self.merkle_root,
            self.head_content_sha256,
            self.head_chain_hmac,
            self.hmac_key_id,
            self.committed_at_us
        )
        .into_bytes()
    }
}

/// A batch row with its signature (also what an archive manifest anchors).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedBatch {
    /// The head.
    pub head: BatchHead,
    /// Id of the head key.
    pub head_key_id: String,
    /// Signature, hex.
    pub signature: String,
}

/// Keys `verify` trusts.
#[derive(Clone, Debug, Default)]
pub struct TrustedKeys {
    /// Ledger HMAC keys by id (all of them, retired ones included).
    pub hmac: HashMap<String, LedgerKey>,
    /// Head public keys by id.
    pub heads: HashMap<String, VerifyingKey>,
}

#[cfg(test)]
mod tests {
    use crate::signer::{KeyRole, Signer};
    use crate::tamper::fixtures::{batches, chain, check, setup};
    use crate::tamper::FindingKind;
    use sha2::{Digest, Sha256};

    #[test]
    fn a_recomputed_chain_fails_the_signed_heads() {
        let (hmac, head, keys) = setup();
        let rows = chain(&hmac, 6);
        let b = batches(&rows, &head, 3);
        // Rewrite row 5's content and recompute the links and HMACs with the HMAC key.
        let mut forged = rows.clone();
        let new_sha = hex::encode(Sha256::digest("forged"));
        forged[4].content_sha256 = new_sha.clone();
        forged[4].recomputed_sha256 = Some(new_sha.clone());
        forged[4].chain_hmac = hmac.chain_hmac(3, 5, forged[4].prev_content_sha256.as_deref(), &new_sha);
        forged[5].prev_content_sha256 = Some(new_sha.clone());
        forged[5].chain_hmac = hmac.chain_hmac(3, 6, Some(&new_sha), &forged[5].content_sha256);
        let found = check(forged, b, &keys, 6);
        assert!(found.iter().all(|f| f.0 == FindingKind::HeadSignatureInvalid), "{found:?}");
        assert_eq!(found.first(), Some(&(FindingKind::HeadSignatureInvalid, 4)), "{found:?}");
    }

    #[test]
    fn unsigned_rows_and_forged_hmacs_are_reported() {
        let (hmac, head, keys) = setup();
        let mut rows = chain(&hmac, 6);
        let b = batches(&rows[..4], &head, 4);
        rows[5].chain_hmac = "00".repeat(32);
        let found = check(rows, b, &keys, 6);
        assert!(found.contains(&(FindingKind::ExtraRows, 5)), "{found:?}");
        assert!(found.contains(&(FindingKind::HmacMismatch, 6)), "{found:?}");
    }

    #[test]
    fn an_untrusted_head_key_is_reported() {
        let (hmac, _, keys) = setup();
        let rows = chain(&hmac, 3);
        let other = Signer::from_seed(KeyRole::Head, [1; 32]);
        let b = batches(&rows, &other, 3);
        let found = check(rows, b, &keys, 3);
        assert_eq!(found, vec![(FindingKind::HeadSignatureInvalid, 1)]);
    }
}
