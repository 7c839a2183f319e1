//! Staff stock endpoints: levels, movements; restock, waste and inventory by managers.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::security::{BearerAuth, MANAGERS, STAFF, require_role, staff_pizzeria};
use crate::http::Problem;
use crate::http::tx::in_tenant;
use crate::state::AppState;
use crate::stock::{self, Applied, IngredientRow, MovementRow};
use crate::tenancy;

#[derive(Default)]
pub struct StockApi;

#[derive(Object)]
struct IngredientView {
    id: Uuid,
    name: String,
    /// `g`, `ml` or `piece`.
    unit: String,
    on_hand: i64,
    alert_threshold: i64,
    /// At or below the alert threshold.
    low: bool,
}

impl From<IngredientRow> for IngredientView {
    fn from(i: IngredientRow) -> Self {
        Self {
            low: i.quantity_on_hand <= i.alert_threshold,
            id: i.id,
            name: i.name,
            unit: i.unit,
            on_hand: i.quantity_on_hand,
            alert_threshold: i.alert_threshold,
        }
    }
}

#[derive(Object)]
struct MovementView {
    id: i64,
    delta: i64,
    /// order, cancellation, modification, restock, waste or inventory.
    reason: String,
    by_user_id: Option<Uuid>,
    by_name: Option<String>,
    order_id: Option<Uuid>,
    note: String,
    at: DateTime<Utc>,
}

impl From<MovementRow> for MovementView {
    fn from(m: MovementRow) -> Self {
        Self {
            id: m.id,
            delta: m.delta,
            reason: m.reason,
            by_user_id: m.actor_user_id,
            by_name: m.actor_name,
            order_id: m.order_id,
            note: m.note,
            at: m.at,
        }
    }
}

#[derive(Object)]
struct QuantityRequest {
    /// In the ingredient's unit; positive.
    quantity: i64,
    /// Why (required for waste).
    #[oai(default)]
    note: String,
}

#[derive(Object)]
struct InventoryRequest {
    /// What was counted, in the ingredient's unit.
    counted: i64,
    #[oai(default)]
    note: String,
}

#[derive(Object)]
struct AppliedView {
    ingredient: IngredientView,
    /// The recorded change; absent when the count matched the stock.
    delta: Option<i64>,
}

impl From<Applied> for AppliedView {
    fn from(a: Applied) -> Self {
        Self {
            ingredient: a.ingredient.into(),
            delta: a.delta,
        }
    }
}

enum Operation {
    Restock(i64),
    Waste(i64),
    Inventory(i64),
}

async fn operate(
    state: &AppState,
    auth: &BearerAuth,
    slug: &str,
    id: Uuid,
    op: Operation,
    note: &str,
) -> Result<Json<AppliedView>, Problem> {
    let tenant = tenancy::resolve(&state.pool, slug).await?;
    require_role(state, &tenant, auth.0, MANAGERS).await?;
    let actor = auth.0.user_id;
    let applied = in_tenant(&state.pool, tenant.id, async |tx| {
        let applied = match op {
            Operation::Restock(q) => stock::restock(tx, tenant.id, id, actor, q, note).await?,
            Operation::Waste(q) => stock::waste(tx, tenant.id, id, actor, q, note).await?,
            Operation::Inventory(q) => stock::inventory(tx, tenant.id, id, actor, q, note).await?,
        };
        Ok(applied)
    })
    .await?;
    Ok(Json(applied.into()))
}

#[OpenApi(tag = "ApiTags::Stock")]
impl StockApi {
    /// Every ingredient with its quantity on hand (staff).
    #[oai(path = "/pizzerias/:slug/stock/ingredients", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        slug: Path<String>,
    ) -> Result<Json<Vec<IngredientView>>, Problem> {
        let tenant = staff_pizzeria(&state, &slug, auth.0, STAFF).await?;
        let rows = in_tenant(&state.pool, tenant.id, async |tx| {
            Ok(stock::store::list(tx, tenant.id).await?)
        })
        .await?;
        Ok(Json(rows.into_iter().map(Into::into).collect()))
    }

    /// The movements of an ingredient, newest first (staff). Page with `before` = the last id seen.
    #[oai(
        path = "/pizzerias/:slug/stock/ingredients/:id/movements",
        method = "get"
    )]
    async fn movements(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        slug: Path<String>,
        id: Path<Uuid>,
        before: Query<Option<i64>>,
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "500"))
        )]
        limit: Query<i64>,
    ) -> Result<Json<Vec<MovementView>>, Problem> {
        let tenant = staff_pizzeria(&state, &slug, auth.0, STAFF).await?;
        let rows = in_tenant(&state.pool, tenant.id, async |tx| {
            let exists = stock::store::list(tx, tenant.id)
                .await?
                .iter()
                .any(|i| i.id == *id);
            if !exists {
                return Err(Problem::not_found("ingredient"));
            }
            Ok(stock::store::movements(tx, tenant.id, *id, *before, *limit).await?)
        })
        .await?;
        Ok(Json(rows.into_iter().map(Into::into).collect()))
    }

    /// Goods received (manager, owner).
    #[oai(
        path = "/pizzerias/:slug/stock/ingredients/:id/restock",
        method = "post"
    )]
    async fn restock(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        slug: Path<String>,
        id: Path<Uuid>,
        body: Json<QuantityRequest>,
    ) -> Result<Json<AppliedView>, Problem> {
        operate(
            &state,
            &auth,
            &slug,
            *id,
            Operation::Restock(body.quantity),
            &body.note,
        )
        .await
    }

    /// Thrown away, with the reason in `note` (manager, owner).
    #[oai(path = "/pizzerias/:slug/stock/ingredients/:id/waste", method = "post")]
    async fn waste(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        slug: Path<String>,
        id: Path<Uuid>,
        body: Json<QuantityRequest>,
    ) -> Result<Json<AppliedView>, Problem> {
        operate(
            &state,
            &auth,
            &slug,
            *id,
            Operation::Waste(body.quantity),
            &body.note,
        )
        .await
    }

    /// Inventory count: sets the quantity on hand and records the difference (manager, owner).
    #[oai(
        path = "/pizzerias/:slug/stock/ingredients/:id/inventory",
        method = "post"
    )]
    async fn inventory(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        slug: Path<String>,
        id: Path<Uuid>,
        body: Json<InventoryRequest>,
    ) -> Result<Json<AppliedView>, Problem> {
        operate(
            &state,
            &auth,
            &slug,
            *id,
            Operation::Inventory(body.counted),
            &body.note,
        )
        .await
    }
}

fn default_limit() -> i64 {
    100
}
