//! Turning requested lines into priced lines against the menu: every price is the server's.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::OrderError;
use crate::domain::order::{MAX_LINES, MAX_QUANTITY, PricedLine};
use crate::domain::{Cents, InvalidInput};
use crate::menu::MenuData;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRequest {
    pub product_id: Uuid,
    pub size_id: Uuid,
    pub extras: Vec<Uuid>,
    pub quantity: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChosenExtra {
    pub id: Uuid,
    pub name: String,
    pub price_cents: i64,
}

#[derive(Debug, Clone)]
pub struct ResolvedLine {
    pub product_id: Uuid,
    pub size_id: Uuid,
    pub product_name: String,
    pub size_label: String,
    pub kind: String,
    pub extras: Vec<ChosenExtra>,
    pub quantity: i64,
    pub unit_price_cents: i64,
    pub vat_rate_bp: i64,
    /// Ingredient quantities for one unit (recipe of the size plus extras).
    pub needs: Vec<(Uuid, i64)>,
}

impl ResolvedLine {
    pub fn priced(&self) -> PricedLine {
        PricedLine {
            unit_price: Cents(self.unit_price_cents),
            quantity: self.quantity,
            vat_rate_bp: self.vat_rate_bp,
        }
    }
}

/// Checks and prices the requested lines; the menu's prices are the only ones used.
pub(crate) fn resolve(
    menu: &MenuData,
    requested: &[LineRequest],
    now: DateTime<Utc>,
) -> Result<Vec<ResolvedLine>, OrderError> {
    if requested.is_empty() {
        return Err(InvalidInput::new("lines", "an order needs at least one line").into());
    }
    if requested.len() > MAX_LINES {
        return Err(InvalidInput::new("lines", format!("at most {MAX_LINES} lines")).into());
    }
    requested
        .iter()
        .map(|req| {
            if !(1..=MAX_QUANTITY).contains(&req.quantity) {
                return Err(InvalidInput::new(
                    "lines.quantity",
                    format!("must be between 1 and {MAX_QUANTITY}"),
                )
                .into());
            }
            let product = menu.product(req.product_id).filter(|p| p.active).ok_or(
                OrderError::UnknownItem {
                    what: "product",
                    id: req.product_id,
                },
            )?;
            let size = product.size(req.size_id).ok_or(OrderError::UnknownItem {
                what: "size",
                id: req.size_id,
            })?;
            if product.is_sold_out(now) {
                return Err(OrderError::SoldOut {
                    product: product.name.clone(),
                });
            }
            if !req.extras.is_empty() && product.kind != "pizza" {
                return Err(InvalidInput::new("lines.extras", "only pizzas take extras").into());
            }
            if req.extras.iter().collect::<HashSet<_>>().len() != req.extras.len() {
                return Err(InvalidInput::new(
                    "lines.extras",
                    "an extra may be chosen once per line",
                )
                .into());
            }
            let mut needs: BTreeMap<Uuid, i64> = size
                .recipe
                .iter()
                .map(|r| (r.ingredient_id, r.quantity))
                .collect();
            let mut extras = Vec::with_capacity(req.extras.len());
            for id in &req.extras {
                let extra =
                    menu.extra(*id)
                        .filter(|e| e.active)
                        .ok_or(OrderError::UnknownItem {
                            what: "extra",
                            id: *id,
                        })?;
                for r in &extra.recipe {
                    *needs.entry(r.ingredient_id).or_default() += r.quantity;
                }
                extras.push(ChosenExtra {
                    id: extra.id,
                    name: extra.name.clone(),
                    price_cents: extra.price_cents,
                });
            }
            let vat_rate_bp = menu.vat_rate_bp(&product.vat_class).ok_or_else(|| {
                anyhow::anyhow!(
                    "product {} has VAT class {} without a rate",
                    product.id,
                    product.vat_class
                )
            })?;
            Ok(ResolvedLine {
                product_id: product.id,
                size_id: size.id,
                product_name: product.name.clone(),
                size_label: size.label.clone(),
                kind: product.kind.clone(),
                unit_price_cents: size.price_cents
                    + extras.iter().map(|e| e.price_cents).sum::<i64>(),
                extras,
                quantity: req.quantity,
                vat_rate_bp,
                needs: needs.into_iter().collect(),
            })
        })
        .collect()
}

/// What the whole order takes from stock, by ingredient id (sorted: the locking order).
pub(crate) fn total_needs(lines: &[ResolvedLine]) -> BTreeMap<Uuid, i64> {
    let mut total = BTreeMap::new();
    for line in lines {
        for (id, qty) in &line.needs {
            *total.entry(*id).or_default() += qty * line.quantity;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::menu::{Category, Extra, Product, RecipeItem, Size};

    struct Ids {
        mozza: Uuid,
        pizza: Uuid,
        size: Uuid,
        cola: Uuid,
        cola_size: Uuid,
        extra: Uuid,
    }

    fn menu() -> (MenuData, Ids) {
        let ids = Ids {
            mozza: Uuid::new_v4(),
            pizza: Uuid::new_v4(),
            size: Uuid::new_v4(),
            cola: Uuid::new_v4(),
            cola_size: Uuid::new_v4(),
            extra: Uuid::new_v4(),
        };
        let item = |q| RecipeItem {
            ingredient_id: ids.mozza,
            ingredient: "Mozzarella".into(),
            unit: "g".into(),
            quantity: q,
        };
        let product = |id, kind: &str, name: &str, vat: &str, size: Size| Product {
            id,
            category_id: Uuid::nil(),
            kind: kind.into(),
            name: name.into(),
            description: String::new(),
            allergens: vec![],
            image_key: None,
            active: true,
            vat_class: vat.into(),
            sold_out: false,
            sold_out_until: None,
            sizes: vec![size],
        };
        let menu = MenuData {
            version: 1,
            categories: vec![Category {
                id: Uuid::nil(),
                name: "Tout".into(),
                products: vec![
                    product(
                        ids.pizza,
                        "pizza",
                        "Margherita",
                        "food",
                        Size {
                            id: ids.size,
                            code: "m".into(),
                            label: "M".into(),
                            price_cents: 1100,
                            recipe: vec![item(200)],
                        },
                    ),
                    product(
                        ids.cola,
                        "drink",
                        "Cola",
                        "alcohol",
                        Size {
                            id: ids.cola_size,
                            code: "u".into(),
                            label: "33 cl".into(),
                            price_cents: 300,
                            recipe: vec![],
                        },
                    ),
                ],
            }],
            extras: vec![Extra {
                id: ids.extra,
                name: "Mozza".into(),
                price_cents: 150,
                active: true,
                recipe: vec![item(100)],
            }],
            vat_rates: HashMap::from([("food".into(), 1000), ("alcohol".into(), 2000)]),
        };
        (menu, ids)
    }

    fn req(product_id: Uuid, size_id: Uuid, extras: Vec<Uuid>, quantity: i64) -> LineRequest {
        LineRequest {
            product_id,
            size_id,
            extras,
            quantity,
        }
    }

    #[test]
    fn prices_come_from_the_menu_with_extras() {
        let (menu, ids) = menu();
        let lines = resolve(
            &menu,
            &[
                req(ids.pizza, ids.size, vec![ids.extra], 2),
                req(ids.cola, ids.cola_size, vec![], 1),
            ],
            Utc::now(),
        )
        .unwrap();
        assert_eq!(lines[0].unit_price_cents, 1250);
        assert_eq!(lines[0].vat_rate_bp, 1000);
        assert_eq!(lines[0].needs, vec![(ids.mozza, 300)]);
        assert_eq!(lines[1].vat_rate_bp, 2000);
        assert_eq!(total_needs(&lines).get(&ids.mozza), Some(&600));
    }

    #[test]
    fn unknown_items_bounds_and_sold_out_are_refused() {
        let (mut menu, ids) = menu();
        let now = Utc::now();
        assert!(matches!(
            resolve(&menu, &[], now),
            Err(OrderError::Invalid(_))
        ));
        assert!(matches!(
            resolve(&menu, &[req(ids.pizza, ids.size, vec![], 0)], now),
            Err(OrderError::Invalid(_))
        ));
        assert!(matches!(
            resolve(&menu, &[req(ids.pizza, ids.size, vec![], 21)], now),
            Err(OrderError::Invalid(_))
        ));
        assert!(matches!(
            resolve(&menu, &[req(Uuid::new_v4(), ids.size, vec![], 1)], now),
            Err(OrderError::UnknownItem {
                what: "product",
                ..
            })
        ));
        assert!(matches!(
            resolve(&menu, &[req(ids.pizza, ids.cola_size, vec![], 1)], now),
            Err(OrderError::UnknownItem { what: "size", .. })
        ));
        assert!(matches!(
            resolve(
                &menu,
                &[req(ids.pizza, ids.size, vec![Uuid::new_v4()], 1)],
                now
            ),
            Err(OrderError::UnknownItem { what: "extra", .. })
        ));
        assert!(matches!(
            resolve(
                &menu,
                &[req(ids.cola, ids.cola_size, vec![ids.extra], 1)],
                now
            ),
            Err(OrderError::Invalid(_))
        ));
        assert!(matches!(
            resolve(
                &menu,
                &[req(ids.pizza, ids.size, vec![ids.extra, ids.extra], 1)],
                now
            ),
            Err(OrderError::Invalid(_))
        ));
        menu.categories[0].products[0].sold_out = true;
        assert!(matches!(
            resolve(&menu, &[req(ids.pizza, ids.size, vec![], 1)], now),
            Err(OrderError::SoldOut { .. })
        ));
    }
}
