//! Platform administrators (global). Granted by the operator CLI only.

use anyhow::Context;
use sqlx::PgConnection;
use uuid::Uuid;

use super::store as users;
use crate::audit;
use crate::auth;
use crate::domain::Email;

pub struct CreatedAdmin {
    pub user_id: Uuid,
    pub temporary_password: Option<String>,
    pub already_admin: bool,
}

/// Makes `email` a platform administrator, creating the account if needed. Owner role only.
pub async fn create_platform_admin(
    conn: &mut PgConnection,
    email: &Email,
    name: &str,
) -> Result<CreatedAdmin, anyhow::Error> {
    let (user_id, temporary_password) = ensure_user(conn, email, name).await?;
    let inserted = sqlx::query!(
        "INSERT INTO platform_admins (user_id) VALUES ($1) ON CONFLICT DO NOTHING",
        user_id
    )
    .execute(&mut *conn)
    .await
    .context("inserting a platform admin")?
    .rows_affected();
    if inserted == 1 {
        audit::platform(
            conn,
            None,
            "platform_admin.grant",
            email.as_str(),
            serde_json::json!({}),
        )
        .await?;
    }
    Ok(CreatedAdmin {
        user_id,
        temporary_password,
        already_admin: inserted == 0,
    })
}

/// Finds an account by email or creates it with a random temporary password (returned).
async fn ensure_user(
    conn: &mut PgConnection,
    email: &Email,
    name: &str,
) -> Result<(Uuid, Option<String>), anyhow::Error> {
    if let Some(user) = users::find_by_email(conn, email)
        .await
        .context("finding a user")?
    {
        return Ok((user.id, None));
    }
    let password = auth::refresh::generate()[..20].to_string();
    let hash = auth::password_hash::hash(password.clone())
        .await
        .context("hashing a password")?;
    let new = users::NewUser {
        email,
        password_hash: Some(&hash),
        name,
        phone: "",
        locale: "fr",
    };
    let id = users::insert(conn, &new)
        .await
        .context("inserting a user")?
        .context("user appeared concurrently")?;
    Ok((id, Some(password)))
}
