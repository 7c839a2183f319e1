//! Shared devices: an owner pairs the kitchen tablet with a named device session of its own,
//! the tablet works with its one role, and a revocation ends it at once.

use ocpizza::domain::Role;
use ocpizza_tests::app::problem;
use ocpizza_tests::spawn_app;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn an_owner_pairs_a_kitchen_tablet_and_revokes_it_at_once() {
    let app = spawn_app().await;
    let admin = app.spawn_admin().await;
    let tenant = app.create_pizzeria("tablette").await;
    let owner = admin
        .staff(&app, tenant, "owner@tablette.fr", Role::Owner)
        .await;

    let body = json!({ "name": " Tablette cuisine ", "role": "pizzaiolo" });
    let resp = admin
        .post("/pizzerias/tablette/devices", &owner, &body)
        .await;
    assert_eq!(resp.status(), 201);
    let paired: Value = resp.json().await.unwrap();
    let device = paired["device"]["id"].as_str().unwrap().to_string();
    assert_eq!(paired["device"]["name"], "Tablette cuisine");
    assert_eq!(paired["device"]["role"], "pizzaiolo");

    // The tablet signs in with the refresh token, at the app.
    let refresh = json!({ "refresh_token": paired["refresh_token"] });
    let resp = app.post("/api/v1/auth/refresh", None, &refresh).await;
    assert_eq!(resp.status(), 200);
    let tokens: Value = resp.json().await.unwrap();
    let tablet = tokens["access_token"].as_str().unwrap().to_string();
    let kitchen = "/api/v1/pizzerias/tablette/kitchen";
    assert_eq!(app.get(kitchen, Some(&tablet)).await.status(), 200);
    // Its one role: no managing the stock, no admin API.
    let (status, _) = problem(
        app.post(
            "/api/v1/pizzerias/tablette/stock/ingredients/00000000-0000-0000-0000-000000000000/restock",
            Some(&tablet),
            &json!({ "quantity": 1, "note": "" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 403);

    // Its session has its own absolute end (90 days), like every session has one.
    let days: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM s.expires_at - s.created_at)::float8 / 86400
         FROM sessions s JOIN devices d ON d.user_id = s.user_id WHERE d.id = $1::uuid",
    )
    .bind(&device)
    .fetch_one(&app.db.owner)
    .await
    .unwrap();
    assert!((days - 90.0).abs() < 0.01, "{days}");

    let list: Value = admin
        .get("/pizzerias/tablette/devices", &owner)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["id"], device.as_str());
    assert!(list[0]["session_ends_at"].is_string());
    assert!(list[0]["revoked_at"].is_null());

    let resp = admin
        .request(
            Method::DELETE,
            &format!("/pizzerias/tablette/devices/{device}"),
            Some(&owner),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    // At once: well within the access token's 15 minutes.
    assert_eq!(app.get(kitchen, Some(&tablet)).await.status(), 401);
    let refresh = json!({ "refresh_token": tokens["refresh_token"] });
    let (status, _) = problem(app.post("/api/v1/auth/refresh", None, &refresh).await).await;
    assert_eq!(status, 401);
    let list: Value = admin
        .get("/pizzerias/tablette/devices", &owner)
        .await
        .json()
        .await
        .unwrap();
    assert!(list[0]["revoked_at"].is_string());
    assert!(list[0]["session_ends_at"].is_null());
    let audit: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM tenant_audit_log WHERE action IN ('device.pair', 'device.revoke')",
    )
    .fetch_one(&app.db.owner)
    .await
    .unwrap();
    assert_eq!(audit, 2);
}

#[tokio::test]
async fn a_device_is_a_station_never_a_manager_and_needs_a_name() {
    let app = spawn_app().await;
    let admin = app.spawn_admin().await;
    let tenant = app.create_pizzeria("station").await;
    let manager = admin
        .staff(&app, tenant, "manager@station.fr", Role::Manager)
        .await;
    for (body, field) in [
        (json!({ "name": "Caisse", "role": "owner" }), "role"),
        (json!({ "name": "Caisse", "role": "manager" }), "role"),
        (json!({ "name": "  ", "role": "cashier" }), "name"),
        (json!({ "name": "x".repeat(61), "role": "cashier" }), "name"),
    ] {
        let (status, problem) = problem(
            admin
                .post("/pizzerias/station/devices", &manager, &body)
                .await,
        )
        .await;
        assert_eq!(
            (status, problem["field"].as_str()),
            (422, Some(field)),
            "{body}"
        );
    }
    let devices: i64 = sqlx::query_scalar("SELECT count(*) FROM devices")
        .fetch_one(&app.db.owner)
        .await
        .unwrap();
    assert_eq!(devices, 0, "nothing half-written");
    let resp = admin
        .request(
            Method::DELETE,
            "/pizzerias/station/devices/00000000-0000-0000-0000-000000000000",
            Some(&manager),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
}
