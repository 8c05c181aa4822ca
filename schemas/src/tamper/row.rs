//! A ledger row and an id-index entry as the chain checker receives them, and the decoding
//! of a `content_sha256` into a Merkle leaf.

/// Decodes a lowercase hex SHA-256; `None` when it is not 64 hex digits.
pub fn sha256_bytes(hex_digest: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_digest, &mut out).ok()?;
    Some(out)
}

/// One ledger row as the checker sees it.
#[derive(Clone, Debug)]
pub struct CheckedRow {
    /// Event id.
    pub id: String,
    /// Position.
    pub chain_seq: i64,
    /// `content_sha256` as stored.
    pub content_sha256: String,
    /// `content_sha256` recomputed from the row's columns (`None`: the columns could not
    /// be read back into an event, reported as a content mismatch).
    pub recomputed_sha256: Option<String>,
    /// `prev_content_sha256` as stored.
    pub prev_content_sha256: Option<String>,
    /// `chain_hmac` as stored.
    pub chain_hmac: String,
}

/// An entry of the id index (`audit_event_ids`).
#[derive(Clone, Debug)]
pub struct IndexedId {
    /// Event id.
    pub id: String,
    /// Position the index records.
    pub chain_seq: i64,
    /// `content_sha256` the index records.
    pub content_sha256: String,
    /// Whether retention dropped the month this event belongs to (its event time falls in
    /// a recorded drop). When its row is absent the position counts as retired, not
    /// missing: its leaf comes from the index and links the chain on.
    pub retired: bool,
}
