//! The pipeline `auditflow run` drives: prepared once per process ([`Pipeline::prepare`]:
//! keys, stores, connections, background duties), then assembled on every timely worker and
//! run to the end ([`Pipeline::run`]).
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

mod summary;
mod telemetry;
mod view_progress;
mod views_budget;
mod worker;

pub use summary::RunSummary;
pub use telemetry::Telemetry;

use crate::cluster::{ClusterProgress, ClusterSpec};
use crate::connect::{prepare_postgres, prepare_redis, writer_pool};
use crate::settings::{self, redact, Resolved};
use anyhow::Context;
use auditflow_archive::Exporter;
use auditflow_ledger::commit::{LedgerCommitter, LedgerConfig};
use auditflow_ledger::verify::TamperStats;
use auditflow_ledger::views::ViewStats;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How `run` was asked to behave, beyond its settings.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Stop once the group has nothing undelivered or pending and all is committed.
    pub exit_when_drained: bool,
    /// Accept events without checking signatures (test setups only).
    pub insecure_skip_verify: bool,
    /// How long start-up waits for Redis and Postgres before exit 3.
    pub connect_timeout: Duration,
    /// Benchmarks only: rows without hash chains, HMACs or signed heads.
    pub without_chaining: bool,
    /// The cluster this process is part of (a single process by default).
    pub cluster: ClusterSpec,
}

/// A pipeline ready to run: keys loaded, stores reached, background duties started.
pub struct Pipeline {
    settings: Resolved,
    options: RunOptions,
    runtime: tokio::runtime::Runtime,
    pool: deadpool_postgres::Pool,
    committer: LedgerCommitter,
    /// The main archive's exporter, then the OCSF archive's when configured.
    exporters: Vec<Exporter>,
    repairer: Arc<crate::rewind::Repairer>,
    stop: Arc<AtomicBool>,
    telemetry: Telemetry,
}

impl Pipeline {
    /// Loads the keys, opens the archive, waits for Postgres (migrating it) and Redis
    /// (creating the group), and starts the tamper sweeps and retention passes.
    pub fn prepare(settings: Resolved, options: RunOptions) -> anyhow::Result<Pipeline> {
        let keyring = Arc::new(settings.keyring(options.insecure_skip_verify)?);
        if keyring.skips_verification() {
            tracing::error!("INSECURE: --insecure-skip-verify is set; producer signatures are NOT checked and every event is stored with key_id `insecure-skip-verify`");
        }
        let ledger_keys = settings::ledger_keys(&settings.ledger_key_file, &settings.ledger_head_key_file, true)?;
        if options.without_chaining {
            tracing::error!(
                "BENCHMARK MODE: rows are written without hash chains, HMACs or signed heads; this ledger will not verify"
            );
        }
        let signer = settings::export_signer(&settings.export_signing_key_file)?;
        let archive = crate::connect::archive(&settings)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("auditflow-io")
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        let owner_pool = runtime.block_on(prepare_postgres(&settings, options.connect_timeout))?;
        let pool = runtime.block_on(writer_pool(&settings))?;
        drop(owner_pool);
        runtime.block_on(prepare_redis(&settings, options.connect_timeout))?;
        tracing::info!(
            stream = %settings.stream, group = %settings.group, dlq = %settings.dlq_stream,
            workers = settings.workers, shards = settings.shards, ledger_key = %ledger_keys.active_hmac().id,
            head_key = ledger_keys.active_head().id(),
            producer_keys = ?keyring, "auditflow run starting"
        );

        let stop = Arc::new(AtomicBool::new(false));
        runtime.spawn(watch_signals(stop.clone(), options.cluster.is_cluster()));
        let rewinds = Arc::new(crate::rewind::Rewinds::default());
        let wake = Arc::new(tokio::sync::Notify::new());
        let database_oid = runtime.block_on(async {
            let c = auditflow_ledger::postgres::client(&pool).await?;
            auditflow_ledger::read::database_oid(&**c).await
        })?;
        let journal = Arc::new(crate::rewind::RedisJournal::new(
            settings.redis.clone(),
            &settings.stream,
            &settings.group,
            database_oid,
            rewinds.clone(),
            wake.clone(),
        ));
        let committer = LedgerCommitter::journaled(
            pool.clone(),
            LedgerConfig {
                shards: settings.shards,
                key: ledger_keys.active_hmac().clone(),
                head_key: ledger_keys.active_head().clone(),
                tamper_evidence: !options.without_chaining,
                views: settings.views_enabled,
            },
            runtime.handle().clone(),
            journal.clone(),
        );
        let repairer = Arc::new(crate::rewind::Repairer {
            journal,
            committer: committer.clone(),
            pool: pool.clone(),
            keyring: keyring.clone(),
            limits: auditflow_schemas::wire::Limits { max_data_bytes: settings.max_event_bytes },
            stream: settings.stream.clone(),
            rewinds: rewinds.clone(),
        });
        // Before anything is read: a ledger that went back since the last run is repaired
        // from the stream first.
        runtime.block_on(auditflow_retry::Backoff::outage().until_ok(
            || repairer.at_start(),
            |e, wait| tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "cannot compare the ledger with the commit journal yet, retrying"),
        ));
        runtime.spawn(repairer.clone().run(wake));
        tracing::info!(archive = %redact(archive.url()), export_key = signer.id(), max_delay_secs = settings.export.max_delay.as_secs(), "archive");
        let mut exporters = vec![Exporter::new(pool.clone(), archive, signer.clone(), settings.export.clone())];
        if let Some(ocsf) = &settings.ocsf {
            let store = crate::connect::ocsf_archive(&settings, &ocsf.url)?;
            tracing::info!(ocsf_archive = %redact(store.url()), format = ?ocsf.target.format, roll_secs = (ocsf.config.max_delay * 3 / 4).as_secs(), "OCSF archive");
            exporters.push(Exporter::with_target(
                pool.clone(),
                store,
                signer,
                ocsf.config.clone(),
                auditflow_archive::exporter::Target::Ocsf(ocsf.target.clone()),
            ));
        }
        let tamper = Arc::new(TamperStats::default());
        let single_owner = options.cluster.runs_single_owner_duties();
        if !options.without_chaining && single_owner {
            // One process of the cluster sweeps every chain, those of zones first written
            // later included.
            let config = auditflow_ledger::verify::SweepConfig {
                chains: Vec::new(),
                rolling: settings.tamper_rolling,
                interval: settings.tamper_sweep_interval,
            };
            runtime.spawn(auditflow_ledger::verify::run_sweeps(
                pool.clone(),
                ledger_keys.trusted(&[]),
                config,
                tamper.clone(),
            ));
        }
        if let (Some(interval), true) = (settings.retention_interval, single_owner) {
            // One task per cluster (process 0); the owner function's lock would keep
            // concurrent passes apart anyway.
            tracing::info!(retention_days = settings.retention_days, interval_secs = interval.as_secs(), "retention");
            runtime.spawn(auditflow_ledger::retention::run_retention(pool.clone(), settings.retention_days, interval));
        }
        let telemetry = Telemetry {
            keyring,
            ledger: committer.stats(),
            export: exporters[0].stats(),
            ocsf_export: exporters.get(1).map(Exporter::stats),
            tamper,
            views: Arc::new(ViewStats::default()),
            window: Default::default(),
            read: Arc::new(AtomicU64::new(0)),
            stream_resets: Arc::default(),
            dead_lettered: Arc::new(AtomicU64::new(0)),
            running: Arc::new(AtomicBool::new(false)),
            frontier_advanced_ms: Arc::new(AtomicI64::new(0)),
            cluster: ClusterProgress::of(&options.cluster),
            rewinds,
        };
        Ok(Pipeline { settings, options, runtime, pool, committer, exporters, repairer, stop, telemetry })
    }

    /// What the running pipeline reports, for the operations surface.
    pub fn telemetry(&self) -> &Telemetry {
        &self.telemetry
    }

    /// The settings it runs with.
    pub fn settings(&self) -> &Resolved {
        &self.settings
    }

    /// Runs the dataflow on every worker until drained (with `exit_when_drained`) or SIGINT /
    /// SIGTERM, then reports what this run did.
    pub fn run(self) -> anyhow::Result<RunSummary> {
        let Pipeline { settings, options, runtime, pool, committer, exporters, repairer, stop, telemetry } = self;
        let final_export = exporters.clone();
        let started = Instant::now();
        let context = worker::WorkerContext {
            settings: settings.clone(),
            keyring: telemetry.keyring.clone(),
            exit_when_drained: options.exit_when_drained,
            runtime: runtime.handle().clone(),
            committer,
            exporters,
            pool: pool.clone(),
            view_stats: telemetry.views.clone(),
            window: telemetry.window.clone(),
            stop,
            read: telemetry.read.clone(),
            stream_resets: telemetry.stream_resets.clone(),
            rewinds: telemetry.rewinds.clone(),
            dead_lettered: telemetry.dead_lettered.clone(),
            running: telemetry.running.clone(),
            frontier_advanced_ms: telemetry.frontier_advanced_ms.clone(),
            cluster: options.cluster.clone(),
        };
        let guards = if options.cluster.is_cluster() {
            start_cluster(&options, &telemetry.cluster, context)?
        } else {
            timely::execute(timely::Config::process(settings.workers), move |worker| {
                worker::worker_main(worker, &context)
            })
            .map_err(|e| anyhow::anyhow!("cannot start timely workers: {e}"))?
        };
        for result in guards.join() {
            result
                .map_err(|e| anyhow::anyhow!("a worker failed: {e}"))?
                .map_err(|e| anyhow::anyhow!("a worker failed: {e}"))?;
        }
        // The dataflow ended everywhere: this process's silence from now on is no hang.
        crate::cluster::heartbeat::goodbye();
        if options.exit_when_drained {
            runtime.block_on(final_repair(&repairer, &final_export, &pool, &settings, &options))?;
        }
        let export_stats = &telemetry.export;
        let failed_chains = export_stats.chains_failed.load(Ordering::Relaxed)
            + telemetry.ocsf_export.as_ref().map_or(0, |s| s.chains_failed.load(Ordering::Relaxed));
        if failed_chains > 0 {
            anyhow::bail!(
                "the archive could not be completed for {failed_chains} ledger chain(s) (the ledger itself is intact); \
                 the log names the chains and the problem"
            );
        }
        if settings.views_enabled {
            let window = &telemetry.window;
            tracing::info!(
                trees_in_memory = window.graph_trees.load(Ordering::Relaxed),
                trees_retired = window.retired_trees_total.load(Ordering::Relaxed),
                rows_checked = telemetry.views.checked.load(Ordering::Relaxed),
                "views' delegation graph at the end of the run"
            );
        }
        let elapsed = started.elapsed().as_secs_f64();
        let mut summary = RunSummary::of(&telemetry, elapsed, redact(&settings.export_url));
        runtime.block_on(summary::fill_store_totals(&settings, &pool, &mut summary));
        Ok(summary)
    }
}

/// The end of a draining run: a rewind found after the stream looked drained (the check
/// runs every second) is repaired before the run ends, and what any repair of this run
/// committed is archived.
async fn final_repair(
    repairer: &crate::rewind::Repairer,
    exporters: &[Exporter],
    pool: &deadpool_postgres::Pool,
    settings: &Resolved,
    options: &RunOptions,
) -> anyhow::Result<()> {
    repairer.check().await.map_err(|e| anyhow::anyhow!("cannot compare the ledger with the commit journal: {e}"))?;
    if repairer.rewinds.count() == 0 {
        return Ok(());
    }
    // A repair during the run may have committed after the export finished.
    // This process's workers' chains (as `worker_main` assigns them).
    let (peers, first, workers) = match options.cluster.is_cluster() {
        true => {
            let spec = &options.cluster;
            (spec.processes * spec.workers, spec.process * spec.workers, spec.workers)
        }
        false => (settings.workers, 0, settings.workers),
    };
    let mut chains = Vec::new();
    for index in first..first + workers {
        chains.extend(auditflow_ledger::postgres::owned_chains(pool, settings.shards, peers, index).await?);
    }
    for exporter in exporters {
        exporter.catch_up(&chains).await?;
    }
    Ok(())
}

/// Forms the cluster (exit 3 when peers stay away, exit 2 when one belongs to another
/// cluster), makes any panic end the process, and starts this process's workers on it.
fn start_cluster(
    options: &RunOptions,
    progress: &ClusterProgress,
    context: worker::WorkerContext,
) -> anyhow::Result<timely::communication::WorkerGuards<Result<(), String>>> {
    use timely::communication::allocator::zero_copy::initialize::initialize_networking_from_sockets;
    use timely::communication::allocator::ProcessBuilder;
    use timely::communication::{AllocatorBuilder, Hooks};
    let spec = &options.cluster;
    let sockets = crate::cluster::form(spec, options.connect_timeout, progress)?;
    crate::cluster::failstop::install(spec.hosts.clone());
    crate::cluster::heartbeat::start(spec);
    let hooks = Hooks::default();
    let local = ProcessBuilder::new_typed_vector(spec.workers, hooks.refill.clone(), hooks.spill.clone());
    let (builders, network) = initialize_networking_from_sockets(local, sockets, spec.process, spec.workers, hooks)
        .context("cannot start the cluster's network threads")?;
    let builders = builders.into_iter().map(AllocatorBuilder::Tcp).collect();
    timely::execute::execute_from(builders, Box::new(network), timely::WorkerConfig::default(), move |worker| {
        let result = worker::worker_main(worker, &context);
        if let Err(e) = &result {
            // A worker that gives up leaves its peers waiting on its progress: stop the
            // process, so that they stop too and the supervisor restarts the cluster.
            tracing::error!(worker = worker.index(), "{e}; stopping this process");
            std::process::exit(crate::cluster::failstop::FAILED_EXIT);
        }
        result
    })
    .map_err(|e| anyhow::anyhow!("cannot start timely workers: {e}"))
}

/// How long a process of a cluster waits, after SIGINT / SIGTERM, for its peers to stop as
/// well (a stop finishes only when every process has finished its in-flight work). Below
/// Kubernetes' default grace period of 30 s.
const CLUSTER_STOP_GRACE: Duration = Duration::from_secs(20);

async fn watch_signals(stop: Arc<AtomicBool>, cluster: bool) {
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
    if cluster {
        tokio::time::sleep(CLUSTER_STOP_GRACE).await;
        // The peers did not stop with it: leave as a crash would. Nothing uncommitted was
        // acknowledged; its entries are re-delivered to the restarted cluster.
        tracing::warn!(
            grace_secs = CLUSTER_STOP_GRACE.as_secs(),
            "the cluster's other processes did not stop within the grace period; stopping this process alone"
        );
        std::process::exit(0);
    }
}
