//! Moving orders along: staff and customers act on an order by id, guests through the tracking
//! link; customers and guests change the lines until preparation starts.

use poem::web::Data;
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::order_access::tracked_order;
use super::order_input::LineBody;
use super::order_view::{OrderView, answer, idempotency_of, order_json};
use super::security::{BearerAuth, staff_roles};
use crate::domain::lifecycle::{Action, Actor};
use crate::domain::order::PaymentMethod;
use crate::http::Problem;
use crate::http::optional_body::OptionalJson;
use crate::http::strict::{OneOf, Text};
use crate::http::tx::in_tenant;
use crate::orders::transitions::{self, ActingAs, ActionInput};
use crate::orders::{self, OrderDetails, modify};
use crate::state::AppState;
use crate::tenancy::{self, Tenant};

#[derive(Default)]
pub struct OrderActionsApi;

#[derive(Object, Default)]
#[oai(skip_serializing_if_is_none)]
struct ActionBody {
    /// Why; required when staff cancel.
    #[oai(default)]
    reason: Text<280>,
    /// On `deliver` or `pick-up`: how the customer paid (`cash` or `card`), if not as ordered.
    payment_method: Option<OneOf<PaymentMethod>>,
}

#[derive(Object)]
struct LinesBody {
    lines: Vec<LineBody>,
}

#[derive(ApiResponse)]
enum Modified {
    /// The order with its new lines and totals (an `OrderView`); `Idempotent-Replayed: true`
    /// when this is the stored answer to an earlier request with the same key.
    #[oai(status = 200)]
    Ok(
        Json<serde_json::Value>,
        #[oai(header = "Idempotent-Replayed")] Option<String>,
    ),
}

fn input(body: &ActionBody) -> Result<ActionInput, Problem> {
    Ok(ActionInput {
        reason: body.reason.to_string(),
        payment_method: body.payment_method.as_ref().map(OneOf::get).transpose()?,
    })
}

/// Who acts on order `id`: staff by their role here, else its own customer; anyone else gets
/// the 404 of a missing order.
async fn acting(
    state: &AppState,
    tenant: &Tenant,
    auth: &BearerAuth,
    id: Uuid,
    action: Action,
) -> Result<ActingAs, Problem> {
    let roles = staff_roles(state, tenant, auth.0).await?;
    if let Some(staff) = ActingAs::staff(auth.0.user_id, &roles, action) {
        return Ok(staff);
    }
    let order = in_tenant(&state.pool, tenant.id, async |tx| {
        Ok(orders::store::find(tx, tenant.id, id).await?)
    })
    .await?;
    match order {
        Some(o) if o.customer_id == Some(auth.0.user_id) => Ok(ActingAs {
            user_id: Some(auth.0.user_id),
            actor: Actor::Customer,
        }),
        _ => Err(Problem::not_found("order")),
    }
}

fn view(state: &AppState, tenant: &Tenant, d: &OrderDetails) -> anyhow::Result<OrderView> {
    OrderView::new(d, &tenant.slug, &state.config.http.public_url)
}

async fn change_lines(
    state: &AppState,
    tenant: &Tenant,
    id: Uuid,
    who: ActingAs,
    principal: String,
    key: Option<&str>,
    body: &LinesBody,
) -> Result<Modified, Problem> {
    let requested: Vec<_> = body.lines.iter().map(LineBody::request).collect();
    let body_json = body
        .to_json()
        .ok_or_else(|| anyhow::anyhow!("serialising a change of lines"))?;
    let idem = idempotency_of(key, &body_json)?;
    let url = &state.config.http.public_url;
    let render = |d: &OrderDetails| order_json(d, &tenant.slug, url);
    let scoped = idem.as_ref().map(|i| (principal.as_str(), i));
    let placed = modify::modify(
        &state.pool,
        &state.menus,
        tenant,
        id,
        who,
        &requested,
        scoped,
        render,
    )
    .await?;
    let (body, replayed) = answer(placed, &tenant.slug, url)?;
    Ok(Modified::Ok(Json(body), replayed))
}

#[OpenApi(tag = "ApiTags::Orders")]
impl OrderActionsApi {
    /// Act on an order: `start` and `ready` (kitchen), `dispatch`, `deliver` and `return`
    /// (drivers), `pick-up` (counter), `cancel` (counter and managers with a reason; the
    /// customer until preparation starts). Managers and owners may do all of these.
    #[oai(path = "/pizzerias/:slug/orders/:id/actions/:action", method = "post")]
    async fn act(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        slug: Path<String>,
        id: Path<Uuid>,
        action: Path<OneOf<Action>>,
        body: OptionalJson<ActionBody>,
    ) -> Result<Json<OrderView>, Problem> {
        let action = action.0.get()?;
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        let who = acting(&state, &tenant, &auth, *id, action).await?;
        let input = input(&body.0.unwrap_or_default())?;
        let details = transitions::act(&state.pool, tenant.id, *id, who, action, &input).await?;
        Ok(Json(view(&state, &tenant, &details)?))
    }

    /// With the tracking link: cancel the order (until preparation starts).
    #[oai(
        path = "/pizzerias/:slug/track/:token/actions/:action",
        method = "post"
    )]
    async fn act_by_link(
        &self,
        state: Data<&AppState>,
        slug: Path<String>,
        token: Path<String>,
        action: Path<OneOf<Action>>,
        body: OptionalJson<ActionBody>,
    ) -> Result<Json<OrderView>, Problem> {
        let action = action.0.get()?;
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        let order = tracked_order(&state, &tenant, &token).await?;
        let input = input(&body.0.unwrap_or_default())?;
        let who = ActingAs {
            user_id: None,
            actor: Actor::Guest,
        };
        let details =
            transitions::act(&state.pool, tenant.id, order.order.id, who, action, &input).await?;
        Ok(Json(view(&state, &tenant, &details)?))
    }

    /// Change the lines of your order until preparation starts: re-priced, re-checked and
    /// re-reserved at once. Send an `Idempotency-Key`.
    #[oai(path = "/pizzerias/:slug/orders/:id/lines", method = "put")]
    async fn change(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        slug: Path<String>,
        id: Path<Uuid>,
        #[oai(name = "Idempotency-Key")] idempotency_key: Header<Option<String>>,
        body: Json<LinesBody>,
    ) -> Result<Modified, Problem> {
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        let order = in_tenant(&state.pool, tenant.id, async |tx| {
            Ok(orders::store::find(tx, tenant.id, *id).await?)
        })
        .await?;
        if order.is_none_or(|o| o.customer_id != Some(auth.0.user_id)) {
            return Err(Problem::not_found("order"));
        }
        let who = ActingAs {
            user_id: Some(auth.0.user_id),
            actor: Actor::Customer,
        };
        change_lines(
            &state,
            &tenant,
            *id,
            who,
            format!("user:{}", auth.0.user_id),
            idempotency_key.0.as_deref(),
            &body,
        )
        .await
    }

    /// With the tracking link: change the lines until preparation starts.
    #[oai(path = "/pizzerias/:slug/track/:token/lines", method = "put")]
    async fn change_by_link(
        &self,
        state: Data<&AppState>,
        slug: Path<String>,
        token: Path<String>,
        #[oai(name = "Idempotency-Key")] idempotency_key: Header<Option<String>>,
        body: Json<LinesBody>,
    ) -> Result<Modified, Problem> {
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        let order = tracked_order(&state, &tenant, &token).await?;
        let who = ActingAs {
            user_id: None,
            actor: Actor::Guest,
        };
        change_lines(
            &state,
            &tenant,
            order.order.id,
            who,
            format!("order:{}", order.order.id),
            idempotency_key.0.as_deref(),
            &body,
        )
        .await
    }
}
