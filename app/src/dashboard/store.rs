//! SQL of the dashboard. `tenant`: one pizzeria (its own dashboard, under its row-level
//! security) or `None`: every pizzeria (the group's, on the owner role's connection).

use std::collections::BTreeMap;

use sqlx::PgConnection;
use uuid::Uuid;

use super::{Counts, Input, LowStockRow, ProductSales, Range};

pub async fn pizzerias(
    conn: &mut PgConnection,
    tenant: Option<Uuid>,
) -> Result<Vec<Input>, sqlx::Error> {
    let rows = sqlx::query!(
        "SELECT id, slug, name, timezone FROM tenants WHERE ($1::uuid IS NULL OR id = $1) ORDER BY name, slug",
        tenant
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Input {
            tenant_id: r.id,
            slug: r.slug,
            name: r.name,
            timezone: r.timezone,
        })
        .collect())
}

pub async fn counts(
    conn: &mut PgConnection,
    tenant: Option<Uuid>,
    range: Range,
) -> Result<BTreeMap<Uuid, Counts>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT tenant_id,
                  count(*) AS "orders!",
                  count(*) FILTER (WHERE status IN ('delivered', 'picked_up')) AS "completed!",
                  count(*) FILTER (WHERE status = 'cancelled') AS "cancelled!",
                  coalesce(sum(total_cents) FILTER (WHERE status IN ('delivered', 'picked_up')), 0)::bigint AS "revenue!",
                  count(*) FILTER (WHERE channel = 'web') AS "web!",
                  count(*) FILTER (WHERE channel = 'phone') AS "phone!",
                  count(*) FILTER (WHERE channel = 'counter') AS "counter!",
                  count(*) FILTER (WHERE fulfilment = 'delivery') AS "delivery!",
                  count(*) FILTER (WHERE fulfilment = 'takeaway') AS "takeaway!",
                  coalesce(sum(extract(epoch FROM ready_at - placed_at)) FILTER (WHERE ready_at IS NOT NULL), 0)::float8 AS "prep_seconds!",
                  count(*) FILTER (WHERE ready_at IS NOT NULL) AS "preps!",
                  coalesce(sum(extract(epoch FROM delivered_at - out_for_delivery_at))
                      FILTER (WHERE delivered_at IS NOT NULL AND out_for_delivery_at IS NOT NULL), 0)::float8 AS "delivery_seconds!",
                  count(*) FILTER (WHERE delivered_at IS NOT NULL AND out_for_delivery_at IS NOT NULL) AS "deliveries!"
           FROM orders
           WHERE service_day BETWEEN $1 AND $2 AND ($3::uuid IS NULL OR tenant_id = $3)
           GROUP BY tenant_id"#,
        range.from,
        range.to,
        tenant
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.tenant_id,
                Counts {
                    orders: r.orders,
                    completed: r.completed,
                    cancelled: r.cancelled,
                    revenue_cents: r.revenue,
                    web: r.web,
                    phone: r.phone,
                    counter: r.counter,
                    delivery: r.delivery,
                    takeaway: r.takeaway,
                    preparation_seconds: r.prep_seconds,
                    preparations: r.preps,
                    delivery_seconds: r.delivery_seconds,
                    deliveries: r.deliveries,
                },
            )
        })
        .collect())
}

/// What each product sold in completed orders, per pizzeria.
pub(crate) async fn product_sales(
    conn: &mut PgConnection,
    tenant: Option<Uuid>,
    range: Range,
) -> Result<Vec<ProductSales>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT l.tenant_id, l.product_name, sum(l.quantity)::bigint AS "quantity!",
                  sum(l.line_total_cents)::bigint AS "revenue!"
           FROM order_lines l
           JOIN orders o ON o.tenant_id = l.tenant_id AND o.id = l.order_id
           WHERE o.service_day BETWEEN $1 AND $2 AND o.status IN ('delivered', 'picked_up')
             AND ($3::uuid IS NULL OR o.tenant_id = $3)
           GROUP BY l.tenant_id, l.product_name"#,
        range.from,
        range.to,
        tenant
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ProductSales {
            tenant_id: r.tenant_id,
            name: r.product_name,
            quantity: r.quantity,
            revenue_cents: r.revenue,
        })
        .collect())
}

/// Ingredients at or below their alert threshold now.
pub async fn low_stock(
    conn: &mut PgConnection,
    tenant: Option<Uuid>,
) -> Result<Vec<LowStockRow>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT tenant_id, name, unit, quantity_on_hand, alert_threshold FROM ingredients
           WHERE quantity_on_hand <= alert_threshold AND ($1::uuid IS NULL OR tenant_id = $1)
           ORDER BY name"#,
        tenant
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| LowStockRow {
            tenant_id: r.tenant_id,
            ingredient: r.name,
            unit: r.unit,
            quantity: r.quantity_on_hand,
            threshold: r.alert_threshold,
        })
        .collect())
}

/// The whole dashboard, read in the caller's transaction.
pub async fn load(
    conn: &mut PgConnection,
    tenant: Option<Uuid>,
    range: Range,
) -> Result<super::Dashboard, sqlx::Error> {
    let p = pizzerias(conn, tenant).await?;
    let c = counts(conn, tenant, range).await?;
    let s = product_sales(conn, tenant, range).await?;
    let l = low_stock(conn, tenant).await?;
    Ok(super::build(range, &p, &c, &s, &l))
}
