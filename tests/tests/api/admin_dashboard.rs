//! The dashboards against figures computed here from the orders the test writes: two pizzerias
//! in different timezones, orders around midnight that belong to the previous service day,
//! orders just outside the range.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use ocpizza::domain::Role;
use ocpizza_tests::fixtures::{SmallMenu, small_menu};
use ocpizza_tests::{TestApp, spawn_app};
use serde_json::Value;
use uuid::Uuid;

struct Spec {
    shop: usize,
    /// Local time in November 2026: (day, hour, minute).
    local: (u32, u32, u32),
    service_day: u32,
    channel: &'static str,
    fulfilment: &'static str,
    status: &'static str,
    /// (product, quantity, line total)
    lines: Vec<(&'static str, i64, i64)>,
    fee: i64,
    prep_minutes: Option<i64>,
    delivery_minutes: Option<i64>,
}

fn at(tz: Tz, (day, hour, minute): (u32, u32, u32)) -> DateTime<Utc> {
    tz.with_ymd_and_hms(2026, 11, day, hour, minute, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn specs() -> Vec<Spec> {
    let s =
        |shop, local, service_day, channel, fulfilment, status, lines, fee, prep, delivery| Spec {
            shop,
            local,
            service_day,
            channel,
            fulfilment,
            status,
            lines,
            fee,
            prep_minutes: prep,
            delivery_minutes: delivery,
        };
    vec![
        // Paris (0). Friday 20th evening service, one order after midnight.
        s(
            0,
            (20, 19, 0),
            20,
            "web",
            "delivery",
            "delivered",
            vec![("Margherita", 2, 2200)],
            300,
            Some(12),
            Some(20),
        ),
        s(
            0,
            (21, 0, 30),
            20,
            "web",
            "takeaway",
            "picked_up",
            vec![("Margherita", 1, 1100)],
            0,
            Some(15),
            None,
        ),
        s(
            0,
            (21, 20, 0),
            21,
            "phone",
            "takeaway",
            "cancelled",
            vec![("Regina", 1, 1300)],
            0,
            None,
            None,
        ),
        s(
            0,
            (22, 0, 15),
            21,
            "counter",
            "takeaway",
            "picked_up",
            vec![("Regina", 1, 1300)],
            0,
            Some(10),
            None,
        ),
        s(
            0,
            (22, 19, 0),
            22,
            "web",
            "delivery",
            "delivered",
            vec![("Regina", 3, 3900)],
            300,
            Some(9),
            Some(9),
        ),
        // Thursday's service, past midnight: a local date in the range, a service day before it.
        s(
            0,
            (20, 0, 45),
            19,
            "web",
            "takeaway",
            "picked_up",
            vec![("Margherita", 5, 5500)],
            0,
            Some(9),
            None,
        ),
        // Tokyo (1): UTC dates differ from local ones.
        s(
            1,
            (20, 23, 30),
            20,
            "web",
            "delivery",
            "delivered",
            vec![("Regina", 2, 2600)],
            400,
            Some(20),
            Some(30),
        ),
        s(
            1,
            (20, 7, 30),
            20,
            "phone",
            "takeaway",
            "picked_up",
            vec![("Margherita", 1, 1100)],
            0,
            Some(8),
            None,
        ),
        s(
            1,
            (22, 6, 0),
            22,
            "web",
            "takeaway",
            "picked_up",
            vec![("Margherita", 4, 4400)],
            0,
            Some(5),
            None,
        ),
    ]
}

async fn insert(app: &TestApp, tenant: Uuid, tz: Tz, m: &SmallMenu, n: i32, spec: &Spec) {
    let placed = at(tz, spec.local);
    let day = NaiveDate::from_ymd_opt(2026, 11, spec.service_day).unwrap();
    let subtotal: i64 = spec.lines.iter().map(|l| l.2).sum();
    let ready = spec
        .prep_minutes
        .map(|p| placed + chrono::Duration::minutes(p));
    let out = spec
        .delivery_minutes
        .map(|_| ready.unwrap() + chrono::Duration::minutes(1));
    let delivered = spec
        .delivery_minutes
        .map(|d| out.unwrap() + chrono::Duration::minutes(d));
    let done = match spec.status {
        "picked_up" => ready.map(|r| r + chrono::Duration::minutes(3)),
        _ => None,
    };
    let cancelled = (spec.status == "cancelled").then_some(placed + chrono::Duration::minutes(2));
    let id = Uuid::now_v7();
    let address = (spec.fulfilment == "delivery").then_some("1 rue du Test");
    sqlx::query(
        r#"INSERT INTO orders (tenant_id, id, service_day, number, channel, fulfilment, status, is_guest,
               contact_name, contact_phone, delivery_line, delivery_postcode, delivery_city, estimated_at,
               payment_method, payment_status, subtotal_cents, delivery_fee_cents, total_cents, vat,
               tracking_token, placed_at, ready_at, out_for_delivery_at, delivered_at, picked_up_at, cancelled_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, true, 'Client', '0600000000', $8, $9, 'Ville', $10,
                   'cash', 'unpaid', $11, $12, $13, '[]', $14, $10, $15, $16, $17, $18, $19)"#,
    )
    .bind(tenant)
    .bind(id)
    .bind(day)
    .bind(n)
    .bind(spec.channel)
    .bind(spec.fulfilment)
    .bind(spec.status)
    .bind(address)
    .bind(address.map(|_| "75011"))
    .bind(placed)
    .bind(subtotal)
    .bind(spec.fee)
    .bind(subtotal + spec.fee)
    .bind(Uuid::new_v4().to_string())
    .bind(ready)
    .bind(out)
    .bind(delivered)
    .bind(done)
    .bind(cancelled)
    .execute(&app.db.owner)
    .await
    .unwrap();
    for (i, (name, qty, total)) in spec.lines.iter().enumerate() {
        // Names are what the dashboard reads (lines keep the name sold); ids need not match.
        let product = if *name == "Margherita" {
            m.margherita
        } else {
            m.cola
        };
        sqlx::query(
            r#"INSERT INTO order_lines (tenant_id, order_id, line_no, product_id, size_id, product_name, size_label,
                   kind, quantity, unit_price_cents, vat_rate_bp, line_total_cents)
               VALUES ($1, $2, $3, $4, $5, $6, 'Moyenne', 'pizza', $7, $8, 1000, $9)"#,
        )
        .bind(tenant)
        .bind(id)
        .bind(i16::try_from(i + 1).unwrap())
        .bind(product)
        .bind(m.margherita_m)
        .bind(name)
        .bind(i32::try_from(*qty).unwrap())
        .bind(total / qty)
        .bind(total)
        .execute(&app.db.owner)
        .await
        .unwrap();
    }
}

/// The figures, computed here from the specs.
fn expected(specs: &[&Spec]) -> Value {
    let completed: Vec<&&Spec> = specs
        .iter()
        .filter(|s| s.status == "delivered" || s.status == "picked_up")
        .collect();
    let revenue: i64 = completed
        .iter()
        .map(|s| s.lines.iter().map(|l| l.2).sum::<i64>() + s.fee)
        .sum();
    let avg = |v: Vec<i64>| -> Value {
        if v.is_empty() {
            Value::Null
        } else {
            let mean = v.iter().sum::<i64>() as f64 / v.len() as f64;
            ((mean * 10.0).round() / 10.0).into()
        }
    };
    let count = |f: &dyn Fn(&Spec) -> bool| specs.iter().filter(|s| f(s)).count() as i64;
    let mut sales: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for s in &completed {
        for (name, qty, total) in &s.lines {
            let e = sales.entry(name).or_default();
            e.0 += qty;
            e.1 += total;
        }
    }
    let mut top: Vec<(&str, i64, i64)> = sales.into_iter().map(|(n, (q, r))| (n, q, r)).collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)));
    let orders = specs.len() as i64;
    let cancelled = count(&|s| s.status == "cancelled");
    serde_json::json!({
        "orders": orders,
        "completed": completed.len(),
        "cancelled": cancelled,
        "cancellation_rate": if orders == 0 { 0.0 } else { (cancelled as f64 / orders as f64 * 10_000.0).round() / 10_000.0 },
        "revenue_cents": revenue,
        "average_basket_cents": if completed.is_empty() { 0 } else { (2 * revenue + completed.len() as i64) / (2 * completed.len() as i64) },
        "by_channel": { "web": count(&|s| s.channel == "web"), "phone": count(&|s| s.channel == "phone"), "counter": count(&|s| s.channel == "counter") },
        "by_fulfilment": { "delivery": count(&|s| s.fulfilment == "delivery"), "takeaway": count(&|s| s.fulfilment == "takeaway") },
        "average_preparation_minutes": avg(specs.iter().filter_map(|s| s.prep_minutes).collect()),
        "average_delivery_minutes": avg(specs.iter().filter_map(|s| s.delivery_minutes).collect()),
        "top_products": top.iter().map(|(n, q, r)| serde_json::json!({ "name": n, "quantity": q, "revenue_cents": r })).collect::<Vec<_>>(),
    })
}

fn figures_only(mut v: Value) -> Value {
    let o = v.as_object_mut().unwrap();
    for k in ["pizzeria", "name", "timezone", "low_stock"] {
        o.remove(k);
    }
    v
}

#[tokio::test]
async fn dashboards_count_service_days_in_each_pizzerias_timezone() {
    let app = spawn_app().await;
    let admin = app.spawn_admin().await;
    let ops = admin.platform_admin(&app, "ops@ocpizza.test").await;
    let paris = app.create_pizzeria("paris-dash").await;
    let tokyo = app.create_pizzeria("tokyo-dash").await;
    sqlx::query("UPDATE tenants SET timezone = 'Asia/Tokyo', name = 'Z Tokyo' WHERE id = $1")
        .bind(tokyo)
        .execute(&app.db.owner)
        .await
        .unwrap();
    let menus = [small_menu(&app, paris).await, small_menu(&app, tokyo).await];
    let shops = [
        (paris, chrono_tz::Europe::Paris),
        (tokyo, chrono_tz::Asia::Tokyo),
    ];
    let all = specs();
    for (n, spec) in all.iter().enumerate() {
        let (tenant, tz) = shops[spec.shop];
        insert(
            &app,
            tenant,
            tz,
            &menus[spec.shop],
            i32::try_from(n + 1).unwrap(),
            spec,
        )
        .await;
    }
    let in_range = |shop: Option<usize>| -> Vec<&Spec> {
        all.iter()
            .filter(|s| (20..=21).contains(&s.service_day) && shop.is_none_or(|x| x == s.shop))
            .collect()
    };

    let d: Value = admin
        .get("/dashboard?from=2026-11-20&to=2026-11-21", &ops)
        .await
        .json()
        .await
        .unwrap();
    let rows = d["pizzerias"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0]["pizzeria"].as_str(), rows[1]["pizzeria"].as_str()),
        (Some("paris-dash"), Some("tokyo-dash"))
    );
    assert_eq!(
        figures_only(rows[0].clone()),
        expected(&in_range(Some(0))),
        "Paris"
    );
    assert_eq!(
        figures_only(rows[1].clone()),
        expected(&in_range(Some(1))),
        "Tokyo"
    );
    assert_eq!(
        figures_only(d["total"].clone()),
        expected(&in_range(None)),
        "total"
    );
    // Sanity of the computation itself: 4 + 2 orders, 49.00 € + 41.00 €.
    assert_eq!(
        (
            d["total"]["orders"].as_i64(),
            d["total"]["revenue_cents"].as_i64()
        ),
        (Some(6), Some(9000))
    );

    // Low stock now: every ingredient at or below its threshold.
    let low: Vec<(String, String)> = sqlx::query_as(
        "SELECT t.slug, i.name FROM ingredients i JOIN tenants t ON t.id = i.tenant_id WHERE i.quantity_on_hand <= i.alert_threshold ORDER BY 1, 2",
    )
    .fetch_all(&app.db.owner)
    .await
    .unwrap();
    let mut shown: Vec<(String, String)> = d["total"]["low_stock"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["pizzeria"].as_str().unwrap().into(),
                l["ingredient"].as_str().unwrap().into(),
            )
        })
        .collect();
    shown.sort();
    assert_eq!(shown, low);
    assert!(!low.is_empty());

    // The CSV says the same.
    let resp = admin
        .get("/dashboard.csv?from=2026-11-20&to=2026-11-21", &ops)
        .await;
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = resp.text().await.unwrap();
    let total = csv.lines().last().unwrap();
    assert!(
        total.starts_with("TOTAL,,6,5,1,0.1667,90.00,18.00,"),
        "{total}"
    );
    assert_eq!(csv.lines().count(), 4);

    // The owner of Paris sees Paris alone, with the same figures; not the group's.
    let owner = admin
        .staff(&app, paris, "owner@paris.test", Role::Owner)
        .await;
    let own: Value = admin
        .get(
            "/pizzerias/paris-dash/dashboard?from=2026-11-20&to=2026-11-21",
            &owner,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(own["pizzerias"].as_array().unwrap().len(), 1);
    assert_eq!(
        figures_only(own["total"].clone()),
        expected(&in_range(Some(0)))
    );
    let resp = admin
        .get("/dashboard?from=2026-11-20&to=2026-11-21", &owner)
        .await;
    assert_eq!(resp.status(), 403);
    let resp = admin
        .get("/dashboard?from=2026-11-21&to=2026-11-20", &ops)
        .await;
    assert_eq!(resp.status(), 422);
}
