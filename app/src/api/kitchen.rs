//! Staff views: the kitchen queue with recipe memos, a day's orders, one order's events, the
//! end-of-day summary.

use chrono::{DateTime, NaiveDate, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::security::{BearerAuth, Everyone, require_role, staff};
use crate::domain::Role;
use crate::http::Problem;
use crate::http::strict::Day;
use crate::http::tx::in_tenant;
use crate::menu::{self, MenuData};
use crate::orders::queries;
use crate::orders::store::LineRow;
use crate::settings;
use crate::state::AppState;
use crate::tenancy::{self, Tenant};

#[derive(Default)]
pub struct KitchenApi;

#[derive(Object)]
struct MemoItem {
    ingredient: String,
    quantity: i64,
    unit: String,
}

#[derive(Object)]
struct QueueLine {
    name: String,
    size: String,
    quantity: i32,
    extras: Vec<String>,
    /// What goes on one of them: the size's recipe plus the extras.
    recipe: Vec<MemoItem>,
}

#[derive(Object)]
struct QueueOrder {
    id: Uuid,
    number: i32,
    status: String,
    fulfilment: String,
    channel: String,
    /// When the customer wants it: the slot start, or placement for as soon as possible.
    wanted_at: DateTime<Utc>,
    estimated_at: DateTime<Utc>,
    placed_at: DateTime<Utc>,
    note: String,
    lines: Vec<QueueLine>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct EventView {
    id: i64,
    from: Option<String>,
    to: String,
    by_user_id: Option<Uuid>,
    by_name: Option<String>,
    role: String,
    reason: String,
    at: DateTime<Utc>,
}

#[derive(Object)]
struct GroupView {
    key: String,
    orders: i64,
    total_cents: i64,
}

#[derive(Object)]
struct DriverCashView {
    driver_id: Uuid,
    name: String,
    orders: i64,
    /// Cash the driver collected and hands over.
    cash_cents: i64,
}

#[derive(Object)]
struct SummaryView {
    pizzeria: String,
    service_day: NaiveDate,
    /// Delivered or picked up.
    settled_orders: i64,
    settled_cents: i64,
    by_channel: Vec<GroupView>,
    by_fulfilment: Vec<GroupView>,
    by_payment_method: Vec<GroupView>,
    in_progress: i64,
    cancelled: i64,
    returned: i64,
    cash_by_driver: Vec<DriverCashView>,
}

fn memo_line(menu: &MenuData, l: &LineRow) -> QueueLine {
    let extra_ids: Vec<Uuid> = l
        .extras
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["id"].as_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let extras: Vec<String> = l
        .extras
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let size_recipe = menu
        .product(l.product_id)
        .and_then(|p| p.size(l.size_id))
        .map(|s| s.recipe.clone())
        .unwrap_or_default();
    let mut recipe: Vec<MemoItem> = Vec::new();
    for item in size_recipe.iter().chain(
        extra_ids
            .iter()
            .filter_map(|id| menu.extra(*id))
            .flat_map(|e| e.recipe.iter()),
    ) {
        match recipe.iter_mut().find(|m| m.ingredient == item.ingredient) {
            Some(m) => m.quantity += item.quantity,
            None => recipe.push(MemoItem {
                ingredient: item.ingredient.clone(),
                quantity: item.quantity,
                unit: item.unit.clone(),
            }),
        }
    }
    QueueLine {
        name: l.product_name.clone(),
        size: l.size_label.clone(),
        quantity: l.quantity,
        extras,
        recipe,
    }
}

/// The service day `day` names, or today's: the current opening's, else the local date.
pub(super) async fn day_or_today(
    state: &AppState,
    tenant: &Tenant,
    day: Option<Day>,
) -> Result<NaiveDate, Problem> {
    if let Some(Day(day)) = day {
        return Ok(day);
    }
    let now = Utc::now();
    let schedule = in_tenant(&state.pool, tenant.id, async |tx| {
        Ok(settings::schedule(tx, tenant, now).await?)
    })
    .await?;
    Ok(schedule
        .service_day(now)
        .unwrap_or_else(|| now.with_timezone(&tenant.timezone).date_naive()))
}

fn groups(s: &queries::Summary, dimension: &str) -> Vec<GroupView> {
    s.groups
        .iter()
        .filter(|g| g.dimension == dimension)
        .map(|g| GroupView {
            key: g.key.clone(),
            orders: g.orders,
            total_cents: g.total_cents,
        })
        .collect()
}

#[OpenApi(tag = "ApiTags::Kitchen")]
impl KitchenApi {
    /// The kitchen queue: received and preparing orders, by requested time then placement,
    /// each line with its recipe memo (staff).
    #[oai(path = "/pizzerias/:slug/kitchen", method = "get")]
    async fn queue(
        &self,
        state: Data<&AppState>,
        slug: staff::Path<Everyone>,
    ) -> Result<Json<Vec<QueueOrder>>, Problem> {
        let (orders, menu) = slug
            .run(async |tx, t, _| {
                let orders = queries::kitchen_queue(tx, t).await?;
                let menu = menu::current(&state.menus, tx, t).await?;
                Ok((orders, menu))
            })
            .await?;
        Ok(Json(
            orders
                .iter()
                .map(|d| QueueOrder {
                    id: d.order.id,
                    number: d.order.number,
                    status: d.order.status.to_string(),
                    fulfilment: d.order.fulfilment.to_string(),
                    channel: d.order.channel.to_string(),
                    wanted_at: d.order.requested_slot_start.unwrap_or(d.order.placed_at),
                    estimated_at: d.order.estimated_at,
                    placed_at: d.order.placed_at,
                    note: d.order.note.clone(),
                    lines: d.lines.iter().map(|l| memo_line(&menu, l)).collect(),
                })
                .collect(),
        ))
    }

    /// Every status change of an order: who, role, when, why (staff and the customer).
    #[oai(path = "/pizzerias/:slug/orders/:id/timeline", method = "get")]
    async fn events(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        slug: Path<String>,
        id: Path<Uuid>,
    ) -> Result<Json<Vec<EventView>>, Problem> {
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        super::order_access::visible_order(&state, &tenant, auth.0, *id).await?;
        let rows = in_tenant(&state.pool, tenant.id, async |tx| {
            Ok(queries::events(tx, tenant.id, *id).await?)
        })
        .await?;
        Ok(Json(
            rows.into_iter()
                .map(|e| EventView {
                    id: e.id,
                    from: e.from_status.map(|s| s.to_string()),
                    to: e.to_status.to_string(),
                    by_user_id: e.actor_user_id,
                    by_name: e.actor_name,
                    role: e.actor_role,
                    reason: e.reason,
                    at: e.at,
                })
                .collect(),
        ))
    }

    /// End-of-day summary: settled orders and totals by channel, fulfilment and payment method,
    /// and the cash each driver hands over (owner, manager, cashier).
    #[oai(path = "/pizzerias/:slug/summary", method = "get")]
    async fn summary(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        slug: Path<String>,
        day: Query<Option<Day>>,
    ) -> Result<Json<SummaryView>, Problem> {
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        require_role(
            &state,
            &tenant,
            auth.0,
            &[Role::Owner, Role::Manager, Role::Cashier],
        )
        .await?;
        let day = day_or_today(&state, &tenant, day.0).await?;
        let s = in_tenant(&state.pool, tenant.id, async |tx| {
            Ok(queries::summary(tx, tenant.id, day).await?)
        })
        .await?;
        Ok(Json(SummaryView {
            pizzeria: tenant.slug,
            service_day: day,
            settled_orders: s.settled_orders,
            settled_cents: s.settled_cents,
            by_channel: groups(&s, "channel"),
            by_fulfilment: groups(&s, "fulfilment"),
            by_payment_method: groups(&s, "payment_method"),
            in_progress: s.in_progress,
            cancelled: s.cancelled,
            returned: s.returned,
            cash_by_driver: s
                .cash_by_driver
                .into_iter()
                .map(|d| DriverCashView {
                    driver_id: d.driver_id,
                    name: d.name,
                    orders: d.orders,
                    cash_cents: d.cash_cents,
                })
                .collect(),
        }))
    }
}
