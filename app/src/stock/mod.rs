//! Ingredient stock: every change is a movement in an append-only ledger (who, why, when);
//! the quantity on hand is the sum of the movements and never goes below zero.

pub mod alerts;
pub mod ingredients;
pub mod store;

use anyhow::Context;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::locks::Held;
use crate::domain::InvalidInput;

pub use store::{IngredientRow, MovementRow};

#[derive(Debug, thiserror::Error)]
pub enum StockError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    #[error("no such ingredient")]
    UnknownIngredient,
    #[error("only {on_hand} {unit} of {name} on hand")]
    Insufficient {
        name: String,
        unit: String,
        on_hand: i64,
    },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// The largest quantity one operation may move (10 t or 10 000 l or pieces): catches typos.
pub const MAX_QUANTITY: i64 = 10_000_000;

/// What a manual stock operation did.
pub struct Applied {
    pub ingredient: IngredientRow,
    /// The recorded movement's delta, `None` when nothing changed (inventory equal to stock).
    pub delta: Option<i64>,
}

fn quantity(field: &'static str, q: i64, allow_zero: bool) -> Result<i64, InvalidInput> {
    let min = i64::from(!allow_zero);
    if q < min || q > MAX_QUANTITY {
        return Err(InvalidInput::new(
            field,
            format!("must be between {min} and {MAX_QUANTITY}"),
        ));
    }
    Ok(q)
}

fn note(raw: &str, required: bool) -> Result<&str, InvalidInput> {
    let note = raw.trim();
    if required && note.is_empty() {
        return Err(InvalidInput::new(
            "note",
            "say why (e.g. dropped, out of date)",
        ));
    }
    if note.chars().count() > 280 {
        return Err(InvalidInput::new(
            "note",
            "must have at most 280 characters",
        ));
    }
    Ok(note)
}

async fn apply(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    ingredient_id: Uuid,
    actor: Uuid,
    reason: &str,
    note: &str,
    delta_from: impl FnOnce(&IngredientRow) -> Result<i64, StockError>,
) -> Result<Applied, StockError> {
    let mut held = Held::default();
    let mut ingredient = store::lock(conn, &mut held, tenant_id, ingredient_id)
        .await
        .context("locking an ingredient")?
        .ok_or(StockError::UnknownIngredient)?;
    let delta = delta_from(&ingredient)?;
    if delta == 0 {
        return Ok(Applied {
            ingredient,
            delta: None,
        });
    }
    let movement = store::NewMovement {
        ingredient_id,
        delta,
        reason,
        actor: Some(actor),
        order_id: None,
        note,
    };
    store::insert_movement(conn, &held, tenant_id, &movement)
        .await
        .context("recording a stock movement")?;
    ingredient.quantity_on_hand += delta;
    Ok(Applied {
        ingredient,
        delta: Some(delta),
    })
}

/// Goods received.
pub async fn restock(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    ingredient_id: Uuid,
    actor: Uuid,
    qty: i64,
    note_: &str,
) -> Result<Applied, StockError> {
    let qty = quantity("quantity", qty, false)?;
    let note_ = note(note_, false)?;
    apply(
        conn,
        tenant_id,
        ingredient_id,
        actor,
        "restock",
        note_,
        |_| Ok(qty),
    )
    .await
}

/// Thrown away (dropped, out of date…): the reason is required.
pub async fn waste(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    ingredient_id: Uuid,
    actor: Uuid,
    qty: i64,
    note_: &str,
) -> Result<Applied, StockError> {
    let qty = quantity("quantity", qty, false)?;
    let note_ = note(note_, true)?;
    apply(conn, tenant_id, ingredient_id, actor, "waste", note_, |i| {
        if qty > i.quantity_on_hand {
            return Err(StockError::Insufficient {
                name: i.name.clone(),
                unit: i.unit.clone(),
                on_hand: i.quantity_on_hand,
            });
        }
        Ok(-qty)
    })
    .await
}

/// A count of what is really there: sets the quantity and records the difference.
pub async fn inventory(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    ingredient_id: Uuid,
    actor: Uuid,
    counted: i64,
    note_: &str,
) -> Result<Applied, StockError> {
    let counted = quantity("counted", counted, true)?;
    let note_ = note(note_, false)?;
    apply(
        conn,
        tenant_id,
        ingredient_id,
        actor,
        "inventory",
        note_,
        |i| Ok(counted - i.quantity_on_hand),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_and_notes_are_checked() {
        assert!(quantity("quantity", 0, false).is_err());
        assert!(quantity("counted", 0, true).is_ok());
        assert!(quantity("quantity", MAX_QUANTITY + 1, false).is_err());
        assert!(quantity("quantity", -5, true).is_err());
        assert!(note("  ", true).is_err());
        assert_eq!(note(" dropped ", true).unwrap(), "dropped");
        assert!(note(&"x".repeat(281), false).is_err());
    }
}
