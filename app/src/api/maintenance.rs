//! Maintenance mode for the public API.

use std::sync::Arc;
use std::time::Duration;

use poem::http::StatusCode;
use poem::{Endpoint, IntoResponse, Request, Response};

use crate::http::Problem;
use crate::state::AppState;

/// While maintenance mode is on, the API answers 503 with the operators' message (probes and
/// documentation stay up: this wraps `/api/v1` only).
pub async fn maintenance<E: Endpoint>(ep: Arc<E>, req: Request) -> poem::Result<Response> {
    let state = req.data::<AppState>().cloned();
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
