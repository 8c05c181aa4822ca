//! The walk over one chain: [`ChainChecker`] takes a range's rows in `chain_seq` order and
//! checks each position, its content and the link to the position before.
//!
//! Invariants (the ledger format of [`crate::chain`]); a row that breaks one is a finding,
//! never a panic:
//!
//! * positions run `from_seq`, `from_seq + 1`, … with no gap and no repeat: a skipped
//!   position is `missing_rows` (unless the id index vouches for it as retired), a position
//!   seen again is `extra_rows`;
//! * a row's stored `content_sha256` equals the one recomputed from its columns, else
//!   `content_mismatch`;
//! * a row's `prev_content_sha256` equals the stored `content_sha256` of the position before
//!   it (`None` at the start of the chain), else `chain_break`; the link right after a
//!   missing position is not judged;
//! * a row's `chain_hmac` is the ledger HMAC of (chain id, position, previous hash, content
//!   hash) under the key its batch names; a row no batch covers, or whose batch names an
//!   unknown key, passes under any trusted key; else `hmac_mismatch`;
//! * [`ChainChecker::finish`] returns the findings sorted by position, then kind.

use super::finding::{Finding, FindingKind};
use super::head::{SignedBatch, TrustedKeys};
use super::row::{CheckedRow, IndexedId};

/// Walks one chain over a range of positions, in order, and collects findings. Pure: the
/// caller streams the rows, the id index entries and the batch rows of the range to it.
///
/// ```
/// use auditflow_schemas::chain::LedgerKey;
/// use auditflow_schemas::signer::{KeyRole, Signer};
/// use auditflow_schemas::tamper::*;
///
/// let hmac = LedgerKey::new("l1", vec![7; 32]).unwrap();
/// let head_key = Signer::from_seed(KeyRole::Head, [9; 32]);
/// let keys = TrustedKeys {
///     hmac: [(hmac.id.clone(), hmac.clone())].into(),
///     heads: [(head_key.id().to_owned(), head_key.public_key())].into(),
/// };
/// let sha = |n: u8| hex::encode([n; 32]);
/// let row = |seq: i64, prev: Option<String>| CheckedRow {
///     id: format!("e{seq}"),
///     chain_seq: seq,
///     content_sha256: sha(seq as u8),
///     recomputed_sha256: Some(sha(seq as u8)),
///     chain_hmac: hmac.chain_hmac(0, seq, prev.as_deref(), &sha(seq as u8)),
///     prev_content_sha256: prev,
/// };
/// let rows = vec![row(1, None), row(2, Some(sha(1)))];
/// let head = BatchHead {
///     chain_id: 0, from_seq: 1, to_seq: 2,
///     merkle_root: hex::encode(merkle_root(&[[1; 32], [2; 32]])),
///     head_content_sha256: sha(2), head_chain_hmac: rows[1].chain_hmac.clone(),
///     hmac_key_id: "l1".into(), committed_at_us: 0,
/// };
/// let batch = SignedBatch { signature: head_key.sign_hex(&head.signed_message()), head, head_key_id: head_key.id().into() };
///
/// let mut checker = ChainChecker::new(0, 1, None, vec![batch], &keys);
/// for r in rows.clone() { checker.row(r); }
/// assert!(checker.finish(2).is_empty());
///
/// // Edit the first row's hash: found, at that row.
/// let mut tampered = rows.clone();
/// tampered[0].recomputed_sha256 = Some(sha(42));
/// let mut checker = ChainChecker::new(0, 1, None, vec![], &keys);
/// for r in tampered { checker.row(r); }
/// let findings = checker.finish(2);
/// assert_eq!(findings[0].kind, FindingKind::ContentMismatch);
/// assert_eq!(findings[0].row_id(), Some("e1"));
/// ```
pub struct ChainChecker<'k> {
    pub(super) chain_id: i32,
    pub(super) keys: &'k TrustedKeys,
    /// Next expected position.
    pub(super) next_seq: i64,
    /// `content_sha256` of the row before `next_seq` (as stored).
    pub(super) prev_sha: Option<String>,
    /// Whether the previous position was missing (its successor's link is then not judged).
    pub(super) after_gap: bool,
    pub(super) batches: std::collections::VecDeque<SignedBatch>,
    /// The batch covering `next_seq`, if any, with its leaves so far.
    pub(super) open: Option<(SignedBatch, Vec<[u8; 32]>, bool)>,
    /// Position up to which the batch rows were known to cover (for coverage gaps).
    pub(super) covered_to: i64,
    /// The start of a run of rows that no batch covers.
    pub(super) uncovered_from: Option<i64>,
    pub(super) ids: std::collections::VecDeque<IndexedId>,
    pub(super) findings: Vec<Finding>,
    /// Rows seen.
    pub rows: u64,
    /// Positions retention dropped, vouched for by the id index.
    pub retired: u64,
}

impl<'k> ChainChecker<'k> {
    /// A checker for `chain_id` starting at position `from_seq`; `prev_sha` is the stored
    /// `content_sha256` of row `from_seq - 1` (`None` from the start of the chain);
    /// `batches` are the batch rows overlapping the range, in any order.
    pub fn new(
        chain_id: i32,
        from_seq: i64,
        prev_sha: Option<String>,
        mut batches: Vec<SignedBatch>,
        keys: &'k TrustedKeys,
    ) -> Self {
        batches.sort_by_key(|b| b.head.from_seq);
        let mut checker = ChainChecker {
            chain_id,
            keys,
            next_seq: from_seq,
            prev_sha,
            after_gap: false,
            batches: batches.into(),
            open: None,
            covered_to: from_seq - 1,
            uncovered_from: None,
            ids: Default::default(),
            findings: Vec::new(),
            rows: 0,
            retired: 0,
        };
        checker.check_batch_signatures();
        checker
    }

    /// Feeds id index entries of the range (in `chain_seq` order; call before the rows
    /// they concern or all at once up front).
    pub fn ids(&mut self, ids: impl IntoIterator<Item = IndexedId>) {
        self.ids.extend(ids);
    }

    pub(super) fn add(&mut self, kind: FindingKind, seq: i64, row_id: Option<&str>, detail: impl Into<String>) {
        self.findings.push(Finding::at_position(kind, self.chain_id, seq, row_id.map(str::to_owned), detail));
    }

    /// Checks the next row (rows must come in `chain_seq` order).
    pub fn row(&mut self, row: CheckedRow) {
        self.rows += 1;
        let seq = row.chain_seq;
        self.retired_before(seq);
        if seq < self.next_seq {
            self.add(
                FindingKind::ExtraRows,
                seq,
                Some(&row.id),
                format!("position {seq} is held by more than one row"),
            );
            return;
        }
        self.index_up_to(seq, Some(&row));
        self.arrive_at(seq);
        match &row.recomputed_sha256 {
            Some(sha) if *sha == row.content_sha256 => {}
            Some(sha) => self.add(
                FindingKind::ContentMismatch,
                seq,
                Some(&row.id),
                format!("content_sha256 is {} but the row's columns hash to {sha}", row.content_sha256),
            ),
            None => self.add(
                FindingKind::ContentMismatch,
                seq,
                Some(&row.id),
                "the row's columns cannot be read back into an event",
            ),
        }
        if !self.after_gap && row.prev_content_sha256 != self.prev_sha {
            self.add(
                FindingKind::ChainBreak,
                seq,
                Some(&row.id),
                format!(
                    "prev_content_sha256 is {} but the previous row's content_sha256 is {}",
                    row.prev_content_sha256.as_deref().unwrap_or("NULL"),
                    self.prev_sha.as_deref().unwrap_or("NULL (start of chain)")
                ),
            );
        }
        let key = self.hmac_key_for(seq);
        let hmac_ok = match key {
            Some(k) => {
                k.chain_hmac(self.chain_id as u32, seq, row.prev_content_sha256.as_deref(), &row.content_sha256)
                    == row.chain_hmac
            }
            // Not covered by a batch (reported as extra rows) or an unknown key id: accept
            // any trusted key, so the HMAC finding means "no key we hold made this".
            None => self.keys.hmac.values().any(|k| {
                k.chain_hmac(self.chain_id as u32, seq, row.prev_content_sha256.as_deref(), &row.content_sha256)
                    == row.chain_hmac
            }),
        };
        if !hmac_ok {
            self.add(
                FindingKind::HmacMismatch,
                seq,
                Some(&row.id),
                "chain_hmac does not verify under the ledger key of its batch",
            );
        }
        self.leaf(seq, &row.id, &row.content_sha256, Some(&row.chain_hmac));
        self.prev_sha = Some(row.content_sha256);
        self.after_gap = false;
        self.next_seq = seq + 1;
    }

    /// Reports the positions skipped before `seq` and opens the batch covering it.
    pub(super) fn arrive_at(&mut self, seq: i64) {
        if seq > self.next_seq {
            let from = self.next_seq;
            self.add(
                FindingKind::MissingRows,
                from,
                None,
                if seq - from == 1 {
                    format!("position {from} is missing")
                } else {
                    format!("positions {from}..={} are missing", seq - 1)
                },
            );
            self.after_gap = true;
        }
        self.batch_for(seq);
        let covered = self.open.as_ref().is_some_and(|(b, _, _)| b.head.from_seq <= seq && seq <= b.head.to_seq);
        if covered {
            self.flush_uncovered(seq);
        } else if self.uncovered_from.is_none() {
            self.uncovered_from = Some(seq);
        }
    }

    /// Ends the walk at `to_seq` (the last position the range should hold) and returns the
    /// findings, ordered by position.
    pub fn finish(mut self, to_seq: i64) -> Vec<Finding> {
        self.retired_before(to_seq + 1);
        self.index_up_to(to_seq, None);
        if self.next_seq <= to_seq {
            let from = self.next_seq;
            self.add(
                FindingKind::MissingRows,
                from,
                None,
                if to_seq == from {
                    format!("position {from} is missing")
                } else {
                    format!("positions {from}..={to_seq} are missing")
                },
            );
        }
        self.flush_uncovered(self.next_seq);
        self.close_batch();
        while let Some(b) = self.batches.pop_front() {
            if b.head.from_seq <= to_seq {
                self.open = Some((b, Vec::new(), false));
                self.close_batch();
            }
        }
        self.findings.sort_by_key(|f| (f.position(), f.kind));
        self.findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tamper::fixtures::{batches, chain, check, setup};

    #[test]
    fn a_clean_chain_has_no_findings() {
        let (hmac, head, keys) = setup();
        let rows = chain(&hmac, 10);
        let b = batches(&rows, &head, 3);
        assert_eq!(check(rows, b, &keys, 10), vec![]);
    }

    #[test]
    fn a_deleted_row_is_missing_and_breaks_its_batch() {
        let (hmac, head, keys) = setup();
        let mut rows = chain(&hmac, 10);
        let b = batches(&rows, &head, 3);
        rows.remove(4);
        let found = check(rows, b, &keys, 10);
        assert!(found.contains(&(FindingKind::MissingRows, 5)), "{found:?}");
        assert!(found.contains(&(FindingKind::HeadSignatureInvalid, 4)), "{found:?}");
        assert!(!found.iter().any(|f| f.0 == FindingKind::ChainBreak), "{found:?}");
    }

    #[test]
    fn swapped_rows_break_the_chain_at_the_first_of_them() {
        let (hmac, head, keys) = setup();
        let mut rows = chain(&hmac, 10);
        let b = batches(&rows, &head, 5);
        // Swap the contents of positions 3 and 4 (their positions stay in order).
        let (r3, r4) = (rows[2].clone(), rows[3].clone());
        rows[2] = CheckedRow { chain_seq: 3, ..r4 };
        rows[3] = CheckedRow { chain_seq: 4, ..r3 };
        let found = check(rows, b, &keys, 10);
        let first_break = found.iter().find(|f| f.0 == FindingKind::ChainBreak);
        assert_eq!(first_break, Some(&(FindingKind::ChainBreak, 3)), "{found:?}");
        // The batch 1..=5 signed the other order.
        assert!(found.contains(&(FindingKind::HeadSignatureInvalid, 1)), "{found:?}");
    }
}
