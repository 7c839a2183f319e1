//! Maintenance mode for both servers: while the flag is on, their APIs answer 503 with the
//! operators' message; requests let through are counted in flight, so a server reports itself
//! drained (and a restore goes ahead) only once they are done (docs/DESIGN.md, "Backups and
//! restores"). Probes, documentation and metrics stay up: only the API routes are wrapped.

use std::sync::Arc;
use std::time::Duration;

use poem::http::StatusCode;
use poem::{Endpoint, IntoEndpoint, IntoResponse, Request, Response};

use super::Problem;
use crate::backup::maintenance::MaintenanceWatch;

/// Wraps `ep`; requests whose path is in `exempt` (the admin API's own maintenance switch) pass
/// even during maintenance.
pub(crate) fn guard<E>(
    ep: E,
    watch: Arc<MaintenanceWatch>,
    exempt: &'static [&'static str],
) -> impl Endpoint<Output = Response>
where
    E: IntoEndpoint,
    E::Endpoint: 'static,
{
    poem::EndpointExt::around(
        ep.into_endpoint(),
        move |ep: Arc<E::Endpoint>, req: Request| {
            let watch = Arc::clone(&watch);
            async move {
                if exempt.contains(&req.uri().path()) {
                    return ep.call(req).await.map(IntoResponse::into_response);
                }
                let _in_flight = match watch.enter() {
                    Ok(guard) => guard,
                    Err(m) => {
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
                };
                ep.call(req).await.map(IntoResponse::into_response)
            }
        },
    )
}
