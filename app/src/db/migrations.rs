//! The migrations of `migrations/`, compiled in, and how far a database is.

use sqlx::PgPool;
use sqlx::migrate::Migrator;

pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationState {
    /// Highest version applied successfully, if any.
    pub applied: Option<i64>,
    /// Highest version this binary knows.
    pub latest: Option<i64>,
}

impl MigrationState {
    pub fn is_current(&self) -> bool {
        self.applied == self.latest
    }
}

/// Reads the applied version; a database never migrated reports `applied: None`.
pub async fn migration_state(pool: &PgPool) -> Result<MigrationState, sqlx::Error> {
    let latest = MIGRATOR
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .map(|m| m.version)
        .max();
    let table_exists: bool = sqlx::query_scalar!(
        r#"SELECT to_regclass('public._sqlx_migrations') IS NOT NULL AS "exists!""#
    )
    .fetch_one(pool)
    .await?;
    if !table_exists {
        return Ok(MigrationState {
            applied: None,
            latest,
        });
    }
    // Runtime SQL: the table belongs to sqlx and does not exist when the offline data is made.
    let applied: Option<i64> =
        sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(pool)
            .await?;
    Ok(MigrationState { applied, latest })
}

/// Brings a database to the current schema: our migrations, then the job queue's own schema
/// (apalis, tracked apart in `apalis._sqlx_migrations`), and lets the runtime role enqueue jobs
/// in the transactions of the request path. Runs as the owner role.
pub async fn migrate(pool: &PgPool) -> Result<(), anyhow::Error> {
    use anyhow::Context;
    MIGRATOR.run(pool).await.context("applying migrations")?;
    apalis_postgres::PostgresStorage::<()>::setup(pool)
        .await
        .context("setting up the job queue (apalis)")?;
    sqlx::raw_sql("GRANT USAGE ON SCHEMA apalis TO ocpizza_runtime; GRANT INSERT ON apalis.jobs TO ocpizza_runtime;")
        .execute(pool)
        .await
        .context("granting the runtime role the job queue")?;
    Ok(())
}
