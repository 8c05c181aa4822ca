//! `auditflow run`: the pipeline itself. Resolves the settings, prepares the pipeline
//! ([`crate::dataflow`]), serves the operations surface ([`crate::ops`]) beside it, runs it
//! until drained or signalled, and prints what it did.

use crate::cluster::{self, ClusterFlags};
use crate::dataflow::{Pipeline, RunOptions, RunSummary};
use crate::ops;
use crate::settings::flags::{
    DeadLetterFlags, EvidenceFlags, GlobalFlags, GroupFlags, PipelineFlags, ProducerKeyFlags, RedisFlags,
    RetentionFlags, RevocationFlags, SettingsFlags,
};
use crate::settings::{self, ConfigError, Resolved};
use clap::Args;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// `auditflow run`.
#[derive(Debug, Args, Clone, Serialize)]
pub struct RunArgs {
    /// Stop once the group has nothing undelivered or pending and all is committed.
    #[arg(long)]
    pub exit_when_drained: bool,
    /// Accept events without checking signatures. Test setups only; logged loudly.
    #[arg(long)]
    pub insecure_skip_verify: bool,
    /// Give up (exit 3) when Redis or Postgres stay unreachable this long at start-up.
    #[arg(long, env = "AUDITFLOW_CONNECT_TIMEOUT_SECS", default_value_t = 60, value_name = "SECS")]
    pub connect_timeout_secs: u64,
    /// Benchmarks only: write rows without hash chains, HMACs or signed heads, to measure
    /// what they cost. A ledger written so does not verify.
    #[arg(long, hide = true)]
    pub bench_without_chaining: bool,
    /// Print the end-of-run summary as JSON on stdout.
    #[arg(long)]
    pub summary_json: bool,
    #[command(flatten)]
    pub pipeline: PipelineFlags,
    #[command(flatten)]
    pub redis: RedisFlags,
    #[command(flatten)]
    pub evidence: EvidenceFlags,
    #[command(flatten)]
    pub streams: DeadLetterFlags,
    #[command(flatten)]
    pub group: GroupFlags,
    #[command(flatten)]
    pub revocations: RevocationFlags,
    #[command(flatten)]
    pub producer_keys: ProducerKeyFlags,
    #[command(flatten)]
    pub retention: RetentionFlags,
    #[command(flatten)]
    pub cluster: ClusterFlags,
}

impl RunArgs {
    /// The settings flags this command was given (all of them: `run` uses every setting).
    pub fn flags(&self) -> SettingsFlags {
        SettingsFlags {
            redis: self.redis.clone(),
            streams: self.streams.clone(),
            group: self.group.clone(),
            revocations: self.revocations.clone(),
            producer_keys: self.producer_keys.clone(),
            retention: self.retention.clone(),
            pipeline: self.pipeline.clone(),
            ..SettingsFlags::with_evidence(&self.evidence)
        }
    }

    /// How the pipeline is to behave beyond its settings, for processes of `workers` workers.
    pub fn options(&self, workers: usize) -> Result<RunOptions, ConfigError> {
        Ok(RunOptions {
            exit_when_drained: self.exit_when_drained,
            insecure_skip_verify: self.insecure_skip_verify,
            connect_timeout: Duration::from_secs(self.connect_timeout_secs),
            without_chaining: self.bench_without_chaining,
            cluster: cluster::resolve(&self.cluster, workers)?,
        })
    }
}

/// Runs `auditflow run` and prints its summary.
pub fn run(global: &GlobalFlags, args: &RunArgs) -> anyhow::Result<()> {
    let summary = execute(global, args)?;
    if args.summary_json {
        println!("{}", serde_json::to_string_pretty(&summary).unwrap_or_default());
    } else {
        print_summary(&summary);
    }
    Ok(())
}

/// Runs the pipeline, with its operations surface, until drained (with
/// `--exit-when-drained`) or SIGINT / SIGTERM.
pub fn execute(global: &GlobalFlags, args: &RunArgs) -> anyhow::Result<RunSummary> {
    let settings = settings::resolve(global, &args.flags())?;
    let options = args.options(settings.workers)?;
    let pipeline = Pipeline::prepare(settings, options)?;
    serve_operations(&pipeline)?;
    pipeline.run()
}

/// `/healthz`, `/readyz`, `/metrics` and the API, fed by the pipeline's telemetry.
fn serve_operations(pipeline: &Pipeline) -> anyhow::Result<()> {
    let settings: &Resolved = pipeline.settings();
    let telemetry = pipeline.telemetry();
    ops::serve(
        &settings.listen,
        ops::Streams {
            redis: settings.redis.clone(),
            stream: settings.stream.clone(),
            revocation_stream: settings.revocation_stream.clone(),
            group: settings.group.clone(),
            dlq: settings.dlq_stream.clone(),
        },
        settings.ready_gates.clone(),
        ops::metrics::Sources {
            ledger: telemetry.ledger.clone(),
            export: telemetry.export.clone(),
            ocsf_export: telemetry.ocsf_export.clone(),
            tamper: telemetry.tamper.clone(),
            views: telemetry.views.clone(),
            views_enabled: settings.views_enabled,
            window: telemetry.window.clone(),
            read: telemetry.read.clone(),
            stream_resets: telemetry.stream_resets.clone(),
            frontier_advanced_ms: telemetry.frontier_advanced_ms.clone(),
            verification_skipped: telemetry.keyring.skips_verification(),
            running: telemetry.running.clone(),
            cluster: telemetry.cluster.clone(),
            rewinds: telemetry.rewinds.clone(),
        },
        Arc::new(ops::api::ApiState {
            tokens: settings.api_tokens.clone(),
            // The API only reads; it does not use the writer role.
            pool: auditflow_ledger::postgres::read_pool(&settings.pg, 4)?,
            redis: settings.redis.clone(),
            dlq_stream: settings.dlq_stream.clone(),
            keyring: telemetry.keyring.clone(),
            limits: auditflow_schemas::wire::Limits { max_data_bytes: settings.max_event_bytes },
            revocation_stream: settings.revocation_stream.clone(),
            tamper: telemetry.tamper.clone(),
        }),
        ops::CaracalAccess {
            metrics_bearer: settings.metrics_bearer.clone(),
            admin_token: settings.admin_token.clone(),
        },
    )?;
    Ok(())
}

fn print_summary(s: &RunSummary) {
    println!("auditflow run finished in {:.1} s", s.elapsed_secs);
    println!("  read from the stream     {:>10}  ({:.0} events/s)", s.read, s.events_per_sec);
    println!("  stored in the ledger     {:>10}", s.stored);
    println!("  duplicates dropped       {:>10}", s.duplicates_dropped);
    println!("  tampered replays (DLQ)   {:>10}", s.tamper_on_replay);
    println!("  dead-lettered this run   {:>10}", s.dead_lettered);
    println!("  ledger rows in total     {:>10}", s.ledger_rows_total);
    println!("  still pending in group   {:>10}", s.pending);
    println!(
        "  archived this run        {:>10}  ({} files, {:.1} MiB, {} manifests) to {}",
        s.exported_rows,
        s.exported_files,
        s.exported_bytes as f64 / (1024.0 * 1024.0),
        s.export_manifests,
        s.export_url
    );
    println!(
        "  tamper sweeps            {:>10}  (last one checked {} rows; {} new findings{})",
        s.tamper_sweeps,
        s.tamper_last_sweep_rows,
        s.tamper_findings,
        if s.tamper_findings > 0 { ": see audit_ingest_alerts, run `auditflow verify`" } else { "" }
    );
    if s.views_shed_rows > 0 || s.views_caught_up_rows > 0 {
        println!(
            "  views read back          {:>10}  ({} of them kept from the views by their budget while they lagged)",
            s.views_caught_up_rows, s.views_shed_rows
        );
    }
    if let (Some(rows), Some(files)) = (s.ocsf_rows, s.ocsf_files) {
        println!("  OCSF archive             {rows:>10} rows in {files} files");
    }
    if s.ledger_rewinds > 0 {
        println!(
            "  ledger rewinds repaired  {:>10}  (the ledger went back in time; its lost entries were read again from \
             the stream: see the log)",
            s.ledger_rewinds
        );
    }
    if !s.dlq_by_reason.is_empty() {
        println!("  DLQ by reason:");
        for (reason, n) in &s.dlq_by_reason {
            println!("    {reason:<34} {n:>8}");
        }
    }
}
