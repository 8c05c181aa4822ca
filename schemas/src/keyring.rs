//! Producer HMAC keys: which keys verify the `sig` of stream entries.

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Minimum secret length in bytes (SPEC §1: hex, >= 32 bytes).
pub const MIN_SECRET_BYTES: usize = 32;

/// Whether a key still signs new events or only verifies old ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyState {
    /// Verifies, and is the one producers (and `auditflow emit`) sign with.
    Active,
    /// Verifies events signed before rotation; never used to sign.
    Retired,
}

/// One key as written in a keyring file (`[[keys]] id = "…" secret = "<hex>" state = "active"`).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySpec {
    /// Key id, matched against the entry's optional `kid` field.
    pub id: String,
    /// Secret as hex, at least 32 bytes.
    pub secret: String,
    /// `active` (default) or `retired`.
    #[serde(default = "active")]
    pub state: KeyState,
}

fn active() -> KeyState {
    KeyState::Active
}

impl std::fmt::Debug for KeySpec {
    // Secrets never reach logs or error messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySpec")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .field("state", &self.state)
            .finish()
    }
}

/// Why a keyring could not be built. Never contains secret material.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyringError {
    /// The secret of key `id` is not valid hex.
    #[error("key `{id}`: secret is not valid hex")]
    NotHex {
        /// Key id.
        id: String,
    },
    /// The secret of key `id` is shorter than 32 bytes.
    #[error("key `{id}`: secret is {len} bytes, at least {MIN_SECRET_BYTES} are required")]
    TooShort {
        /// Key id.
        id: String,
        /// Decoded length.
        len: usize,
    },
    /// Two keys share an id.
    #[error("key id `{id}` appears twice")]
    DuplicateId {
        /// Key id.
        id: String,
    },
    /// The ring has no key at all.
    #[error("the keyring is empty")]
    Empty,
}

#[derive(Clone)]
struct Key {
    id: String,
    secret: Vec<u8>,
    state: KeyState,
}

/// Result of checking a signature against the ring.
#[derive(Debug, PartialEq, Eq)]
pub enum VerifyOutcome {
    /// Verified by the key with this id.
    Verified(String),
    /// The entry named a key id the ring does not hold.
    UnknownKeyId,
    /// No key (or not the named one) produced this signature, or it is not 32 bytes of hex.
    Mismatch,
}

/// A set of producer verify keys.
#[derive(Clone)]
pub struct Keyring {
    keys: Vec<Key>,
    skip_verify: bool,
}

/// Key id recorded for events accepted by a ring built with [`Keyring::insecure_skip_verify`].
pub const UNVERIFIED_KEY_ID: &str = "insecure-skip-verify";

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.keys.iter().map(|k| (&k.id, k.state))).finish()
    }
}

impl Keyring {
    /// Builds a ring from key specs, checking hex, length and unique ids.
    pub fn new(specs: Vec<KeySpec>) -> Result<Self, KeyringError> {
        if specs.is_empty() {
            return Err(KeyringError::Empty);
        }
        let mut keys: Vec<Key> = Vec::with_capacity(specs.len());
        for spec in specs {
            let secret = hex::decode(spec.secret.trim()).map_err(|_| KeyringError::NotHex { id: spec.id.clone() })?;
            if secret.len() < MIN_SECRET_BYTES {
                return Err(KeyringError::TooShort { id: spec.id, len: secret.len() });
            }
            if keys.iter().any(|k| k.id == spec.id) {
                return Err(KeyringError::DuplicateId { id: spec.id });
            }
            keys.push(Key { id: spec.id, secret, state: spec.state });
        }
        Ok(Keyring { keys, skip_verify: false })
    }

    /// A ring that accepts every signature (`--insecure-skip-verify`). Events it accepts are
    /// stored with key id `insecure-skip-verify`, so they remain recognisable as unverified.
    pub fn insecure_skip_verify() -> Self {
        Keyring { keys: Vec::new(), skip_verify: true }
    }

    /// Whether this ring skips verification.
    pub fn skips_verification(&self) -> bool {
        self.skip_verify
    }

    /// A one-key ring, as `AUDIT_HMAC_KEY` gives (id `default` by convention).
    pub fn single_hex(id: &str, secret_hex: &str) -> Result<Self, KeyringError> {
        Self::new(vec![KeySpec { id: id.to_owned(), secret: secret_hex.to_owned(), state: KeyState::Active }])
    }

    /// Ids of the keys, in ring order.
    pub fn key_ids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|k| k.id.as_str())
    }

    /// The first active key's id, which signers use by default.
    pub fn active_key_id(&self) -> Option<&str> {
        self.keys.iter().find(|k| k.state == KeyState::Active).map(|k| k.id.as_str())
    }

    /// Lowercase hex HMAC-SHA256 of `data` under key `id`, or `None` for an unknown id.
    pub fn sign(&self, id: &str, data: &[u8]) -> Option<String> {
        let key = self.keys.iter().find(|k| k.id == id)?;
        let mut mac = HmacSha256::new_from_slice(&key.secret).ok()?;
        mac.update(data);
        Some(hex::encode(mac.finalize().into_bytes()))
    }

    /// Checks `sig_hex` (either case) over exactly `data`, with the named key or every key.
    ///
    /// The comparison is constant-time (`Mac::verify_slice`).
    pub fn verify(&self, data: &[u8], sig_hex: &str, kid: Option<&str>) -> VerifyOutcome {
        if self.skip_verify {
            return VerifyOutcome::Verified(UNVERIFIED_KEY_ID.to_owned());
        }
        let candidates: Vec<&Key> = match kid {
            Some(kid) => match self.keys.iter().find(|k| k.id == kid) {
                Some(k) => vec![k],
                None => return VerifyOutcome::UnknownKeyId,
            },
            None => self.keys.iter().collect(),
        };
        let Ok(sig) = hex::decode(sig_hex.trim()) else {
            return VerifyOutcome::Mismatch;
        };
        if sig.len() != 32 {
            return VerifyOutcome::Mismatch;
        }
        for key in candidates {
            let Ok(mut mac) = HmacSha256::new_from_slice(&key.secret) else {
                continue;
            };
            mac.update(data);
            if mac.verify_slice(&sig).is_ok() {
                return VerifyOutcome::Verified(key.id.clone());
            }
        }
        VerifyOutcome::Mismatch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_short_and_non_hex_secrets_without_echoing_them() {
        let err = Keyring::single_hex("k", "abcd").unwrap_err();
        assert_eq!(err, KeyringError::TooShort { id: "k".into(), len: 2 });
        let err = Keyring::single_hex("k", "zz-not-hex-secret-value").unwrap_err();
        assert!(!err.to_string().contains("zz-not-hex"), "{err}");
    }

    #[test]
    fn retired_keys_verify_but_do_not_sign_by_default() {
        let ring = Keyring::new(vec![
            KeySpec { id: "old".into(), secret: "11".repeat(32), state: KeyState::Retired },
            KeySpec { id: "new".into(), secret: "22".repeat(32), state: KeyState::Active },
        ])
        .unwrap();
        assert_eq!(ring.active_key_id(), Some("new"));
        let sig = ring.sign("old", b"x").unwrap();
        assert_eq!(ring.verify(b"x", &sig, None), VerifyOutcome::Verified("old".into()));
        assert_eq!(ring.verify(b"x", &sig, Some("new")), VerifyOutcome::Mismatch);
        assert_eq!(ring.verify(b"x", &sig, Some("nope")), VerifyOutcome::UnknownKeyId);
        assert!(!format!("{ring:?}").contains("1111"));
    }
}
