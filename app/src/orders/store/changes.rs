//! SQL of what happens to an order after it is placed: status changes, modifications.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::locks::{Held, Lock, LockError};
use crate::domain::lifecycle::Status;
use crate::domain::order::PaymentMethod;

use super::{NewLine, OrderRow, insert_line};

/// The order, locked until the transaction ends: transitions of one order happen one at a time.
pub(crate) async fn lock(
    conn: &mut PgConnection,
    held: &mut Held,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<Option<OrderRow>, LockError> {
    held.take(Lock::Order)?;
    let locked = sqlx::query_scalar!(
        "SELECT id FROM orders WHERE tenant_id = $1 AND id = $2 FOR NO KEY UPDATE",
        tenant_id,
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    match locked {
        Some(id) => Ok(super::find(conn, tenant_id, id).await?),
        None => Ok(None),
    }
}

pub struct StatusChange<'a> {
    pub to: Status,
    pub driver_id: Option<Uuid>,
    pub payment_method: PaymentMethod,
    pub paid: bool,
    pub cancel_reason: Option<&'a str>,
}

/// Moves an order to a new status, stamping the time of that status.
pub(crate) async fn set_status(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    c: &StatusChange<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE orders SET
               status = $3,
               preparing_at = CASE WHEN $3 = 'preparing' THEN now() ELSE preparing_at END,
               ready_at = CASE WHEN $3 = 'ready' THEN now() ELSE ready_at END,
               out_for_delivery_at = CASE WHEN $3 = 'out_for_delivery' THEN now() ELSE out_for_delivery_at END,
               delivered_at = CASE WHEN $3 = 'delivered' THEN now() ELSE delivered_at END,
               picked_up_at = CASE WHEN $3 = 'picked_up' THEN now() ELSE picked_up_at END,
               cancelled_at = CASE WHEN $3 = 'cancelled' THEN now() ELSE cancelled_at END,
               returned_at = CASE WHEN $3 = 'returned' THEN now() ELSE returned_at END,
               cancel_reason = coalesce($6, cancel_reason),
               driver_id = coalesce($4, driver_id),
               payment_method = $5,
               payment_status = CASE WHEN $7 THEN 'paid' ELSE payment_status END,
               paid_at = CASE WHEN $7 THEN now() ELSE paid_at END
           WHERE tenant_id = $1 AND id = $2"#,
        tenant_id,
        id,
        c.to as Status,
        c.driver_id,
        c.payment_method as PaymentMethod,
        c.cancel_reason,
        c.paid
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// What an order holds from stock now: the net of its movements per ingredient (negative).
pub(crate) async fn reserved(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    order_id: Uuid,
) -> Result<Vec<(Uuid, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT ingredient_id, sum(delta)::bigint AS "net!" FROM stock_movements
           WHERE tenant_id = $1 AND order_id = $2 GROUP BY ingredient_id ORDER BY ingredient_id"#,
        tenant_id,
        order_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.ingredient_id, r.net)).collect())
}

pub struct Totals {
    pub subtotal_cents: i64,
    pub delivery_fee_cents: i64,
    pub total_cents: i64,
    pub vat: serde_json::Value,
}

/// Replaces an order's lines and totals (a modification).
pub(crate) async fn replace_lines(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    order_id: Uuid,
    customer_id: Option<Uuid>,
    lines: &[NewLine<'_>],
    t: &Totals,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM order_lines WHERE tenant_id = $1 AND order_id = $2",
        tenant_id,
        order_id
    )
    .execute(&mut *conn)
    .await?;
    for l in lines {
        insert_line(conn, tenant_id, order_id, customer_id, l).await?;
    }
    sqlx::query!(
        "UPDATE orders SET subtotal_cents = $3, delivery_fee_cents = $4, total_cents = $5, vat = $6 WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        order_id,
        t.subtotal_cents,
        t.delivery_fee_cents,
        t.total_cents,
        t.vat
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Gives the order to a driver (before dispatch).
pub(crate) async fn set_driver(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    driver_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE orders SET driver_id = $3 WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        id,
        driver_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets the driver's positions of an order (it arrived or came back): the trail belongs to
/// the order and ends with its delivery.
pub(crate) async fn forget_positions(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    order_id: Uuid,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "DELETE FROM delivery_positions WHERE tenant_id = $1 AND order_id = $2",
        tenant_id,
        order_id
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
