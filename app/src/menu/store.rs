//! SQL reads of a pizzeria's menu (run in a tenant transaction, but for [`state`]).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// What a pizzeria's public menu document depends on, read in one statement.
pub struct MenuState {
    pub tenant_id: Uuid,
    pub status: String,
    pub menu_version: i64,
    /// Quantity on hand per ingredient.
    pub on_hand: HashMap<Uuid, i64>,
}

/// The state of the pizzeria `slug`'s menu (SQL function `menu_state`, which sets the tenant of
/// its own statement); none when no pizzeria has that slug.
pub async fn state(pool: &PgPool, slug: &str) -> Result<Option<MenuState>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT tenant_id AS "tenant_id!", status AS "status!", menu_version AS "menu_version!",
                  ingredient_ids AS "ingredient_ids!", quantities AS "quantities!"
             FROM menu_state($1)"#,
        slug
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| MenuState {
        tenant_id: r.tenant_id,
        status: r.status,
        menu_version: r.menu_version,
        on_hand: r.ingredient_ids.into_iter().zip(r.quantities).collect(),
    }))
}

pub struct CategoryRow {
    pub id: Uuid,
    pub name: String,
    pub position: i32,
}

pub struct ProductRow {
    pub id: Uuid,
    pub category_id: Uuid,
    pub kind: String,
    pub name: String,
    pub description: String,
    pub allergens: Vec<String>,
    pub image_key: Option<String>,
    pub active: bool,
    pub position: i32,
    pub vat_class: String,
    pub sold_out: bool,
    pub sold_out_until: Option<DateTime<Utc>>,
    pub group_product_id: Option<Uuid>,
}

pub struct SizeRow {
    pub id: Uuid,
    pub product_id: Uuid,
    pub code: String,
    pub label: String,
    pub price_cents: i32,
    pub position: i32,
}

pub struct ExtraRow {
    pub id: Uuid,
    pub name: String,
    pub price_cents: i32,
    pub active: bool,
    pub position: i32,
}

pub struct RecipeRow {
    pub owner_id: Uuid,
    pub ingredient_id: Uuid,
    pub ingredient_name: String,
    pub unit: String,
    pub quantity: i64,
}

pub async fn categories(
    conn: &mut PgConnection,
    tenant_id: Uuid,
) -> Result<Vec<CategoryRow>, sqlx::Error> {
    sqlx::query_as!(
        CategoryRow,
        "SELECT id, name, position FROM categories WHERE tenant_id = $1 ORDER BY position, name",
        tenant_id
    )
    .fetch_all(conn)
    .await
}

pub async fn products(
    conn: &mut PgConnection,
    tenant_id: Uuid,
) -> Result<Vec<ProductRow>, sqlx::Error> {
    sqlx::query_as!(
        ProductRow,
        r#"SELECT id, category_id, kind, name, description, allergens, image_key, active, position,
                  vat_class, sold_out, sold_out_until, group_product_id
           FROM products WHERE tenant_id = $1 ORDER BY position, name"#,
        tenant_id
    )
    .fetch_all(conn)
    .await
}

pub async fn sizes(conn: &mut PgConnection, tenant_id: Uuid) -> Result<Vec<SizeRow>, sqlx::Error> {
    sqlx::query_as!(
        SizeRow,
        "SELECT id, product_id, code, label, price_cents, position FROM product_sizes WHERE tenant_id = $1 ORDER BY position, price_cents",
        tenant_id
    )
    .fetch_all(conn)
    .await
}

pub async fn extras(
    conn: &mut PgConnection,
    tenant_id: Uuid,
) -> Result<Vec<ExtraRow>, sqlx::Error> {
    sqlx::query_as!(ExtraRow, "SELECT id, name, price_cents, active, position FROM extras WHERE tenant_id = $1 ORDER BY position, name", tenant_id)
        .fetch_all(conn)
        .await
}

pub(crate) async fn size_recipes(
    conn: &mut PgConnection,
    tenant_id: Uuid,
) -> Result<Vec<RecipeRow>, sqlx::Error> {
    sqlx::query_as!(
        RecipeRow,
        r#"SELECT r.size_id AS owner_id, r.ingredient_id, i.name AS ingredient_name, i.unit, r.quantity
           FROM recipe_items r JOIN ingredients i ON i.tenant_id = r.tenant_id AND i.id = r.ingredient_id
           WHERE r.tenant_id = $1 ORDER BY r.quantity DESC, i.name"#,
        tenant_id
    )
    .fetch_all(conn)
    .await
}

pub(crate) async fn extra_recipes(
    conn: &mut PgConnection,
    tenant_id: Uuid,
) -> Result<Vec<RecipeRow>, sqlx::Error> {
    sqlx::query_as!(
        RecipeRow,
        r#"SELECT r.extra_id AS owner_id, r.ingredient_id, i.name AS ingredient_name, i.unit, r.quantity
           FROM extra_recipe_items r JOIN ingredients i ON i.tenant_id = r.tenant_id AND i.id = r.ingredient_id
           WHERE r.tenant_id = $1 ORDER BY r.quantity DESC, i.name"#,
        tenant_id
    )
    .fetch_all(conn)
    .await
}
