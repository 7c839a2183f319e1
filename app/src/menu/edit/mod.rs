//! Editing the menu from the admin API: categories, products, sizes and prices, recipes,
//! extras, images. Each function takes the tenant, runs in the caller's tenant transaction and
//! writes the pizzeria's audit log. A recipe can only name the pizzeria's own ingredients (the
//! foreign keys include the tenant).

use anyhow::Context;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::MenuError;
use super::write::{foreign_key_violation, name_ok, unique_violation};
use crate::audit;

mod extras;
mod products;
mod sizes;

pub use extras::ExtraChange;
pub(crate) use extras::{delete_extra, update_extra};
pub use products::ProductChange;
pub(crate) use products::{delete_product, update_product};
pub use sizes::SizeChange;
pub(crate) use sizes::{add_product_size, delete_size, update_size};

pub(crate) async fn log(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    action: &str,
    target: Uuid,
    details: serde_json::Value,
) -> Result<(), MenuError> {
    audit::record(
        conn,
        tenant_id,
        Some(actor),
        action,
        &target.to_string(),
        details,
    )
    .await
    .context("auditing a menu change")?;
    Ok(())
}

pub(super) fn db_error(what: &'static str, name: &str, e: sqlx::Error) -> MenuError {
    if unique_violation(&e) {
        MenuError::Duplicate(format!("{what} {name:?}"))
    } else if foreign_key_violation(&e) {
        MenuError::InUse(what, "empty it first")
    } else {
        anyhow::Error::new(e).context("writing the menu").into()
    }
}

pub(crate) async fn create_category(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    name: &str,
    position: i32,
) -> Result<Uuid, MenuError> {
    name_ok("name", name)?;
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO categories (tenant_id, id, name, position) VALUES ($1, $2, $3, $4)",
        tenant_id,
        id,
        name.trim(),
        position
    )
    .execute(&mut *conn)
    .await
    .map_err(|e| db_error("category", name, e))?;
    log(
        conn,
        tenant_id,
        actor,
        "category.create",
        id,
        json!({ "name": name.trim() }),
    )
    .await?;
    Ok(id)
}

pub(crate) async fn update_category(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    id: Uuid,
    name: Option<&str>,
    position: Option<i32>,
) -> Result<(), MenuError> {
    if let Some(n) = name {
        name_ok("name", n)?;
    }
    let done = sqlx::query!(
        "UPDATE categories SET name = coalesce($3, name), position = coalesce($4, position) WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        id,
        name.map(str::trim),
        position
    )
    .execute(&mut *conn)
    .await
    .map_err(|e| db_error("category", name.unwrap_or_default(), e))?;
    if done.rows_affected() == 0 {
        return Err(MenuError::NotFound("category"));
    }
    log(
        conn,
        tenant_id,
        actor,
        "category.update",
        id,
        json!({ "name": name, "position": position }),
    )
    .await
}

/// Deletes an empty category (one with products is refused: move or delete them first).
pub(crate) async fn delete_category(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    id: Uuid,
) -> Result<(), MenuError> {
    let done = sqlx::query!(
        "DELETE FROM categories WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        id
    )
    .execute(&mut *conn)
    .await
    .map_err(|e| db_error("category", "", e))?;
    if done.rows_affected() == 0 {
        return Err(MenuError::NotFound("category"));
    }
    log(conn, tenant_id, actor, "category.delete", id, json!({})).await
}

pub(crate) async fn product_exists(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<bool, MenuError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM products WHERE tenant_id = $1 AND id = $2) AS "exists!""#,
        tenant_id,
        id
    )
    .fetch_one(conn)
    .await
    .context("reading a product")?)
}

/// Sets a product's image; returns the key of the image it replaces.
pub(crate) async fn set_image(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    product_id: Uuid,
    key: Option<&str>,
) -> Result<Option<String>, MenuError> {
    let old = sqlx::query_scalar!(
        "SELECT image_key FROM products WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
        tenant_id,
        product_id
    )
    .fetch_optional(&mut *conn)
    .await
    .context("reading a product")?
    .ok_or(MenuError::NotFound("product"))?;
    sqlx::query!(
        "UPDATE products SET image_key = $3 WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        product_id,
        key
    )
    .execute(&mut *conn)
    .await
    .context("setting an image")?;
    log(
        conn,
        tenant_id,
        actor,
        "product.image",
        product_id,
        json!({ "image": key }),
    )
    .await?;
    Ok(old)
}

/// A product created by a manager: the same creation as the demo seed's, audited.
pub async fn create_product(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    new: &super::write::NewProduct<'_>,
) -> Result<Uuid, MenuError> {
    let id = super::write::create_product(conn, tenant_id, new).await?;
    let details = json!({ "name": new.name.trim() });
    log(conn, tenant_id, actor, "product.create", id, details).await?;
    Ok(id)
}

/// An extra created by a manager, audited.
pub async fn create_extra(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    (name, price_cents): (&str, i64),
    recipe: &[(Uuid, i64)],
) -> Result<Uuid, MenuError> {
    let id = super::write::create_extra(conn, tenant_id, name, price_cents, recipe).await?;
    let details = json!({ "name": name.trim(), "price_cents": price_cents });
    log(conn, tenant_id, actor, "extra.create", id, details).await?;
    Ok(id)
}
