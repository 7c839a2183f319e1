//! Menu reads beside their ceiling, in the same run: `wrk` against `/healthz` (what the HTTP
//! stack can do here), then the public menu, then the menu revalidated with `If-None-Match`
//! (answered 304). The app runs in-process on a fresh database, as in the tests. For each
//! scenario: requests/s, its share of `/healthz`, p50 and p99 latency, answers that were not
//! 2xx/3xx, and the database transactions per request (from `pg_stat_database`).
//! Run through `scripts/bench.sh --menu`.

use std::process::Command;
use std::time::Duration;

use ocpizza_tests::fixtures::{restock, small_menu};
use ocpizza_tests::spawn_app_with;

fn arg(name: &str, default: usize) -> usize {
    std::env::args()
        .skip_while(|a| a != name)
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What `wrk --latency` printed.
struct Figures {
    requests: f64,
    rate: f64,
    p50: String,
    p99: String,
    errors: u64,
}

fn wrk(url: &str, connections: usize, seconds: usize, header: Option<&str>) -> Figures {
    let mut cmd = Command::new("wrk");
    cmd.args(["--latency", "-t2"])
        .arg(format!("-c{connections}"))
        .arg(format!("-d{seconds}s"));
    if let Some(h) = header {
        cmd.args(["-H", h]);
    }
    let out = cmd.arg(url).output().expect("wrk (apt-get install wrk)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "wrk failed: {text}");
    let field = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(prefix))
            .map(|v| v.split_whitespace().next().unwrap_or("").to_string())
    };
    let requests = text
        .lines()
        .find(|l| l.contains(" requests in "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    Figures {
        requests,
        rate: field("Requests/sec:")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0),
        p50: field("50%").unwrap_or_default(),
        p99: field("99%").unwrap_or_default(),
        errors: field("Non-2xx or 3xx responses:")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
    }
}

#[tokio::main]
async fn main() {
    let seconds = arg("--seconds", 10);
    let connections = arg("--connections", 64);
    let app = spawn_app_with(|c| c.log.level = "warn".into()).await;
    let tenant = app.create_pizzeria("bench").await;
    let m = small_menu(&app, tenant).await;
    restock(&app, tenant, m.mozzarella, 100_000).await;
    let menu_url = app.url("/api/v1/pizzerias/bench/menu");
    let first = app.client.get(&menu_url).send().await.expect("menu");
    assert_eq!(first.status(), 200, "the menu answers");
    let etag = first.headers()["etag"].to_str().expect("etag").to_string();
    let bytes = first.bytes().await.expect("menu body").len();

    let owner = app.db.owner.clone();
    let commits = async || -> i64 {
        // Statistics reach pg_stat_database when a backend reports them (at most once a second).
        tokio::time::sleep(Duration::from_millis(1500)).await;
        sqlx::query_scalar(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()",
        )
        .fetch_one(&owner)
        .await
        .expect("pg_stat_database")
    };
    let inm = format!("If-None-Match: {etag}");
    let scenarios: [(&str, String, Option<&str>); 3] = [
        ("GET /healthz (ceiling)", app.url("/healthz"), None),
        ("GET menu", menu_url.clone(), None),
        (
            "GET menu, If-None-Match (304)",
            menu_url.clone(),
            Some(&inm),
        ),
    ];
    println!(
        "menu document: {bytes} bytes; wrk -t2 -c{connections} -d{seconds}s, app in-process (release)"
    );
    println!(
        "{:<32} {:>10} {:>8} {:>9} {:>9} {:>7} {:>9}",
        "scenario", "req/s", "ceiling", "p50", "p99", "errors", "tx/req"
    );
    let mut ceiling = None;
    for (name, url, header) in scenarios {
        let before = commits().await;
        let f = wrk(&url, connections, seconds, header);
        let after = commits().await;
        let ceiling = *ceiling.get_or_insert(f.rate);
        #[allow(clippy::cast_precision_loss)]
        let per_request = (after - before) as f64 / f.requests.max(1.0);
        println!(
            "{name:<32} {:>10.0} {:>7.0}% {:>9} {:>9} {:>7} {:>9.4}",
            f.rate,
            100.0 * f.rate / ceiling,
            f.p50,
            f.p99,
            f.errors,
            per_request
        );
    }
}
