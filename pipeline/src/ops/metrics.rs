//! `/metrics`: Prometheus text with Caracal's names (so its dashboards and alert rules work
//! unchanged) and auditflow's own under `auditflow_`.
//!
//! The sinks count through the `metrics` facade (DLQ reasons, commit latencies, export
//! watermarks); the counters the pipeline already keeps as atomics for its run summary are
//! copied in at each scrape, as are the stream gauges from the last Redis poll.

use super::health::StreamHealth;
use crate::cluster::ClusterProgress;
use auditflow_archive::ExportStats;
use auditflow_ledger::commit::LedgerStats;
use auditflow_ledger::verify::TamperStats;
use auditflow_ledger::views::ViewStats;
use auditflow_operators::window::WindowGauges;
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, Unit};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

/// The pipeline's own counters, read at each scrape.
pub struct Sources {
    /// Ledger rows inserted, duplicates dropped, tampered re-deliveries.
    pub ledger: Arc<LedgerStats>,
    /// Archive progress.
    pub export: Arc<ExportStats>,
    /// The OCSF archive's progress, when it is on.
    pub ocsf_export: Option<Arc<ExportStats>>,
    /// Tamper sweep findings.
    pub tamper: Arc<TamperStats>,
    /// What the live views wrote.
    pub views: Arc<ViewStats>,
    /// Whether the live views run.
    pub views_enabled: bool,
    /// What the views' window holds.
    pub window: Arc<WindowGauges>,
    /// Entries read from the stream.
    pub read: Arc<AtomicU64>,
    /// Stream resets noticed (`/readyz` reports a recent one).
    pub stream_resets: Arc<auditflow_sources::redis_stream::StreamResets>,
    /// Unix ms when the committed epoch frontier last advanced.
    pub frontier_advanced_ms: Arc<AtomicI64>,
    /// `--insecure-skip-verify`.
    pub verification_skipped: bool,
    /// Set once the workers run (readiness).
    pub running: Arc<AtomicBool>,
    /// The cluster's formation.
    pub cluster: Arc<ClusterProgress>,
    /// Ledger rewinds noticed, and whether a repair runs.
    pub rewinds: Arc<crate::rewind::Rewinds>,
}

/// Installs the process-wide recorder; `run` calls it once.
pub fn install(cluster: &ClusterProgress) -> anyhow::Result<PrometheusHandle> {
    let mut builder = PrometheusBuilder::new();
    if cluster.processes > 1 {
        // Every series of a cluster's process says which process it is; a single process
        // keeps the label-free series Caracal's dashboards know.
        builder = builder.add_global_label("process", cluster.process.to_string());
    }
    let handle = builder
        .set_buckets_for_metric(
            Matcher::Suffix("_seconds".into()),
            &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0],
        )?
        .install_recorder()?;
    describe();
    Ok(handle)
}

fn describe() {
    describe_counter!("caracal_audit_inserts_total", "Events inserted into the ledger.");
    describe_gauge!(
        "caracal_audit_consumer_lag",
        "Stream entries not yet delivered to the consumer group (XINFO GROUPS lag)."
    );
    describe_gauge!("auditflow_consumer_pending", "Entries delivered to the consumer group but not yet acknowledged.");
    describe_gauge!(
        "caracal_audit_consumer_pel_oldest_seconds",
        Unit::Seconds,
        "Age of the oldest unacknowledged entry, since it was added to the stream."
    );
    describe_counter!(
        "caracal_audit_hmac_failures_total",
        "Entries dead-lettered for a bad signature or an unknown key."
    );
    describe_counter!(
        "caracal_audit_parse_errors_total",
        "Entries dead-lettered as missing data, unparseable, schema-invalid or oversized."
    );
    describe_gauge!("caracal_audit_dlq_size", "Entries in the dead-letter stream.");
    describe_counter!(
        "caracal_audit_dlq_total",
        "Entries this process wrote to the dead-letter stream, by reason kind."
    );
    describe_counter!("caracal_audit_export_events_total", "Ledger rows archived as Parquet.");
    describe_gauge!(
        "caracal_audit_export_backlog_seconds",
        Unit::Seconds,
        "Age of the oldest committed row not yet archived."
    );
    describe_counter!("auditflow_ocsf_export_events_total", "Ledger rows written to the OCSF archive (when it is on).");
    describe_gauge!(
        "auditflow_ocsf_export_backlog_seconds",
        Unit::Seconds,
        "Age of the oldest committed row not yet in the OCSF archive (when it is on)."
    );
    describe_counter!("caracal_audit_tamper_mismatch_total", "Rows whose content hash does not match their columns.");
    describe_counter!("caracal_audit_tamper_chain_breaks_total", "Broken chain links, missing or extra rows.");
    describe_counter!(
        "caracal_audit_tamper_hmac_failures_total",
        "Chain HMACs or signed batch heads that do not verify."
    );
    describe_gauge!("caracal_audit_tamper_last_sweep_unix", Unit::Seconds, "Unix time the last tamper sweep finished.");
    describe_histogram!("auditflow_sink_commit_seconds", Unit::Seconds, "Time to commit one batch, by sink.");
    describe_gauge!(
        "auditflow_epoch_frontier_age_seconds",
        Unit::Seconds,
        "Time since the committed epoch frontier last advanced."
    );
    describe_gauge!("auditflow_export_watermark_seq", "Chain position up to which the archive is complete, by chain.");
    describe_gauge!(
        "auditflow_ocsf_export_watermark_seq",
        "Chain position up to which the OCSF archive is complete, by chain."
    );
    describe_counter!("auditflow_revocation_violations_total", "Allows on revoked sessions after the grace period.");
    describe_counter!("auditflow_entries_read_total", "Stream entries read (first deliveries and re-deliveries).");
    describe_counter!(
        "auditflow_stream_resets_total",
        "Times a reader found its consumer group gone and created it again: Redis lost the stream (restarted \
         without persistence) or it was deleted; entries published before and not yet read are lost."
    );
    describe_counter!(
        "auditflow_ledger_rewinds_total",
        "Times the ledger was found behind what had been committed (a failover to a standby without the last \
         commits); the lost entries are read again from the stream."
    );
    describe_counter!("auditflow_duplicates_dropped_total", "Identical re-deliveries recognised and dropped.");
    describe_counter!("auditflow_request_traces_written_total", "Request trace rows written by the live view.");
    describe_counter!("auditflow_retention_partitions_dropped_total", "Monthly ledger partitions retention dropped.");
    describe_counter!("auditflow_retention_rows_dropped_total", "Ledger rows in the partitions retention dropped.");
    describe_gauge!(
        "auditflow_retention_last_apply_unix",
        Unit::Seconds,
        "Unix time retention was last applied by this process."
    );
    describe_gauge!("auditflow_verification_skipped", "1 while --insecure-skip-verify is set.");
    describe_gauge!("auditflow_up", "1 while the pipeline runs.");
    describe_gauge!("auditflow_cluster_processes", "Processes in this process's cluster (1: no cluster).");
    describe_gauge!("auditflow_cluster_peers_connected", "Cluster peers this process is connected to.");
    describe_gauge!(
        "auditflow_views_lag_seconds",
        Unit::Seconds,
        "How long the oldest ledger commit the live views have not written yet has waited (0: caught up)."
    );
    describe_gauge!("auditflow_views_open_requests", "Requests whose trace the live views hold in memory.");
    describe_gauge!("auditflow_views_held_access_events", "Access decisions the live views hold in memory.");
    describe_counter!("auditflow_views_late_events_total", "Rows that reached the views behind their watermark.");
    describe_counter!("auditflow_views_evicted_total", "Rows that left the views' memory.");
    describe_gauge!("auditflow_views_watermark_unix", Unit::Seconds, "The views' event-time watermark.");
    describe_counter!(
        "auditflow_views_ledger_lookups_total",
        "Revoked sessions whose earlier accesses were looked up in the ledger."
    );
    describe_counter!(
        "auditflow_views_traces_rebuilt_total",
        "Request traces rebuilt from the ledger (a late event of a request that had left memory)."
    );
    describe_gauge!("auditflow_views_hydrated_rows", "Rows the views read from the ledger at start-up.");
    describe_gauge!("auditflow_views_hydration_seconds", Unit::Seconds, "How long the views' start-up read took.");
    describe_gauge!("auditflow_views_graph_trees", "Delegation trees the live views hold in memory.");
    describe_gauge!(
        "auditflow_views_graph_rows",
        "Lifecycle rows (the delegation graph) the live views hold in memory."
    );
    describe_counter!("auditflow_views_retired_trees_total", "Delegation trees that left the views' memory (idle).");
    describe_counter!(
        "auditflow_views_checked_total",
        "Rows on retired delegation trees checked against the stored views and the ledger."
    );
    describe_counter!(
        "auditflow_views_shed_rows_total",
        "Committed rows the views' budget kept from them (they read them back from the ledger)."
    );
    describe_counter!(
        "auditflow_views_caught_up_rows_total",
        "Rows the views read back from the ledger (kept from them by their budget, or unwritten at a restart)."
    );
    describe_gauge!("auditflow_views_behind_chains", "Chains whose rows the views are reading back from the ledger.");
    describe_gauge!(
        "auditflow_views_unwritten_rows",
        "Rows given to the views and not written yet (what --views-budget-rows bounds)."
    );
    describe_gauge!(
        "auditflow_views_retired_filter_fill",
        "Share of the retired trees' filter bits set (false positives, each a needless check, grow as its fourth power)."
    );
}

/// Copies the pipeline's counters and the last stream poll into the recorder.
pub fn refresh(sources: &Sources, health: Option<&StreamHealth>) {
    let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
    counter!("caracal_audit_inserts_total").absolute(load(&sources.ledger.inserted));
    counter!("auditflow_duplicates_dropped_total").absolute(load(&sources.ledger.duplicates));
    counter!("auditflow_entries_read_total").absolute(load(&sources.read));
    counter!("auditflow_stream_resets_total").absolute(sources.stream_resets.count());
    counter!("auditflow_ledger_rewinds_total").absolute(sources.rewinds.count());
    counter!("caracal_audit_export_events_total").absolute(load(&sources.export.rows));
    gauge!("caracal_audit_export_backlog_seconds")
        .set(sources.export.backlog_ms.load(Ordering::Relaxed) as f64 / 1000.0);
    if let Some(ocsf) = &sources.ocsf_export {
        counter!("auditflow_ocsf_export_events_total").absolute(load(&ocsf.rows));
        gauge!("auditflow_ocsf_export_backlog_seconds").set(ocsf.backlog_ms.load(Ordering::Relaxed) as f64 / 1000.0);
    }
    counter!("caracal_audit_tamper_mismatch_total").absolute(load(&sources.tamper.mismatches));
    counter!("caracal_audit_tamper_chain_breaks_total").absolute(load(&sources.tamper.chain_breaks));
    counter!("caracal_audit_tamper_hmac_failures_total").absolute(load(&sources.tamper.hmac_failures));
    gauge!("caracal_audit_tamper_last_sweep_unix").set(sources.tamper.last_sweep_unix.load(Ordering::Relaxed) as f64);
    counter!("auditflow_revocation_violations_total").absolute(load(&sources.views.violations));
    counter!("auditflow_request_traces_written_total").absolute(load(&sources.views.traces));
    if sources.views_enabled {
        let views = &sources.views;
        gauge!("auditflow_views_lag_seconds").set(views.lag_ms() as f64 / 1000.0);
        gauge!("auditflow_views_open_requests").set(sources.window.open_requests.load(Ordering::Relaxed) as f64);
        gauge!("auditflow_views_held_access_events")
            .set(sources.window.held_access_events.load(Ordering::Relaxed) as f64);
        counter!("auditflow_views_late_events_total").absolute(load(&sources.window.late_total));
        counter!("auditflow_views_evicted_total").absolute(load(&sources.window.evicted_total));
        gauge!("auditflow_views_watermark_unix")
            .set(sources.window.watermark_us.load(Ordering::Relaxed).max(0) as f64 / 1e6);
        counter!("auditflow_views_ledger_lookups_total").absolute(load(&views.ledger_lookups));
        counter!("auditflow_views_traces_rebuilt_total").absolute(load(&views.traces_rebuilt));
        gauge!("auditflow_views_hydrated_rows").set(load(&views.hydrated_rows) as f64);
        gauge!("auditflow_views_hydration_seconds").set(load(&views.hydration_ms) as f64 / 1000.0);
        gauge!("auditflow_views_graph_trees").set(sources.window.graph_trees.load(Ordering::Relaxed) as f64);
        gauge!("auditflow_views_graph_rows").set(sources.window.graph_rows.load(Ordering::Relaxed) as f64);
        counter!("auditflow_views_retired_trees_total").absolute(load(&sources.window.retired_trees_total));
        counter!("auditflow_views_checked_total").absolute(load(&views.checked));
        counter!("auditflow_views_shed_rows_total").absolute(load(&views.shed_rows));
        counter!("auditflow_views_caught_up_rows_total").absolute(load(&views.caught_up_rows));
        gauge!("auditflow_views_behind_chains").set(views.behind_chains.load(Ordering::Relaxed) as f64);
        gauge!("auditflow_views_unwritten_rows").set(views.unwritten_rows.load(Ordering::Relaxed) as f64);
        gauge!("auditflow_views_retired_filter_fill").set(load(&sources.window.retired_fill_ppm) as f64 / 1e6);
    }
    // Counted only when they happen; present from the start so that rate() and the alert
    // rules see a zero rather than nothing.
    counter!("caracal_audit_hmac_failures_total").increment(0);
    counter!("caracal_audit_parse_errors_total").increment(0);
    let advanced = sources.frontier_advanced_ms.load(Ordering::Relaxed);
    if advanced > 0 {
        let age = (chrono::Utc::now().timestamp_millis() - advanced).max(0) as f64 / 1000.0;
        gauge!("auditflow_epoch_frontier_age_seconds").set(age);
    }
    gauge!("auditflow_verification_skipped").set(if sources.verification_skipped { 1.0 } else { 0.0 });
    gauge!("auditflow_up").set(if sources.running.load(Ordering::Relaxed) { 1.0 } else { 0.0 });
    gauge!("auditflow_cluster_processes").set(sources.cluster.processes as f64);
    gauge!("auditflow_cluster_peers_connected").set(sources.cluster.connected.load(Ordering::Relaxed) as f64);
    if let Some(h) = health {
        if let Some(lag) = h.consumer_lag {
            gauge!("caracal_audit_consumer_lag").set(lag as f64);
        }
        gauge!("auditflow_consumer_pending").set(h.pending as f64);
        gauge!("caracal_audit_consumer_pel_oldest_seconds").set(h.oldest_pending_age_secs);
        gauge!("caracal_audit_dlq_size").set(h.dlq_size as f64);
    }
}
