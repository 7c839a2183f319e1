//! Orders: placing one (prices, checks, stock reservation and numbering in one transaction,
//! idempotent), reading them, receipts. Status transitions after placement are in `transitions`.

mod address;
pub mod idempotency;
pub mod lines;
pub mod modify;
pub mod place;
pub mod pricing;
pub mod queries;
pub mod receipt;
pub mod store;
pub mod timing;
pub mod transitions;
mod who;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::db::locks::LockError;
use crate::db::retry::{self, Transient};
use crate::domain::InvalidInput;

pub use address::AddressInput;
pub use place::{Idempotency, OrderRequest, Placed, place};
pub use who::Placer;

#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    #[error("unknown {what} {id}")]
    UnknownItem { what: &'static str, id: Uuid },
    #[error("{product} is sold out")]
    SoldOut { product: String },
    #[error("not enough stock for {product} ({size})")]
    OutOfStock { product: String, size: String },
    #[error("the pizzeria is closed")]
    Closed { next_opening: Option<DateTime<Utc>> },
    #[error("online orders are paused")]
    Paused { message: String },
    #[error("slot unavailable: {0}")]
    SlotUnavailable(String),
    #[error("the slot starting at {start} is full")]
    SlotFull { start: DateTime<Utc> },
    #[error("postcode {postcode} is outside the delivery zone")]
    OutsideZone { postcode: String },
    #[error("delivery needs at least {minimum_cents} cents of products")]
    BelowMinimum {
        minimum_cents: i64,
        subtotal_cents: i64,
    },
    #[error("cannot do that to an order that is {status:?}")]
    InvalidTransition {
        status: crate::domain::lifecycle::Status,
        allowed_next: Vec<crate::domain::lifecycle::Status>,
    },
    #[error("the order can no longer be changed")]
    NotModifiable {
        status: crate::domain::lifecycle::Status,
    },
    #[error("this Idempotency-Key was used with another request")]
    IdempotencyMismatch,
    #[error("not allowed: {0}")]
    Forbidden(&'static str),
    #[error("no such order")]
    NotFound,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<sqlx::Error> for OrderError {
    fn from(err: sqlx::Error) -> Self {
        OrderError::Unexpected(anyhow::Error::new(err))
    }
}

impl From<LockError> for OrderError {
    fn from(err: LockError) -> Self {
        OrderError::Unexpected(anyhow::Error::new(err))
    }
}

impl Transient for OrderError {
    fn is_transient(&self) -> bool {
        matches!(self, OrderError::Unexpected(e) if retry::is_transient(e.as_ref()))
    }
}

/// An order as stored, with its lines: what every order view is built from.
#[derive(Debug, Clone)]
pub struct OrderDetails {
    pub order: store::OrderRow,
    pub lines: Vec<store::LineRow>,
}

impl OrderDetails {
    pub fn service_day(&self) -> NaiveDate {
        self.order.service_day
    }
}

/// Reads an order of `tenant_id` (run in its tenant transaction).
pub async fn load(
    conn: &mut sqlx::PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<Option<OrderDetails>, sqlx::Error> {
    let Some(order) = store::find(conn, tenant_id, id).await? else {
        return Ok(None);
    };
    let lines = store::lines(conn, tenant_id, id).await?;
    Ok(Some(OrderDetails { order, lines }))
}
