//! The worker for real: emails over SMTP after commit, crash recovery, schedules that run once,
//! stock alerts per crossing, failed jobs and their retry.

use std::time::Duration;

use ocpizza::domain::Role;
use ocpizza_tests::app::problem;
use ocpizza_tests::bins::{run, stderr, stdout};
use ocpizza_tests::fixtures::{restock, small_menu};
use ocpizza_tests::mail::{SmtpServer, free_port, wait_for_port};
use ocpizza_tests::worker::spawn_worker;
use ocpizza_tests::{TestApp, spawn_app};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::orders::{guest, shop, takeaway};

const WITHIN: Duration = Duration::from_secs(20);

async fn poll<T>(what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + WITHIN;
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn email_job_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM apalis.jobs WHERE job_type = 'ocpizza::emails'")
        .fetch_one(&app.db.owner)
        .await
        .unwrap()
}

#[tokio::test]
async fn order_emails_follow_commits_and_a_rolled_back_order_sends_nothing() {
    let app = spawn_app().await;
    let smtp = SmtpServer::start().await;
    let (tenant, m) = shop(&app, "courriel").await;
    let cook = app
        .staff_token(tenant, "cook@courriel.test", Role::Pizzaiolo)
        .await;
    let _worker = spawn_worker(&app.db, &smtp.url(), &[]).await;
    let baseline = smtp.wait_for(1, WITHIN).await.len(); // the owner's invitation
    let jobs_before = email_job_count(&app).await;

    let mut body = takeaway(&m);
    body["guest"] = guest(1);
    let order: Value = app
        .post("/api/v1/pizzerias/courriel/orders", None, &body)
        .await
        .json()
        .await
        .unwrap();
    let id = order["id"].as_str().unwrap();
    let confirmation = poll("the confirmation", async || {
        smtp.messages()
            .into_iter()
            .find(|m| m.to == "guest1@example.fr")
    })
    .await;
    assert!(
        confirmation.subject.contains("Commande n° 1"),
        "{confirmation:?}"
    );
    assert!(
        confirmation.text.contains("11,00 €") && confirmation.text.contains("/track/"),
        "{}",
        confirmation.text
    );

    app.post(
        &format!("/api/v1/pizzerias/courriel/orders/{id}/actions/start"),
        Some(&cook),
        &json!({}),
    )
    .await;
    let mail = smtp.wait_for(baseline + 2, WITHIN).await;
    assert!(
        mail.iter()
            .any(|m| m.to == "guest1@example.fr" && m.subject.contains("en préparation")),
        "{mail:?}"
    );

    // Refused (out of stock): rolled back, so no job and no email.
    let mut too_much = takeaway(&m);
    too_much["guest"] = guest(2);
    too_much["lines"][0]["quantity"] = json!(20);
    let (status, _) = problem(
        app.post("/api/v1/pizzerias/courriel/orders", None, &too_much)
            .await,
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(email_job_count(&app).await, jobs_before + 2);
}

#[tokio::test]
async fn a_job_running_when_its_worker_is_killed_completes_after_a_restart() {
    let app = spawn_app().await;
    let smtp = SmtpServer::start().await;
    let (_, m) = shop(&app, "crash").await;
    // An SMTP server that accepts connections and never answers: the job hangs in the middle.
    let hanging_port = free_port();
    let hanging = tokio::net::TcpListener::bind(("127.0.0.1", hanging_port))
        .await
        .unwrap();
    let _keep = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = hanging.accept().await {
            held.push(socket);
        }
    });
    wait_for_port(hanging_port, WITHIN).await;
    let doomed = spawn_worker(&app.db, &format!("smtp://127.0.0.1:{hanging_port}"), &[]).await;

    let mut body = takeaway(&m);
    body["guest"] = guest(3);
    app.post("/api/v1/pizzerias/crash/orders", None, &body)
        .await;
    let owner = app.db.owner.clone();
    // The worker sends one email at a time: the owner's invitation (queued first) hangs, the
    // confirmation waits behind it.
    let running = poll("an email job to be running", async || {
        let running: Option<String> = sqlx::query_scalar("SELECT convert_from(job, 'UTF8') FROM apalis.jobs WHERE job_type = 'ocpizza::emails' AND status = 'Running'")
            .fetch_optional(&owner)
            .await
            .unwrap();
        running
    })
    .await;
    assert!(running.contains("invitation"), "{running}");
    doomed.kill_hard().await;

    let _healthy = spawn_worker(&app.db, &smtp.url(), &[]).await;
    let mail = poll("the confirmation email", async || {
        smtp.messages()
            .into_iter()
            .find(|m| m.to == "guest3@example.fr")
    })
    .await;
    assert!(mail.subject.contains("Commande n° 1"));
    let sent = smtp.wait_for(2, WITHIN).await;
    assert_eq!(
        sent.len(),
        2,
        "the invitation that hung is sent once too: {sent:?}"
    );
}

#[tokio::test]
async fn two_workers_run_each_scheduled_tick_exactly_once() {
    let app = spawn_app().await;
    let smtp = SmtpServer::start().await;
    let every_second = [("OCPIZZA_WORKER__SCHEDULES__STOCK_CHECK", "* * * * * *")];
    let _a = spawn_worker(&app.db, &smtp.url(), &every_second).await;
    let _b = spawn_worker(&app.db, &smtp.url(), &every_second).await;
    let owner = app.db.owner.clone();
    poll("four finished stock checks", async || {
        let done: i64 = sqlx::query_scalar("SELECT count(*) FROM ops.scheduled_runs WHERE schedule = 'stock_check' AND finished_at IS NOT NULL")
            .fetch_one(&owner)
            .await
            .unwrap();
        (done >= 4).then_some(())
    })
    .await;
    let runs: Vec<(chrono::DateTime<chrono::Utc>, i32, Option<String>)> = sqlx::query_as(
        "SELECT scheduled_for, executions, outcome FROM ops.scheduled_runs WHERE schedule = 'stock_check' AND finished_at IS NOT NULL ORDER BY 1",
    )
    .fetch_all(&app.db.owner)
    .await
    .unwrap();
    assert!(
        runs.iter()
            .all(|(_, executions, outcome)| *executions == 1 && outcome.as_deref() == Some("ok")),
        "{runs:?}"
    );
    let workers: Vec<String> = sqlx::query_scalar("SELECT DISTINCT worker FROM ops.scheduled_runs")
        .fetch_all(&app.db.owner)
        .await
        .unwrap();
    assert!(!workers.is_empty());
    let (jobs, ticks): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM apalis.jobs WHERE job_type = 'ocpizza::maintenance'), (SELECT count(*) FROM ops.scheduled_runs WHERE schedule = 'stock_check')",
    )
    .fetch_one(&app.db.owner)
    .await
    .unwrap();
    assert_eq!(jobs, ticks, "one job per tick, whoever claimed it");
}

#[tokio::test]
async fn stock_alerts_are_sent_once_per_crossing() {
    let app = spawn_app().await;
    let smtp = SmtpServer::start().await;
    let tenant = app.create_pizzeria("alerte").await;
    let m = small_menu(&app, tenant).await; // mozzarella: 500 g, alert below 100 g
    let manager = app
        .staff_token(tenant, "manager@alerte.test", Role::Manager)
        .await;
    app.staff_token(tenant, "owner2@alerte.test", Role::Owner)
        .await;
    let _worker = spawn_worker(&app.db, &smtp.url(), &[]).await;
    let baseline = smtp.wait_for(1, WITHIN).await.len();
    let waste = |qty: i64| json!({ "quantity": qty, "note": "test" });
    let path = format!(
        "/api/v1/pizzerias/alerte/stock/ingredients/{}",
        m.mozzarella
    );

    app.post(&format!("{path}/waste"), Some(&manager), &waste(420))
        .await; // 80 g: crossed
    app.post(&format!("{path}/waste"), Some(&manager), &waste(30))
        .await; // 50 g: still below, no new alert
    let mail = smtp.wait_for(baseline + 2, WITHIN).await;
    let alerts: Vec<_> = mail
        .iter()
        .filter(|m| m.subject.contains("Stock bas"))
        .collect();
    assert_eq!(alerts.len(), 2, "owner and manager, once: {mail:?}");
    let mut recipients: Vec<&str> = alerts.iter().map(|m| m.to.as_str()).collect();
    recipients.sort_unstable();
    assert_eq!(recipients, ["manager@alerte.test", "owner2@alerte.test"]);
    assert!(alerts[0].text.contains("80 g"), "{}", alerts[0].text);

    restock(&app, tenant, m.mozzarella, 300).await; // 350 g: above again
    app.post(&format!("{path}/waste"), Some(&manager), &waste(300))
        .await; // 50 g: crossed again
    let mail = smtp.wait_for(baseline + 4, WITHIN).await;
    assert_eq!(
        mail.iter()
            .filter(|m| m.subject.contains("Stock bas"))
            .count(),
        4
    );
    let rows: i64 =
        sqlx::query_scalar("SELECT count(*) FROM stock_alerts WHERE notified_at IS NOT NULL")
            .fetch_one(&app.db.owner)
            .await
            .unwrap();
    assert_eq!(rows, 2);
}

#[tokio::test]
async fn a_job_that_keeps_failing_is_listed_and_can_be_retried() {
    let app = spawn_app().await;
    let smtp = SmtpServer::start().await;
    let (_, m) = shop(&app, "echec").await;
    // Nothing listens there: every send fails at once.
    let failing = spawn_worker(&app.db, &format!("smtp://127.0.0.1:{}", free_port()), &[]).await;
    let mut body = takeaway(&m);
    body["guest"] = guest(4);
    app.post("/api/v1/pizzerias/echec/orders", None, &body)
        .await;
    let owner = app.db.owner.clone();
    let failed_id: String = poll("the job to fail for good", async || {
        sqlx::query_scalar("SELECT id FROM apalis.jobs WHERE status = 'Failed' AND convert_from(job, 'UTF8') LIKE '%order_confirmation%'")
            .fetch_optional(&owner)
            .await
            .unwrap()
    })
    .await;
    let attempts: i32 = sqlx::query_scalar("SELECT attempts FROM apalis.jobs WHERE id = $1")
        .bind(&failed_id)
        .fetch_one(&app.db.owner)
        .await
        .unwrap();
    assert!(
        attempts >= i32::try_from(ocpizza::jobs::ATTEMPTS).unwrap(),
        "retried before giving up: {attempts}"
    );
    drop(failing);

    let env = [("OCPIZZA_DATABASE__ADMIN_URL", app.db.owner_url.as_str())];
    let out = run("ocpizza-admin", &["jobs", "failed"], &env).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&failed_id) && stdout(&out).contains("ocpizza::emails"),
        "{}",
        stdout(&out)
    );

    let _fixed = spawn_worker(&app.db, &smtp.url(), &[]).await;
    let out = run("ocpizza-admin", &["jobs", "retry", &failed_id], &env).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let mail = poll("the retried email", async || {
        smtp.messages()
            .into_iter()
            .find(|m| m.to == "guest4@example.fr")
    })
    .await;
    assert!(mail.subject.contains("Commande n° 1"));
    let out = run(
        "ocpizza-admin",
        &["jobs", "retry", &Uuid::new_v4().to_string()],
        &env,
    )
    .await;
    assert!(!out.status.success());
}

#[tokio::test]
async fn an_order_speaks_the_language_it_was_placed_in_and_a_change_of_lines_is_emailed() {
    let app = spawn_app().await;
    let smtp = SmtpServer::start().await;
    let (tenant, m) = shop(&app, "langue").await;
    restock(&app, tenant, m.mozzarella, 5000).await;
    let _worker = spawn_worker(&app.db, &smtp.url(), &[]).await;

    // A guest whose browser prefers English.
    let mut body = takeaway(&m);
    body["guest"] = guest(1);
    let order: Value = app
        .request(reqwest::Method::POST, "/api/v1/pizzerias/langue/orders")
        .header("accept-language", "en-GB,en;q=0.9,fr;q=0.5")
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let confirmation = poll("the confirmation", async || {
        smtp.messages()
            .into_iter()
            .find(|m| m.to == "guest1@example.fr")
    })
    .await;
    assert!(
        confirmation.subject.starts_with("Order # 1 "),
        "{confirmation:?}"
    );
    assert!(
        confirmation.text.contains("Thank you"),
        "{}",
        confirmation.text
    );

    // The guest changes the lines through the tracking link: a new email, with the new total.
    let url = order["tracking_url"].as_str().unwrap();
    let track = &url[url.find("/api/").unwrap()..];
    let resp = app
        .request(reqwest::Method::PUT, &format!("{track}/lines"))
        .json(&json!({ "lines": [{ "product_id": m.margherita, "size_id": m.margherita_m, "quantity": 2 }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let changed = poll("the change's email", async || {
        smtp.messages()
            .into_iter()
            .find(|m| m.to == "guest1@example.fr" && m.subject.contains("changed"))
    })
    .await;
    assert!(
        changed.subject.starts_with("Order # 1 changed"),
        "{changed:?}"
    );
    assert!(changed.text.contains("22,00 €"), "{}", changed.text);

    // `locale` in the body wins over the header; without either, French.
    let mut body = takeaway(&m);
    body["guest"] = guest(2);
    body["locale"] = json!("fr");
    let resp = app
        .request(reqwest::Method::POST, "/api/v1/pizzerias/langue/orders")
        .header("accept-language", "en")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let mut body = takeaway(&m);
    body["guest"] = guest(3);
    app.post("/api/v1/pizzerias/langue/orders", None, &body)
        .await;
    for to in ["guest2@example.fr", "guest3@example.fr"] {
        let mail = poll("a French confirmation", async || {
            smtp.messages().into_iter().find(|m| m.to == to)
        })
        .await;
        assert!(mail.subject.starts_with("Commande n°"), "{mail:?}");
    }
    let (status, p) = problem(
        app.post(
            "/api/v1/pizzerias/langue/orders",
            None,
            &json!({ "fulfilment": "takeaway", "payment_method": "cash", "guest": guest(4), "locale": "de",
                     "lines": [{ "product_id": m.margherita, "size_id": m.margherita_m, "quantity": 1 }] }),
        )
        .await,
    )
    .await;
    assert_eq!((status, p["field"].as_str()), (422, Some("locale")));
}

#[tokio::test]
async fn workers_killed_while_emails_flow_send_each_at_least_once_and_at_most_one_twice_per_kill() {
    const ORDERS: usize = 200;
    const KILLS: usize = 4;
    let app = spawn_app().await;
    let smtp = SmtpServer::start().await;
    let (tenant, m) = shop(&app, "coupure").await;
    restock(&app, tenant, m.mozzarella, 200 * ORDERS as i64).await;
    restock(&app, tenant, m.dough, 1_000_000).await;
    for n in 0..ORDERS {
        let mut body = takeaway(&m);
        body["guest"] = guest(1000 + n);
        let resp = app
            .post("/api/v1/pizzerias/coupure/orders", None, &body)
            .await;
        assert_eq!(resp.status(), 201);
    }
    let expected: Vec<String> = (0..ORDERS)
        .map(|n| format!("guest{}@example.fr", 1000 + n))
        .collect();

    // Each worker is killed (SIGKILL) after sending a few, while emails keep flowing.
    for kill in 1..=KILLS {
        let worker = spawn_worker(&app.db, &smtp.url(), &[]).await;
        let before = smtp.messages().len();
        poll("some emails before the kill", async || {
            (smtp.messages().len() >= before + 15).then_some(())
        })
        .await;
        worker.kill_hard().await;
        assert!(
            smtp.messages().len() < ORDERS,
            "kill {kill} came too late to mean anything"
        );
    }
    let _last = spawn_worker(&app.db, &smtp.url(), &[]).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    let mail = loop {
        let mail = smtp.messages();
        if expected.iter().all(|to| mail.iter().any(|m| &m.to == to)) {
            break mail;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{} of {ORDERS} confirmations arrived",
            expected
                .iter()
                .filter(|to| mail.iter().any(|m| &m.to == *to))
                .count()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let confirmations: Vec<_> = mail.iter().filter(|m| expected.contains(&m.to)).collect();
    let mut distinct: Vec<(&str, &str)> = confirmations
        .iter()
        .map(|m| (m.to.as_str(), m.subject.as_str()))
        .collect();
    distinct.sort_unstable();
    distinct.dedup();
    let twice = confirmations.len() - distinct.len();
    eprintln!("{twice} of {ORDERS} confirmations sent twice through {KILLS} kill -9 of the worker");
    assert!(
        twice <= KILLS && twice * 50 <= ORDERS,
        "{twice} confirmations sent twice for {KILLS} kills"
    );
}
