//! Stable shard assignment: which ledger chain an event id belongs to.
//!
//! The hash is FNV-1a (64 bit) over the UTF-8 bytes of the event id. It is part of the
//! persisted format (chains are per shard), so it must never change; unlike timely's or
//! differential's `Hashable` it does not depend on the Rust version or platform.

/// FNV-1a 64-bit hash of some bytes.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The ledger shard (= chain id) of an event id, in `0..shards`.
///
/// ```
/// use auditflow_schemas::shard::shard_of;
/// assert_eq!(shard_of("01JF8ZK5Q3TQ4V6W8X9Y0Z1A2B", 16), shard_of("01JF8ZK5Q3TQ4V6W8X9Y0Z1A2B", 16));
/// assert!(shard_of("anything", 16) < 16);
/// ```
pub fn shard_of(event_id: &str, shards: u32) -> u32 {
    (fnv1a64(event_id.as_bytes()) % u64::from(shards.max(1))) as u32
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
