//! The dashboard: for a range of service days, per pizzeria and in total — revenue, orders by
//! channel and fulfilment, average basket, preparation and delivery times, cancellations, top
//! products, current low stock. Days are service days (`orders.service_day`), which are in each
//! pizzeria's own timezone (an order at 00:30 during a Friday evening service counts on Friday).
//!
//! Definitions (docs/API.md): an order *counts* when its service day is in the range; it is
//! *completed* when delivered or picked up; revenue is the total of completed orders; the
//! average basket is revenue / completed orders (rounded to the cent); preparation is
//! placed → ready, delivery out for delivery → delivered, each averaged over the orders that
//! have both times; the cancellation rate is cancelled / counted.

mod csv;
pub mod store;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

pub(crate) use csv::to_csv;

use crate::domain::InvalidInput;

/// The longest range one request may cover.
pub const MAX_DAYS: i64 = 366;
pub const TOP_PRODUCTS: usize = 5;

/// A checked, inclusive range of service days.
#[derive(Debug, Clone, Copy)]
pub struct Range {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Range {
    pub fn parse(from: &str, to: &str) -> Result<Self, InvalidInput> {
        let day = |field: &'static str, v: &str| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map_err(|_| InvalidInput::new(field, "must be a date such as 2026-11-23"))
        };
        Self::new(day("from", from)?, day("to", to)?)
    }

    /// The days `from`..=`to`: `to` not before `from`, at most `MAX_DAYS` of them.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, InvalidInput> {
        if to < from {
            return Err(InvalidInput::new("to", "must not be before from"));
        }
        if (to - from).num_days() >= MAX_DAYS {
            return Err(InvalidInput::new(
                "to",
                format!("a range covers at most {MAX_DAYS} days"),
            ));
        }
        Ok(Self { from, to })
    }
}

/// The sums of one pizzeria's orders over the range (from SQL).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    pub orders: i64,
    pub completed: i64,
    pub cancelled: i64,
    pub revenue_cents: i64,
    pub web: i64,
    pub phone: i64,
    pub counter: i64,
    pub delivery: i64,
    pub takeaway: i64,
    pub preparation_seconds: f64,
    pub preparations: i64,
    pub delivery_seconds: f64,
    pub deliveries: i64,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.orders += o.orders;
        self.completed += o.completed;
        self.cancelled += o.cancelled;
        self.revenue_cents += o.revenue_cents;
        self.web += o.web;
        self.phone += o.phone;
        self.counter += o.counter;
        self.delivery += o.delivery;
        self.takeaway += o.takeaway;
        self.preparation_seconds += o.preparation_seconds;
        self.preparations += o.preparations;
        self.delivery_seconds += o.delivery_seconds;
        self.deliveries += o.deliveries;
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TopProduct {
    pub name: String,
    pub quantity: i64,
    pub revenue_cents: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LowStock {
    pub pizzeria: String,
    pub ingredient: String,
    pub unit: String,
    pub quantity: i64,
    pub threshold: i64,
}

/// One row of the dashboard: a pizzeria, or the total.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Figures {
    pub orders: i64,
    pub completed: i64,
    pub cancelled: i64,
    pub cancellation_rate: f64,
    pub revenue_cents: i64,
    pub average_basket_cents: i64,
    pub by_channel: BTreeMap<String, i64>,
    pub by_fulfilment: BTreeMap<String, i64>,
    /// Minutes, one decimal; `None` without any order that reached both times.
    pub average_preparation_minutes: Option<f64>,
    pub average_delivery_minutes: Option<f64>,
    pub top_products: Vec<TopProduct>,
    pub low_stock: Vec<LowStock>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PizzeriaFigures {
    pub pizzeria: String,
    pub name: String,
    pub timezone: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Dashboard {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub pizzerias: Vec<PizzeriaFigures>,
    pub total: Figures,
}

/// A pizzeria of the dashboard, and what SQL found for it.
pub struct Input {
    pub tenant_id: Uuid,
    pub slug: String,
    pub name: String,
    pub timezone: String,
}

pub struct ProductSales {
    pub tenant_id: Uuid,
    pub name: String,
    pub quantity: i64,
    pub revenue_cents: i64,
}

pub struct LowStockRow {
    pub tenant_id: Uuid,
    pub ingredient: String,
    pub unit: String,
    pub quantity: i64,
    pub threshold: i64,
}

fn round_div(n: i64, d: i64) -> i64 {
    if d == 0 { 0 } else { (2 * n + d) / (2 * d) }
}

fn minutes(seconds: f64, n: i64) -> Option<f64> {
    (n > 0).then(|| (seconds / n as f64 / 60.0 * 10.0).round() / 10.0)
}

fn top(mut sales: Vec<TopProduct>) -> Vec<TopProduct> {
    sales.sort_by(|a, b| {
        b.quantity
            .cmp(&a.quantity)
            .then(b.revenue_cents.cmp(&a.revenue_cents))
            .then(a.name.cmp(&b.name))
    });
    sales.truncate(TOP_PRODUCTS);
    sales
}

fn figures(c: &Counts, top_products: Vec<TopProduct>, low_stock: Vec<LowStock>) -> Figures {
    let rate = if c.orders == 0 {
        0.0
    } else {
        (c.cancelled as f64 / c.orders as f64 * 10_000.0).round() / 10_000.0
    };
    Figures {
        orders: c.orders,
        completed: c.completed,
        cancelled: c.cancelled,
        cancellation_rate: rate,
        revenue_cents: c.revenue_cents,
        average_basket_cents: round_div(c.revenue_cents, c.completed),
        by_channel: BTreeMap::from([
            ("web".into(), c.web),
            ("phone".into(), c.phone),
            ("counter".into(), c.counter),
        ]),
        by_fulfilment: BTreeMap::from([
            ("delivery".into(), c.delivery),
            ("takeaway".into(), c.takeaway),
        ]),
        average_preparation_minutes: minutes(c.preparation_seconds, c.preparations),
        average_delivery_minutes: minutes(c.delivery_seconds, c.deliveries),
        top_products,
        low_stock,
    }
}

/// Puts the SQL results together: one row per pizzeria (in the order given) and the total.
pub fn build(
    range: Range,
    pizzerias: &[Input],
    counts: &BTreeMap<Uuid, Counts>,
    sales: &[ProductSales],
    low: &[LowStockRow],
) -> Dashboard {
    let mut total = Counts::default();
    let mut all_sales: BTreeMap<String, TopProduct> = BTreeMap::new();
    let mut all_low = Vec::new();
    let mut rows = Vec::new();
    for p in pizzerias {
        let c = counts.get(&p.tenant_id).cloned().unwrap_or_default();
        total.add(&c);
        let mine: Vec<TopProduct> = sales
            .iter()
            .filter(|s| s.tenant_id == p.tenant_id)
            .map(|s| TopProduct {
                name: s.name.clone(),
                quantity: s.quantity,
                revenue_cents: s.revenue_cents,
            })
            .collect();
        for s in &mine {
            let t = all_sales.entry(s.name.clone()).or_insert(TopProduct {
                name: s.name.clone(),
                quantity: 0,
                revenue_cents: 0,
            });
            t.quantity += s.quantity;
            t.revenue_cents += s.revenue_cents;
        }
        let low_here: Vec<LowStock> = low
            .iter()
            .filter(|l| l.tenant_id == p.tenant_id)
            .map(|l| LowStock {
                pizzeria: p.slug.clone(),
                ingredient: l.ingredient.clone(),
                unit: l.unit.clone(),
                quantity: l.quantity,
                threshold: l.threshold,
            })
            .collect();
        all_low.extend(low_here.iter().cloned());
        rows.push(PizzeriaFigures {
            pizzeria: p.slug.clone(),
            name: p.name.clone(),
            timezone: p.timezone.clone(),
            figures: figures(&c, top(mine), low_here),
        });
    }
    Dashboard {
        from: range.from,
        to: range.to,
        total: figures(&total, top(all_sales.into_values().collect()), all_low),
        pizzerias: rows,
    }
}

#[cfg(test)]
mod tests;
