//! Around every request: a request id (echoed in `X-Request-Id` and on every log line of the
//! request), one access log line, a time limit, a bounded body, and errors rendered as problems.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use poem::error::ReadBodyError;
use poem::http::{HeaderValue, Method, StatusCode};
use poem::{Endpoint, IntoResponse, Request, Response};
use sentry::SentryFutureExt;
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
    let method = req.method().to_string();
    let route = crate::metrics::route_label(req.uri().path());
    // Errors reported while this request runs carry its id, route and pizzeria.
    let hub = Arc::new(sentry::Hub::new_from_top(sentry::Hub::current()));
    hub.configure_scope(|scope| {
        scope.set_tag("request_id", &request_id);
        scope.set_tag("route", &route);
        if let Some(slug) = pizzeria_in_path(req.uri().path()) {
            scope.set_tag("pizzeria", slug);
        }
    });
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
        let elapsed = started.elapsed();
        let ms = elapsed.as_millis();
        crate::metrics::http_request(&method, route, status, elapsed.as_secs_f64());
        if status >= 500 {
            tracing::error!(status, ms, "request failed");
        } else {
            tracing::info!(status, ms, "request");
        }
        Ok(response)
    }
    .bind_hub(hub)
    .instrument(span)
    .await
}

/// The pizzeria's slug in a URL: the segment after `pizzerias`.
pub(crate) fn pizzeria_in_path(path: &str) -> Option<&str> {
    let mut segments = path.split('/');
    segments.find(|s| *s == "pizzerias")?;
    segments.next().filter(|s| !s.is_empty())
}

/// The client's address: the socket peer, or the first `X-Forwarded-For` hop behind a proxy.
pub(crate) fn client_ip(req: &Request, trust_forwarded_for: bool) -> Option<IpAddr> {
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

/// Request bodies are read whole by the JSON extractors, so one past `http.max_body_bytes` is
/// refused (413, `Connection: close`) before it is read: from its `Content-Length`, or, without
/// one (chunked), as soon as it grows past the limit, having buffered at most that much. A body
/// within the limit is read here, before any check can refuse the request unread. Multipart uploads are
/// left to their route, which has its own limit (`images.max_bytes`) and requires a
/// length.
pub(crate) async fn limit_body<E: Endpoint>(
    ep: Arc<E>,
    mut req: Request,
    max: usize,
) -> poem::Result<Response> {
    let multipart = req.content_type().is_some_and(|t| {
        t.trim_start()
            .to_ascii_lowercase()
            .starts_with("multipart/")
    });
    if !multipart {
        let declared = req
            .headers()
            .get(poem::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        match declared {
            // Refused unread: the connection cannot be reused, and the client is told so.
            Some(n) if n > max as u64 => {
                let mut resp = body_too_large(max).into_response();
                resp.headers_mut().insert(
                    poem::http::header::CONNECTION,
                    HeaderValue::from_static("close"),
                );
                return Ok(resp);
            }
            Some(0) => {}
            // Read now, whole: a handler or a checker that refuses before reading it (a 401, a
            // 403) leaves no unread body behind, so the keep-alive connection stays usable. A
            // chunked body (no length) the same way, stopped as soon as it is too large.
            Some(_) => read_whole(&mut req, max).await?,
            None if req.method() != Method::GET && req.method() != Method::HEAD => {
                read_whole(&mut req, max).await?;
            }
            None => {}
        }
    }
    ep.call(req).await.map(IntoResponse::into_response)
}

/// Buffers the request's body, at most `max` bytes (413 beyond).
async fn read_whole(req: &mut Request, max: usize) -> poem::Result<()> {
    let body = req
        .take_body()
        .into_bytes_limit(max)
        .await
        .map_err(|err| match err {
            ReadBodyError::PayloadTooLarge => body_too_large(max).into(),
            other => poem::Error::from(other),
        })?;
    req.set_body(body);
    Ok(())
}

fn body_too_large(max: usize) -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
        "Request body too large",
    )
    .detail(format!("A request body may be at most {max} bytes."))
    .with("max_bytes", max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pizzeria_is_the_segment_after_pizzerias() {
        assert_eq!(
            pizzeria_in_path("/admin/v1/pizzerias/roma/menu"),
            Some("roma")
        );
        assert_eq!(pizzeria_in_path("/api/v1/pizzerias/roma"), Some("roma"));
        assert_eq!(pizzeria_in_path("/api/v1/pizzerias/"), None);
        assert_eq!(pizzeria_in_path("/admin/v1/tenants/roma"), None);
    }

    #[test]
    fn a_5xx_reaches_sentry_with_the_request_id_and_pizzeria_and_no_personal_data() {
        let events = sentry::test::with_captured_events(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let failing = poem::endpoint::make(|_req| async {
                    Err::<Response, poem::Error>(
                        Problem::internal(&anyhow::anyhow!("the oven is on fire")).into(),
                    )
                });
                let req = Request::builder()
                    .uri(poem::http::Uri::from_static(
                        "/api/v1/pizzerias/roma/orders?email=marie@example.fr",
                    ))
                    .header(REQUEST_ID, "req-42")
                    .finish();
                let resp = observe(Arc::new(failing), req, Duration::from_secs(5))
                    .await
                    .unwrap();
                assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
            });
        });
        assert_eq!(events.len(), 1, "{events:?}");
        let event = &events[0];
        assert_eq!(event.message.as_deref(), Some("the oven is on fire"));
        assert_eq!(
            event.tags.get("request_id").map(String::as_str),
            Some("req-42")
        );
        assert_eq!(event.tags.get("pizzeria").map(String::as_str), Some("roma"));
        assert_eq!(
            event.tags.get("route").map(String::as_str),
            Some("/api/v1/pizzerias/{slug}/orders")
        );
        let whole = format!("{event:?}");
        assert!(
            !whole.contains("marie@example.fr"),
            "the query string is not sent"
        );
    }
}
