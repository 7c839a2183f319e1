//! `application/problem+json` (RFC 9457): the one place where every module's error becomes an
//! HTTP answer. Clients get a stable `type`, a `title` and a safe `detail`; causes of our own
//! faults go to the log (with the request id) and never to the client.

use std::time::Duration;

use poem::http::{HeaderValue, StatusCode, header};
use poem::{Body, IntoResponse, Response};
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiResponse, Object};
use serde_json::{Map, Value};

use crate::accounts::AccountsError;
use crate::domain::InvalidInput;
use crate::menu::MenuError;
use crate::orders::OrderError;
use crate::settings::SettingsError;
use crate::stock::StockError;
use crate::tenancy::TenancyError;

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

    pub fn not_found(what: &str) -> Self {
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
    pub fn internal(err: &anyhow::Error) -> Self {
        tracing::error!(error = %format!("{err:#}"), "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
        )
        .detail("Something went wrong on our side; it has been logged.")
    }

    pub fn type_uri(&self) -> String {
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

impl From<InvalidInput> for Problem {
    fn from(err: InvalidInput) -> Self {
        Problem::invalid(&err)
    }
}

impl From<anyhow::Error> for Problem {
    fn from(err: anyhow::Error) -> Self {
        Problem::internal(&err)
    }
}

impl From<sqlx::Error> for Problem {
    fn from(err: sqlx::Error) -> Self {
        Problem::internal(&anyhow::Error::new(err).context("database"))
    }
}

impl From<AccountsError> for Problem {
    fn from(err: AccountsError) -> Self {
        match err {
            AccountsError::Invalid(e) => Problem::invalid(&e),
            AccountsError::InvalidCredentials => {
                Problem::new(StatusCode::UNAUTHORIZED, "invalid-credentials", "Invalid email or password")
            }
            AccountsError::WrongCurrentPassword => Problem::new(
                StatusCode::FORBIDDEN,
                "wrong-password",
                "The current password is wrong",
            ),
            AccountsError::InvalidRefreshToken => Problem::new(
                StatusCode::UNAUTHORIZED,
                "invalid-refresh-token",
                "Invalid or expired refresh token",
            )
            .detail("Log in again."),
            AccountsError::RefreshTokenReused => Problem::new(
                StatusCode::UNAUTHORIZED,
                "refresh-token-reused",
                "Refresh token already used",
            )
            .detail("This refresh token was used before; every session of this login was ended. Log in again."),
            AccountsError::RateLimited(limited) => {
                let mut p = Problem::new(StatusCode::TOO_MANY_REQUESTS, "too-many-attempts", "Too many login attempts")
                    .detail("Wait before trying again.");
                p.retry_after = Some(limited.retry_after);
                p
            }
            AccountsError::Unexpected(e) => Problem::internal(&e),
        }
    }
}

impl From<TenancyError> for Problem {
    fn from(err: TenancyError) -> Self {
        match err {
            TenancyError::UnknownPizzeria(_) => Problem::not_found("pizzeria"),
            TenancyError::Suspended(slug) => Problem::new(
                StatusCode::FORBIDDEN,
                "pizzeria-closed",
                "This pizzeria is closed",
            )
            .detail(format!(
                "The pizzeria {slug} is temporarily closed and takes no orders."
            ))
            .with("pizzeria", slug),
            TenancyError::Unexpected(e) => Problem::internal(&e),
        }
    }
}

impl From<MenuError> for Problem {
    fn from(err: MenuError) -> Self {
        match err {
            MenuError::Invalid(e) => Problem::invalid(&e),
            MenuError::NotFound(what) => Problem::not_found(what),
            MenuError::Duplicate(what) => {
                Problem::new(StatusCode::CONFLICT, "duplicate", "Already exists")
                    .detail(format!("{what} already exists."))
            }
            MenuError::Unexpected(e) => Problem::internal(&e),
        }
    }
}

impl From<StockError> for Problem {
    fn from(err: StockError) -> Self {
        match err {
            StockError::Invalid(e) => Problem::invalid(&e),
            StockError::UnknownIngredient => Problem::not_found("ingredient"),
            e @ StockError::Insufficient { .. } => Problem::new(
                StatusCode::CONFLICT,
                "insufficient-stock",
                "Not enough stock",
            )
            .detail(format!("{e}.")),
            StockError::Unexpected(e) => Problem::internal(&e),
        }
    }
}

impl From<SettingsError> for Problem {
    fn from(err: SettingsError) -> Self {
        match err {
            SettingsError::Invalid(e) => Problem::invalid(&e),
            SettingsError::Unexpected(e) => Problem::internal(&e),
        }
    }
}

impl From<OrderError> for Problem {
    fn from(err: OrderError) -> Self {
        let conflict = StatusCode::CONFLICT;
        let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
        match err {
            OrderError::Invalid(e) => Problem::invalid(&e),
            OrderError::UnknownItem { what, id } => {
                Problem::new(unprocessable, "unknown-item", "Unknown item")
                    .detail(format!("There is no {what} {id} on this pizzeria's menu."))
                    .with("item", what)
                    .with("id", id.to_string())
            }
            OrderError::SoldOut { product } => Problem::new(conflict, "sold-out", "Sold out")
                .detail(format!("{product} is sold out for now."))
                .with("product", product),
            OrderError::OutOfStock { product, size } => {
                Problem::new(conflict, "out-of-stock", "Not enough stock")
                    .detail(format!(
                        "{product} ({size}) cannot be made in that quantity any more."
                    ))
                    .with("product", product)
                    .with("size", size)
            }
            OrderError::Closed { next_opening } => {
                Problem::new(conflict, "closed", "The pizzeria is closed")
                    .detail("Order for a later slot, or come back when it opens.")
                    .with("next_opening", next_opening.map(|t| t.to_rfc3339()))
            }
            OrderError::Paused { message } => {
                Problem::new(conflict, "online-orders-paused", "Online orders are paused")
                    .detail(if message.is_empty() {
                        "The pizzeria is not taking online orders right now.".to_string()
                    } else {
                        message.clone()
                    })
                    .with("message", message)
            }
            OrderError::SlotUnavailable(why) => {
                Problem::new(unprocessable, "slot-unavailable", "Slot unavailable").detail(why)
            }
            OrderError::SlotFull { start } => Problem::new(conflict, "slot-full", "Slot full")
                .detail("This slot has no room left; choose another one.")
                .with("slot_start", start.to_rfc3339()),
            OrderError::OutsideZone { postcode } => Problem::new(
                unprocessable,
                "outside-delivery-zone",
                "Outside the delivery zone",
            )
            .detail(format!(
                "The pizzeria does not deliver to {postcode}; choose takeaway or another pizzeria."
            ))
            .with("postcode", postcode),
            OrderError::BelowMinimum {
                minimum_cents,
                subtotal_cents,
            } => Problem::new(unprocessable, "below-minimum", "Below the delivery minimum")
                .detail(format!(
                    "Delivery needs at least {} of products.",
                    crate::domain::Cents(minimum_cents)
                ))
                .with("minimum_cents", minimum_cents)
                .with("subtotal_cents", subtotal_cents),
            OrderError::IdempotencyMismatch => Problem::new(
                unprocessable,
                "idempotency-key-reused",
                "Idempotency-Key reused",
            )
            .detail(
                "This Idempotency-Key was already used with a different request; use a new key.",
            ),
            OrderError::Forbidden(why) => Problem::forbidden(why),
            OrderError::NotFound => Problem::not_found("order"),
            OrderError::Unexpected(e) => Problem::internal(&e),
        }
    }
}

/// Errors poem or poem-openapi raise before a handler runs (bad JSON, missing parameter, unknown
/// route, missing bearer token) become problems too.
pub fn from_poem_error(err: poem::Error) -> Response {
    if let Some(problem) = err.downcast_ref::<Problem>() {
        return problem.clone().into_response();
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
        s if s.is_client_error() => {
            Problem::new(s, "bad-request", "Bad request").detail(err.to_string())
        }
        _ => Problem::internal(&anyhow::anyhow!("{err}")),
    };
    problem.into_response()
}
