//! The whole menu as its managers see it (hidden products and extras included).

use poem_openapi::Object;
use uuid::Uuid;

use super::state::AdminState;
use crate::http::Problem;
use crate::http::tx::in_tenant;
use crate::menu::store;

#[derive(Object)]
pub(super) struct RecipeLine {
    ingredient_id: Uuid,
    ingredient: String,
    unit: String,
    quantity: i64,
}

#[derive(Object)]
pub(super) struct SizeView {
    id: Uuid,
    code: String,
    label: String,
    price_cents: i32,
    recipe: Vec<RecipeLine>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub(super) struct ProductView {
    id: Uuid,
    category_id: Uuid,
    kind: String,
    name: String,
    description: String,
    allergens: Vec<String>,
    vat_class: String,
    position: i32,
    /// `false`: hidden from customers.
    active: bool,
    sold_out: bool,
    has_image: bool,
    /// Set when this is the pizzeria's copy of a group product: a push from the group updates
    /// it but keeps its prices and `active`.
    group_product_id: Option<Uuid>,
    sizes: Vec<SizeView>,
}

#[derive(Object)]
pub(super) struct CategoryView {
    id: Uuid,
    name: String,
    position: i32,
    products: Vec<ProductView>,
}

#[derive(Object)]
pub(super) struct ExtraView {
    id: Uuid,
    name: String,
    price_cents: i32,
    active: bool,
    recipe: Vec<RecipeLine>,
}

#[derive(Object)]
pub(super) struct MenuView {
    categories: Vec<CategoryView>,
    extras: Vec<ExtraView>,
}

impl MenuView {
    /// One product with its sizes and recipes, as the menu shows it.
    pub(super) fn into_product(self, id: Uuid) -> Option<ProductView> {
        self.categories
            .into_iter()
            .flat_map(|c| c.products)
            .find(|p| p.id == id)
    }
}

fn lines(recipes: &[store::RecipeRow], owner: Uuid) -> Vec<RecipeLine> {
    recipes
        .iter()
        .filter(|r| r.owner_id == owner)
        .map(|r| RecipeLine {
            ingredient_id: r.ingredient_id,
            ingredient: r.ingredient_name.clone(),
            unit: r.unit.clone(),
            quantity: r.quantity,
        })
        .collect()
}

pub(super) async fn menu(state: &AdminState, tenant_id: Uuid) -> Result<MenuView, Problem> {
    let (categories, products, sizes, extras, size_recipes, extra_recipes) =
        in_tenant(&state.pool, tenant_id, async |tx| {
            let categories = store::categories(tx, tenant_id).await?;
            let products = store::products(tx, tenant_id).await?;
            let sizes = store::sizes(tx, tenant_id).await?;
            let extras = store::extras(tx, tenant_id).await?;
            let size_recipes = store::size_recipes(tx, tenant_id).await?;
            let extra_recipes = store::extra_recipes(tx, tenant_id).await?;
            Ok((
                categories,
                products,
                sizes,
                extras,
                size_recipes,
                extra_recipes,
            ))
        })
        .await?;
    let product = |p: &store::ProductRow| ProductView {
        id: p.id,
        category_id: p.category_id,
        kind: p.kind.clone(),
        name: p.name.clone(),
        description: p.description.clone(),
        allergens: p.allergens.clone(),
        vat_class: p.vat_class.clone(),
        position: p.position,
        active: p.active,
        sold_out: p.sold_out,
        has_image: p.image_key.is_some(),
        group_product_id: p.group_product_id,
        sizes: sizes
            .iter()
            .filter(|s| s.product_id == p.id)
            .map(|s| SizeView {
                id: s.id,
                code: s.code.clone(),
                label: s.label.clone(),
                price_cents: s.price_cents,
                recipe: lines(&size_recipes, s.id),
            })
            .collect(),
    };
    Ok(MenuView {
        categories: categories
            .iter()
            .map(|c| CategoryView {
                id: c.id,
                name: c.name.clone(),
                position: c.position,
                products: products
                    .iter()
                    .filter(|p| p.category_id == c.id)
                    .map(product)
                    .collect(),
            })
            .collect(),
        extras: extras
            .iter()
            .map(|e| ExtraView {
                id: e.id,
                name: e.name.clone(),
                price_cents: e.price_cents,
                active: e.active,
                recipe: lines(&extra_recipes, e.id),
            })
            .collect(),
    })
}
