//! The JSON API under `/v1` (SPEC §6): bearer tokens from a file, each with scopes (`read`,
//! `admin`) and optionally limited to zones; clear JSON errors (400 naming the parameter,
//! 401, 403, 404).

use crate::queries::search::{self, BadParameter, RawQuery};
use crate::queries::{dead_letters, views};
use auditflow_schemas::keyring::Keyring;
use auditflow_schemas::wire::Limits;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use sha2::Digest;
use std::sync::Arc;

pub use crate::settings::TokenSpec;

/// What the API handlers need.
pub struct ApiState {
    /// Tokens.
    pub tokens: Vec<TokenSpec>,
    /// Read pool (not the writer role).
    pub pool: deadpool_postgres::Pool,
    /// Redis (for the DLQ).
    pub redis: auditflow_sources::redis_stream::RedisTarget,
    /// DLQ stream.
    pub dlq_stream: String,
    /// Keys replay checks entries against.
    pub keyring: Arc<Keyring>,
    /// Size limits for replay.
    pub limits: Limits,
    /// The revocation stream, whose entries replay checks as revocations.
    pub revocation_stream: Option<String>,
    /// Tamper sweep status for `/v1/verify`.
    pub tamper: Arc<auditflow_ledger::verify::TamperStats>,
}

/// An API error as JSON.
pub struct ApiError {
    status: StatusCode,
    body: serde_json::Value,
}

impl ApiError {
    fn new(status: StatusCode, error: &str, message: impl Into<String>) -> Self {
        ApiError { status, body: serde_json::json!({ "error": error, "message": message.into() }) }
    }
    fn internal(e: anyhow::Error) -> Self {
        tracing::warn!(error = %format!("{e:#}"), "API request failed");
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", format!("{e:#}"))
    }
}

impl From<BadParameter> for ApiError {
    fn from(e: BadParameter) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            body: serde_json::json!({ "error": "bad_parameter", "parameter": e.parameter, "message": e.message }),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// Equal bytes, compared in constant time (tokens, bearers).
pub(super) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The caller's token, checked for `scope`.
fn authorize<'a>(state: &'a ApiState, headers: &HeaderMap, scope: &str) -> Result<&'a TokenSpec, ApiError> {
    let presented = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "send Authorization: Bearer <token>"))?;
    let digest = sha2::Sha256::digest(presented.trim().as_bytes());
    let mut found = None;
    for t in &state.tokens {
        if ct_eq(&hex::decode(&t.sha256).unwrap_or_default(), &digest) {
            found = Some(t);
        }
    }
    let token = found.ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "unknown token"))?;
    if !token.scopes.iter().any(|s| s == scope) {
        tracing::info!(token = %token.name, scope, "API request refused: missing scope");
        return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", format!("this token lacks the {scope:?} scope")));
    }
    Ok(token)
}

/// The zones a request may read: the token's, narrowed by a `zone` parameter.
fn zones_for(token: &TokenSpec, zone: Option<&str>) -> Result<Option<Vec<String>>, ApiError> {
    match (&token.zones, zone) {
        (Some(allowed), Some(z)) if !allowed.iter().any(|a| a == z) => {
            Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", format!("this token may not read zone {z:?}")))
        }
        (Some(allowed), _) => Ok(Some(allowed.clone())),
        (None, _) => Ok(None),
    }
}

/// A query string, or why it does not fit the endpoint (an unknown or mistyped parameter).
type QueryResult<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

fn parameters<T>(query: QueryResult<T>) -> Result<T, ApiError> {
    query.map(|Query(q)| q).map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_parameter", e.body_text()))
}

/// A `limit` parameter: 1 to [`search::MAX_LIMIT`], default 100.
fn page_limit(limit: Option<i64>) -> Result<i64, ApiError> {
    let limit = limit.unwrap_or(100);
    if (1..=search::MAX_LIMIT).contains(&limit) {
        Ok(limit)
    } else {
        Err(BadParameter { parameter: "limit", message: format!("must be from 1 to {}", search::MAX_LIMIT) }.into())
    }
}

/// The `/v1` routes.
pub fn routes(state: Arc<ApiState>) -> Router {
    Router::new()
        .route("/v1/openapi.json", get(openapi))
        .route("/v1/events", get(events))
        .route("/v1/requests/{id}", get(request))
        .route("/v1/requests/{id}/explain", get(explain))
        .route("/v1/revocations", get(revocations))
        .route("/v1/dlq", get(dlq_list))
        .route("/v1/dlq/replay", post(dlq_replay))
        .route("/v1/dlq/{id}", get(dlq_show))
        .route("/v1/verify", get(verify))
        .with_state(state)
}

async fn openapi() -> Response {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], include_str!("../../../docs/openapi.json"))
        .into_response()
}

async fn client(state: &ApiState) -> Result<deadpool_postgres::Object, ApiError> {
    auditflow_ledger::postgres::client(&state.pool).await.map_err(|e| ApiError::internal(e.into()))
}

async fn events(
    State(state): State<Arc<ApiState>>,
    headers: HeaderMap,
    query: QueryResult<RawQuery>,
) -> Result<Response, ApiError> {
    let token = authorize(&state, &headers, "read")?;
    let raw = parameters(query)?;
    let allowed = zones_for(token, raw.zone.as_deref())?;
    let filters = search::parse(&raw, allowed)?;
    let c = client(&state).await?;
    let page = search::search(&c, &filters).await.map_err(|e| ApiError::internal(e.into()))?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], page.to_json()).into_response())
}

fn request_id(id: &str) -> Result<(), ApiError> {
    if auditflow_schemas::wire::is_valid_request_id(id) {
        Ok(())
    } else {
        Err(BadParameter { parameter: "id", message: format!("{id:?} does not match ^[A-Za-z0-9_.\\-:]{{1,128}}$") }
            .into())
    }
}

async fn load(
    state: &ApiState,
    headers: &HeaderMap,
    id: &str,
) -> Result<(auditflow_schemas::view::RequestTrace, String), ApiError> {
    let token = authorize(state, headers, "read")?;
    request_id(id)?;
    let zones = zones_for(token, None)?;
    views::load_trace(&state.pool, id, zones.as_deref())
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("no events with request id {id:?}")))
}

async fn request(
    State(state): State<Arc<ApiState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (trace, _) = load(&state, &headers, &id).await?;
    Ok(Json(serde_json::json!({ "request_id": id, "events": trace.steps })).into_response())
}

async fn explain(
    State(state): State<Arc<ApiState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (trace, source) = load(&state, &headers, &id).await?;
    Ok(Json(serde_json::json!({ "source": source, "trace": trace })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevocationQuery {
    zone: Option<String>,
    violations: Option<bool>,
    limit: Option<i64>,
}

async fn revocations(
    State(state): State<Arc<ApiState>>,
    headers: HeaderMap,
    query: QueryResult<RevocationQuery>,
) -> Result<Response, ApiError> {
    let token = authorize(&state, &headers, "read")?;
    let q = parameters(query)?;
    let limit = page_limit(q.limit)?;
    let zones = match (zones_for(token, q.zone.as_deref())?, q.zone) {
        (_, Some(z)) => Some(vec![z]),
        (allowed, None) => allowed,
    };
    let c = client(&state).await?;
    let rows = views::revocation_rows(&c, zones.as_deref(), q.violations.unwrap_or(false), limit)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(serde_json::json!({ "revocations": rows })).into_response())
}

fn whole_ledger(token: &TokenSpec) -> Result<(), ApiError> {
    match token.zones {
        Some(_) => Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "a zone-limited token cannot read the DLQ")),
        None => Ok(()),
    }
}

async fn redis(state: &ApiState) -> Result<redis::aio::MultiplexedConnection, ApiError> {
    auditflow_sources::redis_stream::connect(&state.redis, std::time::Duration::from_secs(5))
        .await
        .map_err(|e| ApiError::internal(anyhow::anyhow!("Redis: {e}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DlqQuery {
    reason: Option<String>,
    limit: Option<i64>,
}

async fn dlq_list(
    State(state): State<Arc<ApiState>>,
    headers: HeaderMap,
    query: QueryResult<DlqQuery>,
) -> Result<Response, ApiError> {
    whole_ledger(authorize(&state, &headers, "read")?)?;
    let q = parameters(query)?;
    let limit = page_limit(q.limit)? as usize;
    let mut con = redis(&state).await?;
    let entries = dead_letters::read_dlq(&mut con, &state.dlq_stream, q.reason.as_deref(), limit)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(serde_json::json!({ "entries": entries })).into_response())
}

async fn dlq_show(
    State(state): State<Arc<ApiState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    whole_ledger(authorize(&state, &headers, "read")?)?;
    let mut con = redis(&state).await?;
    let found = dead_letters::read_one(&mut con, &state.dlq_stream, &id).await.map_err(|_| {
        ApiError::from(BadParameter {
            parameter: "id",
            message: format!("{id:?} is not a stream id like 1795492127102-0"),
        })
    })?;
    match found {
        Some(entry) => Ok(Json(entry).into_response()),
        None => Err(ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("no entry {id} in the DLQ"))),
    }
}

async fn dlq_replay(
    State(state): State<Arc<ApiState>>,
    headers: HeaderMap,
    body: Result<Option<Json<serde_json::Value>>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let token = authorize(&state, &headers, "admin")?;
    whole_ledger(token)?;
    // A body that is not the documented JSON object is a 400 in the API's own error shape
    // (axum would answer 422 or 400 in plain text, and serde would take an array for the
    // struct's fields in order).
    let bad_body = |message: String| ApiError::new(StatusCode::BAD_REQUEST, "bad_body", message);
    let request: dead_letters::ReplayRequest = match body.map_err(|e| bad_body(e.body_text()))? {
        None => Default::default(),
        Some(Json(value)) if value.is_object() => {
            serde_json::from_value(value).map_err(|e| bad_body(format!("not a replay request: {e}")))?
        }
        Some(_) => return Err(bad_body("the body must be a JSON object".into())),
    };
    let mut con = redis(&state).await?;
    let report = dead_letters::replay_entries(
        &mut con,
        &state.dlq_stream,
        &state.keyring,
        &state.limits,
        state.revocation_stream.as_deref(),
        &request,
    )
    .await
    .map_err(ApiError::internal)?;
    tracing::info!(token = %token.name, replayed = report.replayed.len(), dry_run = report.dry_run, "DLQ replay over the API");
    Ok(Json(report).into_response())
}

async fn verify(State(state): State<Arc<ApiState>>, headers: HeaderMap) -> Result<Response, ApiError> {
    authorize(&state, &headers, "read")?;
    use std::sync::atomic::Ordering::Relaxed;
    let t = &state.tamper;
    let last = t.last_sweep_unix.load(Relaxed);
    Ok(Json(serde_json::json!({
        "sweeps": t.sweeps.load(Relaxed),
        "last_sweep_at": (last > 0).then(|| chrono::DateTime::from_timestamp(last, 0)),
        "last_sweep_rows": t.last_sweep_rows.load(Relaxed),
        "findings": {
            "content_mismatch": t.mismatches.load(Relaxed),
            "chain_breaks": t.chain_breaks.load(Relaxed),
            "hmac_failures": t.hmac_failures.load(Relaxed),
        },
        "clean": t.mismatches.load(Relaxed) + t.chain_breaks.load(Relaxed) + t.hmac_failures.load(Relaxed) == 0,
    }))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zone_limited_token_is_held_to_its_zones() {
        let token = TokenSpec {
            name: "t".into(),
            sha256: String::new(),
            scopes: vec!["read".into()],
            zones: Some(vec!["z1".into()]),
        };
        assert_eq!(zones_for(&token, None).ok().flatten(), Some(vec!["z1".to_owned()]));
        assert!(zones_for(&token, Some("z2")).is_err());
        let open = TokenSpec { zones: None, ..token };
        assert_eq!(zones_for(&open, Some("z2")).ok().flatten(), None);
    }
}
