//! What the operations handlers share: the metrics recorder, the pipeline's counters, the
//! readiness gates, the last poll of Redis and a pool to reach the ledger with.

use super::health::{ReadyGates, StreamHealth};
use super::metrics::Sources;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::Duration;

/// A running pipeline whose committed frontier has not moved for this long is wedged: its
/// sources move the frontier on every epoch, idle or not, so only a stuck commit stops it.
pub const STALLED_AFTER: Duration = Duration::from_secs(60);

/// What the handlers share.
pub struct OpsState {
    /// The Prometheus recorder.
    pub prometheus: PrometheusHandle,
    /// The pipeline's counters.
    pub sources: Sources,
    /// The readiness gates.
    pub gates: ReadyGates,
    /// The last poll of Redis: the health, or why it failed.
    pub last_poll: Mutex<Option<Result<StreamHealth, String>>>,
    /// `Authorization: Bearer <this>` is required on `/metrics` and `/metrics.json` when set
    /// (Caracal's `METRICS_BEARER`).
    pub metrics_bearer: Option<String>,
    /// Reads the ledger (readiness pings it).
    pub ledger: deadpool_postgres::Pool,
}

impl OpsState {
    /// The last poll of Redis, or why there is none.
    pub fn stream_health(&self) -> Result<StreamHealth, String> {
        match self.last_poll.lock().ok().and_then(|p| p.clone()) {
            Some(result) => result,
            None => Err("Redis not polled yet".into()),
        }
    }

    /// The metrics as `/metrics` serves them, refreshed from the pipeline and the last poll.
    pub fn scrape(&self) -> String {
        let health = self.stream_health().ok();
        super::metrics::refresh(&self.sources, health.as_ref());
        self.prometheus.render()
    }

    /// The dataflow runs and its committed frontier moved within [`STALLED_AFTER`].
    pub fn consumer_healthy(&self) -> bool {
        let advanced = self.sources.frontier_advanced_ms.load(Ordering::Relaxed);
        let age_ms = chrono::Utc::now().timestamp_millis() - advanced;
        self.sources.running.load(Ordering::Relaxed) && advanced > 0 && age_ms <= STALLED_AFTER.as_millis() as i64
    }
}
