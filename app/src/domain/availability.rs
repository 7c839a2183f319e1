//! How many portions current stock allows. Pure: recipe needs and quantities on hand in.

use std::collections::HashMap;

use uuid::Uuid;

/// Quantity of each ingredient one portion needs (a size's recipe plus chosen extras).
pub type Needs = Vec<(Uuid, i64)>;

/// Adds `more` to `needs`, summing quantities of the same ingredient.
pub(crate) fn combine(needs: &[(Uuid, i64)], more: &[(Uuid, i64)]) -> Needs {
    let mut total: Vec<(Uuid, i64)> = needs.to_vec();
    for (id, qty) in more {
        match total.iter_mut().find(|(i, _)| i == id) {
            Some((_, q)) => *q += qty,
            None => total.push((*id, *qty)),
        }
    }
    total
}

/// Whole portions the stock allows; `None` when nothing is tracked (no recipe: unlimited).
pub fn portions(needs: &[(Uuid, i64)], on_hand: &HashMap<Uuid, i64>) -> Option<i64> {
    needs
        .iter()
        .filter(|(_, qty)| *qty > 0)
        .map(|(id, qty)| on_hand.get(id).copied().unwrap_or(0).max(0) / qty)
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scarcest_ingredient_decides() {
        let (mozza, tomato) = (Uuid::new_v4(), Uuid::new_v4());
        let stock = HashMap::from([(mozza, 500), (tomato, 10_000)]);
        assert_eq!(portions(&[(mozza, 200), (tomato, 80)], &stock), Some(2));
        assert_eq!(portions(&[(mozza, 500)], &stock), Some(1));
        assert_eq!(portions(&[(mozza, 501)], &stock), Some(0));
    }

    #[test]
    fn extras_count_with_the_recipe() {
        let (mozza, ham) = (Uuid::new_v4(), Uuid::new_v4());
        let stock = HashMap::from([(mozza, 500), (ham, 1000)]);
        let pizza = [(mozza, 200)];
        assert_eq!(portions(&pizza, &stock), Some(2));
        // Extra mozzarella: 200 + 100 per pizza, 500 on hand → 1.
        let with_extra = combine(&pizza, &[(mozza, 100)]);
        assert_eq!(with_extra, vec![(mozza, 300)]);
        assert_eq!(portions(&with_extra, &stock), Some(1));
        assert_eq!(portions(&combine(&pizza, &[(ham, 600)]), &stock), Some(1));
    }

    #[test]
    fn unknown_ingredients_are_none_on_hand_and_no_recipe_is_unlimited() {
        assert_eq!(portions(&[(Uuid::new_v4(), 1)], &HashMap::new()), Some(0));
        assert_eq!(portions(&[], &HashMap::new()), None);
    }
}
