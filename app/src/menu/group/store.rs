//! `group_products` rows. Every write is pushed to every pizzeria in the same transaction and
//! recorded in the platform audit log with the product before and after.

use anyhow::Context;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::push::{PushReport, push_everywhere};
use super::{GroupError, GroupProduct, GroupProductInput};
use crate::audit;

struct Row {
    id: Uuid,
    category: String,
    kind: String,
    name: String,
    description: String,
    allergens: Vec<String>,
    vat_class: String,
    sizes: serde_json::Value,
    updated_at: chrono::DateTime<chrono::Utc>,
}

impl TryFrom<Row> for GroupProduct {
    type Error = GroupError;

    fn try_from(r: Row) -> Result<Self, GroupError> {
        let sizes =
            serde_json::from_value(r.sizes).context("reading the sizes of a group product")?;
        Ok(GroupProduct {
            id: r.id,
            product: GroupProductInput {
                category: r.category,
                kind: r.kind,
                name: r.name,
                description: r.description,
                allergens: r.allergens,
                vat_class: r.vat_class,
                sizes,
            },
            updated_at: r.updated_at,
        })
    }
}

fn snapshot(p: &GroupProductInput) -> serde_json::Value {
    json!({
        "category": p.category, "kind": p.kind, "name": p.name, "description": p.description,
        "allergens": p.allergens, "vat_class": p.vat_class, "sizes": p.sizes,
    })
}

pub async fn list(conn: &mut PgConnection) -> Result<Vec<GroupProduct>, GroupError> {
    let rows = sqlx::query_as!(
        Row,
        "SELECT id, category, kind, name, description, allergens, vat_class, sizes, updated_at
         FROM group_products ORDER BY category, name"
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(GroupProduct::try_from).collect()
}

pub async fn get(conn: &mut PgConnection, id: Uuid) -> Result<GroupProduct, GroupError> {
    sqlx::query_as!(
        Row,
        "SELECT id, category, kind, name, description, allergens, vat_class, sizes, updated_at
         FROM group_products WHERE id = $1",
        id
    )
    .fetch_optional(conn)
    .await?
    .ok_or(GroupError::NotFound)?
    .try_into()
}

fn write_error(name: &str, e: sqlx::Error) -> GroupError {
    if e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
    {
        GroupError::Duplicate(name.to_string())
    } else {
        e.into()
    }
}

/// Defines a group product and pushes it to every pizzeria.
pub async fn create(
    conn: &mut PgConnection,
    actor: Uuid,
    input: GroupProductInput,
) -> Result<(GroupProduct, PushReport), GroupError> {
    let p = input.parse()?;
    let sizes = serde_json::to_value(&p.sizes).context("writing sizes")?;
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO group_products (id, category, kind, name, description, allergens, vat_class, sizes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        id,
        p.category,
        p.kind,
        p.name,
        p.description,
        &p.allergens,
        p.vat_class,
        sizes
    )
    .execute(&mut *conn)
    .await
    .map_err(|e| write_error(&p.name, e))?;
    audit::platform(
        &mut *conn,
        Some(actor),
        "group_product.create",
        &id.to_string(),
        json!({ "after": snapshot(&p) }),
    )
    .await?;
    let product = get(conn, id).await?;
    let report = push_everywhere(conn, actor, &product).await?;
    Ok((product, report))
}

/// Replaces a group product and pushes it again: every pizzeria keeps its prices and whether it
/// shows the product.
pub async fn replace(
    conn: &mut PgConnection,
    actor: Uuid,
    id: Uuid,
    input: GroupProductInput,
) -> Result<(GroupProduct, PushReport), GroupError> {
    let p = input.parse()?;
    let before = get(conn, id).await?;
    let sizes = serde_json::to_value(&p.sizes).context("writing sizes")?;
    sqlx::query!(
        "UPDATE group_products SET category = $2, kind = $3, name = $4, description = $5,
             allergens = $6, vat_class = $7, sizes = $8, updated_at = now()
         WHERE id = $1",
        id,
        p.category,
        p.kind,
        p.name,
        p.description,
        &p.allergens,
        p.vat_class,
        sizes
    )
    .execute(&mut *conn)
    .await
    .map_err(|e| write_error(&p.name, e))?;
    let details = json!({ "before": snapshot(&before.product), "after": snapshot(&p) });
    audit::platform(
        &mut *conn,
        Some(actor),
        "group_product.update",
        &id.to_string(),
        details,
    )
    .await?;
    let product = get(conn, id).await?;
    let report = push_everywhere(conn, actor, &product).await?;
    Ok((product, report))
}

/// Removes a group product: the pizzerias' copies are hidden and become their own products
/// (past orders keep their lines). Returns how many copies were hidden.
pub async fn delete(conn: &mut PgConnection, actor: Uuid, id: Uuid) -> Result<u64, GroupError> {
    let before = get(conn, id).await?;
    let hidden = sqlx::query!(
        "UPDATE products SET active = false WHERE group_product_id = $1",
        id
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    sqlx::query!("DELETE FROM group_products WHERE id = $1", id)
        .execute(&mut *conn)
        .await?;
    let details = json!({ "before": snapshot(&before.product), "hidden_copies": hidden });
    audit::platform(
        &mut *conn,
        Some(actor),
        "group_product.delete",
        &id.to_string(),
        details,
    )
    .await?;
    Ok(hidden)
}
