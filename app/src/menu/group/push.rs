//! Pushing a group product into one pizzeria's menu, on the owner connection (tenant explicit in
//! every statement). The pizzeria's copy is found by `group_product_id`, or adopted when the
//! pizzeria already sells a product of that name; its prices and visibility are kept, new sizes
//! start at the group's price, sizes the group dropped are removed, recipes are the group's.

use std::collections::HashMap;

use anyhow::Context;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{GroupError, GroupProduct, list};
use crate::audit;
use crate::menu::MenuError;
use crate::menu::write::{ensure_category, set_size_recipe};

/// How far a push went.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PushReport {
    pub pizzerias: u32,
    /// Pizzerias that got the product for the first time.
    pub created: u32,
}

impl From<MenuError> for GroupError {
    fn from(err: MenuError) -> Self {
        match err {
            MenuError::Invalid(e) => GroupError::Invalid(e),
            other => GroupError::Unexpected(anyhow::Error::new(other).context("pushing to a menu")),
        }
    }
}

/// Pushes one group product to every pizzeria that is not being offboarded.
pub(super) async fn push_everywhere(
    conn: &mut PgConnection,
    actor: Uuid,
    product: &GroupProduct,
) -> Result<PushReport, GroupError> {
    let tenants =
        sqlx::query!("SELECT id, slug FROM tenants WHERE status <> 'offboarding' ORDER BY slug")
            .fetch_all(&mut *conn)
            .await?;
    let mut report = PushReport::default();
    for t in tenants {
        report.pizzerias += 1;
        if push_one(conn, (t.id, &t.slug), Some(actor), product).await? {
            report.created += 1;
        }
    }
    tracing::info!(product = %product.product.name, pizzerias = report.pizzerias, created = report.created, "group product pushed");
    Ok(report)
}

/// Gives a new pizzeria the whole group menu. Returns how many products it got.
pub(crate) async fn push_all_to_tenant(
    conn: &mut PgConnection,
    (tenant_id, slug): (Uuid, &str),
    actor: Option<Uuid>,
) -> Result<u32, GroupError> {
    let products = list(conn).await?;
    let mut n = 0;
    for p in &products {
        push_one(conn, (tenant_id, slug), actor, p).await?;
        n += 1;
    }
    Ok(n)
}

async fn ingredient_ids(
    conn: &mut PgConnection,
    (tenant_id, slug): (Uuid, &str),
    product: &GroupProduct,
) -> Result<HashMap<String, Uuid>, GroupError> {
    let mut ids = HashMap::new();
    for (name, unit) in product.product.ingredients() {
        let found = sqlx::query!(
            "SELECT id, unit FROM ingredients WHERE tenant_id = $1 AND lower(name) = lower($2) AND archived_at IS NULL",
            tenant_id,
            name
        )
        .fetch_optional(&mut *conn)
        .await?;
        let id = match found {
            Some(row) if row.unit != unit => {
                return Err(GroupError::Conflict(format!(
                    "pizzeria {slug} counts {name} in {}, the group recipe in {unit}",
                    row.unit
                )));
            }
            Some(row) => row.id,
            None => {
                let id = Uuid::now_v7();
                sqlx::query!(
                    "INSERT INTO ingredients (tenant_id, id, name, unit) VALUES ($1, $2, $3, $4)",
                    tenant_id,
                    id,
                    name,
                    unit
                )
                .execute(&mut *conn)
                .await?;
                id
            }
        };
        ids.insert(name.to_lowercase(), id);
    }
    Ok(ids)
}

fn product_error(slug: &str, product: &GroupProduct, e: sqlx::Error) -> GroupError {
    let p = &product.product;
    match e.as_database_error() {
        Some(d) if d.is_unique_violation() => GroupError::Conflict(format!(
            "pizzeria {slug} already sells another product named {:?}",
            p.name
        )),
        Some(d) if d.is_foreign_key_violation() => GroupError::Conflict(format!(
            "pizzeria {slug} has no VAT class {:?}",
            p.vat_class
        )),
        _ => e.into(),
    }
}

/// The pizzeria's copy of the product, inserted or updated; `true` when inserted.
async fn upsert_product(
    conn: &mut PgConnection,
    (tenant_id, slug): (Uuid, &str),
    category_id: Uuid,
    product: &GroupProduct,
) -> Result<(Uuid, bool), GroupError> {
    let p = &product.product;
    let existing = sqlx::query_scalar!(
        "SELECT id FROM products
         WHERE tenant_id = $1 AND (group_product_id = $2 OR (group_product_id IS NULL AND lower(name) = lower($3)))
         ORDER BY group_product_id IS NULL LIMIT 1",
        tenant_id,
        product.id,
        p.name
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = existing {
        sqlx::query!(
            "UPDATE products SET group_product_id = $3, category_id = $4, kind = $5, name = $6,
                 description = $7, allergens = $8, vat_class = $9
             WHERE tenant_id = $1 AND id = $2",
            tenant_id,
            id,
            product.id,
            category_id,
            p.kind,
            p.name,
            p.description,
            &p.allergens,
            p.vat_class
        )
        .execute(&mut *conn)
        .await
        .map_err(|e| product_error(slug, product, e))?;
        return Ok((id, false));
    }
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO products (tenant_id, id, category_id, kind, name, description, allergens, vat_class, position, group_product_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
                 (SELECT coalesce(max(position) + 1, 0) FROM products WHERE tenant_id = $1), $9)",
        tenant_id,
        id,
        category_id,
        p.kind,
        p.name,
        p.description,
        &p.allergens,
        p.vat_class,
        product.id
    )
    .execute(&mut *conn)
    .await
    .map_err(|e| product_error(slug, product, e))?;
    Ok((id, true))
}

async fn push_one(
    conn: &mut PgConnection,
    tenant: (Uuid, &str),
    actor: Option<Uuid>,
    product: &GroupProduct,
) -> Result<bool, GroupError> {
    let tenant_id = tenant.0;
    let category_id = ensure_category(conn, tenant_id, &product.product.category, 100).await?;
    let ingredients = ingredient_ids(conn, tenant, product).await?;
    let (product_id, created) = upsert_product(conn, tenant, category_id, product).await?;
    let mut codes = Vec::new();
    for (position, size) in (0..).zip(&product.product.sizes) {
        let price = i32::try_from(size.price_cents).context("a price out of range")?;
        let size_id = sqlx::query_scalar!(
            "INSERT INTO product_sizes (tenant_id, id, product_id, code, label, price_cents, position)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (tenant_id, product_id, code)
             DO UPDATE SET label = EXCLUDED.label, position = EXCLUDED.position
             RETURNING id",
            tenant_id,
            Uuid::now_v7(),
            product_id,
            size.code,
            size.label,
            price,
            position
        )
        .fetch_one(&mut *conn)
        .await?;
        let recipe: Vec<(Uuid, i64)> = size
            .recipe
            .iter()
            .map(|item| (ingredients[&item.ingredient.to_lowercase()], item.quantity))
            .collect();
        set_size_recipe(conn, tenant_id, size_id, &recipe).await?;
        codes.push(size.code.clone());
    }
    sqlx::query!(
        "DELETE FROM product_sizes WHERE tenant_id = $1 AND product_id = $2 AND code <> ALL($3)",
        tenant_id,
        product_id,
        &codes
    )
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        tenant_id,
        actor,
        "group_product.push",
        &product_id.to_string(),
        json!({ "group_product_id": product.id, "created": created }),
    )
    .await
    .context("auditing a push")?;
    Ok(created)
}
