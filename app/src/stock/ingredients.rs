//! Every write of an ingredient: create, rename, alert threshold, delete (one that no recipe uses;
//! one with stock history is archived). In the caller's tenant transaction; audited but for
//! [`insert`], which the demo seed and the audited [`create`] use.

use anyhow::Context;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::locks::Held;
use crate::domain::InvalidInput;
use crate::menu::MenuError;
use crate::menu::edit::log;
use crate::menu::write::{UNITS, name_ok, unique_violation};

pub struct NewIngredient<'a> {
    pub name: &'a str,
    pub unit: &'a str,
    pub alert_threshold: i64,
}

/// Inserts an ingredient (nothing in stock yet), unaudited.
pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    new: &NewIngredient<'_>,
) -> Result<Uuid, MenuError> {
    name_ok("name", new.name)?;
    if !UNITS.contains(&new.unit) {
        return Err(InvalidInput::new("unit", "must be g, ml or piece").into());
    }
    if new.alert_threshold < 0 {
        return Err(InvalidInput::new("alert_threshold", "must not be negative").into());
    }
    let id = Uuid::now_v7();
    let done = sqlx::query!(
        "INSERT INTO ingredients (tenant_id, id, name, unit, alert_threshold) VALUES ($1, $2, $3, $4, $5)",
        tenant_id,
        id,
        new.name.trim(),
        new.unit,
        new.alert_threshold
    )
    .execute(conn)
    .await;
    match done {
        Ok(_) => Ok(id),
        Err(e) if unique_violation(&e) => {
            Err(MenuError::Duplicate(format!("ingredient {:?}", new.name)))
        }
        Err(e) => Err(anyhow::Error::new(e)
            .context("inserting an ingredient")
            .into()),
    }
}

/// An ingredient created by a manager (nothing in stock yet), audited.
pub async fn create(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    new: &NewIngredient<'_>,
) -> Result<Uuid, MenuError> {
    let id = insert(conn, tenant_id, new).await?;
    let details = json!({ "name": new.name.trim(), "unit": new.unit });
    log(conn, tenant_id, actor, "ingredient.create", id, details).await?;
    Ok(id)
}

pub async fn update(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    id: Uuid,
    name: Option<&str>,
    alert_threshold: Option<i64>,
) -> Result<(), MenuError> {
    if name.is_some_and(|n| n.trim().is_empty() || n.chars().count() > 80) {
        return Err(InvalidInput::new("name", "must have 1 to 80 characters").into());
    }
    if alert_threshold.is_some_and(|t| !(0..=super::MAX_QUANTITY).contains(&t)) {
        return Err(InvalidInput::new("alert_threshold", "must be 0 to 10000000").into());
    }
    let done = sqlx::query!(
        "UPDATE ingredients SET name = coalesce($3, name), alert_threshold = coalesce($4, alert_threshold) WHERE tenant_id = $1 AND id = $2 AND archived_at IS NULL",
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
    let details = json!({ "name": name, "alert_threshold": alert_threshold });
    log(conn, tenant_id, actor, "ingredient.update", id, details).await
}

/// Deletes an ingredient that no recipe uses. One with stock history is archived instead (its
/// movements are the ledger and stay): it leaves the lists and can no longer be used, in a recipe
/// or by hand, and its name is free for a new ingredient.
pub async fn delete(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    id: Uuid,
) -> Result<(), MenuError> {
    // The ingredient's row, through the one lock order (docs/DESIGN.md, "Lock order").
    let mut held = Held::default();
    super::store::lock(conn, &mut held, tenant_id, id)
        .await
        .context("locking an ingredient")?
        .ok_or(MenuError::NotFound("ingredient"))?;
    let found = sqlx::query!(
        r#"SELECT EXISTS (SELECT FROM recipe_items r WHERE r.tenant_id = $1 AND r.ingredient_id = $2)
                  OR EXISTS (SELECT FROM extra_recipe_items r WHERE r.tenant_id = $1 AND r.ingredient_id = $2) AS "in_recipe!",
                  EXISTS (SELECT FROM stock_movements m WHERE m.tenant_id = $1 AND m.ingredient_id = $2) AS "has_history!""#,
        tenant_id,
        id
    )
    .fetch_one(&mut *conn)
    .await
    .context("reading an ingredient's uses")?;
    if found.in_recipe {
        return Err(MenuError::InUse(
            "ingredient",
            "take it out of every recipe first",
        ));
    }
    let action = if found.has_history {
        sqlx::query!(
            "UPDATE ingredients SET archived_at = now() WHERE tenant_id = $1 AND id = $2",
            tenant_id,
            id
        )
        .execute(&mut *conn)
        .await
        .context("archiving an ingredient")?;
        "ingredient.archive"
    } else {
        sqlx::query!(
            "DELETE FROM ingredients WHERE tenant_id = $1 AND id = $2",
            tenant_id,
            id
        )
        .execute(&mut *conn)
        .await
        .context("deleting an ingredient")?;
        "ingredient.delete"
    };
    log(conn, tenant_id, actor, action, id, json!({})).await
}
