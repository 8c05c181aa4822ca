//! The keys of delegation trees that left memory: a fixed-size Bloom filter, so that what
//! the views remember about retired trees stays the same size however long they run.
//!
//! A key found here may belong to a retired tree (or be a false positive); a row touching
//! one is checked against the stored views and the ledger ([`super::Held::Check`]). A false
//! positive costs a look-up, never a wrong answer, because the check is complete on its own.
//! A key not found here was never retired.

/// The filter's size in bytes: 4 MiB, 2^25 bits. With four probes, one key in a hundred is
/// a false positive once about 3.5 million keys (some 700 000 delegation trees of the
/// generator's shape) have retired; the fill is a metric (`auditflow_views_retired_filter_fill`).
pub const RETIRED_FILTER_BYTES: usize = 4 << 20;
const WORDS: usize = RETIRED_FILTER_BYTES / 8;
/// The filter is stored in pages of this many bytes: one statement each, so that no
/// connection's buffers grow to the whole filter (a pooled connection keeps them).
pub const RETIRED_PAGE_BYTES: usize = 256 << 10;
const PAGE_WORDS: usize = RETIRED_PAGE_BYTES / 8;
const PROBES: u64 = 4;

/// A 64-bit key of a node, edge or session of the delegation graph: FNV-1a over the kind,
/// the zone and the id. The filter is persisted, so this hash must never change (a library
/// hasher may change between versions, and a changed hash would forget retired trees).
pub fn graph_key(kind: u8, zone: &str, id: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    eat(&[kind]);
    eat(zone.as_bytes());
    eat(&[0xff]);
    eat(id.as_bytes());
    hash
}

/// The retired keys.
///
/// ```
/// use auditflow_operators::window::RetiredKeys;
/// let mut retired = RetiredKeys::default();
/// retired.insert(42);
/// assert!(retired.contains(42));
/// assert!(!retired.contains(43));
/// let mut copy = RetiredKeys::default();
/// for (page, bits) in retired.pages() {
///     assert!(copy.union_page(page, &bits));
/// }
/// assert!(copy.contains(42));
/// ```
#[derive(Clone)]
pub struct RetiredKeys {
    words: Vec<u64>,
    ones: u64,
}

impl Default for RetiredKeys {
    fn default() -> Self {
        RetiredKeys { words: vec![0; WORDS], ones: 0 }
    }
}

impl std::fmt::Debug for RetiredKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RetiredKeys {{ fill: {:.6} }}", self.fill())
    }
}

impl RetiredKeys {
    /// The bit positions of `key`: double hashing from the key's two halves (the key is
    /// already a hash).
    fn probes(key: u64) -> impl Iterator<Item = usize> {
        let bits = (WORDS * 64) as u64;
        let (a, b) = (key, key.rotate_left(32) | 1);
        (0..PROBES).map(move |i| (a.wrapping_add(i.wrapping_mul(b)) % bits) as usize)
    }

    /// Remembers `key`; true if it was not (certainly) there before.
    pub fn insert(&mut self, key: u64) -> bool {
        let mut added = false;
        for bit in Self::probes(key) {
            let (word, mask) = (bit / 64, 1u64 << (bit % 64));
            if self.words[word] & mask == 0 {
                self.words[word] |= mask;
                self.ones += 1;
                added = true;
            }
        }
        added
    }

    /// Whether `key` may have retired.
    pub fn contains(&self, key: u64) -> bool {
        self.ones > 0 && Self::probes(key).all(|bit| self.words[bit / 64] & (1u64 << (bit % 64)) != 0)
    }

    /// The share of bits set (the false-positive rate is about its fourth power).
    pub fn fill(&self) -> f64 {
        self.ones as f64 / (WORDS * 64) as f64
    }

    /// The filter as stored in pages: (page, little-endian words).
    pub fn pages(&self) -> impl Iterator<Item = (usize, Vec<u8>)> + '_ {
        self.words.chunks(PAGE_WORDS).enumerate().map(|(i, w)| (i, w.iter().flat_map(|w| w.to_le_bytes()).collect()))
    }

    /// Adds the keys of a stored page; false if it is not one of this filter's pages.
    pub fn union_page(&mut self, page: usize, bytes: &[u8]) -> bool {
        if bytes.len() != RETIRED_PAGE_BYTES || page >= WORDS / PAGE_WORDS {
            return false;
        }
        for (i, chunk) in bytes.chunks_exact(8).enumerate() {
            let word = &mut self.words[page * PAGE_WORDS + i];
            let theirs = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
            self.ones += u64::from((theirs & !*word).count_ones());
            *word |= theirs;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable_and_distinct_by_kind_and_zone() {
        // The persisted filter depends on these values never changing.
        assert_eq!(graph_key(0, "z", "a"), graph_key(0, "z", "a"));
        assert_ne!(graph_key(0, "z", "a"), graph_key(1, "z", "a"));
        assert_ne!(graph_key(0, "z", "a"), graph_key(0, "y", "a"));
        assert_ne!(graph_key(0, "za", ""), graph_key(0, "z", "a"));
    }

    #[test]
    fn false_positives_stay_rare_at_a_hundred_thousand_keys() {
        let mut retired = RetiredKeys::default();
        for i in 0..100_000u32 {
            retired.insert(graph_key(0, "zone", &format!("as-{i}")));
        }
        let wrong = (0..100_000u32).filter(|i| retired.contains(graph_key(0, "zone", &format!("other-{i}")))).count();
        assert!(wrong < 10, "{wrong} false positives in 100k");
        assert!((0..100_000u32).all(|i| retired.contains(graph_key(0, "zone", &format!("as-{i}")))));
    }

    #[test]
    fn pages_round_trip() {
        let mut retired = RetiredKeys::default();
        for key in [1u64, 1 << 40, u64::MAX] {
            retired.insert(key);
        }
        let mut copy = RetiredKeys::default();
        for (page, bytes) in retired.pages() {
            assert!(copy.union_page(page, &bytes));
        }
        assert!(copy.pages().eq(retired.pages()));
        assert_eq!(copy.fill(), retired.fill());
        assert!(!copy.union_page(16, &vec![0; RETIRED_PAGE_BYTES]));
    }

    #[test]
    fn union_of_pages_keeps_both_filters() {
        let (mut a, mut b) = (RetiredKeys::default(), RetiredKeys::default());
        a.insert(1);
        b.insert(2);
        for (page, bytes) in b.pages() {
            assert!(a.union_page(page, &bytes));
        }
        assert!(a.contains(1) && a.contains(2));
        assert!(!a.union_page(0, &[0; 8]), "a page of another size");
    }
}
