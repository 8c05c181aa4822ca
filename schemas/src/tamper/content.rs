//! Content hashes as the checker receives them, and the id index's part of the walk.
//!
//! A row's `content_sha256` is the lowercase hex SHA-256 of the canonical encoding of its
//! event ([`crate::canonical`]). [`ChainChecker`] sees it from three places: as stored in the
//! row and as recomputed from the row's columns (both in [`CheckedRow`]; compared in
//! `ChainChecker::row`), and as recorded by the id index `audit_event_ids` ([`IndexedId`];
//! compared here).
//!
//! Invariants:
//!
//! * a Merkle leaf is the 32 raw bytes [`sha256_bytes`] decodes from a `content_sha256`; a
//!   value that is not 64 hex digits gives no leaf, and its batch then fails its signed head;
//! * id index entries come in `chain_seq` order, before the rows they concern;
//! * an index entry must match the row at its position (same id, same `content_sha256`),
//!   else `content_mismatch`; an entry whose position has no row is `missing_rows`, unless
//!   it is `retired` and not behind the walk: then it stands in for its row (its recorded
//!   hash is the batch leaf and the next row's link; it has no `chain_hmac` to check) and
//!   counts in `ChainChecker::retired`.

use super::finding::FindingKind;
use super::links::ChainChecker;
use super::row::{CheckedRow, IndexedId};

impl<'k> ChainChecker<'k> {
    fn no_row_for(&mut self, entry: &IndexedId) {
        self.add(
            FindingKind::MissingRows,
            entry.chain_seq,
            Some(&entry.id),
            format!("the id index records {} at position {}, the chain has no such row", entry.id, entry.chain_seq),
        );
    }

    /// Takes the index entries before `seq`, whose rows never came: a retired one stands in
    /// for its row (its recorded hash is the batch leaf and the next row's link); any other
    /// is a missing row.
    pub(super) fn retired_before(&mut self, seq: i64) {
        while self.ids.front().is_some_and(|e| e.chain_seq < seq) {
            let entry = self.ids.pop_front().expect("front exists");
            if !entry.retired || entry.chain_seq < self.next_seq {
                self.no_row_for(&entry);
                continue;
            }
            let pos = entry.chain_seq;
            self.arrive_at(pos);
            self.leaf(pos, &entry.id, &entry.content_sha256, None);
            self.retired += 1;
            self.prev_sha = Some(entry.content_sha256);
            self.after_gap = false;
            self.next_seq = pos + 1;
        }
    }

    /// Matches id index entries up to `seq` against the row at `seq`.
    pub(super) fn index_up_to(&mut self, seq: i64, row: Option<&CheckedRow>) {
        while let Some(entry) = self.ids.front() {
            if entry.chain_seq > seq {
                break;
            }
            let entry = self.ids.pop_front().expect("front exists");
            match row {
                Some(r) if entry.chain_seq == seq => {
                    if entry.id != r.id || entry.content_sha256 != r.content_sha256 {
                        self.add(
                            FindingKind::ContentMismatch,
                            seq,
                            Some(&r.id),
                            format!(
                                "the id index records id {} with content_sha256 {} at this position",
                                entry.id, entry.content_sha256
                            ),
                        );
                    }
                }
                _ => self.no_row_for(&entry),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tamper::fixtures::{batches, chain, setup};

    /// Rows 4..=7 dropped by retention (`retired` marks which index entries say so).
    fn retire(retired: bool, forge_index: bool) -> (Vec<(FindingKind, i64)>, u64) {
        let (hmac, head, keys) = setup();
        let rows = chain(&hmac, 10);
        let b = batches(&rows, &head, 3);
        let mut c = ChainChecker::new(3, 1, None, b, &keys);
        c.ids(rows.iter().map(|r| IndexedId {
            id: r.id.clone(),
            chain_seq: r.chain_seq,
            content_sha256: if forge_index && r.chain_seq == 6 { "ab".repeat(32) } else { r.content_sha256.clone() },
            retired: retired && (4..=7).contains(&r.chain_seq),
        }));
        for r in rows.into_iter().filter(|r| !(4..=7).contains(&r.chain_seq)) {
            c.row(r);
        }
        let retired = c.retired;
        (c.finish(10).into_iter().map(|f| (f.kind, f.position().map_or(0, |p| p.1))).collect(), retired)
    }

    #[test]
    fn retired_positions_keep_the_chain_and_its_signed_heads_whole() {
        assert_eq!(retire(true, false), (vec![], 4));
    }

    #[test]
    fn positions_dropped_without_a_retention_record_are_missing() {
        let (found, retired) = retire(false, false);
        assert_eq!(retired, 0);
        assert!(found.contains(&(FindingKind::MissingRows, 4)), "{found:?}");
        assert!(found.contains(&(FindingKind::HeadSignatureInvalid, 4)), "{found:?}");
    }

    #[test]
    fn a_forged_index_entry_of_a_retired_row_breaks_its_batch_and_the_next_link() {
        let (found, _) = retire(true, true);
        // Position 6 ends the batch 4..=6: its signed head and Merkle root no longer match.
        assert!(found.contains(&(FindingKind::HeadSignatureInvalid, 4)), "{found:?}");
        assert!(!found.iter().any(|f| f.0 == FindingKind::MissingRows), "{found:?}");
    }
}
