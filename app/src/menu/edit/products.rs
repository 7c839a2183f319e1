//! Products: what they are called, where they sit, whether customers see them.

use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{db_error, log};
use crate::domain::InvalidInput;
use crate::menu::MenuError;
use crate::menu::write::{foreign_key_violation, name_ok};

/// What may change about a product; `None` keeps the current value.
#[derive(Debug, Default)]
pub struct ProductChange {
    pub category_id: Option<Uuid>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub allergens: Option<Vec<String>>,
    pub vat_class: Option<String>,
    pub position: Option<i32>,
    /// `false` hides it from customers.
    pub active: Option<bool>,
}

pub(crate) async fn update_product(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    id: Uuid,
    c: &ProductChange,
) -> Result<(), MenuError> {
    if let Some(n) = &c.name {
        name_ok("name", n)?;
    }
    if c.description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 500)
    {
        return Err(InvalidInput::new("description", "must have at most 500 characters").into());
    }
    let done = sqlx::query!(
        r#"UPDATE products SET category_id = coalesce($3, category_id), name = coalesce($4, name),
               description = coalesce($5, description), allergens = coalesce($6, allergens),
               vat_class = coalesce($7, vat_class), position = coalesce($8, position), active = coalesce($9, active)
           WHERE tenant_id = $1 AND id = $2"#,
        tenant_id,
        id,
        c.category_id,
        c.name.as_deref().map(str::trim),
        c.description.as_deref(),
        c.allergens.as_deref(),
        c.vat_class.as_deref(),
        c.position,
        c.active
    )
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        if foreign_key_violation(&e) {
            InvalidInput::new("category_id", "unknown category or VAT class").into()
        } else {
            db_error("product", c.name.as_deref().unwrap_or_default(), e)
        }
    })?;
    if done.rows_affected() == 0 {
        return Err(MenuError::NotFound("product"));
    }
    let details = json!({ "category_id": c.category_id, "name": c.name, "active": c.active, "vat_class": c.vat_class });
    log(conn, tenant_id, actor, "product.update", id, details).await
}

/// Deletes a product and its sizes (past orders keep their lines). Returns its image key.
pub(crate) async fn delete_product(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    id: Uuid,
) -> Result<Option<String>, MenuError> {
    let image = sqlx::query_scalar!(
        "DELETE FROM products WHERE tenant_id = $1 AND id = $2 RETURNING image_key",
        tenant_id,
        id
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(|e| db_error("product", "", e))?
    .ok_or(MenuError::NotFound("product"))?;
    log(conn, tenant_id, actor, "product.delete", id, json!({})).await?;
    Ok(image)
}
