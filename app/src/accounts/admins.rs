//! Platform administrators (global). Granted by the operator CLI only.

use anyhow::Context;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::Email;
use crate::tenancy::provision::{audit, ensure_user};

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
        audit(
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
