//! Stable shard assignment: which writer a zone's chain belongs to.
//!
//! The hash is FNV-1a (64 bit) over the UTF-8 bytes of the zone id. Since chains are per
//! zone (migration 8), the shard only decides which worker writes a zone, so the shard count
//! may change between runs. Ledgers written before chains were per zone hashed the event id
//! the same way to pick its chain (`chain_id` = shard), which is why the hash must never
//! change; unlike timely's or differential's `Hashable` it does not depend on the Rust
//! version or platform.

/// FNV-1a 64-bit hash of some bytes.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The shard of a key (a zone id; an event id in ledgers whose chains were per shard), in
/// `0..shards`.
///
/// ```
/// use auditflow_schemas::shard::shard_of;
/// assert_eq!(shard_of("01JF8ZK5Q3TQ4V6W8X9Y0Z1A2B", 16), shard_of("01JF8ZK5Q3TQ4V6W8X9Y0Z1A2B", 16));
/// assert!(shard_of("anything", 16) < 16);
/// ```
pub fn shard_of(key: &str, shards: u32) -> u32 {
    (fnv1a64(key.as_bytes()) % u64::from(shards.max(1))) as u32
}

#[cfg(test)]
mod tests {
    #[test]
    fn fnv_reference_values() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(super::fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(super::fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(super::fnv1a64(b"foobar"), 0x85944171f73967e8);
    }
}
