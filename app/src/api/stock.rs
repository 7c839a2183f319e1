//! Staff stock endpoints: levels and movements (staff); restock, waste and inventory (managers).
//! The resource, its shape and its work are `http::stock`, shared with the admin API.

use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use uuid::Uuid;

use super::ApiTags;
use super::security::{Everyone, Managers, StaffOf, staff};
use crate::http::Problem;
use crate::http::paging::Paging;
use crate::http::stock::{self, Applied, CountIn, IngredientPage, Movement, QuantityIn};
use crate::stock::Operation;

#[derive(Default)]
pub struct StockApi;

/// A manager's restock, waste or count.
async fn operate(
    m: &StaffOf<Managers>,
    id: Uuid,
    op: Operation,
    note: &str,
) -> Result<Json<Applied>, Problem> {
    let (tenant, by) = (m.tenant.id, m.principal.user_id);
    Ok(Json(
        stock::apply(m.pool(), tenant, by, id, op, note).await?,
    ))
}

#[OpenApi(tag = "ApiTags::Stock")]
impl StockApi {
    /// Ingredients by name with their quantity on hand (staff); `low=true`: only those at or
    /// below their alert threshold.
    #[oai(path = "/pizzerias/:slug/stock/ingredients", method = "get")]
    async fn list(
        &self,
        slug: staff::Path<Everyone>,
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

    /// The movements of an ingredient, newest first (staff); `before` (a movement id) pages back.
    #[oai(
        path = "/pizzerias/:slug/stock/ingredients/:id/movements",
        method = "get"
    )]
    async fn movements(
        &self,
        slug: staff::Path<Everyone>,
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

    /// Goods received (manager, owner).
    #[oai(
        path = "/pizzerias/:slug/stock/ingredients/:id/restock",
        method = "post"
    )]
    async fn restock(
        &self,
        slug: staff::Path<Managers>,
        id: Path<Uuid>,
        body: Json<QuantityIn>,
    ) -> Result<Json<Applied>, Problem> {
        let op = Operation::Restock(body.quantity);
        operate(&slug, id.0, op, &body.note).await
    }

    /// Thrown away, with the reason in `note` (manager, owner).
    #[oai(path = "/pizzerias/:slug/stock/ingredients/:id/waste", method = "post")]
    async fn waste(
        &self,
        slug: staff::Path<Managers>,
        id: Path<Uuid>,
        body: Json<QuantityIn>,
    ) -> Result<Json<Applied>, Problem> {
        let op = Operation::Waste(body.quantity);
        operate(&slug, id.0, op, &body.note).await
    }

    /// Inventory count: the stock becomes `counted`, the difference is recorded (manager, owner).
    #[oai(
        path = "/pizzerias/:slug/stock/ingredients/:id/inventory",
        method = "post"
    )]
    async fn inventory(
        &self,
        slug: staff::Path<Managers>,
        id: Path<Uuid>,
        body: Json<CountIn>,
    ) -> Result<Json<Applied>, Problem> {
        let op = Operation::Inventory(body.counted);
        operate(&slug, id.0, op, &body.note).await
    }
}
