//! Caracal's probes, served beside auditflow's own so that Caracal's Helm chart can run
//! auditflow in its audit service's place (its startup and liveness probes ask `/health`, its
//! readiness probe `/ready`), and the metrics bearer Caracal puts in front of `/metrics`.
//!
//! `/metrics.json` gives Caracal's keys, read from the same scrape as `/metrics`, for the
//! values auditflow measures; the rest of Caracal's keys are left out rather than made up.
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

/// `/health`, `/ready` and `/metrics.json`.
pub fn routes(state: Arc<OpsState>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics.json", get(metrics_json))
        .with_state(state)
}

/// Caracal's `/metrics.json` keys and the metric each is read from (summed over its labels).
const METRICS_JSON: [(&str, &str); 12] = [
    ("inserts_total", "caracal_audit_inserts_total"),
    ("export_events_total", "caracal_audit_export_events_total"),
    ("consumer_lag", "caracal_audit_consumer_lag"),
    ("consumer_pel_oldest_secs", "caracal_audit_consumer_pel_oldest_seconds"),
    ("dlq_size", "caracal_audit_dlq_size"),
    ("parse_errors_total", "caracal_audit_parse_errors_total"),
    ("dlq_total", "caracal_audit_dlq_total"),
    ("hmac_failures_total", "caracal_audit_hmac_failures_total"),
    ("tamper_mismatch_total", "caracal_audit_tamper_mismatch_total"),
    ("tamper_chain_breaks", "caracal_audit_tamper_chain_breaks_total"),
    ("tamper_hmac_failures", "caracal_audit_tamper_hmac_failures_total"),
    ("tamper_last_sweep_unix", "caracal_audit_tamper_last_sweep_unix"),
];

/// Caracal's keys from a Prometheus text scrape, as whole numbers; a key whose metric is not
/// in the scrape (not measured yet) is left out. `export_backlog_hours` comes from the
/// backlog in seconds, in whole hours pending.
pub fn metrics_json_of(scrape: &str) -> serde_json::Map<String, serde_json::Value> {
    let sum = |family: &str| -> Option<f64> {
        let values: Vec<f64> = scrape
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter(|l| l.strip_prefix(family).is_some_and(|rest| rest.starts_with(' ') || rest.starts_with('{')))
            .filter_map(|l| l.rsplit_once(' ').and_then(|(_, v)| v.parse::<f64>().ok()))
            .collect();
        (!values.is_empty()).then(|| values.iter().sum())
    };
    let mut out = serde_json::Map::new();
    for (key, family) in METRICS_JSON {
        if let Some(v) = sum(family) {
            out.insert(key.into(), serde_json::json!(v.round() as i64));
        }
    }
    if let Some(secs) = sum("caracal_audit_export_backlog_seconds") {
        out.insert("export_backlog_hours".into(), serde_json::json!((secs / 3600.0).ceil() as i64));
    }
    out
}

async fn metrics_json(State(state): State<Arc<OpsState>>, headers: HeaderMap) -> Response {
    if !metrics_allowed(&state, &headers) {
        return unauthorized();
    }
    Json(metrics_json_of(&state.scrape())).into_response()
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
    super::api::ct_eq(given.as_bytes(), format!("Bearer {bearer}").as_bytes())
}

/// Caracal's refusal of the metrics.
pub fn unauthorized() -> Response {
    (StatusCode::UNAUTHORIZED, "unauthorized\n").into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn caracals_keys_come_from_the_scrape_and_unmeasured_ones_are_left_out() {
        let scrape = "# HELP caracal_audit_inserts_total Events.\n# TYPE caracal_audit_inserts_total counter\n\
            caracal_audit_inserts_total 42\ncaracal_audit_dlq_total{reason=\"hmac\"} 2\n\
            caracal_audit_dlq_total{reason=\"schema\"} 3\ncaracal_audit_dlq_size 5\n\
            caracal_audit_export_backlog_seconds 3700\ncaracal_audit_inserts_total_other 9\n";
        let json = super::metrics_json_of(scrape);
        assert_eq!(json["inserts_total"], 42);
        assert_eq!(json["dlq_total"], 5, "summed over labels");
        assert_eq!(json["dlq_size"], 5);
        assert_eq!(json["export_backlog_hours"], 2, "whole hours pending");
        assert!(!json.contains_key("consumer_lag"), "not in the scrape: left out");
    }
}
