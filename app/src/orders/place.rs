//! Placing an order: one transaction that checks, prices, reserves stock and numbers the order
//! (docs/DESIGN.md, "Orders"). Locks are always taken in the same order (idempotency key, slot,
//! ingredients by id, day counter; docs/DESIGN.md, "Lock order"), so concurrent orders wait for
//! each other but never deadlock; a transient serialisation failure is retried whole.

use std::collections::BTreeMap;

use anyhow::Context;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::address::{AddressInput, address};
use super::lines::{self, LineRequest};
use super::timing::{self, Lead};
use super::who::{Placer, contact};
use super::{OrderDetails, OrderError, idempotency, pricing, store};
use crate::auth;
use crate::db::locks::Held;
use crate::db::retry;
use crate::domain::lifecycle::Status;
use crate::domain::order::{Channel, Fulfilment, PaymentMethod};
use crate::domain::{InvalidInput, Locale};
use crate::menu::{self, MenuCache};
use crate::tenancy::Tenant;
use crate::{db, settings};

#[derive(Debug, Clone)]
pub struct OrderRequest {
    pub fulfilment: Fulfilment,
    pub lines: Vec<LineRequest>,
    pub delivery_address: Option<AddressInput>,
    /// A saved address of the signed-in customer, instead of `delivery_address`.
    pub address_id: Option<Uuid>,
    /// A slot start from `/opening`; none: as soon as possible.
    pub slot_start: Option<DateTime<Utc>>,
    pub payment_method: PaymentMethod,
    /// Overrides the account's phone for this order.
    pub contact_phone: Option<String>,
    pub note: String,
    /// The language of the order's emails, when the request says (its `locale`, else its
    /// `Accept-Language`); otherwise a customer's account language, else French.
    pub locale: Option<Locale>,
}

pub enum Placed {
    Created(Box<OrderDetails>),
    /// The stored answer of the first request with this Idempotency-Key.
    Replayed {
        status: u16,
        body: serde_json::Value,
    },
}

/// The Idempotency-Key of the request and the digest of its body.
pub struct Idempotency {
    pub key: String,
    pub hash: Vec<u8>,
}

/// Places an order. `render` turns the new order into the response body stored with the key.
pub async fn place(
    pool: &PgPool,
    menus: &MenuCache,
    tenant: &Tenant,
    placer: &Placer,
    req: &OrderRequest,
    idem: Option<&Idempotency>,
    render: impl Fn(&OrderDetails) -> anyhow::Result<serde_json::Value>,
) -> Result<Placed, OrderError> {
    let principal = placer.principal();
    let (principal, render) = (principal.as_str(), &render);
    retry::retrying("placing an order", || async move {
        let mut tx = db::begin_tenant(pool, tenant.id).await?;
        let mut held = Held::default();
        if let Some(stored) = replay(&mut tx, &mut held, tenant.id, principal, idem).await? {
            tx.commit().await?;
            return Ok(stored);
        }
        let details = place_in(&mut tx, &mut held, menus, tenant, placer, req, Utc::now()).await?;
        if let Some(i) = idem {
            let body = render(&details)?;
            idempotency::save(&mut tx, tenant.id, principal, &i.key, 201, &body).await?;
        }
        tx.commit().await?;
        tracing::info!(order = %details.order.id, number = details.order.number, total = details.order.total_cents, "order placed");
        crate::metrics::order_placed(details.order.channel, details.order.fulfilment);
        Ok(Placed::Created(Box::new(details)))
    })
    .await
}

/// Takes the request's `Idempotency-Key` (the first lock): the stored answer when the key was
/// used before with the same request, nothing when it is new.
pub(super) async fn replay(
    conn: &mut PgConnection,
    held: &mut Held,
    tenant: Uuid,
    principal: &str,
    idem: Option<&Idempotency>,
) -> Result<Option<Placed>, OrderError> {
    let Some(i) = idem else {
        return Ok(None);
    };
    match idempotency::begin(conn, held, tenant, principal, &i.key, &i.hash).await? {
        idempotency::Begin::Fresh => Ok(None),
        idempotency::Begin::Replay { status, body } => Ok(Some(Placed::Replayed { status, body })),
        idempotency::Begin::Mismatch => Err(OrderError::IdempotencyMismatch),
    }
}

async fn place_in(
    conn: &mut PgConnection,
    held: &mut Held,
    menus: &MenuCache,
    tenant: &Tenant,
    placer: &Placer,
    req: &OrderRequest,
    now: DateTime<Utc>,
) -> Result<OrderDetails, OrderError> {
    if let Placer::Customer { user_id } = placer {
        // Saved addresses are readable under the customer's own policy.
        sqlx::query!(
            "SELECT set_config('app.user_id', $1, true)",
            user_id.to_string()
        )
        .fetch_one(&mut *conn)
        .await?;
    }
    let settings = settings::load(conn, tenant.id).await?;
    let who = contact(conn, placer, req).await?;
    if who.channel == Channel::Web && settings.online_paused {
        return Err(OrderError::Paused {
            message: settings.pause_message,
        });
    }
    if req.payment_method == PaymentMethod::Online {
        return Err(InvalidInput::new(
            "payment_method",
            "online payment is not available yet: pay by cash or card on delivery or pickup",
        )
        .into());
    }
    if req.note.chars().count() > 500 {
        return Err(InvalidInput::new("note", "must have at most 500 characters").into());
    }
    let address = address(conn, placer, req).await?;
    let menu = menu::current(menus, conn, tenant.id).await?;
    let lines = lines::resolve(&menu, &req.lines, now)?;
    let totals = pricing::price(
        conn,
        tenant.id,
        &settings,
        &menu,
        &lines,
        address.as_ref().map(|a| a.postcode.as_str()),
    )
    .await?;

    let schedule = settings::schedule(conn, tenant, now).await?;
    let lead = Lead {
        prep_minutes: i64::from(settings.avg_prep_minutes),
        busy_minutes: i64::from(settings.busy_extra_minutes),
        delivery_minutes: i64::from(settings.avg_delivery_minutes),
        slot_minutes: i64::from(settings.slot_minutes),
    };
    let plan = timing::plan(&schedule, lead, req.fulfilment, req.slot_start, now)?;
    if let Some((start, _)) = plan.requested {
        store::lock_slot(conn, held, tenant.id, start).await?;
        if store::count_in_slot(conn, tenant.id, start).await?
            >= i64::from(settings.max_orders_per_slot)
        {
            return Err(OrderError::SlotFull { start });
        }
    }

    let id = Uuid::now_v7();
    let token = auth::refresh::generate();
    let new = store::NewOrder {
        id,
        service_day: plan.service_day,
        channel: who.channel.as_str(),
        fulfilment: req.fulfilment.as_str(),
        customer_id: who.customer_id,
        is_guest: who.is_guest,
        contact_name: &who.name,
        contact_phone: &who.phone,
        contact_email: who.email.as_deref(),
        placed_by: who.placed_by,
        delivery_line: address.as_ref().map(|a| a.line.as_str()),
        delivery_postcode: address.as_ref().map(|a| a.postcode.as_str()),
        delivery_city: address.as_ref().map(|a| a.city.as_str()),
        delivery_instructions: address.as_ref().map(|a| a.instructions.as_str()),
        delivery_lat: address.as_ref().and_then(|a| a.lat),
        delivery_lon: address.as_ref().and_then(|a| a.lon),
        requested_slot: plan.requested,
        slot_start: plan.capacity_slot,
        estimated_at: plan.estimated_at,
        payment_method: req.payment_method.as_str(),
        subtotal_cents: totals.subtotal.0,
        delivery_fee_cents: totals.delivery_fee.0,
        total_cents: totals.total.0,
        vat: pricing::vat_json(&totals),
        note: req.note.trim(),
        tracking_token: &token,
        locale: req.locale.map(Locale::as_str),
    };
    // Check and lock the stock first; the day's counter is taken last, so concurrent orders of
    // the pizzeria wait on it only for the few inserts below.
    let stock = pricing::check_stock(conn, held, tenant.id, id, &lines, &BTreeMap::new()).await?;
    let number = store::next_number(conn, held, tenant.id, plan.service_day).await?;
    store::insert(conn, tenant.id, &new, number).await?;
    for line in pricing::line_rows(&lines)? {
        store::insert_line(conn, tenant.id, id, who.customer_id, &line).await?;
    }
    pricing::record(
        conn,
        held,
        tenant.id,
        &stock,
        "order",
        who.actor,
        &format!("order #{number}"),
    )
    .await?;
    let event = store::NewEvent {
        kind: "status",
        order_id: id,
        customer_id: who.customer_id,
        from: None,
        to: Status::Received,
        actor: who.actor,
        role: who.role,
        reason: "",
    };
    store::insert_event(conn, held, tenant.id, &event).await?;
    if who.email.is_some() {
        crate::jobs::email(
            conn,
            &crate::jobs::EmailJob::OrderConfirmation {
                tenant: tenant.id,
                order: id,
            },
        )
        .await?;
    }
    super::load(conn, tenant.id, id)
        .await?
        .context("the new order vanished")
        .map_err(Into::into)
}
