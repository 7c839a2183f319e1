//! Editing the menu from the admin API: categories, products, sizes and prices, recipes,
//! extras, images. Each function takes the tenant, runs in the caller's tenant transaction and
//! writes the pizzeria's audit log. A recipe can only name the pizzeria's own ingredients (the
//! foreign keys include the tenant).

use anyhow::Context;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::MenuError;
use super::admin::{
    KINDS, NewSize, add_size, foreign_key_violation, name_ok, set_extra_recipe, unique_violation,
};
use crate::domain::{Cents, InvalidInput};
use crate::tenancy::audit;

async fn log(
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

fn db_error(what: &'static str, name: &str, e: sqlx::Error) -> MenuError {
    if unique_violation(&e) {
        MenuError::Duplicate(format!("{what} {name:?}"))
    } else if foreign_key_violation(&e) {
        MenuError::InUse(what)
    } else {
        anyhow::Error::new(e).context("writing the menu").into()
    }
}

pub async fn create_category(
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

pub async fn update_category(
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
pub async fn delete_category(
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

pub async fn update_product(
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
pub async fn delete_product(
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

pub async fn update_size(
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
        sqlx::query!(
            "DELETE FROM recipe_items WHERE tenant_id = $1 AND size_id = $2",
            tenant_id,
            size_id
        )
        .execute(&mut *conn)
        .await
        .context("clearing a recipe")?;
        for (ingredient_id, quantity) in recipe {
            if *quantity <= 0 {
                return Err(InvalidInput::new("recipe", "quantities must be positive").into());
            }
            sqlx::query!(
                "INSERT INTO recipe_items (tenant_id, size_id, ingredient_id, quantity) VALUES ($1, $2, $3, $4)",
                tenant_id,
                size_id,
                ingredient_id,
                quantity
            )
            .execute(&mut *conn)
            .await
            .map_err(|e| -> MenuError {
                if foreign_key_violation(&e) {
                    InvalidInput::new("recipe", "unknown ingredient").into()
                } else if unique_violation(&e) {
                    InvalidInput::new("recipe", "an ingredient is listed twice").into()
                } else {
                    anyhow::Error::new(e).context("inserting a recipe item").into()
                }
            })?;
        }
    }
    let details = json!({
        "before": { "label": old_label, "price_cents": old_price },
        "after": { "label": label.unwrap_or(&old_label), "price_cents": price.unwrap_or(old_price) },
        "recipe": recipe.map(|r| r.iter().map(|(i, q)| json!({ "ingredient_id": i, "quantity": q })).collect::<Vec<_>>()),
    });
    log(conn, tenant_id, actor, "size.update", size_id, details).await
}

pub async fn add_product_size(
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
pub async fn delete_size(
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

/// A change of an extra; `None` keeps the current value.
#[derive(Debug, Default)]
pub struct ExtraChange<'a> {
    pub name: Option<&'a str>,
    pub price_cents: Option<i64>,
    pub active: Option<bool>,
    pub recipe: Option<&'a [(Uuid, i64)]>,
}

pub async fn update_extra(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    id: Uuid,
    change: &ExtraChange<'_>,
) -> Result<(), MenuError> {
    let (name, price_cents, active, recipe) = (
        change.name,
        change.price_cents,
        change.active,
        change.recipe,
    );
    if let Some(n) = name {
        name_ok("name", n)?;
    }
    let price = match price_cents {
        Some(p) => Some(
            i32::try_from(p)
                .ok()
                .filter(|p| (0..=10_000).contains(p))
                .ok_or_else(|| InvalidInput::new("price_cents", "must be between 0 and 10000"))?,
        ),
        None => None,
    };
    let done = sqlx::query!(
        "UPDATE extras SET name = coalesce($3, name), price_cents = coalesce($4, price_cents), active = coalesce($5, active) WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        id,
        name.map(str::trim),
        price,
        active
    )
    .execute(&mut *conn)
    .await
    .map_err(|e| db_error("extra", name.unwrap_or_default(), e))?;
    if done.rows_affected() == 0 {
        return Err(MenuError::NotFound("extra"));
    }
    if let Some(r) = recipe {
        set_extra_recipe(conn, tenant_id, id, r).await?;
    }
    log(
        conn,
        tenant_id,
        actor,
        "extra.update",
        id,
        json!({ "name": name, "price_cents": price, "active": active }),
    )
    .await
}

pub async fn delete_extra(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    id: Uuid,
) -> Result<(), MenuError> {
    let done = sqlx::query!(
        "DELETE FROM extras WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        id
    )
    .execute(&mut *conn)
    .await
    .map_err(|e| db_error("extra", "", e))?;
    if done.rows_affected() == 0 {
        return Err(MenuError::NotFound("extra"));
    }
    log(conn, tenant_id, actor, "extra.delete", id, json!({})).await
}

pub async fn product_exists(
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
pub async fn set_image(
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

pub fn check_kind(kind: &str) -> Result<(), InvalidInput> {
    if KINDS.contains(&kind) {
        Ok(())
    } else {
        Err(InvalidInput::new("kind", "must be pizza, drink or dessert"))
    }
}
