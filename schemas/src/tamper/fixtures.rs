//! Fixtures shared by the checker's unit tests: trusted keys, a clean chain, its signed
//! batches, and a one-call check of a whole range.

use super::*;
use crate::chain::LedgerKey;
use crate::signer::{KeyRole, Signer};
use sha2::{Digest, Sha256};

pub(super) fn setup() -> (LedgerKey, Signer, TrustedKeys) {
    let hmac = LedgerKey::new("l1", vec![7; 32]).expect("key");
    let head = Signer::from_seed(KeyRole::Head, [9; 32]);
    let keys = TrustedKeys {
        hmac: [(hmac.id.clone(), hmac.clone())].into(),
        heads: [(head.id().to_owned(), head.public_key())].into(),
    };
    (hmac, head, keys)
}

pub(super) fn chain(hmac: &LedgerKey, n: i64) -> Vec<CheckedRow> {
    let mut prev: Option<String> = None;
    (1..=n)
        .map(|seq| {
            let sha = hex::encode(Sha256::digest(seq.to_string()));
            let row = CheckedRow {
                id: format!("e{seq}"),
                chain_seq: seq,
                content_sha256: sha.clone(),
                recomputed_sha256: Some(sha.clone()),
                chain_hmac: hmac.chain_hmac(3, seq, prev.as_deref(), &sha),
                prev_content_sha256: prev.replace(sha),
            };
            row
        })
        .collect()
}

pub(super) fn batches(rows: &[CheckedRow], head: &Signer, size: usize) -> Vec<SignedBatch> {
    rows.chunks(size)
        .map(|c| {
            let last = c.last().expect("non-empty");
            let leaves: Vec<[u8; 32]> = c.iter().map(|r| sha256_bytes(&r.content_sha256).expect("hex")).collect();
            let h = BatchHead {
                chain_id: 3,
                from_seq: c[0].chain_seq,
                to_seq: last.chain_seq,
                merkle_root: hex::encode(merkle_root(&leaves)),
                head_content_sha256: last.content_sha256.clone(),
                head_chain_hmac: last.chain_hmac.clone(),
                hmac_key_id: "l1".into(),
                committed_at_us: 1,
            };
            SignedBatch { signature: head.sign_hex(&h.signed_message()), head: h, head_key_id: head.id().to_owned() }
        })
        .collect()
}

pub(super) fn check(
    rows: Vec<CheckedRow>,
    batches: Vec<SignedBatch>,
    keys: &TrustedKeys,
    to: i64,
) -> Vec<(FindingKind, i64)> {
    let mut c = ChainChecker::new(3, 1, None, batches, keys);
    for r in rows {
        c.row(r);
    }
    c.finish(to).into_iter().map(|f| (f.kind, f.position().map_or(0, |p| p.1))).collect()
}
