//! `/pizzerias/{slug}/ingredients`: ingredients, restock, waste, inventory and the history of
//! movements (the same library functions as the app's stock endpoints).

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::AdminTags;
use super::security::{Managed, ManagerAuth};
use super::state::AdminState;
use crate::http::Problem;
use crate::http::paging::Paging;
use crate::http::responses::{Created, Done};
use crate::http::tx::in_tenant;
use crate::stock::ingredients::NewIngredient;
use crate::stock::{self, IngredientRow, ingredients, store};

#[derive(Default)]
pub struct StockAdminApi;

#[derive(Object)]
struct Ingredient {
    id: Uuid,
    name: String,
    /// g, ml or piece.
    unit: String,
    quantity_on_hand: i64,
    alert_threshold: i64,
    low: bool,
}

impl From<IngredientRow> for Ingredient {
    fn from(r: IngredientRow) -> Self {
        Self {
            low: r.quantity_on_hand <= r.alert_threshold,
            id: r.id,
            name: r.name,
            unit: r.unit,
            quantity_on_hand: r.quantity_on_hand,
            alert_threshold: r.alert_threshold,
        }
    }
}

#[derive(Object)]
struct IngredientPage {
    items: Vec<Ingredient>,
    page: u32,
    per_page: u32,
    total: i64,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
struct IngredientIn {
    name: String,
    unit: String,
    alert_threshold: i64,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
struct IngredientPatch {
    name: Option<String>,
    alert_threshold: Option<i64>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
struct Quantity {
    /// Received or thrown away, in the ingredient's unit (restock, waste); counted (inventory).
    quantity: i64,
    /// Why (required for waste).
    note: Option<String>,
}

#[derive(Object)]
struct Movement {
    id: i64,
    delta: i64,
    /// restock, waste, inventory, order or return.
    reason: String,
    actor_user_id: Option<Uuid>,
    actor_name: Option<String>,
    order_id: Option<Uuid>,
    note: String,
    at: DateTime<Utc>,
}

/// The movements a manager records by hand.
#[derive(Clone, Copy)]
enum Recorded {
    Restock,
    Waste,
    Inventory,
}

/// Records a restock, waste or inventory count in the pizzeria's transaction (the same library
/// functions as the app's stock endpoints) and answers the ingredient as it is now.
async fn record(
    state: &AdminState,
    m: &Managed,
    id: Uuid,
    what: Recorded,
    body: &Quantity,
) -> Result<Json<Ingredient>, Problem> {
    let (tenant, quantity, note) = (
        m.tenant.id,
        body.quantity,
        body.note.as_deref().unwrap_or(""),
    );
    let applied = in_tenant(&state.pool, tenant, async |tx| {
        let applied = match what {
            Recorded::Restock => stock::restock(tx, tenant, id, m.user_id, quantity, note).await?,
            Recorded::Waste => stock::waste(tx, tenant, id, m.user_id, quantity, note).await?,
            Recorded::Inventory => {
                stock::inventory(tx, tenant, id, m.user_id, quantity, note).await?
            }
        };
        Ok(applied)
    })
    .await?;
    Ok(Json(applied.ingredient.into()))
}

#[OpenApi(tag = "AdminTags::Pizzeria")]
impl StockAdminApi {
    /// Ingredients by name; `low=true`: only those at or below their alert threshold.
    #[oai(path = "/pizzerias/:slug/ingredients", method = "get")]
    async fn list(
        &self,
        state: Data<&AdminState>,
        auth: ManagerAuth,
        slug: Path<String>,
        low: Query<Option<bool>>,
        page: Query<Option<u32>>,
        per_page: Query<Option<u32>>,
    ) -> Result<Json<IngredientPage>, Problem> {
        let m = auth.pizzeria(&slug)?;
        let paging = Paging::parse(page.0, per_page.0)?;
        let all = in_tenant(&state.pool, m.tenant.id, async |tx| {
            Ok(store::list(tx, m.tenant.id).await?)
        })
        .await?;
        let all: Vec<Ingredient> = all
            .into_iter()
            .map(Ingredient::from)
            .filter(|i| low.0.is_none_or(|l| i.low == l))
            .collect();
        let total = all.len() as i64;
        let items = all
            .into_iter()
            .skip(usize::try_from(paging.offset()).unwrap_or(usize::MAX))
            .take(paging.per_page as usize)
            .collect();
        Ok(Json(IngredientPage {
            items,
            page: paging.page,
            per_page: paging.per_page,
            total,
        }))
    }

    #[oai(path = "/pizzerias/:slug/ingredients", method = "post")]
    async fn create(
        &self,
        state: Data<&AdminState>,
        auth: ManagerAuth,
        slug: Path<String>,
        body: Json<IngredientIn>,
    ) -> Result<Created, Problem> {
        let m = auth.pizzeria(&slug)?;
        let new = NewIngredient {
            name: &body.name,
            unit: &body.unit,
            alert_threshold: body.alert_threshold,
        };
        let id = in_tenant(&state.pool, m.tenant.id, async |tx| {
            Ok(ingredients::create(tx, m.tenant.id, m.user_id, &new).await?)
        })
        .await?;
        Ok(Created::id(id))
    }

    #[oai(path = "/pizzerias/:slug/ingredients/:id", method = "patch")]
    async fn update(
        &self,
        state: Data<&AdminState>,
        auth: ManagerAuth,
        slug: Path<String>,
        id: Path<Uuid>,
        body: Json<IngredientPatch>,
    ) -> Result<Done, Problem> {
        let m = auth.pizzeria(&slug)?;
        in_tenant(&state.pool, m.tenant.id, async |tx| {
            Ok(ingredients::update(
                tx,
                m.tenant.id,
                m.user_id,
                id.0,
                body.name.as_deref(),
                body.alert_threshold,
            )
            .await?)
        })
        .await?;
        Ok(Done::NoContent)
    }

    /// Delete an ingredient no recipe uses and with no stock history.
    #[oai(path = "/pizzerias/:slug/ingredients/:id", method = "delete")]
    async fn delete(
        &self,
        state: Data<&AdminState>,
        auth: ManagerAuth,
        slug: Path<String>,
        id: Path<Uuid>,
    ) -> Result<Done, Problem> {
        let m = auth.pizzeria(&slug)?;
        in_tenant(&state.pool, m.tenant.id, async |tx| {
            Ok(ingredients::delete(tx, m.tenant.id, m.user_id, id.0).await?)
        })
        .await?;
        Ok(Done::NoContent)
    }

    /// Goods received.
    #[oai(path = "/pizzerias/:slug/ingredients/:id/restock", method = "post")]
    async fn restock(
        &self,
        state: Data<&AdminState>,
        auth: ManagerAuth,
        slug: Path<String>,
        id: Path<Uuid>,
        body: Json<Quantity>,
    ) -> Result<Json<Ingredient>, Problem> {
        record(
            &state,
            &auth.pizzeria(&slug)?,
            id.0,
            Recorded::Restock,
            &body,
        )
        .await
    }

    /// Thrown away (a reason is required).
    #[oai(path = "/pizzerias/:slug/ingredients/:id/waste", method = "post")]
    async fn waste(
        &self,
        state: Data<&AdminState>,
        auth: ManagerAuth,
        slug: Path<String>,
        id: Path<Uuid>,
        body: Json<Quantity>,
    ) -> Result<Json<Ingredient>, Problem> {
        record(&state, &auth.pizzeria(&slug)?, id.0, Recorded::Waste, &body).await
    }

    /// A count of what is there: the stock becomes `quantity`.
    #[oai(path = "/pizzerias/:slug/ingredients/:id/inventory", method = "post")]
    async fn inventory(
        &self,
        state: Data<&AdminState>,
        auth: ManagerAuth,
        slug: Path<String>,
        id: Path<Uuid>,
        body: Json<Quantity>,
    ) -> Result<Json<Ingredient>, Problem> {
        record(
            &state,
            &auth.pizzeria(&slug)?,
            id.0,
            Recorded::Inventory,
            &body,
        )
        .await
    }

    /// Movements, newest first; `before` (a movement id) pages back.
    #[oai(path = "/pizzerias/:slug/ingredients/:id/movements", method = "get")]
    async fn movements(
        &self,
        state: Data<&AdminState>,
        auth: ManagerAuth,
        slug: Path<String>,
        id: Path<Uuid>,
        before: Query<Option<i64>>,
        per_page: Query<Option<u32>>,
    ) -> Result<Json<Vec<Movement>>, Problem> {
        let m = auth.pizzeria(&slug)?;
        let paging = Paging::parse(None, per_page.0)?;
        let rows = in_tenant(&state.pool, m.tenant.id, async |tx| {
            Ok(store::movements(tx, m.tenant.id, id.0, before.0, paging.limit()).await?)
        })
        .await?;
        Ok(Json(
            rows.into_iter()
                .map(|r| Movement {
                    id: r.id,
                    delta: r.delta,
                    reason: r.reason,
                    actor_user_id: r.actor_user_id,
                    actor_name: r.actor_name,
                    order_id: r.order_id,
                    note: r.note,
                    at: r.at,
                })
                .collect(),
        ))
    }
}
