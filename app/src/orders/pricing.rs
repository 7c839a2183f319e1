//! Steps shared by placing and modifying an order: pricing the lines with fees and VAT, and
//! moving stock from what an order holds to what it needs.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Context;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::OrderError;
use super::lines::ResolvedLine;
use super::store::NewLine;
use crate::db::locks::Held;
use crate::domain::Cents;
use crate::domain::order::{Totals, totals};
use crate::menu::MenuData;
use crate::settings::{self, SettingsRow};
use crate::stock;

/// The order's money: lines, delivery fee (zone or default) and VAT per rate. A delivery must
/// go to a postcode of the zone and reach the minimum.
pub async fn price(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    settings: &SettingsRow,
    menu: &MenuData,
    lines: &[ResolvedLine],
    delivery_postcode: Option<&str>,
) -> Result<Totals, OrderError> {
    let priced: Vec<_> = lines.iter().map(ResolvedLine::priced).collect();
    let subtotal: i64 = priced.iter().map(|l| l.total().0).sum();
    let fee = match delivery_postcode {
        None => 0,
        Some(postcode) => {
            let zones = settings::store::zones(conn, tenant_id)
                .await
                .context("reading delivery zones")?;
            let zone = zones
                .iter()
                .find(|z| z.postcode == postcode)
                .ok_or_else(|| OrderError::OutsideZone {
                    postcode: postcode.to_string(),
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
    Ok(totals(
        &priced,
        Cents(fee),
        menu.vat_rate_bp("food").unwrap_or(1000),
    ))
}

pub(crate) fn vat_json(t: &Totals) -> serde_json::Value {
    json!(
        t.vat
            .iter()
            .map(|v| json!({ "rate_bp": v.rate_bp, "base_cents": v.base.0, "vat_cents": v.vat.0 }))
            .collect::<Vec<_>>()
    )
}

/// The rows of the lines, numbered from 1.
pub(crate) fn line_rows(lines: &[ResolvedLine]) -> Result<Vec<NewLine<'_>>, OrderError> {
    (1..)
        .zip(lines)
        .map(|(no, l)| {
            Ok(NewLine {
                line_no: no,
                product_id: l.product_id,
                size_id: l.size_id,
                product_name: &l.product_name,
                size_label: &l.size_label,
                kind: &l.kind,
                extras: json!(
                    l.extras
                        .iter()
                        .map(
                            |e| json!({ "id": e.id, "name": e.name, "price_cents": e.price_cents })
                        )
                        .collect::<Vec<_>>()
                ),
                quantity: i32::try_from(l.quantity).context("quantity")?,
                unit_price_cents: l.unit_price_cents,
                vat_rate_bp: i32::try_from(l.vat_rate_bp).context("VAT rate")?,
                line_total_cents: l.unit_price_cents * l.quantity,
            })
        })
        .collect()
}

/// Stock an order must take (positive) or give back (negative), by ingredient.
pub struct StockChange {
    order_id: Uuid,
    diff: BTreeMap<Uuid, i64>,
}

/// Locks the ingredients whose quantity changes, in id order (the one order every transaction
/// uses), and checks the stock allows going from what the order `reserved` (positive quantities
/// by ingredient) to what its lines need. Nothing is written: see [`record`].
pub(crate) async fn check_stock(
    conn: &mut PgConnection,
    held: &mut Held,
    tenant_id: Uuid,
    order_id: Uuid,
    lines: &[ResolvedLine],
    reserved: &BTreeMap<Uuid, i64>,
) -> Result<StockChange, OrderError> {
    let needs = super::lines::total_needs(lines);
    let ids: BTreeSet<Uuid> = needs.keys().chain(reserved.keys()).copied().collect();
    let diff: BTreeMap<Uuid, i64> = ids
        .iter()
        .map(|id| {
            (
                *id,
                needs.get(id).copied().unwrap_or(0) - reserved.get(id).copied().unwrap_or(0),
            )
        })
        .filter(|(_, d)| *d != 0)
        .collect();
    let locked: Vec<Uuid> = diff.keys().copied().collect();
    let on_hand = stock::store::lock_many(conn, held, tenant_id, &locked).await?;
    for (ingredient, more) in &diff {
        if *more > 0 && on_hand.get(ingredient).copied().unwrap_or(0) < *more {
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
    Ok(StockChange { order_id, diff })
}

/// Records the movements of a checked change (the ingredients are still locked).
pub(crate) async fn record(
    conn: &mut PgConnection,
    held: &Held,
    tenant_id: Uuid,
    change: &StockChange,
    reason: &str,
    actor: Option<Uuid>,
    note: &str,
) -> Result<(), OrderError> {
    for (ingredient, more) in &change.diff {
        let m = stock::store::NewMovement {
            ingredient_id: *ingredient,
            delta: -more,
            reason,
            actor,
            order_id: Some(change.order_id),
            note,
        };
        stock::store::insert_movement(conn, held, tenant_id, &m).await?;
    }
    Ok(())
}
