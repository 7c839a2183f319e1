//! SQL of ingredients and the stock ledger (run in a tenant transaction).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::locks::{Held, LockError};

pub struct IngredientRow {
    pub id: Uuid,
    pub name: String,
    pub unit: String,
    pub quantity_on_hand: i64,
    pub alert_threshold: i64,
}

pub struct MovementRow {
    pub id: i64,
    pub delta: i64,
    pub reason: String,
    pub actor_user_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub order_id: Option<Uuid>,
    pub note: String,
    pub at: DateTime<Utc>,
}

pub async fn list(
    conn: &mut PgConnection,
    tenant_id: Uuid,
) -> Result<Vec<IngredientRow>, sqlx::Error> {
    sqlx::query_as!(
        IngredientRow,
        "SELECT id, name, unit, quantity_on_hand, alert_threshold FROM ingredients WHERE tenant_id = $1 AND archived_at IS NULL ORDER BY name",
        tenant_id
    )
    .fetch_all(conn)
    .await
}

/// Whether the pizzeria has (or had: archived) this ingredient.
pub async fn exists(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT FROM ingredients WHERE tenant_id = $1 AND id = $2) AS "exists!""#,
        tenant_id,
        id
    )
    .fetch_one(conn)
    .await
}

/// Quantity on hand of every ingredient.
pub async fn on_hand(
    conn: &mut PgConnection,
    tenant_id: Uuid,
) -> Result<HashMap<Uuid, i64>, sqlx::Error> {
    let rows = sqlx::query!(
        "SELECT id, quantity_on_hand FROM ingredients WHERE tenant_id = $1",
        tenant_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.id, r.quantity_on_hand))
        .collect())
}

/// The ingredient, locked until the transaction ends (concurrent changes wait).
pub async fn lock(
    conn: &mut PgConnection,
    held: &mut Held,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<Option<IngredientRow>, LockError> {
    held.take_ingredients(&[id])?;
    Ok(sqlx::query_as!(
        IngredientRow,
        "SELECT id, name, unit, quantity_on_hand, alert_threshold FROM ingredients WHERE tenant_id = $1 AND id = $2 AND archived_at IS NULL FOR NO KEY UPDATE",
        tenant_id,
        id
    )
    .fetch_optional(conn)
    .await?)
}

/// Locks the given ingredients in id order (the one order every transaction uses, so
/// concurrent orders never deadlock) and returns their quantities on hand.
pub async fn lock_many(
    conn: &mut PgConnection,
    held: &mut Held,
    tenant_id: Uuid,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, i64>, LockError> {
    let sorted = held.take_ingredients(ids)?;
    let rows = sqlx::query!(
        "SELECT id, quantity_on_hand FROM ingredients WHERE tenant_id = $1 AND id = ANY($2) ORDER BY id FOR NO KEY UPDATE",
        tenant_id,
        &sorted
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.id, r.quantity_on_hand))
        .collect())
}

pub struct NewMovement<'a> {
    pub ingredient_id: Uuid,
    pub delta: i64,
    pub reason: &'a str,
    pub actor: Option<Uuid>,
    pub order_id: Option<Uuid>,
    pub note: &'a str,
}

/// Appends a movement; the database moves the quantity on hand by `delta` in the same
/// statement and refuses to go below zero (SQLSTATE 23514).
/// The ingredient must be locked by this transaction (docs/DESIGN.md, "Lock order").
pub async fn insert_movement(
    conn: &mut PgConnection,
    held: &Held,
    tenant_id: Uuid,
    m: &NewMovement<'_>,
) -> Result<i64, LockError> {
    held.check_ingredient(m.ingredient_id)?;
    Ok(sqlx::query_scalar!(
        r#"INSERT INTO stock_movements (tenant_id, ingredient_id, delta, reason, actor_user_id, order_id, note)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"#,
        tenant_id,
        m.ingredient_id,
        m.delta,
        m.reason,
        m.actor,
        m.order_id,
        m.note
    )
    .fetch_one(conn)
    .await?)
}

/// Movements of one ingredient, newest first, before movement `before` if given.
pub async fn movements(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    ingredient_id: Uuid,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<MovementRow>, sqlx::Error> {
    sqlx::query_as!(
        MovementRow,
        r#"SELECT m.id AS "id!", m.delta AS "delta!", m.reason AS "reason!", m.actor_user_id AS "actor_user_id?",
                  (SELECT u.name FROM users u WHERE u.id = m.actor_user_id) AS "actor_name?", m.order_id AS "order_id?", m.note AS "note!", m.at AS "at!"
           FROM stock_movements m
           WHERE m.tenant_id = $1 AND m.ingredient_id = $2 AND ($3::bigint IS NULL OR m.id < $3)
           ORDER BY m.id DESC LIMIT $4"#,
        tenant_id,
        ingredient_id,
        before,
        limit
    )
    .fetch_all(conn)
    .await
}
