//! What a run did and what the stores hold at its end: the summary `run` prints (or writes
//! as JSON with `--summary-json`), and the counters the workers add to while it runs.

use super::telemetry::Telemetry;
use crate::settings::Resolved;
use std::sync::atomic::Ordering;
use std::time::Duration;

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
    /// Rows this run wrote to the OCSF archive (none: no OCSF archive).
    pub ocsf_rows: Option<u64>,
    /// OCSF files this run wrote.
    pub ocsf_files: Option<u64>,
    /// Tamper sweeps finished during the run.
    pub tamper_sweeps: u64,
    /// Rows the last sweep checked.
    pub tamper_last_sweep_rows: u64,
    /// New tamper findings the sweeps raised (each also a row in `audit_ingest_alerts`).
    pub tamper_findings: u64,
    /// Committed rows the views' budget kept from them while they lagged.
    pub views_shed_rows: u64,
    /// Rows the views read back from the ledger (shed, or unwritten at start-up).
    pub views_caught_up_rows: u64,
    /// Times the ledger was found behind what had been committed (a failover to a standby
    /// without the last commits) and was repaired from the stream.
    pub ledger_rewinds: u64,
}

impl RunSummary {
    /// The run's own counts, before the stores' totals are filled in.
    pub(super) fn of(telemetry: &Telemetry, elapsed_secs: f64, export_url: String) -> RunSummary {
        let (ledger, export, tamper) = (&telemetry.ledger, &telemetry.export, &telemetry.tamper);
        let read = telemetry.read.load(Ordering::Relaxed);
        RunSummary {
            read,
            stored: ledger.inserted.load(Ordering::Relaxed),
            duplicates_dropped: ledger.duplicates.load(Ordering::Relaxed),
            tamper_on_replay: ledger.tampers.load(Ordering::Relaxed),
            dead_lettered: telemetry.dead_lettered.load(Ordering::Relaxed),
            elapsed_secs,
            events_per_sec: if elapsed_secs > 0.0 { read as f64 / elapsed_secs } else { 0.0 },
            ledger_rows_total: 0,
            dlq_by_reason: Default::default(),
            pending: 0,
            export_url,
            exported_rows: export.rows.load(Ordering::Relaxed),
            exported_files: export.files.load(Ordering::Relaxed),
            exported_bytes: export.bytes.load(Ordering::Relaxed),
            export_manifests: export.manifests.load(Ordering::Relaxed),
            export_retries: export.retries.load(Ordering::Relaxed),
            ocsf_rows: telemetry.ocsf_export.as_ref().map(|s| s.rows.load(Ordering::Relaxed)),
            ocsf_files: telemetry.ocsf_export.as_ref().map(|s| s.files.load(Ordering::Relaxed)),
            tamper_sweeps: tamper.sweeps.load(Ordering::Relaxed),
            tamper_last_sweep_rows: tamper.last_sweep_rows.load(Ordering::Relaxed),
            tamper_findings: tamper.mismatches.load(Ordering::Relaxed)
                + tamper.chain_breaks.load(Ordering::Relaxed)
                + tamper.hmac_failures.load(Ordering::Relaxed),
            views_shed_rows: telemetry.views.shed_rows.load(Ordering::Relaxed),
            views_caught_up_rows: telemetry.views.caught_up_rows.load(Ordering::Relaxed),
            ledger_rewinds: telemetry.rewinds.count(),
        }
    }
}

pub(super) async fn fill_store_totals(settings: &Resolved, pool: &deadpool_postgres::Pool, summary: &mut RunSummary) {
    if let Ok(c) = auditflow_ledger::postgres::client(pool).await {
        if let Ok(rows) = auditflow_ledger::read::row_count(&**c).await {
            summary.ledger_rows_total = rows;
        }
    }
    let Ok(mut con) = auditflow_sources::redis_stream::connect(&settings.redis, Duration::from_secs(10)).await else {
        return;
    };
    if let Ok(redis::Value::Array(parts)) =
        redis::cmd("XPENDING").arg(&settings.stream).arg(&settings.group).query_async::<redis::Value>(&mut con).await
    {
        if let Some(redis::Value::Int(n)) = parts.first() {
            summary.pending = *n as u64;
        }
    }
    summary.dlq_by_reason =
        crate::queries::dead_letters::reasons(&mut con, &settings.dlq_stream).await.unwrap_or_default();
}
