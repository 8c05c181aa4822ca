//! The setting flags, one struct per family (ripgrep's way): a command flattens the families
//! it uses, so `<command> --help` lists those settings and no others. Each flag also reads
//! its variable (SPEC §6); [`SettingsFlags`] gathers every family for resolution, with the
//! families a command does not expose left at their defaults (the file and the built-in
//! defaults then decide, exactly as before the flags were split).

use clap::Args;
use serde::Serialize;
use std::path::PathBuf;

/// Flags every command takes, before or after its name.
#[derive(Debug, Args, Clone, Default, Serialize)]
pub struct GlobalFlags {
    /// TOML configuration file.
    #[arg(long, env = "AUDITFLOW_CONFIG", global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print, as JSON, the settings this command would use (after flag > environment > file
    /// > default, secrets redacted) and its arguments, then exit without doing anything.
    #[arg(long, global = true)]
    pub print_settings: bool,
    /// Log format.
    #[arg(long, env = "AUDITFLOW_LOG_FORMAT", global = true, default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,
}

/// Where Redis is.
#[derive(Debug, Args, Clone, Default, Serialize)]
pub struct RedisFlags {
    /// Redis URL [default: redis://127.0.0.1:6379].
    #[arg(long, env = "AUDITFLOW_REDIS_URL", value_name = "URL")]
    pub redis_url: Option<String>,
    /// Redis ACL user (replaces the URL's).
    #[arg(long, env = "AUDITFLOW_REDIS_USERNAME", value_name = "USER")]
    pub redis_username: Option<String>,
    /// File holding the Redis password, as Kubernetes mounts a secret (replaces the URL's;
    /// AUDITFLOW_REDIS_PASSWORD gives it directly).
    #[arg(long, env = "AUDITFLOW_REDIS_PASSWORD_FILE", value_name = "FILE")]
    pub redis_password_file: Option<PathBuf>,
    /// CA certificates (PEM) a rediss:// server's certificate must chain to [default: the
    /// platform's roots].
    #[arg(long, env = "AUDITFLOW_REDIS_CA_FILE", value_name = "FILE")]
    pub redis_ca_file: Option<PathBuf>,
    /// Client certificate (PEM) for a rediss:// server that asks for one (with
    /// --redis-key-file).
    #[arg(long, env = "AUDITFLOW_REDIS_CERT_FILE", value_name = "FILE")]
    pub redis_cert_file: Option<PathBuf>,
    /// The client certificate's private key (PEM).
    #[arg(long, env = "AUDITFLOW_REDIS_KEY_FILE", value_name = "FILE")]
    pub redis_key_file: Option<PathBuf>,
}

/// Where the ledger is.
#[derive(Debug, Args, Clone, Default, Serialize)]
pub struct PostgresFlags {
    /// Postgres URL; the database is created if missing
    /// [default: postgres://postgres@127.0.0.1:5432/auditflow].
    #[arg(long, env = "AUDITFLOW_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
    /// File holding the database password, as Kubernetes mounts a secret (replaces the URL's;
    /// AUDITFLOW_DATABASE_PASSWORD gives it directly, PGPASSWORD is the last resort).
    #[arg(long, env = "AUDITFLOW_DATABASE_PASSWORD_FILE", value_name = "FILE")]
    pub database_password_file: Option<PathBuf>,
    /// TLS as libpq's sslmode: disable, prefer, require, verify-ca or verify-full; over the
    /// URL's sslmode, then PGSSLMODE [default: prefer].
    #[arg(long, env = "AUDITFLOW_DATABASE_SSLMODE", value_name = "MODE")]
    pub database_sslmode: Option<String>,
    /// CA certificates (PEM) the server's certificate must chain to, or `system`; over the
    /// URL's sslrootcert, then PGSSLROOTCERT.
    #[arg(long, env = "AUDITFLOW_DATABASE_SSLROOTCERT", value_name = "FILE")]
    pub database_sslrootcert: Option<PathBuf>,
    /// Client certificate (PEM) for a server that authenticates by certificate; over the
    /// URL's sslcert, then PGSSLCERT.
    #[arg(long, env = "AUDITFLOW_DATABASE_SSLCERT", value_name = "FILE")]
    pub database_sslcert: Option<PathBuf>,
    /// The client certificate's private key (PEM); over the URL's sslkey, then PGSSLKEY.
    #[arg(long, env = "AUDITFLOW_DATABASE_SSLKEY", value_name = "FILE")]
    pub database_sslkey: Option<PathBuf>,
}

/// The audit stream producers publish to.
#[derive(Debug, Args, Clone, Default, Serialize)]
pub struct StreamFlags {
    /// Audit stream [default: caracal.audit.events].
    #[arg(long, env = "AUDITFLOW_STREAM")]
    pub stream: Option<String>,
}

/// The consumer group the pipeline reads as.
#[derive(Debug, Args, Clone, Default, Serialize)]
pub struct GroupFlags {
    /// Consumer group [default: audit-ingestor].
    #[arg(long, env = "AUDITFLOW_GROUP")]
    pub group: Option<String>,
}

/// The dead-letter stream (its default follows the audit stream, so it comes with it).
#[derive(Debug, Args, Clone, Default, Serialize)]
pub struct DeadLetterFlags {
    // The audit stream, which names the default.
    #[command(flatten)]
    pub stream: StreamFlags,
    /// Dead-letter stream [default: <stream>.dlq].
    #[arg(long, env = "AUDITFLOW_DLQ_STREAM")]
    pub dlq_stream: Option<String>,
}

/// The revocation stream.
#[derive(Debug, Args, Clone, Default, Serialize)]
pub struct RevocationFlags {
    /// Revocation stream: entries `{zone_id, session_id, agent_session_id?,
    /// delegation_edge_id?, reason}`, signed like audit events, feed the ledger and the
    /// revocation view; empty to not read one [default: caracal.sessions.revoke].
    #[arg(long, env = "AUDITFLOW_REVOCATION_STREAM", value_name = "STREAM")]
    pub revocation_stream: Option<String>,
}

/// The producers' HMAC keys (one of the three is needed to sign or verify events).
#[derive(Debug, Args, Clone, Default, Serialize)]
pub struct ProducerKeyFlags {
    /// Producer HMAC key as hex (a one-key ring with id `default`).
    #[arg(long, env = "AUDIT_HMAC_KEY", hide_env_values = true, value_name = "HEX")]
    #[serde(serialize_with = "redacted")]
    pub hmac_key: Option<String>,
    /// File holding the producer HMAC key as hex.
    #[arg(long, env = "AUDIT_HMAC_KEY_FILE", value_name = "FILE")]
    pub hmac_key_file: Option<PathBuf>,
    /// Keyring file: `[[keys]]` tables with `id`, `secret` (hex) and `state` (active|retired).
    #[arg(long, env = "AUDITFLOW_KEYRING_FILE", value_name = "FILE")]
    pub keyring_file: Option<PathBuf>,
}

fn redacted<S: serde::Serializer>(secret: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    secret.as_ref().map(|_| "<redacted>").serialize(s)
}

/// The ledger's own keys: the HMAC key of `chain_hmac` and the Ed25519 head key.
#[derive(Debug, Args, Clone, Default, Serialize)]
pub struct LedgerKeyFlags {
    /// Ledger HMAC key file; generated (0600) on first use [default: ./auditflow-keys/ledger.key].
    #[arg(long, env = "AUDITFLOW_LEDGER_KEY_FILE", value_name = "FILE")]
    pub ledger_key_file: Option<PathBuf>,
    /// Ed25519 key file signing each committed batch's chain head (64 hex digits per line,
    /// the last active); keep it apart from the HMAC key. Generated (0600) on first use
    /// [default: ledger-head.key beside the ledger key file].
    #[arg(long, env = "AUDITFLOW_LEDGER_HEAD_KEY_FILE", value_name = "FILE")]
    pub ledger_head_key_file: Option<PathBuf>,
}

/// The archive and its signing key.
#[derive(Debug, Args, Clone, Default, Serialize)]
pub struct ArchiveFlags {
    /// Archive URL: file:///path, file://./relative or s3://bucket/prefix (AWS_* variables
    /// configure S3; path-style requests when AWS_ENDPOINT_URL is set)
    /// [default: file://./auditflow-export].
    #[arg(long, env = "AUDITFLOW_EXPORT_URL", value_name = "URL")]
    pub export_url: Option<String>,
    /// Ed25519 export signing key file (64 hex digits); generated (0600) on first use
    /// [default: ./auditflow-keys/export.key].
    #[arg(long, env = "AUDITFLOW_EXPORT_SIGNING_KEY_FILE", value_name = "FILE")]
    pub export_signing_key_file: Option<PathBuf>,
    /// CA certificates (PEM) an https:// S3 endpoint's certificate may chain to, besides the
    /// platform's roots [default: AWS_CA_BUNDLE].
    #[arg(long, env = "AUDITFLOW_EXPORT_CA_FILE", value_name = "FILE")]
    pub export_ca_file: Option<PathBuf>,
    /// A second archive as OCSF 1.3.0 events for SIEMs (docs/ocsf.md): file:///path or
    /// s3://bucket/prefix, e.g. a Security Lake custom source's location
    /// (s3://aws-security-data-lake-<region>-<id>/ext/<source>) [default: none].
    #[arg(long, env = "AUDITFLOW_OCSF_URL", value_name = "URL")]
    pub ocsf_url: Option<String>,
    /// The OCSF archive's custom-source name prefix: class 3003 goes under <url>/<source>-3003/
    /// (Security Lake takes one class per custom source) [default: auditflow].
    #[arg(long, env = "AUDITFLOW_OCSF_SOURCE", value_name = "NAME")]
    pub ocsf_source: Option<String>,
    /// The OCSF archive's region= partition [default: AWS_REGION, else us-east-1].
    #[arg(long, env = "AUDITFLOW_OCSF_REGION", value_name = "REGION")]
    pub ocsf_region: Option<String>,
    /// The OCSF archive's accountId= partition, 12 digits [default: 000000000000].
    #[arg(long, env = "AUDITFLOW_OCSF_ACCOUNT_ID", value_name = "ID")]
    pub ocsf_account_id: Option<String>,
    /// The OCSF archive's files: parquet (Security Lake, Athena) or json-gz (Sentinel,
    /// SecOps) [default: parquet].
    #[arg(long, env = "AUDITFLOW_OCSF_FORMAT", value_name = "FORMAT")]
    pub ocsf_format: Option<String>,
    /// Seconds of commits an OCSF file covers (Security Lake wants 5 min to a day)
    /// [default: 300].
    #[arg(long, env = "AUDITFLOW_OCSF_ROLL_SECS", value_name = "SECS")]
    pub ocsf_roll_secs: Option<u64>,
}

/// The ledger and what proves it: where it is, its keys, and the archive it is checked
/// against (`run` writes all three, `verify` reads them).
#[derive(Debug, Args, Clone, Default, Serialize)]
pub struct EvidenceFlags {
    #[command(flatten)]
    pub postgres: PostgresFlags,
    #[command(flatten)]
    pub ledger_keys: LedgerKeyFlags,
    #[command(flatten)]
    pub archive: ArchiveFlags,
}

/// How long evidence stays in the ledger.
#[derive(Debug, Args, Clone, Default, Serialize)]
pub struct RetentionFlags {
    /// Days evidence stays in the ledger: `retention apply` (and `run`, every 6 h) drops
    /// monthly partitions older than this, never one under an active legal hold or not yet
    /// archived [default: 365].
    #[arg(long, env = "AUDITFLOW_RETENTION_DAYS", value_name = "DAYS")]
    pub retention_days: Option<u32>,
}

/// The pipeline's own tuning: only `run` has these.
#[derive(Debug, Args, Clone, Default, Serialize)]
pub struct PipelineFlags {
    /// Timely worker threads [default: one per core].
    #[arg(long, env = "AUDITFLOW_WORKERS")]
    pub workers: Option<usize>,
    /// Claim entries idle this long on other (dead) consumers [default: 30000].
    #[arg(long, env = "AUDITFLOW_CLAIM_IDLE_MS", value_name = "MS")]
    pub claim_idle_ms: Option<u64>,
    /// Dead-letter entries delivered more often than this [default: 8].
    #[arg(long, env = "AUDITFLOW_MAX_DELIVERIES")]
    pub max_deliveries: Option<u64>,
    /// Entries per read [default: 2000].
    #[arg(long, env = "AUDITFLOW_BATCH_SIZE")]
    pub batch_size: Option<usize>,
    /// Unacknowledged entries per worker before reading pauses [default: 20000].
    #[arg(long, env = "AUDITFLOW_MAX_IN_FLIGHT")]
    pub max_in_flight: Option<usize>,
    /// Ledger shards: zones map to shards by a stable hash, each shard to one worker, and
    /// one transaction per shard and batch covers its zones; may change between runs
    /// [default: 16].
    #[arg(long, env = "AUDITFLOW_LEDGER_SHARDS")]
    pub ledger_shards: Option<u32>,
    /// Epoch length in milliseconds [default: 100].
    #[arg(long, env = "AUDITFLOW_EPOCH_MS")]
    pub epoch_ms: Option<u64>,
    /// Consumer name prefix; local worker w of process p reads as `<prefix>-<p>-<w>`
    /// [default: auditflow].
    #[arg(long, env = "AUDITFLOW_CONSUMER_PREFIX")]
    pub consumer_prefix: Option<String>,
    /// Archive a committed row within this many seconds [default: 60].
    #[arg(long, env = "AUDITFLOW_EXPORT_MAX_DELAY_SECS", value_name = "SECS")]
    pub export_max_delay_secs: Option<u64>,
    /// Hours the rolling tamper sweep re-verifies (batches committed that recently)
    /// [default: 4].
    #[arg(long, env = "AUDITFLOW_TAMPER_ROLLING_HOURS", value_name = "HOURS")]
    pub tamper_rolling_hours: Option<f64>,
    /// Seconds between rolling tamper sweeps (a full sweep runs at start-up) [default: 3600].
    #[arg(long, env = "AUDITFLOW_TAMPER_SWEEP_INTERVAL_SECS", value_name = "SECS")]
    pub tamper_sweep_interval_secs: Option<u64>,
    /// Do not run the live views (request traces, revocation propagation).
    #[arg(long)]
    pub no_views: bool,
    /// The live views run in event time: a row may arrive this far (event time) behind the
    /// newest one and still be on time; later rows are still checked, then leave memory
    /// at once [default: 300].
    #[arg(long, env = "AUDITFLOW_VIEWS_ALLOWED_LATENESS_SECS", value_name = "SECS")]
    pub views_allowed_lateness_secs: Option<u64>,
    /// A request's trace leaves memory once the request has been quiet this long (event
    /// time) past the allowed lateness; its stored row is the durable copy [default: 60].
    #[arg(long, env = "AUDITFLOW_VIEWS_REQUEST_GAP_SECS", value_name = "SECS")]
    pub views_request_gap_secs: Option<u64>,
    /// Event times further than this ahead of the wall clock do not move the views' clock
    /// (a producer with a wrong clock) [default: 3600].
    #[arg(long, env = "AUDITFLOW_VIEWS_MAX_CLOCK_SKEW_SECS", value_name = "SECS")]
    pub views_max_clock_skew_secs: Option<u64>,
    /// A delegation tree (sessions, edges, revocations) nothing has touched for this long
    /// (event time) leaves the views' memory; a later row on it is checked against the
    /// stored views and the ledger [default: 3600].
    #[arg(long, env = "AUDITFLOW_VIEWS_SESSION_IDLE_SECS", value_name = "SECS")]
    pub views_session_idle_secs: Option<u64>,
    /// The live views hold at most this many rows given to them and not yet written (over
    /// the process's workers); past it, what the ledger commits reaches them later, read
    /// back from the ledger, and ingestion does not wait [default: 200000].
    #[arg(long, env = "AUDITFLOW_VIEWS_BUDGET_ROWS", value_name = "ROWS")]
    pub views_budget_rows: Option<u64>,
    /// An allow on a revoked session later than the revocation plus this is a violation
    /// [default: 5].
    #[arg(long, env = "AUDITFLOW_VIEWS_REVOCATION_GRACE_SECS", value_name = "SECS")]
    pub views_revocation_grace_secs: Option<f64>,
    /// Address of the HTTP server (/healthz, /readyz, /metrics); port 0 picks a free one
    /// [default: 127.0.0.1:9090].
    #[arg(long, env = "AUDITFLOW_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,
    /// TOML file of API tokens (`[[tokens]]` name, sha256, scopes, zones); without it every
    /// /v1 call is refused (401).
    #[arg(long, env = "AUDITFLOW_API_TOKENS_FILE", value_name = "FILE")]
    pub api_tokens_file: Option<PathBuf>,
    /// /readyz fails while the DLQ holds more entries than this; 0 disables [default: 1000].
    #[arg(long, env = "AUDITFLOW_READYZ_MAX_DLQ_SIZE", value_name = "ENTRIES")]
    pub readyz_max_dlq_size: Option<u64>,
    /// /readyz fails while more entries than this wait undelivered; 0 disables
    /// [default: 100000].
    #[arg(long, env = "AUDITFLOW_READYZ_MAX_CONSUMER_LAG", value_name = "ENTRIES")]
    pub readyz_max_consumer_lag: Option<u64>,
    /// /readyz fails while the oldest unacknowledged entry is older than this; 0 disables
    /// [default: 300].
    #[arg(long, env = "AUDITFLOW_READYZ_MAX_PENDING_AGE_SECS", value_name = "SECS")]
    pub readyz_max_pending_age_secs: Option<u64>,
    /// /healthz (and Caracal's /health) answers 503 once the running pipeline's committed
    /// frontier has not moved for this long: it moves every epoch, idle or not, so only a
    /// stuck process stops it, and a liveness probe then restarts it; 0 disables [default: 60].
    #[arg(long, env = "AUDITFLOW_HEALTHZ_STALL_SECS", value_name = "SECS")]
    pub healthz_stall_secs: Option<u64>,
    /// /readyz fails while the live views lag this far behind the ledger; 0 disables
    /// [default: 300].
    #[arg(long, env = "AUDITFLOW_READYZ_MAX_VIEWS_LAG_SECS", value_name = "SECS")]
    pub readyz_max_views_lag_secs: Option<u64>,
    /// Seconds between retention passes (drop partitions past --retention-days, create the
    /// coming months); 0 disables them [default: 21600].
    #[arg(long, env = "AUDITFLOW_RETENTION_INTERVAL_SECS", value_name = "SECS")]
    pub retention_interval_secs: Option<u64>,
}

/// Every family, for [`super::resolve`]: a command fills in those it exposes and leaves the
/// rest at their defaults.
#[derive(Debug, Clone, Default)]
pub struct SettingsFlags {
    /// `--redis-url`.
    pub redis: RedisFlags,
    /// `--database-url`.
    pub postgres: PostgresFlags,
    /// `--stream`, `--dlq-stream`.
    pub streams: DeadLetterFlags,
    /// `--group`.
    pub group: GroupFlags,
    /// `--revocation-stream`.
    pub revocations: RevocationFlags,
    /// `--hmac-key`, `--hmac-key-file`, `--keyring-file`.
    pub producer_keys: ProducerKeyFlags,
    /// `--ledger-key-file`, `--ledger-head-key-file`.
    pub ledger_keys: LedgerKeyFlags,
    /// `--export-url`, `--export-signing-key-file`.
    pub archive: ArchiveFlags,
    /// `--retention-days`.
    pub retention: RetentionFlags,
    /// `run`'s tuning.
    pub pipeline: PipelineFlags,
}

impl SettingsFlags {
    /// The ledger, its keys and the archive given; everything else at its default.
    pub fn with_evidence(evidence: &EvidenceFlags) -> Self {
        SettingsFlags {
            postgres: evidence.postgres.clone(),
            ledger_keys: evidence.ledger_keys.clone(),
            archive: evidence.archive.clone(),
            ..SettingsFlags::default()
        }
    }

    /// Only the ledger's location given; everything else at its default (the commands that
    /// only read or administer the ledger).
    pub fn with_postgres(postgres: &PostgresFlags) -> Self {
        SettingsFlags { postgres: postgres.clone(), ..SettingsFlags::default() }
    }
}
