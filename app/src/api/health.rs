//! Probes: `/healthz` (the process answers) and `/readyz` (database reachable, schema current).

use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{IntoResponse, Response, handler};
use serde_json::json;

use super::problem::Problem;
use crate::db;
use crate::state::AppState;

#[handler]
pub fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

#[handler]
pub async fn readyz(state: Data<&AppState>) -> Response {
    readiness(&state.pool).await
}

/// Ready when the database answers and its schema is the one this code needs.
pub async fn readiness(pool: &sqlx::PgPool) -> Response {
    match db::migration_state(pool).await {
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

/// The app's metrics, with the live event streams counted at scrape time.
#[handler]
pub fn metrics(state: Data<&AppState>) -> Response {
    use crate::realtime::StreamKind;
    for (kind, label) in [
        (StreamKind::Order, "order"),
        (StreamKind::Kitchen, "kitchen"),
        (StreamKind::Driver, "driver"),
    ] {
        crate::metrics::sse_connections(label, state.hub.live.get(kind));
    }
    metrics_response()
}
