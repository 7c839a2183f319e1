//! `application/problem+json` (RFC 9457). Every module's error becomes an HTTP answer in one
//! place, `mapping.rs`. Clients get a stable `type`, a `title` and a safe `detail`; causes of our own
//! faults go to the log (with the request id) and never to the client.

use std::time::Duration;

use poem::http::{HeaderValue, StatusCode, header};
use poem::{Body, IntoResponse, Response};
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiResponse, Object};
use serde_json::{Map, Value};

use crate::domain::InvalidInput;

mod management;
mod mapping;

pub const CONTENT_TYPE: &str = "application/problem+json";

/// An error answer. Build it with the constructors; `kind` becomes the type URI `/problems/{kind}`.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    pub kind: &'static str,
    pub title: String,
    pub detail: Option<String>,
    pub extensions: Map<String, Value>,
    pub retry_after: Option<Duration>,
}

/// The body of every error answer (for the OpenAPI document).
#[derive(Object)]
#[oai(rename = "Problem")]
#[oai(skip_serializing_if_is_none)]
pub struct ProblemDoc {
    /// Stable identifier of the kind of problem, e.g. `/problems/validation`.
    #[oai(rename = "type")]
    pub kind: String,
    /// Short human summary of the kind of problem.
    pub title: String,
    pub status: u16,
    /// Human explanation of this occurrence.
    pub detail: Option<String>,
}

impl Problem {
    pub fn new(status: StatusCode, kind: &'static str, title: impl Into<String>) -> Self {
        Self {
            status,
            kind,
            title: title.into(),
            detail: None,
            extensions: Map::new(),
            retry_after: None,
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extensions.insert(key.to_string(), value.into());
        self
    }

    pub(crate) fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found")
            .detail(format!("No such {what}."))
    }

    pub fn unauthorized(detail: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Authentication required",
        )
        .detail(detail)
    }

    pub fn forbidden(detail: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed").detail(detail)
    }

    pub fn invalid(err: &InvalidInput) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "Invalid input",
        )
        .detail(err.to_string())
        .with("field", err.field)
    }

    /// Our own fault: the cause is logged with its whole chain, the client sees a fixed text.
    /// A database that is only busy (see [`crate::db::retry::busy`]) is not a fault: 503 `busy`
    /// with `Retry-After`.
    pub(crate) fn internal(err: &anyhow::Error) -> Self {
        if let Some(problem) = refused_by_the_database(err) {
            return problem;
        }
        if let Some(why) = crate::db::retry::busy(err.as_ref()) {
            tracing::warn!(error = %format!("{err:#}"), "database busy");
            let mut p = Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "Too busy, try again",
            )
            .detail(format!("{why}; send the request again in a moment."));
            p.retry_after = Some(Duration::from_secs(2));
            return p;
        }
        tracing::error!(error = %format!("{err:#}"), "internal error");
        crate::telemetry::report_error(err);
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
        )
        .detail("Something went wrong on our side; it has been logged.")
    }

    pub(crate) fn type_uri(&self) -> String {
        format!("/problems/{}", self.kind)
    }

    pub fn body(&self) -> Value {
        let mut body = Map::new();
        body.insert("type".into(), self.type_uri().into());
        body.insert("title".into(), self.title.clone().into());
        body.insert("status".into(), self.status.as_u16().into());
        if let Some(detail) = &self.detail {
            body.insert("detail".into(), detail.clone().into());
        }
        for (k, v) in &self.extensions {
            body.insert(k.clone(), v.clone());
        }
        Value::Object(body)
    }
}

/// A value the database's own rules refused (a check constraint, a value out of range or badly
/// formed, a name already taken) that validation let through: the client's request, 4xx, never a
/// 500. The cause is logged: each one is a validation to add in front.
fn refused_by_the_database(err: &anyhow::Error) -> Option<Problem> {
    let code = crate::db::retry::sqlstate(err.as_ref())?;
    let problem = match code.as_str() {
        "23514" => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "Invalid input",
        )
        .detail("A value is outside what is allowed (its length, range or format).")
        .with("field", "body"),
        c if c.starts_with("22") => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "Invalid input",
        )
        .detail("A value is badly formed or out of range.")
        .with("field", "body"),
        "23505" => Problem::new(StatusCode::CONFLICT, "duplicate", "Already exists")
            .detail("Something with the same name or key already exists."),
        _ => return None,
    };
    tracing::warn!(error = %format!("{err:#}"), sqlstate = %code, "the database refused a value validation let through");
    Some(problem)
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.kind)
    }
}

impl std::error::Error for Problem {}

impl poem::error::ResponseError for Problem {
    fn status(&self) -> StatusCode {
        self.status
    }

    fn as_response(&self) -> Response {
        let mut response = Response::builder()
            .status(self.status)
            .header(header::CONTENT_TYPE, CONTENT_TYPE)
            .body(Body::from_json(self.body()).unwrap_or_else(|_| Body::empty()));
        if let Some(wait) = self.retry_after {
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            if let Ok(v) = HeaderValue::from_str(&secs.max(1).to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        poem::error::ResponseError::as_response(&self)
    }
}

impl ApiResponse for Problem {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "A problem (RFC 9457); see docs/API.md for the types",
                status: None,
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: CONTENT_TYPE,
                    schema: ProblemDoc::schema_ref(),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        ProblemDoc::register(registry);
    }
}

/// Errors poem or poem-openapi raise before a handler runs (bad JSON, missing parameter, unknown
/// route, missing bearer token) become problems too.
pub(crate) fn from_poem_error(err: poem::Error) -> Response {
    if let Some(problem) = err.downcast_ref::<Problem>() {
        return problem.clone().into_response();
    }
    // A query parameter outside what the document declares (not a date, not one of its
    // words, out of its range): a refused value, named. A path segment that cannot be what
    // the document says (an id that is not a uuid, an action that does not exist) names no
    // resource: 404, like any missing one.
    if let Some(param) = err.downcast_ref::<poem_openapi::error::ParseParamError>() {
        let err = crate::domain::InvalidInput::new(param.name, param.reason.clone());
        return Problem::invalid(&err).into_response();
    }
    if err.is::<poem_openapi::error::ParsePathError>() {
        return Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found")
            .detail("No such resource.")
            .into_response();
    }
    let status = err.status();
    let problem = match status {
        StatusCode::NOT_FOUND => {
            Problem::new(status, "not-found", "Not found").detail("No such resource.")
        }
        StatusCode::METHOD_NOT_ALLOWED => {
            Problem::new(status, "method-not-allowed", "Method not allowed")
        }
        StatusCode::UNAUTHORIZED => {
            Problem::unauthorized("A valid bearer access token is required.")
        }
        StatusCode::PAYLOAD_TOO_LARGE => {
            Problem::new(status, "payload-too-large", "Request body too large")
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            Problem::new(status, "unsupported-media-type", "Unsupported media type")
                .detail(err.to_string())
        }
        // A body field the API does not know is refused, never ignored: nothing can be
        // mass-assigned (`#[oai(deny_unknown_fields)]`).
        s if s.is_client_error() && err.to_string().contains("unknown field") => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "Invalid input",
        )
        .detail(err.to_string()),
        s if s.is_client_error() => {
            Problem::new(s, "bad-request", "Bad request").detail(err.to_string())
        }
        _ => Problem::internal(&anyhow::anyhow!("{err}")),
    };
    problem.into_response()
}
