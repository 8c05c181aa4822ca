//! What resolution yields: every setting of a command, checked and ready to use, and how
//! `--print-settings` shows it (secrets redacted).

use super::error::ConfigError;
use super::keys;
use super::redact::{redact, Secret};
use super::tokens::TokenSpec;
use std::path::PathBuf;

/// Everything `run` (and the other commands) need, validated.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// Redis URL (as given: redact it before showing it).
    pub redis_url: String,
    /// Redis with its credentials and TLS.
    pub redis: auditflow_sources::redis_stream::RedisTarget,
    /// Postgres URL (as given: redact it before showing it).
    pub database_url: String,
    /// The ledger's connection settings and TLS.
    pub pg: auditflow_ledger::postgres::PgTarget,
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
    /// How long rows stay in the views (event time).
    pub views_window: auditflow_operators::window::WindowSettings,
    /// The revocation view's grace period.
    pub views_revocation_grace: std::time::Duration,
    /// Rows the views may hold given and not yet written, over the process's workers.
    pub views_budget_rows: usize,
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
    /// S3 endpoint where `AWS_ENDPOINT_URL` is unset (Caracal's `AUDIT_EXPORT_S3_ENDPOINT`).
    pub s3_endpoint: Option<String>,
    /// S3 region where `AWS_REGION` is unset (Caracal's `AUDIT_EXPORT_S3_REGION`).
    pub s3_region: Option<String>,
    /// CAs an https:// S3 endpoint may chain to (`AUDITFLOW_EXPORT_CA_FILE`, `AWS_CA_BUNDLE`).
    pub s3_ca_file: Option<PathBuf>,
    /// Ed25519 export key file.
    pub export_signing_key_file: PathBuf,
    /// Export tuning.
    pub export: auditflow_archive::ExportConfig,
    /// The OCSF archive, when configured.
    pub ocsf: Option<super::ocsf::OcsfSettings>,
    /// HTTP listen address.
    pub listen: String,
    /// The bearer `/metrics` requires (Caracal's `METRICS_BEARER`); none: open.
    pub metrics_bearer: Option<Secret>,
    /// The token Caracal's `/api/audit/*` requires (Caracal's `AUDIT_ADMIN_TOKEN`); none: no
    /// such routes.
    pub admin_token: Option<Secret>,
    /// `/readyz` gates.
    pub ready_gates: ReadyGates,
    /// API tokens (none: the API refuses every call).
    pub api_tokens: Vec<TokenSpec>,
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
            "redis_url": redact(&self.redis_url),
            "redis_username": self.redis.username(),
            "redis_password": self.redis.has_password().then_some("<redacted>"),
            "redis_tls": self.redis.uses_tls(),
            "database_url": redact(&self.database_url),
            "database_password": self.pg.get_password().map(|_| "<redacted>"),
            "database_sslmode": self.pg.ssl_mode().as_str(),
            "database_sslrootcert": self.pg.tls_options().root_cert,
            "database_sslcert": self.pg.tls_options().client_cert,
            "database_sslkey": self.pg.tls_options().client_key,
            "stream": self.stream,
            "group": self.group,
            "dlq_stream": self.dlq_stream,
            "revocation_stream": self.revocation_stream,
            "hmac_key": self.keys.hmac_key.as_ref().map(|_| "<redacted>"),
            "hmac_key_file": self.keys.hmac_key_file,
            "keyring_file": self.keys.keyring_file,
            "ledger_key_file": self.ledger_key_file,
            "ledger_head_key_file": self.ledger_head_key_file,
            "export_url": redact(&self.export_url),
            "export_signing_key_file": self.export_signing_key_file,
            "s3_endpoint": self.s3_endpoint,
            "s3_region": self.s3_region,
            "export_ca_file": self.s3_ca_file,
            "export_max_delay_secs": self.export.max_delay.as_secs_f64(),
            "export_target_file_bytes": self.export.target_file_bytes,
            "export_target_segment_rows": self.export.target_segment_rows,
            "ocsf_url": self.ocsf.as_ref().map(|o| redact(&o.url)),
            "ocsf_region": self.ocsf.as_ref().map(|o| &o.target.region),
            "ocsf_account_id": self.ocsf.as_ref().map(|o| &o.target.account_id),
            "ocsf_format": self.ocsf.as_ref().map(|o| o.target.format),
            "ocsf_roll_secs": self.ocsf.as_ref().map(|o| (o.config.max_delay * 3 / 4).as_secs()),
            "tamper_rolling_secs": self.tamper_rolling.as_secs_f64(),
            "tamper_sweep_interval_secs": self.tamper_sweep_interval.as_secs_f64(),
            "views_enabled": self.views_enabled,
            "views_allowed_lateness_secs": self.views_window.allowed_lateness_us / 1_000_000,
            "views_request_gap_secs": self.views_window.request_gap_us / 1_000_000,
            "views_max_clock_skew_secs": self.views_window.max_clock_skew_us / 1_000_000,
            "views_session_idle_secs": self.views_window.session_idle_us / 1_000_000,
            "views_revocation_grace_secs": self.views_revocation_grace.as_secs_f64(),
            "views_budget_rows": self.views_budget_rows,
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
            "metrics_bearer": self.metrics_bearer.as_ref().map(|_| "<redacted>"),
            "admin_token": self.admin_token.as_ref().map(|_| "<redacted>"),
            "readyz_max_dlq_size": self.ready_gates.max_dlq_size,
            "readyz_max_consumer_lag": self.ready_gates.max_consumer_lag,
            "readyz_max_pending_age_secs": self.ready_gates.max_pending_age_secs,
            "readyz_max_views_lag_secs": self.ready_gates.max_views_lag_secs,
            "healthz_stall_secs": self.ready_gates.healthz_stall_secs,
            "api_tokens": self.api_tokens.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            "retention_days": self.retention_days,
            "retention_interval_secs": self.retention_interval.map(|d| d.as_secs_f64()),
        })
    }

    /// Builds the producer keyring (reads the key or keyring file named in the settings).
    pub fn keyring(&self, insecure_skip_verify: bool) -> Result<auditflow_schemas::keyring::Keyring, ConfigError> {
        keys::keyring(
            self.keys.hmac_key.as_deref(),
            self.keys.hmac_key_file.as_deref(),
            self.keys.keyring_file.as_deref(),
            insecure_skip_verify,
        )
    }
}

/// The `/readyz` gates: each is a limit past which the process reports not ready; 0
/// disables one.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct ReadyGates {
    /// Not ready when the DLQ holds more entries than this.
    pub max_dlq_size: u64,
    /// Not ready when more entries than this wait undelivered.
    pub max_consumer_lag: u64,
    /// Not ready when the oldest unacknowledged entry is older than this, seconds.
    pub max_pending_age_secs: u64,
    /// Not ready when the live views lag further than this behind the ledger, seconds.
    pub max_views_lag_secs: u64,
    /// Not alive (`/healthz` 503) when the running pipeline's committed frontier has not
    /// moved for this long, seconds.
    pub healthz_stall_secs: u64,
}
