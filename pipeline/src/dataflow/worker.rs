//! One timely worker: its sources (the audit stream, and the revocation stream when one is
//! read), the verify split, the ledger, DLQ and export sinks and the live views, then the
//! loop that steps the dataflow and acknowledges what the durable frontier has passed.

use super::view_progress::{FedByEpoch, ViewProgress};
use super::views_budget::{CatchUpInput, CatchUpReader};
use crate::cluster::ClusterSpec;
use crate::settings::Resolved;
use auditflow_archive::Exporter;
use auditflow_ledger::commit::LedgerCommitter;
use auditflow_ledger::views::{ViewRules, ViewStats, ViewUpdate};
use auditflow_operators::feed::FeedGate;
use auditflow_operators::window::{graph_rows, GraphState, Held, WindowGauges, WindowStart};
use auditflow_operators::{RevocationViews, ToShards, Verify, VerifySettings, ViewWindow, ViewsFeed};
use auditflow_schemas::keyring::Keyring;
use auditflow_schemas::wire::Limits;
use auditflow_sinks::dlq::{DlqConfig, DlqSink};
use auditflow_sinks::ExportSink;
use auditflow_sinks::LedgerSink;
use auditflow_sinks::ViewSink;
use auditflow_sources::redis_stream::{redis_stream_source, Acker, RedisStreamConfig, SourceControl};
use std::cell::RefCell;
use std::rc::Rc;
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
    /// The main archive's exporter, then the OCSF archive's.
    pub(super) exporters: Vec<Exporter>,
    /// The writer pool (views hydrate from and write to it).
    pub(super) pool: deadpool_postgres::Pool,
    /// What the views wrote.
    pub(super) view_stats: Arc<ViewStats>,
    /// What the views' window holds.
    pub(super) window: Arc<WindowGauges>,
    /// Set by SIGINT / SIGTERM.
    pub(super) stop: Arc<AtomicBool>,
    /// Entries read, for the summary.
    pub(super) read: Arc<AtomicU64>,
    /// Stream resets the readers noticed.
    pub(super) stream_resets: Arc<auditflow_sources::redis_stream::StreamResets>,
    pub(super) rewinds: Arc<crate::rewind::Rewinds>,
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
        exporters,
        pool,
        view_stats,
        window,
        stop,
        read,
        stream_resets,
        rewinds,
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
                    &settings.redis,
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
            let mut config = RedisStreamConfig::new(&settings.redis, stream, &settings.group, &consumer);
            config.batch_size = settings.batch_size;
            config.claim_idle = Duration::from_millis(settings.claim_idle_ms);
            config.max_in_flight = settings.max_in_flight;
            config.exit_when_drained = exit_when_drained;
            config.drain_hold = rewinds.repairing_flag();
            let control = SourceControl::new(settings.max_in_flight, stop.clone(), read.clone(), stream_resets.clone());
            let acker = Acker::spawn(
                runtime,
                settings.redis.clone(),
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
        client: settings.redis.client().map_err(|e| format!("cannot use the Redis settings: {e}"))?,
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
        .block_on(auditflow_ledger::postgres::owned_chains(pool, shards, peers, index))
        .map_err(|e| format!("cannot list the ledger's chains: {e}"))?;
    // The views start from what they held when the process stopped (this worker's chains):
    // the delegation graph and the rows still within the lateness and gap. What the ledger
    // committed that the views had not written they read back within their budget, as they
    // do whenever they fall behind. Then they go on live.
    let graph: Rc<RefCell<GraphState>> = Default::default();
    let gate: Rc<RefCell<FeedGate>> = Default::default();
    let hydrated = if settings.views_enabled {
        let started = Instant::now();
        let held_us = settings.views_window.allowed_lateness_us + settings.views_window.request_gap_us;
        let hydrated = runtime
            .block_on(auditflow_ledger::views::hydrate(pool, &chains, held_us))
            .map_err(|e| format!("cannot hydrate the views from the ledger: {e}"))?;
        let ms = started.elapsed().as_millis() as u64;
        tracing::info!(
            worker = index,
            rows = hydrated.rows.len(),
            graph = hydrated.graph.len(),
            unwritten = hydrated.unprocessed,
            behind_chains = hydrated.behind.len(),
            ms,
            "views hydrated from the ledger"
        );
        *graph.borrow_mut() =
            GraphState::restore(&hydrated.retired, &hydrated.retired_keys).map_err(|e| e.to_string())?;
        view_stats.hydrated_rows.fetch_add((hydrated.rows.len() + hydrated.graph.len()) as u64, Ordering::Relaxed);
        view_stats.hydration_ms.fetch_max(ms, Ordering::Relaxed);
        for (chain, after) in &hydrated.behind {
            gate.borrow_mut().start_behind(*chain, *after);
        }
        (hydrated.rows, hydrated.graph, hydrated.newest_us)
    } else {
        (Vec::new(), Vec::new(), None)
    };
    let (hydrated, seed, newest_written_us) = hydrated;
    // Per epoch, the newest chain position and event time the views were given, per chain:
    // recorded as the views' progress once the views have written that epoch.
    let fed: Rc<RefCell<FedByEpoch>> = Default::default();
    let mut handles = exporters.iter().map(|e| e.spawn(chains.clone(), runtime));
    let first = handles.next().ok_or("no exporter")?;
    let export = handles.fold(first, auditflow_archive::ExportHandle::and);
    let views_probe = ProbeHandle::new();
    let mut catch_up_input = CatchUpInput::new();
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
            use timely::dataflow::operators::{Input, Inspect};
            let grace_us = settings.views_revocation_grace.as_micros() as i64;
            let hydrated: Vec<auditflow_schemas::view::SharedEvent> =
                hydrated.into_iter().map(std::sync::Arc::new).collect();
            let fed = fed.clone();
            let held = ledger
                .committed
                .budgeted(gate.clone())
                .concat(scope.input_from(&mut catch_up_input))
                .concat(hydrated.to_stream(scope))
                .inspect_core(move |event| {
                    if let Ok((stamp, rows)) = event {
                        let Some(epoch) = stamp.iter().max() else { return };
                        let mut fed = fed.borrow_mut();
                        let fed = fed.entry(*epoch).or_default();
                        fed.rows += rows.len();
                        for row in rows {
                            let seen = fed.chains.entry(row.chain_id).or_insert((i64::MIN, i64::MIN));
                            seen.0 = seen.0.max(row.chain_seq);
                            seen.1 = seen.1.max(row.occurred_at_us);
                        }
                    }
                })
                .windowed(
                    settings.views_window,
                    WindowStart {
                        clock_from_us: newest_written_us,
                        seed: seed.into_iter().map(std::sync::Arc::new).collect(),
                        graph: graph.clone(),
                    },
                    now_us,
                    window.clone(),
                );
            let (propagation, violations) = graph_rows(held.clone()).revocation_views(grace_us);
            held.flat_map(|(row, _, diff)| match row {
                Held::Trace(trace) => Some(ViewUpdate::Trace(trace, diff)),
                Held::LateTrace(trace) => Some(ViewUpdate::LateTrace(trace)),
                Held::Check(row) => Some(ViewUpdate::Check(row)),
                Held::Graph(_) => None,
            })
            .concat(propagation.inner.map(|(p, _, d)| ViewUpdate::Propagation(Box::new(p), d)))
            .concat(violations.inner.map(|(v, _, d)| ViewUpdate::Violation(Box::new(v), d)))
            .view_sink(
                pool.clone(),
                view_stats.clone(),
                ViewRules {
                    grace_us,
                    // Other processes' watermarks are not known here.
                    watermark: (!cluster.is_cluster()).then(|| {
                        let gauges = window.clone();
                        Arc::new(move || gauges.watermark_us.load(Ordering::Relaxed))
                            as Arc<dyn Fn() -> i64 + Send + Sync>
                    }),
                },
                runtime.clone(),
            )
            .probe_with(&views_probe);
        }
    });
    let tick = Duration::from_millis(epoch_ms);
    running.store(true, Ordering::Relaxed);
    let mut last_frontier = None;
    let mut progress = ViewProgress::default();
    let budget = settings.views_budget_rows.div_ceil(settings.workers.max(1));
    let mut catch_up = CatchUpReader::new(gate, catch_up_input, budget);
    while !probe.done() || !export_probe.done() || !views_probe.done() {
        worker.step_or_park(Some(tick));
        let frontier = probe.with_frontier(|f| f.first().copied());
        if frontier != last_frontier {
            last_frontier = frontier;
            frontier_advanced_ms.store(chrono::Utc::now().timestamp_millis(), Ordering::Relaxed);
        }
        if settings.views_enabled {
            let written = views_probe.with_frontier(|f| f.first().copied());
            progress.advance(&fed, frontier, written);
            graph.borrow_mut().written = written.unwrap_or(u64::MAX);
            let behind_ms = catch_up.step(&fed, frontier, stop.load(Ordering::Relaxed), pool, runtime, view_stats);
            view_stats.set_behind_ms(index % cluster.workers, behind_ms);
            if index.is_multiple_of(cluster.workers) {
                view_stats.lag_ms.store(progress.lag_ms(), Ordering::Relaxed);
            }
            progress.record(pool, runtime, &graph, index, false);
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
    if settings.views_enabled {
        progress.advance(&fed, None, None);
        progress.record(pool, runtime, &graph, index, true);
    }
    tracing::debug!(consumer, "worker finished");
    Ok(())
}

fn now_us() -> i64 {
    chrono::Utc::now().timestamp_micros()
}
