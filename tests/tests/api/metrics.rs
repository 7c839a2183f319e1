//! Prometheus `/metrics` on the three binaries: request latency by route template, orders by
//! channel, live streams, jobs, and the age of the last good backup.

use std::time::Duration;

use ocpizza::domain::Role;
use ocpizza_tests::app::PASSWORD;
use ocpizza_tests::backup::{place, poll, shop_with_orders};
use ocpizza_tests::mail::SmtpServer;
use ocpizza_tests::spawn_app;
use ocpizza_tests::worker::spawn_worker;
use serde_json::json;

async fn scrape(url: &str) -> String {
    let resp = reqwest::get(url).await.unwrap();
    assert_eq!(resp.status(), 200, "{url}");
    let kind = resp.headers()["content-type"].to_str().unwrap().to_string();
    assert!(kind.starts_with("text/plain"), "{kind}");
    resp.text().await.unwrap()
}

/// The value of the first sample whose line starts with `series`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(series))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn app_and_admin_count_requests_by_route_template_and_orders_by_channel() {
    let app = spawn_app().await;
    let (tenant, menu) = shop_with_orders(&app, "metrics-shop", 1).await;
    // A second order (the small menu's stock makes two), which the kitchen starts: a transition.
    let customer = app.login("client@metrics-shop.test", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let order = place(&app, "metrics-shop", &customer, &menu).await;
    let cook = app
        .staff_token(tenant, "cook@metrics-shop.test", Role::Pizzaiolo)
        .await;
    let started = app
        .post(
            &format!(
                "/api/v1/pizzerias/metrics-shop/orders/{}/actions/start",
                order["id"].as_str().unwrap()
            ),
            Some(&cook),
            &json!({}),
        )
        .await;
    assert_eq!(started.status(), 200);
    let text = scrape(&format!("http://{}/metrics", app.addr)).await;
    let moved = sample(
        &text,
        "ocpizza_order_transitions_total{from=\"received\",to=\"preparing\"}",
    );
    assert!(moved.is_some_and(|n| n >= 1.0), "{text}");
    let placed = sample(
        &text,
        "ocpizza_orders_placed_total{channel=\"web\",fulfilment=\"takeaway\"}",
    );
    assert!(placed.is_some_and(|n| n >= 2.0), "{text}");
    let route = "route=\"/api/v1/pizzerias/{slug}/orders\",status=\"201\"";
    assert!(
        text.lines().any(
            |l| l.starts_with("ocpizza_http_request_duration_seconds_bucket")
                && l.contains("method=\"POST\"")
                && l.contains(route)
        ),
        "a latency histogram by route template: {text}"
    );
    assert!(!text.contains("metrics-shop"), "no slug in a label");
    assert!(
        text.contains("ocpizza_sse_connections{kind=\"order\"} 0"),
        "{text}"
    );

    let admin = app.spawn_admin().await;
    let base = admin.base.trim_end_matches("/admin/v1");
    assert_eq!(
        reqwest::get(format!("{base}/healthz"))
            .await
            .unwrap()
            .status(),
        200
    );
    let text = scrape(&format!("{base}/metrics")).await;
    assert!(
        text.contains("ocpizza_http_request_duration_seconds_bucket"),
        "{text}"
    );
}

#[tokio::test]
async fn the_worker_reports_jobs_and_the_age_of_the_last_good_backup() {
    let app = spawn_app().await;
    let smtp = SmtpServer::start().await;
    sqlx::query(
        "INSERT INTO ops.backups (id, kind, file_name, started_at, finished_at, outcome)
         VALUES (gen_random_uuid(), 'manual', 'ocpizza_test.dump', now() - interval '2 hours', now() - interval '1 hour', 'ok')",
    )
    .execute(&app.db.owner)
    .await
    .unwrap();
    let worker = spawn_worker(&app.db, &smtp.url(), &[]).await;
    let metrics = format!("{}/metrics", worker.http_base());
    let text = scrape(&metrics).await;
    let age = sample(&text, "ocpizza_last_good_backup_age_seconds").expect(&text);
    assert!((3600.0..3700.0).contains(&age), "an hour old: {age}");

    // An order's confirmation is an email job this worker runs.
    shop_with_orders(&app, "jobs-shop", 1).await;
    smtp.wait_for(1, Duration::from_secs(20)).await;
    let sent = poll(
        "the email job counted",
        Duration::from_secs(10),
        async || {
            let text = scrape(&metrics).await;
            sample(&text, "ocpizza_jobs_total{kind=\"emails\",outcome=\"ok\"}")
                .filter(|n| *n >= 1.0)
        },
    )
    .await;
    assert!(sent >= 1.0);
}

#[tokio::test]
async fn with_a_metrics_token_only_its_bearer_reads_the_metrics_on_both_servers() {
    let app = ocpizza_tests::spawn_app_with(|c| {
        c.http.metrics_token = Some("scrape-me-0123456789".to_string().into());
    })
    .await;
    let admin = app.spawn_admin().await;
    let admin_metrics = admin.base.replace("/admin/v1", "/metrics");
    let client = reqwest::Client::new();
    for url in [app.url("/metrics"), admin_metrics] {
        let anonymous = client.get(&url).send().await.unwrap();
        assert_eq!(anonymous.status(), 401, "{url}");
        let wrong = client
            .get(&url)
            .bearer_auth("scrape-me-012345678X")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401, "{url}");
        let scraper = client
            .get(&url)
            .bearer_auth("scrape-me-0123456789")
            .send()
            .await
            .unwrap();
        assert_eq!(scraper.status(), 200, "{url}");
    }
}
