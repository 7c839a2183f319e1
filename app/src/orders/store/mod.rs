//! SQL of orders, lines, events and order numbers (run in a tenant transaction).

mod changes;

pub use changes::*;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::locks::{Held, Lock, LockError};
use crate::domain::lifecycle::Status;
use crate::domain::order::{Channel, Fulfilment, PaymentMethod};

#[derive(Debug, Clone)]
pub struct OrderRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub service_day: NaiveDate,
    pub number: i32,
    pub channel: Channel,
    pub fulfilment: Fulfilment,
    pub status: Status,
    pub customer_id: Option<Uuid>,
    pub is_guest: bool,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: Option<String>,
    pub placed_by: Option<Uuid>,
    pub delivery_line: Option<String>,
    pub delivery_postcode: Option<String>,
    pub delivery_city: Option<String>,
    pub delivery_instructions: Option<String>,
    pub delivery_lat: Option<f64>,
    pub delivery_lon: Option<f64>,
    pub requested_slot_start: Option<DateTime<Utc>>,
    pub requested_slot_end: Option<DateTime<Utc>>,
    pub slot_start: Option<DateTime<Utc>>,
    pub estimated_at: DateTime<Utc>,
    pub payment_method: PaymentMethod,
    pub payment_status: String,
    pub subtotal_cents: i64,
    pub delivery_fee_cents: i64,
    pub total_cents: i64,
    pub vat: serde_json::Value,
    pub note: String,
    pub tracking_token: String,
    pub placed_at: DateTime<Utc>,
    pub preparing_at: Option<DateTime<Utc>>,
    pub ready_at: Option<DateTime<Utc>>,
    pub out_for_delivery_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub picked_up_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
    pub cancel_reason: Option<String>,
    pub driver_id: Option<Uuid>,
    pub paid_at: Option<DateTime<Utc>>,
    /// `fr` or `en`: the language it was placed in, if said.
    pub locale: Option<String>,
}

#[derive(Debug, Clone)]
pub struct LineRow {
    pub line_no: i16,
    pub product_id: Uuid,
    pub size_id: Uuid,
    pub product_name: String,
    pub size_label: String,
    pub kind: String,
    pub extras: serde_json::Value,
    pub quantity: i32,
    pub unit_price_cents: i64,
    pub vat_rate_bp: i32,
    pub line_total_cents: i64,
}

/// Everything of a new order but its number (assigned last, see [`next_number`]).
pub struct NewOrder<'a> {
    pub id: Uuid,
    pub service_day: NaiveDate,
    pub channel: &'a str,
    pub fulfilment: &'a str,
    pub customer_id: Option<Uuid>,
    pub is_guest: bool,
    pub contact_name: &'a str,
    pub contact_phone: &'a str,
    pub contact_email: Option<&'a str>,
    pub placed_by: Option<Uuid>,
    pub delivery_line: Option<&'a str>,
    pub delivery_postcode: Option<&'a str>,
    pub delivery_city: Option<&'a str>,
    pub delivery_instructions: Option<&'a str>,
    pub delivery_lat: Option<f64>,
    pub delivery_lon: Option<f64>,
    pub requested_slot: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub slot_start: Option<DateTime<Utc>>,
    pub estimated_at: DateTime<Utc>,
    pub payment_method: &'a str,
    pub subtotal_cents: i64,
    pub delivery_fee_cents: i64,
    pub total_cents: i64,
    pub vat: serde_json::Value,
    pub note: &'a str,
    pub tracking_token: &'a str,
    pub locale: Option<&'static str>,
}

pub struct NewLine<'a> {
    pub line_no: i16,
    pub product_id: Uuid,
    pub size_id: Uuid,
    pub product_name: &'a str,
    pub size_label: &'a str,
    pub kind: &'a str,
    pub extras: serde_json::Value,
    pub quantity: i32,
    pub unit_price_cents: i64,
    pub vat_rate_bp: i32,
    pub line_total_cents: i64,
}

/// The next order number of a service day. Take it last in the transaction: the counter row
/// stays locked until commit, so concurrent orders of the pizzeria wait only for that.
pub(crate) async fn next_number(
    conn: &mut PgConnection,
    held: &mut Held,
    tenant_id: Uuid,
    day: NaiveDate,
) -> Result<i32, LockError> {
    held.take(Lock::DayCounter)?;
    Ok(sqlx::query_scalar!(
        r#"INSERT INTO order_counters (tenant_id, service_day, last_number) VALUES ($1, $2, 1)
           ON CONFLICT (tenant_id, service_day) DO UPDATE SET last_number = order_counters.last_number + 1
           RETURNING last_number"#,
        tenant_id,
        day
    )
    .fetch_one(conn)
    .await?)
}

pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    o: &NewOrder<'_>,
    number: i32,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO orders (tenant_id, id, service_day, number, channel, fulfilment, status, customer_id,
               is_guest, contact_name, contact_phone, contact_email, placed_by, delivery_line,
               delivery_postcode, delivery_city, delivery_instructions, delivery_lat, delivery_lon,
               requested_slot_start, requested_slot_end, slot_start, estimated_at, payment_method,
               subtotal_cents, delivery_fee_cents, total_cents, vat, note, tracking_token, locale)
           VALUES ($1, $2, $3, $4, $5, $6, 'received', $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
               $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30)"#,
        tenant_id,
        o.id,
        o.service_day,
        number,
        o.channel,
        o.fulfilment,
        o.customer_id,
        o.is_guest,
        o.contact_name,
        o.contact_phone,
        o.contact_email,
        o.placed_by,
        o.delivery_line,
        o.delivery_postcode,
        o.delivery_city,
        o.delivery_instructions,
        o.delivery_lat,
        o.delivery_lon,
        o.requested_slot.map(|s| s.0),
        o.requested_slot.map(|s| s.1),
        o.slot_start,
        o.estimated_at,
        o.payment_method,
        o.subtotal_cents,
        o.delivery_fee_cents,
        o.total_cents,
        o.vat,
        o.note,
        o.tracking_token,
        o.locale
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn insert_line(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    order_id: Uuid,
    customer_id: Option<Uuid>,
    l: &NewLine<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO order_lines (tenant_id, order_id, line_no, customer_id, product_id, size_id,
               product_name, size_label, kind, extras, quantity, unit_price_cents, vat_rate_bp, line_total_cents)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"#,
        tenant_id,
        order_id,
        l.line_no,
        customer_id,
        l.product_id,
        l.size_id,
        l.product_name,
        l.size_label,
        l.kind,
        l.extras,
        l.quantity,
        l.unit_price_cents,
        l.vat_rate_bp,
        l.line_total_cents
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub struct NewEvent<'a> {
    /// `status` (a status change), `modified` (lines changed) or `assigned` (a driver assigned).
    pub kind: &'a str,
    pub order_id: Uuid,
    pub customer_id: Option<Uuid>,
    pub from: Option<Status>,
    pub to: Status,
    pub actor: Option<Uuid>,
    pub role: &'a str,
    pub reason: &'a str,
}

/// Records an event. Events of a pizzeria are numbered in commit order: a transaction-scoped
/// lock per pizzeria, taken here as the last lock of every transaction that records one, makes
/// the next event wait for this one's commit, so `Last-Event-ID` replays never skip an event.
pub(crate) async fn insert_event(
    conn: &mut PgConnection,
    held: &mut Held,
    tenant_id: Uuid,
    e: &NewEvent<'_>,
) -> Result<i64, LockError> {
    held.take(Lock::Events)?;
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtextextended('events/' || $1::text, 0))",
        tenant_id.to_string()
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(sqlx::query_scalar!(
        r#"INSERT INTO order_events (tenant_id, order_id, customer_id, kind, from_status, to_status, actor_user_id, actor_role, reason)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"#,
        tenant_id,
        e.order_id,
        e.customer_id,
        e.kind,
        e.from as Option<Status>,
        e.to as Status,
        e.actor,
        e.role,
        e.reason
    )
    .fetch_one(conn)
    .await?)
}

/// Serialises orders competing for one slot (until commit).
pub(crate) async fn lock_slot(
    conn: &mut PgConnection,
    held: &mut Held,
    tenant_id: Uuid,
    slot_start: DateTime<Utc>,
) -> Result<(), LockError> {
    held.take(Lock::Slot)?;
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtextextended($1::text || '/' || $2::text, 0))",
        tenant_id.to_string(),
        slot_start.to_rfc3339()
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}

/// Orders counting against a slot (every order not cancelled).
pub(crate) async fn count_in_slot(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    slot_start: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM orders WHERE tenant_id = $1 AND slot_start = $2 AND status <> 'cancelled'"#,
        tenant_id,
        slot_start
    )
    .fetch_one(conn)
    .await
}

/// Orders counting against each slot starting in [from, to).
pub(crate) async fn slot_bookings(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT slot_start AS "slot!", count(*) AS "n!" FROM orders
           WHERE tenant_id = $1 AND slot_start >= $2 AND slot_start < $3 AND status <> 'cancelled'
           GROUP BY slot_start"#,
        tenant_id,
        from,
        to
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.slot, r.n)).collect())
}

pub async fn find(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<Option<OrderRow>, sqlx::Error> {
    Ok(find_many(conn, &[tenant_id], &[id]).await?.pop())
}

/// The orders `ids` of the pizzerias `tenant_ids`, in the order of `ids`: the one place where
/// an order row is read (and its status, channel, fulfilment and payment method decoded).
pub(crate) async fn find_many(
    conn: &mut PgConnection,
    tenant_ids: &[Uuid],
    ids: &[Uuid],
) -> Result<Vec<OrderRow>, sqlx::Error> {
    sqlx::query_as!(
        OrderRow,
        r#"SELECT tenant_id, id, service_day, number, channel AS "channel: Channel",
                  fulfilment AS "fulfilment: Fulfilment", status AS "status: Status", customer_id,
                  is_guest, contact_name, contact_phone, contact_email, placed_by, delivery_line,
                  delivery_postcode, delivery_city, delivery_instructions, delivery_lat,
                  delivery_lon, requested_slot_start, requested_slot_end, slot_start,
                  estimated_at, payment_method AS "payment_method: PaymentMethod",
                  payment_status, subtotal_cents, delivery_fee_cents, total_cents, vat, note,
                  tracking_token, placed_at, preparing_at, ready_at, out_for_delivery_at,
                  delivered_at, picked_up_at, cancelled_at, returned_at, cancel_reason, driver_id,
                  paid_at, locale
           FROM orders WHERE tenant_id = ANY($1) AND id = ANY($2)
           ORDER BY array_position($2, id)"#,
        tenant_ids,
        ids
    )
    .fetch_all(conn)
    .await
}

/// The order a tracking link names (the link's token is unique per pizzeria).
pub(crate) async fn find_by_token(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    token: &str,
) -> Result<Option<OrderRow>, sqlx::Error> {
    let id = sqlx::query_scalar!(
        "SELECT id FROM orders WHERE tenant_id = $1 AND tracking_token = $2",
        tenant_id,
        token
    )
    .fetch_optional(&mut *conn)
    .await?;
    match id {
        Some(id) => find(conn, tenant_id, id).await,
        None => Ok(None),
    }
}

pub async fn lines(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    order_id: Uuid,
) -> Result<Vec<LineRow>, sqlx::Error> {
    sqlx::query_as!(
        LineRow,
        r#"SELECT line_no, product_id, size_id, product_name, size_label, kind, extras, quantity,
                  unit_price_cents, vat_rate_bp, line_total_cents
           FROM order_lines WHERE tenant_id = $1 AND order_id = $2 ORDER BY line_no"#,
        tenant_id,
        order_id
    )
    .fetch_all(conn)
    .await
}
