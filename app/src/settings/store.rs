//! SQL of a pizzeria's operating settings, hours, exceptions, zones and VAT rates.

use chrono::{NaiveDate, NaiveTime};
use sqlx::PgConnection;
use uuid::Uuid;

pub struct SettingsRow {
    pub online_paused: bool,
    pub pause_message: String,
    pub busy_extra_minutes: i32,
    pub slot_minutes: i32,
    pub max_orders_per_slot: i32,
    pub default_delivery_fee_cents: i32,
    pub min_delivery_order_cents: i32,
    pub avg_prep_minutes: i32,
    pub avg_delivery_minutes: i32,
    pub legal_name: String,
    pub siret: String,
    pub vat_number: String,
    pub menu_version: i64,
}

pub async fn find(
    conn: &mut PgConnection,
    tenant_id: Uuid,
) -> Result<Option<SettingsRow>, sqlx::Error> {
    sqlx::query_as!(
        SettingsRow,
        r#"SELECT online_paused, pause_message, busy_extra_minutes, slot_minutes, max_orders_per_slot,
                  default_delivery_fee_cents, min_delivery_order_cents, avg_prep_minutes,
                  avg_delivery_minutes, legal_name, siret, vat_number, menu_version
           FROM pizzeria_settings WHERE tenant_id = $1"#,
        tenant_id
    )
    .fetch_optional(conn)
    .await
}

pub async fn menu_version(
    conn: &mut PgConnection,
    tenant_id: Uuid,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT menu_version FROM pizzeria_settings WHERE tenant_id = $1",
        tenant_id
    )
    .fetch_optional(conn)
    .await
}

/// Creates a new pizzeria's settings row and French VAT classes (idempotent).
pub async fn init_defaults(conn: &mut PgConnection, tenant_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO pizzeria_settings (tenant_id) VALUES ($1) ON CONFLICT DO NOTHING",
        tenant_id
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        r#"INSERT INTO vat_rates (tenant_id, vat_class, rate_bp, label)
           SELECT $1, v.vat_class, v.rate_bp, v.label FROM (VALUES
               ('food', 1000, 'Restauration à emporter ou livrée (10 %)'),
               ('soft_drink', 1000, 'Boissons sans alcool à consommer immédiatement (10 %)'),
               ('alcohol', 2000, 'Boissons alcoolisées (20 %)')
           ) AS v (vat_class, rate_bp, label)
           ON CONFLICT DO NOTHING"#,
        tenant_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn set_pause(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    paused: bool,
    message: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE pizzeria_settings SET online_paused = $2, pause_message = $3, updated_at = now() WHERE tenant_id = $1",
        tenant_id,
        paused,
        message
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn set_busy(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    minutes: i32,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE pizzeria_settings SET busy_extra_minutes = $2, updated_at = now() WHERE tenant_id = $1",
        tenant_id,
        minutes
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub struct ServiceParams {
    pub slot_minutes: i32,
    pub max_orders_per_slot: i32,
    pub default_delivery_fee_cents: i32,
    pub min_delivery_order_cents: i32,
    pub avg_prep_minutes: i32,
    pub avg_delivery_minutes: i32,
}

pub async fn set_service_params(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    p: &ServiceParams,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"UPDATE pizzeria_settings SET slot_minutes = $2, max_orders_per_slot = $3,
               default_delivery_fee_cents = $4, min_delivery_order_cents = $5, avg_prep_minutes = $6,
               avg_delivery_minutes = $7, updated_at = now()
           WHERE tenant_id = $1"#,
        tenant_id,
        p.slot_minutes,
        p.max_orders_per_slot,
        p.default_delivery_fee_cents,
        p.min_delivery_order_cents,
        p.avg_prep_minutes,
        p.avg_delivery_minutes
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_legal(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    legal_name: &str,
    siret: &str,
    vat_number: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE pizzeria_settings SET legal_name = $2, siret = $3, vat_number = $4, updated_at = now() WHERE tenant_id = $1",
        tenant_id,
        legal_name,
        siret,
        vat_number
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub struct HoursRow {
    pub weekday: i16,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
}

pub async fn weekly_hours(
    conn: &mut PgConnection,
    tenant_id: Uuid,
) -> Result<Vec<HoursRow>, sqlx::Error> {
    sqlx::query_as!(
        HoursRow,
        "SELECT weekday, opens, closes FROM opening_hours WHERE tenant_id = $1 ORDER BY weekday, opens",
        tenant_id
    )
    .fetch_all(conn)
    .await
}

/// Replaces the weekly hours.
pub async fn replace_weekly_hours(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    hours: &[HoursRow],
) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM opening_hours WHERE tenant_id = $1", tenant_id)
        .execute(&mut *conn)
        .await?;
    for h in hours {
        sqlx::query!(
            "INSERT INTO opening_hours (tenant_id, id, weekday, opens, closes) VALUES ($1, $2, $3, $4, $5)",
            tenant_id,
            Uuid::now_v7(),
            h.weekday,
            h.opens,
            h.closes
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub struct ExceptionRow {
    pub day: NaiveDate,
    pub opens: Option<NaiveTime>,
    pub closes: Option<NaiveTime>,
    pub note: String,
}

pub(crate) async fn exceptions_between(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ExceptionRow>, sqlx::Error> {
    sqlx::query_as!(
        ExceptionRow,
        r#"SELECT day, opens, closes, note FROM opening_exceptions
           WHERE tenant_id = $1 AND day BETWEEN $2 AND $3 ORDER BY day, opens"#,
        tenant_id,
        from,
        to
    )
    .fetch_all(conn)
    .await
}

pub async fn add_exception(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    e: &ExceptionRow,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO opening_exceptions (tenant_id, id, day, opens, closes, note) VALUES ($1, $2, $3, $4, $5, $6)",
        tenant_id,
        Uuid::now_v7(),
        e.day,
        e.opens,
        e.closes,
        e.note
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes every exception of `day`; returns how many there were.
pub(crate) async fn delete_exceptions(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    day: chrono::NaiveDate,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "DELETE FROM opening_exceptions WHERE tenant_id = $1 AND day = $2",
        tenant_id,
        day
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

pub struct ZoneRow {
    pub postcode: String,
    pub fee_cents: Option<i32>,
}

pub async fn zones(conn: &mut PgConnection, tenant_id: Uuid) -> Result<Vec<ZoneRow>, sqlx::Error> {
    sqlx::query_as!(
        ZoneRow,
        "SELECT postcode, fee_cents FROM delivery_zones WHERE tenant_id = $1 ORDER BY postcode",
        tenant_id
    )
    .fetch_all(conn)
    .await
}

pub async fn replace_zones(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    zones: &[ZoneRow],
) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM delivery_zones WHERE tenant_id = $1", tenant_id)
        .execute(&mut *conn)
        .await?;
    for z in zones {
        sqlx::query!(
            "INSERT INTO delivery_zones (tenant_id, postcode, fee_cents) VALUES ($1, $2, $3)",
            tenant_id,
            z.postcode,
            z.fee_cents
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub struct VatRow {
    pub vat_class: String,
    pub rate_bp: i32,
    pub label: String,
}

pub async fn vat_rates(
    conn: &mut PgConnection,
    tenant_id: Uuid,
) -> Result<Vec<VatRow>, sqlx::Error> {
    sqlx::query_as!(
        VatRow,
        "SELECT vat_class, rate_bp, label FROM vat_rates WHERE tenant_id = $1 ORDER BY vat_class",
        tenant_id
    )
    .fetch_all(conn)
    .await
}
