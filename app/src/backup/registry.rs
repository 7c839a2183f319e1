//! SQL of `ops.backups`, the registry of every backup run (owner role).

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct BackupRow {
    pub id: Uuid,
    pub kind: String,
    pub file_name: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub bytes: Option<i64>,
    pub sha256: Option<String>,
    pub local_path: Option<String>,
    pub s3_key: Option<String>,
    pub local_ok: bool,
    pub s3_ok: bool,
    pub outcome: String,
    pub error: Option<String>,
    pub manifest: Option<serde_json::Value>,
    pub verified_at: Option<DateTime<Utc>>,
    pub verify_error: Option<String>,
    pub pruned_at: Option<DateTime<Utc>>,
}

/// Whether the registry exists (it does from migration 20261123000007 on).
pub async fn exists(pool: &PgPool) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT to_regclass('ops.backups') IS NOT NULL AS "exists!""#)
        .fetch_one(pool)
        .await
}

/// Records a backup as running under `file_name`; `false` when that name is already taken.
pub async fn start(
    pool: &PgPool,
    id: Uuid,
    kind: &str,
    file_name: &str,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query!(
        "INSERT INTO ops.backups (id, kind, file_name) VALUES ($1, $2, $3) ON CONFLICT (file_name) DO NOTHING",
        id,
        kind,
        file_name
    )
    .execute(pool)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

pub struct Finished<'a> {
    pub bytes: i64,
    pub sha256: &'a str,
    pub local_path: &'a str,
    pub s3_key: Option<&'a str>,
    pub manifest: &'a serde_json::Value,
}

pub async fn succeeded(pool: &PgPool, id: Uuid, f: &Finished<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE ops.backups SET finished_at = now(), bytes = $2, sha256 = $3, local_path = $4, s3_key = $5,
               local_ok = true, s3_ok = $5::text IS NOT NULL, manifest = $6, outcome = 'ok'
           WHERE id = $1"#,
        id,
        f.bytes,
        f.sha256,
        f.local_path,
        f.s3_key,
        f.manifest
    )
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn failed(pool: &PgPool, id: Uuid, error: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE ops.backups SET finished_at = now(), outcome = 'failed', error = $2 WHERE id = $1",
        id,
        error
    )
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn verified(pool: &PgPool, id: Uuid, error: Option<&str>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE ops.backups SET verified_at = CASE WHEN $2::text IS NULL THEN now() ELSE verified_at END,
               verify_error = $2 WHERE id = $1"#,
        id,
        error
    )
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn pruned(pool: &PgPool, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE ops.backups SET pruned_at = now(), local_ok = false, s3_ok = false WHERE id = $1",
        id
    )
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn list(pool: &PgPool) -> Result<Vec<BackupRow>, sqlx::Error> {
    sqlx::query_as!(
        BackupRow,
        "SELECT * FROM ops.backups ORDER BY started_at DESC"
    )
    .fetch_all(pool)
    .await
}

pub async fn find(pool: &PgPool, id: Uuid) -> Result<Option<BackupRow>, sqlx::Error> {
    sqlx::query_as!(BackupRow, "SELECT * FROM ops.backups WHERE id = $1", id)
        .fetch_optional(pool)
        .await
}

/// The newest backup that succeeded and was not pruned.
pub(crate) async fn latest_good(pool: &PgPool) -> Result<Option<BackupRow>, sqlx::Error> {
    sqlx::query_as!(
        BackupRow,
        "SELECT * FROM ops.backups WHERE outcome = 'ok' AND pruned_at IS NULL ORDER BY started_at DESC LIMIT 1"
    )
    .fetch_optional(pool)
    .await
}

/// Age of the newest good backup (the metric of a healthy backup routine).
pub async fn age_of_latest_good(pool: &PgPool) -> Result<Option<chrono::Duration>, sqlx::Error> {
    Ok(latest_good(pool)
        .await?
        .and_then(|b| b.finished_at)
        .map(|t| Utc::now() - t))
}
