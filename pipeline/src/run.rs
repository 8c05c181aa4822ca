//! `auditflow run`: assemble the dataflow on every worker and drive it.
//!
//! ```text
//! RedisStreamSource -> verify -+-> dead letters --------------------------+-> DlqSink -> probe
//!                              +-> to_shards -> LedgerSink -+-> tampers --+
//!                                                           +-> chain advances -> ExportSink -> export probe
//! ```
//! The probe after the DLQ sink is the durable frontier: every worker XACKs the entries it
//! read in epochs the probe has passed. The export follows the ledger's committed heads and
//! never holds acknowledgements back (it catches up from the ledger after a restart); the
//! export probe only tells a draining run when the archive has caught up.

use crate::cli::{GlobalArgs, RunArgs};
use crate::settings::{self, ConfigError, Resolved};
use anyhow::Context;
use auditflow_operators::{RequestTraces, RevocationViews, ToShards, Verify, VerifySettings, ViewWindow};
use auditflow_schemas::keyring::Keyring;
use auditflow_schemas::wire::Limits;
use auditflow_sinks::dlq::{DlqConfig, DlqSink};
use auditflow_sinks::export::{ExportSink, Exporter};
use auditflow_sinks::ledger::{LedgerCommitter, LedgerConfig, LedgerSink};
use auditflow_sinks::views::{ViewSink, ViewStats, ViewUpdate};
use auditflow_sinks::SinkError;
use auditflow_sources::redis_stream::{redis_stream_source, Acker, RedisStreamConfig, SourceControl};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use timely::dataflow::operators::{Concat, Concatenate, Probe};
use timely::dataflow::ProbeHandle;

/// A dependency stayed unreachable: exit code 3.
#[derive(Debug, thiserror::Error)]
#[error("{service} unreachable at {target} after {waited_secs} s: {detail}")]
pub struct Unreachable {
    /// Redis or Postgres.
    pub service: &'static str,
    /// Where (credentials removed).
    pub target: String,
    /// How long start-up waited.
    pub waited_secs: u64,
    /// Last error.
    pub detail: String,
}

/// Removes a password from a URL for logs and errors.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..scheme + 3], &userinfo[..colon], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// How one start-up attempt failed.
enum Attempt {
    /// The service did not answer: try again until the timeout.
    Unanswered(String),
    /// Retrying cannot help (a configuration problem, say).
    Fatal(anyhow::Error),
}

/// Retries `attempt` with logged, doubling backoff while the service is unreachable, for up
/// to `timeout`; then fails with [`Unreachable`] (exit 3).
async fn retry_until_reachable<T, F, Fut>(
    service: &'static str,
    url: &str,
    timeout: Duration,
    mut attempt: F,
) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, Attempt>>,
{
    let started = Instant::now();
    let mut backoff = Duration::from_millis(200);
    loop {
        match attempt().await {
            Ok(value) => return Ok(value),
            Err(Attempt::Fatal(e)) => return Err(e),
            Err(Attempt::Unanswered(e)) if started.elapsed() < timeout => {
                tracing::warn!(target = %redact(url), error = %e, retry_in_ms = backoff.as_millis() as u64, "{service} unreachable, retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
            Err(Attempt::Unanswered(detail)) => {
                return Err(Unreachable {
                    service,
                    target: redact(url),
                    waited_secs: started.elapsed().as_secs(),
                    detail,
                }
                .into())
            }
        }
    }
}

/// Connects to Postgres (creating the database), migrates and checks the shard count,
/// retrying while the server is unreachable for up to `timeout`.
pub async fn prepare_postgres(settings: &Resolved, timeout: Duration) -> anyhow::Result<deadpool_postgres::Pool> {
    prepare(settings, timeout, true).await
}

/// The pool `run` writes through: every connection acts as the writer role, which may
/// only INSERT and SELECT evidence (SPEC §3). Checked once here so that a login that may not
/// take the role is a configuration error, not an endless retry.
pub async fn writer_pool(settings: &Resolved) -> anyhow::Result<deadpool_postgres::Pool> {
    use auditflow_schemas::migrations::WRITER_ROLE;
    let pool = auditflow_sinks::postgres::pool_as(&settings.pg, settings.pool_size, WRITER_ROLE)?;
    if let Err(e) = pool.get().await {
        let user = settings.pg.get_user().unwrap_or("the login role").to_owned();
        return Err(ConfigError::new(
            "AUDITFLOW_DATABASE_URL (--database-url)",
            format!(
                "cannot act as the ledger's writer role ({e}); as the ledger owner run: GRANT {WRITER_ROLE} TO \"{user}\""
            ),
        )
        .into());
    }
    Ok(pool)
}

/// Like [`prepare_postgres`] for commands that only read the ledger (they do not care how
/// many shards the writer uses).
pub async fn prepare_postgres_for_reading(
    settings: &Resolved,
    timeout: Duration,
) -> anyhow::Result<deadpool_postgres::Pool> {
    prepare(settings, timeout, false).await
}

async fn prepare(
    settings: &Resolved,
    timeout: Duration,
    check_shards: bool,
) -> anyhow::Result<deadpool_postgres::Pool> {
    retry_until_reachable("postgres", &settings.database_url, timeout, || async {
        let attempt = async {
            auditflow_sinks::postgres::ensure_database(&settings.pg).await?;
            let pool = auditflow_sinks::postgres::pool(&settings.pg, settings.pool_size)?;
            auditflow_sinks::postgres::migrate(&pool).await?;
            if check_shards {
                auditflow_sinks::postgres::check_shard_count(&pool, settings.shards).await?;
            }
            Ok::<_, SinkError>(pool)
        };
        attempt.await.map_err(|e| match e {
            SinkError::Incompatible(message) => Attempt::Fatal(
                ConfigError::new("AUDITFLOW_LEDGER_SHARDS (--ledger-shards, ledger.shards)", message).into(),
            ),
            SinkError::Postgres { source, .. }
                if source.code().is_some_and(|c| matches!(&c.code()[..2], "28" | "3D")) =>
            {
                Attempt::Fatal(
                    ConfigError::new(
                        "AUDITFLOW_DATABASE_URL (--database-url)",
                        format!("Postgres refused the login: {source}"),
                    )
                    .into(),
                )
            }
            e if e.is_retryable() => Attempt::Unanswered(e.to_string()),
            e => Attempt::Fatal(
                Unreachable {
                    service: "postgres",
                    target: redact(&settings.database_url),
                    waited_secs: 0,
                    detail: e.to_string(),
                }
                .into(),
            ),
        })
    })
    .await
}

/// Connects to Redis and creates the consumer group, retrying for up to `timeout`.
pub async fn prepare_redis(settings: &Resolved, timeout: Duration) -> anyhow::Result<()> {
    retry_until_reachable("redis", &settings.redis_url, timeout, || async {
        let mut con = auditflow_sources::redis_stream::connect(&settings.redis_url, Duration::from_secs(5))
            .await
            .map_err(|e| Attempt::Unanswered(e.to_string()))?;
        auditflow_sources::redis_stream::reader::ensure_group(&mut con, &settings.stream, &settings.group)
            .await
            .map_err(|e| Attempt::Unanswered(e.to_string()))
    })
    .await
}

/// What one run did (this process) and what the stores hold at its end.
#[derive(Debug, serde::Serialize)]
pub struct RunSummary {
    /// Entries read from the stream by this run (first reads and re-deliveries).
    pub read: u64,
    /// Rows this run inserted into the ledger.
    pub stored: u64,
    /// Identical re-deliveries this run recognised and dropped.
    pub duplicates_dropped: u64,
    /// Tampered re-deliveries this run dead-lettered.
    pub tamper_on_replay: u64,
    /// DLQ entries this run wrote.
    pub dead_lettered: u64,
    /// Wall time of the run in seconds.
    pub elapsed_secs: f64,
    /// Entries read per second.
    pub events_per_sec: f64,
    /// Rows in the ledger now.
    pub ledger_rows_total: i64,
    /// DLQ entries now, by reason kind.
    pub dlq_by_reason: std::collections::BTreeMap<String, u64>,
    /// Entries the group has not acknowledged.
    pub pending: u64,
    /// Where the archive is.
    pub export_url: String,
    /// Rows this run archived.
    pub exported_rows: u64,
    /// Data files this run wrote.
    pub exported_files: u64,
    /// Bytes of those files.
    pub exported_bytes: u64,
    /// Manifests this run wrote.
    pub export_manifests: u64,
    /// Failed export steps that were retried.
    pub export_retries: u64,
    /// Tamper sweeps finished during the run.
    pub tamper_sweeps: u64,
    /// Rows the last sweep checked.
    pub tamper_last_sweep_rows: u64,
    /// New tamper findings the sweeps raised (each also a row in `audit_ingest_alerts`).
    pub tamper_findings: u64,
}

/// Runs the pipeline until drained (with `--exit-when-drained`) or SIGINT / SIGTERM.
pub fn run(global: &GlobalArgs, args: &RunArgs) -> anyhow::Result<RunSummary> {
    let settings = settings::resolve(global, Some(args))?;
    let keyring = Arc::new(settings.keyring(args.insecure_skip_verify)?);
    if keyring.skips_verification() {
        tracing::error!("INSECURE: --insecure-skip-verify is set; producer signatures are NOT checked and every event is stored with key_id `insecure-skip-verify`");
    }
    let ledger_keys = settings::ledger_keys(&settings.ledger_key_file, &settings.ledger_head_key_file, true)?;
    if args.bench_without_chaining {
        tracing::error!(
            "BENCHMARK MODE: rows are written without hash chains, HMACs or signed heads; this ledger will not verify"
        );
    }
    let signer = settings::export_signer(&settings.export_signing_key_file)?;
    let archive = auditflow_sinks::export::store::open(&settings.export_url)
        .map_err(|e| ConfigError::new("AUDITFLOW_EXPORT_URL (--export-url, export.url)", e.to_string()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("auditflow-io")
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let timeout = Duration::from_secs(args.connect_timeout_secs);
    let owner_pool = runtime.block_on(prepare_postgres(&settings, timeout))?;
    let pool = runtime.block_on(writer_pool(&settings))?;
    drop(owner_pool);
    runtime.block_on(prepare_redis(&settings, timeout))?;
    tracing::info!(
        stream = %settings.stream, group = %settings.group, dlq = %settings.dlq_stream,
        workers = settings.workers, shards = settings.shards, ledger_key = %ledger_keys.active_hmac().id,
        head_key = ledger_keys.active_head().id(),
        producer_keys = ?keyring, "auditflow run starting"
    );

    let stop = Arc::new(AtomicBool::new(false));
    runtime.spawn(watch_signals(stop.clone()));
    let committer = LedgerCommitter::new(
        pool.clone(),
        LedgerConfig {
            shards: settings.shards,
            key: ledger_keys.active_hmac().clone(),
            head_key: ledger_keys.active_head().clone(),
            tamper_evidence: !args.bench_without_chaining,
            views: settings.views_enabled,
        },
        runtime.handle().clone(),
    );
    let ledger_stats = committer.stats();
    tracing::info!(archive = %redact(archive.url()), export_key = signer.key_id(), max_delay_secs = settings.export.max_delay.as_secs(), "archive");
    let exporter = Exporter::new(pool.clone(), archive, signer, settings.export.clone());
    let export_stats = exporter.stats();
    let tamper_stats = Arc::new(auditflow_sinks::tamper::TamperStats::default());
    if !args.bench_without_chaining {
        // This process sweeps every chain (one process per ledger today; a cluster would
        // give each process the chains its workers own).
        let config = auditflow_sinks::tamper::SweepConfig {
            chains: (0..settings.shards as i32).collect(),
            rolling: settings.tamper_rolling,
            interval: settings.tamper_sweep_interval,
        };
        runtime.spawn(auditflow_sinks::tamper::run_sweeps(
            pool.clone(),
            ledger_keys.trusted(&[]),
            config,
            tamper_stats.clone(),
        ));
    }
    if let Some(interval) = settings.retention_interval {
        // One task per process; the owner function's lock keeps concurrent passes apart.
        tracing::info!(retention_days = settings.retention_days, interval_secs = interval.as_secs(), "retention");
        runtime.spawn(auditflow_sinks::retention::run_retention(pool.clone(), settings.retention_days, interval));
    }
    let view_stats = Arc::new(ViewStats::default());
    let read = Arc::new(AtomicU64::new(0));
    let dead_lettered = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let running = Arc::new(AtomicBool::new(false));
    let frontier_advanced_ms = Arc::new(std::sync::atomic::AtomicI64::new(0));
    crate::ops::serve(
        &settings.listen,
        crate::ops::Streams {
            redis_url: settings.redis_url.clone(),
            stream: settings.stream.clone(),
            revocation_stream: settings.revocation_stream.clone(),
            group: settings.group.clone(),
            dlq: settings.dlq_stream.clone(),
        },
        settings.ready_gates.clone(),
        crate::ops::metrics::Sources {
            ledger: ledger_stats.clone(),
            export: export_stats.clone(),
            tamper: tamper_stats.clone(),
            views: view_stats.clone(),
            read: read.clone(),
            frontier_advanced_ms: frontier_advanced_ms.clone(),
            verification_skipped: keyring.skips_verification(),
            running: running.clone(),
        },
        Arc::new(crate::ops::api::ApiState {
            tokens: settings.api_tokens.clone(),
            // The API only reads; it does not use the writer role.
            pool: auditflow_sinks::postgres::read_pool(&settings.pg, 4)?,
            redis_url: settings.redis_url.clone(),
            dlq_stream: settings.dlq_stream.clone(),
            keyring: keyring.clone(),
            limits: auditflow_schemas::wire::Limits { max_data_bytes: settings.max_event_bytes },
            revocation_stream: settings.revocation_stream.clone(),
            tamper: tamper_stats.clone(),
        }),
    )?;

    let context = WorkerContext {
        settings: settings.clone(),
        keyring,
        exit_when_drained: args.exit_when_drained,
        runtime: runtime.handle().clone(),
        committer,
        exporter,
        pool: pool.clone(),
        view_stats: view_stats.clone(),
        stop: stop.clone(),
        read: read.clone(),
        dead_lettered: dead_lettered.clone(),
        running,
        frontier_advanced_ms,
    };
    let guards =
        timely::execute(timely::Config::process(settings.workers), move |worker| worker_main(worker, &context))
            .map_err(|e| anyhow::anyhow!("cannot start timely workers: {e}"))?;
    for result in guards.join() {
        result
            .map_err(|e| anyhow::anyhow!("a worker failed: {e}"))?
            .map_err(|e| anyhow::anyhow!("a worker failed: {e}"))?;
    }
    let failed_chains = export_stats.chains_failed.load(Ordering::Relaxed);
    if failed_chains > 0 {
        anyhow::bail!(
            "the archive could not be completed for {failed_chains} ledger chain(s) (the ledger itself is intact); \
             the log names the chains and the problem"
        );
    }
    let elapsed = started.elapsed().as_secs_f64();
    let read = read.load(Ordering::Relaxed);
    let mut summary = RunSummary {
        read,
        stored: ledger_stats.inserted.load(Ordering::Relaxed),
        duplicates_dropped: ledger_stats.duplicates.load(Ordering::Relaxed),
        tamper_on_replay: ledger_stats.tampers.load(Ordering::Relaxed),
        dead_lettered: dead_lettered.load(Ordering::Relaxed),
        elapsed_secs: elapsed,
        events_per_sec: if elapsed > 0.0 { read as f64 / elapsed } else { 0.0 },
        ledger_rows_total: 0,
        dlq_by_reason: Default::default(),
        pending: 0,
        export_url: redact(&settings.export_url),
        exported_rows: export_stats.rows.load(Ordering::Relaxed),
        exported_files: export_stats.files.load(Ordering::Relaxed),
        exported_bytes: export_stats.bytes.load(Ordering::Relaxed),
        export_manifests: export_stats.manifests.load(Ordering::Relaxed),
        export_retries: export_stats.retries.load(Ordering::Relaxed),
        tamper_sweeps: tamper_stats.sweeps.load(Ordering::Relaxed),
        tamper_last_sweep_rows: tamper_stats.last_sweep_rows.load(Ordering::Relaxed),
        tamper_findings: tamper_stats.mismatches.load(Ordering::Relaxed)
            + tamper_stats.chain_breaks.load(Ordering::Relaxed)
            + tamper_stats.hmac_failures.load(Ordering::Relaxed),
    };
    runtime.block_on(fill_store_totals(&settings, &pool, &mut summary));
    Ok(summary)
}

async fn watch_signals(stop: Arc<AtomicBool>) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) else {
        tracing::warn!("cannot install signal handlers; stop with SIGKILL only");
        return;
    };
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM: finishing in-flight work, then exiting"),
        _ = int.recv() => tracing::info!("SIGINT: finishing in-flight work, then exiting"),
    }
    stop.store(true, Ordering::SeqCst);
}

/// What every worker of the process shares.
struct WorkerContext {
    settings: Resolved,
    keyring: Arc<Keyring>,
    exit_when_drained: bool,
    runtime: tokio::runtime::Handle,
    committer: LedgerCommitter,
    exporter: Exporter,
    /// The writer pool (views hydrate from and write to it).
    pool: deadpool_postgres::Pool,
    /// What the views wrote.
    view_stats: Arc<ViewStats>,
    /// Set by SIGINT / SIGTERM.
    stop: Arc<AtomicBool>,
    /// Entries read, for the summary.
    read: Arc<AtomicU64>,
    /// DLQ entries written, for the summary.
    dead_lettered: Arc<AtomicU64>,
    /// Set once the dataflow runs (`/readyz`).
    running: Arc<AtomicBool>,
    /// Unix ms when the committed frontier last moved (`auditflow_epoch_frontier_age_seconds`).
    frontier_advanced_ms: Arc<std::sync::atomic::AtomicI64>,
}

fn worker_main(worker: &mut timely::worker::Worker, context: &WorkerContext) -> Result<(), String> {
    let WorkerContext {
        settings,
        keyring,
        exit_when_drained,
        runtime,
        committer,
        exporter,
        pool,
        view_stats,
        stop,
        read,
        dead_lettered,
        running,
        frontier_advanced_ms,
    } = context;
    let (keyring, exit_when_drained) = (keyring.clone(), *exit_when_drained);
    let index = worker.index();
    let consumer = format!("{}-{index}", settings.consumer_prefix);
    // One reader, control and acker per stream: the audit stream, and the revocation
    // stream when configured. Both feed the same verify step and ledger.
    let streams: Vec<&str> =
        std::iter::once(settings.stream.as_str()).chain(settings.revocation_stream.as_deref()).collect();
    let sources: Vec<(RedisStreamConfig, SourceControl, Acker)> = streams
        .iter()
        .map(|stream| {
            let mut config = RedisStreamConfig::new(&settings.redis_url, stream, &settings.group, &consumer);
            config.batch_size = settings.batch_size;
            config.claim_idle = Duration::from_millis(settings.claim_idle_ms);
            config.max_in_flight = settings.max_in_flight;
            config.exit_when_drained = exit_when_drained;
            let control = SourceControl::new(settings.max_in_flight, stop.clone(), read.clone());
            let acker = Acker::spawn(
                runtime,
                settings.redis_url.clone(),
                (*stream).to_owned(),
                settings.group.clone(),
                control.permits.clone(),
            );
            (config, control, acker)
        })
        .collect();
    let verify = VerifySettings {
        keyring,
        limits: Limits { max_data_bytes: settings.max_event_bytes },
        max_deliveries: settings.max_deliveries,
        revocation_stream: settings.revocation_stream.clone(),
    };
    let dlq = DlqConfig {
        url: settings.redis_url.clone(),
        group: settings.group.clone(),
        dlq_stream: settings.dlq_stream.clone(),
        written: dead_lettered.clone(),
    };
    let probe = ProbeHandle::new();
    let export_probe = ProbeHandle::new();
    let epoch_ms = settings.epoch_ms;
    let shards = settings.shards;
    // The chains this worker's ledger sink commits (`to_shards` routes shard s to worker
    // s % peers) are the chains its exporter archives.
    let peers = worker.peers();
    let chains: Vec<i32> = (0..shards).filter(|s| *s as usize % peers == index).map(|s| s as i32).collect();
    // The views start from what the ledger holds (this worker's chains), then go on live.
    let hydrated = if settings.views_enabled {
        let started = Instant::now();
        let rows = runtime
            .block_on(auditflow_sinks::views::hydrate(pool, &chains, settings.views_trace_window))
            .map_err(|e| format!("cannot hydrate the views from the ledger: {e}"))?;
        tracing::info!(
            worker = index,
            rows = rows.len(),
            ms = started.elapsed().as_millis() as u64,
            "views hydrated from the ledger"
        );
        rows
    } else {
        Vec::new()
    };
    let export = exporter.spawn(chains, runtime);
    let views_probe = ProbeHandle::new();
    worker.dataflow::<u64, _, _>(|scope| {
        let entries = scope.concatenate(
            sources
                .iter()
                .map(|(config, control, _)| redis_stream_source(scope, config.clone(), epoch_ms, runtime, control)),
        );
        let (events, dead) = entries.verify(verify);
        let ledger = events.to_shards(shards).ledger_sink(committer.clone());
        dead.concat(ledger.dead).dlq_sink(dlq, runtime.clone()).probe_with(&probe);
        ledger.advanced.export_sink(export).probe_with(&export_probe);
        if settings.views_enabled {
            use timely::dataflow::operators::vec::map::Map;
            use timely::dataflow::operators::vec::ToStream;
            let window_us = settings.views_trace_window.as_micros() as i64;
            let grace_us = settings.views_revocation_grace.as_micros() as i64;
            let hydrated: Vec<auditflow_schemas::view::SharedEvent> =
                hydrated.into_iter().map(std::sync::Arc::new).collect();
            let rows = ledger.committed.concat(hydrated.to_stream(scope)).windowed(window_us, now_us);
            let traces = rows.clone().request_traces();
            let (propagation, violations) = rows.revocation_views(grace_us);
            traces
                .inner
                .map(|(t, _, d)| ViewUpdate::Trace(t, d))
                .concat(propagation.inner.map(|(p, _, d)| ViewUpdate::Propagation(Box::new(p), d)))
                .concat(violations.inner.map(|(v, _, d)| ViewUpdate::Violation(Box::new(v), d)))
                .view_sink(pool.clone(), view_stats.clone(), runtime.clone())
                .probe_with(&views_probe);
        }
    });
    let tick = Duration::from_millis(epoch_ms);
    running.store(true, Ordering::Relaxed);
    let mut last_frontier = None;
    while !probe.done() || !export_probe.done() || !views_probe.done() {
        worker.step_or_park(Some(tick));
        let frontier = probe.with_frontier(|f| f.first().copied());
        if frontier != last_frontier {
            last_frontier = frontier;
            frontier_advanced_ms.store(chrono::Utc::now().timestamp_millis(), Ordering::Relaxed);
        }
        for (_, control, acker) in &sources {
            acker.ack(control.acks.borrow_mut().take_passed(frontier));
        }
    }
    for (config, control, acker) in &sources {
        acker.ack(control.acks.borrow_mut().take_passed(None));
        if !acker.flush_blocking(Duration::from_secs(60)) {
            tracing::warn!(
                consumer,
                stream = config.stream,
                "acknowledgements did not finish in 60 s; the entries stay pending and will be re-delivered as duplicates"
            );
        }
    }
    tracing::debug!(consumer, "worker finished");
    Ok(())
}

fn now_us() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

async fn fill_store_totals(settings: &Resolved, pool: &deadpool_postgres::Pool, summary: &mut RunSummary) {
    if let Ok(c) = auditflow_sinks::postgres::client(pool).await {
        if let Ok(row) = c.query_one("SELECT count(*) FROM audit_events", &[]).await {
            summary.ledger_rows_total = row.get(0);
        }
    }
    let Ok(mut con) = auditflow_sources::redis_stream::connect(&settings.redis_url, Duration::from_secs(10)).await
    else {
        return;
    };
    if let Ok(redis::Value::Array(parts)) =
        redis::cmd("XPENDING").arg(&settings.stream).arg(&settings.group).query_async::<redis::Value>(&mut con).await
    {
        if let Some(redis::Value::Int(n)) = parts.first() {
            summary.pending = *n as u64;
        }
    }
    summary.dlq_by_reason = crate::dlq_stats::reasons(&mut con, &settings.dlq_stream).await.unwrap_or_default();
}
