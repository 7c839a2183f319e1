//! The JSON shape of an order, shared by every endpoint that returns one.

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use poem_openapi::Object;
use uuid::Uuid;

use poem_openapi::types::ToJSON;

use crate::http::Problem;
use crate::orders::{Idempotency, OrderDetails, Placed, idempotency};

#[derive(Object, serde::Deserialize)]
pub struct ExtraLine {
    pub id: Uuid,
    pub name: String,
    pub price_cents: i64,
}

#[derive(Object)]
pub struct LineView {
    pub product_id: Uuid,
    pub size_id: Uuid,
    pub name: String,
    pub size: String,
    pub kind: String,
    pub extras: Vec<ExtraLine>,
    pub quantity: i32,
    /// Size plus extras, VAT included.
    pub unit_price_cents: i64,
    pub vat_rate_bp: i32,
    pub line_total_cents: i64,
}

#[derive(Object, serde::Deserialize)]
pub struct VatView {
    pub rate_bp: i64,
    /// Without VAT.
    pub base_cents: i64,
    pub vat_cents: i64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AddressView {
    pub line: String,
    pub postcode: String,
    pub city: String,
    pub instructions: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ContactView {
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    pub guest: bool,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OrderView {
    pub id: Uuid,
    pub pizzeria: String,
    /// Human number, per pizzeria and service day.
    pub number: i32,
    pub service_day: NaiveDate,
    pub status: String,
    /// `web`, `phone` or `counter`.
    pub channel: String,
    /// `delivery` or `takeaway`.
    pub fulfilment: String,
    pub lines: Vec<LineView>,
    pub subtotal_cents: i64,
    pub delivery_fee_cents: i64,
    pub total_cents: i64,
    /// VAT per rate (prices include it).
    pub vat: Vec<VatView>,
    pub payment_method: String,
    pub payment_status: String,
    /// The slot asked for; absent: as soon as possible.
    pub requested_slot_start: Option<DateTime<Utc>>,
    pub requested_slot_end: Option<DateTime<Utc>>,
    /// When it should be ready (takeaway) or delivered (delivery).
    pub estimated_at: DateTime<Utc>,
    pub delivery_address: Option<AddressView>,
    pub contact: ContactView,
    pub customer_id: Option<Uuid>,
    pub note: String,
    pub placed_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: Option<String>,
    /// Follow the order without an account (keep it private).
    pub tracking_url: String,
}

impl OrderView {
    /// The view of an order; a stored JSON column that does not decode is our fault (500).
    pub fn new(d: &OrderDetails, pizzeria: &str, public_url: &str) -> anyhow::Result<Self> {
        let o = &d.order;
        let lines = d
            .lines
            .iter()
            .map(|l| {
                Ok(LineView {
                    product_id: l.product_id,
                    size_id: l.size_id,
                    name: l.product_name.clone(),
                    size: l.size_label.clone(),
                    kind: l.kind.clone(),
                    extras: serde_json::from_value(l.extras.clone()).with_context(|| {
                        format!("the extras of line {} of order {}", l.line_no, o.id)
                    })?,
                    quantity: l.quantity,
                    unit_price_cents: l.unit_price_cents,
                    vat_rate_bp: l.vat_rate_bp,
                    line_total_cents: l.line_total_cents,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let vat = serde_json::from_value(o.vat.clone())
            .with_context(|| format!("the VAT of order {}", o.id))?;
        Ok(Self {
            id: o.id,
            pizzeria: pizzeria.to_string(),
            number: o.number,
            service_day: o.service_day,
            status: o.status.to_string(),
            channel: o.channel.to_string(),
            fulfilment: o.fulfilment.to_string(),
            lines,
            subtotal_cents: o.subtotal_cents,
            delivery_fee_cents: o.delivery_fee_cents,
            total_cents: o.total_cents,
            vat,
            payment_method: o.payment_method.to_string(),
            payment_status: o.payment_status.clone(),
            requested_slot_start: o.requested_slot_start,
            requested_slot_end: o.requested_slot_end,
            estimated_at: o.estimated_at,
            delivery_address: o.delivery_line.as_ref().map(|line| AddressView {
                line: line.clone(),
                postcode: o.delivery_postcode.clone().unwrap_or_default(),
                city: o.delivery_city.clone().unwrap_or_default(),
                instructions: o.delivery_instructions.clone().unwrap_or_default(),
                latitude: o.delivery_lat,
                longitude: o.delivery_lon,
            }),
            contact: ContactView {
                name: o.contact_name.clone(),
                phone: o.contact_phone.clone(),
                email: o.contact_email.clone(),
                guest: o.is_guest,
            },
            customer_id: o.customer_id,
            note: o.note.clone(),
            placed_at: o.placed_at,
            cancelled_at: o.cancelled_at,
            cancel_reason: o.cancel_reason.clone(),
            tracking_url: format!(
                "{}/api/v1/pizzerias/{pizzeria}/track/{}",
                public_url.trim_end_matches('/'),
                o.tracking_token
            ),
        })
    }
}

/// The key of an `Idempotency-Key` header with the digest of the request it came with.
pub(crate) fn idempotency_of(
    key: Option<&str>,
    request: &serde_json::Value,
) -> Result<Option<Idempotency>, Problem> {
    Ok(key
        .map(idempotency::parse_key)
        .transpose()?
        .map(|key| Idempotency {
            key,
            hash: idempotency::request_hash(request),
        }))
}

/// The JSON of an order.
pub(crate) fn order_json(
    d: &OrderDetails,
    pizzeria: &str,
    public_url: &str,
) -> anyhow::Result<serde_json::Value> {
    OrderView::new(d, pizzeria, public_url)?
        .to_json()
        .context("serialising an order")
}

/// The body of a placing or modifying answer, and the `Idempotent-Replayed` header of a replay.
pub fn answer(
    placed: Placed,
    pizzeria: &str,
    public_url: &str,
) -> anyhow::Result<(serde_json::Value, Option<String>)> {
    match placed {
        Placed::Created(details) => Ok((order_json(&details, pizzeria, public_url)?, None)),
        Placed::Replayed { body, .. } => Ok((body, Some("true".into()))),
    }
}
