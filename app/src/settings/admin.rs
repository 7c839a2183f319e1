//! Changing a pizzeria's settings from the admin API: every value checked before anything is
//! written, each change in the pizzeria's audit log with the values before and after. Runs in
//! the pizzeria's transaction.

use chrono::{NaiveDate, NaiveTime};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::SettingsError;
use super::store::{self, ExceptionRow, HoursRow, ServiceParams, ZoneRow};
use crate::audit;
use crate::domain::InvalidInput;

fn within(field: &'static str, v: i32, lo: i32, hi: i32) -> Result<(), InvalidInput> {
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(InvalidInput::new(field, format!("must be {lo} to {hi}")))
    }
}

pub(crate) fn check_service(p: &ServiceParams) -> Result<(), InvalidInput> {
    if ![5, 10, 15, 20, 30, 60].contains(&p.slot_minutes) {
        return Err(InvalidInput::new(
            "slot_minutes",
            "must be 5, 10, 15, 20, 30 or 60",
        ));
    }
    within("max_orders_per_slot", p.max_orders_per_slot, 1, 500)?;
    within(
        "default_delivery_fee_cents",
        p.default_delivery_fee_cents,
        0,
        5_000,
    )?;
    within(
        "min_delivery_order_cents",
        p.min_delivery_order_cents,
        0,
        20_000,
    )?;
    within("avg_prep_minutes", p.avg_prep_minutes, 1, 180)?;
    within("avg_delivery_minutes", p.avg_delivery_minutes, 1, 180)?;
    Ok(())
}

/// Minutes from the service day's start; a period ending at or before it opened ends the next
/// day (past midnight).
fn span(opens: NaiveTime, closes: NaiveTime) -> (i64, i64) {
    let minutes = |t: NaiveTime| i64::from(chrono::Timelike::num_seconds_from_midnight(&t)) / 60;
    let (o, mut c) = (minutes(opens), minutes(closes));
    if c <= o {
        c += 24 * 60;
    }
    (o, c)
}

pub(crate) fn check_hours(hours: &[HoursRow]) -> Result<(), InvalidInput> {
    for h in hours {
        if !(1..=7).contains(&h.weekday) {
            return Err(InvalidInput::new(
                "weekday",
                "must be 1 (Monday) to 7 (Sunday)",
            ));
        }
        if h.opens == h.closes {
            return Err(InvalidInput::new(
                "closes",
                "a period cannot close when it opens",
            ));
        }
    }
    for (i, a) in hours.iter().enumerate() {
        for b in &hours[i + 1..] {
            if a.weekday != b.weekday {
                continue;
            }
            let (ao, ac) = span(a.opens, a.closes);
            let (bo, bc) = span(b.opens, b.closes);
            if ao < bc && bo < ac {
                return Err(InvalidInput::new(
                    "hours",
                    format!("two periods of weekday {} overlap", a.weekday),
                ));
            }
        }
    }
    Ok(())
}

pub(crate) fn check_zones(zones: &[ZoneRow]) -> Result<(), InvalidInput> {
    let mut seen = std::collections::BTreeSet::new();
    for z in zones {
        if z.postcode.len() != 5 || !z.postcode.chars().all(|c| c.is_ascii_digit()) {
            return Err(InvalidInput::new(
                "postcode",
                "must be a French postcode of 5 digits",
            ));
        }
        if !seen.insert(&z.postcode) {
            return Err(InvalidInput::new(
                "postcode",
                format!("{} is listed twice", z.postcode),
            ));
        }
        if let Some(fee) = z.fee_cents {
            within("fee_cents", fee, 0, 5_000)?;
        }
    }
    Ok(())
}

pub(crate) async fn set_service(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    p: &ServiceParams,
) -> Result<(), SettingsError> {
    check_service(p)?;
    let before = super::load(conn, tenant_id).await?;
    store::set_service_params(conn, tenant_id, p)
        .await
        .map_err(anyhow::Error::new)?;
    let details = json!({
        "before": { "slot_minutes": before.slot_minutes, "max_orders_per_slot": before.max_orders_per_slot,
            "default_delivery_fee_cents": before.default_delivery_fee_cents, "min_delivery_order_cents": before.min_delivery_order_cents,
            "avg_prep_minutes": before.avg_prep_minutes, "avg_delivery_minutes": before.avg_delivery_minutes },
        "after": { "slot_minutes": p.slot_minutes, "max_orders_per_slot": p.max_orders_per_slot,
            "default_delivery_fee_cents": p.default_delivery_fee_cents, "min_delivery_order_cents": p.min_delivery_order_cents,
            "avg_prep_minutes": p.avg_prep_minutes, "avg_delivery_minutes": p.avg_delivery_minutes },
    });
    audit::record(
        conn,
        tenant_id,
        Some(actor),
        "settings.service",
        "settings",
        details,
    )
    .await
    .map_err(anyhow::Error::new)?;
    Ok(())
}

pub async fn set_legal(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    legal_name: &str,
    siret: &str,
    vat_number: &str,
) -> Result<(), SettingsError> {
    let sent = legal_name.chars().count();
    let (legal_name, siret, vat_number) = (legal_name.trim(), siret.trim(), vat_number.trim());
    if legal_name.is_empty() || sent > 120 {
        return Err(InvalidInput::new("legal_name", "must have 1 to 120 characters").into());
    }
    if siret.len() != 14 || !siret.chars().all(|c| c.is_ascii_digit()) {
        return Err(InvalidInput::new("siret", "must be the 14 digits of a SIRET").into());
    }
    if !vat_number.is_empty() && (vat_number.len() < 4 || vat_number.len() > 20) {
        return Err(InvalidInput::new("vat_number", "must be an EU VAT number").into());
    }
    let before = super::load(conn, tenant_id).await?;
    store::set_legal(conn, tenant_id, legal_name, siret, vat_number)
        .await
        .map_err(anyhow::Error::new)?;
    let details = json!({
        "before": { "legal_name": before.legal_name, "siret": before.siret, "vat_number": before.vat_number },
        "after": { "legal_name": legal_name, "siret": siret, "vat_number": vat_number },
    });
    audit::record(
        conn,
        tenant_id,
        Some(actor),
        "settings.legal",
        "settings",
        details,
    )
    .await
    .map_err(anyhow::Error::new)?;
    Ok(())
}

fn hours_json(hours: &[HoursRow]) -> serde_json::Value {
    hours
        .iter()
        .map(|h| json!({ "weekday": h.weekday, "opens": h.opens, "closes": h.closes }))
        .collect()
}

pub(crate) async fn set_hours(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    hours: &[HoursRow],
) -> Result<(), SettingsError> {
    check_hours(hours)?;
    let before = store::weekly_hours(conn, tenant_id)
        .await
        .map_err(anyhow::Error::new)?;
    store::replace_weekly_hours(conn, tenant_id, hours)
        .await
        .map_err(anyhow::Error::new)?;
    let details = json!({ "before": hours_json(&before), "after": hours_json(hours) });
    audit::record(
        conn,
        tenant_id,
        Some(actor),
        "settings.hours",
        "hours",
        details,
    )
    .await
    .map_err(anyhow::Error::new)?;
    Ok(())
}

pub(crate) async fn set_zones(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    zones: &[ZoneRow],
) -> Result<(), SettingsError> {
    check_zones(zones)?;
    let before = store::zones(conn, tenant_id)
        .await
        .map_err(anyhow::Error::new)?;
    store::replace_zones(conn, tenant_id, zones)
        .await
        .map_err(anyhow::Error::new)?;
    let j = |zs: &[ZoneRow]| -> serde_json::Value {
        zs.iter()
            .map(|z| json!({ "postcode": z.postcode, "fee_cents": z.fee_cents }))
            .collect()
    };
    let details = json!({ "before": j(&before), "after": j(zones) });
    audit::record(
        conn,
        tenant_id,
        Some(actor),
        "settings.zones",
        "zones",
        details,
    )
    .await
    .map_err(anyhow::Error::new)?;
    Ok(())
}

/// A closure (no `opens`/`closes`) or special hours on one day.
pub async fn add_exception(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    day: NaiveDate,
    hours: Option<(NaiveTime, NaiveTime)>,
    note: &str,
) -> Result<(), SettingsError> {
    if hours.is_some_and(|(o, c)| o == c) {
        return Err(InvalidInput::new("closes", "a period cannot close when it opens").into());
    }
    if note.chars().count() > 200 {
        return Err(InvalidInput::new("note", "must have at most 200 characters").into());
    }
    let row = ExceptionRow {
        day,
        opens: hours.map(|h| h.0),
        closes: hours.map(|h| h.1),
        note: note.trim().to_string(),
    };
    store::add_exception(conn, tenant_id, &row)
        .await
        .map_err(anyhow::Error::new)?;
    let details = json!({ "day": day, "opens": row.opens, "closes": row.closes, "note": row.note });
    audit::record(
        conn,
        tenant_id,
        Some(actor),
        "settings.exception",
        "hours",
        details,
    )
    .await
    .map_err(anyhow::Error::new)?;
    Ok(())
}

/// Removes the closures and special hours of `day` (the weekly hours apply again). Returns
/// whether there were any.
pub(crate) async fn delete_exceptions(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    day: NaiveDate,
) -> Result<bool, SettingsError> {
    let removed = store::delete_exceptions(conn, tenant_id, day)
        .await
        .map_err(anyhow::Error::new)?;
    if removed > 0 {
        audit::record(
            conn,
            tenant_id,
            Some(actor),
            "settings.exception_removed",
            "hours",
            json!({ "day": day, "removed": removed }),
        )
        .await
        .map_err(anyhow::Error::new)?;
    }
    Ok(removed > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn row(weekday: i16, opens: NaiveTime, closes: NaiveTime) -> HoursRow {
        HoursRow {
            weekday,
            opens,
            closes,
        }
    }

    #[test]
    fn hours_may_pass_midnight_but_not_overlap() {
        assert!(check_hours(&[row(5, t(11, 30), t(14, 0)), row(5, t(18, 0), t(1, 0))]).is_ok());
        assert!(
            check_hours(&[row(5, t(18, 0), t(1, 0)), row(5, t(0, 30), t(2, 0))]).is_ok(),
            "00:30 of the same weekday is its early morning, before 18:00"
        );
        assert!(check_hours(&[row(5, t(11, 0), t(15, 0)), row(5, t(14, 0), t(16, 0))]).is_err());
        assert!(check_hours(&[row(8, t(11, 0), t(15, 0))]).is_err());
        assert!(check_hours(&[row(1, t(11, 0), t(11, 0))]).is_err());
    }

    #[test]
    fn zones_and_service_values() {
        let zone = |p: &str, fee: Option<i32>| ZoneRow {
            postcode: p.into(),
            fee_cents: fee,
        };
        assert!(check_zones(&[zone("75011", None), zone("75012", Some(300))]).is_ok());
        assert!(check_zones(&[zone("7501", None)]).is_err());
        assert!(check_zones(&[zone("75011", None), zone("75011", Some(1))]).is_err());
        assert!(check_zones(&[zone("75011", Some(-1))]).is_err());
        let mut p = ServiceParams {
            slot_minutes: 15,
            max_orders_per_slot: 8,
            default_delivery_fee_cents: 300,
            min_delivery_order_cents: 1500,
            avg_prep_minutes: 20,
            avg_delivery_minutes: 20,
        };
        assert!(check_service(&p).is_ok());
        p.slot_minutes = 7;
        assert!(check_service(&p).is_err());
    }
}
