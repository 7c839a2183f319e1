//! Low-stock alerts: the database records one when an ingredient crosses its threshold; these
//! functions remind of ingredients still low and turn pending alerts into emails to the
//! pizzeria's owners and managers (run by the worker, owner role: every pizzeria).

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::jobs::{self, EmailJob};
use crate::tenancy::memberships;

/// Ingredients still at or below their threshold without any alert for a day get a reminder
/// (crossings themselves are caught by the database as they happen). Returns how many.
pub async fn remind_still_low(pool: &PgPool) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!(
        r#"INSERT INTO stock_alerts (tenant_id, ingredient_id, quantity, threshold, reason)
           SELECT i.tenant_id, i.id, i.quantity_on_hand, i.alert_threshold, 'still_low'
           FROM ingredients i
           WHERE i.quantity_on_hand <= i.alert_threshold
             AND NOT EXISTS (SELECT 1 FROM stock_alerts a WHERE a.tenant_id = i.tenant_id AND a.ingredient_id = i.id
                             AND a.created_at > now() - interval '1 day')"#
    )
    .execute(pool)
    .await?
    .rows_affected())
}

/// Enqueues an email per pending alert and manager, and marks the alerts notified, in one
/// transaction (at most 100 at a time; other workers skip the rows taken). Returns how many
/// alerts were handled.
pub async fn relay(pool: &PgPool) -> anyhow::Result<usize> {
    let mut tx = pool.begin().await?;
    let pending = sqlx::query!(
        "SELECT tenant_id, id FROM stock_alerts WHERE notified_at IS NULL ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED"
    )
    .fetch_all(&mut *tx)
    .await?;
    for alert in &pending {
        for recipient in memberships::managers(&mut tx, alert.tenant_id).await? {
            let job = EmailJob::LowStock {
                tenant: alert.tenant_id,
                alert: alert.id,
                recipient,
            };
            jobs::email(&mut tx, &job).await?;
        }
        mark_notified(&mut tx, alert.tenant_id, alert.id).await?;
    }
    tx.commit().await?;
    Ok(pending.len())
}

async fn mark_notified(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE stock_alerts SET notified_at = now() WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// What a low-stock email says.
pub struct AlertMail {
    pub quantity: i64,
    pub threshold: i64,
    pub ingredient: String,
    pub unit: String,
    pub pizzeria: String,
}

pub(crate) async fn for_email(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: i64,
) -> Result<Option<AlertMail>, sqlx::Error> {
    sqlx::query_as!(
        AlertMail,
        r#"SELECT a.quantity, a.threshold, i.name AS ingredient, i.unit, t.name AS pizzeria
           FROM stock_alerts a JOIN ingredients i ON i.tenant_id = a.tenant_id AND i.id = a.ingredient_id
           JOIN tenants t ON t.id = a.tenant_id WHERE a.tenant_id = $1 AND a.id = $2"#,
        tenant_id,
        id
    )
    .fetch_optional(conn)
    .await
}
