//! Completeness markers (SPEC §4): per chain, a sequence of manifests, each listing the files
//! of one ledger segment with their SHA-256 and row counts, the ledger head they cover, and
//! the SHA-256 of the previous manifest's bytes; each signed with the Ed25519 export key.
//!
//! A manifest's bytes are a pure function of what it describes (no wall clock: `planned_at`
//! is the time recorded with the segment plan), so re-writing it after a crash is harmless.

use auditflow_schemas::signer::{signature_valid, Signer};
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Format tag of a manifest body.
pub const MANIFEST_FORMAT: &str = "auditflow-export-manifest-v1";
/// Format tag of a watermark body.
pub const WATERMARK_FORMAT: &str = "auditflow-export-watermark-v1";

fn signed_bytes(domain: &str, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(domain.len() + 1 + body.len());
    m.extend_from_slice(domain.as_bytes());
    m.push(b'\n');
    m.extend_from_slice(body);
    m
}

/// One data file of a segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    /// Key relative to the archive prefix.
    pub path: String,
    /// SHA-256 of the object's bytes, hex.
    pub sha256: String,
    /// Rows in the file.
    pub rows: u64,
    /// Size in bytes.
    pub bytes: u64,
    /// Lowest `chain_seq` in the file.
    pub min_chain_seq: i64,
    /// Highest `chain_seq` in the file.
    pub max_chain_seq: i64,
}

/// The ledger chain head a manifest brings the archive up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerHead {
    /// `chain_seq` of the last row covered.
    pub chain_seq: i64,
    /// Its `content_sha256`.
    pub content_sha256: String,
    /// Its `chain_hmac`.
    pub chain_hmac: String,
}

/// What a manifest says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`MANIFEST_FORMAT`].
    pub format: String,
    /// Ledger chain.
    pub chain_id: i32,
    /// The zone every row of the segment belongs to (every chain since migration 8), so a
    /// zone's auditor finds its manifests; none for a chain of several zones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_id: Option<String>,
    /// Position of this manifest in the chain's sequence (1, 2, …).
    pub seq: i64,
    /// SHA-256 of the previous manifest object's bytes (none for the first).
    pub prev_manifest_sha256: Option<String>,
    /// First ledger `chain_seq` covered.
    pub from_chain_seq: i64,
    /// Last ledger `chain_seq` covered.
    pub to_chain_seq: i64,
    /// Rows in all files (= `to - from + 1`).
    pub rows: u64,
    /// The ledger chain head at `to_chain_seq`.
    pub ledger_head: LedgerHead,
    /// The newest signed batch head at or before `to_chain_seq` (`audit_ledger_batches`),
    /// anchored outside the database under the export key too (none for a ledger written
    /// before signed heads existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_head: Option<auditflow_schemas::tamper::SignedBatch>,
    /// When the segment was planned (recorded in Postgres), RFC 3339 UTC.
    pub planned_at: String,
    /// The files, sorted by path.
    pub files: Vec<ManifestFile>,
    /// Id of the signing key.
    pub key_id: String,
}

/// A manifest with its signature: the object stored at
/// [`manifest_key`](super::layout::manifest_key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedManifest {
    /// The body.
    pub manifest: Manifest,
    /// Ed25519 over `auditflow-export-manifest-v1\n` + the body's compact JSON, hex.
    pub signature: String,
}

/// How far a chain's archive is complete: the object at
/// [`watermark_key`](super::layout::watermark_key), rewritten after each manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Watermark {
    /// [`WATERMARK_FORMAT`].
    pub format: String,
    /// Ledger chain.
    pub chain_id: i32,
    /// Last complete manifest.
    pub manifest_seq: i64,
    /// Ledger rows of the chain up to here are archived.
    pub to_chain_seq: i64,
    /// SHA-256 of that manifest's bytes.
    pub manifest_sha256: Option<String>,
    /// Id of the signing key.
    pub key_id: String,
}

/// A watermark with its signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedWatermark {
    /// The body.
    pub watermark: Watermark,
    /// Ed25519 over `auditflow-export-watermark-v1\n` + the body's compact JSON, hex.
    pub signature: String,
}

fn body_json<T: Serialize>(body: &T) -> Vec<u8> {
    // Serializing plain structs of strings and integers cannot fail.
    serde_json::to_vec(body).unwrap_or_default()
}

/// Signs a manifest and renders the object bytes.
pub fn sign_manifest(signer: &Signer, manifest: Manifest) -> Vec<u8> {
    let signature = signer.sign_hex(&signed_bytes(MANIFEST_FORMAT, &body_json(&manifest)));
    let mut bytes = serde_json::to_vec_pretty(&SignedManifest { manifest, signature }).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Signs a watermark and renders the object bytes.
pub fn sign_watermark(signer: &Signer, watermark: Watermark) -> Vec<u8> {
    let signature = signer.sign_hex(&signed_bytes(WATERMARK_FORMAT, &body_json(&watermark)));
    let mut bytes = serde_json::to_vec_pretty(&SignedWatermark { watermark, signature }).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Why a manifest or watermark object was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The bytes are not a signed manifest (or watermark) document.
    #[error("not a {what}: {message}")]
    NotADocument {
        /// `manifest` or `watermark`.
        what: &'static str,
        /// The parser's message.
        message: String,
    },
    /// A format this version does not know.
    #[error("unknown manifest format {0:?}")]
    UnknownFormat(String),
    /// No trusted key signed it.
    #[error("signature does not verify under any trusted export key")]
    Signature,
}

fn check_signature(domain: &str, body: &[u8], signature_hex: &str, trusted: &[VerifyingKey]) -> Result<(), OpenError> {
    let message = signed_bytes(domain, body);
    if trusted.iter().any(|k| signature_valid(k, &message, signature_hex)) {
        Ok(())
    } else {
        Err(OpenError::Signature)
    }
}

/// Parses a manifest object and checks its signature against the trusted keys.
pub fn open_manifest(bytes: &[u8], trusted: &[VerifyingKey]) -> Result<Manifest, OpenError> {
    let signed: SignedManifest = serde_json::from_slice(bytes)
        .map_err(|e| OpenError::NotADocument { what: "manifest", message: e.to_string() })?;
    if signed.manifest.format != MANIFEST_FORMAT {
        return Err(OpenError::UnknownFormat(signed.manifest.format));
    }
    check_signature(MANIFEST_FORMAT, &body_json(&signed.manifest), &signed.signature, trusted)?;
    Ok(signed.manifest)
}

/// Parses a watermark object and checks its signature against the trusted keys.
pub fn open_watermark(bytes: &[u8], trusted: &[VerifyingKey]) -> Result<Watermark, OpenError> {
    let signed: SignedWatermark = serde_json::from_slice(bytes)
        .map_err(|e| OpenError::NotADocument { what: "watermark", message: e.to_string() })?;
    check_signature(WATERMARK_FORMAT, &body_json(&signed.watermark), &signed.signature, trusted)?;
    Ok(signed.watermark)
}

/// SHA-256 of bytes, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use auditflow_schemas::signer::KeyRole;

    fn manifest() -> Manifest {
        Manifest {
            format: MANIFEST_FORMAT.into(),
            chain_id: 1,
            zone_id: None,
            seq: 1,
            prev_manifest_sha256: None,
            from_chain_seq: 1,
            to_chain_seq: 2,
            rows: 2,
            ledger_head: LedgerHead { chain_seq: 2, content_sha256: "aa".into(), chain_hmac: "bb".into() },
            signed_head: None,
            planned_at: "2026-01-01T00:00:00.000000Z".into(),
            files: vec![],
            key_id: "k".into(),
        }
    }

    #[test]
    fn a_signed_manifest_opens_and_an_edited_one_does_not() {
        let signer = Signer::from_seed(KeyRole::Export, [7; 32]);
        let bytes = sign_manifest(&signer, manifest());
        assert_eq!(open_manifest(&bytes, &[signer.public_key()]).unwrap(), manifest());
        assert_eq!(bytes, sign_manifest(&signer, manifest()), "signing is deterministic");
        let edited = String::from_utf8(bytes).unwrap().replace("\"rows\": 2", "\"rows\": 3");
        assert_eq!(open_manifest(edited.as_bytes(), &[signer.public_key()]).unwrap_err(), OpenError::Signature);
        let other = Signer::from_seed(KeyRole::Export, [8; 32]);
        let bytes = sign_manifest(&other, manifest());
        assert!(open_manifest(&bytes, &[signer.public_key()]).is_err());
    }
}
