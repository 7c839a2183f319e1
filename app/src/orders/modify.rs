//! A customer changes the lines of their order while it is still only received: re-priced,
//! re-checked and re-reserved in one transaction, idempotent like placing.

use std::collections::BTreeMap;

use anyhow::Context;
use chrono::Utc;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::lines::{self, LineRequest};
use super::place::{Idempotency, replay};
use super::transitions::ActingAs;
use super::{OrderDetails, OrderError, Placed, idempotency, pricing, store};
use crate::db::locks::Held;
use crate::db::retry;
use crate::domain::lifecycle::{self, Actor};
use crate::menu::{self, MenuCache};
use crate::tenancy::Tenant;
use crate::{db, settings};

/// Replaces the lines of an order. `principal` scopes the Idempotency-Key.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn modify(
    pool: &PgPool,
    menus: &MenuCache,
    tenant: &Tenant,
    order_id: Uuid,
    who: ActingAs,
    requested: &[LineRequest],
    idem: Option<(&str, &Idempotency)>,
    render: impl Fn(&OrderDetails) -> anyhow::Result<serde_json::Value>,
) -> Result<Placed, OrderError> {
    let render = &render;
    retry::retrying("changing an order", || async move {
        let mut tx = db::begin_tenant(pool, tenant.id).await?;
        let mut held = Held::default();
        let (principal, key) = idem.unzip();
        let principal = principal.unwrap_or_default();
        if let Some(stored) = replay(&mut tx, &mut held, tenant.id, principal, key).await? {
            tx.commit().await?;
            return Ok(stored);
        }
        let details =
            modify_in(&mut tx, &mut held, menus, tenant, order_id, who, requested).await?;
        if let Some(i) = key {
            let body = render(&details)?;
            idempotency::save(&mut tx, tenant.id, principal, &i.key, 200, &body).await?;
        }
        tx.commit().await?;
        tracing::info!(order = %order_id, total = details.order.total_cents, "order modified");
        Ok(Placed::Created(Box::new(details)))
    })
    .await
}

async fn modify_in(
    conn: &mut PgConnection,
    held: &mut Held,
    menus: &MenuCache,
    tenant: &Tenant,
    order_id: Uuid,
    who: ActingAs,
    requested: &[LineRequest],
) -> Result<OrderDetails, OrderError> {
    let order = store::lock(conn, held, tenant.id, order_id)
        .await?
        .ok_or(OrderError::NotFound)?;
    let status = order.status;
    if !matches!(who.actor, Actor::Customer | Actor::Guest) {
        return Err(OrderError::Forbidden(
            "only the customer changes an order's lines",
        ));
    }
    if !lifecycle::can_modify(status, who.actor) {
        return Err(OrderError::NotModifiable { status });
    }
    let settings = settings::load(conn, tenant.id).await?;
    let menu = menu::current(menus, conn, tenant.id).await?;
    let lines = lines::resolve(&menu, requested, Utc::now())?;
    let totals = pricing::price(
        conn,
        tenant.id,
        &settings,
        &menu,
        &lines,
        order.delivery_postcode.as_deref(),
    )
    .await?;
    let reserved: BTreeMap<Uuid, i64> = store::reserved(conn, tenant.id, order_id)
        .await?
        .into_iter()
        .map(|(id, net)| (id, -net))
        .collect();
    let stock = pricing::check_stock(conn, held, tenant.id, order_id, &lines, &reserved).await?;
    let rows = pricing::line_rows(&lines)?;
    let t = store::Totals {
        subtotal_cents: totals.subtotal.0,
        delivery_fee_cents: totals.delivery_fee.0,
        total_cents: totals.total.0,
        vat: pricing::vat_json(&totals),
    };
    store::replace_lines(conn, tenant.id, order_id, order.customer_id, &rows, &t).await?;
    pricing::record(
        conn,
        held,
        tenant.id,
        &stock,
        "modification",
        who.user_id,
        &format!("order #{} modified", order.number),
    )
    .await?;
    let event = store::NewEvent {
        kind: "modified",
        order_id,
        customer_id: order.customer_id,
        from: Some(status),
        to: status,
        actor: who.user_id,
        role: who.actor.as_str(),
        reason: "lines modified",
    };
    store::insert_event(conn, held, tenant.id, &event).await?;
    if order.contact_email.is_some() {
        let job = crate::jobs::EmailJob::OrderModified {
            tenant: tenant.id,
            order: order_id,
        };
        crate::jobs::email(conn, &job).await?;
    }
    super::load(conn, tenant.id, order_id)
        .await?
        .context("the order vanished")
        .map_err(Into::into)
}
