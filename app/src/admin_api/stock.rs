//! `/pizzerias/{slug}/ingredients`: ingredients, restock, waste, inventory and the history of
//! movements. The stock resource, its shape and its work are `http::stock`, shared with the app's
//! stock endpoints; creating, renaming and deleting ingredients is the admin API's alone.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::AdminTags;
use super::security::{Managed, franchise};
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

/// A restock, waste or count.
async fn operate(
    m: &Managed,
    id: Uuid,
    op: Operation,
    note: &str,
) -> Result<Json<Applied>, Problem> {
    let (tenant, by) = (m.tenant.id, m.user_id);
    Ok(Json(
        stock::apply(m.pool(), tenant, by, id, op, note).await?,
    ))
}

#[OpenApi(tag = "AdminTags::Pizzeria")]
impl StockAdminApi {
    /// Ingredients by name; `low=true`: only those at or below their alert threshold.
    #[oai(path = "/pizzerias/:slug/ingredients", method = "get")]
    async fn list(
        &self,
        slug: franchise::Path,
        low: Query<Option<bool>>,
        #[oai(validator(minimum(value = "1")))] page: Query<Option<u32>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] per_page: Query<
            Option<u32>,
        >,
    ) -> Result<Json<IngredientPage>, Problem> {
        let paging = Paging::parse(page.0, per_page.0)?;
        Ok(Json(
            stock::page(slug.pool(), slug.tenant.id, low.0, paging).await?,
        ))
    }

    #[oai(path = "/pizzerias/:slug/ingredients", method = "post")]
    async fn create(
        &self,
        slug: franchise::Path,
        body: Json<IngredientIn>,
    ) -> Result<Created, Problem> {
        let new = NewIngredient {
            name: &body.name,
            unit: &body.unit,
            alert_threshold: body.alert_threshold,
        };
        let id = slug
            .run(async |tx, t, by| Ok(ingredients::create(tx, t, by, &new).await?))
            .await?;
        Ok(Created::id(id))
    }

    #[oai(path = "/pizzerias/:slug/ingredients/:id", method = "patch")]
    async fn update(
        &self,
        slug: franchise::Path,
        id: Path<Uuid>,
        body: Json<IngredientPatch>,
    ) -> Result<Done, Problem> {
        slug.run(async |tx, t, by| {
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
    async fn delete(&self, slug: franchise::Path, id: Path<Uuid>) -> Result<Done, Problem> {
        slug.run(async |tx, t, by| Ok(ingredients::delete(tx, t, by, id.0).await?))
            .await?;
        Ok(Done::NoContent)
    }

    /// Goods received.
    #[oai(path = "/pizzerias/:slug/ingredients/:id/restock", method = "post")]
    async fn restock(
        &self,
        slug: franchise::Path,
        id: Path<Uuid>,
        body: Json<QuantityIn>,
    ) -> Result<Json<Applied>, Problem> {
        operate(&slug, id.0, Operation::Restock(body.quantity), &body.note).await
    }

    /// Thrown away (a reason is required).
    #[oai(path = "/pizzerias/:slug/ingredients/:id/waste", method = "post")]
    async fn waste(
        &self,
        slug: franchise::Path,
        id: Path<Uuid>,
        body: Json<QuantityIn>,
    ) -> Result<Json<Applied>, Problem> {
        operate(&slug, id.0, Operation::Waste(body.quantity), &body.note).await
    }

    /// A count of what is there: the stock becomes `counted`.
    #[oai(path = "/pizzerias/:slug/ingredients/:id/inventory", method = "post")]
    async fn inventory(
        &self,
        slug: franchise::Path,
        id: Path<Uuid>,
        body: Json<CountIn>,
    ) -> Result<Json<Applied>, Problem> {
        operate(&slug, id.0, Operation::Inventory(body.counted), &body.note).await
    }

    /// Movements, newest first; `before` (a movement id) pages back.
    #[oai(path = "/pizzerias/:slug/ingredients/:id/movements", method = "get")]
    async fn movements(
        &self,
        slug: franchise::Path,
        id: Path<Uuid>,
        before: Query<Option<i64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] per_page: Query<
            Option<u32>,
        >,
    ) -> Result<Json<Vec<Movement>>, Problem> {
        let paging = Paging::parse(None, per_page.0)?;
        let rows = stock::movements(slug.pool(), slug.tenant.id, id.0, before.0, paging).await?;
        Ok(Json(rows))
    }
}
