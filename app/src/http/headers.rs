//! Security headers on every answer of both servers: no MIME sniffing, no framing, no referrer,
//! a strict Content-Security-Policy (the API sends JSON and, for receipts, self-contained HTML;
//! the interactive docs under `/docs` load their own scripts and are left out), `no-store` on the
//! answers that carry tokens (`/auth/…`), and HSTS in production (behind TLS).

use std::sync::Arc;

use poem::http::{HeaderValue, header};
use poem::{Endpoint, IntoResponse, Request, Response};

/// The policy of everything but `/docs`: nothing loads, inline styles (receipts) aside.
pub(crate) const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

pub(crate) async fn security_headers<E: Endpoint>(
    ep: Arc<E>,
    req: Request,
    production: bool,
) -> poem::Result<Response> {
    let path = req.uri().path().to_string();
    let mut resp = ep.call(req).await?.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !path.starts_with("/docs") {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    if path.contains("/auth/") {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if production {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    Ok(resp)
}
