//! Real-time fan-out: C clients follow one pizzeria's kitchen stream on one `ocpizza-app`
//! process (the release binary, started here); N status changes are made one after the other;
//! for each, the time from sending the change to each client receiving its event. Reports
//! latency percentiles and the server's resident memory. Run through `scripts/bench-sse.sh`.

use std::time::{Duration, Instant};

use ocpizza::domain::Role;
use ocpizza_tests::bins::bin;
use ocpizza_tests::fixtures::{open_for_orders, restock, small_menu};
use ocpizza_tests::spawn_app_with;
use secrecy::ExposeSecret;
use serde_json::json;
use tokio::sync::mpsc;

fn arg(name: &str, default: usize) -> usize {
    std::env::args()
        .skip_while(|a| a != name)
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let clients = arg("--clients", 1000);
    let changes = arg("--changes", 100);
    // Fixtures through the in-process harness; the measured server is a separate process.
    let fixture = spawn_app_with(|c| c.log.level = "warn".into()).await;
    let tenant = fixture.create_pizzeria("live").await;
    let m = small_menu(&fixture, tenant).await;
    open_for_orders(&fixture, tenant, 1000).await;
    restock(&fixture, tenant, m.mozzarella, 1_000_000).await;
    restock(&fixture, tenant, m.dough, 1_000_000).await;
    let cook = fixture
        .staff_token(tenant, "cook@live.test", Role::Pizzaiolo)
        .await;
    let cashier = fixture
        .staff_token(tenant, "cashier@live.test", Role::Cashier)
        .await;

    let port = free_port();
    let secret = fixture
        .config
        .auth
        .jwt_secret
        .as_ref()
        .expect("secret")
        .expose_secret()
        .to_string();
    let mut server = tokio::process::Command::new(bin("ocpizza-app"))
        .env_clear()
        .env("OCPIZZA_DATABASE__URL", &fixture.db.app_url)
        .env("OCPIZZA_DATABASE__MAX_CONNECTIONS", "20")
        .env("OCPIZZA_HTTP__PORT", port.to_string())
        .env("OCPIZZA_AUTH__JWT_SECRET", &secret)
        .env("OCPIZZA_REALTIME__BUFFER", "1024")
        .env("OCPIZZA_LOG__LEVEL", "warn")
        .kill_on_drop(true)
        .spawn()
        .expect("ocpizza-app starts");
    let pid = server.id().expect("pid");
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !http
        .get(format!("{base}/readyz"))
        .send()
        .await
        .is_ok_and(|r| r.status() == 200)
    {
        assert!(
            Instant::now() < deadline,
            "ocpizza-app did not become ready"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let idle_rss = rss_kib(pid);

    // C subscribers; each reports (client, arrival) for every event it reads.
    let (tx, mut rx) = mpsc::unbounded_channel::<(usize, Instant)>();
    let url = format!("{base}/api/v1/pizzerias/live/kitchen/events");
    let mut connected = 0;
    for n in 0..clients {
        let client = reqwest::Client::new();
        let resp = client
            .get(&url)
            .bearer_auth(&cook)
            .send()
            .await
            .expect("subscribe");
        assert_eq!(resp.status(), 200);
        connected += 1;
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut resp = resp;
            let mut buf = String::new();
            while let Ok(Some(chunk)) = resp.chunk().await {
                buf.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buf.find("\n\n") {
                    let frame: String = buf.drain(..end + 2).collect();
                    if frame.contains("\nid:") || frame.starts_with("id:") {
                        let _ = tx.send((n, Instant::now()));
                    }
                }
            }
        });
    }
    let subscribed_rss = rss_kib(pid);
    println!("{connected} clients subscribed to one kitchen stream");

    // N changes, one at a time: place an order, start it, mark it ready, hand it over.
    let mut latencies: Vec<f64> = Vec::with_capacity(clients * changes);
    let mut order_id = String::new();
    let steps = ["place", "start", "ready", "pick-up"];
    let started = Instant::now();
    for k in 0..changes {
        let t0 = Instant::now();
        let step = steps[k % steps.len()];
        let resp = if step == "place" {
            let body = json!({ "fulfilment": "takeaway", "payment_method": "cash",
                "guest": { "name": "Bench", "email": format!("b{k}@example.fr"), "phone": "0600000000" },
                "lines": [{ "product_id": m.margherita, "size_id": m.margherita_m, "quantity": 1 }] });
            http.post(format!("{base}/api/v1/pizzerias/live/orders"))
                .json(&body)
                .send()
                .await
                .expect("place")
        } else {
            let token = if step == "pick-up" { &cashier } else { &cook };
            http.post(format!(
                "{base}/api/v1/pizzerias/live/orders/{order_id}/actions/{step}"
            ))
            .bearer_auth(token)
            .send()
            .await
            .expect("action")
        };
        assert!(resp.status().is_success(), "{step}: {}", resp.status());
        if step == "place" {
            order_id = resp.json::<serde_json::Value>().await.expect("order")["id"]
                .as_str()
                .expect("id")
                .to_string();
        }
        let mut got = 0;
        while got < clients {
            let (_, at) = tokio::time::timeout(Duration::from_secs(30), rx.recv())
                .await
                .expect("every client gets the event")
                .expect("channel");
            latencies.push((at - t0).as_secs_f64() * 1000.0);
            got += 1;
        }
    }
    let elapsed = started.elapsed();
    let busy_rss = rss_kib(pid);
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies.get(i).copied().unwrap_or(0.0)
    };
    println!(
        "{changes} changes × {clients} clients = {} deliveries in {:.1} s",
        latencies.len(),
        elapsed.as_secs_f64()
    );
    println!(
        "change-to-client latency ms: p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}",
        pct(0.5),
        pct(0.9),
        pct(0.99),
        pct(1.0)
    );
    println!(
        "server RSS: idle {} MiB, {clients} streams {} MiB, after the changes {} MiB",
        idle_rss / 1024,
        subscribed_rss / 1024,
        busy_rss / 1024
    );
    server.kill().await.ok();
}
