//! Command line (clap). Every shared setting is a global flag with its SPEC §6 variable.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// auditflow: verified, exactly-once audit evidence from a Redis stream into an
/// append-only, hash-chained Postgres ledger.
///
/// Producers XADD HMAC-signed decision events to `caracal.audit.events`; `auditflow run`
/// verifies each one, dead-letters what fails (with a reason) to `<stream>.dlq`, and writes
/// the rest exactly once into the `audit_events` ledger.
///
/// Quick start: `make demo`, or
///   export AUDIT_HMAC_KEY=$(openssl rand -hex 32)
///   auditflow emit --count 10000 && auditflow run --exit-when-drained
#[derive(Debug, Parser)]
#[command(name = "auditflow", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Shared settings.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Settings every command honours (flag > environment > config file > default).
#[derive(Debug, Args, Clone, serde::Serialize)]
pub struct GlobalArgs {
    /// TOML configuration file.
    #[arg(long, env = "AUDITFLOW_CONFIG", global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Redis URL [default: redis://127.0.0.1:6379].
    #[arg(long, env = "AUDITFLOW_REDIS_URL", global = true, value_name = "URL")]
    pub redis_url: Option<String>,
    /// Postgres URL; the database is created if missing
    /// [default: postgres://postgres@127.0.0.1:5432/auditflow].
    #[arg(long, env = "AUDITFLOW_DATABASE_URL", global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Audit stream [default: caracal.audit.events].
    #[arg(long, env = "AUDITFLOW_STREAM", global = true)]
    pub stream: Option<String>,
    /// Consumer group [default: audit-ingestor].
    #[arg(long, env = "AUDITFLOW_GROUP", global = true)]
    pub group: Option<String>,
    /// Dead-letter stream [default: <stream>.dlq].
    #[arg(long, env = "AUDITFLOW_DLQ_STREAM", global = true)]
    pub dlq_stream: Option<String>,
    /// Revocation stream: entries `{zone_id, session_id, agent_session_id?,
    /// delegation_edge_id?, reason}`, signed like audit events, feed the ledger and the
    /// revocation view; empty to not read one [default: caracal.sessions.revoke].
    #[arg(long, env = "AUDITFLOW_REVOCATION_STREAM", global = true, value_name = "STREAM")]
    pub revocation_stream: Option<String>,
    /// Producer HMAC key as hex (a one-key ring with id `default`).
    #[arg(long, env = "AUDIT_HMAC_KEY", global = true, hide_env_values = true, value_name = "HEX")]
    pub hmac_key: Option<String>,
    /// File holding the producer HMAC key as hex.
    #[arg(long, env = "AUDIT_HMAC_KEY_FILE", global = true, value_name = "FILE")]
    pub hmac_key_file: Option<PathBuf>,
    /// Keyring file: `[[keys]]` tables with `id`, `secret` (hex) and `state` (active|retired).
    #[arg(long, env = "AUDITFLOW_KEYRING_FILE", global = true, value_name = "FILE")]
    pub keyring_file: Option<PathBuf>,
    /// Ledger HMAC key file; generated (0600) on first use [default: ./auditflow-keys/ledger.key].
    #[arg(long, env = "AUDITFLOW_LEDGER_KEY_FILE", global = true, value_name = "FILE")]
    pub ledger_key_file: Option<PathBuf>,
    /// Ed25519 key file signing each committed batch's chain head (64 hex digits per line,
    /// the last active); keep it apart from the HMAC key. Generated (0600) on first use
    /// [default: ledger-head.key beside the ledger key file].
    #[arg(long, env = "AUDITFLOW_LEDGER_HEAD_KEY_FILE", global = true, value_name = "FILE")]
    pub ledger_head_key_file: Option<PathBuf>,
    /// Archive URL: file:///path, file://./relative or s3://bucket/prefix (AWS_* variables
    /// configure S3; path-style requests when AWS_ENDPOINT_URL is set)
    /// [default: file://./auditflow-export].
    #[arg(long, env = "AUDITFLOW_EXPORT_URL", global = true, value_name = "URL")]
    pub export_url: Option<String>,
    /// Ed25519 export signing key file (64 hex digits); generated (0600) on first use
    /// [default: ./auditflow-keys/export.key].
    #[arg(long, env = "AUDITFLOW_EXPORT_SIGNING_KEY_FILE", global = true, value_name = "FILE")]
    pub export_signing_key_file: Option<PathBuf>,
    /// Days evidence stays in the ledger: `retention apply` (and `run`, every 6 h) drops
    /// monthly partitions older than this, never one under an active legal hold or not yet
    /// archived [default: 365].
    #[arg(long, env = "AUDITFLOW_RETENTION_DAYS", global = true, value_name = "DAYS")]
    pub retention_days: Option<u32>,
    /// Print, as JSON, the settings this command would use (after flag > environment > file
    /// > default, secrets redacted) and its arguments, then exit without doing anything.
    #[arg(long, global = true)]
    pub print_settings: bool,
    /// Log format.
    #[arg(long, env = "AUDITFLOW_LOG_FORMAT", global = true, default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,
}

/// Subcommands.
#[derive(Debug, Subcommand, serde::Serialize)]
pub enum Command {
    /// Run the pipeline: read, verify, dead-letter, commit to the ledger, acknowledge, archive.
    Run(RunArgs),
    /// Create or upgrade the ledger schema (tables, partitions, watermarks).
    Migrate,
    /// Publish signed, realistic audit events (demos, tests, load).
    Emit(crate::emit::EmitArgs),
    /// Check the archive against the ledger: manifests, signatures, file hashes and row
    /// counts, every ledger row in exactly one file. Exit 0 clean, 1 problems found.
    VerifyExport(crate::export_cmd::VerifyExportArgs),
    /// Check the ledger for tampering: recompute every row's hash, walk the chains, check
    /// HMACs and the signed batch heads (or, with --privileges, the database's grants and
    /// triggers). Exit 0 clean, 1 findings, 2 usage, 3 unreachable.
    Verify(crate::verify_cmd::VerifyArgs),
    /// Explain one request from the live view (or the ledger, outside the view's window): its
    /// events in order with producer, decision, status, policies, diagnostics and chain
    /// position; the final decision; step-up progress; correlation gaps. Unknown id: exit 1.
    Trace(crate::views_cmd::TraceArgs),
    /// Revocation propagation: per revocation the affected sessions, the first deny after
    /// it and the violations (allows on revoked sessions after the grace period).
    Revocations(crate::views_cmd::RevocationsArgs),
    /// Search the ledger by zone, time range, request id, decision, event type, session or
    /// agent session; pages follow a cursor and each matching row comes exactly once.
    Search(crate::search::SearchArgs),
    /// Legal holds: keep a zone's evidence for a time range past its retention; recorded
    /// append-only with who, when and why.
    #[command(subcommand)]
    LegalHold(crate::legal_hold_cmd::LegalHoldCommand),
    /// Retention: drop monthly partitions past --retention-days (never one under an active
    /// legal hold or not yet archived), create the coming months, list past drops.
    #[command(subcommand)]
    Retention(crate::retention_cmd::RetentionCommand),
    /// The dead-letter stream: list, show, and replay entries whose cause is fixed.
    #[command(subcommand)]
    Dlq(crate::dlq_cmd::DlqCommand),
    /// Archive helpers (e.g. `export athena-ddl`).
    #[command(subcommand)]
    Export(crate::export_cmd::ExportCommand),
    /// Benchmarks against the configured Redis and Postgres.
    #[command(subcommand)]
    #[serde(skip)]
    Bench(crate::bench::BenchCommand),
}

/// `auditflow run`.
#[derive(Debug, Args, Clone, serde::Serialize)]
pub struct RunArgs {
    /// Timely worker threads [default: one per core].
    #[arg(long, env = "AUDITFLOW_WORKERS")]
    pub workers: Option<usize>,
    /// Stop once the group has nothing undelivered or pending and all is committed.
    #[arg(long)]
    pub exit_when_drained: bool,
    /// Accept events without checking signatures. Test setups only; logged loudly.
    #[arg(long)]
    pub insecure_skip_verify: bool,
    /// Give up (exit 3) when Redis or Postgres stay unreachable this long at start-up.
    #[arg(long, env = "AUDITFLOW_CONNECT_TIMEOUT_SECS", default_value_t = 60, value_name = "SECS")]
    pub connect_timeout_secs: u64,
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
    /// Ledger shards (chains); fixed for the life of a ledger [default: 16].
    #[arg(long, env = "AUDITFLOW_LEDGER_SHARDS")]
    pub ledger_shards: Option<u32>,
    /// Epoch length in milliseconds [default: 100].
    #[arg(long, env = "AUDITFLOW_EPOCH_MS")]
    pub epoch_ms: Option<u64>,
    /// Consumer name prefix; worker i reads as `<prefix>-<i>` [default: auditflow].
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
    /// Request traces and access events stay in the live views this long (by event time);
    /// older requests are explained from the ledger [default: 86400].
    #[arg(long, env = "AUDITFLOW_VIEWS_TRACE_WINDOW_SECS", value_name = "SECS")]
    pub views_trace_window_secs: Option<u64>,
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
    pub api_tokens_file: Option<std::path::PathBuf>,
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
    /// Seconds between retention passes (drop partitions past --retention-days, create the
    /// coming months); 0 disables them [default: 21600].
    #[arg(long, env = "AUDITFLOW_RETENTION_INTERVAL_SECS", value_name = "SECS")]
    pub retention_interval_secs: Option<u64>,
    /// Benchmarks only: write rows without hash chains, HMACs or signed heads, to measure
    /// what they cost. A ledger written so does not verify.
    #[arg(long, hide = true)]
    pub bench_without_chaining: bool,
    /// Print the end-of-run summary as JSON on stdout.
    #[arg(long)]
    pub summary_json: bool,
}
