//! Placing an order: one transaction that checks, prices, reserves stock and numbers the order
//! (DESIGN §4). Locks are always taken in the same order (idempotency key, slot, ingredients by
//! id, day counter), so concurrent orders wait for each other but never deadlock; a transient
//! serialisation failure is retried whole.

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::lines::{self, LineRequest, ResolvedLine};
use super::timing::{self, Lead};
use super::{OrderDetails, OrderError, idempotency, store};
use crate::accounts::{addresses, store as users};
use crate::auth;
use crate::domain::order::{Channel, Fulfilment, PaymentMethod, parse_postcode, totals};
use crate::domain::{Cents, Email, InvalidInput, PersonName, Phone, Role};
use crate::menu::{self, MenuCache};
use crate::stock;
use crate::tenancy::Tenant;
use crate::{db, settings};

/// Who places the order.
#[derive(Debug, Clone)]
pub enum Placer {
    /// A signed-in customer (channel web).
    Customer { user_id: Uuid },
    /// A guest on the web: name, email and phone are required.
    Guest {
        name: String,
        email: String,
        phone: String,
    },
    /// Staff taking a phone or counter order for a walk-in customer (name and phone).
    Staff {
        user_id: Uuid,
        role: Role,
        channel: Channel,
        name: String,
        phone: String,
    },
}

impl Placer {
    /// The scope of idempotency keys (DESIGN §9: tenant, principal, key).
    pub fn principal(&self) -> String {
        match self {
            Placer::Customer { user_id } | Placer::Staff { user_id, .. } => {
                format!("user:{user_id}")
            }
            Placer::Guest { email, .. } => format!("guest:{}", email.trim().to_lowercase()),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct AddressInput {
    pub line: String,
    pub postcode: String,
    pub city: String,
    pub instructions: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

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

const ATTEMPTS: usize = 3;

/// Places an order. `render` turns the new order into the response body stored with the key.
pub async fn place(
    pool: &PgPool,
    menus: &MenuCache,
    tenant: &Tenant,
    placer: &Placer,
    req: &OrderRequest,
    idem: Option<&Idempotency>,
    render: impl Fn(&OrderDetails) -> serde_json::Value,
) -> Result<Placed, OrderError> {
    let principal = placer.principal();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut tx = db::begin_tenant(pool, tenant.id).await?;
        if let Some(i) = idem {
            match idempotency::begin(&mut tx, tenant.id, &principal, &i.key, &i.hash).await? {
                idempotency::Begin::Fresh => {}
                idempotency::Begin::Replay { status, body } => {
                    tx.commit().await?;
                    return Ok(Placed::Replayed { status, body });
                }
                idempotency::Begin::Mismatch => return Err(OrderError::IdempotencyMismatch),
            }
        }
        match place_in(&mut tx, menus, tenant, placer, req, Utc::now()).await {
            Ok(details) => {
                if let Some(i) = idem {
                    idempotency::save(
                        &mut tx,
                        tenant.id,
                        &principal,
                        &i.key,
                        201,
                        &render(&details),
                    )
                    .await?;
                }
                tx.commit().await?;
                tracing::info!(order = %details.order.id, number = details.order.number, total = details.order.total_cents, "order placed");
                return Ok(Placed::Created(Box::new(details)));
            }
            Err(err) if attempt < ATTEMPTS && is_transient(&err) => {
                tracing::warn!(error = %format!("{err:#}"), attempt, "order transaction conflict, retrying");
                drop(tx);
            }
            Err(err) => return Err(err),
        }
    }
}

/// Deadlocks and serialisation failures: the transaction may simply be run again.
fn is_transient(err: &OrderError) -> bool {
    let OrderError::Unexpected(e) = err else {
        return false;
    };
    e.chain().any(|cause| {
        cause
            .downcast_ref::<sqlx::Error>()
            .and_then(|s| s.as_database_error())
            .and_then(|d| d.code())
            .is_some_and(|c| c == "40P01" || c == "40001")
    })
}

struct Contact {
    customer_id: Option<Uuid>,
    is_guest: bool,
    name: String,
    phone: String,
    email: Option<String>,
    placed_by: Option<Uuid>,
    channel: Channel,
    actor: Option<Uuid>,
    role: &'static str,
}

async fn contact(
    conn: &mut PgConnection,
    placer: &Placer,
    req: &OrderRequest,
) -> Result<Contact, OrderError> {
    let phone_of = |raw: &str| -> Result<String, InvalidInput> {
        if raw.trim().is_empty() {
            return Err(InvalidInput::new(
                "contact.phone",
                "a phone number is needed to reach you about the order",
            ));
        }
        Ok(Phone::parse(raw)
            .map_err(|e| InvalidInput::new("contact.phone", e.reason))?
            .as_str()
            .to_string())
    };
    Ok(match placer {
        Placer::Customer { user_id } => {
            let user = users::find(conn, *user_id)
                .await
                .context("reading the customer")?
                .ok_or(OrderError::Forbidden("unknown account"))?;
            let phone = phone_of(req.contact_phone.as_deref().unwrap_or(&user.phone))?;
            let name = if user.name.trim().is_empty() {
                user.email.clone()
            } else {
                user.name
            };
            Contact {
                customer_id: Some(*user_id),
                is_guest: false,
                name,
                phone,
                email: Some(user.email),
                placed_by: None,
                channel: Channel::Web,
                actor: Some(*user_id),
                role: "customer",
            }
        }
        Placer::Guest { name, email, phone } => {
            let name =
                PersonName::parse(name).map_err(|e| InvalidInput::new("guest.name", e.reason))?;
            let email =
                Email::parse(email).map_err(|e| InvalidInput::new("guest.email", e.reason))?;
            Contact {
                customer_id: None,
                is_guest: true,
                name: name.as_str().into(),
                phone: phone_of(phone)?,
                email: Some(email.as_str().into()),
                placed_by: None,
                channel: Channel::Web,
                actor: None,
                role: "guest",
            }
        }
        Placer::Staff {
            user_id,
            role,
            channel,
            name,
            phone,
        } => {
            if *channel == Channel::Web {
                return Err(
                    InvalidInput::new("channel", "staff take phone or counter orders").into(),
                );
            }
            let name = PersonName::parse(name)
                .map_err(|e| InvalidInput::new("customer.name", e.reason))?;
            Contact {
                customer_id: None,
                is_guest: false,
                name: name.as_str().into(),
                phone: phone_of(phone)?,
                email: None,
                placed_by: Some(*user_id),
                channel: *channel,
                actor: Some(*user_id),
                role: role.as_str(),
            }
        }
    })
}

struct Address {
    line: String,
    postcode: String,
    city: String,
    instructions: String,
    lat: Option<f64>,
    lon: Option<f64>,
}

async fn address(
    conn: &mut PgConnection,
    placer: &Placer,
    req: &OrderRequest,
) -> Result<Option<Address>, OrderError> {
    if req.fulfilment == Fulfilment::Takeaway {
        return Ok(None);
    }
    let input = match (req.address_id, &req.delivery_address, placer) {
        (Some(id), _, Placer::Customer { user_id }) => {
            let saved = addresses::find(conn, *user_id, id)
                .await
                .context("reading a saved address")?
                .ok_or(OrderError::UnknownItem {
                    what: "address",
                    id,
                })?;
            AddressInput {
                line: saved.line,
                postcode: saved.postcode,
                city: saved.city,
                instructions: saved.instructions,
                latitude: saved.latitude,
                longitude: saved.longitude,
            }
        }
        (Some(_), _, _) => {
            return Err(InvalidInput::new(
                "address_id",
                "saved addresses are for signed-in customers",
            )
            .into());
        }
        (None, Some(a), _) => a.clone(),
        (None, None, _) => {
            return Err(
                InvalidInput::new("delivery_address", "a delivery needs an address").into(),
            );
        }
    };
    let text = |field: &'static str,
                v: &str,
                max: usize,
                required: bool|
     -> Result<String, InvalidInput> {
        let v = v.trim();
        if (required && v.is_empty()) || v.chars().count() > max || v.chars().any(char::is_control)
        {
            return Err(InvalidInput::new(
                field,
                format!("must have {} to {max} characters", u8::from(required)),
            ));
        }
        Ok(v.to_string())
    };
    if input.latitude.is_some_and(|l| !(-90.0..=90.0).contains(&l))
        || input
            .longitude
            .is_some_and(|l| !(-180.0..=180.0).contains(&l))
    {
        return Err(
            InvalidInput::new("delivery_address.latitude", "coordinates out of range").into(),
        );
    }
    Ok(Some(Address {
        line: text("delivery_address.line", &input.line, 200, true)?,
        postcode: parse_postcode(&input.postcode)?,
        city: text("delivery_address.city", &input.city, 100, true)?,
        instructions: text(
            "delivery_address.instructions",
            &input.instructions,
            280,
            false,
        )?,
        lat: input.latitude,
        lon: input.longitude,
    }))
}

async fn place_in(
    conn: &mut PgConnection,
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
    let priced: Vec<_> = lines.iter().map(ResolvedLine::priced).collect();
    let subtotal: i64 = priced.iter().map(|l| l.total().0).sum();

    let delivery_fee = match &address {
        None => 0,
        Some(a) => {
            let zones = settings::store::zones(conn, tenant.id)
                .await
                .context("reading delivery zones")?;
            let zone = zones
                .iter()
                .find(|z| z.postcode == a.postcode)
                .ok_or_else(|| OrderError::OutsideZone {
                    postcode: a.postcode.clone(),
                })?;
            let minimum = i64::from(settings.min_delivery_order_cents);
            if subtotal < minimum {
                return Err(OrderError::BelowMinimum {
                    minimum_cents: minimum,
                    subtotal_cents: subtotal,
                });
            }
            i64::from(
                zone.fee_cents
                    .unwrap_or(settings.default_delivery_fee_cents),
            )
        }
    };
    let totals = totals(
        &priced,
        Cents(delivery_fee),
        menu.vat_rate_bp("food").unwrap_or(1000),
    );

    let schedule = settings::schedule(conn, tenant, now).await?;
    let lead = Lead {
        prep_minutes: i64::from(settings.avg_prep_minutes),
        busy_minutes: i64::from(settings.busy_extra_minutes),
        delivery_minutes: i64::from(settings.avg_delivery_minutes),
        slot_minutes: i64::from(settings.slot_minutes),
    };
    let plan = timing::plan(&schedule, lead, req.fulfilment, req.slot_start, now)?;
    if let Some((start, _)) = plan.requested {
        store::lock_slot(conn, tenant.id, start).await?;
        if store::count_in_slot(conn, tenant.id, start).await?
            >= i64::from(settings.max_orders_per_slot)
        {
            return Err(OrderError::SlotFull { start });
        }
    }

    // Reserve stock: lock the ingredients in id order, check, then record the movements.
    let needs = lines::total_needs(&lines);
    let ids: Vec<Uuid> = needs.keys().copied().collect();
    let on_hand = stock::store::lock_many(conn, tenant.id, &ids).await?;
    for (ingredient, need) in &needs {
        if on_hand.get(ingredient).copied().unwrap_or(0) < *need {
            let line = lines
                .iter()
                .find(|l| l.needs.iter().any(|(i, _)| i == ingredient))
                .context("a need without a line")?;
            return Err(OrderError::OutOfStock {
                product: line.product_name.clone(),
                size: line.size_label.clone(),
            });
        }
    }

    let id = Uuid::now_v7();
    let token = auth::refresh::generate();
    let vat = json!(
        totals
            .vat
            .iter()
            .map(|v| json!({ "rate_bp": v.rate_bp, "base_cents": v.base.0, "vat_cents": v.vat.0 }))
            .collect::<Vec<_>>()
    );
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
        vat,
        note: req.note.trim(),
        tracking_token: &token,
    };
    let number = store::next_number(conn, tenant.id, plan.service_day).await?;
    store::insert(conn, tenant.id, &new, number).await?;
    for (no, l) in (1..).zip(&lines) {
        let extras = json!(
            l.extras
                .iter()
                .map(|e| json!({ "id": e.id, "name": e.name, "price_cents": e.price_cents }))
                .collect::<Vec<_>>()
        );
        let line = store::NewLine {
            line_no: no,
            product_id: l.product_id,
            size_id: l.size_id,
            product_name: &l.product_name,
            size_label: &l.size_label,
            kind: &l.kind,
            extras,
            quantity: i32::try_from(l.quantity).context("quantity")?,
            unit_price_cents: l.unit_price_cents,
            vat_rate_bp: i32::try_from(l.vat_rate_bp).context("VAT rate")?,
            line_total_cents: l.unit_price_cents * l.quantity,
        };
        store::insert_line(conn, tenant.id, id, who.customer_id, &line).await?;
    }
    let note = format!("order #{number}");
    for (ingredient, need) in &needs {
        let m = stock::store::NewMovement {
            ingredient_id: *ingredient,
            delta: -need,
            reason: "order",
            actor: who.actor,
            order_id: Some(id),
            note: &note,
        };
        stock::store::insert_movement(conn, tenant.id, &m).await?;
    }
    let event = store::NewEvent {
        order_id: id,
        customer_id: who.customer_id,
        from: None,
        to: "received",
        actor: who.actor,
        role: who.role,
        reason: "",
    };
    store::insert_event(conn, tenant.id, &event).await?;
    super::load(conn, tenant.id, id)
        .await?
        .context("the new order vanished")
        .map_err(Into::into)
}
