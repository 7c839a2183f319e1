//! SQL of the global `refresh_tokens` table. A family is the chain of tokens of one login.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

pub struct RefreshTokenRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub family_id: Uuid,
    pub audience: String,
    pub expires_at: DateTime<Utc>,
    pub rotated_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub async fn insert(
    conn: &mut PgConnection,
    user_id: Uuid,
    family_id: Uuid,
    token_hash: &[u8],
    audience: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, audience, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6)"#,
        Uuid::now_v7(),
        user_id,
        family_id,
        token_hash,
        audience,
        expires_at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Finds a token and locks it, so two refreshes with one token cannot both rotate it.
pub(crate) async fn find_for_update(
    conn: &mut PgConnection,
    token_hash: &[u8],
) -> Result<Option<RefreshTokenRow>, sqlx::Error> {
    sqlx::query_as!(
        RefreshTokenRow,
        r#"SELECT id, user_id, family_id, audience, expires_at, rotated_at, revoked_at
           FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE"#,
        token_hash
    )
    .fetch_optional(conn)
    .await
}

pub(crate) async fn mark_rotated(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE refresh_tokens SET rotated_at = now() WHERE id = $1",
        id
    )
    .execute(conn)
    .await?;
    Ok(())
}
