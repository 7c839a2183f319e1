//! The order lifecycle through HTTP: journeys, modifications and cancellations, the full
//! state × action × role table, concurrent transitions, isolation.

use ocpizza::domain::Role;
use ocpizza::domain::lifecycle::{self, Action, Actor, Refusal, Status};
use ocpizza::domain::order::Fulfilment;
use ocpizza_tests::app::problem;
use ocpizza_tests::fixtures::{on_hand, restock};
use ocpizza_tests::{TestApp, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::orders::{shop, takeaway};

struct Crew {
    owner: String,
    manager: String,
    cashier: String,
    cook: String,
    driver: String,
    driver_id: Uuid,
    customer: String,
}

async fn crew(app: &TestApp, tenant: Uuid, slug: &str) -> Crew {
    let driver_email = format!("driver@{slug}.test");
    let driver = app.staff_token(tenant, &driver_email, Role::Driver).await;
    let driver_id = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(&driver_email)
        .fetch_one(&app.db.owner)
        .await
        .unwrap();
    Crew {
        owner: app
            .staff_token(tenant, &format!("owner2@{slug}.test"), Role::Owner)
            .await,
        manager: app
            .staff_token(tenant, &format!("manager@{slug}.test"), Role::Manager)
            .await,
        cashier: app
            .staff_token(tenant, &format!("cashier@{slug}.test"), Role::Cashier)
            .await,
        cook: app
            .staff_token(tenant, &format!("cook@{slug}.test"), Role::Pizzaiolo)
            .await,
        driver,
        driver_id,
        customer: app.customer_token(&format!("client@{slug}.test")).await,
    }
}

async fn act(
    app: &TestApp,
    slug: &str,
    token: &str,
    id: &str,
    action: &str,
    body: Value,
) -> reqwest::Response {
    app.post(
        &format!("/api/v1/pizzerias/{slug}/orders/{id}/actions/{action}"),
        Some(token),
        &body,
    )
    .await
}

async fn ok(app: &TestApp, slug: &str, token: &str, id: &str, action: &str, body: Value) -> Value {
    let resp = act(app, slug, token, id, action, body).await;
    assert_eq!(
        resp.status(),
        200,
        "{action}: {}",
        resp.text().await.unwrap()
    );
    resp.json().await.unwrap()
}

fn delivery_order(m: &ocpizza_tests::fixtures::SmallMenu) -> Value {
    json!({ "fulfilment": "delivery", "payment_method": "cash", "contact_phone": "0611223344",
        "delivery_address": { "line": "5 rue Keller", "postcode": "75011", "city": "Paris" },
        "lines": [{ "product_id": m.margherita, "size_id": m.margherita_l, "quantity": 1 }] })
}

async fn place(app: &TestApp, slug: &str, token: &str, body: &Value) -> Value {
    let resp = app
        .post(
            &format!("/api/v1/pizzerias/{slug}/orders"),
            Some(token),
            body,
        )
        .await;
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
    resp.json().await.unwrap()
}

#[tokio::test]
async fn journeys_delivery_takeaway_phone_and_returned() {
    let app = spawn_app().await;
    let (tenant, m) = shop(&app, "parcours").await;
    restock(&app, tenant, m.mozzarella, 5000).await;
    let c = crew(&app, tenant, "parcours").await;

    // Delivery paid in cash: kitchen, then the driver.
    let order = place(&app, "parcours", &c.customer, &delivery_order(&m)).await;
    let id = order["id"].as_str().unwrap();
    // An action needs no body at all.
    let resp = app
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/pizzerias/parcours/orders/{id}/actions/start"),
        )
        .bearer_auth(&c.cook)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    assert_eq!(
        ok(&app, "parcours", &c.cook, id, "ready", json!({})).await["status"],
        "ready"
    );
    assert_eq!(
        ok(&app, "parcours", &c.driver, id, "dispatch", json!({})).await["status"],
        "out_for_delivery"
    );
    let done = ok(&app, "parcours", &c.driver, id, "deliver", json!({})).await;
    assert_eq!(
        (done["status"].as_str(), done["payment_status"].as_str()),
        (Some("delivered"), Some("paid"))
    );
    let events: Vec<Value> = app
        .get(
            &format!("/api/v1/pizzerias/parcours/orders/{id}/timeline"),
            Some(&c.manager),
        )
        .await
        .json()
        .await
        .unwrap();
    let trail: Vec<(String, String)> = events
        .iter()
        .map(|e| {
            (
                e["to"].as_str().unwrap().to_string(),
                e["role"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        trail,
        [
            ("received", "customer"),
            ("preparing", "pizzaiolo"),
            ("ready", "pizzaiolo"),
            ("out_for_delivery", "driver"),
            ("delivered", "driver")
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert!(events.iter().all(|e| e["at"].is_string()));

    // Takeaway picked up at the counter, paid by card instead of cash.
    let mut body = takeaway(&m);
    body["contact_phone"] = json!("0611223344");
    let order = place(&app, "parcours", &c.customer, &body).await;
    let id = order["id"].as_str().unwrap();
    ok(&app, "parcours", &c.cook, id, "start", json!({})).await;
    ok(&app, "parcours", &c.cook, id, "ready", json!({})).await;
    let (status, p) =
        problem(act(&app, "parcours", &c.driver, id, "dispatch", json!({})).await).await;
    assert_eq!(
        (status, p["allowed_next_states"].clone()),
        (409, json!(["picked_up", "cancelled"])),
        "takeaway orders are not delivered"
    );
    let picked = ok(
        &app,
        "parcours",
        &c.cashier,
        id,
        "pick-up",
        json!({ "payment_method": "card" }),
    )
    .await;
    assert_eq!(
        (
            picked["status"].as_str(),
            picked["payment_method"].as_str(),
            picked["payment_status"].as_str()
        ),
        (Some("picked_up"), Some("card"), Some("paid"))
    );

    // A phone order taken by the cashier, delivered.
    let mut phone = delivery_order(&m);
    phone["channel"] = json!("phone");
    phone["customer"] = json!({ "name": "Mme Petit", "phone": "0145000000" });
    let order = place(&app, "parcours", &c.cashier, &phone).await;
    let id = order["id"].as_str().unwrap();
    for (token, action) in [
        (&c.cook, "start"),
        (&c.cook, "ready"),
        (&c.driver, "dispatch"),
        (&c.driver, "deliver"),
    ] {
        ok(&app, "parcours", token, id, action, json!({})).await;
    }

    // Returned: nobody answered; the stock is not given back.
    let order = place(&app, "parcours", &c.customer, &delivery_order(&m)).await;
    let id = order["id"].as_str().unwrap();
    for (token, action) in [
        (&c.cook, "start"),
        (&c.cook, "ready"),
        (&c.driver, "dispatch"),
    ] {
        ok(&app, "parcours", token, id, action, json!({})).await;
    }
    let before = on_hand(&app, m.mozzarella).await;
    let returned = ok(
        &app,
        "parcours",
        &c.driver,
        id,
        "return",
        json!({ "reason": "personne à l'interphone" }),
    )
    .await;
    assert_eq!(returned["status"], "returned");
    assert_eq!(on_hand(&app, m.mozzarella).await, before);
    let (status, p) = problem(
        act(
            &app,
            "parcours",
            &c.manager,
            id,
            "cancel",
            json!({ "reason": "x" }),
        )
        .await,
    )
    .await;
    assert_eq!((status, p["allowed_next_states"].clone()), (409, json!([])));

    // The end of the day: 3 settled orders; the driver hands over the cash of two deliveries.
    let summary: Value = app
        .get("/api/v1/pizzerias/parcours/summary", Some(&c.cashier))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(summary["settled_orders"], 3);
    assert_eq!(summary["settled_cents"], 1500 + 300 + 1100 + 1500 + 300);
    assert_eq!(summary["returned"], 1);
    assert_eq!(
        summary["by_channel"],
        json!([{ "key": "phone", "orders": 1, "total_cents": 1800 }, { "key": "web", "orders": 2, "total_cents": 2900 }])
    );
    assert_eq!(
        summary["by_payment_method"],
        json!([{ "key": "card", "orders": 1, "total_cents": 1100 }, { "key": "cash", "orders": 2, "total_cents": 3600 }])
    );
    assert_eq!(summary["cash_by_driver"][0]["cash_cents"], 3600);
    assert_eq!(summary["cash_by_driver"][0]["orders"], 2);
    let (status, _) = problem(
        app.get("/api/v1/pizzerias/parcours/summary", Some(&c.cook))
            .await,
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn customers_modify_and_cancel_until_preparation_and_stock_adds_up() {
    let app = spawn_app().await;
    let (tenant, m) = shop(&app, "modif").await;
    restock(&app, tenant, m.mozzarella, 1500).await; // 2000 g
    let c = crew(&app, tenant, "modif").await;
    let mut body = takeaway(&m);
    body["contact_phone"] = json!("0611223344");
    let order = place(&app, "modif", &c.customer, &body).await;
    let id = order["id"].as_str().unwrap();
    assert_eq!(on_hand(&app, m.mozzarella).await, 1800);

    // Three mediums with extra mozzarella: +700 g more, re-priced.
    let lines = |qty: i64, extras: Value| json!({ "lines": [{ "product_id": m.margherita, "size_id": m.margherita_m, "quantity": qty, "extras": extras }] });
    let path = format!("/api/v1/pizzerias/modif/orders/{id}/lines");
    let resp = app
        .request(reqwest::Method::PUT, &path)
        .bearer_auth(&c.customer)
        .header("Idempotency-Key", "m1")
        .json(&lines(3, json!([m.extra_mozzarella])))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let changed: Value = resp.json().await.unwrap();
    assert_eq!(
        (
            changed["total_cents"].as_i64(),
            changed["lines"][0]["quantity"].as_i64()
        ),
        (Some(3 * 1250), Some(3))
    );
    assert_eq!(on_hand(&app, m.mozzarella).await, 2000 - 900);
    // A retry with the key changes nothing more.
    let resp = app
        .request(reqwest::Method::PUT, &path)
        .bearer_auth(&c.customer)
        .header("Idempotency-Key", "m1")
        .json(&lines(3, json!([m.extra_mozzarella])))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["idempotent-replayed"], "true");
    assert_eq!(on_hand(&app, m.mozzarella).await, 1100);
    // Too much: refused, nothing changed.
    let (status, p) = problem(
        app.request(reqwest::Method::PUT, &path)
            .bearer_auth(&c.customer)
            .json(&lines(20, json!([m.extra_mozzarella])))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, p["type"].as_str()),
        (409, Some("/problems/out-of-stock"))
    );
    assert_eq!(on_hand(&app, m.mozzarella).await, 1100);
    // Back to one plain medium: stock returns.
    let resp = app
        .request(reqwest::Method::PUT, &path)
        .bearer_auth(&c.customer)
        .json(&lines(1, json!([])))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(on_hand(&app, m.mozzarella).await, 1800);

    // Someone else cannot change it.
    let (status, _) = problem(
        app.request(reqwest::Method::PUT, &path)
            .bearer_auth(&c.cashier)
            .json(&lines(1, json!([])))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404, "staff do not edit a customer's lines");

    // Cancel while received: all stock comes back.
    let cancelled = ok(
        &app,
        "modif",
        &c.customer,
        id,
        "cancel",
        json!({ "reason": "changé d'avis" }),
    )
    .await;
    assert_eq!(
        (
            cancelled["status"].as_str(),
            cancelled["cancel_reason"].as_str()
        ),
        (Some("cancelled"), Some("changé d'avis"))
    );
    assert_eq!(on_hand(&app, m.mozzarella).await, 2000);
    let net: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(delta), 0)::bigint FROM stock_movements WHERE order_id = $1",
    )
    .bind(Uuid::parse_str(id).unwrap())
    .fetch_one(&app.db.owner)
    .await
    .unwrap();
    assert_eq!(net, 0);

    // Once preparation started: no more changes or cancellations by the customer.
    let order = place(&app, "modif", &c.customer, &body).await;
    let id = order["id"].as_str().unwrap();
    ok(&app, "modif", &c.cook, id, "start", json!({})).await;
    let (status, p) = problem(
        app.request(
            reqwest::Method::PUT,
            &format!("/api/v1/pizzerias/modif/orders/{id}/lines"),
        )
        .bearer_auth(&c.customer)
        .json(&lines(2, json!([])))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (status, p["type"].as_str()),
        (409, Some("/problems/not-modifiable"))
    );
    let (status, p) = problem(act(&app, "modif", &c.customer, id, "cancel", json!({})).await).await;
    assert_eq!(
        (status, p["type"].as_str(), p["allowed_next_states"].clone()),
        (
            409,
            Some("/problems/invalid-transition"),
            json!(["ready", "cancelled"])
        )
    );
    // The counter may still cancel, with a reason.
    let (status, p) = problem(act(&app, "modif", &c.cashier, id, "cancel", json!({})).await).await;
    assert_eq!((status, p["field"].as_str()), (422, Some("reason")));
    ok(
        &app,
        "modif",
        &c.cashier,
        id,
        "cancel",
        json!({ "reason": "four en panne" }),
    )
    .await;
    assert_eq!(on_hand(&app, m.mozzarella).await, 2000);

    // A guest changes and cancels through the tracking link.
    let mut guest_body = takeaway(&m);
    guest_body["guest"] = crate::orders::guest(7);
    let order: Value = app
        .post("/api/v1/pizzerias/modif/orders", None, &guest_body)
        .await
        .json()
        .await
        .unwrap();
    let url = order["tracking_url"].as_str().unwrap();
    let track = &url[url.find("/api/").unwrap()..];
    let resp = app
        .request(reqwest::Method::PUT, &format!("{track}/lines"))
        .json(&lines(2, json!([])))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(on_hand(&app, m.mozzarella).await, 1600);
    let resp = app
        .post(&format!("{track}/actions/cancel"), None, &json!({}))
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(on_hand(&app, m.mozzarella).await, 2000);
    let (status, _) = problem(
        app.post(&format!("{track}/actions/start"), None, &json!({}))
            .await,
    )
    .await;
    assert_eq!(status, 403, "a guest only cancels");
}

#[tokio::test]
async fn every_state_action_and_role_is_allowed_exactly_where_the_table_says() {
    let app = spawn_app().await;
    let (tenant, m) = shop(&app, "table").await;
    restock(&app, tenant, m.mozzarella, 10_000).await;
    let c = crew(&app, tenant, "table").await;
    let mut takeaway_body = takeaway(&m);
    takeaway_body["contact_phone"] = json!("0611223344");
    let orders = [
        (
            Fulfilment::Delivery,
            place(&app, "table", &c.customer, &delivery_order(&m)).await,
        ),
        (
            Fulfilment::Takeaway,
            place(&app, "table", &c.customer, &takeaway_body).await,
        ),
    ];
    let people = [
        (Actor::Owner, &c.owner),
        (Actor::Manager, &c.manager),
        (Actor::Cashier, &c.cashier),
        (Actor::Pizzaiolo, &c.cook),
        (Actor::Driver, &c.driver),
        (Actor::Customer, &c.customer),
    ];
    let mut checked = 0;
    for (fulfilment, order) in &orders {
        let id = order["id"].as_str().unwrap();
        let uuid = Uuid::parse_str(id).unwrap();
        let url = order["tracking_url"].as_str().unwrap();
        let track = url[url.find("/api/").unwrap()..].to_string();
        for status in Status::ALL {
            for action in Action::ALL {
                for (actor, token) in people
                    .iter()
                    .map(|(a, t)| (*a, Some(*t)))
                    .chain([(Actor::Guest, None)])
                {
                    sqlx::query("UPDATE orders SET status = $2, driver_id = $3, payment_status = 'unpaid' WHERE id = $1")
                        .bind(uuid)
                        .bind(status.as_str())
                        .bind(c.driver_id)
                        .execute(&app.db.owner)
                        .await
                        .unwrap();
                    let body = json!({ "reason": "test" });
                    let resp = match token {
                        Some(t) => act(&app, "table", t, id, action.as_str(), body).await,
                        None => {
                            app.post(&format!("{track}/actions/{}", action.as_str()), None, &body)
                                .await
                        }
                    };
                    let case = format!("{fulfilment:?} {status:?} {action:?} {actor:?}");
                    match lifecycle::next(status, *fulfilment, action, actor) {
                        Ok(to) => {
                            assert_eq!(resp.status(), 200, "{case}");
                            assert_eq!(
                                resp.json::<Value>().await.unwrap()["status"],
                                to.as_str(),
                                "{case}"
                            );
                        }
                        Err(Refusal::NotYours) => assert_eq!(resp.status(), 403, "{case}"),
                        Err(Refusal::WrongState { allowed_next }) => {
                            let (got, p) = problem(resp).await;
                            assert_eq!(got, 409, "{case}");
                            let expected: Vec<&str> =
                                allowed_next.iter().map(|s| s.as_str()).collect();
                            assert_eq!(p["allowed_next_states"], json!(expected), "{case}");
                        }
                    }
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 2 * Status::ALL.len() * Action::ALL.len() * 7);
}

#[tokio::test]
async fn two_pizzaiolos_press_start_at_once() {
    let app = spawn_app_with(|c| c.database.max_connections = 20).await;
    let (tenant, m) = shop(&app, "course").await;
    let c = crew(&app, tenant, "course").await;
    let cook2 = app
        .staff_token(tenant, "cook2@course.test", Role::Pizzaiolo)
        .await;
    let mut body = takeaway(&m);
    body["contact_phone"] = json!("0611223344");
    for _ in 0..5 {
        restock(&app, tenant, m.mozzarella, 200).await;
        let order = place(&app, "course", &c.customer, &body).await;
        let id = order["id"].as_str().unwrap().to_string();
        let (a, b) = tokio::join!(
            act(&app, "course", &c.cook, &id, "start", json!({})),
            act(&app, "course", &cook2, &id, "start", json!({}))
        );
        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409]);
        let events: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM order_events WHERE order_id = $1 AND to_status = 'preparing'",
        )
        .bind(Uuid::parse_str(&id).unwrap())
        .fetch_one(&app.db.owner)
        .await
        .unwrap();
        assert_eq!(events, 1);
    }
}
