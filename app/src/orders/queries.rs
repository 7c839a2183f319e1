//! Reads for staff and customer views: the kitchen queue, a day's orders, events, the
//! end-of-day summary, a customer's history across pizzerias.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::OrderDetails;
use super::store::{self, LineRow, OrderRow};
use crate::domain::lifecycle::Status;

/// Received and preparing orders, by requested time (a slot, else placement) then placement.
pub(crate) async fn kitchen_queue(
    conn: &mut PgConnection,
    tenant_id: Uuid,
) -> Result<Vec<OrderDetails>, sqlx::Error> {
    let ids = sqlx::query_scalar!(
        r#"SELECT id FROM orders WHERE tenant_id = $1 AND status IN ('received', 'preparing')
           ORDER BY coalesce(requested_slot_start, placed_at), placed_at"#,
        tenant_id
    )
    .fetch_all(&mut *conn)
    .await?;
    let orders = store::find_many(conn, &[tenant_id], &ids).await?;
    with_lines(conn, tenant_id, orders).await
}

/// Orders of a service day, optionally of one status, by number.
pub(crate) async fn of_day(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    day: NaiveDate,
    status: Option<Status>,
) -> Result<Vec<OrderDetails>, sqlx::Error> {
    let ids = sqlx::query_scalar!(
        r#"SELECT id FROM orders WHERE tenant_id = $1 AND service_day = $2 AND ($3::text IS NULL OR status = $3)
           ORDER BY number"#,
        tenant_id,
        day,
        status as Option<Status>
    )
    .fetch_all(&mut *conn)
    .await?;
    let orders = store::find_many(conn, &[tenant_id], &ids).await?;
    with_lines(conn, tenant_id, orders).await
}

async fn with_lines(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    orders: Vec<OrderRow>,
) -> Result<Vec<OrderDetails>, sqlx::Error> {
    let ids: Vec<Uuid> = orders.iter().map(|o| o.id).collect();
    let rows = sqlx::query!(
        r#"SELECT order_id, line_no, product_id, size_id, product_name, size_label, kind, extras, quantity,
                  unit_price_cents, vat_rate_bp, line_total_cents
           FROM order_lines WHERE tenant_id = $1 AND order_id = ANY($2) ORDER BY order_id, line_no"#,
        tenant_id,
        &ids
    )
    .fetch_all(conn)
    .await?;
    Ok(orders
        .into_iter()
        .map(|order| {
            let lines = rows
                .iter()
                .filter(|r| r.order_id == order.id)
                .map(|r| LineRow {
                    line_no: r.line_no,
                    product_id: r.product_id,
                    size_id: r.size_id,
                    product_name: r.product_name.clone(),
                    size_label: r.size_label.clone(),
                    kind: r.kind.clone(),
                    extras: r.extras.clone(),
                    quantity: r.quantity,
                    unit_price_cents: r.unit_price_cents,
                    vat_rate_bp: r.vat_rate_bp,
                    line_total_cents: r.line_total_cents,
                })
                .collect();
            OrderDetails { order, lines }
        })
        .collect())
}

pub struct EventRow {
    pub id: i64,
    pub from_status: Option<Status>,
    pub to_status: Status,
    pub actor_user_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub actor_role: String,
    pub reason: String,
    pub at: DateTime<Utc>,
}

pub async fn events(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    order_id: Uuid,
) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as!(
        EventRow,
        r#"SELECT e.id AS "id!", e.from_status AS "from_status?: Status", e.to_status AS "to_status!: Status",
                  e.actor_user_id AS "actor_user_id?", (SELECT u.name FROM users u WHERE u.id = e.actor_user_id) AS "actor_name?", e.actor_role AS "actor_role!",
                  e.reason AS "reason!", e.at AS "at!"
           FROM order_events e
           WHERE e.tenant_id = $1 AND e.order_id = $2 ORDER BY e.id"#,
        tenant_id,
        order_id
    )
    .fetch_all(conn)
    .await
}

/// One group of the summary: `key` is the channel, fulfilment or payment method.
pub struct Group {
    pub dimension: &'static str,
    pub key: String,
    pub orders: i64,
    pub total_cents: i64,
}

pub struct DriverCash {
    pub driver_id: Uuid,
    pub name: String,
    pub orders: i64,
    pub cash_cents: i64,
}

pub struct Summary {
    /// Settled orders (delivered or picked up): what the day earned.
    pub settled_orders: i64,
    pub settled_cents: i64,
    pub groups: Vec<Group>,
    pub in_progress: i64,
    pub cancelled: i64,
    pub returned: i64,
    pub cash_by_driver: Vec<DriverCash>,
}

pub async fn summary(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    day: NaiveDate,
) -> Result<Summary, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT channel AS "channel?", fulfilment AS "fulfilment?", payment_method AS "payment_method?",
                  GROUPING(channel) AS "g_channel!", GROUPING(fulfilment) AS "g_fulfilment!",
                  GROUPING(payment_method) AS "g_payment!",
                  count(*) AS "orders!", coalesce(sum(total_cents), 0)::bigint AS "total!"
           FROM orders
           WHERE tenant_id = $1 AND service_day = $2 AND status IN ('delivered', 'picked_up')
           GROUP BY GROUPING SETS ((channel), (fulfilment), (payment_method), ())"#,
        tenant_id,
        day
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut s = Summary {
        settled_orders: 0,
        settled_cents: 0,
        groups: vec![],
        in_progress: 0,
        cancelled: 0,
        returned: 0,
        cash_by_driver: vec![],
    };
    for r in rows {
        let (dimension, key) = match (r.g_channel, r.g_fulfilment, r.g_payment) {
            (0, _, _) => ("channel", r.channel),
            (_, 0, _) => ("fulfilment", r.fulfilment),
            (_, _, 0) => ("payment_method", r.payment_method),
            _ => {
                s.settled_orders = r.orders;
                s.settled_cents = r.total;
                continue;
            }
        };
        s.groups.push(Group {
            dimension,
            key: key.unwrap_or_default(),
            orders: r.orders,
            total_cents: r.total,
        });
    }
    s.groups
        .sort_by(|a, b| (a.dimension, &a.key).cmp(&(b.dimension, &b.key)));
    let counts = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE status NOT IN ('delivered', 'picked_up', 'cancelled', 'returned')) AS "open!",
                  count(*) FILTER (WHERE status = 'cancelled') AS "cancelled!",
                  count(*) FILTER (WHERE status = 'returned') AS "returned!"
           FROM orders WHERE tenant_id = $1 AND service_day = $2"#,
        tenant_id,
        day
    )
    .fetch_one(&mut *conn)
    .await?;
    (s.in_progress, s.cancelled, s.returned) = (counts.open, counts.cancelled, counts.returned);
    s.cash_by_driver = sqlx::query_as!(
        DriverCash,
        r#"SELECT o.driver_id AS "driver_id!", u.name, count(*) AS "orders!", sum(o.total_cents)::bigint AS "cash_cents!"
           FROM orders o JOIN users u ON u.id = o.driver_id
           WHERE o.tenant_id = $1 AND o.service_day = $2 AND o.status = 'delivered' AND o.payment_method = 'cash'
           GROUP BY o.driver_id, u.name ORDER BY u.name"#,
        tenant_id,
        day
    )
    .fetch_all(conn)
    .await?;
    Ok(s)
}

pub struct HistoryRow {
    pub pizzeria: String,
    pub pizzeria_name: String,
    pub order: OrderRow,
}

/// A customer's orders in every pizzeria, newest first. Run inside `db::begin_user(user_id)`:
/// the customer policy shows their own rows only.
pub async fn history(
    conn: &mut PgConnection,
    user_id: Uuid,
    before: Option<DateTime<Utc>>,
    limit: i64,
) -> Result<Vec<HistoryRow>, sqlx::Error> {
    let found = sqlx::query!(
        r#"SELECT tenant_id, id FROM orders
           WHERE customer_id = $1 AND ($2::timestamptz IS NULL OR placed_at < $2)
           ORDER BY placed_at DESC LIMIT $3"#,
        user_id,
        before,
        limit
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<Uuid> = found.iter().map(|o| o.tenant_id).collect();
    let order_ids: Vec<Uuid> = found.iter().map(|o| o.id).collect();
    let orders = store::find_many(&mut *conn, &ids, &order_ids).await?;
    let tenants = sqlx::query!(
        "SELECT id, slug, name FROM tenants WHERE id = ANY($1)",
        &ids
    )
    .fetch_all(conn)
    .await?;
    Ok(orders
        .into_iter()
        .filter_map(|order| {
            let t = tenants.iter().find(|t| t.id == order.tenant_id)?;
            Some(HistoryRow {
                pizzeria: t.slug.clone(),
                pizzeria_name: t.name.clone(),
                order,
            })
        })
        .collect())
}

/// Re-exported for views that need the lines of one order.
pub use store::lines;
