//! Probes: `/healthz` (the process answers) and `/readyz` (database reachable, schema current).

use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{IntoResponse, Response, handler};
use serde_json::json;

use super::{Problem, Shared};
use crate::db;

#[handler]
pub fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Ready when the database answers and its schema is the one this code needs.
#[handler]
pub async fn readyz(shared: Data<&Shared>) -> Response {
    match db::migration_state(&shared.pool).await {
        Ok(m) if m.is_current() => {
            Json(json!({ "status": "ready", "migrations": { "applied": m.applied, "latest": m.latest } }))
                .into_response()
        }
        Ok(m) => Problem::new(StatusCode::SERVICE_UNAVAILABLE, "not-ready", "Not ready")
            .detail(format!(
                "The database schema is at migration {:?}, this version needs {:?}: run `ocpizza-admin migrate up`.",
                m.applied, m.latest
            ))
            .into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "readiness: database unreachable");
            Problem::new(StatusCode::SERVICE_UNAVAILABLE, "not-ready", "Not ready")
                .detail("The database is unreachable.")
                .into_response()
        }
    }
}

/// `GET /metrics`: the process's metrics in the Prometheus text format.
pub fn metrics_response() -> Response {
    Response::builder()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(crate::metrics::render())
}

/// `GET /metrics` of a server with nothing to count at scrape time.
#[handler]
pub fn metrics() -> Response {
    metrics_response()
}
