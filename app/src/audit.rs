//! The two audit logs (docs/DESIGN.md, "Audit logs"): `tenant_audit_log`, a pizzeria's own
//! actions under row-level security, and `platform_audit_log`, what platform administrators and
//! operators did. A leaf: every module that changes something records here, and this module
//! uses none of them.

use anyhow::Context;
use sqlx::PgConnection;
use uuid::Uuid;

/// Records an action of a pizzeria's staff or owner (who did what, when), under RLS.
pub(crate) async fn record(
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

/// Records a platform administrator's (or the CLI operator's, `actor = None`) action.
pub async fn platform(
    conn: &mut PgConnection,
    actor: Option<Uuid>,
    action: &str,
    target: &str,
    details: serde_json::Value,
) -> Result<(), anyhow::Error> {
    sqlx::query!(
        "INSERT INTO platform_audit_log (actor_user_id, action, target, details) VALUES ($1, $2, $3, $4)",
        actor,
        action,
        target,
        details
    )
    .execute(conn)
    .await
    .context("writing the platform audit log")?;
    Ok(())
}
