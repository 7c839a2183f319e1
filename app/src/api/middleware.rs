//! Around every request: a request id (echoed in `X-Request-Id` and on every log line of the
//! request), one access log line, a time limit, and errors rendered as problems.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use poem::http::{HeaderValue, StatusCode};
use poem::{Endpoint, IntoResponse, Request, Response};
use tracing::Instrument;

use super::problem::{Problem, from_poem_error};

pub const REQUEST_ID: &str = "x-request-id";

pub async fn observe<E: Endpoint>(
    ep: Arc<E>,
    req: Request,
    timeout: Duration,
) -> poem::Result<Response> {
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_graphic()))
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_string);
    let span = tracing::info_span!("request", request_id = %request_id, method = %req.method(), path = %req.uri().path());
    async move {
        let started = Instant::now();
        let mut response = match tokio::time::timeout(timeout, ep.call(req)).await {
            Ok(Ok(resp)) => resp.into_response(),
            Ok(Err(err)) => from_poem_error(err),
            Err(_) => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                "The request took too long",
            )
            .into_response(),
        };
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            response.headers_mut().insert(REQUEST_ID, v);
        }
        let status = response.status().as_u16();
        let ms = started.elapsed().as_millis();
        if status >= 500 {
            tracing::error!(status, ms, "request failed");
        } else {
            tracing::info!(status, ms, "request");
        }
        Ok(response)
    }
    .instrument(span)
    .await
}

/// The client's address: the socket peer, or the first `X-Forwarded-For` hop behind a proxy.
pub fn client_ip(req: &Request, trust_forwarded_for: bool) -> Option<IpAddr> {
    if trust_forwarded_for {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    req.remote_addr().as_socket_addr().map(|a| a.ip())
}

/// While maintenance mode is on, the API answers 503 with the operators' message (probes and
/// documentation stay up: this wraps `/api/v1` only).
pub async fn maintenance<E: Endpoint>(ep: Arc<E>, req: Request) -> poem::Result<Response> {
    let state = req.data::<crate::state::AppState>().cloned();
    if let Some(state) = state {
        let m = state.maintenance.current(&state.pool).await;
        if m.enabled {
            let mut p = Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "maintenance",
                "Under maintenance",
            )
            .detail(if m.message.is_empty() {
                "The platform is under maintenance; try again shortly.".to_string()
            } else {
                m.message.clone()
            })
            .with("message", m.message);
            p.retry_after = Some(Duration::from_secs(60));
            return Ok(p.into_response());
        }
    }
    ep.call(req).await.map(IntoResponse::into_response)
}
