//! The group menu: products and recipes defined once by the group and pushed to every pizzeria.
//! Each pizzeria gets its own copy (`products.group_product_id`): a push sets the name,
//! description, category, sizes and recipes, but keeps the pizzeria's prices and whether it shows
//! the product. Recipes name ingredients by name and unit; a pizzeria missing one gets it with
//! nothing in stock. Removing a group product hides the copies, which become the pizzeria's own.

mod push;
mod store;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::write::{KINDS, UNITS, name_ok};
use crate::domain::{Cents, InvalidInput};

pub use push::PushReport;
pub(crate) use push::push_all_to_tenant;
pub use store::{create, delete, get, list, replace};

#[derive(Debug, thiserror::Error)]
pub enum GroupError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    #[error("no such group product")]
    NotFound,
    #[error("a group product named {0:?} already exists")]
    Duplicate(String),
    /// A pizzeria's menu cannot take the product as it is (a unit or a name that clashes).
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<sqlx::Error> for GroupError {
    fn from(err: sqlx::Error) -> Self {
        GroupError::Unexpected(anyhow::Error::new(err).context("database"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRecipeItem {
    pub ingredient: String,
    pub unit: String,
    pub quantity: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSize {
    pub code: String,
    pub label: String,
    /// The price a pizzeria starts with; each then sets its own.
    pub price_cents: i64,
    pub recipe: Vec<GroupRecipeItem>,
}

/// A group product as the group defines it (checked by [`GroupProductInput::parse`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupProductInput {
    pub category: String,
    pub kind: String,
    pub name: String,
    pub description: String,
    pub allergens: Vec<String>,
    pub vat_class: String,
    pub sizes: Vec<GroupSize>,
}

#[derive(Debug, Clone)]
pub struct GroupProduct {
    pub id: Uuid,
    pub product: GroupProductInput,
    pub updated_at: DateTime<Utc>,
}

fn code_ok(code: &str) -> bool {
    (1..=20).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

impl GroupProductInput {
    /// Trims names and checks everything a pizzeria's menu would refuse, so a push only fails
    /// for reasons that belong to a pizzeria (a unit that differs, a name already taken).
    pub fn parse(mut self) -> Result<Self, InvalidInput> {
        name_ok("category", &self.category)?;
        name_ok("name", &self.name)?;
        self.category = self.category.trim().to_string();
        self.name = self.name.trim().to_string();
        if !KINDS.contains(&self.kind.as_str()) {
            return Err(InvalidInput::new("kind", "must be pizza, drink or dessert"));
        }
        if self.description.chars().count() > 500 {
            return Err(InvalidInput::new(
                "description",
                "must have at most 500 characters",
            ));
        }
        let vat_ok = (2..=32).contains(&self.vat_class.len())
            && self
                .vat_class
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_');
        if !vat_ok {
            return Err(InvalidInput::new(
                "vat_class",
                "must be a VAT class such as food",
            ));
        }
        if self.sizes.is_empty() {
            return Err(InvalidInput::new(
                "sizes",
                "a product needs at least one size",
            ));
        }
        let mut codes = std::collections::HashSet::new();
        for size in &mut self.sizes {
            if !code_ok(&size.code) {
                return Err(InvalidInput::new(
                    "sizes",
                    "codes are 1 to 20 of a-z 0-9 _ -",
                ));
            }
            if !codes.insert(size.code.clone()) {
                return Err(InvalidInput::new(
                    "sizes",
                    format!("size {:?} is listed twice", size.code),
                ));
            }
            name_ok("label", &size.label)?;
            size.label = size.label.trim().to_string();
            Cents::parse_price(size.price_cents)?;
            let mut seen = std::collections::HashSet::new();
            for item in &mut size.recipe {
                name_ok("ingredient", &item.ingredient)?;
                item.ingredient = item.ingredient.trim().to_string();
                if !UNITS.contains(&item.unit.as_str()) {
                    return Err(InvalidInput::new("unit", "must be g, ml or piece"));
                }
                if item.quantity <= 0 {
                    return Err(InvalidInput::new("recipe", "quantities must be positive"));
                }
                if !seen.insert(item.ingredient.to_lowercase()) {
                    return Err(InvalidInput::new(
                        "recipe",
                        format!(
                            "{:?} is listed twice in size {:?}",
                            item.ingredient, size.code
                        ),
                    ));
                }
            }
        }
        // One unit per ingredient across the sizes: a pizzeria counts it one way.
        let mut units = std::collections::HashMap::new();
        for item in self.sizes.iter().flat_map(|s| &s.recipe) {
            let unit = units
                .entry(item.ingredient.to_lowercase())
                .or_insert(item.unit.as_str());
            if *unit != item.unit {
                return Err(InvalidInput::new(
                    "recipe",
                    format!(
                        "{:?} is counted in {} and in {}",
                        item.ingredient, unit, item.unit
                    ),
                ));
            }
        }
        Ok(self)
    }

    /// Every ingredient of the recipes once, with its unit.
    pub fn ingredients(&self) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> = Vec::new();
        for item in self.sizes.iter().flat_map(|s| &s.recipe) {
            if !out
                .iter()
                .any(|(n, _)| n.to_lowercase() == item.ingredient.to_lowercase())
            {
                out.push((&item.ingredient, &item.unit));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
