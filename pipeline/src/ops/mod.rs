//! The operations surface of `auditflow run` (SPEC §6), served by axum on
//! `AUDITFLOW_LISTEN`: `/healthz` (the process answers), `/readyz` (Caracal's gates),
//! `/metrics` (Prometheus text), the JSON API under `/v1` ([`api`]), and Caracal's probes
//! `/health` and `/ready` ([`caracal`]).

pub mod api;
pub mod caracal;
pub mod caracal_api;
pub mod health;
pub mod metrics;
pub mod state;

use crate::settings::ConfigError;
use anyhow::Context;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use health::ReadyGates;
use state::OpsState;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where the stream health comes from.
#[derive(Clone, Debug)]
pub struct Streams {
    /// Redis.
    pub redis: auditflow_sources::redis_stream::RedisTarget,
    /// Audit stream.
    pub stream: String,
    /// Revocation stream, when one is read.
    pub revocation_stream: Option<String>,
    /// Consumer group.
    pub group: String,
    /// DLQ stream.
    pub dlq: String,
}

/// The secrets Caracal's surface is guarded by (none: `/metrics` open, no `/api/audit`).
#[derive(Clone, Debug, Default)]
pub struct CaracalAccess {
    /// `METRICS_BEARER`.
    pub metrics_bearer: Option<crate::settings::Secret>,
    /// `AUDIT_ADMIN_TOKEN`.
    pub admin_token: Option<crate::settings::Secret>,
}

/// How often Redis is polled for the stream gauges and readiness.
const POLL_EVERY: Duration = Duration::from_secs(1);

/// Binds `listen` and serves until the process ends; returns the bound address (a port of 0
/// picks a free one, and the log names it).
///
/// The server runs on a thread and runtime of its own, not on the ingest's: a burst of
/// searches then waits for its own thread instead of delaying the ledger's commits and
/// acknowledgements, and a request's handler and its Postgres connection share one thread,
/// with no hand-off between runtime workers.
pub fn serve(
    listen: &str,
    streams: Streams,
    gates: ReadyGates,
    sources: metrics::Sources,
    api: Arc<api::ApiState>,
    caracal_access: CaracalAccess,
) -> anyhow::Result<SocketAddr> {
    let prometheus = metrics::install(&sources.cluster)?;
    let cannot_listen =
        |e: std::io::Error| ConfigError::new("AUDITFLOW_LISTEN (--listen)", format!("cannot listen on {listen}: {e}"));
    let listener = std::net::TcpListener::bind(listen).map_err(cannot_listen)?;
    listener.set_nonblocking(true).map_err(cannot_listen)?;
    let addr = listener.local_addr()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the HTTP server's runtime")?;
    let state = Arc::new(OpsState {
        prometheus,
        sources,
        gates,
        last_poll: Mutex::new(None),
        metrics_bearer: caracal_access.metrics_bearer.map(|b| b.expose().to_owned()),
        ledger: api.pool.clone(),
    });
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .with_state(state.clone())
        .merge(caracal::routes(state.clone()))
        .merge(caracal_api::routes(api.clone(), caracal_access.admin_token))
        .merge(api::routes(api));
    std::thread::Builder::new()
        .name("auditflow-api".into())
        .spawn(move || {
            runtime.block_on(async move {
                tokio::spawn(poll_forever(state, streams));
                let served = match tokio::net::TcpListener::from_std(listener) {
                    Ok(listener) => axum::serve(listener, app).await,
                    Err(e) => Err(e),
                };
                if let Err(e) = served {
                    tracing::error!(error = %e, "the HTTP server stopped");
                }
            })
        })
        .context("cannot start the HTTP server's thread")?;
    tracing::info!(listen = %addr, "serving /healthz, /readyz, /metrics, the /v1 API, and Caracal's /health and /ready");
    Ok(addr)
}

async fn poll_forever(state: Arc<OpsState>, streams: Streams) {
    let mut con = None;
    let mut was_stalled = false;
    loop {
        // Said once per stall, not per probe: /healthz is polled every few seconds.
        let stalled = state.stalled();
        match (stalled, was_stalled) {
            (Some(age), false) => tracing::error!(
                secs = age.as_secs(),
                "stalled: the committed frontier has not moved; /healthz answers 503 until it does"
            ),
            (None, true) => tracing::warn!("the committed frontier moves again; /healthz answers ok"),
            _ => {}
        }
        was_stalled = stalled.is_some();
        if con.is_none() {
            con = auditflow_sources::redis_stream::connect(&streams.redis, Duration::from_secs(5)).await.ok();
        }
        let result = match con.as_mut() {
            Some(c) => {
                let read: Vec<String> =
                    std::iter::once(streams.stream.clone()).chain(streams.revocation_stream.clone()).collect();
                health::poll(c, &read, &streams.group, &streams.dlq).await.map_err(|e| e.to_string())
            }
            None => Err(format!("cannot connect to Redis at {:?}", streams.redis)),
        };
        if result.is_err() {
            con = None;
        }
        if let Ok(mut slot) = state.last_poll.lock() {
            *slot = Some(result);
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}

/// Liveness: `ok` while the process works; 503 once its dataflow is stuck, so that a
/// supervisor restarts it (a restart resumes from the ledger and the stream).
async fn healthz(State(state): State<Arc<OpsState>>) -> Response {
    match state.stalled() {
        None => "ok\n".into_response(),
        Some(age) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "stalled: the committed frontier has not moved for {} s (healthz_stall_secs = {})\n",
                age.as_secs(),
                state.gates.healthz_stall_secs
            ),
        )
            .into_response(),
    }
}

async fn readyz(State(state): State<Arc<OpsState>>) -> Response {
    let last = state.stream_health();
    let health = last.as_ref().map_err(String::as_str);
    let running = state.sources.running.load(Ordering::Relaxed);
    let views_lag = state.sources.views_enabled.then(|| state.sources.views.lag_ms() as f64 / 1000.0);
    let mut checks = health::checks(
        running,
        &state.sources.cluster,
        state.sources.verification_skipped,
        health,
        views_lag,
        state.sources.stream_resets.last_ms().map(|at| (chrono::Utc::now().timestamp_millis() - at) as f64 / 1000.0),
        &state.gates,
    );
    checks.push(health::rewind_check(&state.sources.rewinds));
    let ready = checks.iter().all(|c| c.ok);
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(serde_json::json!({ "ready": ready, "checks": checks, "gates": state.gates }))).into_response()
}

async fn metrics_text(State(state): State<Arc<OpsState>>, headers: axum::http::HeaderMap) -> Response {
    if !caracal::metrics_allowed(&state, &headers) {
        return caracal::unauthorized();
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.scrape()).into_response()
}
