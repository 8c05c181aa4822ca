//! What `auditflow verify` reports: a [`Finding`] of one [`FindingKind`] at one position of
//! one chain.
//!
//! Invariants:
//!
//! * the names of the kinds ([`FindingKind::as_str`], and the same snake_case names in
//!   serde) are printed and stored: they are a stable interface;
//! * the order of the variants is the tie-break order of findings at the same position
//!   (`ChainChecker::finish` sorts by `chain_seq`, then kind);
//! * `chain_seq` is the position concerned, the first one for a range.

/// The kinds of finding `auditflow verify` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A row's `content_sha256` is not the hash of its own columns (a column was edited).
    ContentMismatch,
    /// A row's `prev_content_sha256` is not the previous row's `content_sha256`, or positions
    /// are out of order.
    ChainBreak,
    /// A row's `chain_hmac` does not verify under the ledger key of its batch.
    HmacMismatch,
    /// Positions (or ids the id index knows) are missing from the chain.
    MissingRows,
    /// Rows that no signed head covers, a position held twice, or rows the id index does not know.
    ExtraRows,
    /// A batch's signature does not verify under a trusted head key, or the rows no longer
    /// match the Merkle root or head it signed.
    HeadSignatureInvalid,
    /// The ledger differs from what the signed archive manifests recorded (`--against-archive`).
    ArchiveMismatch,
}

impl FindingKind {
    /// The name printed and stored (`content_mismatch`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::ContentMismatch => "content_mismatch",
            FindingKind::ChainBreak => "chain_break",
            FindingKind::HmacMismatch => "hmac_mismatch",
            FindingKind::MissingRows => "missing_rows",
            FindingKind::ExtraRows => "extra_rows",
            FindingKind::HeadSignatureInvalid => "head_signature_invalid",
            FindingKind::ArchiveMismatch => "archive_mismatch",
        }
    }
}

impl std::fmt::Display for FindingKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem `verify` found.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// What is wrong.
    pub kind: FindingKind,
    /// Chain.
    pub chain_id: i32,
    /// The position concerned (the first one, for a range).
    pub chain_seq: i64,
    /// The row's id, when known.
    pub row_id: Option<String>,
    /// What was expected and found.
    pub detail: String,
}
