//! `/pizzerias/{slug}/menu`, categories, products and their sizes (prices, recipes).

use anyhow::Context;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::AdminTags;
use super::menu_view::{MenuView, ProductView, menu};
use super::security::franchise;
use super::state::AdminState;
use crate::http::Problem;
use crate::http::responses::{Created, Done};
use crate::http::strict::Text;
use crate::menu::edit::{self, ProductChange, SizeChange};
use crate::menu::write::{NewProduct, NewSize};

#[derive(Default)]
pub struct MenuAdminApi;

#[derive(ApiResponse)]
enum ProductCreated {
    /// The new product with its sizes (their ids are what an order needs) and recipes.
    #[oai(status = 201)]
    Created(Json<ProductView>),
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub(super) struct RecipeIn {
    pub(super) ingredient_id: Uuid,
    /// In the ingredient's unit (g, ml or pieces); positive.
    pub(super) quantity: i64,
}

pub(super) fn recipe(r: &[RecipeIn]) -> Vec<(Uuid, i64)> {
    r.iter().map(|i| (i.ingredient_id, i.quantity)).collect()
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
#[oai(skip_serializing_if_is_none)]
struct CategoryIn {
    name: Text<80>,
    position: Option<i32>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
#[oai(skip_serializing_if_is_none)]
struct CategoryChange {
    name: Option<Text<80>>,
    position: Option<i32>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
struct SizeIn {
    /// Short code: `s`, `m`, `l`, `unit`… (lowercase letters, digits, `_`, `-`).
    code: Text,
    label: Text<80>,
    /// Positive.
    price_cents: i64,
    recipe: Vec<RecipeIn>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
#[oai(skip_serializing_if_is_none)]
struct ProductIn {
    category_id: Uuid,
    /// pizza, drink or dessert.
    kind: Text,
    name: Text<80>,
    description: Option<Text<500>>,
    allergens: Option<Vec<String>>,
    /// A VAT class of the pizzeria: `food`, `soft_drink` or `alcohol`.
    vat_class: Text,
    position: Option<i32>,
    sizes: Vec<SizeIn>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
#[oai(skip_serializing_if_is_none)]
struct ProductPatch {
    category_id: Option<Uuid>,
    name: Option<Text<80>>,
    description: Option<Text<500>>,
    allergens: Option<Vec<String>>,
    vat_class: Option<Text>,
    position: Option<i32>,
    /// `false` hides it from customers.
    active: Option<bool>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
#[oai(skip_serializing_if_is_none)]
struct SizePatch {
    label: Option<Text<80>>,
    price_cents: Option<i64>,
    /// Replaces the whole recipe.
    recipe: Option<Vec<RecipeIn>>,
}

#[OpenApi(tag = "AdminTags::Pizzeria")]
impl MenuAdminApi {
    /// The whole menu, hidden items included.
    #[oai(path = "/pizzerias/:slug/menu", method = "get")]
    async fn get(
        &self,
        state: Data<&AdminState>,
        slug: franchise::Path,
    ) -> Result<Json<MenuView>, Problem> {
        Ok(Json(menu(&state, slug.tenant.id).await?))
    }

    #[oai(path = "/pizzerias/:slug/categories", method = "post")]
    async fn create_category(
        &self,
        slug: franchise::Path,
        body: Json<CategoryIn>,
    ) -> Result<Created, Problem> {
        let id = slug
            .run(async |tx, t, by| {
                let id = edit::create_category(tx, t, by, &body.name, body.position.unwrap_or(0))
                    .await?;
                Ok(id)
            })
            .await?;
        Ok(Created::id(id))
    }

    #[oai(path = "/pizzerias/:slug/categories/:id", method = "patch")]
    async fn update_category(
        &self,
        slug: franchise::Path,
        id: Path<Uuid>,
        body: Json<CategoryChange>,
    ) -> Result<Done, Problem> {
        slug.run(async |tx, t, by| {
            Ok(edit::update_category(tx, t, by, id.0, body.name.as_deref(), body.position).await?)
        })
        .await?;
        Ok(Done::NoContent)
    }

    /// Delete an empty category.
    #[oai(path = "/pizzerias/:slug/categories/:id", method = "delete")]
    async fn delete_category(
        &self,
        slug: franchise::Path,
        id: Path<Uuid>,
    ) -> Result<Done, Problem> {
        slug.run(async |tx, t, by| Ok(edit::delete_category(tx, t, by, id.0).await?))
            .await?;
        Ok(Done::NoContent)
    }

    /// Create a product with its sizes, prices and recipes.
    #[oai(path = "/pizzerias/:slug/products", method = "post")]
    async fn create_product(
        &self,
        state: Data<&AdminState>,
        slug: franchise::Path,
        body: Json<ProductIn>,
    ) -> Result<ProductCreated, Problem> {
        let b = &body.0;
        let new = NewProduct {
            category_id: b.category_id,
            kind: &b.kind,
            name: &b.name,
            description: b.description.as_deref().unwrap_or(""),
            allergens: b.allergens.clone().unwrap_or_default(),
            vat_class: &b.vat_class,
            position: b.position.unwrap_or(0),
            sizes: b
                .sizes
                .iter()
                .map(|s| NewSize {
                    code: &s.code,
                    label: &s.label,
                    price_cents: s.price_cents,
                    recipe: recipe(&s.recipe),
                })
                .collect(),
        };
        let id = slug
            .run(async |tx, t, by| Ok(edit::create_product(tx, t, by, &new).await?))
            .await?;
        let product = menu(&state, slug.tenant.id)
            .await?
            .into_product(id)
            .context("the new product is not on the menu")?;
        Ok(ProductCreated::Created(Json(product)))
    }

    #[oai(path = "/pizzerias/:slug/products/:id", method = "patch")]
    async fn update_product(
        &self,
        slug: franchise::Path,
        id: Path<Uuid>,
        body: Json<ProductPatch>,
    ) -> Result<Done, Problem> {
        let b = body.0;
        let change = ProductChange {
            category_id: b.category_id,
            name: b.name.map(String::from),
            description: b.description.map(String::from),
            allergens: b.allergens,
            vat_class: b.vat_class.map(String::from),
            position: b.position,
            active: b.active,
        };
        slug.run(async |tx, t, by| Ok(edit::update_product(tx, t, by, id.0, &change).await?))
            .await?;
        Ok(Done::NoContent)
    }

    #[oai(path = "/pizzerias/:slug/products/:id", method = "delete")]
    async fn delete_product(
        &self,
        state: Data<&AdminState>,
        slug: franchise::Path,
        id: Path<Uuid>,
    ) -> Result<Done, Problem> {
        let image = slug
            .run(async |tx, t, by| Ok(edit::delete_product(tx, t, by, id.0).await?))
            .await?;
        if let Some(key) = image
            && let Err(err) = state.images.delete(&key).await
        {
            tracing::warn!(error = %format!("{err:#}"), %key, "deleting a product's image failed");
        }
        Ok(Done::NoContent)
    }

    #[oai(path = "/pizzerias/:slug/products/:id/sizes", method = "post")]
    async fn add_size(
        &self,
        slug: franchise::Path,
        id: Path<Uuid>,
        body: Json<SizeIn>,
    ) -> Result<Created, Problem> {
        let s = &body.0;
        let size = NewSize {
            code: &s.code,
            label: &s.label,
            price_cents: s.price_cents,
            recipe: recipe(&s.recipe),
        };
        let size_id = slug
            .run(async |tx, t, by| Ok(edit::add_product_size(tx, t, by, id.0, &size).await?))
            .await?;
        Ok(Created::id(size_id))
    }

    /// Change a size's label, price or recipe.
    #[oai(
        path = "/pizzerias/:slug/products/:id/sizes/:size_id",
        method = "patch"
    )]
    async fn update_size(
        &self,
        slug: franchise::Path,
        id: Path<Uuid>,
        size_id: Path<Uuid>,
        body: Json<SizePatch>,
    ) -> Result<Done, Problem> {
        let r = body.recipe.as_deref().map(recipe);
        slug.run(async |tx, t, by| {
            Ok(edit::update_size(
                tx,
                t,
                by,
                (id.0, size_id.0),
                &SizeChange {
                    label: body.label.as_deref(),
                    price_cents: body.price_cents,
                    recipe: r.as_deref(),
                },
            )
            .await?)
        })
        .await?;
        Ok(Done::NoContent)
    }

    #[oai(
        path = "/pizzerias/:slug/products/:id/sizes/:size_id",
        method = "delete"
    )]
    async fn delete_size(
        &self,
        slug: franchise::Path,
        id: Path<Uuid>,
        size_id: Path<Uuid>,
    ) -> Result<Done, Problem> {
        slug.run(async |tx, t, by| Ok(edit::delete_size(tx, t, by, id.0, size_id.0).await?))
            .await?;
        Ok(Done::NoContent)
    }
}
