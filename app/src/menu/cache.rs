//! The per-pizzeria menu cache, revalidated against `menu_version` on every read.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use anyhow::Context;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Category, Extra, MenuData, Product, RecipeItem, Size, store};
use crate::settings;

#[derive(Default)]
pub struct MenuCache {
    menus: RwLock<HashMap<Uuid, Arc<MenuData>>>,
}

impl MenuCache {
    /// The menu of `tenant_id` if the one kept is of `version`.
    pub fn get(&self, tenant_id: Uuid, version: i64) -> Option<Arc<MenuData>> {
        let menus = self
            .menus
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        menus
            .get(&tenant_id)
            .filter(|m| m.version == version)
            .cloned()
    }

    fn put(&self, tenant_id: Uuid, menu: Arc<MenuData>) {
        let mut menus = self
            .menus
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        menus.insert(tenant_id, menu);
    }
}

/// The current menu of a pizzeria, from the cache when its version is current. `conn` must be
/// in a transaction of `tenant_id`.
pub async fn current(
    cache: &MenuCache,
    conn: &mut PgConnection,
    tenant_id: Uuid,
) -> Result<Arc<MenuData>, anyhow::Error> {
    let version = settings::store::menu_version(conn, tenant_id)
        .await?
        .context("pizzeria has no settings row")?;
    if let Some(menu) = cache.get(tenant_id, version) {
        return Ok(menu);
    }
    let menu = Arc::new(load(conn, tenant_id, version).await?);
    // Any menu change bumps the version in its own transaction: the same version after the
    // reads means none committed in between, so what we read is one consistent menu.
    let after = settings::store::menu_version(conn, tenant_id)
        .await?
        .context("pizzeria has no settings row")?;
    if after == version {
        cache.put(tenant_id, Arc::clone(&menu));
    }
    Ok(menu)
}

async fn load(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    version: i64,
) -> Result<MenuData, anyhow::Error> {
    let categories = store::categories(conn, tenant_id)
        .await
        .context("reading categories")?;
    let products = store::products(conn, tenant_id)
        .await
        .context("reading products")?;
    let sizes = store::sizes(conn, tenant_id)
        .await
        .context("reading sizes")?;
    let extras = store::extras(conn, tenant_id)
        .await
        .context("reading extras")?;
    let size_recipes = store::size_recipes(conn, tenant_id)
        .await
        .context("reading recipes")?;
    let extra_recipes = store::extra_recipes(conn, tenant_id)
        .await
        .context("reading extra recipes")?;
    let vat = settings::store::vat_rates(conn, tenant_id)
        .await
        .context("reading VAT rates")?;

    let recipes_of = |rows: &[store::RecipeRow], owner: Uuid| -> Vec<RecipeItem> {
        rows.iter()
            .filter(|r| r.owner_id == owner)
            .map(|r| RecipeItem {
                ingredient_id: r.ingredient_id,
                ingredient: r.ingredient_name.clone(),
                unit: r.unit.clone(),
                quantity: r.quantity,
            })
            .collect()
    };
    let mut by_category: HashMap<Uuid, Vec<Product>> = HashMap::new();
    for p in products {
        let sizes = sizes
            .iter()
            .filter(|s| s.product_id == p.id)
            .map(|s| Size {
                id: s.id,
                code: s.code.clone(),
                label: s.label.clone(),
                price_cents: i64::from(s.price_cents),
                recipe: recipes_of(&size_recipes, s.id),
            })
            .collect();
        by_category.entry(p.category_id).or_default().push(Product {
            id: p.id,
            category_id: p.category_id,
            kind: p.kind,
            name: p.name,
            description: p.description,
            allergens: p.allergens,
            image_key: p.image_key,
            active: p.active,
            vat_class: p.vat_class,
            sold_out: p.sold_out,
            sold_out_until: p.sold_out_until,
            sizes,
        });
    }
    Ok(MenuData {
        version,
        categories: categories
            .into_iter()
            .map(|c| Category {
                id: c.id,
                name: c.name,
                products: by_category.remove(&c.id).unwrap_or_default(),
            })
            .collect(),
        extras: extras
            .into_iter()
            .map(|e| Extra {
                id: e.id,
                name: e.name,
                price_cents: i64::from(e.price_cents),
                active: e.active,
                recipe: recipes_of(&extra_recipes, e.id),
            })
            .collect(),
        vat_rates: vat
            .into_iter()
            .map(|v| (v.vat_class, i64::from(v.rate_bp)))
            .collect(),
    })
}
