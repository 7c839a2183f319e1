//! Customer conveniences: saved addresses, reordering, receipts.

use ocpizza_tests::app::problem;
use ocpizza_tests::spawn_app;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::orders::{shop, takeaway};

#[tokio::test]
async fn saved_addresses_are_used_for_delivery_and_private() {
    let app = spawn_app().await;
    let (_, m) = shop(&app, "adresses").await;
    let alice = app.customer_token("alice@example.fr").await;
    let bob = app.customer_token("bob@example.fr").await;
    let resp = app
        .post("/api/v1/me/addresses", Some(&alice), &json!({ "label": "Maison", "line": "8 rue Oberkampf", "postcode": "75011", "city": "Paris", "instructions": "code 1234" }))
        .await;
    assert_eq!(resp.status(), 201);
    let saved: Value = resp.json().await.unwrap();
    let (status, p) = problem(
        app.post(
            "/api/v1/me/addresses",
            Some(&alice),
            &json!({ "line": "", "postcode": "75011", "city": "Paris" }),
        )
        .await,
    )
    .await;
    assert_eq!((status, p["field"].as_str()), (422, Some("line")));

    let order = json!({ "fulfilment": "delivery", "payment_method": "cash", "contact_phone": "0611223344", "address_id": saved["id"],
        "lines": [{ "product_id": m.margherita, "size_id": m.margherita_l, "quantity": 1 }] });
    let placed: Value = app
        .post("/api/v1/pizzerias/adresses/orders", Some(&alice), &order)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(placed["delivery_address"]["line"], "8 rue Oberkampf");
    assert_eq!(placed["delivery_fee_cents"], 300);

    // Bob cannot use, see or delete Alice's address.
    let (status, p) = problem(
        app.post("/api/v1/pizzerias/adresses/orders", Some(&bob), &order)
            .await,
    )
    .await;
    assert_eq!((status, p["item"].as_str()), (422, Some("address")));
    let bobs: Vec<Value> = app
        .get("/api/v1/me/addresses", Some(&bob))
        .await
        .json()
        .await
        .unwrap();
    assert!(bobs.is_empty());
    let path = format!("/api/v1/me/addresses/{}", saved["id"].as_str().unwrap());
    assert_eq!(
        app.request(reqwest::Method::DELETE, &path)
            .bearer_auth(&bob)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        app.request(reqwest::Method::DELETE, &path)
            .bearer_auth(&alice)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let mine: Vec<Value> = app
        .get("/api/v1/me/addresses", Some(&alice))
        .await
        .json()
        .await
        .unwrap();
    assert!(mine.is_empty());
}

#[tokio::test]
async fn reorder_uses_todays_prices() {
    let app = spawn_app().await;
    let (tenant, m) = shop(&app, "encore").await;
    ocpizza_tests::fixtures::restock(&app, tenant, m.mozzarella, 1000).await;
    let alice = app.customer_token("alice@example.fr").await;
    let mut body = takeaway(&m);
    body["contact_phone"] = json!("0611223344");
    body["lines"][0]["extras"] = json!([m.extra_mozzarella]);
    let first: Value = app
        .post("/api/v1/pizzerias/encore/orders", Some(&alice), &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["total_cents"], 1250);

    let mut tx = ocpizza::db::begin_tenant(&app.db.owner, tenant)
        .await
        .unwrap();
    ocpizza::menu::write::set_size_price(&mut tx, tenant, m.margherita_m, 1200)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let path = format!(
        "/api/v1/pizzerias/encore/orders/{}/reorder",
        first["id"].as_str().unwrap()
    );
    let resp = app
        .request(reqwest::Method::POST, &path)
        .bearer_auth(&alice)
        .header("Idempotency-Key", "again-1")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let again: Value = resp.json().await.unwrap();
    assert_ne!(again["id"], first["id"]);
    assert_eq!(again["number"], 2);
    assert_eq!(again["total_cents"], 1350, "today's price: 1200 + 150");
    assert_eq!(
        again["lines"][0]["extras"][0]["id"],
        json!(m.extra_mozzarella)
    );
    // A retry with the key answers the same order.
    let retry: Value = app
        .request(reqwest::Method::POST, &path)
        .bearer_auth(&alice)
        .header("Idempotency-Key", "again-1")
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(retry["id"], again["id"]);

    let bob = app.customer_token("bob@example.fr").await;
    let (status, _) = problem(
        app.request(reqwest::Method::POST, &path)
            .bearer_auth(&bob)
            .json(&json!({}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = problem(
        app.request(
            reqwest::Method::POST,
            &format!("/api/v1/pizzerias/encore/orders/{}/reorder", Uuid::new_v4()),
        )
        .bearer_auth(&alice)
        .json(&json!({}))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_receipt_shows_vat_legal_details_and_payment() {
    let app = spawn_app().await;
    let (_, m) = shop(&app, "ticket").await;
    let alice = app.customer_token("alice@example.fr").await;
    let body = json!({ "fulfilment": "delivery", "payment_method": "card", "contact_phone": "0611223344",
        "delivery_address": { "line": "1 rue <b>X</b>", "postcode": "75012", "city": "Paris" },
        "lines": [{ "product_id": m.margherita, "size_id": m.margherita_m, "quantity": 1 }, { "product_id": m.cola, "size_id": m.cola_unit, "quantity": 2 }] });
    let order: Value = app
        .post("/api/v1/pizzerias/ticket/orders", Some(&alice), &body)
        .await
        .json()
        .await
        .unwrap();
    let id = order["id"].as_str().unwrap();

    let resp = app
        .get(
            &format!("/api/v1/pizzerias/ticket/orders/{id}/receipt.txt"),
            Some(&alice),
        )
        .await;
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = resp.text().await.unwrap();
    for expected in [
        "Pizzeria Test SARL",
        "SIRET 12345678900012",
        "FR99123456789",
        "Commande n° 1",
        "1 × Margherita (Moyenne)",
        "2 × Cola (33 cl)",
        "Frais de livraison",
        "TOTAL TTC",
        "22,00 €",
        "TVA   10 %",
        "Carte bancaire à la livraison",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    let resp = app
        .get(
            &format!("/api/v1/pizzerias/ticket/orders/{id}/receipt.html"),
            Some(&alice),
        )
        .await;
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("<h2>Commande n° 1</h2>")
            && html.contains("TVA 10 %")
            && html.contains("22,00 €"),
        "{html}"
    );

    let url = order["tracking_url"].as_str().unwrap();
    let path = format!("{}/receipt.html", &url[url.find("/api/").unwrap()..]);
    assert_eq!(app.get(&path, None).await.status(), 200);
    let bob = app.customer_token("bob@example.fr").await;
    assert_eq!(
        app.get(
            &format!("/api/v1/pizzerias/ticket/orders/{id}/receipt.html"),
            Some(&bob)
        )
        .await
        .status(),
        404
    );
}
