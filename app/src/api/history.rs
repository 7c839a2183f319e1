//! `/me/orders`: a customer's orders in every pizzeria.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::security::BearerAuth;
use crate::http::Problem;
use crate::http::tx::as_user;
use crate::orders::queries;
use crate::state::AppState;

#[derive(Default)]
pub struct HistoryApi;

#[derive(Object)]
struct PastOrder {
    id: Uuid,
    pizzeria: String,
    pizzeria_name: String,
    number: i32,
    status: String,
    fulfilment: String,
    total_cents: i64,
    placed_at: DateTime<Utc>,
    /// Details at `/pizzerias/{pizzeria}/orders/{id}`.
    url: String,
}

#[OpenApi(tag = "ApiTags::Orders")]
impl HistoryApi {
    /// Your orders in every pizzeria, newest first. Page with `before` = the last `placed_at`.
    #[oai(path = "/me/orders", method = "get")]
    async fn history(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        before: Query<Option<DateTime<Utc>>>,
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "100"))
        )]
        limit: Query<i64>,
    ) -> Result<Json<Vec<PastOrder>>, Problem> {
        let rows = as_user(&state.pool, auth.0.user_id, async |tx| {
            Ok(queries::history(tx, auth.0.user_id, before.0, *limit).await?)
        })
        .await?;
        Ok(Json(
            rows.into_iter()
                .map(|r| PastOrder {
                    url: format!("/api/v1/pizzerias/{}/orders/{}", r.pizzeria, r.order.id),
                    id: r.order.id,
                    pizzeria: r.pizzeria,
                    pizzeria_name: r.pizzeria_name,
                    number: r.order.number,
                    status: r.order.status.to_string(),
                    fulfilment: r.order.fulfilment.to_string(),
                    total_cents: r.order.total_cents,
                    placed_at: r.order.placed_at,
                })
                .collect(),
        ))
    }
}

fn default_limit() -> i64 {
    20
}
