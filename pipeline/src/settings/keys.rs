//! Key files: the producer keyring, the ledger's HMAC and head keys, the export signing key.
//!
//! A key file holds one hex key per line (`#` comments and blank lines ignored); the last
//! key is the active one and earlier ones are retired keys, kept so that what they signed
//! still verifies. Writers generate a missing file (mode 0600) on first use; verifiers never
//! do, since verifying with a fresh key proves nothing. No error message ever echoes a key.

use super::error::ConfigError;
use anyhow::Context;
use auditflow_schemas::signer::{key_id, KeyRole, Signer};
use serde::Deserialize;
use std::path::Path;

/// Reads a key file: one hex key per line, `#` comments and blank lines ignored; the last
/// key is the active one, earlier ones are retired keys kept so that what they signed still
/// verifies (rotation: append a new line and restart). When the file is missing and
/// `generate` is set, a random 32-byte key is written to it (mode 0600) first.
fn key_lines(path: &Path, setting: &str, generate: bool) -> anyhow::Result<(Vec<Vec<u8>>, bool)> {
    let mut generated = false;
    if !path.exists() && generate {
        use rand::TryRngCore;
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.try_fill_bytes(&mut secret).context("no OS randomness for a new key")?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("{setting}: cannot create {}", dir.display()))?;
        }
        // `false`: another process sharing the file (a cluster's peer on the same host)
        // wrote it first; both then sign with that key.
        generated = write_private(path, &hex::encode(secret))
            .with_context(|| format!("{setting}: cannot write {}", path.display()))?;
    }
    let text = read_hex_file(path, setting)?;
    let mut keys = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let key = hex::decode(line)
            .map_err(|_| ConfigError::new(setting, format!("{} line {}: not a hex key", path.display(), n + 1)))?;
        keys.push(key);
    }
    if keys.is_empty() {
        return Err(ConfigError::new(setting, format!("{} holds no key", path.display())).into());
    }
    Ok((keys, generated))
}

fn seed_of(key: Vec<u8>, path: &Path, setting: &str) -> Result<[u8; 32], ConfigError> {
    key.try_into().map_err(|_| {
        ConfigError::new(setting, format!("{} must hold 32-byte Ed25519 seeds as 64 hex digits", path.display()))
    })
}

/// Loads the Ed25519 export signing key, generating one into a 0600 file on first use.
pub fn export_signer(path: &Path) -> anyhow::Result<Signer> {
    let setting = "AUDITFLOW_EXPORT_SIGNING_KEY_FILE (--export-signing-key-file, export.signing_key_file)";
    let (mut keys, generated) = key_lines(path, setting, true)?;
    let seed = seed_of(keys.pop().unwrap_or_default(), path, setting)?;
    let signer = Signer::from_seed(KeyRole::Export, seed);
    if generated {
        tracing::warn!(
            path = %path.display(), key_id = signer.id(), public_key = %hex::encode(signer.public_key().as_bytes()),
            "generated a new Ed25519 export signing key; back it up and publish the public key to whoever verifies the archive"
        );
    }
    Ok(signer)
}

/// The ledger's keys: HMAC keys for `chain_hmac` and Ed25519 head keys, each with its
/// active (last) key and every retired one.
#[derive(Clone, Debug)]
pub struct LedgerKeys {
    /// HMAC keys, oldest first; the last is active.
    pub hmac: Vec<auditflow_schemas::chain::LedgerKey>,
    /// Head keys, oldest first; the last is active.
    pub heads: Vec<Signer>,
}

impl LedgerKeys {
    /// The HMAC key new rows are chained with.
    pub fn active_hmac(&self) -> &auditflow_schemas::chain::LedgerKey {
        self.hmac.last().expect("key_lines refuses an empty key file")
    }

    /// The head key new batches are signed with.
    pub fn active_head(&self) -> &Signer {
        self.heads.last().expect("key_lines refuses an empty key file")
    }

    /// Every key, for `verify` (plus extra trusted head public keys).
    pub fn trusted(&self, extra_heads: &[ed25519_dalek::VerifyingKey]) -> auditflow_schemas::tamper::TrustedKeys {
        let mut heads: std::collections::HashMap<_, _> =
            self.heads.iter().map(|k| (k.id().to_owned(), k.public_key())).collect();
        for k in extra_heads {
            heads.insert(key_id(KeyRole::Head, k), *k);
        }
        auditflow_schemas::tamper::TrustedKeys {
            hmac: self.hmac.iter().map(|k| (k.id.clone(), k.clone())).collect(),
            heads,
        }
    }
}

/// Loads the ledger HMAC key file and the head key file; `generate` creates missing ones
/// (`run` does, `verify` does not: verifying with a fresh key proves nothing).
pub fn ledger_keys(hmac_path: &Path, head_path: &Path, generate: bool) -> anyhow::Result<LedgerKeys> {
    Ok(LedgerKeys { hmac: hmac_keys(hmac_path, generate)?, heads: head_keys(head_path, generate)? })
}

/// The ledger HMAC keys, oldest first.
pub fn hmac_keys(path: &Path, generate: bool) -> anyhow::Result<Vec<auditflow_schemas::chain::LedgerKey>> {
    use sha2::Digest;
    let setting = "AUDITFLOW_LEDGER_KEY_FILE (--ledger-key-file)";
    let (secrets, generated) = key_lines(path, setting, generate)?;
    if generated {
        tracing::warn!(path = %path.display(), "generated a new ledger HMAC key; back it up: verification needs it");
    }
    let mut keys = Vec::new();
    for secret in secrets {
        let id = format!("ledger-{}", &hex::encode(sha2::Sha256::digest(&secret))[..12]);
        keys.push(
            auditflow_schemas::chain::LedgerKey::new(id, secret)
                .ok_or_else(|| ConfigError::new(setting, "every key must be at least 32 bytes"))?,
        );
    }
    Ok(keys)
}

/// The ledger head keys, oldest first.
pub fn head_keys(path: &Path, generate: bool) -> anyhow::Result<Vec<Signer>> {
    let setting = "AUDITFLOW_LEDGER_HEAD_KEY_FILE (--ledger-head-key-file)";
    let (seeds, generated) = key_lines(path, setting, generate)?;
    let mut keys = Vec::new();
    for seed in seeds {
        keys.push(Signer::from_seed(KeyRole::Head, seed_of(seed, path, setting)?));
    }
    if generated {
        let key = keys.last().expect("one key was generated");
        tracing::warn!(
            path = %path.display(), key_id = key.id(), public_key = %hex::encode(key.public_key().as_bytes()),
            "generated a new Ed25519 ledger head key; keep it apart from the HMAC key and back it up"
        );
    }
    Ok(keys)
}

/// The export public keys a verifier trusts: the key in the export key file when it exists,
/// plus those given with `flag`. A verifier never generates a key, so with neither it is a
/// configuration error.
pub fn trusted_export_keys(
    export_key_file: &Path,
    extra: &[String],
    flag: &str,
) -> anyhow::Result<Vec<ed25519_dalek::VerifyingKey>> {
    let mut trusted = Vec::new();
    if export_key_file.exists() {
        trusted.push(export_signer(export_key_file)?.public_key());
    } else if extra.is_empty() {
        return Err(ConfigError::new(
            "AUDITFLOW_EXPORT_SIGNING_KEY_FILE (--export-signing-key-file)",
            format!(
                "{} does not exist: point it at the export key, or pass the archive's public key with {flag}",
                export_key_file.display()
            ),
        )
        .into());
    }
    trusted.extend(public_keys(extra, flag)?);
    Ok(trusted)
}

/// Parses Ed25519 public keys given as 64 hex digits on the command line.
pub fn public_keys(hex_keys: &[String], flag: &str) -> Result<Vec<ed25519_dalek::VerifyingKey>, ConfigError> {
    hex_keys
        .iter()
        .map(|hex_key| {
            let bytes: [u8; 32] = hex::decode(hex_key)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| ConfigError::new(flag, format!("{hex_key:?} is not 64 hex digits")))?;
            ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                .map_err(|_| ConfigError::new(flag, format!("{hex_key} is not an Ed25519 public key")))
        })
        .collect()
}

/// Reads a key file holding hex (whitespace ignored).
pub fn read_hex_file(path: &Path, setting: &str) -> Result<String, ConfigError> {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_owned())
        .map_err(|e| ConfigError::new(setting, format!("cannot read {}: {e}", path.display())))
}

/// Keyring file format.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyringFile {
    keys: Vec<auditflow_schemas::keyring::KeySpec>,
}

/// Parses a keyring file's text: `[[keys]]` with `id`, hex `secret` and `state`.
pub fn parse_keyring(text: &str) -> Result<auditflow_schemas::keyring::Keyring, String> {
    let file: KeyringFile = toml::from_str(text).map_err(|e| e.to_string())?;
    auditflow_schemas::keyring::Keyring::new(file.keys).map_err(|e| e.to_string())
}

/// Builds the producer keyring from whichever source is configured.
pub fn keyring(
    hmac_key: Option<&str>,
    hmac_key_file: Option<&Path>,
    keyring_file: Option<&Path>,
    insecure_skip_verify: bool,
) -> Result<auditflow_schemas::keyring::Keyring, ConfigError> {
    use auditflow_schemas::keyring::Keyring;
    if let Some(path) = keyring_file {
        let setting = "AUDITFLOW_KEYRING_FILE (--keyring-file)";
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::new(setting, format!("cannot read {}: {e}", path.display())))?;
        return parse_keyring(&text).map_err(|e| ConfigError::new(setting, format!("{}: {e}", path.display())));
    }
    if let Some(path) = hmac_key_file {
        let setting = "AUDIT_HMAC_KEY_FILE (--hmac-key-file)";
        let hex = read_hex_file(path, setting)?;
        return Keyring::single_hex("default", &hex).map_err(|e| ConfigError::new(setting, e.to_string()));
    }
    if let Some(hex) = hmac_key {
        return Keyring::single_hex("default", hex)
            .map_err(|e| ConfigError::new("AUDIT_HMAC_KEY (--hmac-key)", e.to_string()));
    }
    if insecure_skip_verify {
        return Ok(Keyring::insecure_skip_verify());
    }
    Err(ConfigError::new(
        "producer keys",
        "no key configured: set AUDIT_HMAC_KEY (hex), AUDIT_HMAC_KEY_FILE or AUDITFLOW_KEYRING_FILE \
         (or pass --insecure-skip-verify, for test setups only)",
    ))
}

/// Writes a new 0600 file at `path` whole or not at all: the key goes to a private
/// temporary file of a random name first, which is then linked into place. Returns `false`
/// when another process got there first (the link found `path` taken), so that nobody ever
/// reads a half-written key and two processes never end up with different ones.
fn write_private(path: &Path, contents: &str) -> std::io::Result<bool> {
    use rand::TryRngCore;
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut nonce = [0u8; 8];
    rand::rngs::OsRng.try_fill_bytes(&mut nonce).map_err(std::io::Error::other)?;
    let mut staged = path.as_os_str().to_owned();
    staged.push(format!(".{}.new", hex::encode(nonce)));
    let staged = std::path::PathBuf::from(staged);
    let written = (|| {
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&staged)?;
        f.write_all(contents.as_bytes())?;
        f.write_all(b"\n")?;
        f.sync_all()?;
        match std::fs::hard_link(&staged, path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(e),
        }
    })();
    let _ = std::fs::remove_file(&staged);
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotated_key_files_keep_old_keys_and_sign_with_the_last() {
        let dir = std::env::temp_dir().join(format!("auditflow-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let (hmac, head) = (dir.join("ledger.key"), dir.join("ledger-head.key"));
        std::fs::write(&hmac, format!("# rotated 2026-11\n{}\n\n{}\n", "11".repeat(32), "22".repeat(32)))
            .expect("write");
        std::fs::write(&head, format!("{}\n{}\n", "33".repeat(32), "44".repeat(32))).expect("write");
        let keys = ledger_keys(&hmac, &head, false).expect("keys");
        assert_eq!(keys.hmac.len(), 2);
        assert_eq!(keys.heads.len(), 2);
        assert_eq!(keys.active_head().id(), Signer::from_seed(KeyRole::Head, [0x44; 32]).id());
        let trusted = keys.trusted(&[]);
        assert_eq!((trusted.hmac.len(), trusted.heads.len()), (2, 2));
        std::fs::write(&head, "not hex\n").expect("write");
        let err = ledger_keys(&hmac, &head, false).expect_err("bad key file");
        assert!(err.to_string().contains("line 1"), "{err}");
        assert!(ledger_keys(&dir.join("missing"), &head, false).is_err(), "verify never generates keys");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn missing_keys_name_every_way_to_configure_one() {
        let err = keyring(None, None, None, false).unwrap_err().to_string();
        assert!(err.contains("AUDIT_HMAC_KEY") && err.contains("AUDITFLOW_KEYRING_FILE"), "{err}");
    }

    #[test]
    fn a_bad_key_error_never_echoes_the_secret() {
        let err = keyring(Some("deadbeefXXsecretXX"), None, None, false).unwrap_err().to_string();
        assert!(!err.contains("secretXX"), "{err}");
    }
}
