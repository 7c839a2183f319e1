//! Placing orders: who, prices and VAT, failures that write nothing, tracking, receipts.

use ocpizza::domain::Role;
use ocpizza_tests::app::problem;
use ocpizza_tests::fixtures::{
    SmallMenu, on_hand, open_for_orders, order_rows, restock, small_menu,
};
use ocpizza_tests::{TestApp, spawn_app};
use serde_json::{Value, json};
use uuid::Uuid;

pub async fn shop(app: &TestApp, slug: &str) -> (Uuid, SmallMenu) {
    let tenant = app.create_pizzeria(slug).await;
    let menu = small_menu(app, tenant).await;
    open_for_orders(app, tenant, 8).await;
    (tenant, menu)
}

pub fn guest(n: usize) -> Value {
    json!({ "name": format!("Invité {n}"), "email": format!("guest{n}@example.fr"), "phone": "06 11 22 33 44" })
}

pub fn takeaway(m: &SmallMenu) -> Value {
    json!({ "fulfilment": "takeaway", "payment_method": "cash", "lines": [{ "product_id": m.margherita, "size_id": m.margherita_m, "quantity": 1 }] })
}

async fn place(
    app: &TestApp,
    slug: &str,
    token: Option<&str>,
    body: &Value,
    key: Option<&str>,
) -> reqwest::Response {
    let mut req = app
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/pizzerias/{slug}/orders"),
        )
        .json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn a_customer_order_is_priced_by_the_server_and_reserves_stock() {
    let app = spawn_app().await;
    let (tenant, m) = shop(&app, "prix-serveur").await;
    restock(&app, tenant, m.mozzarella, 1500).await;
    let customer = app.customer_token("marie@example.fr").await;
    let body = json!({
        "fulfilment": "delivery",
        "payment_method": "card",
        "contact_phone": "06 12 34 56 78",
        "delivery_address": { "line": "3 rue de Charonne", "postcode": "75012", "city": "Paris", "instructions": "2e étage" },
        "lines": [
            { "product_id": m.margherita, "size_id": m.margherita_m, "extras": [m.extra_mozzarella], "quantity": 2, "unit_price_cents": 1 },
            { "product_id": m.cola, "size_id": m.cola_unit, "quantity": 1, "price_cents": 0 }
        ],
        "total_cents": 1, "subtotal_cents": 1
    });
    let resp = place(&app, "prix-serveur", Some(&customer), &body, None).await;
    assert_eq!(resp.status(), 201);
    let order: Value = resp.json().await.unwrap();
    assert_eq!(order["number"], 1);
    assert_eq!(order["status"], "received");
    assert_eq!(order["channel"], "web");
    assert_eq!(
        order["lines"][0]["unit_price_cents"], 1250,
        "1100 + 150 extra, client price ignored"
    );
    assert_eq!(order["lines"][0]["line_total_cents"], 2500);
    assert_eq!(
        order["lines"][0]["extras"][0]["name"],
        "Supplément mozzarella"
    );
    assert_eq!(order["lines"][1]["line_total_cents"], 300);
    assert_eq!(
        (
            order["subtotal_cents"].as_i64(),
            order["delivery_fee_cents"].as_i64(),
            order["total_cents"].as_i64()
        ),
        (Some(2800), Some(500), Some(3300))
    );
    // Everything at 10 %: 3300 gross → 300 VAT, 3000 without.
    assert_eq!(
        order["vat"],
        json!([{ "rate_bp": 1000, "base_cents": 3000, "vat_cents": 300 }])
    );
    assert_eq!(order["contact"]["phone"], "0612345678");
    assert_eq!(order["delivery_address"]["postcode"], "75012");
    assert!(
        order["tracking_url"]
            .as_str()
            .unwrap()
            .contains("/api/v1/pizzerias/prix-serveur/track/")
    );
    let estimated: chrono::DateTime<chrono::Utc> =
        order["estimated_at"].as_str().unwrap().parse().unwrap();
    assert!(
        estimated > chrono::Utc::now() + chrono::Duration::minutes(35),
        "prep + delivery: {estimated}"
    );

    // 2 × (200 + 100) g of mozzarella and one can left the stock, with the order's reference.
    assert_eq!(on_hand(&app, m.mozzarella).await, 2000 - 600);
    assert_eq!(on_hand(&app, m.cola_can).await, 23);
    let refs: Vec<(i64, Option<Uuid>)> = sqlx::query_as(
        "SELECT delta, order_id FROM stock_movements WHERE reason = 'order' AND ingredient_id = $1",
    )
    .bind(m.mozzarella)
    .fetch_all(&app.db.owner)
    .await
    .unwrap();
    assert_eq!(
        refs,
        [(-600, Some(order["id"].as_str().unwrap().parse().unwrap()))]
    );
    let events: Vec<(Option<String>, String, String)> =
        sqlx::query_as("SELECT from_status, to_status, actor_role FROM order_events")
            .fetch_all(&app.db.owner)
            .await
            .unwrap();
    assert_eq!(
        events,
        [(None, "received".to_string(), "customer".to_string())]
    );

    // The customer reads it; the next order of the day is number 2.
    let read: Value = app
        .get(
            &format!(
                "/api/v1/pizzerias/prix-serveur/orders/{}",
                order["id"].as_str().unwrap()
            ),
            Some(&customer),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["total_cents"], 3300);
    let mut again = takeaway(&m);
    again["contact_phone"] = json!("0612345678");
    let second: Value = place(&app, "prix-serveur", Some(&customer), &again, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["number"], 2);
}

#[tokio::test]
async fn a_guest_orders_and_follows_the_order_by_its_link() {
    let app = spawn_app().await;
    let (_, m) = shop(&app, "invite").await;
    let mut body = takeaway(&m);
    body["guest"] = guest(1);
    let order: Value = place(&app, "invite", None, &body, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(order["contact"]["guest"], true);
    assert_eq!(order["contact"]["email"], "guest1@example.fr");
    assert_eq!(order["customer_id"], Value::Null);
    let url = order["tracking_url"].as_str().unwrap();
    let path = &url[url.find("/api/").unwrap()..];
    let tracked: Value = app.get(path, None).await.json().await.unwrap();
    assert_eq!(tracked["id"], order["id"]);
    let (status, _) = problem(
        app.get("/api/v1/pizzerias/invite/track/not-a-real-token", None)
            .await,
    )
    .await;
    assert_eq!(status, 404);

    // A guest must say who they are.
    let (status, body) = problem(place(&app, "invite", None, &takeaway(&m), None).await).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("guest")));
    let mut no_phone = takeaway(&m);
    no_phone["guest"] = json!({ "name": "Sans Téléphone", "email": "x@example.fr", "phone": "" });
    let (status, body) = problem(place(&app, "invite", None, &no_phone, None).await).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("contact.phone"))
    );
}

#[tokio::test]
async fn staff_take_phone_and_counter_orders() {
    let app = spawn_app().await;
    let (tenant, m) = shop(&app, "comptoir").await;
    let cashier = app
        .staff_token(tenant, "cashier@comptoir.test", Role::Cashier)
        .await;
    let cook = app
        .staff_token(tenant, "cook@comptoir.test", Role::Pizzaiolo)
        .await;
    let customer = app.customer_token("client@example.fr").await;
    let mut body = takeaway(&m);
    body["channel"] = json!("phone");
    body["customer"] = json!({ "name": "M. Martin", "phone": "01 43 55 00 00" });

    let order: Value = place(&app, "comptoir", Some(&cashier), &body, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(order["channel"], "phone");
    assert_eq!(order["contact"]["name"], "M. Martin");
    let placed_by: Option<Uuid> = sqlx::query_scalar("SELECT placed_by FROM orders")
        .fetch_one(&app.db.owner)
        .await
        .unwrap();
    assert!(placed_by.is_some());
    body["channel"] = json!("counter");
    assert_eq!(
        place(&app, "comptoir", Some(&cashier), &body, None)
            .await
            .status(),
        201
    );

    let (status, _) = problem(place(&app, "comptoir", Some(&cook), &body, None).await).await;
    assert_eq!(status, 403, "a pizzaiolo does not take orders");
    let (status, _) = problem(place(&app, "comptoir", Some(&customer), &body, None).await).await;
    assert_eq!(status, 403, "customers cannot pose as the counter");
    let (status, _) = problem(place(&app, "comptoir", None, &body, None).await).await;
    assert_eq!(status, 401);
    let mut no_customer = takeaway(&m);
    no_customer["channel"] = json!("phone");
    let (status, body) =
        problem(place(&app, "comptoir", Some(&cashier), &no_customer, None).await).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("customer")));
}

#[tokio::test]
async fn every_refusal_has_its_problem_type_and_writes_nothing() {
    let app = spawn_app().await;
    let (tenant, m) = shop(&app, "refus").await;
    let closed_tenant = app.create_pizzeria("fermee").await;
    let closed_menu = small_menu(&app, closed_tenant).await;
    let customer = app.customer_token("refus@example.fr").await;
    let before = order_rows(&app).await;
    let base = || {
        let mut b = takeaway(&m);
        b["contact_phone"] = json!("0611223344");
        b
    };
    let with = |f: &dyn Fn(&mut Value)| {
        let mut b = base();
        f(&mut b);
        b
    };
    let delivery =
        |postcode: &str| json!({ "line": "1 rue X", "postcode": postcode, "city": "Paris" });
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            with(&|b| b["lines"][0]["quantity"] = json!(0)),
            422,
            "/problems/validation",
        ),
        (
            with(&|b| b["lines"][0]["quantity"] = json!(21)),
            422,
            "/problems/validation",
        ),
        (
            with(&|b| b["lines"] = json!([])),
            422,
            "/problems/validation",
        ),
        (
            with(&|b| b["lines"][0]["product_id"] = json!(Uuid::new_v4())),
            422,
            "/problems/unknown-item",
        ),
        (
            with(&|b| b["lines"][0]["size_id"] = json!(m.cola_unit)),
            422,
            "/problems/unknown-item",
        ),
        (
            with(&|b| b["lines"][0]["extras"] = json!([Uuid::new_v4()])),
            422,
            "/problems/unknown-item",
        ),
        (
            with(&|b| {
                b["lines"][0]["size_id"] = json!(m.margherita_l);
                b["lines"][0]["quantity"] = json!(2)
            }),
            409,
            "/problems/out-of-stock",
        ),
        (
            with(&|b| b["payment_method"] = json!("online")),
            422,
            "/problems/validation",
        ),
        (
            with(&|b| b["payment_method"] = json!("bitcoin")),
            422,
            "/problems/validation",
        ),
        (
            with(&|b| {
                b["fulfilment"] = json!("delivery");
                b["delivery_address"] = delivery("75001")
            }),
            422,
            "/problems/outside-delivery-zone",
        ),
        (
            with(&|b| {
                b["fulfilment"] = json!("delivery");
                b["delivery_address"] = delivery("75011");
                b["lines"] =
                    json!([{ "product_id": m.cola, "size_id": m.cola_unit, "quantity": 1 }])
            }),
            422,
            "/problems/below-minimum",
        ),
        (
            with(&|b| b["fulfilment"] = json!("delivery")),
            422,
            "/problems/validation",
        ),
        (
            with(&|b| b["slot_start"] = json!(chrono::Utc::now() - chrono::Duration::hours(1))),
            422,
            "/problems/slot-unavailable",
        ),
        (
            with(&|b| b["slot_start"] = json!("2030-01-01T12:07:00Z")),
            422,
            "/problems/slot-unavailable",
        ),
    ];
    for (body, status, kind) in &cases {
        let resp = place(
            &app,
            "refus",
            Some(&customer),
            body,
            Some(&Uuid::new_v4().to_string()),
        )
        .await;
        let (got, problem) = problem(resp).await;
        assert_eq!(
            (got, problem["type"].as_str().unwrap()),
            (*status, *kind),
            "{body}"
        );
    }
    // Out of stock names the product and size.
    let (_, p) = problem(
        place(
            &app,
            "refus",
            Some(&customer),
            &with(&|b| {
                b["lines"][0]["size_id"] = json!(m.margherita_l);
                b["lines"][0]["quantity"] = json!(2)
            }),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        (p["product"].as_str(), p["size"].as_str()),
        (Some("Margherita"), Some("Grande"))
    );

    // Sold out by hand.
    let cook = app
        .staff_token(tenant, "cook@refus.test", Role::Pizzaiolo)
        .await;
    let path = format!("/api/v1/pizzerias/refus/products/{}/sold-out", m.margherita);
    app.request(reqwest::Method::PUT, &path)
        .bearer_auth(&cook)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let (status, p) =
        problem(place(&app, "refus", Some(&customer), &base(), Some("k-sold-out")).await).await;
    assert_eq!(
        (status, p["type"].as_str(), p["product"].as_str()),
        (409, Some("/problems/sold-out"), Some("Margherita"))
    );
    app.request(reqwest::Method::DELETE, &path)
        .bearer_auth(&cook)
        .send()
        .await
        .unwrap();

    // Paused online orders refuse web orders (the counter still works).
    let manager = app
        .staff_token(tenant, "manager@refus.test", Role::Manager)
        .await;
    app.request(
        reqwest::Method::PUT,
        "/api/v1/pizzerias/refus/operations/pause",
    )
    .bearer_auth(&manager)
    .json(&json!({ "message": "Four en panne" }))
    .send()
    .await
    .unwrap();
    let (status, p) =
        problem(place(&app, "refus", Some(&customer), &base(), Some("k-paused")).await).await;
    assert_eq!(
        (status, p["type"].as_str(), p["message"].as_str()),
        (
            409,
            Some("/problems/online-orders-paused"),
            Some("Four en panne")
        )
    );

    // A pizzeria without opening hours is closed for as-soon-as-possible orders.
    let mut closed = takeaway(&closed_menu);
    closed["contact_phone"] = json!("0611223344");
    let (status, p) =
        problem(place(&app, "fermee", Some(&customer), &closed, Some("k-closed")).await).await;
    assert_eq!(
        (status, p["type"].as_str()),
        (409, Some("/problems/closed"))
    );

    assert_eq!(
        order_rows(&app).await,
        before,
        "no order, line, event, movement or key row was written"
    );
    assert_eq!(on_hand(&app, m.mozzarella).await, 500);

    // And the counter can still take the order while online orders are paused.
    let mut phone = base();
    phone["channel"] = json!("counter");
    phone["customer"] = json!({ "name": "Walk In", "phone": "0600000000" });
    assert_eq!(
        place(&app, "refus", Some(&manager), &phone, None)
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn orders_are_private_to_their_customer_and_pizzeria() {
    let app = spawn_app().await;
    let (a, m) = shop(&app, "prive-a").await;
    let (b, _) = shop(&app, "prive-b").await;
    let alice = app.customer_token("alice@example.fr").await;
    let bob = app.customer_token("bob@example.fr").await;
    let staff_a = app.staff_token(a, "cashier@a.test", Role::Cashier).await;
    let staff_b = app.staff_token(b, "manager@b.test", Role::Manager).await;
    let mut body = takeaway(&m);
    body["contact_phone"] = json!("0611223344");
    let order: Value = place(&app, "prive-a", Some(&alice), &body, None)
        .await
        .json()
        .await
        .unwrap();
    let id = order["id"].as_str().unwrap();

    assert_eq!(
        app.get(
            &format!("/api/v1/pizzerias/prive-a/orders/{id}"),
            Some(&alice)
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/pizzerias/prive-a/orders/{id}"),
            Some(&staff_a)
        )
        .await
        .status(),
        200
    );
    for (token, slug, who) in [
        (&bob, "prive-a", "another customer"),
        (&staff_b, "prive-a", "staff of B on A's URL"),
        (&staff_b, "prive-b", "staff of B on B's URL"),
        (&alice, "prive-b", "the customer on another pizzeria's URL"),
    ] {
        let (status, body) = problem(
            app.get(
                &format!("/api/v1/pizzerias/{slug}/orders/{id}"),
                Some(token),
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, body["type"].as_str()),
            (404, Some("/problems/not-found")),
            "{who}"
        );
    }
    // A tracking token opens its own order, in its own pizzeria only.
    let url = order["tracking_url"].as_str().unwrap();
    let token = url.rsplit('/').next().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/pizzerias/prive-a/track/{token}"), None)
            .await
            .status(),
        200
    );
    let (status, _) = problem(
        app.get(&format!("/api/v1/pizzerias/prive-b/track/{token}"), None)
            .await,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = problem(
        app.get(
            &format!(
                "/api/v1/pizzerias/prive-a/track/{}",
                &token[..token.len() - 1]
            ),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);
}
