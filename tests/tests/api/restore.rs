//! Restores: the application's data back as it was, from either copy; a full restore into an
//! empty database; maintenance mode.

use std::time::Duration;

use ocpizza_tests::app::problem;
use ocpizza_tests::backup::{Rig, fingerprint, latest_migration, place, poll, shop_with_orders};
use ocpizza_tests::bins::stderr;
use ocpizza_tests::db::with_database;
use ocpizza_tests::fixtures::restock;
use ocpizza_tests::mail::SmtpServer;
use ocpizza_tests::worker::spawn_worker;
use serde_json::Value;

const WITHIN: Duration = Duration::from_secs(30);

async fn pending_jobs(rig: &Rig) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM apalis.jobs WHERE status <> 'Done'")
        .fetch_one(&rig.app.db.owner)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_restore_brings_the_data_back_and_replays_no_job() {
    let rig = Rig::new().await;
    let (tenant, m) = shop_with_orders(&rig.app, "retour", 2).await;
    // The backup is taken while the invitation and the two confirmations are still queued.
    assert!(pending_jobs(&rig).await >= 3);
    let b = rig.backup().await;
    let before = fingerprint(&rig.app.db.owner).await;

    // The worker sends them; then the data changes.
    let smtp = SmtpServer::start().await;
    let worker = spawn_worker(&rig.app.db, &smtp.url(), &[]).await;
    poll("the queued emails", WITHIN, async || {
        (pending_jobs(&rig).await == 0).then_some(())
    })
    .await;
    drop(worker);
    let sent = smtp.messages().len();
    assert!(sent >= 3);
    restock(&rig.app, tenant, m.mozzarella, 1000).await;
    sqlx::raw_sql("DELETE FROM order_events; UPDATE products SET name = name || ' (modifié)'")
        .execute(&rig.app.db.owner)
        .await
        .unwrap();
    assert_ne!(fingerprint(&rig.app.db.owner).await, before);

    let out = rig
        .admin_ok(&["backup", "restore", &b.id.to_string(), "--yes"])
        .await;
    assert!(out.contains("(from the local copy)"), "{out}");
    assert!(out.contains("safety backup"), "{out}");
    assert_eq!(fingerprint(&rig.app.db.owner).await, before);

    // The safety backup is listed; the registry and the queue were left as they were.
    let rows = rig.registry().await;
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0].kind.as_str(), rows[0].outcome.as_str()),
        ("safety", "ok")
    );
    let list = rig.admin_ok(&["backup", "list"]).await;
    assert!(list.contains(&rows[0].id.to_string()), "{list}");
    assert_eq!(pending_jobs(&rig).await, 0, "the sent emails stay sent");

    // The app works on the restored data (once it has seen maintenance off: within half a
    // second); a new worker sends only the new order's email.
    poll("the app out of maintenance", WITHIN, async || {
        (rig.app.get("/api/v1/pizzerias", None).await.status() == 200).then_some(())
    })
    .await;
    restock(&rig.app, tenant, m.mozzarella, 1000).await;
    let customer = rig.app.customer_token("apres@retour.test").await;
    let order = place(&rig.app, "retour", &customer, &m).await;
    assert_eq!(order["number"], 3);
    let _worker = spawn_worker(&rig.app.db, &smtp.url(), &[]).await;
    poll("the new order's email", WITHIN, async || {
        (pending_jobs(&rig).await == 0).then_some(())
    })
    .await;
    let mail = smtp.messages();
    assert_eq!(mail.len(), sent + 1, "{mail:?}");
    assert_eq!(mail.last().unwrap().to, "apres@retour.test");
}

#[tokio::test]
async fn a_restore_fetches_the_dump_from_s3_when_the_local_copy_is_gone() {
    let rig = Rig::new().await;
    shop_with_orders(&rig.app, "depuis-s3", 1).await;
    let b = rig.backup().await;
    let before = fingerprint(&rig.app.db.owner).await;
    std::fs::remove_file(rig.dir.join(&b.file)).unwrap();
    sqlx::query("DELETE FROM order_events")
        .execute(&rig.app.db.owner)
        .await
        .unwrap();

    let list = rig.admin_ok(&["backup", "list"]).await;
    let line = list.lines().find(|l| l.contains(&b.file)).unwrap();
    assert!(line.contains("MISSING"), "{list}");

    let out = rig
        .admin_ok(&["backup", "restore", &b.id.to_string(), "--yes"])
        .await;
    assert!(out.contains("(from the s3 copy)"), "{out}");
    assert_eq!(fingerprint(&rig.app.db.owner).await, before);
}

#[tokio::test]
async fn a_full_restore_into_an_empty_database_gives_a_working_platform() {
    let rig = Rig::new().await;
    shop_with_orders(&rig.app, "reprise", 1).await;
    let b = rig.backup().await;
    let dump = rig.dir.join(&b.file).to_string_lossy().into_owned();

    // Not over a database that has data.
    let out = rig
        .admin(&["backup", "restore", &dump, "--yes", "--full"])
        .await;
    assert!(!out.status.success());
    assert!(stderr(&out).contains("empty database"), "{}", stderr(&out));

    let name = format!("{}_dr", rig.app.db.name);
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(r#"CREATE DATABASE "{name}""#)))
        .execute(&rig.app.db.owner)
        .await
        .unwrap();
    let owner_url = with_database(&rig.app.db.owner_url, &name);
    let mut env = rig.env();
    env.retain(|(k, _)| *k != "OCPIZZA_DATABASE__ADMIN_URL");
    env.push(("OCPIZZA_DATABASE__ADMIN_URL", owner_url.clone()));
    let out = rig
        .admin_with(&["backup", "restore", &dump, "--yes", "--full"], &env)
        .await;
    assert!(out.status.success(), "{}", stderr(&out));

    let restored = sqlx::PgPool::connect(&owner_url).await.unwrap();
    let version: i64 = sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations")
        .fetch_one(&restored)
        .await
        .unwrap();
    assert_eq!(version, latest_migration());
    let unprotected: Vec<String> = sqlx::query_scalar(
        r#"SELECT c.relname::text FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
           WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
             AND NOT (c.relrowsecurity AND c.relforcerowsecurity)"#,
    )
    .fetch_all(&restored)
    .await
    .unwrap();
    assert!(unprotected.is_empty(), "{unprotected:?}");
    let registry: i64 = sqlx::query_scalar("SELECT count(*) FROM ops.backups")
        .fetch_one(&restored)
        .await
        .unwrap();
    assert!(registry >= 1, "the operational state comes back too");

    // The app starts on it as the runtime role, ready, and serves the pizzeria.
    let mut config = rig.app.config.clone();
    config.database.url = Some(with_database(&rig.app.db.app_url, &name).into());
    let app = ocpizza::Application::build(config).await.unwrap();
    let base = format!("http://{}", app.addr());
    tokio::spawn(app.run_until(std::future::pending()));
    let client = reqwest::Client::new();
    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let list: Value = client
        .get(format!("{base}/api/v1/pizzerias"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(list.to_string().contains("reprise"), "{list}");
}

#[tokio::test]
async fn maintenance_mode_answers_503_with_the_message_until_it_is_off() {
    let rig = Rig::new().await;
    let message = "Mise à jour en cours, retour vers 15 h";
    let out = rig
        .admin_ok(&["maintenance", "on", "--message", message])
        .await;
    assert!(out.contains("on"), "{out}");
    let resp = poll("maintenance mode", WITHIN, async || {
        let resp = rig.app.get("/api/v1/pizzerias", None).await;
        (resp.status() == 503).then_some(resp)
    })
    .await;
    let retry_after = resp.headers().get("retry-after").cloned();
    let (_, body) = problem(resp).await;
    assert!(retry_after.is_some());
    assert!(
        body["type"]
            .as_str()
            .unwrap()
            .ends_with("/problems/maintenance"),
        "{body}"
    );
    assert_eq!(body["detail"], message);
    for probe in ["/healthz", "/readyz"] {
        assert_eq!(rig.app.get(probe, None).await.status(), 200, "{probe}");
    }
    assert!(
        rig.admin_ok(&["maintenance", "status"])
            .await
            .contains(message)
    );

    rig.admin_ok(&["maintenance", "off"]).await;
    poll("the end of maintenance", WITHIN, async || {
        (rig.app.get("/api/v1/pizzerias", None).await.status() == 200).then_some(())
    })
    .await;
}

/// The menu cache is keyed by `menu_version`; a restore takes the version back, and edits after
/// it must never land on a version the app has cached with other prices.
#[tokio::test]
async fn after_a_restore_and_edits_the_app_serves_and_charges_the_databases_prices() {
    let rig = Rig::new().await;
    let (tenant, m) = shop_with_orders(&rig.app, "carte", 0).await;
    restock(&rig.app, tenant, m.mozzarella, 5000).await;
    let b = rig.backup().await;
    let price = async || -> i64 {
        sqlx::query_scalar("SELECT price_cents::int8 FROM product_sizes WHERE id = $1")
            .bind(m.margherita_m)
            .fetch_one(&rig.app.db.owner)
            .await
            .unwrap()
    };
    let version = async || -> i64 {
        sqlx::query_scalar("SELECT menu_version FROM pizzeria_settings WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_one(&rig.app.db.owner)
            .await
            .unwrap()
    };
    // Right after a restore, the app may answer 503 until it sees maintenance off (500 ms).
    let menu = async || -> Value {
        poll("the menu", WITHIN, async || {
            let resp = rig.app.get("/api/v1/pizzerias/carte/menu", None).await;
            match resp.status().as_u16() {
                200 => Some(resp.json::<Value>().await.unwrap()),
                503 => None,
                other => panic!("the menu answered {other}"),
            }
        })
        .await
    };
    let backed_up = price().await;

    // A new price, read (and cached) by the app.
    sqlx::query("UPDATE product_sizes SET price_cents = 1777 WHERE id = $1")
        .bind(m.margherita_m)
        .execute(&rig.app.db.owner)
        .await
        .unwrap();
    let cached = menu().await;
    let margherita = crate::menu::product(&cached, m.margherita);
    assert_eq!(crate::menu::size(margherita, "m")["price_cents"], 1777);
    let cached_version = cached["menu_version"].as_i64().unwrap();

    rig.admin_ok(&["backup", "restore", &b.id.to_string(), "--yes"])
        .await;
    assert_eq!(price().await, backed_up);
    // Edits that change nothing shown, until the version reaches the cached one (a version
    // that only counts edits gets there in one or two).
    for _ in 0..5 {
        if version().await >= cached_version {
            break;
        }
        sqlx::query("UPDATE products SET position = position WHERE id = $1")
            .bind(m.cola)
            .execute(&rig.app.db.owner)
            .await
            .unwrap();
    }

    let served = menu().await;
    let margherita = crate::menu::product(&served, m.margherita);
    assert_eq!(
        crate::menu::size(margherita, "m")["price_cents"],
        backed_up,
        "the menu shows the restored price"
    );
    let customer = rig.app.customer_token("apres@carte.test").await;
    let order = place(&rig.app, "carte", &customer, &m).await;
    assert_eq!(
        order["total_cents"], backed_up,
        "and an order is charged it"
    );
}

/// Readers hammering the API while a restore runs get the data as it was or 503 maintenance:
/// the restore waits until the app has stopped with nothing in flight before it drops anything.
#[tokio::test]
async fn readers_during_a_restore_get_answers_or_503_never_a_failure() {
    let rig = Rig::new().await;
    let (tenant, m) = shop_with_orders(&rig.app, "lecteurs", 2).await;
    restock(&rig.app, tenant, m.mozzarella, 1000).await;
    let b = rig.backup().await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..4)
        .map(|i| {
            let (stop, url) = (
                stop.clone(),
                rig.app.url(if i % 2 == 0 {
                    "/api/v1/pizzerias/lecteurs/menu"
                } else {
                    "/api/v1/pizzerias"
                }),
            );
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                let mut seen: Vec<(u16, String)> = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let resp = client.get(&url).send().await.expect("an answer");
                    let status = resp.status().as_u16();
                    let body = resp.text().await.unwrap_or_default();
                    seen.push((status, body));
                }
                seen
            })
        })
        .collect();
    rig.admin_ok(&["backup", "restore", &b.id.to_string(), "--yes"])
        .await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut answers = 0;
    let mut refused = 0;
    for r in readers {
        for (status, body) in r.await.unwrap() {
            match status {
                200 => answers += 1,
                503 if body.contains("/problems/maintenance") => refused += 1,
                _ => panic!("a reader got {status} during the restore: {body}"),
            }
        }
    }
    assert!(
        answers > 0 && refused > 0,
        "{answers} answers, {refused} refusals"
    );
}

#[tokio::test]
async fn a_restore_refuses_to_start_while_a_server_has_not_confirmed_maintenance() {
    let rig = Rig::new().await;
    shop_with_orders(&rig.app, "fantome", 1).await;
    let b = rig.backup().await;
    // A server that reports (it looks live) but never stops.
    sqlx::query(
        "INSERT INTO ops.instances (id, kind, seen_at) VALUES ('app-ghost-1', 'app', now() + interval '1 hour')",
    )
    .execute(&rig.app.db.owner)
    .await
    .unwrap();
    sqlx::query("DELETE FROM order_events")
        .execute(&rig.app.db.owner)
        .await
        .unwrap();
    let before = fingerprint(&rig.app.db.owner).await;
    let mut env = rig.env();
    env.push(("OCPIZZA_BACKUP__RESTORE_WAIT_SECS", "2".into()));
    let out = rig
        .admin_with(&["backup", "restore", &b.id.to_string(), "--yes"], &env)
        .await;
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("app-ghost-1") && err.contains("nothing was restored"),
        "{err}"
    );
    assert_eq!(
        fingerprint(&rig.app.db.owner).await,
        before,
        "the data was not touched"
    );
    let status = rig.admin_ok(&["maintenance", "status"]).await;
    assert!(status.contains("off"), "{status}");
}

#[tokio::test]
async fn the_admin_api_is_in_maintenance_too_but_its_switch_stays_up() {
    let rig = Rig::new().await;
    let admin = rig.app.spawn_admin().await;
    let ops = admin.platform_admin(&rig.app, "ops@maintenance.test").await;
    rig.admin_ok(&["maintenance", "on", "--message", "bascule"])
        .await;
    poll("the admin API in maintenance", WITHIN, async || {
        (admin.get("/tenants", &ops).await.status() == 503).then_some(())
    })
    .await;
    let resp = admin
        .request(reqwest::Method::PUT, "/maintenance", Some(&ops))
        .json(&serde_json::json!({ "enabled": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    poll("the admin API back", WITHIN, async || {
        (admin.get("/tenants", &ops).await.status() == 200).then_some(())
    })
    .await;
}

#[tokio::test]
async fn open_event_streams_end_when_maintenance_switches_on() {
    let rig = Rig::new().await;
    let (_, m) = shop_with_orders(&rig.app, "flux-maintenance", 0).await;
    let customer = rig.app.customer_token("client@flux.test").await;
    let order = place(&rig.app, "flux-maintenance", &customer, &m).await;
    let url = order["tracking_url"].as_str().unwrap();
    let events = format!("{}/events", &url[url.find("/api/").unwrap()..]);
    let mut stream =
        ocpizza_tests::sse::Sse::open(rig.app.request(reqwest::Method::GET, &events)).await;
    rig.admin_ok(&["maintenance", "on", "--message", "restauration"])
        .await;
    // The stream ends (the end of the body, no event) within the watcher's half second; one
    // that stayed open would keep `next` waiting the whole 30 s.
    let started = std::time::Instant::now();
    assert!(stream.next(WITHIN).await.is_none(), "no event");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the stream ended, after {:?}",
        started.elapsed()
    );
    let (status, p) = problem(rig.app.get(&events, None).await).await;
    assert_eq!(
        (status, p["type"].as_str()),
        (503, Some("/problems/maintenance"))
    );
    rig.admin_ok(&["maintenance", "off"]).await;
}
