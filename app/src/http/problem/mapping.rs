//! The one place where each module's error becomes a problem: status, stable type, title,
//! safe detail and extension members. Causes of our own faults are logged, never sent.

use poem::http::StatusCode;

use super::Problem;
use crate::accounts::AccountsError;
use crate::delivery::PositionError;
use crate::domain::InvalidInput;
use crate::menu::MenuError;
use crate::orders::OrderError;
use crate::settings::SettingsError;
use crate::stock::StockError;
use crate::tenancy::TenancyError;
use crate::tenancy::invitations::InvitationError;

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
            AccountsError::InvalidEmailToken => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-token",
                "Invalid or expired link",
            )
            .detail("This link was already used or has expired: ask for a new one."),
            AccountsError::SecondFactorNeeded => Problem::new(
                StatusCode::UNAUTHORIZED,
                "second-factor-needed",
                "A code from your authenticator app is needed",
            )
            .detail("This account has a second factor: send its current code as `totp`."),
            AccountsError::InvalidSecondFactor => Problem::new(
                StatusCode::UNAUTHORIZED,
                "invalid-second-factor",
                "Wrong or already used code",
            )
            .detail("Send the code your authenticator app shows now (each code works once)."),
            AccountsError::SecondFactorAlreadyOn => Problem::new(
                StatusCode::CONFLICT,
                "second-factor-on",
                "A second factor is already on",
            )
            .detail("Turn it off with a current code before setting up another."),
            AccountsError::NoSecondFactorToConfirm => Problem::new(
                StatusCode::CONFLICT,
                "no-second-factor",
                "No second factor in that state",
            )
            .detail("Set one up first (POST /me/second-factor), then confirm it with a code."),
            AccountsError::SecondFactorRequired => Problem::forbidden(
                "Platform administrators must keep a second factor.",
            ),
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
            e @ MenuError::InUse(..) => {
                Problem::new(StatusCode::CONFLICT, "in-use", "Still in use").detail(format!("{e}."))
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
            OrderError::InvalidTransition { status, allowed_next } => Problem::new(conflict, "invalid-transition", "Not possible now")
                .detail(format!(
                    "The order is {}; it can go to: {}.",
                    status.as_str(),
                    if allowed_next.is_empty() { "nothing (it is finished)".to_string() } else { allowed_next.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ") }
                ))
                .with("status", status.as_str())
                .with("allowed_next_states", allowed_next.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
            OrderError::NotModifiable { status } => Problem::new(conflict, "not-modifiable", "The order can no longer be changed")
                .detail(format!("The order is {}: changes and cancellations by the customer stop when preparation starts.", status.as_str()))
                .with("status", status.as_str()),
            OrderError::Forbidden(why) => Problem::forbidden(why),
            OrderError::NotFound => Problem::not_found("order"),
            OrderError::Unexpected(e) => Problem::internal(&e),
        }
    }
}

impl From<PositionError> for Problem {
    fn from(err: PositionError) -> Self {
        match err {
            PositionError::Order(e) => e.into(),
            PositionError::NotOnTheWay(status) => Problem::new(
                StatusCode::CONFLICT,
                "not-out-for-delivery",
                "Not out for delivery",
            )
            .detail(format!(
                "The order is {}: positions are taken only while it is out for delivery.",
                status.as_str()
            ))
            .with("status", status.as_str()),
        }
    }
}

impl From<InvitationError> for Problem {
    fn from(err: InvitationError) -> Self {
        match err {
            InvitationError::Invalid(e) => Problem::invalid(&e),
            InvitationError::Unknown => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-token",
                "Invalid or expired link",
            )
            .detail("This invitation was already accepted or has expired: ask for a new one."),
            InvitationError::AccountDetailsNeeded => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                "Invalid input",
            )
            .detail(
                "No account uses the invited address yet: give a name and a password to create it.",
            )
            .with("field", "password"),
            InvitationError::Unexpected(e) => Problem::internal(&e),
        }
    }
}
