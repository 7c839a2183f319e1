//! Single-use, expiring tokens sent by email (address verification, password reset). Only
//! their SHA-256 is stored; the plain token travels in the email job and the link.

use chrono::{Duration, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::auth::refresh;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    ResetPassword,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify_email",
            Purpose::ResetPassword => "reset_password",
        }
    }

    pub(crate) fn lifetime(self) -> Duration {
        match self {
            Purpose::VerifyEmail => Duration::days(7),
            Purpose::ResetPassword => Duration::hours(1),
        }
    }
}

/// Creates a token for `user_id`; earlier unused tokens of the same purpose stop working.
pub async fn create(
    conn: &mut PgConnection,
    user_id: Uuid,
    purpose: Purpose,
) -> Result<String, sqlx::Error> {
    sqlx::query!(
        "UPDATE account_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
        user_id,
        purpose.as_str()
    )
    .execute(&mut *conn)
    .await?;
    let token = refresh::generate();
    sqlx::query!(
        "INSERT INTO account_tokens (id, user_id, purpose, token_hash, expires_at) VALUES ($1, $2, $3, $4, $5)",
        Uuid::now_v7(),
        user_id,
        purpose.as_str(),
        refresh::digest(&token),
        Utc::now() + purpose.lifetime()
    )
    .execute(conn)
    .await?;
    Ok(token)
}

/// Uses a token: the user it was for, if it is valid, unused and unexpired (then it is spent).
pub(crate) async fn consume(
    conn: &mut PgConnection,
    purpose: Purpose,
    token: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"UPDATE account_tokens SET used_at = now()
           WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
           RETURNING user_id"#,
        refresh::digest(token),
        purpose.as_str()
    )
    .fetch_optional(conn)
    .await
}
