//! What the operations handlers share: the metrics recorder, the pipeline's counters, the
//! readiness gates, the last poll of Redis and a pool to reach the ledger with.

use super::health::{ReadyGates, StreamHealth};
use super::metrics::Sources;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::Duration;

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

    /// The dataflow runs and is not [stalled](Self::stalled) (Caracal's `/health`).
    pub fn consumer_healthy(&self) -> bool {
        let advanced = self.sources.frontier_advanced_ms.load(Ordering::Relaxed);
        self.sources.running.load(Ordering::Relaxed) && advanced > 0 && self.stalled().is_none()
    }

    /// How long the running dataflow's committed frontier has stood still, when that is past
    /// `healthz_stall_secs`. The sources move the frontier on every epoch, idle or not, so
    /// only a stuck process stops it: a commit or read waiting on a connection that never
    /// answers, a fleet peer that stopped. Before the dataflow runs (migrations, hydration)
    /// nothing is stalled: a slow start is not a stuck one.
    pub fn stalled(&self) -> Option<Duration> {
        let stall = Duration::from_secs(self.gates.healthz_stall_secs);
        let advanced = self.sources.frontier_advanced_ms.load(Ordering::Relaxed);
        if stall.is_zero() || advanced <= 0 || !self.sources.running.load(Ordering::Relaxed) {
            return None;
        }
        let age = Duration::from_millis((chrono::Utc::now().timestamp_millis() - advanced).max(0) as u64);
        (age > stall).then_some(age)
    }
}
