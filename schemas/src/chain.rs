//! Ledger hash chains and the new / duplicate / tamper decision for a batch.
//!
//! Each zone is one chain (`chain_id` from `audit_zone_chains`; a ledger written before
//! chains were per zone also has closed chains of one shard each). Row `n` of a chain has
//! `chain_seq = n` (from 1), `prev_content_sha256` = the `content_sha256` of row `n-1`
//! (`NULL` for row 1), and `chain_hmac` = HMAC-SHA256 under the *ledger* key (never a
//! producer key) over
//!
//! ```text
//! auditflow-chain-v1 \n <chain_id> \n <chain_seq> \n <prev_content_sha256 or empty> \n <content_sha256>
//! ```
//!
//! Only rows that are really new get a position: an id already stored with the same
//! content is a harmless duplicate, with other content a `tamper_on_replay`.

use crate::VerifiedEvent;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;

/// The last row of a chain as recorded in its watermark.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChainHead {
    /// `chain_seq` of the last row, 0 for an empty chain.
    pub seq: i64,
    /// `content_sha256` of the last row.
    pub content_sha256: Option<String>,
}

/// The ledger HMAC key.
#[derive(Clone)]
pub struct LedgerKey {
    /// Key id recorded with what it signs, so the key can be rotated.
    pub id: String,
    /// The keyed HMAC state, cloned per use (saves hashing the key pads every row).
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for LedgerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LedgerKey").field("id", &self.id).finish_non_exhaustive()
    }
}

impl LedgerKey {
    /// A ledger key from raw secret bytes (at least 32).
    pub fn new(id: impl Into<String>, secret: Vec<u8>) -> Option<Self> {
        if secret.len() < 32 {
            return None;
        }
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(&secret).ok()?;
        Some(LedgerKey { id: id.into(), mac })
    }

    /// The chain HMAC of one position, lowercase hex.
    pub fn chain_hmac(&self, chain_id: u32, seq: i64, prev: Option<&str>, content_sha256: &str) -> String {
        let mut mac = self.mac.clone();
        let numbers = itoa_pair(chain_id, seq);
        mac.update(b"auditflow-chain-v1\n");
        mac.update(numbers.as_bytes());
        mac.update(prev.unwrap_or("").as_bytes());
        mac.update(b"\n");
        mac.update(content_sha256.as_bytes());
        crate::canonical::lower_hex(mac.finalize().into_bytes())
    }
}

/// `<chain_id>\n<seq>\n`.
fn itoa_pair(chain_id: u32, seq: i64) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(24);
    let _ = write!(s, "{chain_id}\n{seq}\n");
    s
}

/// A new row with its chain position.
#[derive(Clone, Debug)]
pub struct ChainedRow {
    /// Index of the event in the planned slice.
    pub index: usize,
    /// Its position.
    pub chain_seq: i64,
    /// Content hash of the previous row.
    pub prev_content_sha256: Option<String>,
    /// HMAC of the position under the ledger key.
    pub chain_hmac: String,
}

/// A re-delivered id whose content differs from what is stored.
#[derive(Clone, Debug)]
pub struct Tamper {
    /// Index of the replayed event (not stored) in the planned slice.
    pub index: usize,
    /// `content_sha256` of the row already stored (or accepted earlier in the batch).
    pub stored_content_sha256: String,
}

/// What to do with one batch of a shard.
#[derive(Debug, Default)]
pub struct BatchPlan {
    /// Rows to insert, in chain order.
    pub new_rows: Vec<ChainedRow>,
    /// Identical re-deliveries: acknowledged, not stored.
    pub duplicates: usize,
    /// Re-deliveries with other content.
    pub tampers: Vec<Tamper>,
    /// Head after the new rows.
    pub head: ChainHead,
}

/// Decides, for events of one chain in arrival order, which are new (and links them after
/// `head`), which are duplicates and which are tampered replays. `stored` maps ids already
/// in the ledger to their `content_sha256`. Without a `key` the rows get an empty
/// `chain_hmac` (only for measuring what chaining costs).
pub fn plan_batch(
    chain_id: u32,
    head: ChainHead,
    events: &[VerifiedEvent],
    stored: &HashMap<String, String>,
    key: Option<&LedgerKey>,
) -> BatchPlan {
    let mut plan = BatchPlan { head, ..BatchPlan::default() };
    let mut accepted: HashMap<&str, &str> = HashMap::new();
    for (index, event) in events.iter().enumerate() {
        let known =
            stored.get(&event.event.id).map(String::as_str).or_else(|| accepted.get(event.event.id.as_str()).copied());
        match known {
            Some(sha) if sha == event.content_sha256 => plan.duplicates += 1,
            Some(sha) => plan.tampers.push(Tamper { stored_content_sha256: sha.to_owned(), index }),
            None => {
                let seq = plan.head.seq + 1;
                let prev = plan.head.content_sha256.take();
                // No key: the benchmark's "without chaining" baseline (never in production).
                let chain_hmac = key
                    .map(|k| k.chain_hmac(chain_id, seq, prev.as_deref(), &event.content_sha256))
                    .unwrap_or_default();
                plan.head = ChainHead { seq, content_sha256: Some(event.content_sha256.clone()) };
                accepted.insert(&event.event.id, &event.content_sha256);
                plan.new_rows.push(ChainedRow { index, chain_seq: seq, prev_content_sha256: prev, chain_hmac });
            }
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyring::Keyring;
    use crate::wire::{decode, Limits, StreamEntry};

    fn event(id: &str, decision: &str) -> VerifiedEvent {
        let ring = Keyring::single_hex("k", &"ab".repeat(32)).unwrap();
        let data = format!(
            r#"{{"id":"{id}","zone_id":"z","event_type":"t","decision":"{decision}","occurred_at":"2026-01-01T00:00:00Z"}}"#
        );
        let sig = ring.sign("k", data.as_bytes()).unwrap();
        decode(
            &StreamEntry::new("1-0", vec![("data".into(), data.into()), ("sig".into(), sig.into())]),
            &ring,
            &Limits::default(),
        )
        .unwrap()
    }

    #[test]
    fn links_new_rows_and_separates_duplicates_from_tampers() {
        let key = LedgerKey::new("l1", vec![7; 32]).unwrap();
        let stored: HashMap<String, String> = [("old".to_string(), event("old", "allow").content_sha256)].into();
        let head = ChainHead { seq: 4, content_sha256: Some("h4".into()) };
        let events = [("a", "allow"), ("old", "allow"), ("old", "deny"), ("b", "deny"), ("a", "allow"), ("a", "deny")]
            .map(|(id, d)| event(id, d));
        let plan = plan_batch(3, head, &events, &stored, Some(&key));
        let seqs: Vec<_> = plan.new_rows.iter().map(|r| (events[r.index].event.id.as_str(), r.chain_seq)).collect();
        assert_eq!(seqs, vec![("a", 5), ("b", 6)]);
        assert_eq!(plan.new_rows[0].prev_content_sha256.as_deref(), Some("h4"));
        assert_eq!(plan.new_rows[1].prev_content_sha256.as_deref(), Some(events[0].content_sha256.as_str()));
        assert_eq!(plan.duplicates, 2);
        assert_eq!(plan.tampers.iter().map(|t| t.index).collect::<Vec<_>>(), vec![2, 5]);
        assert_eq!(plan.head.seq, 6);
        assert_eq!(plan.new_rows[0].chain_hmac, key.chain_hmac(3, 5, Some("h4"), &events[0].content_sha256));
    }
}
