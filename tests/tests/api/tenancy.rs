use ocpizza::domain::Role;
use ocpizza_tests::app::problem;
use ocpizza_tests::spawn_app;

#[tokio::test]
async fn pizzerias_are_listed_and_unknown_ones_are_404() {
    let app = spawn_app().await;
    app.create_pizzeria("alpha").await;
    app.create_pizzeria("beta").await;
    let list: serde_json::Value = app
        .get("/api/v1/pizzerias", None)
        .await
        .json()
        .await
        .unwrap();
    let slugs: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["alpha", "beta"]);
    assert_eq!(list[0]["address"]["city"], "Paris");

    assert_eq!(app.get("/api/v1/pizzerias/alpha", None).await.status(), 200);
    for unknown in ["/api/v1/pizzerias/gamma", "/api/v1/pizzerias/NOT_A_SLUG"] {
        let (status, body) = problem(app.get(unknown, None).await).await;
        assert_eq!(status, 404);
        assert_eq!(body["type"], "/problems/not-found");
    }
}

#[tokio::test]
async fn a_suspended_pizzeria_answers_closed() {
    let app = spawn_app().await;
    app.create_pizzeria("sleepy").await;
    sqlx::query("UPDATE tenants SET status = 'suspended' WHERE slug = 'sleepy'")
        .execute(&app.db.owner)
        .await
        .unwrap();
    let (status, body) = problem(app.get("/api/v1/pizzerias/sleepy", None).await).await;
    assert_eq!(status, 403);
    assert_eq!(body["type"], "/problems/pizzeria-closed");
    assert_eq!(body["pizzeria"], "sleepy");
}

#[tokio::test]
async fn roles_come_from_memberships_of_that_pizzeria_only() {
    let app = spawn_app().await;
    let a = app.create_pizzeria("pizzeria-a").await;
    app.create_pizzeria("pizzeria-b").await;
    let cook = app.staff_token(a, "cook@a.test", Role::Pizzaiolo).await;
    let customer = app.customer_token("customer@example.fr").await;

    let resp = app
        .get("/api/v1/pizzerias/pizzeria-a/staff/me", Some(&cook))
        .await;
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["roles"], serde_json::json!(["pizzaiolo"]));

    let (status, _) = problem(
        app.get("/api/v1/pizzerias/pizzeria-b/staff/me", Some(&cook))
            .await,
    )
    .await;
    assert_eq!(status, 403, "staff of A are nobody in B");
    let (status, _) = problem(
        app.get("/api/v1/pizzerias/pizzeria-a/staff/me", Some(&customer))
            .await,
    )
    .await;
    assert_eq!(status, 403, "customers are not staff");

    let me: serde_json::Value = app
        .get("/api/v1/me", Some(&cook))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        me["memberships"],
        serde_json::json!([{ "pizzeria": "pizzeria-a", "pizzeria_name": "Pizzeria pizzeria-a", "role": "pizzaiolo" }])
    );
}
