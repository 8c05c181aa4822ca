//! The TOML configuration file (`--config` / `AUDITFLOW_CONFIG`): its format, one table per
//! concern. Every key is optional and unknown keys are errors, so that a typo never falls
//! back to a default in silence. Resolution against flags and variables is in
//! [`super::resolve`].

use super::error::ConfigError;
use serde::Deserialize;
use std::path::{Path, PathBuf};

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
/// allowed_lateness_secs = 300
/// request_gap_secs = 60
/// max_clock_skew_secs = 3600
/// session_idle_secs = 3600
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
    /// Seconds without the committed frontier moving before `/healthz` is 503
    /// (`AUDITFLOW_HEALTHZ_STALL_SECS`).
    pub healthz_stall_secs: Option<u64>,
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
    /// How far the live views may lag behind the ledger and still be ready, seconds.
    pub max_views_lag_secs: Option<u64>,
}

/// `[views]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewsFile {
    /// Run the live views.
    pub enabled: Option<bool>,
    /// No longer used (the views run in event time); accepted so that an older file still
    /// loads, with a warning.
    pub trace_window_secs: Option<u64>,
    /// Event-time seconds a row may arrive behind the newest one and still be on time.
    pub allowed_lateness_secs: Option<u64>,
    /// Event-time seconds a request must be quiet before its trace leaves memory.
    pub request_gap_secs: Option<u64>,
    /// Event times further ahead of the wall clock than this do not move the views' clock.
    pub max_clock_skew_secs: Option<u64>,
    /// Event-time seconds nothing may touch a delegation tree before it leaves memory.
    pub session_idle_secs: Option<u64>,
    /// Grace period of the revocation view, seconds.
    pub revocation_grace_secs: Option<f64>,
    /// Rows the views may hold given and not yet written (over the process's workers).
    pub budget_rows: Option<u64>,
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
    /// `[export.ocsf]`: the OCSF archive.
    #[serde(default)]
    pub ocsf: super::ocsf::OcsfFile,
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
    /// Number of shards zones map to (each shard one worker and one transaction per batch);
    /// may change between runs.
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
    parse_file(&text)
        .map_err(|e| ConfigError::new("AUDITFLOW_CONFIG (--config)", format!("{} is not valid: {e}", path.display())))
}

/// Parses a configuration file's text (unknown keys are errors).
pub fn parse_file(text: &str) -> Result<FileConfig, String> {
    toml::from_str(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_example_config_parses() {
        let text = include_str!("../../../deploy/auditflow.example.toml");
        let file: FileConfig = toml::from_str(text).expect("deploy/auditflow.example.toml is valid");
        assert_eq!(file.tamper.rolling_hours, Some(4.0));
        assert!(file.ledger_head_key_file.is_some());
        assert_eq!(file.retention.tables.audit_events, Some(365));
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
}
