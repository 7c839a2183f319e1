//! Extras a customer may add: name, price, recipe, whether they are offered.

use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{db_error, log};
use crate::domain::InvalidInput;
use crate::menu::MenuError;
use crate::menu::write::{name_ok, set_extra_recipe};

/// A change of an extra; `None` keeps the current value.
#[derive(Debug, Default)]
pub struct ExtraChange<'a> {
    pub name: Option<&'a str>,
    pub price_cents: Option<i64>,
    pub active: Option<bool>,
    pub recipe: Option<&'a [(Uuid, i64)]>,
}

pub(crate) async fn update_extra(
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

pub(crate) async fn delete_extra(
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
