//! Who may call what in the admin API, over every operation of its OpenAPI document: owners and
//! managers of pizzeria A get 404 on pizzeria B, other staff and customers 403, app tokens 401,
//! platform administrators through. A new endpoint is covered without touching this test.

use ocpizza::domain::Role;
use ocpizza_tests::spawn_app;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

struct Operation {
    method: Method,
    path: String,
    platform_only: bool,
}

/// Every operation that needs a token, with `{slug}` → `slug` and other ids random.
fn operations(spec: &Value, slug: &str) -> Vec<Operation> {
    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op["security"].as_array().is_none_or(|s| s.is_empty()) {
                continue; // login, refresh, logout
            }
            if path == "/me" || path.starts_with("/me/") {
                continue; // any admin token: one's own profile and second factor
            }
            let mut concrete = path.replace("{slug}", slug);
            while let Some(start) = concrete.find('{') {
                let end = concrete[start..].find('}').unwrap() + start;
                concrete.replace_range(start..=end, &Uuid::new_v4().to_string());
            }
            ops.push(Operation {
                method: method.to_uppercase().parse().unwrap(),
                platform_only: !path.starts_with("/pizzerias/{slug}"),
                path: concrete,
            });
        }
    }
    ops
}

#[tokio::test]
async fn every_admin_endpoint_answers_each_kind_of_caller_as_it_should() {
    let app = spawn_app().await;
    let admin = app.spawn_admin().await;
    let a = app.create_pizzeria("pizzeria-a").await;
    let b = app.create_pizzeria("pizzeria-b").await;
    let ops_token = admin.platform_admin(&app, "ops@ocpizza.test").await;
    let owner_a = admin.staff(&app, a, "owner@a.test", Role::Owner).await;
    let manager_a = admin.staff(&app, a, "manager@a.test", Role::Manager).await;
    let mut refused = vec![(
        "customer",
        admin.staff(&app, a, "nobody@a.test", Role::Driver).await,
    )];
    // The customer has no role at all: take the driver's role away again.
    sqlx::query("DELETE FROM memberships WHERE user_id = (SELECT id FROM users WHERE email = 'nobody@a.test')")
        .execute(&app.db.owner)
        .await
        .unwrap();
    for (email, role) in [
        ("cashier@b.test", Role::Cashier),
        ("pizzaiolo@b.test", Role::Pizzaiolo),
        ("driver@b.test", Role::Driver),
    ] {
        refused.push((role.as_str(), admin.staff(&app, b, email, role).await));
    }
    app.create_user("app@b.test").await;
    let app_token = app.login("app@b.test", "correct horse battery").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();

    let spec: Value = reqwest::get(admin.base.replace("/admin/v1", "/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ops = operations(&spec, "pizzeria-b");
    assert!(ops.len() >= 40, "only {} operations found", ops.len());
    assert!(ops.iter().any(|o| o.platform_only) && ops.iter().any(|o| !o.platform_only));

    let call = async |op: &Operation, token: &str| -> (StatusCode, Value) {
        let resp = admin
            .send(op.method.clone(), &op.path, Some(token), Some(&json!({})))
            .await;
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    };
    let mut failures = Vec::new();
    for op in &ops {
        let what = format!("{} {}", op.method, op.path);
        let (status, _) = call(op, &app_token).await;
        if status != 401 {
            failures.push(format!("{what}: app token → {status}"));
        }
        for (who, token) in &refused {
            let (status, _) = call(op, token).await;
            if status != 403 {
                failures.push(format!("{what}: {who} → {status}"));
            }
        }
        for (who, token) in [("owner of A", &owner_a), ("manager of A", &manager_a)] {
            let (status, body) = call(op, token).await;
            let expected = if op.platform_only { 403 } else { 404 };
            if status != expected {
                failures.push(format!("{what}: {who} → {status} {body}"));
            }
        }
        let (status, body) = call(op, &ops_token).await;
        let refused_pizzeria = status == 404 && body["detail"] == "No such pizzeria.";
        if status == 401 || status == 403 || refused_pizzeria || status.is_server_error() {
            failures.push(format!("{what}: platform admin → {status} {body}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn a_suspended_pizzerias_owner_and_managers_are_refused_everywhere_but_the_platform_is_not() {
    let app = spawn_app().await;
    let admin = app.spawn_admin().await;
    let a = app.create_pizzeria("pizzeria-a").await;
    let ops_token = admin.platform_admin(&app, "ops@ocpizza.test").await;
    let owner = admin.staff(&app, a, "owner@a.test", Role::Owner).await;
    let manager = admin.staff(&app, a, "manager@a.test", Role::Manager).await;
    let resp = admin
        .post(
            "/tenants/pizzeria-a/suspend",
            &ops_token,
            &json!({ "reason": "impayés" }),
        )
        .await;
    assert_eq!(resp.status(), 200);

    let spec: Value = reqwest::get(admin.base.replace("/admin/v1", "/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ops: Vec<Operation> = operations(&spec, "pizzeria-a")
        .into_iter()
        .filter(|o| !o.platform_only)
        .collect();
    assert!(ops.len() >= 30, "only {} pizzeria operations", ops.len());
    let mut failures = Vec::new();
    for op in &ops {
        let what = format!("{} {}", op.method, op.path);
        for (who, token) in [("owner", &owner), ("manager", &manager)] {
            let resp = admin
                .send(op.method.clone(), &op.path, Some(token), Some(&json!({})))
                .await;
            let status = resp.status();
            let body: Value = resp.json().await.unwrap_or(Value::Null);
            if status != 403 || body["type"] != "/problems/pizzeria-closed" {
                failures.push(format!("{what}: {who} → {status} {body}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The platform still runs it.
    let resp = admin.get("/pizzerias/pizzeria-a/staff", &ops_token).await;
    assert_eq!(resp.status(), 200);
}
