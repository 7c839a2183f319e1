//! Staff views and customer history; isolation of every lifecycle endpoint.

use ocpizza::domain::Role;
use ocpizza_tests::app::problem;
use ocpizza_tests::fixtures::restock;
use ocpizza_tests::spawn_app;
use serde_json::{Value, json};

use crate::orders::{shop, takeaway};

#[tokio::test]
async fn the_kitchen_queue_is_in_order_with_recipe_memos() {
    let app = spawn_app().await;
    let (tenant, m) = shop(&app, "cuisine").await;
    restock(&app, tenant, m.mozzarella, 5000).await;
    let cook = app
        .staff_token(tenant, "cook@cuisine.test", Role::Pizzaiolo)
        .await;
    let customer = app.customer_token("client@cuisine.test").await;
    let opening: Value = app
        .get("/api/v1/pizzerias/cuisine/opening", None)
        .await
        .json()
        .await
        .unwrap();
    let later_slot = opening["next_slots"][3]["start"].clone();

    let mut asap = takeaway(&m);
    asap["contact_phone"] = json!("0611223344");
    asap["lines"][0]["extras"] = json!([m.extra_mozzarella]);
    asap["lines"][0]["quantity"] = json!(2);
    let mut slot = takeaway(&m);
    slot["contact_phone"] = json!("0611223344");
    slot["slot_start"] = later_slot;
    let first: Value = app
        .post("/api/v1/pizzerias/cuisine/orders", Some(&customer), &slot)
        .await
        .json()
        .await
        .unwrap();
    let second: Value = app
        .post("/api/v1/pizzerias/cuisine/orders", Some(&customer), &asap)
        .await
        .json()
        .await
        .unwrap();
    let third: Value = app
        .post("/api/v1/pizzerias/cuisine/orders", Some(&customer), &asap)
        .await
        .json()
        .await
        .unwrap();
    let done: Value = app
        .post("/api/v1/pizzerias/cuisine/orders", Some(&customer), &asap)
        .await
        .json()
        .await
        .unwrap();
    let id = |o: &Value| o["id"].as_str().unwrap().to_string();
    for action in ["start", "ready"] {
        app.post(
            &format!(
                "/api/v1/pizzerias/cuisine/orders/{}/actions/{action}",
                id(&done)
            ),
            Some(&cook),
            &json!({}),
        )
        .await;
    }
    app.post(
        &format!(
            "/api/v1/pizzerias/cuisine/orders/{}/actions/start",
            id(&third)
        ),
        Some(&cook),
        &json!({}),
    )
    .await;

    let queue: Vec<Value> = app
        .get("/api/v1/pizzerias/cuisine/kitchen", Some(&cook))
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<String> = queue
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids,
        [id(&second), id(&third), id(&first)],
        "as soon as possible first, by placement; the later slot last; ready ones gone"
    );
    assert_eq!(queue[1]["status"], "preparing");
    let line = &queue[0]["lines"][0];
    assert_eq!(
        (
            line["name"].as_str(),
            line["quantity"].as_i64(),
            line["extras"].clone()
        ),
        (
            Some("Margherita"),
            Some(2),
            json!(["Supplément mozzarella"])
        )
    );
    let memo: Vec<(String, i64)> = line["recipe"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ingredient"].as_str().unwrap().to_string(),
                r["quantity"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(
        memo.contains(&("Mozzarella".to_string(), 300)),
        "200 g + 100 g extra: {memo:?}"
    );
    assert!(memo.contains(&("Pâte".to_string(), 250)));

    // The day's orders, all or by status.
    let all: Vec<Value> = app
        .get("/api/v1/pizzerias/cuisine/orders", Some(&cook))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all.len(), 4);
    let ready: Vec<Value> = app
        .get("/api/v1/pizzerias/cuisine/orders?status=ready", Some(&cook))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ready.len(), 1);
    let (status, _) = problem(
        app.get(
            "/api/v1/pizzerias/cuisine/orders?status=baking",
            Some(&cook),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = problem(
        app.get(
            "/api/v1/pizzerias/cuisine/orders?day=yesterday",
            Some(&cook),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
    let empty: Vec<Value> = app
        .get(
            "/api/v1/pizzerias/cuisine/orders?day=2020-01-01",
            Some(&cook),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(empty.is_empty());
    // Customers do not see the kitchen.
    let (status, _) = problem(
        app.get("/api/v1/pizzerias/cuisine/kitchen", Some(&customer))
            .await,
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_customer_sees_their_own_history_across_pizzerias() {
    let app = spawn_app().await;
    let (_, m1) = shop(&app, "histo-a").await;
    let (_, m2) = shop(&app, "histo-b").await;
    let alice = app.customer_token("alice@example.fr").await;
    let bob = app.customer_token("bob@example.fr").await;
    for (slug, m, token) in [
        ("histo-a", &m1, &alice),
        ("histo-b", &m2, &alice),
        ("histo-b", &m2, &bob),
    ] {
        let mut body = takeaway(m);
        body["contact_phone"] = json!("0611223344");
        assert_eq!(
            app.post(
                &format!("/api/v1/pizzerias/{slug}/orders"),
                Some(token),
                &body
            )
            .await
            .status(),
            201
        );
    }
    let mine: Vec<Value> = app
        .get("/api/v1/me/orders", Some(&alice))
        .await
        .json()
        .await
        .unwrap();
    let pizzerias: Vec<&str> = mine
        .iter()
        .map(|o| o["pizzeria"].as_str().unwrap())
        .collect();
    assert_eq!(
        pizzerias,
        ["histo-b", "histo-a"],
        "newest first, both pizzerias"
    );
    let one = app
        .get(mine[0]["url"].as_str().unwrap(), Some(&alice))
        .await;
    assert_eq!(one.status(), 200);
    let bobs: Vec<Value> = app
        .get("/api/v1/me/orders", Some(&bob))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(bobs.len(), 1);
    let page: Vec<Value> = app
        .get(
            &format!(
                "/api/v1/me/orders?limit=1&before={}",
                mine[0]["placed_at"].as_str().unwrap().replace('+', "%2B")
            ),
            Some(&alice),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0]["pizzeria"], "histo-a");
}

#[tokio::test]
async fn staff_of_another_pizzeria_get_404_on_every_order_endpoint() {
    let app = spawn_app().await;
    let (a, m) = shop(&app, "iso-a").await;
    let (b, _) = shop(&app, "iso-b").await;
    let customer = app.customer_token("client@iso.test").await;
    let mut body = takeaway(&m);
    body["contact_phone"] = json!("0611223344");
    let order: Value = app
        .post("/api/v1/pizzerias/iso-a/orders", Some(&customer), &body)
        .await
        .json()
        .await
        .unwrap();
    let id = order["id"].as_str().unwrap();
    let cook_a = app.staff_token(a, "cook@iso-a.test", Role::Pizzaiolo).await;
    for role in [
        Role::Owner,
        Role::Manager,
        Role::Cashier,
        Role::Pizzaiolo,
        Role::Driver,
    ] {
        let token = app
            .staff_token(b, &format!("{role}.staff@iso-b.test"), role)
            .await;
        for slug in ["iso-a", "iso-b"] {
            for action in [
                "start", "ready", "dispatch", "deliver", "return", "pick-up", "cancel",
            ] {
                let (status, _) = problem(
                    app.post(
                        &format!("/api/v1/pizzerias/{slug}/orders/{id}/actions/{action}"),
                        Some(&token),
                        &json!({ "reason": "x" }),
                    )
                    .await,
                )
                .await;
                assert_eq!(status, 404, "{role} of B: {action} on {slug}");
            }
            for path in [
                format!("/api/v1/pizzerias/{slug}/orders/{id}"),
                format!("/api/v1/pizzerias/{slug}/orders/{id}/timeline"),
                format!("/api/v1/pizzerias/{slug}/orders/{id}/receipt.txt"),
            ] {
                let (status, _) = problem(app.get(&path, Some(&token)).await).await;
                assert_eq!(status, 404, "{role} of B: {path}");
            }
            let resp = app
                .request(
                    reqwest::Method::PUT,
                    &format!("/api/v1/pizzerias/{slug}/orders/{id}/lines"),
                )
                .bearer_auth(&token)
                .json(&json!({ "lines": [] }))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 404);
        }
        for path in [
            "/api/v1/pizzerias/iso-a/kitchen",
            "/api/v1/pizzerias/iso-a/orders",
            "/api/v1/pizzerias/iso-a/summary",
        ] {
            let (status, _) = problem(app.get(path, Some(&token)).await).await;
            assert_eq!(status, 404, "{role} of B: {path}");
        }
        // B's own views never show A's order.
        let listed = app
            .get("/api/v1/pizzerias/iso-b/orders", Some(&token))
            .await
            .text()
            .await
            .unwrap();
        assert!(!listed.contains(id));
    }
    // The order is untouched, and A's kitchen still has it.
    let queue: Vec<Value> = app
        .get("/api/v1/pizzerias/iso-a/kitchen", Some(&cook_a))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0]["status"], "received");
}
