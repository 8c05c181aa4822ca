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
    /// Producer key, hex.
    pub hmac_key: Option<String>,
    /// File holding the producer key, hex.
    pub hmac_key_file: Option<PathBuf>,
    /// Keyring file (`[[keys]] id, secret, state`).
    pub keyring_file: Option<PathBuf>,
    /// Ledger HMAC key file.
    pub ledger_key_file: Option<PathBuf>,
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

/// Loads the Ed25519 export signing key, generating one into a 0600 file on first use.
pub fn export_signer(path: &Path) -> anyhow::Result<auditflow_sinks::export::ExportSigner> {
    let setting = "AUDITFLOW_EXPORT_SIGNING_KEY_FILE (--export-signing-key-file, export.signing_key_file)";
    if !path.exists() {
        use rand::TryRngCore;
        let mut seed = [0u8; 32];
        rand::rngs::OsRng.try_fill_bytes(&mut seed).context("no OS randomness for the export key")?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("{setting}: cannot create {}", dir.display()))?;
        }
        write_private(path, &hex::encode(seed))
            .with_context(|| format!("{setting}: cannot write {}", path.display()))?;
        let signer = auditflow_sinks::export::ExportSigner::from_seed(seed);
        tracing::warn!(
            path = %path.display(), key_id = signer.key_id(), public_key = %hex::encode(signer.public_key().as_bytes()),
            "generated a new Ed25519 export signing key; back it up and publish the public key to whoever verifies the archive"
        );
    }
    let hex = read_hex_file(path, setting)?;
    let seed: [u8; 32] = hex::decode(&hex).ok().and_then(|b| b.try_into().ok()).ok_or_else(|| {
        ConfigError::new(setting, format!("{} must hold a 32-byte Ed25519 seed as 64 hex digits", path.display()))
    })?;
    Ok(auditflow_sinks::export::ExportSigner::from_seed(seed))
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

/// Loads the ledger HMAC key, generating a random one into a 0600 file on first use.
pub fn ledger_key(path: &Path) -> anyhow::Result<auditflow_schemas::chain::LedgerKey> {
    use sha2::Digest;
    let setting = "AUDITFLOW_LEDGER_KEY_FILE (--ledger-key-file)";
    if !path.exists() {
        use rand::TryRngCore;
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.try_fill_bytes(&mut secret).context("no OS randomness for the ledger key")?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("{setting}: cannot create {}", dir.display()))?;
        }
        write_private(path, &hex::encode(secret))
            .with_context(|| format!("{setting}: cannot write {}", path.display()))?;
        tracing::warn!(path = %path.display(), "generated a new ledger HMAC key; back it up: verification needs it");
    }
    let hex = read_hex_file(path, setting)?;
    let secret = hex::decode(&hex).map_err(|_| ConfigError::new(setting, format!("{} is not hex", path.display())))?;
    let id = format!("ledger-{}", &hex::encode(sha2::Sha256::digest(&secret))[..12]);
    auditflow_schemas::chain::LedgerKey::new(id, secret)
        .ok_or_else(|| ConfigError::new(setting, "the key must be at least 32 bytes").into())
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
    /// Ledger key file.
    pub ledger_key_file: PathBuf,
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
    let ledger_key_file = global
        .ledger_key_file
        .clone()
        .or(file.ledger_key_file)
        .unwrap_or_else(|| PathBuf::from("auditflow-keys/ledger.key"));
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
        ledger_key_file,
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
    })
}
