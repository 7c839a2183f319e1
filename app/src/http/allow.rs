//! `Allow` on every 405 (RFC 9110, 15.5.6): the methods the server's OpenAPI document declares
//! for the request's path, so a client (or a fuzzer) learns what the path accepts. poem's router
//! refuses the method without saying which ones it would take.

use std::sync::Arc;

use poem::http::header::ALLOW;
use poem::http::{HeaderValue, StatusCode};
use poem::{Endpoint, IntoResponse, Request, Response};

use super::problem::from_poem_error;

#[derive(Debug, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Parameter,
}

/// The path templates of an OpenAPI document with their methods.
#[derive(Debug)]
pub(crate) struct AllowedMethods {
    prefix: String,
    routes: Vec<(Vec<Segment>, String)>,
}

impl AllowedMethods {
    /// From the document `spec` (JSON) of an API served under `prefix` (e.g. `/api/v1`).
    pub(crate) fn from_spec(spec: &str, prefix: &str) -> Self {
        let doc: serde_json::Value = serde_json::from_str(spec).unwrap_or_default();
        let mut routes = Vec::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            let mut methods: Vec<String> = item
                .as_object()
                .into_iter()
                .flatten()
                .map(|(method, _)| method.to_uppercase())
                .collect();
            if methods.iter().any(|m| m == "GET") {
                methods.push("HEAD".into()); // poem answers HEAD wherever GET is
            }
            methods.sort();
            let segments = path
                .trim_start_matches('/')
                .split('/')
                .map(|s| {
                    if s.starts_with('{') && s.ends_with('}') {
                        Segment::Parameter
                    } else {
                        Segment::Literal(s.to_string())
                    }
                })
                .collect();
            routes.push((segments, methods.join(", ")));
        }
        Self {
            prefix: prefix.trim_end_matches('/').to_string(),
            routes,
        }
    }

    /// The `Allow` value of a request path, if the document has that path. A literal segment
    /// wins over a parameter (`/orders/day` before `/orders/{id}`), as in the router.
    pub(crate) fn for_path(&self, path: &str) -> Option<&str> {
        let rest = path.strip_prefix(&self.prefix)?;
        let parts: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
        self.routes
            .iter()
            .filter(|(segments, _)| {
                segments.len() == parts.len()
                    && segments.iter().zip(&parts).all(|(s, p)| match s {
                        Segment::Literal(l) => l == p,
                        Segment::Parameter => !p.is_empty(),
                    })
            })
            .max_by_key(|(segments, _)| {
                segments
                    .iter()
                    .filter(|s| matches!(s, Segment::Literal(_)))
                    .count()
            })
            .map(|(_, methods)| methods.as_str())
    }
}

/// `api` (nested, so its paths are the document's) with `Allow` on its 405s.
pub(crate) fn with_allow<E: Endpoint + 'static>(api: E, spec: &str) -> impl Endpoint + use<E> {
    let allowed = Arc::new(AllowedMethods::from_spec(spec, ""));
    poem::EndpointExt::around(api, move |ep, req| add_allow(ep, req, allowed.clone()))
}

/// Middleware: a 405 gets its `Allow`.
async fn add_allow<E: Endpoint>(
    ep: Arc<E>,
    req: Request,
    allowed: Arc<AllowedMethods>,
) -> poem::Result<Response> {
    let path = req.uri().path().to_string();
    let mut response = match ep.call(req).await {
        Ok(resp) => resp.into_response(),
        Err(err) if err.status() == StatusCode::METHOD_NOT_ALLOWED => from_poem_error(err),
        Err(err) => return Err(err),
    };
    if response.status() == StatusCode::METHOD_NOT_ALLOWED
        && let Some(methods) = allowed.for_path(&path)
        && let Ok(value) = HeaderValue::from_str(methods)
    {
        response.headers_mut().insert(ALLOW, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_find_their_methods_literal_segments_first() {
        let spec = r#"{"paths":{
            "/pizzerias/{slug}/orders/{id}":{"get":{},"patch":{}},
            "/pizzerias/{slug}/orders/day":{"get":{}},
            "/auth/login":{"post":{}}}}"#;
        let allowed = AllowedMethods::from_spec(spec, "/api/v1");
        assert_eq!(
            allowed.for_path("/api/v1/pizzerias/bastille/orders/0194"),
            Some("GET, HEAD, PATCH")
        );
        assert_eq!(
            allowed.for_path("/api/v1/pizzerias/bastille/orders/day"),
            Some("GET, HEAD")
        );
        assert_eq!(allowed.for_path("/api/v1/auth/login"), Some("POST"));
        assert_eq!(allowed.for_path("/api/v1/auth"), None);
        assert_eq!(allowed.for_path("/elsewhere/auth/login"), None);
    }
}
