//! Caracal's admin API, behind `AUDIT_ADMIN_TOKEN`: `GET /api/audit/search` over the ledger
//! (a zone in `chain_seq` order, see [`crate::queries::zone_page`]) and, over the
//! dead-letter stream, `GET /api/audit/dlq`, `GET /api/audit/dlq/{id}` and
//! `POST /api/audit/dlq/replay`, with Caracal's parameters, limits, status codes, plain-text
//! errors and response keys.
//!
//! Without a token the routes do not exist (404), as in Caracal. A replay re-publishes what
//! now passes verification, as `auditflow dlq replay` does, rather than Caracal's fixed list
//! of replayable reasons; `replayable` in a listing says the same of each entry.

use super::api::ApiState;
use crate::queries::dead_letters::{self, DeadEntry, ReplayRequest};
use crate::queries::zone_page;
use crate::settings::Secret;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// Entries a page or a replay takes by default, and at most.
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;

/// What the routes share: the `/v1` API's state and Caracal's admin token.
pub struct CaracalApi {
    api: Arc<ApiState>,
    token: Secret,
}

/// The routes, when an admin token is configured; none otherwise (Caracal's 404).
pub fn routes(api: Arc<ApiState>, token: Option<Secret>) -> Router {
    let Some(token) = token else { return Router::new() };
    Router::new()
        .route("/api/audit/search", get(search))
        .route("/api/audit/dlq", get(list))
        .route("/api/audit/dlq/replay", post(replay))
        .route("/api/audit/dlq/{id}", get(show))
        .with_state(Arc::new(CaracalApi { api, token }))
}

/// Caracal's plain-text error.
fn text(status: StatusCode, message: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{message}\n")).into_response()
}

/// A request Caracal's service would refuse: its status and plain-text message.
pub struct Refusal {
    status: StatusCode,
    message: &'static str,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut response = text(self.status, self.message);
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer realm=\"caracal-audit\""));
        }
        response
    }
}

/// The token, with or without `Bearer `, compared in constant time.
fn authorized(state: &CaracalApi, headers: &HeaderMap) -> Result<(), Refusal> {
    let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    let given = given.strip_prefix("Bearer ").unwrap_or(given).as_bytes();
    if super::api::ct_eq(given, state.token.expose().as_bytes()) {
        Ok(())
    } else {
        Err(Refusal { status: StatusCode::UNAUTHORIZED, message: "unauthorized" })
    }
}

/// `limit`: absent gives the default, more than the cap gives the cap, anything but a
/// positive whole number is a 400.
fn limit(query: &HashMap<String, String>) -> Result<usize, Refusal> {
    match query.get("limit") {
        None => Ok(DEFAULT_LIMIT),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n > 0 => Ok(n.min(MAX_LIMIT)),
            _ => Err(Refusal { status: StatusCode::BAD_REQUEST, message: "limit must be a positive integer" }),
        },
    }
}

async fn redis(state: &CaracalApi) -> Option<redis::aio::MultiplexedConnection> {
    auditflow_sources::redis_stream::connect(&state.api.redis, std::time::Duration::from_secs(5)).await.ok()
}

/// A request that pages the DLQ: authorized, its `limit`, and a connection to Redis (or the
/// response that refuses it, `failed` when Redis does not answer).
async fn admitted(
    state: &CaracalApi,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
    failed: &'static str,
) -> Result<(usize, redis::aio::MultiplexedConnection), Response> {
    authorized(state, headers).map_err(IntoResponse::into_response)?;
    let limit = limit(query).map_err(IntoResponse::into_response)?;
    let con = redis(state).await.ok_or_else(|| text(StatusCode::INTERNAL_SERVER_ERROR, failed))?;
    Ok((limit, con))
}

/// An entry as Caracal lists it; empty values are left out.
fn listed(state: &CaracalApi, entry: &DeadEntry) -> Map<String, Value> {
    let mut out = Map::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            out.insert(k.to_owned(), Value::String(v));
        }
    };
    put("id", Some(entry.id.clone()));
    put("source_id", Some(entry.src_id.clone()));
    put("reason", Some(entry.reason.clone()));
    let received = entry.received_at.parse::<i64>().ok().and_then(chrono::DateTime::from_timestamp_millis);
    put("received_at", Some(received.map_or_else(|| entry.received_at.clone(), |t| t.to_rfc3339())));
    let event: Option<Value> = entry.original_field("data").and_then(|d| serde_json::from_str(&d).ok());
    for key in ["event_id", "zone_id", "event_type", "request_id", "decision"] {
        let field = if key == "event_id" { "id" } else { key };
        put(key, event.as_ref().and_then(|e| e[field].as_str()).map(str::to_owned));
    }
    put("source_sig", entry.original_field("sig"));
    let id_ms = entry.id.split('-').next().and_then(|ms| ms.parse::<i64>().ok()).unwrap_or(0);
    let age = (chrono::Utc::now().timestamp_millis() - id_ms).max(0) / 1000;
    out.insert("age_seconds".into(), json!(age));
    let api = &state.api;
    let replayable = !entry.reason.starts_with("tamper_on_replay")
        && entry.verifies_now(&api.keyring, &api.limits, api.revocation_stream.as_deref()).is_ok();
    out.insert("replayable".into(), json!(replayable));
    out
}

async fn search(
    State(state): State<Arc<CaracalApi>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(refused) = authorized(&state, &headers) {
        return refused.into_response();
    }
    let Some(page) = zone_page::ZonePage::parse(&query, chrono::Utc::now()) else {
        return text(StatusCode::BAD_REQUEST, "zone_id is required");
    };
    let result = async {
        let client = state.api.pool.get().await?;
        zone_page::read(&client, &page).await
    };
    match result.await {
        Ok(body) => Json(body).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "Caracal's search failed");
            text(StatusCode::INTERNAL_SERVER_ERROR, "search failed")
        }
    }
}

async fn list(
    State(state): State<Arc<CaracalApi>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let (limit, mut con) = match admitted(&state, &headers, &query, "dlq list failed").await {
        Ok(admitted) => admitted,
        Err(refused) => return refused,
    };
    let start = query.get("start").map(String::as_str).filter(|s| !s.is_empty()).unwrap_or("-");
    match dead_letters::read_page(&mut con, &state.api.dlq_stream, start, limit).await {
        Ok(entries) => {
            let next = entries.last().map(|e| e.id.clone()).unwrap_or_default();
            let entries: Vec<Value> = entries.iter().map(|e| Value::Object(listed(&state, e))).collect();
            Json(json!({ "entries": entries, "next_cursor": next })).into_response()
        }
        Err(_) => text(StatusCode::INTERNAL_SERVER_ERROR, "dlq list failed"),
    }
}

async fn show(State(state): State<Arc<CaracalApi>>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(refused) = authorized(&state, &headers) {
        return refused.into_response();
    }
    let Some(mut con) = redis(&state).await else {
        return text(StatusCode::INTERNAL_SERVER_ERROR, "dlq detail failed");
    };
    match dead_letters::read_one(&mut con, &state.api.dlq_stream, &id).await {
        Ok(Some(entry)) => {
            let mut out = listed(&state, &entry);
            let event = entry.original_field("data").and_then(|d| serde_json::from_str::<Value>(&d).ok());
            if let Some(event) = event {
                out.insert("source_event".into(), event);
            }
            let fields: Map<String, Value> =
                entry.stored_fields().into_iter().map(|(k, v)| (k, Value::String(v))).collect();
            out.insert("fields".into(), Value::Object(fields));
            Json(Value::Object(out)).into_response()
        }
        Ok(None) => text(StatusCode::NOT_FOUND, "404 page not found"),
        Err(_) => text(StatusCode::INTERNAL_SERVER_ERROR, "dlq detail failed"),
    }
}

async fn replay(
    State(state): State<Arc<CaracalApi>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let (limit, mut con) = match admitted(&state, &headers, &query, "dlq replay failed").await {
        Ok(admitted) => admitted,
        Err(refused) => return refused,
    };
    let api = &state.api;
    let request = ReplayRequest { reason: None, limit: Some(limit), dry_run: false };
    let report = dead_letters::replay_entries(
        &mut con,
        &api.dlq_stream,
        &api.keyring,
        &api.limits,
        api.revocation_stream.as_deref(),
        &request,
    )
    .await;
    match report {
        Ok(r) => {
            let skipped = r.still_failing.len() + r.skipped_tamper + r.gone;
            tracing::info!(replayed = r.replayed.len(), skipped, "DLQ replay over Caracal's admin API");
            Json(json!({ "scanned": r.replayed.len() + skipped, "replayed": r.replayed.len(), "skipped": skipped }))
                .into_response()
        }
        Err(_) => text(StatusCode::INTERNAL_SERVER_ERROR, "dlq replay failed"),
    }
}
