//! The dashboard as CSV: one line per pizzeria and a `TOTAL` line (comma-separated, UTF-8,
//! amounts in euros with a dot, times in minutes).

use super::{Dashboard, Figures};

const HEADER: &str = "pizzeria,name,orders,completed,cancelled,cancellation_rate,revenue_eur,average_basket_eur,web,phone,counter,delivery,takeaway,average_preparation_min,average_delivery_min,top_product,low_stock_ingredients";

fn field(v: &str) -> String {
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

fn euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

fn line(slug: &str, name: &str, f: &Figures) -> String {
    let opt = |m: Option<f64>| m.map(|v| format!("{v:.1}")).unwrap_or_default();
    let ch = |k: &str| f.by_channel.get(k).copied().unwrap_or(0).to_string();
    let fu = |k: &str| f.by_fulfilment.get(k).copied().unwrap_or(0).to_string();
    [
        field(slug),
        field(name),
        f.orders.to_string(),
        f.completed.to_string(),
        f.cancelled.to_string(),
        format!("{:.4}", f.cancellation_rate),
        euros(f.revenue_cents),
        euros(f.average_basket_cents),
        ch("web"),
        ch("phone"),
        ch("counter"),
        fu("delivery"),
        fu("takeaway"),
        opt(f.average_preparation_minutes),
        opt(f.average_delivery_minutes),
        field(f.top_products.first().map_or("", |p| p.name.as_str())),
        f.low_stock.len().to_string(),
    ]
    .join(",")
}

pub(crate) fn to_csv(d: &Dashboard) -> String {
    let mut out = String::from(HEADER);
    out.push_str("\r\n");
    for p in &d.pizzerias {
        out.push_str(&line(&p.pizzeria, &p.name, &p.figures));
        out.push_str("\r\n");
    }
    out.push_str(&line("TOTAL", "", &d.total));
    out.push_str("\r\n");
    out
}
