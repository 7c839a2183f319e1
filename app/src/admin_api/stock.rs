//! `/pizzerias/{slug}/ingredients`: ingredients, restock, waste, inventory and the history of
//! movements. The stock resource, its shape and its work are `http::stock`, shared with the app's
//! stock endpoints; creating, renaming and deleting ingredients is the admin API's alone.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::AdminTags;
use super::security::ManagerAuth;
use super::state::AdminState;
use crate::http::Problem;
use crate::http::paging::Paging;
use crate::http::responses::{Created, Done};
use crate::http::stock::{self, Applied, CountIn, IngredientPage, Movement, QuantityIn};
use crate::http::strict::Text;
use crate::stock::Operation;
use crate::stock::ingredients::{self, NewIngredient};

#[derive(Default)]
pub struct StockAdminApi;

#[derive(Object)]
#[oai(deny_unknown_fields)]
struct IngredientIn {
    name: Text<80>,
    unit: Text,
    alert_threshold: i64,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
#[oai(skip_serializing_if_is_none)]
struct IngredientPatch {
    name: Option<Text<80>>,
    alert_threshold: Option<i64>,
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
        #[oai(validator(minimum(value = "1")))] page: Query<Option<u32>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] per_page: Query<
            Option<u32>,
        >,
    ) -> Result<Json<IngredientPage>, Problem> {
        let m = auth.pizzeria(&slug)?;
        let paging = Paging::parse(page.0, per_page.0)?;
        Ok(Json(
            stock::page(&state.pool, m.tenant.id, low.0, paging).await?,
        ))
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
        let id = m
            .run(&state.pool, async |tx, t, by| {
                Ok(ingredients::create(tx, t, by, &new).await?)
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
        m.run(&state.pool, async |tx, t, by| {
            Ok(
                ingredients::update(tx, t, by, id.0, body.name.as_deref(), body.alert_threshold)
                    .await?,
            )
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
        m.run(&state.pool, async |tx, t, by| {
            Ok(ingredients::delete(tx, t, by, id.0).await?)
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
        body: Json<QuantityIn>,
    ) -> Result<Json<Applied>, Problem> {
        let (m, op) = (auth.pizzeria(&slug)?, Operation::Restock(body.quantity));
        let applied = stock::apply(&state.pool, m.tenant.id, m.user_id, id.0, op, &body.note);
        Ok(Json(applied.await?))
    }

    /// Thrown away (a reason is required).
    #[oai(path = "/pizzerias/:slug/ingredients/:id/waste", method = "post")]
    async fn waste(
        &self,
        state: Data<&AdminState>,
        auth: ManagerAuth,
        slug: Path<String>,
        id: Path<Uuid>,
        body: Json<QuantityIn>,
    ) -> Result<Json<Applied>, Problem> {
        let (m, op) = (auth.pizzeria(&slug)?, Operation::Waste(body.quantity));
        let applied = stock::apply(&state.pool, m.tenant.id, m.user_id, id.0, op, &body.note);
        Ok(Json(applied.await?))
    }

    /// A count of what is there: the stock becomes `counted`.
    #[oai(path = "/pizzerias/:slug/ingredients/:id/inventory", method = "post")]
    async fn inventory(
        &self,
        state: Data<&AdminState>,
        auth: ManagerAuth,
        slug: Path<String>,
        id: Path<Uuid>,
        body: Json<CountIn>,
    ) -> Result<Json<Applied>, Problem> {
        let (m, op) = (auth.pizzeria(&slug)?, Operation::Inventory(body.counted));
        let applied = stock::apply(&state.pool, m.tenant.id, m.user_id, id.0, op, &body.note);
        Ok(Json(applied.await?))
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
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] per_page: Query<
            Option<u32>,
        >,
    ) -> Result<Json<Vec<Movement>>, Problem> {
        let m = auth.pizzeria(&slug)?;
        let paging = Paging::parse(None, per_page.0)?;
        let rows = stock::movements(&state.pool, m.tenant.id, id.0, before.0, paging).await?;
        Ok(Json(rows))
    }
}
