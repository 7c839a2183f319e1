//! Order placement under load: N guest orders from C concurrent clients against one pizzeria,
//! or spread over P pizzerias (`--pizzerias P`, round robin), the app in-process on a fresh
//! database as in the tests; every order of a pizzeria takes the same hot ingredients. Then what the per-request session check costs: `GET /me` with a customer's
//! token (the check and the profile), and the check alone (`accounts::session_open`), N of each.
//! Prints throughput and latency percentiles. Run through `scripts/bench.sh`.

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
    let pizzerias = arg("--pizzerias", 1).max(1);
    let units = i64::try_from(orders).unwrap_or(i64::MAX / 1000);
    let mut menus = Vec::new();
    for p in 0..pizzerias {
        let slug = format!("bench{p}");
        let tenant = app.create_pizzeria(&slug).await;
        let m = small_menu(&app, tenant).await;
        open_for_orders(&app, tenant, 1000).await;
        restock(&app, tenant, m.mozzarella, 200 * units).await;
        restock(&app, tenant, m.dough, 250 * units).await;
        restock(&app, tenant, m.cola_can, units).await;
        menus.push((app.url(&format!("/api/v1/pizzerias/{slug}/orders")), m));
    }
    let body = |n: usize| {
        let (url, m) = &menus[n % pizzerias];
        let json = json!({ "fulfilment": "takeaway", "payment_method": "cash",
            "guest": { "name": "Bench", "email": format!("bench{n}@example.fr"), "phone": "0600000000" },
            "lines": [{ "product_id": m.margherita, "size_id": m.margherita_m, "quantity": 1 },
                      { "product_id": m.cola, "size_id": m.cola_unit, "quantity": 1 }] });
        (url.clone(), json)
    };
    let client = app.client.clone();
    let bodies = std::sync::Arc::new((0..orders).map(body).collect::<Vec<_>>());
    let run = load(orders, clients, move |n| {
        let (client, bodies) = (client.clone(), bodies.clone());
        async move {
            let (url, body) = &bodies[n];
            let sent = client.post(url).json(body).send().await;
            sent.is_ok_and(|r| r.status() == 201)
        }
    })
    .await;
    run.print(
        "orders placed",
        &format!("on {pizzerias} pizzeria(s) by {clients} clients, pool {pool}"),
    );

    app.create_user("reader@example.fr").await;
    let tokens = app
        .login("reader@example.fr", ocpizza_tests::app::PASSWORD)
        .await;
    let token = tokens["access_token"].as_str().expect("token").to_string();
    let (client, me) = (app.client.clone(), app.url("/api/v1/me"));
    let run = load(orders, clients, move |_| {
        let (client, me, token) = (client.clone(), me.clone(), token.clone());
        async move {
            let sent = client.get(&me).bearer_auth(&token).send().await;
            sent.is_ok_and(|r| r.status() == 200)
        }
    })
    .await;
    run.print(
        "GET /me (token, session check, profile)",
        &format!("by {clients} clients"),
    );

    let (user, session): (uuid::Uuid, uuid::Uuid) =
        sqlx::query_as("SELECT user_id, id FROM sessions LIMIT 1")
            .fetch_one(&app.db.owner)
            .await
            .expect("a session");
    let runtime = app.db.app.clone();
    let run = load(orders, clients, move |_| {
        let runtime = runtime.clone();
        async move {
            let audience = ocpizza::auth::Audience::App;
            ocpizza::accounts::session_open(&runtime, audience, user, session)
                .await
                .is_ok_and(|open| open)
        }
    })
    .await;
    run.print("session checks alone", &format!("by {clients} tasks"));

    // Zero drift: each pizzeria's stock left is its opening stock minus what its stored orders
    // took (500 g opening, 200 g a margherita).
    for (_, m) in &menus {
        let (left, placed): (i64, i64) = sqlx::query_as(
            "SELECT i.quantity_on_hand, (SELECT count(*) FROM orders o WHERE o.tenant_id = i.tenant_id)
             FROM ingredients i WHERE i.id = $1",
        )
        .bind(m.mozzarella)
        .fetch_one(&app.db.owner)
        .await
        .expect("stock");
        let expected = 500 + 200 * units - 200 * placed;
        println!(
            "check: {placed} orders stored, mozzarella left {left} g (expected {expected} g){}",
            if left == expected {
                ""
            } else {
                "  STOCK DRIFT"
            }
        );
    }
}

/// What a load run measured.
struct Run {
    total: usize,
    failures: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

/// `total` calls of `call(n)` from `workers` concurrent tasks, each timed.
async fn load<F, Fut>(total: usize, workers: usize, call: F) -> Run
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (next, call) = (next.clone(), call.clone());
        tasks.push(tokio::spawn(async move {
            let (mut latencies, mut failures) = (Vec::new(), 0usize);
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= total {
                    return (latencies, failures);
                }
                let t = Instant::now();
                let ok = call(n).await;
                latencies.push(t.elapsed());
                failures += usize::from(!ok);
            }
        }));
    }
    let (mut latencies, mut failures) = (Vec::new(), 0);
    for t in tasks {
        let (l, f) = t.await.expect("load task");
        latencies.extend(l);
        failures += f;
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    Run {
        total,
        failures,
        elapsed,
        latencies,
    }
}

impl Run {
    fn print(&self, what: &str, how: &str) {
        let pct = |p: f64| {
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss
            )]
            let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
            self.latencies
                .get(i)
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        #[allow(clippy::cast_precision_loss)]
        let rate = self.total as f64 / self.elapsed.as_secs_f64();
        println!(
            "{what}: {} of {} ({} failed) {how}",
            self.total - self.failures,
            self.total,
            self.failures
        );
        println!(
            "  elapsed: {:.2} s, throughput: {rate:.0}/s; latency ms: p50 {:.2}  p95 {:.2}  p99 {:.2}  max {:.2}",
            self.elapsed.as_secs_f64(),
            pct(0.5),
            pct(0.95),
            pct(0.99),
            pct(1.0)
        );
    }
}
