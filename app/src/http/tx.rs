//! How handlers run database work: one call, one transaction. The work gets the transaction's
//! connection; the transaction commits when the work succeeds and rolls back when it fails, so
//! a handler cannot forget either (docs/DESIGN.md, "Transactions"). Domain operations take the
//! connection and never commit: what one request changes commits or fails as a whole. The few
//! operations that must retry or split their work (placing and changing orders, status changes,
//! driver assignment, logins) take the pool and own their transactions instead (`db::retry`).

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::Problem;
use crate::db::{self, Tx};

/// In a transaction of the pizzeria `tenant` (its row-level security applies).
pub(crate) async fn in_tenant<T>(
    pool: &PgPool,
    tenant: Uuid,
    work: impl AsyncFnOnce(&mut PgConnection) -> Result<T, Problem>,
) -> Result<T, Problem> {
    run(db::begin_tenant(pool, tenant).await?, work).await
}

/// In a transaction of the person `user` (their own rows in every pizzeria).
pub(crate) async fn as_user<T>(
    pool: &PgPool,
    user: Uuid,
    work: impl AsyncFnOnce(&mut PgConnection) -> Result<T, Problem>,
) -> Result<T, Problem> {
    run(db::begin_user(pool, user).await?, work).await
}

/// In a plain transaction: platform-wide work on the owner role's pool.
pub(crate) async fn in_platform<T>(
    pool: &PgPool,
    work: impl AsyncFnOnce(&mut PgConnection) -> Result<T, Problem>,
) -> Result<T, Problem> {
    run(pool.begin().await?, work).await
}

async fn run<T>(
    mut tx: Tx,
    work: impl AsyncFnOnce(&mut PgConnection) -> Result<T, Problem>,
) -> Result<T, Problem> {
    let value = work(&mut *tx).await?;
    tx.commit().await?;
    Ok(value)
}
