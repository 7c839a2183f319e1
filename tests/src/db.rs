//! Databases: the migrated template (once per run, under an advisory lock shared by every test
//! process) and a fresh copy of it per test.

use std::str::FromStr;

use anyhow::Context;
use sha2::{Digest, Sha256};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool};

pub fn env_url(name: &str) -> String {
    std::env::var(name)
        .unwrap_or_else(|_| panic!("{name} is not set: run the tests through scripts/test.sh"))
}

/// `url` with its database replaced by `database`.
pub fn with_database(url: &str, database: &str) -> String {
    let options = PgConnectOptions::from_str(url)
        .expect("a valid PostgreSQL URL")
        .database(database);
    options.to_url_lossy().to_string()
}

pub struct TestDb {
    pub name: String,
    /// The owner role on this database (migrations, fixtures that need BYPASSRLS).
    pub owner_url: String,
    /// The runtime role on this database (what the app uses).
    pub app_url: String,
    pub owner: PgPool,
    pub app: PgPool,
}

impl TestDb {
    /// A fresh database copied from the migrated template.
    pub async fn new() -> Self {
        let template = ensure_template().await.expect("template database");
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        let owner_base = env_url("TEST_PG_OWNER_URL");
        let mut conn = PgConnection::connect(&with_database(&owner_base, "postgres"))
            .await
            .expect("owner connects");
        // A template must have no other connection while it is copied: retry briefly if one is closing.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let sql = format!(r#"CREATE DATABASE "{name}" TEMPLATE "{template}""#);
            match sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
            {
                Ok(_) => break,
                Err(e)
                    if std::time::Instant::now() < deadline
                        && e.to_string().contains("being accessed") =>
                {
                    tokio::task::yield_now().await;
                }
                Err(e) => panic!("creating test database {name}: {e}"),
            }
        }
        conn.close().await.ok();
        let owner_url = with_database(&owner_base, &name);
        let app_url = with_database(&env_url("TEST_PG_APP_URL"), &name);
        let owner = PgPoolOptions::new()
            .max_connections(5)
            .connect(&owner_url)
            .await
            .expect("owner pool");
        let app = PgPoolOptions::new()
            .max_connections(5)
            .connect(&app_url)
            .await
            .expect("app pool");
        Self {
            name,
            owner_url,
            app_url,
            owner,
            app,
        }
    }
}

/// The template's name carries a digest of the migrations, so changed migrations get a new one.
async fn ensure_template() -> anyhow::Result<String> {
    let mut digest = Sha256::new();
    let queue = apalis_postgres::PostgresStorage::<()>::migrations();
    for m in ocpizza::db::MIGRATOR.iter().chain(queue.iter()) {
        digest.update(m.version.to_le_bytes());
        digest.update(&m.checksum);
    }
    let hex: String = digest
        .finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect();
    let template = format!("ocpizza_tpl_{hex}");
    let owner_base = env_url("TEST_PG_OWNER_URL");
    let mut conn = PgConnection::connect(&with_database(&owner_base, "postgres"))
        .await
        .context("owner connects")?;
    sqlx::query("SELECT pg_advisory_lock(4242)")
        .execute(&mut conn)
        .await?;
    let ready: Option<Option<String>> = sqlx::query_scalar(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
    )
    .bind(&template)
    .fetch_optional(&mut conn)
    .await?;
    match ready {
        Some(Some(comment)) if comment == "ready" => {}
        other => {
            if other.is_some() {
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    r#"DROP DATABASE "{template}""#
                )))
                .execute(&mut conn)
                .await?;
            }
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                r#"CREATE DATABASE "{template}""#
            )))
            .execute(&mut conn)
            .await?;
            let url = with_database(&owner_base, &template);
            let tpl = PgPoolOptions::new()
                .max_connections(2)
                .connect(&url)
                .await?;
            ocpizza::db::migrate(&tpl)
                .await
                .context("migrating the template")?;
            tpl.close().await;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                r#"COMMENT ON DATABASE "{template}" IS 'ready'"#
            )))
            .execute(&mut conn)
            .await?;
        }
    }
    sqlx::query("SELECT pg_advisory_unlock(4242)")
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(template)
}
