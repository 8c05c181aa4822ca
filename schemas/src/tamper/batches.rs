//! The chain checker's batch part: every position is covered by exactly one signed batch
//! head, whose signature, Merkle root and head hashes hold.

use super::finding::FindingKind;
use super::head::SignedBatch;
use super::links::ChainChecker;
use super::merkle::merkle_root;
use super::row::sha256_bytes;
use crate::chain::LedgerKey;
use crate::signer::signature_valid;

impl<'k> ChainChecker<'k> {
    pub(super) fn check_batch_signatures(&mut self) {
        let batches: Vec<SignedBatch> = self.batches.iter().cloned().collect();
        let mut prev_to: Option<i64> = None;
        for b in &batches {
            let valid = self
                .keys
                .heads
                .get(&b.head_key_id)
                .is_some_and(|public| signature_valid(public, &b.head.signed_message(), &b.signature));
            if !valid {
                let why = if self.keys.heads.contains_key(&b.head_key_id) {
                    "the signature does not verify".to_owned()
                } else {
                    format!("signed by {:?}, which is not a trusted head key", b.head_key_id)
                };
                self.add(
                    FindingKind::HeadSignatureInvalid,
                    b.head.from_seq,
                    None,
                    format!("batch {}..={}: {why}", b.head.from_seq, b.head.to_seq),
                );
            }
            if let Some(p) = prev_to {
                if b.head.from_seq <= p {
                    self.add(
                        FindingKind::HeadSignatureInvalid,
                        b.head.from_seq,
                        None,
                        format!("batch {}..={} overlaps the batch ending at {p}", b.head.from_seq, b.head.to_seq),
                    );
                }
            }
            prev_to = Some(b.head.to_seq);
        }
    }

    /// Moves the open batch forward so it is the one covering `seq` (closing the ones before).
    pub(super) fn batch_for(&mut self, seq: i64) {
        loop {
            if let Some((b, _, _)) = &self.open {
                if b.head.to_seq >= seq {
                    return;
                }
                self.close_batch();
            }
            match self.batches.front() {
                Some(b) if b.head.to_seq < seq => {
                    // A batch entirely before this position whose rows never came.
                    let b = self.batches.pop_front().expect("front exists");
                    self.open = Some((b, Vec::new(), false));
                }
                Some(b) if b.head.from_seq <= seq => {
                    let b = self.batches.pop_front().expect("front exists");
                    self.covered_to = self.covered_to.max(b.head.to_seq);
                    self.open = Some((b, Vec::new(), false));
                    return;
                }
                _ => return,
            }
        }
    }

    /// Compares the rows seen for the open batch with what it signed.
    pub(super) fn close_batch(&mut self) {
        let Some((b, leaves, leaf_broken)) = self.open.take() else { return };
        let expected = (b.head.to_seq - b.head.from_seq + 1) as usize;
        if leaves.len() != expected {
            // Missing positions are reported row by row; say which signed head they break.
            self.add(
                FindingKind::HeadSignatureInvalid,
                b.head.from_seq,
                None,
                format!(
                    "batch {}..={} signed {expected} rows, {} are in the ledger",
                    b.head.from_seq,
                    b.head.to_seq,
                    leaves.len()
                ),
            );
            return;
        }
        let root = hex::encode(merkle_root(&leaves));
        if leaf_broken || root != b.head.merkle_root {
            self.add(
                FindingKind::HeadSignatureInvalid,
                b.head.from_seq,
                None,
                format!(
                    "rows {}..={} no longer match the Merkle root their batch signed ({} now, {} signed)",
                    b.head.from_seq, b.head.to_seq, root, b.head.merkle_root
                ),
            );
        }
    }

    pub(super) fn hmac_key_for(&self, seq: i64) -> Option<&'k LedgerKey> {
        match &self.open {
            Some((b, _, _)) if b.head.from_seq <= seq && seq <= b.head.to_seq => {
                self.keys.hmac.get(&b.head.hmac_key_id)
            }
            _ => None,
        }
    }

    /// Adds position `seq`'s hash to the open batch's leaves and, at the batch's end, checks
    /// it (and its HMAC, unless the row is retired and its HMAC went with it) against the
    /// signed head.
    pub(super) fn leaf(&mut self, seq: i64, id: &str, content_sha256: &str, chain_hmac: Option<&str>) {
        let Some((b, leaves, broken)) = self.open.as_mut() else { return };
        if seq < b.head.from_seq || seq > b.head.to_seq {
            return;
        }
        match sha256_bytes(content_sha256) {
            Some(leaf) => leaves.push(leaf),
            None => *broken = true,
        }
        if seq == b.head.to_seq
            && (content_sha256 != b.head.head_content_sha256 || chain_hmac.is_some_and(|h| h != b.head.head_chain_hmac))
        {
            let from = b.head.from_seq;
            let what = if chain_hmac.is_some() { "row" } else { "retired position" };
            self.add(
                FindingKind::HeadSignatureInvalid,
                from,
                Some(id),
                format!("{what} {seq} is not the head its batch signed"),
            );
        }
    }

    /// Reports a run of rows that no signed head covers, ending before `seq`.
    pub(super) fn flush_uncovered(&mut self, seq: i64) {
        if let Some(from) = self.uncovered_from.take() {
            self.add(
                FindingKind::ExtraRows,
                from,
                None,
                format!("rows {from}..={} are covered by no signed batch head", seq - 1),
            );
        }
    }
}
