//! SQL of the global `sessions` table: one row per login, named by every access token of it
//! (`sid`) and by its family of refresh tokens (docs/DESIGN.md, "Sessions").

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

pub(crate) async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    user_id: Uuid,
    audience: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO sessions (id, user_id, audience, expires_at) VALUES ($1, $2, $3, $4)",
        id,
        user_id,
        audience,
        expires_at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The absolute end of the session `id` of `user_id` for `audience`, if it is still open: not
/// revoked and not past its end.
pub(crate) async fn open_until(
    conn: &mut PgConnection,
    id: Uuid,
    user_id: Uuid,
    audience: &str,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT expires_at FROM sessions
           WHERE id = $1 AND user_id = $2 AND audience = $3
             AND revoked_at IS NULL AND expires_at > now()"#,
        id,
        user_id,
        audience
    )
    .fetch_optional(conn)
    .await
}

/// Ends one session (logout, refresh token reuse) and its refresh tokens; returns how many
/// refresh tokens were still valid.
pub(crate) async fn revoke(conn: &mut PgConnection, id: Uuid) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        r#"WITH ended AS (
               UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL)
           UPDATE refresh_tokens SET revoked_at = now()
           WHERE family_id = $1 AND revoked_at IS NULL"#,
        id
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Ends every session of a person (password changed or reset) and their refresh tokens.
pub(crate) async fn revoke_all_of_user(
    conn: &mut PgConnection,
    user_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"WITH ended AS (
               UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL)
           UPDATE refresh_tokens SET revoked_at = now()
           WHERE user_id = $1 AND revoked_at IS NULL"#,
        user_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets sessions a week after they ended, with their refresh tokens.
pub async fn prune(conn: &mut PgConnection) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "DELETE FROM sessions WHERE expires_at < now() - interval '7 days' OR revoked_at < now() - interval '7 days'"
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
