//! Sizes of a product: label, price and recipe.

use anyhow::Context;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::log;
use crate::domain::{Cents, InvalidInput};
use crate::menu::MenuError;
use crate::menu::write::{NewSize, add_size, name_ok, set_size_recipe};

async fn size_of(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    product_id: Uuid,
    size_id: Uuid,
) -> Result<(String, i32), MenuError> {
    let row = sqlx::query!(
        "SELECT label, price_cents FROM product_sizes WHERE tenant_id = $1 AND product_id = $2 AND id = $3",
        tenant_id,
        product_id,
        size_id
    )
    .fetch_optional(&mut *conn)
    .await
    .context("reading a size")?
    .ok_or(MenuError::NotFound("size"))?;
    Ok((row.label, row.price_cents))
}

/// A change of a size; `None` keeps the current value. A recipe replaces the whole recipe.
#[derive(Debug, Default)]
pub struct SizeChange<'a> {
    pub label: Option<&'a str>,
    pub price_cents: Option<i64>,
    pub recipe: Option<&'a [(Uuid, i64)]>,
}

pub(crate) async fn update_size(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    (product_id, size_id): (Uuid, Uuid),
    change: &SizeChange<'_>,
) -> Result<(), MenuError> {
    let (label, price_cents, recipe) = (change.label, change.price_cents, change.recipe);
    let (old_label, old_price) = size_of(conn, tenant_id, product_id, size_id).await?;
    if let Some(l) = label {
        name_ok("label", l)?;
    }
    let price = match price_cents {
        Some(p) => Some(
            i32::try_from(Cents::parse_price(p)?.0)
                .map_err(|_| InvalidInput::new("price_cents", "too large"))?,
        ),
        None => None,
    };
    sqlx::query!(
        "UPDATE product_sizes SET label = coalesce($3, label), price_cents = coalesce($4, price_cents) WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        size_id,
        label.map(str::trim),
        price
    )
    .execute(&mut *conn)
    .await
    .context("updating a size")?;
    if let Some(recipe) = recipe {
        set_size_recipe(conn, tenant_id, size_id, recipe).await?;
    }
    let details = json!({
        "before": { "label": old_label, "price_cents": old_price },
        "after": { "label": label.unwrap_or(&old_label), "price_cents": price.unwrap_or(old_price) },
        "recipe": recipe.map(|r| r.iter().map(|(i, q)| json!({ "ingredient_id": i, "quantity": q })).collect::<Vec<_>>()),
    });
    log(conn, tenant_id, actor, "size.update", size_id, details).await
}

pub(crate) async fn add_product_size(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    product_id: Uuid,
    size: &NewSize<'_>,
) -> Result<Uuid, MenuError> {
    let position = sqlx::query_scalar!(
        r#"SELECT count(*)::int AS "n!" FROM product_sizes WHERE tenant_id = $1 AND product_id = $2"#,
        tenant_id,
        product_id
    )
    .fetch_one(&mut *conn)
    .await
    .context("counting sizes")?;
    if position == 0 {
        return Err(MenuError::NotFound("product"));
    }
    name_ok("label", size.label)?;
    let id = add_size(conn, tenant_id, product_id, size, position).await?;
    log(
        conn,
        tenant_id,
        actor,
        "size.create",
        id,
        json!({ "code": size.code, "price_cents": size.price_cents }),
    )
    .await?;
    Ok(id)
}

/// Deletes a size; a product keeps at least one.
pub(crate) async fn delete_size(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    product_id: Uuid,
    size_id: Uuid,
) -> Result<(), MenuError> {
    size_of(conn, tenant_id, product_id, size_id).await?;
    let left = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM product_sizes WHERE tenant_id = $1 AND product_id = $2"#,
        tenant_id,
        product_id
    )
    .fetch_one(&mut *conn)
    .await
    .context("counting sizes")?;
    if left <= 1 {
        return Err(InvalidInput::new("sizes", "a product needs at least one size").into());
    }
    sqlx::query!(
        "DELETE FROM product_sizes WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        size_id
    )
    .execute(&mut *conn)
    .await
    .context("deleting a size")?;
    log(conn, tenant_id, actor, "size.delete", size_id, json!({})).await
}
