//! `tenant_audit_log`: a pizzeria's own actions (who did what, when), under RLS.

use sqlx::PgConnection;
use uuid::Uuid;

pub async fn record(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Option<Uuid>,
    action: &str,
    target: &str,
    details: serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO tenant_audit_log (tenant_id, actor_user_id, action, target, details) VALUES ($1, $2, $3, $4, $5)",
        tenant_id,
        actor,
        action,
        target,
        details
    )
    .execute(conn)
    .await?;
    Ok(())
}
