//! The one Ed25519 signer of auditflow. The ledger's batch heads and the archive's manifests
//! and watermarks are signed the same way, by keys of two roles that differ only in the
//! prefix of their id.
//!
//! Invariants:
//!
//! * a key id is the role's prefix, `-`, and the first 12 hex digits of the SHA-256 of the
//!   32-byte public key ([`key_id`]): `head-…` for ledger heads, `export-…` for the archive;
//! * a signature is stored as the hex of the 64-byte Ed25519 signature of the message
//!   bytes; what the message is belongs to the caller (a batch head's signed message, a
//!   manifest's domain and body).
//!
//! ```
//! use auditflow_schemas::signer::{signature_valid, KeyRole, Signer};
//!
//! let signer = Signer::from_seed(KeyRole::Export, [7; 32]);
//! assert!(signer.id().starts_with("export-"));
//! let signature = signer.sign_hex(b"message");
//! assert!(signature_valid(&signer.public_key(), b"message", &signature));
//! assert!(!signature_valid(&signer.public_key(), b"other", &signature));
//! ```

use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

/// What a key signs, which names its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRole {
    /// The ledger's batch heads (`audit_ledger_batches`).
    Head,
    /// The archive's manifests and watermarks.
    Export,
}

impl KeyRole {
    fn prefix(self) -> &'static str {
        match self {
            KeyRole::Head => "head",
            KeyRole::Export => "export",
        }
    }
}

/// The id of a public key in `role`: the role's prefix and the first 12 hex digits of the
/// key's SHA-256.
pub fn key_id(role: KeyRole, public: &VerifyingKey) -> String {
    format!("{}-{}", role.prefix(), &hex::encode(Sha256::digest(public.as_bytes()))[..12])
}

/// An Ed25519 signing key with its id. Its `Debug` shows the id only.
#[derive(Clone)]
pub struct Signer {
    key: SigningKey,
    id: String,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").field("id", &self.id).finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer of `role` from a 32-byte Ed25519 seed.
    pub fn from_seed(role: KeyRole, seed: [u8; 32]) -> Self {
        let key = SigningKey::from_bytes(&seed);
        let id = key_id(role, &key.verifying_key());
        Signer { key, id }
    }

    /// The key id stored beside every signature.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The public half (what `verify` and `verify-export` trust).
    pub fn public_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// Signs `message`; hex.
    pub fn sign_hex(&self, message: &[u8]) -> String {
        hex::encode(self.key.sign(message).to_bytes())
    }
}

/// Whether `signature_hex` is `public`'s signature of `message`.
pub fn signature_valid(public: &VerifyingKey, message: &[u8], signature_hex: &str) -> bool {
    let Ok(raw) = hex::decode(signature_hex) else { return false };
    let Ok(signature) = Signature::from_slice(&raw) else { return false };
    public.verify(message, &signature).is_ok()
}
