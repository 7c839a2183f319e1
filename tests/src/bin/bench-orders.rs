//! Order placement under load: N guest orders from C concurrent clients against one pizzeria
//! (the app in-process on a fresh database, as in the tests), every order taking the same hot
//! ingredients. Prints throughput and latency percentiles. Run through `scripts/bench.sh`.

use std::time::{Duration, Instant};

use ocpizza_tests::fixtures::{open_for_orders, restock, small_menu};
use ocpizza_tests::spawn_app_with;
use serde_json::json;

fn arg(name: &str, default: usize) -> usize {
    std::env::args()
        .skip_while(|a| a != name)
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let orders = arg("--orders", 2000);
    let clients = arg("--clients", 16);
    let pool = arg("--pool", 16);
    let app = spawn_app_with(|c| {
        c.database.max_connections = u32::try_from(pool).unwrap_or(16);
        c.log.level = "warn".into();
    })
    .await;
    let tenant = app.create_pizzeria("bench").await;
    let m = small_menu(&app, tenant).await;
    open_for_orders(&app, tenant, 1000).await;
    let units = i64::try_from(orders).unwrap_or(i64::MAX / 1000);
    restock(&app, tenant, m.mozzarella, 200 * units).await;
    restock(&app, tenant, m.dough, 250 * units).await;
    restock(&app, tenant, m.cola_can, units).await;
    let body = |n: usize| {
        json!({ "fulfilment": "takeaway", "payment_method": "cash",
            "guest": { "name": "Bench", "email": format!("bench{n}@example.fr"), "phone": "0600000000" },
            "lines": [{ "product_id": m.margherita, "size_id": m.margherita_m, "quantity": 1 },
                      { "product_id": m.cola, "size_id": m.cola_unit, "quantity": 1 }] })
    };
    let url = app.url("/api/v1/pizzerias/bench/orders");
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, url, next) = (app.client.clone(), url.clone(), next.clone());
        let bodies: Vec<_> = (0..orders).map(body).collect();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0usize;
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= bodies.len() {
                    return (latencies, failures);
                }
                let t = Instant::now();
                let ok = client
                    .post(&url)
                    .json(&bodies[n])
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == 201);
                latencies.push(t.elapsed());
                failures += usize::from(!ok);
            }
        }));
    }
    let mut all: Vec<Duration> = Vec::new();
    let mut failures = 0;
    for t in tasks {
        let (l, f) = t.await.expect("client task");
        all.extend(l);
        failures += f;
    }
    let elapsed = started.elapsed();
    all.sort_unstable();
    let pct = |p: f64| {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let i = ((all.len() as f64 - 1.0) * p).round() as usize;
        all.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    #[allow(clippy::cast_precision_loss)]
    let rate = orders as f64 / elapsed.as_secs_f64();
    println!(
        "orders placed: {} of {orders} ({failures} failed) by {clients} clients, pool {pool}",
        orders - failures
    );
    println!(
        "elapsed: {:.2} s, throughput: {rate:.0} orders/s",
        elapsed.as_secs_f64()
    );
    println!(
        "latency ms: p50 {:.1}  p95 {:.1}  p99 {:.1}  max {:.1}",
        pct(0.5),
        pct(0.95),
        pct(0.99),
        pct(1.0)
    );
    let left: i64 = sqlx::query_scalar("SELECT quantity_on_hand FROM ingredients WHERE id = $1")
        .bind(m.mozzarella)
        .fetch_one(&app.db.owner)
        .await
        .expect("stock");
    let placed: i64 = sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(&app.db.owner)
        .await
        .expect("orders");
    println!(
        "check: {placed} orders stored, mozzarella left {left} g (expected {} g)",
        500 + 200 * units - 200 * placed
    );
}
