//! Ingredients as the admin API edits them: rename, alert threshold, delete (only one that no
//! recipe uses and that has no stock history). In the caller's tenant transaction, audited.

use anyhow::Context;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit;
use crate::domain::InvalidInput;
use crate::menu::MenuError;

pub async fn update(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    id: Uuid,
    name: Option<&str>,
    alert_threshold: Option<i64>,
) -> Result<(), MenuError> {
    if name.is_some_and(|n| n.trim().is_empty() || n.trim().chars().count() > 80) {
        return Err(InvalidInput::new("name", "must have 1 to 80 characters").into());
    }
    if alert_threshold.is_some_and(|t| !(0..=super::MAX_QUANTITY).contains(&t)) {
        return Err(InvalidInput::new("alert_threshold", "must be 0 to 10000000").into());
    }
    let done = sqlx::query!(
        "UPDATE ingredients SET name = coalesce($3, name), alert_threshold = coalesce($4, alert_threshold) WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        id,
        name.map(str::trim),
        alert_threshold
    )
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        if e.as_database_error().is_some_and(|d| d.is_unique_violation()) {
            MenuError::Duplicate(format!("ingredient {:?}", name.unwrap_or_default()))
        } else {
            MenuError::from(anyhow::Error::new(e).context("updating an ingredient"))
        }
    })?;
    if done.rows_affected() == 0 {
        return Err(MenuError::NotFound("ingredient"));
    }
    audit::record(
        conn,
        tenant_id,
        Some(actor),
        "ingredient.update",
        &id.to_string(),
        json!({ "name": name, "alert_threshold": alert_threshold }),
    )
    .await
    .context("auditing")?;
    Ok(())
}

pub async fn delete(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    id: Uuid,
) -> Result<(), MenuError> {
    let done = sqlx::query!(
        "DELETE FROM ingredients WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        id
    )
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        if e.as_database_error()
            .is_some_and(|d| d.is_foreign_key_violation())
        {
            MenuError::InUse("ingredient")
        } else {
            MenuError::from(anyhow::Error::new(e).context("deleting an ingredient"))
        }
    })?;
    if done.rows_affected() == 0 {
        return Err(MenuError::NotFound("ingredient"));
    }
    audit::record(
        conn,
        tenant_id,
        Some(actor),
        "ingredient.delete",
        &id.to_string(),
        json!({}),
    )
    .await
    .context("auditing")?;
    Ok(())
}
