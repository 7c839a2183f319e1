//! A pizzeria's operating settings: hours and exceptions, online pause, busy time, slots,
//! delivery zone and fees, VAT rates. Changes are recorded in the tenant audit log.

pub mod admin;
pub mod store;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit;
use crate::domain::InvalidInput;
use crate::domain::opening::{DayOverride, Period, Schedule};
use crate::tenancy::Tenant;

pub use store::SettingsRow;

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// The settings row of a pizzeria; every pizzeria has one from its creation.
pub async fn load(conn: &mut PgConnection, tenant_id: Uuid) -> Result<SettingsRow, anyhow::Error> {
    store::find(conn, tenant_id)
        .await
        .context("reading settings")?
        .context("pizzeria has no settings row")
}

/// The opening schedule around `at`: weekly hours and the exceptions of the next three weeks.
pub async fn schedule(
    conn: &mut PgConnection,
    tenant: &Tenant,
    at: DateTime<Utc>,
) -> Result<Schedule, anyhow::Error> {
    let mut schedule = Schedule::new(tenant.timezone);
    for h in store::weekly_hours(conn, tenant.id)
        .await
        .context("reading opening hours")?
    {
        schedule.add_weekly(
            u32::try_from(h.weekday)
                .with_context(|| format!("weekday {} in the opening hours", h.weekday))?,
            Period::new(h.opens, h.closes),
        );
    }
    let today = at.with_timezone(&tenant.timezone).date_naive();
    let from = today - Duration::days(1);
    let to = today + Duration::days(22);
    for e in store::exceptions_between(conn, tenant.id, from, to)
        .await
        .context("reading opening exceptions")?
    {
        let entry = schedule
            .exceptions
            .entry(e.day)
            .or_insert(DayOverride::Special(vec![]));
        match (e.opens, e.closes, &mut *entry) {
            (Some(opens), Some(closes), DayOverride::Special(periods)) => {
                periods.push(Period::new(opens, closes))
            }
            (Some(_), Some(_), DayOverride::Closed) => {}
            _ => *entry = DayOverride::Closed,
        }
    }
    Ok(schedule)
}

/// Stops online orders now, with a message for customers.
pub async fn pause(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    message: &str,
) -> Result<(), SettingsError> {
    if message.chars().count() > 280 {
        return Err(InvalidInput::new("message", "must have at most 280 characters").into());
    }
    let message = message.trim();
    store::set_pause(conn, tenant_id, true, message)
        .await
        .context("pausing")?;
    audit::record(
        conn,
        tenant_id,
        Some(actor),
        "online.pause",
        "",
        serde_json::json!({ "message": message }),
    )
    .await
    .context("auditing")?;
    Ok(())
}

pub async fn resume(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
) -> Result<(), SettingsError> {
    store::set_pause(conn, tenant_id, false, "")
        .await
        .context("resuming")?;
    audit::record(
        conn,
        tenant_id,
        Some(actor),
        "online.resume",
        "",
        serde_json::json!({}),
    )
    .await
    .context("auditing")?;
    Ok(())
}

/// Extra preparation minutes while the kitchen is busy (0 ends it).
pub(crate) async fn set_busy(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    minutes: i64,
    note: &str,
) -> Result<(), SettingsError> {
    let minutes = i32::try_from(minutes)
        .ok()
        .filter(|m| (0..=240).contains(m))
        .ok_or_else(|| InvalidInput::new("extra_minutes", "must be between 0 and 240"))?;
    store::set_busy(conn, tenant_id, minutes)
        .await
        .context("setting busy time")?;
    audit::record(
        conn,
        tenant_id,
        Some(actor),
        "kitchen.busy",
        "",
        serde_json::json!({ "extra_minutes": minutes, "note": note }),
    )
    .await
    .context("auditing")?;
    Ok(())
}
