//! The admin API: its own sessions, and platform administrators running the pizzerias.

use std::time::Duration;

use ocpizza_tests::app::{current_code, problem};
use ocpizza_tests::backup::{place, poll, shop_with_orders};
use ocpizza_tests::fixtures::restock;
use ocpizza_tests::mail::SmtpServer;
use ocpizza_tests::spawn_app;
use ocpizza_tests::worker::spawn_worker;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn admin_and_app_tokens_work_only_where_they_were_issued() {
    let app = spawn_app().await;
    let admin = app.spawn_admin().await;
    app.create_platform_admin("ops@ocpizza.test").await;

    let app_token = app.login("ops@ocpizza.test", "correct horse battery").await;
    let resp = admin
        .get("/me", app_token["access_token"].as_str().unwrap())
        .await;
    assert_eq!(problem(resp).await.0, 401, "an app token at the admin API");

    let totp = current_code(&app.db.owner, "ops@ocpizza.test").await;
    let body =
        json!({ "email": "ops@ocpizza.test", "password": "correct horse battery", "totp": totp });
    let tokens: Value = admin
        .send(Method::POST, "/auth/login", None, Some(&body))
        .await
        .json()
        .await
        .unwrap();
    let access = tokens["access_token"].as_str().unwrap();
    let me: Value = admin.get("/me", access).await.json().await.unwrap();
    assert_eq!(me["platform_admin"], true);
    let resp = app.get("/api/v1/me", Some(access)).await;
    assert_eq!(problem(resp).await.0, 401, "an admin token at the app API");

    // Refresh tokens are bound to their API too.
    let refresh = |t: &Value| json!({ "refresh_token": t["refresh_token"] });
    let resp = admin
        .send(
            Method::POST,
            "/auth/refresh",
            None,
            Some(&refresh(&app_token)),
        )
        .await;
    assert_eq!(problem(resp).await.0, 401);
    let resp = admin
        .send(Method::POST, "/auth/refresh", None, Some(&refresh(&tokens)))
        .await;
    assert_eq!(resp.status(), 200);

    // Unknown fields are refused, not ignored.
    let body = json!({ "email": "ops@ocpizza.test", "password": "x", "platform_admin": true });
    let resp = admin
        .send(Method::POST, "/auth/login", None, Some(&body))
        .await;
    let (status, p) = problem(resp).await;
    assert_eq!(
        (status, p["type"].as_str()),
        (422, Some("/problems/validation"))
    );
}

#[tokio::test]
async fn a_platform_admin_creates_suspends_and_resumes_a_pizzeria() {
    let app = spawn_app().await;
    let admin = app.spawn_admin().await;
    let ops = admin.platform_admin(&app, "ops@ocpizza.test").await;

    let body = json!({
        "slug": "nouvelle", "name": "OC Pizza Nouvelle", "city": "Lyon", "postcode": "69001",
        "timezone": "Europe/Paris", "latitude": 45.76, "longitude": 4.83,
        "owner_email": "patron@nouvelle.test"
    });
    let resp = admin.post("/tenants", &ops, &body).await;
    assert_eq!(resp.status(), 201);
    let created: Value = resp.json().await.unwrap();
    assert_eq!(created["owner"], "invited");
    assert_eq!(created["tenant"]["status"], "active");
    let invitations: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM invitations i JOIN tenants t ON t.id = i.tenant_id WHERE t.slug = 'nouvelle' AND i.email = 'patron@nouvelle.test' AND i.role = 'owner'",
    )
    .fetch_one(&app.db.owner)
    .await
    .unwrap();
    assert_eq!(
        invitations, 1,
        "the owner is invited (the worker emails it)"
    );
    let resp = admin.post("/tenants", &ops, &body).await;
    assert_eq!(problem(resp).await.0, 409, "the slug is taken");

    let resp = admin
        .send(
            Method::PATCH,
            "/tenants/nouvelle",
            Some(&ops),
            Some(&json!({ "name": "OC Pizza Lyon 1", "timezone": "Mars/Olympus" })),
        )
        .await;
    assert_eq!(problem(resp).await.0, 422, "bad timezone, nothing changed");
    let resp = admin
        .send(
            Method::PATCH,
            "/tenants/nouvelle",
            Some(&ops),
            Some(&json!({ "name": "OC Pizza Lyon 1" })),
        )
        .await;
    let row: Value = resp.json().await.unwrap();
    assert_eq!(
        (row["name"].as_str(), row["city"].as_str()),
        (Some("OC Pizza Lyon 1"), Some("Lyon"))
    );
    let audit: Value = sqlx::query_scalar(
        "SELECT details FROM platform_audit_log WHERE action = 'tenant.update' AND target = 'nouvelle'",
    )
    .fetch_one(&app.db.owner)
    .await
    .unwrap();
    assert_eq!(audit["before"]["name"], "OC Pizza Nouvelle");
    assert_eq!(audit["after"]["name"], "OC Pizza Lyon 1");

    // Suspended: customers are refused with the documented problem; resumed: they order again.
    let (tenant, m) = shop_with_orders(&app, "suspendue", 1).await;
    restock(&app, tenant, m.mozzarella, 2000).await;
    let customer = app.customer_token("fidele@suspendue.test").await;
    let resp = admin
        .post(
            "/tenants/suspendue/suspend",
            &ops,
            &json!({ "reason": "contrôle sanitaire" }),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let order = json!({ "fulfilment": "takeaway", "payment_method": "cash", "contact_phone": "0612345678",
        "lines": [{ "product_id": m.margherita, "size_id": m.margherita_m, "quantity": 1 }] });
    let resp = app
        .post(
            "/api/v1/pizzerias/suspendue/orders",
            Some(&customer),
            &order,
        )
        .await;
    let (status, p) = problem(resp).await;
    assert_eq!(
        (status, p["type"].as_str()),
        (403, Some("/problems/pizzeria-closed"))
    );
    let resp = admin
        .post(
            "/tenants/suspendue/suspend",
            &ops,
            &json!({ "reason": "again" }),
        )
        .await;
    assert_eq!(problem(resp).await.0, 409, "already suspended");
    let resp = admin
        .post("/tenants/suspendue/resume", &ops, &json!({}))
        .await;
    assert_eq!(resp.status(), 200);
    place(&app, "suspendue", &customer, &m).await;

    let list: Value = admin
        .get("/tenants?status=active&per_page=1&page=2", &ops)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            list["total"].as_i64(),
            list["items"].as_array().unwrap().len()
        ),
        (Some(2), 1)
    );
    let resp = admin.get("/tenants?per_page=1000", &ops).await;
    assert_eq!(problem(resp).await.0, 422);
    // A search is for the text as written: `%` and `_` are not wildcards.
    for (q, found) in [("%25", 0), ("_", 0), ("suspend", 1)] {
        let list: Value = admin
            .get(&format!("/tenants?q={q}"), &ops)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["total"].as_i64(), Some(found), "q={q}: {list}");
    }
}

#[tokio::test]
async fn an_export_holds_the_pizzeria_and_nothing_of_another() {
    let app = spawn_app().await;
    let admin = app.spawn_admin().await;
    let ops = admin.platform_admin(&app, "ops@ocpizza.test").await;
    let (a, _) = shop_with_orders(&app, "exportee", 2).await;
    let (b, _) = shop_with_orders(&app, "voisine", 1).await;

    let resp = admin.get("/tenants/exportee/export", &ops).await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("ocpizza-exportee-")
    );
    let text = resp.text().await.unwrap();
    let export: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(export["format"], "ocpizza-tenant-export/1");
    assert_eq!(export["tenant"]["id"], a.to_string());
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT id::text FROM orders WHERE tenant_id = $1 ORDER BY id")
            .bind(a)
            .fetch_all(&app.db.owner)
            .await
            .unwrap();
    let mut exported: Vec<String> = export["tables"]["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect();
    exported.sort();
    assert_eq!(exported, ids);
    assert_eq!(export["tables"]["order_lines"].as_array().unwrap().len(), 2);
    assert!(export["tables"]["products"].as_array().unwrap().len() >= 2);
    assert!(
        !text.contains(&b.to_string()),
        "nothing of the other pizzeria"
    );
    assert!(!text.contains("voisine"));
}

#[tokio::test]
async fn offboarding_exports_closes_and_the_worker_deletes_after_the_grace_period() {
    let app = spawn_app().await;
    let admin = app
        .spawn_admin_with(|c| c.admin.offboard_grace_days = 0)
        .await;
    let ops = admin.platform_admin(&app, "ops@ocpizza.test").await;
    let (gone, m) = shop_with_orders(&app, "partante", 2).await;
    let (kept, _) = shop_with_orders(&app, "restante", 1).await;

    let resp = admin
        .post("/tenants/partante/offboard", &ops, &json!({}))
        .await;
    assert_eq!(resp.status(), 200);
    let row: Value = resp.json().await.unwrap();
    assert_eq!(row["status"], "offboarding");
    let export: String = sqlx::query_scalar("SELECT offboard_export FROM tenants WHERE id = $1")
        .bind(gone)
        .fetch_one(&app.db.owner)
        .await
        .unwrap();
    let archive: Value = serde_json::from_slice(&std::fs::read(&export).unwrap()).unwrap();
    assert_eq!(archive["tables"]["orders"].as_array().unwrap().len(), 2);
    let customer = app.customer_token("tard@partante.test").await;
    let order = json!({ "fulfilment": "takeaway", "payment_method": "cash", "contact_phone": "0612345678",
        "lines": [{ "product_id": m.margherita, "size_id": m.margherita_m, "quantity": 1 }] });
    let resp = app
        .post("/api/v1/pizzerias/partante/orders", Some(&customer), &order)
        .await;
    assert_eq!(problem(resp).await.0, 403, "closed while offboarding");

    // The worker's daily prune deletes it (grace period 0 here) and everything it owned.
    let smtp = SmtpServer::start().await;
    let _worker = spawn_worker(
        &app.db,
        &smtp.url(),
        &[("OCPIZZA_WORKER__SCHEDULES__PRUNE", "* * * * * *")],
    )
    .await;
    poll("the deletion", Duration::from_secs(30), async || {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM tenants WHERE id = $1")
            .bind(gone)
            .fetch_one(&app.db.owner)
            .await
            .unwrap();
        (n == 0).then_some(())
    })
    .await;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id'",
    )
    .fetch_all(&app.db.owner)
    .await
    .unwrap();
    for table in tables {
        let sql = format!(
            r#"SELECT count(*) FILTER (WHERE tenant_id = $1), count(*) FILTER (WHERE tenant_id = $2) FROM "{table}""#
        );
        let (left, other): (i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(gone)
            .bind(kept)
            .fetch_one(&app.db.owner)
            .await
            .unwrap();
        assert_eq!(
            left, 0,
            "{table} still holds rows of the offboarded pizzeria"
        );
        if table == "orders" {
            assert_eq!(other, 1, "the other pizzeria keeps its orders");
        }
    }
}
