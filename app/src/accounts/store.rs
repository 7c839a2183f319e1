//! SQL of the global `users` and `platform_admins` tables.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::Email;

pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub password_hash: Option<String>,
    pub name: String,
    pub phone: String,
    pub locale: String,
}

pub struct NewUser<'a> {
    pub email: &'a Email,
    pub password_hash: Option<&'a str>,
    pub name: &'a str,
    pub phone: &'a str,
    pub locale: &'a str,
}

/// Inserts a user; `None` when the email is taken (nothing is written then).
pub async fn insert(
    conn: &mut PgConnection,
    user: &NewUser<'_>,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"INSERT INTO users (id, email, password_hash, name, phone, locale)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT ((lower(email))) DO NOTHING
           RETURNING id"#,
        Uuid::now_v7(),
        user.email.as_str(),
        user.password_hash,
        user.name,
        user.phone,
        user.locale,
    )
    .fetch_optional(conn)
    .await
}

pub async fn find_by_email(
    conn: &mut PgConnection,
    email: &Email,
) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as!(
        UserRow,
        "SELECT id, email, password_hash, name, phone, locale FROM users WHERE lower(email) = $1",
        email.as_str()
    )
    .fetch_optional(conn)
    .await
}

pub async fn find(conn: &mut PgConnection, id: Uuid) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as!(
        UserRow,
        "SELECT id, email, password_hash, name, phone, locale FROM users WHERE id = $1",
        id
    )
    .fetch_optional(conn)
    .await
}

pub async fn set_password_hash(
    conn: &mut PgConnection,
    id: Uuid,
    hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1",
        id,
        hash
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn is_platform_admin(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM platform_admins WHERE user_id = $1) AS "admin!""#,
        id
    )
    .fetch_one(conn)
    .await
}

pub(crate) async fn mark_verified(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1",
        id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Every platform administrator (owner role).
pub async fn platform_admin_ids(conn: &mut PgConnection) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("SELECT user_id FROM platform_admins")
        .fetch_all(conn)
        .await
}

/// Forgets sessions, refresh and email tokens a week after they ended, expired or were used:
/// (refresh, email).
pub async fn prune_tokens(conn: &mut PgConnection) -> Result<(u64, u64), sqlx::Error> {
    super::sessions::prune(&mut *conn).await?;
    let refresh = sqlx::query!("DELETE FROM refresh_tokens WHERE expires_at < now() - interval '7 days' OR revoked_at < now() - interval '7 days'")
        .execute(&mut *conn)
        .await?
        .rows_affected();
    let account = sqlx::query!("DELETE FROM account_tokens WHERE expires_at < now() - interval '7 days' OR used_at < now() - interval '7 days'")
        .execute(conn)
        .await?
        .rows_affected();
    Ok((refresh, account))
}
