//! Caracal's probes, served beside auditflow's own so that Caracal's Helm chart can run
//! auditflow in its audit service's place (its startup and liveness probes ask `/health`, its
//! readiness probe `/ready`), and the metrics bearer Caracal puts in front of `/metrics`.
//!
//! `/ready` checks in Caracal's order and names the first reason that fails, in Caracal's
//! body. Two things differ on purpose (docs/caracal.md): the consumer counts as healthy while
//! the dataflow runs and its committed frontier moves (Caracal's stays unhealthy on an idle
//! stream until a message arrives, so its liveness probe restarts idle pods), and the lag gate
//! compares the entries not yet delivered (Caracal compares its pending count).

use super::state::OpsState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;
use std::time::Duration;

/// How long `/ready` waits for Postgres to answer.
const PING_TIMEOUT: Duration = Duration::from_secs(2);

/// `/health` and `/ready`.
pub fn routes(state: Arc<OpsState>) -> Router {
    Router::new().route("/health", get(health)).route("/ready", get(ready)).with_state(state)
}

fn not_ready(reason: &'static str) -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({ "ok": false, "ready": false, "reason": reason })))
        .into_response()
}

async fn health(State(state): State<Arc<OpsState>>) -> Response {
    if state.consumer_healthy() {
        StatusCode::OK.into_response()
    } else {
        not_ready("consumer_unhealthy")
    }
}

async fn ready(State(state): State<Arc<OpsState>>) -> Response {
    match first_failure(&state).await {
        Some(reason) => not_ready(reason),
        None => Json(serde_json::json!({ "ready": true })).into_response(),
    }
}

/// The first of Caracal's readiness reasons that holds, in Caracal's order.
async fn first_failure(state: &OpsState) -> Option<&'static str> {
    if !state.consumer_healthy() {
        return Some("consumer_unhealthy");
    }
    let ping = async {
        let client = state.ledger.get().await.ok()?;
        client.simple_query("SELECT 1").await.ok()
    };
    if tokio::time::timeout(PING_TIMEOUT, ping).await.ok().flatten().is_none() {
        return Some("postgres_unreachable");
    }
    let Ok(health) = state.stream_health() else { return Some("redis_unreachable") };
    let over = |value: f64, limit: u64| limit > 0 && value > limit as f64;
    let gates = &state.gates;
    if over(health.dlq_size as f64, gates.max_dlq_size) {
        return Some("audit_dlq_threshold");
    }
    if health.consumer_lag.is_some_and(|lag| over(lag as f64, gates.max_consumer_lag)) {
        return Some("audit_lag_threshold");
    }
    if over(health.oldest_pending_age_secs, gates.max_pending_age_secs) {
        return Some("audit_pel_oldest_threshold");
    }
    None
}

/// Whether a request may read the metrics: always without a bearer, else only with
/// `Authorization: Bearer <bearer>` exactly (compared in constant time).
pub fn metrics_allowed(state: &OpsState, headers: &HeaderMap) -> bool {
    let Some(bearer) = &state.metrics_bearer else { return true };
    let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    let expected = format!("Bearer {bearer}");
    given.len() == expected.len() && given.bytes().zip(expected.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// Caracal's refusal of the metrics.
pub fn unauthorized() -> Response {
    (StatusCode::UNAUTHORIZED, "unauthorized\n").into_response()
}
