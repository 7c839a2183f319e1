//! What a pizzeria sells: categories, products with sizes and recipes, extras, VAT classes.
//! The menu is cached per pizzeria and revalidated on every read against `menu_version`
//! (bumped by the database on any menu change, so every replica sees changes at once);
//! availability is computed from the stock read at that moment, never cached.

mod cache;
pub mod edit;
pub mod group;
pub mod store;
pub mod write;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::availability::{self, Needs};

pub use cache::{MenuCache, current};

#[derive(Debug, thiserror::Error)]
pub enum MenuError {
    #[error(transparent)]
    Invalid(#[from] crate::domain::InvalidInput),
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error("{0} already exists")]
    Duplicate(String),
    /// Still used by something that must go first (a category with products).
    /// What is in use, and what to do first.
    #[error("this {0} is still in use: {1}")]
    InUse(&'static str, &'static str),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

#[derive(Debug, Clone)]
pub struct RecipeItem {
    pub ingredient_id: Uuid,
    pub ingredient: String,
    pub unit: String,
    pub quantity: i64,
}

#[derive(Debug, Clone)]
pub struct Size {
    pub id: Uuid,
    pub code: String,
    pub label: String,
    pub price_cents: i64,
    pub recipe: Vec<RecipeItem>,
}

#[derive(Debug, Clone)]
pub struct Product {
    pub id: Uuid,
    pub category_id: Uuid,
    pub kind: String,
    pub name: String,
    pub description: String,
    pub allergens: Vec<String>,
    pub image_key: Option<String>,
    pub active: bool,
    pub vat_class: String,
    pub sold_out: bool,
    pub sold_out_until: Option<DateTime<Utc>>,
    pub sizes: Vec<Size>,
}

#[derive(Debug, Clone)]
pub struct Extra {
    pub id: Uuid,
    pub name: String,
    pub price_cents: i64,
    pub active: bool,
    pub recipe: Vec<RecipeItem>,
}

#[derive(Debug, Clone)]
pub struct Category {
    pub id: Uuid,
    pub name: String,
    pub products: Vec<Product>,
}

/// One version of a pizzeria's menu, as cached.
#[derive(Debug, Clone)]
pub struct MenuData {
    pub version: i64,
    pub categories: Vec<Category>,
    pub extras: Vec<Extra>,
    /// VAT class → rate in basis points.
    pub vat_rates: HashMap<String, i64>,
}

fn needs(recipe: &[RecipeItem]) -> Needs {
    recipe
        .iter()
        .map(|r| (r.ingredient_id, r.quantity))
        .collect()
}

impl Product {
    /// Marked sold out by hand, and the mark has not expired.
    pub(crate) fn is_sold_out(&self, now: DateTime<Utc>) -> bool {
        self.sold_out && self.sold_out_until.is_none_or(|until| until > now)
    }

    pub fn size(&self, id: Uuid) -> Option<&Size> {
        self.sizes.iter().find(|s| s.id == id)
    }
}

impl Size {
    /// Portions current stock allows with `extras` added (`None`: nothing tracked).
    pub fn remaining(&self, extras: &[&Extra], on_hand: &HashMap<Uuid, i64>) -> Option<i64> {
        let total = extras.iter().fold(needs(&self.recipe), |acc, e| {
            availability::combine(&acc, &needs(&e.recipe))
        });
        availability::portions(&total, on_hand)
    }
}

impl Extra {
    pub fn remaining(&self, on_hand: &HashMap<Uuid, i64>) -> Option<i64> {
        availability::portions(&needs(&self.recipe), on_hand)
    }
}

impl MenuData {
    pub fn products(&self) -> impl Iterator<Item = &Product> {
        self.categories.iter().flat_map(|c| c.products.iter())
    }

    pub fn product(&self, id: Uuid) -> Option<&Product> {
        self.products().find(|p| p.id == id)
    }

    pub fn extra(&self, id: Uuid) -> Option<&Extra> {
        self.extras.iter().find(|e| e.id == id)
    }

    pub fn vat_rate_bp(&self, class: &str) -> Option<i64> {
        self.vat_rates.get(class).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: Uuid, quantity: i64) -> RecipeItem {
        RecipeItem {
            ingredient_id: id,
            ingredient: "x".into(),
            unit: "g".into(),
            quantity,
        }
    }

    #[test]
    fn a_sold_out_mark_expires() {
        let now = Utc::now();
        let mut p = Product {
            id: Uuid::new_v4(),
            category_id: Uuid::new_v4(),
            kind: "pizza".into(),
            name: "Reine".into(),
            description: String::new(),
            allergens: vec![],
            image_key: None,
            active: true,
            vat_class: "food".into(),
            sold_out: true,
            sold_out_until: None,
            sizes: vec![],
        };
        assert!(p.is_sold_out(now), "until further notice");
        p.sold_out_until = Some(now + chrono::Duration::minutes(5));
        assert!(p.is_sold_out(now));
        p.sold_out_until = Some(now - chrono::Duration::minutes(5));
        assert!(!p.is_sold_out(now), "expired");
        p.sold_out = false;
        assert!(!p.is_sold_out(now));
    }

    #[test]
    fn a_size_with_extras_needs_both_recipes() {
        let mozza = Uuid::new_v4();
        let size = Size {
            id: Uuid::new_v4(),
            code: "m".into(),
            label: "M".into(),
            price_cents: 1000,
            recipe: vec![item(mozza, 200)],
        };
        let extra = Extra {
            id: Uuid::new_v4(),
            name: "Mozza".into(),
            price_cents: 150,
            active: true,
            recipe: vec![item(mozza, 100)],
        };
        let stock = HashMap::from([(mozza, 500)]);
        assert_eq!(size.remaining(&[], &stock), Some(2));
        assert_eq!(size.remaining(&[&extra], &stock), Some(1));
        assert_eq!(extra.remaining(&stock), Some(5));
    }
}
