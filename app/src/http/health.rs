//! Probes: `/healthz` (the process answers) and `/readyz` (database reachable, schema current).

use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{Endpoint, IntoResponse, Request, Response, handler};
use secrecy::{ExposeSecret, SecretString};
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

/// `/metrics` behind `http.metrics_token` when one is set: Prometheus sends it as a bearer token;
/// anyone else gets 401 (the figures name routes, pizzerias' traffic and the job queues).
pub(crate) fn guard_metrics<E: Endpoint + 'static>(
    ep: E,
    token: Option<SecretString>,
) -> impl Endpoint<Output = Response> {
    poem::EndpointExt::around(ep, move |ep: std::sync::Arc<E>, req: Request| {
        let token = token.clone();
        async move {
            if let Some(token) = token {
                let sent = req
                    .header(poem::http::header::AUTHORIZATION)
                    .and_then(|h| h.strip_prefix("Bearer "))
                    .unwrap_or("");
                if !same(sent.as_bytes(), token.expose_secret().as_bytes()) {
                    return Ok(
                        Problem::unauthorized("/metrics needs its bearer token.").into_response()
                    );
                }
            }
            ep.call(req).await.map(IntoResponse::into_response)
        }
    })
}

/// Byte strings equal, in a time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `GET /metrics` of a server with nothing to count at scrape time.
#[handler]
pub fn metrics() -> Response {
    metrics_response()
}
