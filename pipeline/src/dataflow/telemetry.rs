//! What the pipeline's parts count while it runs: shared with the operations surface
//! (metrics, readiness) and read once more for the run's summary.

use crate::cluster::ClusterProgress;
use auditflow_archive::ExportStats;
use auditflow_ledger::commit::LedgerStats;
use auditflow_ledger::verify::TamperStats;
use auditflow_ledger::views::ViewStats;
use auditflow_schemas::keyring::Keyring;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64};
use std::sync::Arc;

/// What the pipeline's parts report while it runs: the operations surface reads these.
#[derive(Clone)]
pub struct Telemetry {
    /// The producer keys (the API re-verifies replayed dead letters with them).
    pub keyring: Arc<Keyring>,
    /// Ledger commits.
    pub ledger: Arc<LedgerStats>,
    /// The archive.
    pub export: Arc<ExportStats>,
    /// The OCSF archive, when configured.
    pub ocsf_export: Option<Arc<ExportStats>>,
    /// Tamper sweeps.
    pub tamper: Arc<TamperStats>,
    /// View writes.
    pub views: Arc<ViewStats>,
    /// What the views' window holds.
    pub window: Arc<auditflow_operators::window::WindowGauges>,
    /// Entries read.
    pub read: Arc<AtomicU64>,
    /// Stream resets the readers noticed (Redis lost the stream and its group).
    pub stream_resets: Arc<auditflow_sources::redis_stream::StreamResets>,
    /// DLQ entries written.
    pub dead_lettered: Arc<AtomicU64>,
    /// Set once the dataflow runs.
    pub running: Arc<AtomicBool>,
    /// Unix ms when the committed frontier last moved.
    pub frontier_advanced_ms: Arc<AtomicI64>,
    /// How far the cluster has formed (a single process: formed from the start).
    pub cluster: Arc<ClusterProgress>,
    /// Ledger rewinds noticed, and whether a repair runs.
    pub rewinds: Arc<crate::rewind::Rewinds>,
}
