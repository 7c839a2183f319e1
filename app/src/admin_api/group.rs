//! The group menu over HTTP (platform administrators): products and recipes defined once and
//! pushed to every pizzeria, which keeps its prices and may hide them.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::AdminTags;
use super::security::PlatformAuth;
use super::state::AdminState;
use crate::http::Problem;
use crate::http::responses::Done;
use crate::http::strict::Text;
use crate::menu::group::{
    self, GroupProduct, GroupProductInput, GroupRecipeItem, GroupSize, PushReport,
};

#[derive(Default)]
pub struct GroupMenuApi;

#[derive(Object, Clone)]
#[oai(deny_unknown_fields)]
struct GroupRecipeBody {
    /// An ingredient by name; a pizzeria without it gets it with nothing in stock.
    ingredient: Text,
    /// `g`, `ml` or `piece`.
    unit: Text,
    quantity: i64,
}

#[derive(Object, Clone)]
#[oai(deny_unknown_fields)]
struct GroupSizeBody {
    /// `[a-z0-9_-]{1,20}`, unique in the product: a pizzeria's size is matched by its code.
    code: Text,
    label: Text,
    /// The price a pizzeria starts with (cents); each then sets its own.
    price_cents: i64,
    #[oai(default)]
    recipe: Vec<GroupRecipeBody>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
struct GroupProductBody {
    /// A category by name, created in a pizzeria that has none of that name.
    category: Text,
    /// `pizza`, `drink` or `dessert`.
    kind: Text,
    name: Text,
    #[oai(default)]
    description: Text<500>,
    #[oai(default)]
    allergens: Vec<Text>,
    /// A VAT class every pizzeria has (`food`, `soft_drink`, `alcohol`).
    vat_class: Text,
    sizes: Vec<GroupSizeBody>,
}

impl From<GroupProductBody> for GroupProductInput {
    fn from(b: GroupProductBody) -> Self {
        GroupProductInput {
            category: b.category.into(),
            kind: b.kind.into(),
            name: b.name.into(),
            description: b.description.into(),
            allergens: b.allergens.into_iter().map(String::from).collect(),
            vat_class: b.vat_class.into(),
            sizes: b
                .sizes
                .into_iter()
                .map(|s| GroupSize {
                    code: s.code.into(),
                    label: s.label.into(),
                    price_cents: s.price_cents,
                    recipe: s
                        .recipe
                        .into_iter()
                        .map(|r| GroupRecipeItem {
                            ingredient: r.ingredient.into(),
                            unit: r.unit.into(),
                            quantity: r.quantity,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

#[derive(Object)]
struct GroupProductView {
    id: Uuid,
    category: String,
    kind: String,
    name: String,
    description: String,
    allergens: Vec<String>,
    vat_class: String,
    sizes: Vec<GroupSizeView>,
    updated_at: DateTime<Utc>,
}

#[derive(Object)]
struct GroupSizeView {
    code: String,
    label: String,
    price_cents: i64,
    recipe: Vec<GroupRecipeView>,
}

#[derive(Object)]
struct GroupRecipeView {
    ingredient: String,
    unit: String,
    quantity: i64,
}

impl From<GroupProduct> for GroupProductView {
    fn from(g: GroupProduct) -> Self {
        let p = g.product;
        Self {
            id: g.id,
            category: p.category,
            kind: p.kind,
            name: p.name,
            description: p.description,
            allergens: p.allergens,
            vat_class: p.vat_class,
            sizes: p
                .sizes
                .into_iter()
                .map(|s| GroupSizeView {
                    code: s.code,
                    label: s.label,
                    price_cents: s.price_cents,
                    recipe: s
                        .recipe
                        .into_iter()
                        .map(|r| GroupRecipeView {
                            ingredient: r.ingredient,
                            unit: r.unit,
                            quantity: r.quantity,
                        })
                        .collect(),
                })
                .collect(),
            updated_at: g.updated_at,
        }
    }
}

#[derive(Object)]
struct Pushed {
    product: GroupProductView,
    /// Pizzerias the product was pushed to (all but those being offboarded).
    pizzerias: u32,
    /// Of which got it for the first time.
    created: u32,
}

fn pushed((product, report): (GroupProduct, PushReport)) -> Pushed {
    Pushed {
        product: product.into(),
        pizzerias: report.pizzerias,
        created: report.created,
    }
}

#[derive(Object)]
struct GroupProductList {
    items: Vec<GroupProductView>,
}

#[derive(ApiResponse)]
enum CreatedPushed {
    #[oai(status = 201)]
    Ok(Json<Pushed>),
}

#[OpenApi(prefix_path = "/group/products", tag = "AdminTags::Platform")]
impl GroupMenuApi {
    /// The group menu.
    #[oai(path = "/", method = "get")]
    async fn list(
        &self,
        state: Data<&AdminState>,
        _auth: PlatformAuth,
    ) -> Result<Json<GroupProductList>, Problem> {
        let mut conn = state.owner_pool.acquire().await?;
        let items = group::list(&mut conn).await?;
        Ok(Json(GroupProductList {
            items: items.into_iter().map(Into::into).collect(),
        }))
    }

    /// Defines a group product and pushes it to every pizzeria in the same transaction: if one
    /// pizzeria's menu cannot take it (an ingredient counted in another unit, a name already
    /// used by another product), nothing is written (409 `menu-conflict`).
    #[oai(path = "/", method = "post")]
    async fn create(
        &self,
        auth: PlatformAuth,
        body: Json<GroupProductBody>,
    ) -> Result<CreatedPushed, Problem> {
        let done = auth
            .0
            .run(async |tx, by| Ok(group::create(tx, by, body.0.into()).await?))
            .await?;
        Ok(CreatedPushed::Ok(Json(pushed(done))))
    }

    #[oai(path = "/:id", method = "get")]
    async fn get(
        &self,
        state: Data<&AdminState>,
        _auth: PlatformAuth,
        id: Path<Uuid>,
    ) -> Result<Json<GroupProductView>, Problem> {
        let mut conn = state.owner_pool.acquire().await?;
        Ok(Json(group::get(&mut conn, id.0).await?.into()))
    }

    /// Replaces a group product and pushes it again. Each pizzeria keeps its prices (a new size
    /// starts at the group's price) and whether it shows the product; sizes the group dropped
    /// are removed; recipes become the group's.
    #[oai(path = "/:id", method = "put")]
    async fn replace(
        &self,
        auth: PlatformAuth,
        id: Path<Uuid>,
        body: Json<GroupProductBody>,
    ) -> Result<Json<Pushed>, Problem> {
        let done = auth
            .0
            .run(async |tx, by| Ok(group::replace(tx, by, id.0, body.0.into()).await?))
            .await?;
        Ok(Json(pushed(done)))
    }

    /// Removes a group product: the pizzerias' copies are hidden and become their own.
    #[oai(path = "/:id", method = "delete")]
    async fn delete(&self, auth: PlatformAuth, id: Path<Uuid>) -> Result<Done, Problem> {
        auth.0
            .run(async |tx, by| Ok(group::delete(tx, by, id.0).await?))
            .await?;
        Ok(Done::NoContent)
    }
}
