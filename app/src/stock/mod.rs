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
    let sent = raw.chars().count();
    let note = raw.trim();
    if required && note.is_empty() {
        return Err(InvalidInput::new(
            "note",
            "say why (e.g. dropped, out of date)",
        ));
    }
    if sent > 280 {
        return Err(InvalidInput::new(
            "note",
            "must have at most 280 characters",
        ));
    }
    Ok(note)
}

/// A movement recorded by hand, with what it was given (not yet checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Goods received.
    Restock(i64),
    /// Thrown away (dropped, out of date…): the reason is required.
    Waste(i64),
    /// A count of what is really there: sets the quantity and records the difference.
    Inventory(i64),
}

impl Operation {
    /// The ledger's `reason` of the movement.
    fn reason(self) -> &'static str {
        match self {
            Self::Restock(_) => "restock",
            Self::Waste(_) => "waste",
            Self::Inventory(_) => "inventory",
        }
    }

    /// Checks the quantity and the note before anything is locked.
    fn check(self, raw_note: &str) -> Result<(Self, &str), InvalidInput> {
        Ok(match self {
            Self::Restock(q) => (
                Self::Restock(quantity("quantity", q, false)?),
                note(raw_note, false)?,
            ),
            Self::Waste(q) => (
                Self::Waste(quantity("quantity", q, false)?),
                note(raw_note, true)?,
            ),
            Self::Inventory(q) => (
                Self::Inventory(quantity("counted", q, true)?),
                note(raw_note, false)?,
            ),
        })
    }

    /// The movement it makes on `ingredient` as it stands: waste cannot take more than is there.
    fn delta(self, ingredient: &IngredientRow) -> Result<i64, StockError> {
        match self {
            Self::Restock(q) => Ok(q),
            Self::Waste(q) if q > ingredient.quantity_on_hand => Err(StockError::Insufficient {
                name: ingredient.name.clone(),
                unit: ingredient.unit.clone(),
                on_hand: ingredient.quantity_on_hand,
            }),
            Self::Waste(q) => Ok(-q),
            Self::Inventory(counted) => Ok(counted - ingredient.quantity_on_hand),
        }
    }
}

/// Records `op` on an ingredient by `actor`, under the ingredient's lock, in the caller's tenant
/// transaction.
pub async fn operate(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    ingredient_id: Uuid,
    actor: Uuid,
    op: Operation,
    raw_note: &str,
) -> Result<Applied, StockError> {
    let (op, note) = op.check(raw_note)?;
    let mut held = Held::default();
    let mut ingredient = store::lock(conn, &mut held, tenant_id, ingredient_id)
        .await
        .context("locking an ingredient")?
        .ok_or(StockError::UnknownIngredient)?;
    let delta = op.delta(&ingredient)?;
    if delta == 0 {
        return Ok(Applied {
            ingredient,
            delta: None,
        });
    }
    let movement = store::NewMovement {
        ingredient_id,
        delta,
        reason: op.reason(),
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

    fn mozzarella(on_hand: i64) -> IngredientRow {
        IngredientRow {
            id: Uuid::nil(),
            name: "mozzarella".into(),
            unit: "g".into(),
            quantity_on_hand: on_hand,
            alert_threshold: 0,
        }
    }

    #[test]
    fn each_operation_moves_what_it_says() {
        let on_hand = mozzarella(500);
        assert_eq!(Operation::Restock(200).delta(&on_hand).unwrap(), 200);
        assert_eq!(Operation::Waste(200).delta(&on_hand).unwrap(), -200);
        assert_eq!(Operation::Inventory(450).delta(&on_hand).unwrap(), -50);
        assert_eq!(Operation::Inventory(500).delta(&on_hand).unwrap(), 0);
        assert!(matches!(
            Operation::Waste(501).delta(&on_hand),
            Err(StockError::Insufficient { on_hand: 500, .. })
        ));
    }

    #[test]
    fn waste_needs_a_reason_and_counts_may_be_zero() {
        assert!(Operation::Waste(1).check("  ").is_err());
        assert!(Operation::Restock(1).check("").is_ok());
        assert!(Operation::Restock(0).check("").is_err());
        assert_eq!(
            Operation::Inventory(0).check(" recount ").unwrap().1,
            "recount"
        );
    }
}
