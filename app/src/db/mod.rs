//! Connections, tenant-scoped transactions and the migrations embedded in every binary.

pub mod locks;
mod migrations;
pub(crate) mod retry;
mod roles;

pub use migrations::{MIGRATOR, MigrationState, migrate, migration_state};
pub(crate) use roles::check_runtime_role;
pub use roles::{RoleCheckError, RoleInfo};

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use crate::config::DatabaseConfig;

pub type Tx = Transaction<'static, Postgres>;

/// A pool on `url`; connections are opened lazily so a server can start while the database
/// is still coming up (`/readyz` reports it).
pub fn pool(url: &SecretString, config: &DatabaseConfig) -> Result<PgPool, sqlx::Error> {
    build(url, config, None)
}

/// A pool for a server: as [`pool`], and no statement runs longer than
/// `database.statement_timeout_secs` (a request stuck behind a lock answers 503, it does not hold
/// its connection for ever).
pub fn server_pool(url: &SecretString, config: &DatabaseConfig) -> Result<PgPool, sqlx::Error> {
    build(url, config, Some(config.statement_timeout_secs))
}

fn build(
    url: &SecretString,
    config: &DatabaseConfig,
    statement_timeout_secs: Option<u64>,
) -> Result<PgPool, sqlx::Error> {
    let mut options: PgConnectOptions = url.expose_secret().parse()?;
    options = options.application_name("ocpizza");
    if let Some(secs) = statement_timeout_secs {
        options = options.options([("statement_timeout", format!("{secs}s"))]);
    }
    Ok(PgPoolOptions::new()
        .max_connections(config.max_connections)
        .acquire_timeout(Duration::from_secs(config.acquire_timeout_secs))
        .connect_lazy_with(options))
}

/// Starts a transaction in which row-level security shows tenant `tenant_id` only.
pub async fn begin_tenant(pool: &PgPool, tenant_id: Uuid) -> Result<Tx, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "SELECT set_config('app.tenant_id', $1, true)",
        tenant_id.to_string()
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(tx)
}

/// Starts a transaction that may read user `user_id`'s own rows in every pizzeria (the
/// SELECT-only policies of docs/DESIGN.md, "Tenancy") and no tenant's rows otherwise.
pub async fn begin_user(pool: &PgPool, user_id: Uuid) -> Result<Tx, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "SELECT set_config('app.user_id', $1, true)",
        user_id.to_string()
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(tx)
}
