//! One timely worker: its sources (the audit stream, and the revocation stream when one is
//! read), the verify split, the ledger, DLQ and export sinks and the live views, then the
//! loop that steps the dataflow and acknowledges what the durable frontier has passed.

use crate::cluster::ClusterSpec;
use crate::settings::Resolved;
use auditflow_operators::{RequestTraces, RevocationViews, ToShards, Verify, VerifySettings, ViewWindow};
use auditflow_schemas::keyring::Keyring;
use auditflow_schemas::wire::Limits;
use auditflow_sinks::dlq::{DlqConfig, DlqSink};
use auditflow_sinks::export::{ExportSink, Exporter};
use auditflow_sinks::ledger::{LedgerCommitter, LedgerSink};
use auditflow_sinks::views::{ViewSink, ViewStats, ViewUpdate};
use auditflow_sources::redis_stream::{redis_stream_source, Acker, RedisStreamConfig, SourceControl};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use timely::dataflow::operators::{Concat, Concatenate, Probe};
use timely::dataflow::ProbeHandle;

/// What every worker of the process shares.
pub(super) struct WorkerContext {
    pub(super) settings: Resolved,
    pub(super) keyring: Arc<Keyring>,
    pub(super) exit_when_drained: bool,
    pub(super) runtime: tokio::runtime::Handle,
    pub(super) committer: LedgerCommitter,
    pub(super) exporter: Exporter,
    /// The writer pool (views hydrate from and write to it).
    pub(super) pool: deadpool_postgres::Pool,
    /// What the views wrote.
    pub(super) view_stats: Arc<ViewStats>,
    /// Set by SIGINT / SIGTERM.
    pub(super) stop: Arc<AtomicBool>,
    /// Entries read, for the summary.
    pub(super) read: Arc<AtomicU64>,
    /// DLQ entries written, for the summary.
    pub(super) dead_lettered: Arc<AtomicU64>,
    /// Set once the dataflow runs (`/readyz`).
    pub(super) running: Arc<AtomicBool>,
    /// Unix ms when the committed frontier last moved (`auditflow_epoch_frontier_age_seconds`).
    pub(super) frontier_advanced_ms: Arc<std::sync::atomic::AtomicI64>,
    /// The cluster this process belongs to.
    pub(super) cluster: ClusterSpec,
}

pub(super) fn worker_main(worker: &mut timely::worker::Worker, context: &WorkerContext) -> Result<(), String> {
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
        cluster,
    } = context;
    let (keyring, exit_when_drained) = (keyring.clone(), *exit_when_drained);
    // timely numbers workers across the cluster: process p's local worker w is p * W + w.
    let index = worker.index();
    let consumer = cluster.consumer_name(&settings.consumer_prefix, index % cluster.workers);
    // One reader, control and acker per stream: the audit stream, and the revocation
    // stream when configured. Both feed the same verify step and ledger.
    let streams: Vec<&str> =
        std::iter::once(settings.stream.as_str()).chain(settings.revocation_stream.as_deref()).collect();
    if index == 0 {
        // Before any reader of this worker starts: consumers of an earlier cluster size
        // hand their pending entries to this worker, which re-reads them first.
        let current = cluster.consumer_names(&settings.consumer_prefix);
        for stream in &streams {
            runtime
                .block_on(auditflow_sources::redis_stream::retire_consumers(
                    &settings.redis_url,
                    stream,
                    &settings.group,
                    &settings.consumer_prefix,
                    &current,
                    &consumer,
                ))
                .map_err(|e| format!("cannot hand over the entries of retired consumers: {e}"))?;
        }
    }
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
    // The chains this worker's ledger sink commits (`to_shards` routes a zone's shard s to
    // worker s % peers) are the chains its exporter archives; zones first written during this
    // run join as the ledger sink reports them.
    let peers = worker.peers();
    let chains = runtime
        .block_on(auditflow_sinks::postgres::owned_chains(pool, shards, peers, index))
        .map_err(|e| format!("cannot list the ledger's chains: {e}"))?;
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
