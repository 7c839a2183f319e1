//! Placing orders, reading one, tracking it by link, reordering, receipts.

use chrono::{DateTime, Utc};
use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::kitchen::day_or_today;
use super::order_access::{tracked_order, visible_order};
use super::order_input::{PlaceOrderBody, placer_of, request_of};
use super::order_view::{OrderView, answer, idempotency_of, order_json};
use super::security::{BearerAuth, Everyone, optional_principal, staff};
use crate::domain::lifecycle::Status;
use crate::domain::order::{Fulfilment, PaymentMethod};
use crate::http::Problem;
use crate::http::optional_body::OptionalJson;
use crate::http::strict::{Day, OneOf};
use crate::orders::AddressInput;
use crate::orders::lines::LineRequest;
use crate::orders::{self, OrderDetails, OrderRequest, Placer, queries};
use crate::state::AppState;
use crate::tenancy::{self, Tenant};

#[derive(Default)]
pub struct OrdersApi;

#[derive(Object, Default)]
#[oai(skip_serializing_if_is_none)]
struct ReorderBody {
    /// Defaults to the past order's.
    fulfilment: Option<OneOf<Fulfilment>>,
    slot_start: Option<DateTime<Utc>>,
    payment_method: Option<OneOf<PaymentMethod>>,
}

#[derive(ApiResponse)]
enum PlacedResponse {
    /// The order (an `OrderView`). With `Idempotent-Replayed: true`, the stored answer to the
    /// first request that used this Idempotency-Key.
    #[oai(status = 201)]
    Created(
        Json<serde_json::Value>,
        #[oai(header = "Idempotent-Replayed")] Option<String>,
    ),
}

async fn run_place(
    state: &AppState,
    tenant: &Tenant,
    placer: &Placer,
    request: &OrderRequest,
    key: Option<&str>,
    body_json: serde_json::Value,
) -> Result<PlacedResponse, Problem> {
    let idem = idempotency_of(key, &body_json)?;
    let url = &state.config.http.public_url;
    let render = |d: &OrderDetails| order_json(d, &tenant.slug, url);
    let placed = orders::place(
        &state.pool,
        &state.menus,
        tenant,
        placer,
        request,
        idem.as_ref(),
        render,
    )
    .await?;
    let (body, replayed) = answer(placed, &tenant.slug, url)?;
    Ok(PlacedResponse::Created(Json(body), replayed))
}

#[OpenApi(tag = "ApiTags::Orders")]
impl OrdersApi {
    /// Orders of a service day (default: today's), optionally of one `status` (staff).
    // Here, beside placing, so the OpenAPI document has both operations of the path (poem-openapi
    // keeps one impl's operations per path).
    #[oai(
        path = "/pizzerias/:slug/orders",
        method = "get",
        tag = "ApiTags::Kitchen"
    )]
    async fn day(
        &self,
        state: Data<&AppState>,
        slug: staff::Path<Everyone>,
        day: Query<Option<Day>>,
        status: Query<Option<OneOf<Status>>>,
    ) -> Result<Json<Vec<OrderView>>, Problem> {
        let status = status.0.as_ref().map(OneOf::get).transpose()?;
        let day = day_or_today(&state, &slug.tenant, day.0).await?;
        let orders = slug
            .run(async |tx, t, _| Ok(queries::of_day(tx, t, day, status).await?))
            .await?;
        Ok(Json(
            orders
                .iter()
                .map(|d| OrderView::new(d, &slug.tenant.slug, &state.config.http.public_url))
                .collect::<anyhow::Result<_>>()?,
        ))
    }

    /// Place an order: as a guest (no token, `guest` details), as a signed-in customer, or as
    /// staff taking a phone or counter order (`channel`, `customer`). Send an `Idempotency-Key`
    /// so that retries never make a second order.
    #[oai(path = "/pizzerias/:slug/orders", method = "post")]
    async fn place(
        &self,
        state: Data<&AppState>,
        req: &Request,
        slug: Path<String>,
        #[oai(name = "Idempotency-Key")] idempotency_key: Header<Option<String>>,
        body: Json<PlaceOrderBody>,
    ) -> Result<PlacedResponse, Problem> {
        let who = optional_principal(&state, req).await?;
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        let request = request_of(&body, req)?;
        let placer = placer_of(&state, &tenant, who, &body).await?;
        run_place(
            &state,
            &tenant,
            &placer,
            &request,
            idempotency_key.0.as_deref(),
            body.0
                .to_json()
                .ok_or_else(|| anyhow::anyhow!("serialising an order request"))?,
        )
        .await
    }

    /// One order: for its customer and the pizzeria's staff.
    #[oai(path = "/pizzerias/:slug/orders/:id", method = "get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        slug: Path<String>,
        id: Path<Uuid>,
    ) -> Result<Json<OrderView>, Problem> {
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        let details = visible_order(&state, &tenant, auth.0, *id).await?;
        Ok(Json(OrderView::new(
            &details,
            &tenant.slug,
            &state.config.http.public_url,
        )?))
    }

    /// Follow an order with the tracking link's token (guests, phone customers).
    #[oai(path = "/pizzerias/:slug/track/:token", method = "get")]
    async fn track(
        &self,
        state: Data<&AppState>,
        slug: Path<String>,
        token: Path<String>,
    ) -> Result<Json<OrderView>, Problem> {
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        let details = tracked_order(&state, &tenant, &token).await?;
        Ok(Json(OrderView::new(
            &details,
            &tenant.slug,
            &state.config.http.public_url,
        )?))
    }

    /// Order again what a past order had, at today's prices and availability.
    #[oai(path = "/pizzerias/:slug/orders/:id/reorder", method = "post")]
    async fn reorder(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        slug: Path<String>,
        id: Path<Uuid>,
        #[oai(name = "Idempotency-Key")] idempotency_key: Header<Option<String>>,
        body: OptionalJson<ReorderBody>,
    ) -> Result<PlacedResponse, Problem> {
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        let past = visible_order(&state, &tenant, auth.0, *id).await?;
        if past.order.customer_id != Some(auth.0.user_id) {
            return Err(Problem::not_found("order"));
        }
        let b = body.0.unwrap_or_default();
        let fulfilment = match &b.fulfilment {
            Some(f) => f.get()?,
            None => past.order.fulfilment,
        };
        let request = OrderRequest {
            fulfilment,
            lines: past
                .lines
                .iter()
                .map(|l| LineRequest {
                    product_id: l.product_id,
                    size_id: l.size_id,
                    extras: l
                        .extras
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|e| e["id"].as_str()?.parse().ok())
                                .collect()
                        })
                        .unwrap_or_default(),
                    quantity: i64::from(l.quantity),
                })
                .collect(),
            delivery_address: past.order.delivery_line.as_ref().map(|line| AddressInput {
                line: line.clone(),
                postcode: past.order.delivery_postcode.clone().unwrap_or_default(),
                city: past.order.delivery_city.clone().unwrap_or_default(),
                instructions: past.order.delivery_instructions.clone().unwrap_or_default(),
                latitude: past.order.delivery_lat,
                longitude: past.order.delivery_lon,
            }),
            address_id: None,
            slot_start: b.slot_start,
            payment_method: match &b.payment_method {
                Some(m) => m.get()?,
                None => past.order.payment_method,
            },
            contact_phone: Some(past.order.contact_phone.clone()),
            note: String::new(),
            locale: past.order.locale.as_deref().and_then(|l| l.parse().ok()),
        };
        let fingerprint = serde_json::json!({ "reorder": past.order.id, "fulfilment": fulfilment.as_str(), "slot_start": b.slot_start, "payment_method": request.payment_method.as_str() });
        run_place(
            &state,
            &tenant,
            &Placer::Customer {
                user_id: auth.0.user_id,
            },
            &request,
            idempotency_key.0.as_deref(),
            fingerprint,
        )
        .await
    }
}
