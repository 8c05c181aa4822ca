//! Settings: TOML file, environment, flags (SPEC §6), resolved and validated into one
//! ready-to-run struct. Precedence: flag > environment variable > file > default.

use anyhow::Context;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A configuration problem: exit code 2, with the setting named.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {setting}: {message}")]
pub struct ConfigError {
    /// The setting, as flag / variable / file key.
    pub setting: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl ConfigError {
    /// Builds an error for a setting.
    pub fn new(setting: &str, message: impl Into<String>) -> Self {
        ConfigError { setting: setting.to_owned(), message: message.into() }
    }
}

/// The TOML configuration file (`--config` / `AUDITFLOW_CONFIG`). Every key is optional;
/// unknown keys are errors so that a typo never silently falls back to a default.
///
/// ```toml
/// redis_url = "redis://127.0.0.1:6379"
/// database_url = "postgres://postgres@127.0.0.1:5432/auditflow"
/// stream = "caracal.audit.events"
/// group = "audit-ingestor"
/// dlq_stream = "caracal.audit.events.dlq"
/// keyring_file = "/etc/auditflow/keyring.toml"
/// ledger_key_file = "/var/lib/auditflow/ledger.key"
/// ledger_head_key_file = "/var/lib/auditflow/ledger-head.key"
///
/// [source]
/// batch_size = 2000
/// claim_idle_ms = 30000
/// max_deliveries = 8
/// max_in_flight = 20000
///
/// [ledger]
/// shards = 16
/// pool_size = 8
///
/// [pipeline]
/// workers = 2
/// epoch_ms = 100
///
/// [export]
/// url = "s3://audit-archive/auditflow"     # or file:///var/lib/auditflow/export
/// signing_key_file = "/var/lib/auditflow/export.key"
/// max_delay_secs = 60
/// target_file_mb = 128
/// target_segment_rows = 1000000
///
/// [views]
/// enabled = true
/// trace_window_secs = 86400
/// revocation_grace_secs = 5
///
/// [tamper]
/// rolling_hours = 4
/// sweep_interval_secs = 3600
///
/// [retention]
/// days = 365
/// interval_secs = 21600
/// [retention.tables]
/// audit_events = 180      # may only shorten `days`
/// ```
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Redis URL.
    pub redis_url: Option<String>,
    /// Postgres URL.
    pub database_url: Option<String>,
    /// Audit stream.
    pub stream: Option<String>,
    /// Consumer group.
    pub group: Option<String>,
    /// DLQ stream.
    pub dlq_stream: Option<String>,
    /// Revocation stream (empty: none).
    pub revocation_stream: Option<String>,
    /// Producer key, hex.
    pub hmac_key: Option<String>,
    /// File holding the producer key, hex.
    pub hmac_key_file: Option<PathBuf>,
    /// Keyring file (`[[keys]] id, secret, state`).
    pub keyring_file: Option<PathBuf>,
    /// Ledger HMAC key file.
    pub ledger_key_file: Option<PathBuf>,
    /// Ledger head (Ed25519) key file.
    pub ledger_head_key_file: Option<PathBuf>,
    /// Source tuning.
    #[serde(default)]
    pub source: SourceFile,
    /// Ledger tuning.
    #[serde(default)]
    pub ledger: LedgerFile,
    /// Dataflow tuning.
    #[serde(default)]
    pub pipeline: PipelineFile,
    /// The archive.
    #[serde(default)]
    pub export: ExportFile,
    /// The background tamper sweep.
    #[serde(default)]
    pub tamper: TamperFile,
    /// The live views.
    #[serde(default)]
    pub views: ViewsFile,
    /// The HTTP server.
    #[serde(default)]
    pub http: HttpFile,
    /// Readiness gates of `/readyz`.
    #[serde(default)]
    pub readyz: ReadyzFile,
    /// Retention of the ledger.
    #[serde(default)]
    pub retention: RetentionFile,
}

/// `[retention]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionFile {
    /// Days evidence stays in the ledger (`AUDITFLOW_RETENTION_DAYS`).
    pub days: Option<u32>,
    /// Seconds between retention passes inside `run`; 0 disables them.
    pub interval_secs: Option<u64>,
    /// Per-table retention, which may only shorten `days`.
    #[serde(default)]
    pub tables: RetentionTables,
}

/// `[retention.tables]`: the tables retention drops partitions of.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionTables {
    /// Days for `audit_events` (at most `retention.days`).
    pub audit_events: Option<u32>,
}

/// `[http]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpFile {
    /// Listen address (`AUDITFLOW_LISTEN`).
    pub listen: Option<String>,
    /// API tokens file (`AUDITFLOW_API_TOKENS_FILE`).
    pub api_tokens_file: Option<PathBuf>,
}

/// `[readyz]` table; 0 disables a gate.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadyzFile {
    /// Largest DLQ that is still ready.
    pub max_dlq_size: Option<u64>,
    /// Most undelivered entries that is still ready.
    pub max_consumer_lag: Option<u64>,
    /// Oldest unacknowledged entry age that is still ready, seconds.
    pub max_pending_age_secs: Option<u64>,
}

/// `[views]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewsFile {
    /// Run the live views.
    pub enabled: Option<bool>,
    /// Seconds access events and traces stay in the views.
    pub trace_window_secs: Option<u64>,
    /// Grace period of the revocation view, seconds.
    pub revocation_grace_secs: Option<f64>,
}

/// `[tamper]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TamperFile {
    /// Hours the rolling sweep covers.
    pub rolling_hours: Option<f64>,
    /// Seconds between rolling sweeps.
    pub sweep_interval_secs: Option<u64>,
}

/// `[export]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportFile {
    /// Object store URL.
    pub url: Option<String>,
    /// Ed25519 export key file.
    pub signing_key_file: Option<PathBuf>,
    /// A committed row is archived within this many seconds.
    pub max_delay_secs: Option<u64>,
    /// Files roll at about this many MiB (fractions allowed).
    pub target_file_mb: Option<f64>,
    /// Ledger rows per segment at most.
    pub target_segment_rows: Option<i64>,
}

/// `[source]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceFile {
    /// Entries per read.
    pub batch_size: Option<usize>,
    /// Claim entries idle this long on other consumers.
    pub claim_idle_ms: Option<u64>,
    /// Dead-letter entries delivered more often than this.
    pub max_deliveries: Option<u64>,
    /// Unacknowledged entries per worker before reading pauses.
    pub max_in_flight: Option<usize>,
    /// Largest accepted `data`, bytes.
    pub max_event_bytes: Option<usize>,
    /// Consumer name prefix.
    pub consumer_prefix: Option<String>,
}

/// `[ledger]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerFile {
    /// Number of chains; fixed for the life of a ledger.
    pub shards: Option<u32>,
    /// Postgres connections.
    pub pool_size: Option<usize>,
}

/// `[pipeline]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineFile {
    /// Timely workers in this process.
    pub workers: Option<usize>,
    /// Epoch length in ms.
    pub epoch_ms: Option<u64>,
}

/// Loads the file named by `--config`, if any.
pub fn load_file(path: Option<&Path>) -> Result<FileConfig, ConfigError> {
    let Some(path) = path else { return Ok(FileConfig::default()) };
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::new("AUDITFLOW_CONFIG (--config)", format!("cannot read {}: {e}", path.display())))?;
    toml::from_str(&text)
        .map_err(|e| ConfigError::new("AUDITFLOW_CONFIG (--config)", format!("{} is not valid: {e}", path.display())))
}

/// Checks a Redis URL.
pub fn check_redis_url(url: &str) -> Result<(), ConfigError> {
    redis::Client::open(url)
        .map(|_| ())
        .map_err(|e| ConfigError::new("AUDITFLOW_REDIS_URL (--redis-url)", format!("not a valid redis:// URL: {e}")))
}

/// Checks a Postgres URL.
pub fn check_database_url(url: &str) -> Result<tokio_postgres::Config, ConfigError> {
    let cfg = auditflow_sinks::postgres::parse_url(url)
        .map_err(|e| ConfigError::new("AUDITFLOW_DATABASE_URL (--database-url)", e))?;
    if cfg.get_hosts().is_empty() {
        return Err(ConfigError::new("AUDITFLOW_DATABASE_URL (--database-url)", "names no host"));
    }
    Ok(cfg)
}

/// Checks the archive URL's scheme and shape (the store itself is reached later).
pub fn check_export_url(url: &str) -> Result<(), ConfigError> {
    let setting = "AUDITFLOW_EXPORT_URL (--export-url, export.url)";
    let ok = match url.split_once("://") {
        Some(("file", rest)) => !rest.is_empty(),
        Some(("s3", rest)) => !rest.is_empty() && !rest.starts_with('/'),
        Some((scheme, _)) => matches!(scheme, "memory" | "s3a"),
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(ConfigError::new(
            setting,
            format!(
                "{url:?} is not a usable archive URL; use file:///path, file://./relative/path or s3://bucket/prefix"
            ),
        ))
    }
}

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
        write_private(path, &hex::encode(secret))
            .with_context(|| format!("{setting}: cannot write {}", path.display()))?;
        generated = true;
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
pub fn export_signer(path: &Path) -> anyhow::Result<auditflow_sinks::export::ExportSigner> {
    let setting = "AUDITFLOW_EXPORT_SIGNING_KEY_FILE (--export-signing-key-file, export.signing_key_file)";
    let (mut keys, generated) = key_lines(path, setting, true)?;
    let seed = seed_of(keys.pop().unwrap_or_default(), path, setting)?;
    let signer = auditflow_sinks::export::ExportSigner::from_seed(seed);
    if generated {
        tracing::warn!(
            path = %path.display(), key_id = signer.key_id(), public_key = %hex::encode(signer.public_key().as_bytes()),
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
    pub heads: Vec<auditflow_schemas::tamper::HeadKey>,
}

impl LedgerKeys {
    /// The HMAC key new rows are chained with.
    pub fn active_hmac(&self) -> &auditflow_schemas::chain::LedgerKey {
        self.hmac.last().expect("key_lines refuses an empty key file")
    }

    /// The head key new batches are signed with.
    pub fn active_head(&self) -> &auditflow_schemas::tamper::HeadKey {
        self.heads.last().expect("key_lines refuses an empty key file")
    }

    /// Every key, for `verify` (plus extra trusted head public keys).
    pub fn trusted(&self, extra_heads: &[ed25519_dalek::VerifyingKey]) -> auditflow_schemas::tamper::TrustedKeys {
        let mut heads: std::collections::HashMap<_, _> =
            self.heads.iter().map(|k| (k.id().to_owned(), k.public_key())).collect();
        for k in extra_heads {
            heads.insert(auditflow_schemas::tamper::head_key_id(k), *k);
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
pub fn head_keys(path: &Path, generate: bool) -> anyhow::Result<Vec<auditflow_schemas::tamper::HeadKey>> {
    let setting = "AUDITFLOW_LEDGER_HEAD_KEY_FILE (--ledger-head-key-file)";
    let (seeds, generated) = key_lines(path, setting, generate)?;
    let mut keys = Vec::new();
    for seed in seeds {
        keys.push(auditflow_schemas::tamper::HeadKey::from_seed(seed_of(seed, path, setting)?));
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
    settings: &Resolved,
    extra: &[String],
    flag: &str,
) -> anyhow::Result<Vec<ed25519_dalek::VerifyingKey>> {
    let mut trusted = Vec::new();
    if settings.export_signing_key_file.exists() {
        trusted.push(export_signer(&settings.export_signing_key_file)?.public_key());
    } else if extra.is_empty() {
        return Err(ConfigError::new(
            "AUDITFLOW_EXPORT_SIGNING_KEY_FILE (--export-signing-key-file)",
            format!(
                "{} does not exist: point it at the export key, or pass the archive's public key with {flag}",
                settings.export_signing_key_file.display()
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
        let file: KeyringFile =
            toml::from_str(&text).map_err(|e| ConfigError::new(setting, format!("{}: {e}", path.display())))?;
        return Keyring::new(file.keys).map_err(|e| ConfigError::new(setting, e.to_string()));
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

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.write_all(contents.as_bytes())?;
    f.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_example_config_parses() {
        let text = include_str!("../../deploy/auditflow.example.toml");
        let file: FileConfig = toml::from_str(text).expect("deploy/auditflow.example.toml is valid");
        assert_eq!(file.tamper.rolling_hours, Some(4.0));
        assert!(file.ledger_head_key_file.is_some());
        assert_eq!(file.retention.tables.audit_events, Some(365));
    }

    #[test]
    fn a_table_retention_may_only_shorten_the_retention() {
        let file = |text: &str| -> RetentionFile { toml::from_str(text).expect("toml") };
        let day = std::time::Duration::from_secs(6 * 3600);
        assert_eq!(super::retention(None, None, &file("")).unwrap(), (365, Some(day)));
        assert_eq!(super::retention(None, None, &file("days = 400\n[tables]\naudit_events = 90")).unwrap().0, 90);
        assert_eq!(super::retention(Some(30), Some(0), &file("days = 400")).unwrap(), (30, None));
        let longer = super::retention(None, None, &file("[tables]\naudit_events = 400")).unwrap_err();
        assert!(longer.to_string().contains("retention.tables.audit_events"), "{longer}");
        assert!(longer.to_string().contains("may only shorten"), "{longer}");
        assert!(super::retention(Some(0), None, &file("")).is_err(), "0 days");
        assert!(toml::from_str::<RetentionFile>("[tables]\nrequest_traces = 3").is_err(), "unknown table");
    }

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
        assert_eq!(keys.active_head().id(), auditflow_schemas::tamper::HeadKey::from_seed([0x44; 32]).id());
        let trusted = keys.trusted(&[]);
        assert_eq!((trusted.hmac.len(), trusted.heads.len()), (2, 2));
        std::fs::write(&head, "not hex\n").expect("write");
        let err = ledger_keys(&hmac, &head, false).expect_err("bad key file");
        assert!(err.to_string().contains("line 1"), "{err}");
        assert!(ledger_keys(&dir.join("missing"), &head, false).is_err(), "verify never generates keys");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused_by_name() {
        let err = toml::from_str::<FileConfig>("redis_ulr = \"x\"").unwrap_err().to_string();
        assert!(err.contains("redis_ulr"), "{err}");
    }

    #[test]
    fn the_documented_example_parses() {
        let doc = r#"
redis_url = "redis://127.0.0.1:6379"
[source]
batch_size = 10
claim_idle_ms = 1000
[ledger]
shards = 4
[pipeline]
workers = 2
"#;
        let f: FileConfig = toml::from_str(doc).unwrap();
        assert_eq!(f.ledger.shards, Some(4));
        assert_eq!(f.source.claim_idle_ms, Some(1000));
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

/// Everything `run` (and the other commands) need, validated.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// Redis URL.
    pub redis_url: String,
    /// Postgres URL.
    pub database_url: String,
    /// Parsed Postgres config.
    pub pg: tokio_postgres::Config,
    /// Audit stream.
    pub stream: String,
    /// Consumer group.
    pub group: String,
    /// DLQ stream.
    pub dlq_stream: String,
    /// Revocation stream, if one is read.
    pub revocation_stream: Option<String>,
    /// Ledger key file.
    pub ledger_key_file: PathBuf,
    /// Ledger head key file.
    pub ledger_head_key_file: PathBuf,
    /// The rolling tamper sweep covers batches committed this recently.
    pub tamper_rolling: std::time::Duration,
    /// Time between rolling tamper sweeps.
    pub tamper_sweep_interval: std::time::Duration,
    /// Run the live views.
    pub views_enabled: bool,
    /// The views' window.
    pub views_trace_window: std::time::Duration,
    /// The revocation view's grace period.
    pub views_revocation_grace: std::time::Duration,
    /// Workers in this process.
    pub workers: usize,
    /// Epoch length.
    pub epoch_ms: u64,
    /// Entries per read.
    pub batch_size: usize,
    /// Claim idle time.
    pub claim_idle_ms: u64,
    /// Max deliveries before dead-lettering.
    pub max_deliveries: u64,
    /// Unacknowledged entries per worker.
    pub max_in_flight: usize,
    /// Largest `data`.
    pub max_event_bytes: usize,
    /// Ledger shards.
    pub shards: u32,
    /// Postgres pool size.
    pub pool_size: usize,
    /// Consumer prefix.
    pub consumer_prefix: String,
    /// Where the producer keys come from.
    pub keys: KeySource,
    /// Archive URL (`AUDITFLOW_EXPORT_URL`).
    pub export_url: String,
    /// Ed25519 export key file.
    pub export_signing_key_file: PathBuf,
    /// Export tuning.
    pub export: auditflow_sinks::export::ExportConfig,
    /// HTTP listen address.
    pub listen: String,
    /// `/readyz` gates.
    pub ready_gates: crate::ops::health::ReadyGates,
    /// API tokens (none: the API refuses every call).
    pub api_tokens: Vec<crate::ops::api::TokenSpec>,
    /// Days `audit_events` partitions are kept (the table setting where shorter).
    pub retention_days: u32,
    /// Time between `run`'s retention passes (`None`: disabled).
    pub retention_interval: Option<std::time::Duration>,
}

/// Where the producer keys come from (flag / environment / file, already merged).
#[derive(Clone, Default)]
pub struct KeySource {
    /// `AUDIT_HMAC_KEY`, hex.
    pub hmac_key: Option<String>,
    /// `AUDIT_HMAC_KEY_FILE`.
    pub hmac_key_file: Option<PathBuf>,
    /// `AUDITFLOW_KEYRING_FILE`.
    pub keyring_file: Option<PathBuf>,
}

impl std::fmt::Debug for KeySource {
    // The hex key never reaches logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySource")
            .field("hmac_key", &self.hmac_key.as_ref().map(|_| "<redacted>"))
            .field("hmac_key_file", &self.hmac_key_file)
            .field("keyring_file", &self.keyring_file)
            .finish()
    }
}

impl Resolved {
    /// The settings as `--print-settings` shows them: every value resolved, secrets and
    /// passwords redacted, durations in seconds.
    pub fn describe(&self) -> serde_json::Value {
        serde_json::json!({
            "redis_url": crate::run::redact(&self.redis_url),
            "database_url": crate::run::redact(&self.database_url),
            "stream": self.stream,
            "group": self.group,
            "dlq_stream": self.dlq_stream,
            "revocation_stream": self.revocation_stream,
            "hmac_key": self.keys.hmac_key.as_ref().map(|_| "<redacted>"),
            "hmac_key_file": self.keys.hmac_key_file,
            "keyring_file": self.keys.keyring_file,
            "ledger_key_file": self.ledger_key_file,
            "ledger_head_key_file": self.ledger_head_key_file,
            "export_url": crate::run::redact(&self.export_url),
            "export_signing_key_file": self.export_signing_key_file,
            "export_max_delay_secs": self.export.max_delay.as_secs_f64(),
            "export_target_file_bytes": self.export.target_file_bytes,
            "export_target_segment_rows": self.export.target_segment_rows,
            "tamper_rolling_secs": self.tamper_rolling.as_secs_f64(),
            "tamper_sweep_interval_secs": self.tamper_sweep_interval.as_secs_f64(),
            "views_enabled": self.views_enabled,
            "views_trace_window_secs": self.views_trace_window.as_secs_f64(),
            "views_revocation_grace_secs": self.views_revocation_grace.as_secs_f64(),
            "workers": self.workers,
            "epoch_ms": self.epoch_ms,
            "batch_size": self.batch_size,
            "claim_idle_ms": self.claim_idle_ms,
            "max_deliveries": self.max_deliveries,
            "max_in_flight": self.max_in_flight,
            "max_event_bytes": self.max_event_bytes,
            "shards": self.shards,
            "pool_size": self.pool_size,
            "consumer_prefix": self.consumer_prefix,
            "listen": self.listen,
            "readyz_max_dlq_size": self.ready_gates.max_dlq_size,
            "readyz_max_consumer_lag": self.ready_gates.max_consumer_lag,
            "readyz_max_pending_age_secs": self.ready_gates.max_pending_age_secs,
            "api_tokens": self.api_tokens.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            "retention_days": self.retention_days,
            "retention_interval_secs": self.retention_interval.map(|d| d.as_secs_f64()),
        })
    }

    /// Builds the producer keyring (reads the key or keyring file named in the settings).
    pub fn keyring(&self, insecure_skip_verify: bool) -> Result<auditflow_schemas::keyring::Keyring, ConfigError> {
        keyring(
            self.keys.hmac_key.as_deref(),
            self.keys.hmac_key_file.as_deref(),
            self.keys.keyring_file.as_deref(),
            insecure_skip_verify,
        )
    }
}

fn positive<T: PartialOrd + Default + std::fmt::Display>(value: T, setting: &str) -> Result<T, ConfigError> {
    if value > T::default() {
        Ok(value)
    } else {
        Err(ConfigError::new(setting, format!("must be greater than 0, got {value}")))
    }
}

/// Resolves shared and run settings (flags and environment come in through clap).
pub fn resolve(global: &crate::cli::GlobalArgs, run: Option<&crate::cli::RunArgs>) -> Result<Resolved, ConfigError> {
    let file = load_file(global.config.as_deref())?;
    let redis_url = global.redis_url.clone().or(file.redis_url).unwrap_or_else(|| "redis://127.0.0.1:6379".into());
    check_redis_url(&redis_url)?;
    let database_url = global
        .database_url
        .clone()
        .or(file.database_url)
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/auditflow".into());
    let pg = check_database_url(&database_url)?;
    let stream = global.stream.clone().or(file.stream).unwrap_or_else(|| "caracal.audit.events".into());
    if stream.is_empty() {
        return Err(ConfigError::new("AUDITFLOW_STREAM (--stream)", "must not be empty"));
    }
    let group = global.group.clone().or(file.group).unwrap_or_else(|| "audit-ingestor".into());
    let dlq_stream = global.dlq_stream.clone().or(file.dlq_stream).unwrap_or_else(|| format!("{stream}.dlq"));
    if dlq_stream == stream {
        return Err(ConfigError::new("AUDITFLOW_DLQ_STREAM (--dlq-stream)", "must differ from the audit stream"));
    }
    let revocation_stream =
        global.revocation_stream.clone().or(file.revocation_stream).unwrap_or_else(|| "caracal.sessions.revoke".into());
    let revocation_stream = (!revocation_stream.is_empty()).then_some(revocation_stream);
    if revocation_stream.as_ref().is_some_and(|r| *r == stream || *r == dlq_stream) {
        return Err(ConfigError::new(
            "AUDITFLOW_REVOCATION_STREAM (--revocation-stream)",
            "must differ from the audit and dead-letter streams",
        ));
    }
    let ledger_key_file = global
        .ledger_key_file
        .clone()
        .or(file.ledger_key_file)
        .unwrap_or_else(|| PathBuf::from("auditflow-keys/ledger.key"));
    let ledger_head_key_file = global.ledger_head_key_file.clone().or(file.ledger_head_key_file).unwrap_or_else(|| {
        ledger_key_file.parent().map(|d| d.join("ledger-head.key")).unwrap_or_else(|| PathBuf::from("ledger-head.key"))
    });
    if ledger_head_key_file == ledger_key_file {
        return Err(ConfigError::new(
            "AUDITFLOW_LEDGER_HEAD_KEY_FILE (--ledger-head-key-file)",
            "must differ from the ledger HMAC key file: the head key must survive the HMAC key's disclosure",
        ));
    }
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let r = run.cloned();
    let workers = r.as_ref().and_then(|r| r.workers).or(file.pipeline.workers).unwrap_or(cores);
    let workers = positive(workers, "AUDITFLOW_WORKERS (--workers, pipeline.workers)")?;
    let epoch_ms = r.as_ref().and_then(|r| r.epoch_ms).or(file.pipeline.epoch_ms).unwrap_or(100);
    let epoch_ms = positive(epoch_ms, "AUDITFLOW_EPOCH_MS (--epoch-ms, pipeline.epoch_ms)")?;
    let batch_size = r.as_ref().and_then(|r| r.batch_size).or(file.source.batch_size).unwrap_or(2000);
    let batch_size = positive(batch_size, "AUDITFLOW_BATCH_SIZE (--batch-size, source.batch_size)")?;
    let claim_idle_ms = r.as_ref().and_then(|r| r.claim_idle_ms).or(file.source.claim_idle_ms).unwrap_or(30_000);
    let claim_idle_ms = positive(claim_idle_ms, "AUDITFLOW_CLAIM_IDLE_MS (--claim-idle-ms, source.claim_idle_ms)")?;
    let max_deliveries = r.as_ref().and_then(|r| r.max_deliveries).or(file.source.max_deliveries).unwrap_or(8);
    let max_deliveries =
        positive(max_deliveries, "AUDITFLOW_MAX_DELIVERIES (--max-deliveries, source.max_deliveries)")?;
    let max_in_flight = r.as_ref().and_then(|r| r.max_in_flight).or(file.source.max_in_flight).unwrap_or(20_000);
    let max_in_flight = positive(max_in_flight, "AUDITFLOW_MAX_IN_FLIGHT (--max-in-flight, source.max_in_flight)")?;
    let shards = r.as_ref().and_then(|r| r.ledger_shards).or(file.ledger.shards).unwrap_or(16);
    let shards = positive(shards, "AUDITFLOW_LEDGER_SHARDS (--ledger-shards, ledger.shards)")?;
    let pool_size = file.ledger.pool_size.unwrap_or(shards as usize + 2);
    let export_url =
        global.export_url.clone().or(file.export.url).unwrap_or_else(|| "file://./auditflow-export".into());
    check_export_url(&export_url)?;
    let export_signing_key_file = global
        .export_signing_key_file
        .clone()
        .or(file.export.signing_key_file)
        .unwrap_or_else(|| PathBuf::from("auditflow-keys/export.key"));
    let max_delay_secs = r.as_ref().and_then(|r| r.export_max_delay_secs).or(file.export.max_delay_secs).unwrap_or(60);
    let max_delay_secs =
        positive(max_delay_secs, "AUDITFLOW_EXPORT_MAX_DELAY_SECS (--export-max-delay-secs, export.max_delay_secs)")?;
    let target_file_mb = positive(file.export.target_file_mb.unwrap_or(128.0), "export.target_file_mb")?;
    let target_segment_rows =
        positive(file.export.target_segment_rows.unwrap_or(1_000_000), "export.target_segment_rows")?;
    let export = auditflow_sinks::export::ExportConfig {
        max_delay: std::time::Duration::from_secs(max_delay_secs),
        target_file_bytes: (target_file_mb * 1048576.0) as usize,
        target_segment_rows,
    };
    let rolling_hours = r.as_ref().and_then(|r| r.tamper_rolling_hours).or(file.tamper.rolling_hours).unwrap_or(4.0);
    let rolling_hours =
        positive(rolling_hours, "AUDITFLOW_TAMPER_ROLLING_HOURS (--tamper-rolling-hours, tamper.rolling_hours)")?;
    let sweep_secs =
        r.as_ref().and_then(|r| r.tamper_sweep_interval_secs).or(file.tamper.sweep_interval_secs).unwrap_or(3600);
    let sweep_secs = positive(
        sweep_secs,
        "AUDITFLOW_TAMPER_SWEEP_INTERVAL_SECS (--tamper-sweep-interval-secs, tamper.sweep_interval_secs)",
    )?;
    let views_enabled = !r.as_ref().is_some_and(|r| r.no_views) && file.views.enabled.unwrap_or(true);
    let window_secs =
        r.as_ref().and_then(|r| r.views_trace_window_secs).or(file.views.trace_window_secs).unwrap_or(86_400);
    let window_secs = positive(
        window_secs,
        "AUDITFLOW_VIEWS_TRACE_WINDOW_SECS (--views-trace-window-secs, views.trace_window_secs)",
    )?;
    let grace_secs =
        r.as_ref().and_then(|r| r.views_revocation_grace_secs).or(file.views.revocation_grace_secs).unwrap_or(5.0);
    if !(0.0..=86_400.0).contains(&grace_secs) {
        return Err(ConfigError::new(
            "AUDITFLOW_VIEWS_REVOCATION_GRACE_SECS (--views-revocation-grace-secs, views.revocation_grace_secs)",
            format!("must be between 0 and 86400 seconds, got {grace_secs}"),
        ));
    }
    let listen =
        r.as_ref().and_then(|r| r.listen.clone()).or(file.http.listen).unwrap_or_else(|| "127.0.0.1:9090".into());
    if listen.parse::<std::net::SocketAddr>().is_err() {
        return Err(ConfigError::new(
            "AUDITFLOW_LISTEN (--listen, http.listen)",
            format!("{listen:?} is not an address like 127.0.0.1:9090 (port 0 picks a free one)"),
        ));
    }
    let api_tokens = match r.as_ref().and_then(|r| r.api_tokens_file.clone()).or(file.http.api_tokens_file) {
        Some(path) => crate::ops::api::load_tokens(&path)?,
        None => Vec::new(),
    };
    let ready_gates = crate::ops::health::ReadyGates {
        max_dlq_size: r.as_ref().and_then(|r| r.readyz_max_dlq_size).or(file.readyz.max_dlq_size).unwrap_or(1000),
        max_consumer_lag: r
            .as_ref()
            .and_then(|r| r.readyz_max_consumer_lag)
            .or(file.readyz.max_consumer_lag)
            .unwrap_or(100_000),
        max_pending_age_secs: r
            .as_ref()
            .and_then(|r| r.readyz_max_pending_age_secs)
            .or(file.readyz.max_pending_age_secs)
            .unwrap_or(300),
    };
    let (retention_days, retention_interval) =
        retention(global.retention_days, r.as_ref().and_then(|r| r.retention_interval_secs), &file.retention)?;
    let consumer_prefix = r
        .as_ref()
        .and_then(|r| r.consumer_prefix.clone())
        .or(file.source.consumer_prefix)
        .unwrap_or_else(|| "auditflow".into());
    Ok(Resolved {
        redis_url,
        database_url,
        pg,
        stream,
        group,
        dlq_stream,
        revocation_stream,
        ledger_key_file,
        ledger_head_key_file,
        tamper_rolling: std::time::Duration::from_secs_f64(rolling_hours * 3600.0),
        tamper_sweep_interval: std::time::Duration::from_secs(sweep_secs),
        views_enabled,
        views_trace_window: std::time::Duration::from_secs(window_secs),
        views_revocation_grace: std::time::Duration::from_secs_f64(grace_secs),
        workers,
        epoch_ms,
        batch_size,
        claim_idle_ms,
        max_deliveries,
        max_in_flight,
        max_event_bytes: file.source.max_event_bytes.unwrap_or(1 << 20),
        shards,
        pool_size,
        consumer_prefix,
        keys: KeySource {
            hmac_key: global.hmac_key.clone().or(file.hmac_key),
            hmac_key_file: global.hmac_key_file.clone().or(file.hmac_key_file),
            keyring_file: global.keyring_file.clone().or(file.keyring_file),
        },
        export_url,
        export_signing_key_file,
        export,
        listen,
        ready_gates,
        api_tokens,
        retention_days,
        retention_interval,
    })
}

/// The retention in days (a table setting may only shorten it) and `run`'s interval, from
/// the flags (or their variables) and the file.
fn retention(
    days_flag: Option<u32>,
    interval_flag: Option<u64>,
    file: &RetentionFile,
) -> Result<(u32, Option<std::time::Duration>), ConfigError> {
    let days = days_flag.or(file.days).unwrap_or(365);
    let days = positive(days, "AUDITFLOW_RETENTION_DAYS (--retention-days, retention.days)")?;
    let days = match file.tables.audit_events {
        Some(table) if table > days => {
            return Err(ConfigError::new(
                "retention.tables.audit_events",
                format!(
                    "{table} days is longer than the retention of {days} days; a table setting may only shorten it"
                ),
            ))
        }
        Some(table) => positive(table, "retention.tables.audit_events")?,
        None => days,
    };
    let interval = interval_flag.or(file.interval_secs).unwrap_or(6 * 3600);
    Ok((days, (interval > 0).then(|| std::time::Duration::from_secs(interval))))
}
