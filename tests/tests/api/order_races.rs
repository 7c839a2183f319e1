//! Concurrency: idempotency under retries, the last portions, slot capacity.

use std::collections::HashSet;

use ocpizza_tests::app::problem;
use ocpizza_tests::fixtures::{on_hand, open_for_orders, order_rows, restock, small_menu};
use ocpizza_tests::spawn_app_with;
use serde_json::{Value, json};

use crate::orders::{guest, shop, takeaway};

fn post(app: &ocpizza_tests::TestApp, slug: &str, body: &Value) -> reqwest::RequestBuilder {
    app.request(
        reqwest::Method::POST,
        &format!("/api/v1/pizzerias/{slug}/orders"),
    )
    .json(body)
}

#[tokio::test]
async fn ten_concurrent_requests_with_one_key_make_one_order() {
    let app = spawn_app_with(|c| c.database.max_connections = 20).await;
    let (_, m) = shop(&app, "idem").await;
    let customer = app.customer_token("idem@example.fr").await;
    let mut body = takeaway(&m);
    body["contact_phone"] = json!("0611223344");
    let requests = (0..10).map(|_| {
        post(&app, "idem", &body)
            .bearer_auth(&customer)
            .header("Idempotency-Key", "order-42")
            .send()
    });
    let responses = futures_join_all(requests).await;
    let mut bodies = HashSet::new();
    let mut replayed = 0;
    for resp in responses {
        let resp = resp.unwrap();
        assert_eq!(resp.status(), 201);
        replayed += usize::from(resp.headers().get("idempotent-replayed").is_some());
        bodies.insert(resp.text().await.unwrap());
    }
    assert_eq!(bodies.len(), 1, "every answer is the first one");
    assert_eq!(replayed, 9);
    assert_eq!(order_rows(&app).await[0], 1, "exactly one order");
    assert_eq!(on_hand(&app, m.mozzarella).await, 300, "stock taken once");

    // The same key with another body is refused.
    let mut other = body.clone();
    other["lines"][0]["quantity"] = json!(2);
    let (status, p) = problem(
        post(&app, "idem", &other)
            .bearer_auth(&customer)
            .header("Idempotency-Key", "order-42")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, p["type"].as_str()),
        (422, Some("/problems/idempotency-key-reused"))
    );

    // Keys are per customer: another customer's same key makes their own order.
    let other_customer = app.customer_token("idem2@example.fr").await;
    let resp = post(&app, "idem", &body)
        .bearer_auth(&other_customer)
        .header("Idempotency-Key", "order-42")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    assert!(resp.headers().get("idempotent-replayed").is_none());
    assert_eq!(order_rows(&app).await[0], 2);
}

#[tokio::test]
async fn fifty_orders_for_the_last_ten_portions() {
    let app = spawn_app_with(|c| c.database.max_connections = 20).await;
    let tenant = app.create_pizzeria("derniers").await;
    let m = small_menu(&app, tenant).await;
    open_for_orders(&app, tenant, 100).await;
    // Exactly ten mediums of mozzarella (200 g each); every order also takes dough and a cola,
    // so all fifty compete for three hot ingredients.
    restock(&app, tenant, m.mozzarella, 1500).await;
    restock(&app, tenant, m.cola_can, 100).await;
    let body = |n: usize| {
        json!({ "fulfilment": "takeaway", "payment_method": "cash", "guest": guest(n), "lines": [
            { "product_id": m.margherita, "size_id": m.margherita_m, "quantity": 1 },
            { "product_id": m.cola, "size_id": m.cola_unit, "quantity": 1 }
        ]})
    };
    let responses =
        futures_join_all((0..50).map(|n| post(&app, "derniers", &body(n)).send())).await;
    let mut accepted = Vec::new();
    let mut refused = 0;
    for resp in responses {
        let resp = resp.unwrap();
        match resp.status().as_u16() {
            201 => accepted.push(
                resp.json::<Value>().await.unwrap()["number"]
                    .as_i64()
                    .unwrap(),
            ),
            409 => {
                let (_, p) = problem(resp).await;
                assert_eq!(p["type"], "/problems/out-of-stock", "{p}");
                refused += 1;
            }
            other => panic!("unexpected status {other}: {}", resp.text().await.unwrap()),
        }
    }
    accepted.sort_unstable();
    assert_eq!(
        accepted,
        (1..=10).collect::<Vec<_>>(),
        "ten orders, numbered 1 to 10"
    );
    assert_eq!(refused, 40);
    assert_eq!(on_hand(&app, m.mozzarella).await, 0);
    assert_eq!(on_hand(&app, m.cola_can).await, 124 - 10);
}

#[tokio::test]
async fn a_slot_with_room_for_five_takes_exactly_five() {
    let app = spawn_app_with(|c| c.database.max_connections = 20).await;
    let tenant = app.create_pizzeria("creneau").await;
    let m = small_menu(&app, tenant).await;
    open_for_orders(&app, tenant, 5).await;
    restock(&app, tenant, m.mozzarella, 10_000).await;
    let opening: Value = app
        .get("/api/v1/pizzerias/creneau/opening", None)
        .await
        .json()
        .await
        .unwrap();
    let slot = opening["next_slots"][0]["start"].clone();
    assert_eq!(opening["next_slots"][0]["remaining"], 5);
    let body = |n: usize| {
        let mut b = takeaway(&m);
        b["guest"] = guest(n);
        b["slot_start"] = slot.clone();
        b
    };
    let responses = futures_join_all((0..12).map(|n| post(&app, "creneau", &body(n)).send())).await;
    let mut statuses: Vec<u16> = Vec::new();
    for resp in responses {
        let resp = resp.unwrap();
        let status = resp.status().as_u16();
        if status == 409 {
            let (_, p) = problem(resp).await;
            assert_eq!(p["type"], "/problems/slot-full");
        }
        statuses.push(status);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 7);
    // The full slot is no longer offered.
    let opening: Value = app
        .get("/api/v1/pizzerias/creneau/opening", None)
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(opening["next_slots"][0]["start"], slot);
}

/// Runs the futures concurrently on the test's runtime.
async fn futures_join_all<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}
