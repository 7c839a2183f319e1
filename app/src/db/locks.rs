//! The one lock order of every transaction that touches orders and stock (docs/DESIGN.md,
//! "Lock order"). Each function that takes one of these locks takes the transaction's [`Held`]
//! and steps it forward first; asking for a lock that comes before one already held is refused
//! before PostgreSQL is asked, so a path that would deadlock fails its first test instead.
//! Writing a stock movement (whose trigger updates the ingredient row) needs that ingredient
//! among the locked ones.

use std::collections::BTreeSet;

use uuid::Uuid;

/// The locks, in the order a transaction takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lock {
    /// The `Idempotency-Key` row (inserted first).
    IdempotencyKey,
    /// The advisory lock on (pizzeria, slot start).
    Slot,
    /// The order's row.
    Order,
    /// The ingredient rows whose quantity changes, all at once in id order.
    Ingredients,
    /// The day's counter row (placement).
    DayCounter,
    /// The pizzeria's events lock, just before the event row: always the last.
    Events,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("database")]
    Database(#[from] sqlx::Error),
    #[error("lock order broken: {wanted:?} asked for while holding {held:?}")]
    OutOfOrder { held: Lock, wanted: Lock },
    #[error("ingredient {0} changed without being locked first")]
    NotLocked(Uuid),
}

/// What one transaction holds so far. Make one per transaction (and per attempt).
#[derive(Debug, Default)]
pub struct Held {
    last: Option<Lock>,
    ingredients: BTreeSet<Uuid>,
}

impl Held {
    /// Steps to `wanted`, which must come after every lock held.
    pub(crate) fn take(&mut self, wanted: Lock) -> Result<(), LockError> {
        match self.last {
            Some(held) if held >= wanted => Err(LockError::OutOfOrder { held, wanted }),
            _ => {
                self.last = Some(wanted);
                Ok(())
            }
        }
    }

    /// Steps to [`Lock::Ingredients`] for these ingredients, returned sorted (the order to lock
    /// them in).
    pub(crate) fn take_ingredients(&mut self, ids: &[Uuid]) -> Result<Vec<Uuid>, LockError> {
        self.take(Lock::Ingredients)?;
        self.ingredients.extend(ids.iter().copied());
        Ok(self.ingredients.iter().copied().collect())
    }

    /// Fails unless `ingredient` was locked by this transaction.
    pub(crate) fn check_ingredient(&self, ingredient: Uuid) -> Result<(), LockError> {
        if self.ingredients.contains(&ingredient) {
            Ok(())
        } else {
            Err(LockError::NotLocked(ingredient))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_are_taken_forward_only() {
        let mut held = Held::default();
        held.take(Lock::Order).unwrap();
        let ids = held.take_ingredients(&[Uuid::max(), Uuid::nil()]).unwrap();
        assert_eq!(ids, [Uuid::nil(), Uuid::max()], "in id order");
        held.take(Lock::Events).unwrap();
        assert!(matches!(
            held.take(Lock::Ingredients),
            Err(LockError::OutOfOrder {
                held: Lock::Events,
                wanted: Lock::Ingredients
            })
        ));
    }

    #[test]
    fn a_lock_is_taken_once() {
        let mut held = Held::default();
        held.take_ingredients(&[Uuid::nil()]).unwrap();
        assert!(held.take_ingredients(&[Uuid::max()]).is_err());
    }

    #[test]
    fn a_movement_needs_its_ingredient_locked() {
        let mut held = Held::default();
        let a = Uuid::now_v7();
        assert!(held.check_ingredient(a).is_err());
        held.take_ingredients(&[a]).unwrap();
        held.check_ingredient(a).unwrap();
        assert!(held.check_ingredient(Uuid::now_v7()).is_err());
    }
}
