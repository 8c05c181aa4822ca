//! What the checks report: a [`Finding`] of one [`FindingKind`], at one position of one
//! chain (`auditflow verify`, `verify --against-archive`) or at one object (an archive file or
//! manifest for `verify-export`; a table, role or function for `verify --privileges`). One
//! type for all of them, so every command prints, counts and serialises findings alike.
//!
//! Invariants:
//!
//! * the names of the kinds ([`FindingKind::as_str`], and the same snake_case names in
//!   serde) are printed and stored: they are a stable interface;
//! * the order of the variants is the tie-break order of findings at the same position
//!   (`ChainChecker::finish` sorts by `chain_seq`, then kind);
//! * `chain_seq` is the position concerned, the first one for a range;
//! * serialised, a finding is `{kind, chain_id, chain_seq, row_id, detail}` at a position and
//!   `{kind, object, detail}` at an object (the shapes `--json` has always printed).

/// The kinds of finding. Ledger kinds first: their order is the tie-break of findings at
/// one position.
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
    /// Rows that no signed head covers, a position held twice, or rows the id index does not
    /// know.
    ExtraRows,
    /// A batch's signature does not verify under a trusted head key, or the rows no longer
    /// match the Merkle root or head it signed.
    HeadSignatureInvalid,
    /// The ledger differs from what the signed archive manifests recorded (`--against-
    /// archive`).
    ArchiveMismatch,
    // The archive against the ledger (`verify-export`).
    /// An archived file's SHA-256 is not the one its manifest lists.
    FileHashMismatch,
    /// A file is listed by more than one manifest.
    FileListedTwice,
    /// A file a manifest lists is not in the store.
    FileMissing,
    /// A file holds another number of rows than its manifest lists.
    FileRowCount,
    /// A file has another size than its manifest lists (`verify-archive`).
    FileSizeMismatch,
    /// A file is not readable Parquet of the archive's schema.
    FileUnreadable,
    /// A manifest does not name its predecessor's SHA-256.
    ManifestChainBroken,
    /// A manifest is not a signed manifest of a trusted key.
    ManifestInvalid,
    /// The newest manifest is not the one Postgres recorded.
    ManifestMismatch,
    /// A manifest is stored under another chain's or position's key.
    ManifestMisplaced,
    /// A manifest the chain of manifests needs is not in the store.
    ManifestMissing,
    /// Consecutive manifests do not cover contiguous ledger ranges.
    ManifestRangeGap,
    /// A manifest's files hold another number of rows than its range.
    ManifestRowCount,
    /// An archived row lies past the export watermark.
    RowBeyondWatermark,
    /// An archived row's id or content hash differs from the ledger's.
    RowContentMismatch,
    /// A ledger position is archived more than once.
    RowDuplicated,
    /// A ledger row up to the watermark is in no archived file.
    RowMissing,
    /// An archived row is at a position the ledger does not hold.
    RowNotInLedger,
    /// A file holds a row outside its manifest's range.
    RowOutOfSegment,
    /// A manifest beyond the export watermark with no recorded segment.
    UnexpectedManifest,
    /// An object under the archive's table folder that no manifest lists.
    UnexpectedObject,
    /// The store's watermark object is not signed by a trusted key.
    WatermarkInvalid,
    /// The store's watermark disagrees with Postgres's.
    WatermarkMismatch,
    // The database's grants and triggers (`verify --privileges`).
    /// The writer role does not exist.
    WriterRoleMissing,
    /// The writer role is a superuser, bypasses row security or creates roles.
    WriterRoleTooPowerful,
    /// A role may change evidence (UPDATE, DELETE, TRUNCATE, …).
    GrantTooWide,
    /// The writer role lacks a grant it needs.
    GrantMissing,
    /// An append-only trigger is missing.
    TriggerMissing,
    /// An append-only trigger is disabled.
    TriggerDisabled,
    /// A function the triggers rely on can be changed by others.
    FunctionUnsafe,
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
            FindingKind::FileHashMismatch => "file_hash_mismatch",
            FindingKind::FileListedTwice => "file_listed_twice",
            FindingKind::FileMissing => "file_missing",
            FindingKind::FileRowCount => "file_row_count",
            FindingKind::FileSizeMismatch => "file_size_mismatch",
            FindingKind::FileUnreadable => "file_unreadable",
            FindingKind::ManifestChainBroken => "manifest_chain_broken",
            FindingKind::ManifestInvalid => "manifest_invalid",
            FindingKind::ManifestMismatch => "manifest_mismatch",
            FindingKind::ManifestMisplaced => "manifest_misplaced",
            FindingKind::ManifestMissing => "manifest_missing",
            FindingKind::ManifestRangeGap => "manifest_range_gap",
            FindingKind::ManifestRowCount => "manifest_row_count",
            FindingKind::RowBeyondWatermark => "row_beyond_watermark",
            FindingKind::RowContentMismatch => "row_content_mismatch",
            FindingKind::RowDuplicated => "row_duplicated",
            FindingKind::RowMissing => "row_missing",
            FindingKind::RowNotInLedger => "row_not_in_ledger",
            FindingKind::RowOutOfSegment => "row_out_of_segment",
            FindingKind::UnexpectedManifest => "unexpected_manifest",
            FindingKind::UnexpectedObject => "unexpected_object",
            FindingKind::WatermarkInvalid => "watermark_invalid",
            FindingKind::WatermarkMismatch => "watermark_mismatch",
            FindingKind::WriterRoleMissing => "writer_role_missing",
            FindingKind::WriterRoleTooPowerful => "writer_role_too_powerful",
            FindingKind::GrantTooWide => "grant_too_wide",
            FindingKind::GrantMissing => "grant_missing",
            FindingKind::TriggerMissing => "trigger_missing",
            FindingKind::TriggerDisabled => "trigger_disabled",
            FindingKind::FunctionUnsafe => "function_unsafe",
        }
    }
}

impl std::fmt::Display for FindingKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a finding is.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum Place {
    /// A position of a ledger chain.
    Position {
        /// Chain.
        chain_id: i32,
        /// The position concerned (the first one, for a range).
        chain_seq: i64,
        /// The row's id, when known.
        row_id: Option<String>,
    },
    /// An object: an archive key, or a table, role or function of the database.
    Object {
        /// Its name.
        object: String,
    },
}

/// One problem a check found.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// What is wrong.
    pub kind: FindingKind,
    /// Where.
    #[serde(flatten)]
    pub place: Place,
    /// What was expected and found.
    pub detail: String,
}

impl Finding {
    /// A finding at a position of a chain.
    pub fn at_position(
        kind: FindingKind,
        chain_id: i32,
        chain_seq: i64,
        row_id: Option<String>,
        detail: impl Into<String>,
    ) -> Self {
        Finding { kind, place: Place::Position { chain_id, chain_seq, row_id }, detail: detail.into() }
    }

    /// A finding at an object.
    pub fn at_object(kind: FindingKind, object: impl Into<String>, detail: impl Into<String>) -> Self {
        Finding { kind, place: Place::Object { object: object.into() }, detail: detail.into() }
    }

    /// `(chain, position)`, for a finding at a position.
    pub fn position(&self) -> Option<(i32, i64)> {
        match self.place {
            Place::Position { chain_id, chain_seq, .. } => Some((chain_id, chain_seq)),
            Place::Object { .. } => None,
        }
    }

    /// The row's id, when known.
    pub fn row_id(&self) -> Option<&str> {
        match &self.place {
            Place::Position { row_id, .. } => row_id.as_deref(),
            Place::Object { .. } => None,
        }
    }
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Position { chain_id, chain_seq, row_id: Some(id) } => {
                write!(f, "chain {chain_id} position {chain_seq} row {id}")
            }
            Place::Position { chain_id, chain_seq, row_id: None } => write!(f, "chain {chain_id} position {chain_seq}"),
            Place::Object { object } => f.write_str(object),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_places_serialise_as_they_always_have() {
        let at = Finding::at_position(FindingKind::ChainBreak, 3, 7, None, "d");
        assert_eq!(
            serde_json::to_value(&at).unwrap(),
            serde_json::json!({"kind": "chain_break", "chain_id": 3, "chain_seq": 7, "row_id": null, "detail": "d"})
        );
        let object = Finding::at_object(FindingKind::FileMissing, "audit_events/x.parquet", "gone");
        assert_eq!(
            serde_json::to_value(&object).unwrap(),
            serde_json::json!({"kind": "file_missing", "object": "audit_events/x.parquet", "detail": "gone"})
        );
    }
}
