//! Real time: events across instances, replay after reconnect, who may subscribe, positions.

use std::time::Duration;

use ocpizza::domain::Role;
use ocpizza_tests::app::problem;
use ocpizza_tests::fixtures::restock;
use ocpizza_tests::sse::Sse;
use ocpizza_tests::{TestApp, spawn_app};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::orders::{shop, takeaway};

const WITHIN: Duration = Duration::from_secs(10);

async fn act(app: &TestApp, slug: &str, token: &str, id: &str, action: &str) {
    let resp = app
        .post(
            &format!("/api/v1/pizzerias/{slug}/orders/{id}/actions/{action}"),
            Some(token),
            &json!({}),
        )
        .await;
    assert_eq!(
        resp.status(),
        200,
        "{action}: {}",
        resp.text().await.unwrap()
    );
}

/// A delivery order to 75011 with coordinates, by the customer.
async fn delivery_order(
    app: &TestApp,
    slug: &str,
    customer: &str,
    m: &ocpizza_tests::fixtures::SmallMenu,
) -> Value {
    let body = json!({ "fulfilment": "delivery", "payment_method": "cash", "contact_phone": "0611223344",
        "delivery_address": { "line": "40 rue Oberkampf", "postcode": "75011", "city": "Paris", "latitude": 48.8647, "longitude": 2.3746 },
        "lines": [{ "product_id": m.margherita, "size_id": m.margherita_l, "quantity": 1 }] });
    let resp = app
        .post(
            &format!("/api/v1/pizzerias/{slug}/orders"),
            Some(customer),
            &body,
        )
        .await;
    assert_eq!(resp.status(), 201);
    resp.json().await.unwrap()
}

#[tokio::test]
async fn a_change_through_one_instance_reaches_a_subscriber_of_another() {
    let app = spawn_app().await;
    let (tenant, m) = shop(&app, "repliques").await;
    let cook = app
        .staff_token(tenant, "cook@repliques.test", Role::Pizzaiolo)
        .await;
    let customer = app.customer_token("client@repliques.test").await;
    let b = app.another_instance().await;
    let mut kitchen = Sse::open(
        app.client
            .get(format!("{b}/api/v1/pizzerias/repliques/kitchen/events"))
            .bearer_auth(&cook),
    )
    .await;

    let mut body = takeaway(&m);
    body["contact_phone"] = json!("0611223344");
    let order: Value = app
        .post("/api/v1/pizzerias/repliques/orders", Some(&customer), &body)
        .await
        .json()
        .await
        .unwrap();
    let event = kitchen
        .next(WITHIN)
        .await
        .expect("the new order reaches instance B's kitchen");
    assert_eq!(event.event, "order");
    assert_eq!(
        (
            event.data["to"].as_str(),
            event.data["order_id"].as_str(),
            event.data["number"].as_i64()
        ),
        (Some("received"), order["id"].as_str(), Some(1))
    );
    assert!(event.id.is_some());
    act(
        &app,
        "repliques",
        &cook,
        order["id"].as_str().unwrap(),
        "start",
    )
    .await;
    let event = kitchen.next(WITHIN).await.expect("progress too");
    assert_eq!(
        (
            event.data["from"].as_str(),
            event.data["to"].as_str(),
            event.data["role"].as_str()
        ),
        (Some("received"), Some("preparing"), Some("pizzaiolo"))
    );
}

#[tokio::test]
async fn reconnecting_with_last_event_id_replays_exactly_the_missed_events() {
    let app = spawn_app().await;
    let (tenant, m) = shop(&app, "reprise").await;
    let c_cook = app
        .staff_token(tenant, "cook@reprise.test", Role::Pizzaiolo)
        .await;
    let manager = app
        .staff_token(tenant, "manager@reprise.test", Role::Manager)
        .await;
    let driver = app
        .staff_token(tenant, "driver@reprise.test", Role::Driver)
        .await;
    let driver_id: Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'driver@reprise.test'")
            .fetch_one(&app.db.owner)
            .await
            .unwrap();
    let customer = app.customer_token("client@reprise.test").await;
    let order = delivery_order(&app, "reprise", &customer, &m).await;
    let id = order["id"].as_str().unwrap();
    let path = format!("/api/v1/pizzerias/reprise/orders/{id}/events");

    let mut stream = Sse::open(
        app.request(reqwest::Method::GET, &path)
            .bearer_auth(&customer),
    )
    .await;
    act(&app, "reprise", &c_cook, id, "start").await;
    let seen = stream.next(WITHIN).await.expect("start");
    assert_eq!(seen.data["to"], "preparing");
    drop(stream);

    // Three changes while disconnected.
    act(&app, "reprise", &c_cook, id, "ready").await;
    let resp = app
        .post(
            &format!("/api/v1/pizzerias/reprise/orders/{id}/assign"),
            Some(&manager),
            &json!({ "driver_id": driver_id }),
        )
        .await;
    assert_eq!(resp.status(), 204);
    act(&app, "reprise", &driver, id, "dispatch").await;

    let mut stream = Sse::open(
        app.request(reqwest::Method::GET, &path)
            .bearer_auth(&customer)
            .header("Last-Event-ID", seen.id.clone().unwrap()),
    )
    .await;
    let missed = stream.take(3, WITHIN).await;
    let what: Vec<(&str, &str)> = missed
        .iter()
        .map(|e| {
            (
                e.data["event"].as_str().unwrap(),
                e.data["to"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        what,
        [
            ("status", "ready"),
            ("assigned", "ready"),
            ("status", "out_for_delivery")
        ]
    );
    let ids: Vec<i64> = missed
        .iter()
        .map(|e| e.id.as_ref().unwrap().parse().unwrap())
        .collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1])
            && ids[0] > seen.id.as_ref().unwrap().parse::<i64>().unwrap()
    );
    // Then live again: the next event is the next change, nothing replayed twice.
    act(&app, "reprise", &driver, id, "deliver").await;
    let next = stream.next(WITHIN).await.expect("live after the replay");
    assert_eq!(next.data["to"], "delivered");

    // A bad Last-Event-ID is refused.
    let resp = app
        .request(reqwest::Method::GET, &path)
        .bearer_auth(&customer)
        .header("Last-Event-ID", "yesterday")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
}

#[tokio::test]
async fn subscriptions_are_authorised_like_the_gets() {
    let app = spawn_app().await;
    let (a, m) = shop(&app, "abo-a").await;
    restock(&app, a, m.mozzarella, 1000).await;
    let (b, _) = shop(&app, "abo-b").await;
    let alice = app.customer_token("alice@abo.test").await;
    let bob = app.customer_token("bob@abo.test").await;
    let cook_a = app.staff_token(a, "cook@abo-a.test", Role::Pizzaiolo).await;
    let manager_b = app
        .staff_token(b, "manager@abo-b.test", Role::Manager)
        .await;
    let order = delivery_order(&app, "abo-a", &alice, &m).await;
    let id = order["id"].as_str().unwrap();
    let order_path = format!("/api/v1/pizzerias/abo-a/orders/{id}/events");

    let (status, _) = problem(app.get(&order_path, Some(&bob)).await).await;
    assert_eq!(status, 404, "another customer's order");
    let (status, _) = problem(
        app.get("/api/v1/pizzerias/abo-a/kitchen/events", Some(&manager_b))
            .await,
    )
    .await;
    assert_eq!(status, 404, "another pizzeria's kitchen");
    let (status, _) = problem(
        app.get("/api/v1/pizzerias/abo-a/kitchen/events", Some(&alice))
            .await,
    )
    .await;
    assert_eq!(status, 403, "customers are not staff");
    let (status, _) = problem(app.get(&order_path, None).await).await;
    assert_eq!(status, 401);
    let (status, _) = problem(
        app.get("/api/v1/pizzerias/abo-a/driver/events", Some(&cook_a))
            .await,
    )
    .await;
    assert_eq!(status, 403, "the kitchen does not follow drivers' runs");

    // A stream token (what a browser's EventSource uses) for this order only.
    let token: Value = app
        .post(
            "/api/v1/pizzerias/abo-a/stream-tokens",
            Some(&alice),
            &json!({ "stream": "order", "order_id": id }),
        )
        .await
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    let mut stream =
        Sse::open(app.request(reqwest::Method::GET, &format!("{order_path}?token={token}"))).await;
    act(&app, "abo-a", &cook_a, id, "start").await;
    assert_eq!(
        stream.next(WITHIN).await.expect("event").data["to"],
        "preparing"
    );
    let other = delivery_order(&app, "abo-a", &alice, &m).await;
    let (status, _) = problem(
        app.get(
            &format!(
                "/api/v1/pizzerias/abo-a/orders/{}/events?token={token}",
                other["id"].as_str().unwrap()
            ),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, 401, "a token is for its own stream");
    let (status, _) = problem(
        app.get(
            &format!("/api/v1/pizzerias/abo-a/orders/{id}"),
            Some(&token),
        )
        .await,
    )
    .await;
    assert_eq!(status, 401, "a stream token is not an access token");
    let (status, _) = problem(
        app.post(
            "/api/v1/pizzerias/abo-a/stream-tokens",
            Some(&bob),
            &json!({ "stream": "order", "order_id": id }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 404, "no token for someone else's order");

    // The tracking link has its own stream.
    let url = order["tracking_url"].as_str().unwrap();
    let mut tracked = Sse::open(app.request(
        reqwest::Method::GET,
        &format!("{}/events", &url[url.find("/api/").unwrap()..]),
    ))
    .await;
    act(&app, "abo-a", &cook_a, id, "ready").await;
    assert_eq!(
        tracked.next(WITHIN).await.expect("event").data["to"],
        "ready"
    );
}

#[tokio::test]
async fn positions_while_out_for_delivery_only_and_seen_by_the_customer() {
    let app = spawn_app_with_fast_positions().await;
    let (tenant, m) = shop(&app, "livreur").await;
    restock(&app, tenant, m.mozzarella, 1000).await;
    let cook = app
        .staff_token(tenant, "cook@livreur.test", Role::Pizzaiolo)
        .await;
    let driver = app
        .staff_token(tenant, "driver@livreur.test", Role::Driver)
        .await;
    let other_driver = app
        .staff_token(tenant, "driver2@livreur.test", Role::Driver)
        .await;
    let customer = app.customer_token("client@livreur.test").await;
    let order = delivery_order(&app, "livreur", &customer, &m).await;
    let id = order["id"].as_str().unwrap();
    let positions = format!("/api/v1/pizzerias/livreur/deliveries/{id}/positions");
    let here = |lat: f64, lng: f64| json!({ "lat": lat, "lng": lng, "accuracy": 8.0 });

    // The driver's stream offers the order once ready.
    let mut runs = Sse::open(
        app.request(
            reqwest::Method::GET,
            "/api/v1/pizzerias/livreur/driver/events",
        )
        .bearer_auth(&driver),
    )
    .await;
    act(&app, "livreur", &cook, id, "start").await;
    let (status, p) = problem(
        app.post(&positions, Some(&driver), &here(48.85, 2.37))
            .await,
    )
    .await;
    assert_eq!(
        (status, p["type"].as_str()),
        (409, Some("/problems/not-out-for-delivery")),
        "not on the way yet"
    );
    act(&app, "livreur", &cook, id, "ready").await;
    assert_eq!(
        runs.next(WITHIN).await.expect("ready for delivery").data["to"],
        "ready"
    );
    act(&app, "livreur", &driver, id, "dispatch").await;

    for (body, field) in [
        (here(100.0, 2.0), "lat"),
        (here(48.0, 200.0), "lng"),
        (
            json!({ "lat": 48.8, "lng": 2.3, "accuracy": -3 }),
            "accuracy",
        ),
        (
            json!({ "lat": 48.8, "lng": 2.3, "time": "2020-01-01T00:00:00Z" }),
            "time",
        ),
    ] {
        let (status, p) = problem(app.post(&positions, Some(&driver), &body).await).await;
        assert_eq!((status, p["field"].as_str()), (422, Some(field)), "{body}");
    }
    let (status, _) = problem(
        app.post(&positions, Some(&other_driver), &here(48.85, 2.37))
            .await,
    )
    .await;
    assert_eq!(status, 403, "only the order's driver");

    let mut follow = Sse::open(
        app.request(
            reqwest::Method::GET,
            &format!("/api/v1/pizzerias/livreur/orders/{id}/events"),
        )
        .bearer_auth(&customer),
    )
    .await;
    let resp = app
        .post(&positions, Some(&driver), &here(48.8532, 2.3692))
        .await;
    assert_eq!(resp.status(), 202);
    let accepted: Value = resp.json().await.unwrap();
    assert!(accepted["estimated_arrival"].is_string());
    let seen = follow.next(WITHIN).await.expect("position event");
    assert_eq!(seen.event, "position");
    assert_eq!(
        (seen.data["latitude"].as_f64(), seen.id),
        (Some(48.8532), None)
    );
    assert!(seen.data["estimated_arrival"].is_string());
    let view: Value = app
        .get(
            &format!("/api/v1/pizzerias/livreur/orders/{id}/delivery"),
            Some(&customer),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["driver_position"]["lat"], 48.8532);
    let manager = app
        .staff_token(tenant, "manager@livreur.test", Role::Manager)
        .await;
    let trail: Vec<Value> = app
        .get(
            &format!("/api/v1/pizzerias/livreur/deliveries/{id}/trail"),
            Some(&manager),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(trail.len(), 1);
    let (status, _) = problem(
        app.get(
            &format!("/api/v1/pizzerias/livreur/deliveries/{id}/trail"),
            Some(&customer),
        )
        .await,
    )
    .await;
    assert_eq!(status, 403);

    // Arrived: the position is gone and no longer shown.
    act(&app, "livreur", &driver, id, "deliver").await;
    let view: Value = app
        .get(
            &format!("/api/v1/pizzerias/livreur/orders/{id}/delivery"),
            Some(&customer),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["driver_position"], Value::Null);
    let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM delivery_positions")
        .fetch_one(&app.db.owner)
        .await
        .unwrap();
    assert_eq!(kept, 0);
    let (status, _) = problem(
        app.post(&positions, Some(&driver), &here(48.85, 2.37))
            .await,
    )
    .await;
    assert_eq!(status, 409);
    let bob = app.customer_token("bob@livreur.test").await;
    let (status, _) = problem(
        app.get(
            &format!("/api/v1/pizzerias/livreur/orders/{id}/delivery"),
            Some(&bob),
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn positions_are_rate_limited_per_delivery() {
    let app = spawn_app().await;
    let (tenant, m) = shop(&app, "cadence").await;
    let cook = app
        .staff_token(tenant, "cook@cadence.test", Role::Pizzaiolo)
        .await;
    let driver = app
        .staff_token(tenant, "driver@cadence.test", Role::Driver)
        .await;
    let customer = app.customer_token("client@cadence.test").await;
    let order = delivery_order(&app, "cadence", &customer, &m).await;
    let id = order["id"].as_str().unwrap();
    for action in ["start", "ready"] {
        act(&app, "cadence", &cook, id, action).await;
    }
    act(&app, "cadence", &driver, id, "dispatch").await;
    let path = format!("/api/v1/pizzerias/cadence/deliveries/{id}/positions");
    // Positions for this order id from a driver of another pizzeria (404) and from another
    // driver here (403) do not use up its own driver's allowance.
    let elsewhere = app.create_pizzeria("ailleurs").await;
    let stranger = app
        .staff_token(elsewhere, "driver@ailleurs.test", Role::Driver)
        .await;
    let colleague = app
        .staff_token(tenant, "driver2@cadence.test", Role::Driver)
        .await;
    let theirs = format!("/api/v1/pizzerias/ailleurs/deliveries/{id}/positions");
    let here = json!({ "lat": 48.85, "lng": 2.37 });
    assert_eq!(
        app.post(&theirs, Some(&stranger), &here).await.status(),
        404
    );
    assert_eq!(app.post(&path, Some(&colleague), &here).await.status(), 403);
    assert_eq!(
        app.post(&path, Some(&driver), &json!({ "lat": 48.85, "lng": 2.37 }))
            .await
            .status(),
        202
    );
    let resp = app
        .post(&path, Some(&driver), &json!({ "lat": 48.85, "lng": 2.37 }))
        .await;
    assert_eq!(resp.status(), 429);
    assert!(resp.headers().contains_key("retry-after"));
}

async fn spawn_app_with_fast_positions() -> TestApp {
    ocpizza_tests::spawn_app_with(|c| c.delivery.min_position_interval_ms = 1).await
}

#[tokio::test]
async fn an_event_announced_live_is_exactly_the_event_replayed_later() {
    use ocpizza::realtime::stream::{Scope, replay};
    use ocpizza::realtime::{Notice, OrderNotice};

    let app = spawn_app().await;
    let (tenant, m) = shop(&app, "annonces").await;
    let customer = app.customer_token("client@annonces.test").await;
    let mut listener = sqlx::postgres::PgListener::connect_with(&app.db.app)
        .await
        .unwrap();
    listener.listen("ocpizza_events").await.unwrap();

    let mut body = takeaway(&m);
    body["contact_phone"] = json!("0611223344");
    let resp = app
        .post("/api/v1/pizzerias/annonces/orders", Some(&customer), &body)
        .await;
    assert_eq!(resp.status(), 201);
    let order: Value = resp.json().await.unwrap();
    let order_id: Uuid = order["id"].as_str().unwrap().parse().unwrap();

    let payload = tokio::time::timeout(WITHIN, listener.recv())
        .await
        .expect("the order's event is announced")
        .unwrap();
    let live: OrderNotice = match serde_json::from_str::<Notice>(payload.payload()).unwrap() {
        Notice::Order(n) => n,
        other => panic!("not an order notice: {other:?}"),
    };
    let replayed = replay(
        &app.db.app,
        Scope::Order {
            tenant,
            order: order_id,
        },
        0,
    )
    .await
    .unwrap();
    assert_eq!(replayed, vec![live.clone()]);
    assert_eq!(live.to, ocpizza::domain::lifecycle::Status::Received);
    assert_eq!(live.number, order["number"].as_i64().unwrap() as i32);
}

#[tokio::test]
async fn a_position_always_carries_an_arrival_estimate_and_a_delivered_order_shows_its_arrival() {
    let app = spawn_app_with_fast_positions().await;
    let (tenant, m) = shop(&app, "sans-gps").await;
    restock(&app, tenant, m.mozzarella, 1000).await;
    let cook = app
        .staff_token(tenant, "cook@sans-gps.test", Role::Pizzaiolo)
        .await;
    let driver = app
        .staff_token(tenant, "driver@sans-gps.test", Role::Driver)
        .await;
    let customer = app.customer_token("client@sans-gps.test").await;
    // An address typed without coordinates: no estimate from distance is possible.
    let body = json!({ "fulfilment": "delivery", "payment_method": "cash", "contact_phone": "0611223344",
        "delivery_address": { "line": "40 rue Oberkampf", "postcode": "75011", "city": "Paris" },
        "lines": [{ "product_id": m.margherita, "size_id": m.margherita_l, "quantity": 1 }] });
    let order: Value = app
        .post("/api/v1/pizzerias/sans-gps/orders", Some(&customer), &body)
        .await
        .json()
        .await
        .unwrap();
    let id = order["id"].as_str().unwrap();
    for (token, action) in [(&cook, "start"), (&cook, "ready"), (&driver, "dispatch")] {
        act(&app, "sans-gps", token, id, action).await;
    }
    let mut follow = Sse::open(
        app.request(
            reqwest::Method::GET,
            &format!("/api/v1/pizzerias/sans-gps/orders/{id}/events"),
        )
        .bearer_auth(&customer),
    )
    .await;
    let resp = app
        .post(
            &format!("/api/v1/pizzerias/sans-gps/deliveries/{id}/positions"),
            Some(&driver),
            &json!({ "lat": 48.85, "lng": 2.37, "accuracy": 8.0 }),
        )
        .await;
    assert_eq!(resp.status(), 202);
    let seen = follow.next(WITHIN).await.expect("position event");
    assert_eq!(seen.event, "position");
    let promised: chrono::DateTime<chrono::Utc> =
        order["estimated_at"].as_str().unwrap().parse().unwrap();
    let announced: chrono::DateTime<chrono::Utc> = seen.data["estimated_arrival"]
        .as_str()
        .unwrap_or_else(|| panic!("no estimate in {}", seen.data))
        .parse()
        .unwrap();
    assert_eq!(announced, promised, "the time promised, as /delivery says");

    act(&app, "sans-gps", &driver, id, "deliver").await;
    let view: Value = app
        .get(
            &format!("/api/v1/pizzerias/sans-gps/orders/{id}/delivery"),
            Some(&customer),
        )
        .await
        .json()
        .await
        .unwrap();
    let arrival: chrono::DateTime<chrono::Utc> =
        view["estimated_arrival"].as_str().unwrap().parse().unwrap();
    assert!(
        arrival <= chrono::Utc::now(),
        "a delivered order shows when it arrived, not {arrival}"
    );
    assert_eq!(view["status"], "delivered");
}

#[tokio::test]
async fn an_open_stream_closes_when_its_subscriber_loses_access() {
    let app = spawn_app().await;
    let admin = app.spawn_admin().await;
    let (tenant, m) = shop(&app, "acces").await;
    restock(&app, tenant, m.mozzarella, 5000).await;
    let owner = admin
        .staff(&app, tenant, "owner@acces.test", Role::Owner)
        .await;
    let driver = app
        .staff_token(tenant, "driver@acces.test", Role::Driver)
        .await;
    let cook = app
        .staff_token(tenant, "cook@acces.test", Role::Pizzaiolo)
        .await;
    let manager = app
        .staff_token(tenant, "manager@acces.test", Role::Manager)
        .await;
    let customer = app.customer_token("client@acces.test").await;
    let user = async |email: &str| -> Uuid {
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(&app.db.owner)
            .await
            .unwrap()
    };
    let stream = async |path: &str, token: &str| {
        Sse::open(
            app.request(
                reqwest::Method::GET,
                &format!("/api/v1/pizzerias/acces/{path}"),
            )
            .bearer_auth(token),
        )
        .await
    };
    let closed = async |sse: &mut Sse, what: &str| {
        let last = sse
            .next(WITHIN)
            .await
            .unwrap_or_else(|| panic!("{what}: no event"));
        assert_eq!(last.event, "closed", "{what}: {:?}", last.data);
        assert!(
            sse.next(Duration::from_secs(2)).await.is_none(),
            "{what}: it ended"
        );
    };

    // A driver made cashier: their runs stream closes.
    let mut runs = stream("driver/events", &driver).await;
    let mut kitchen = stream("kitchen/events", &cook).await;
    let mut counter = stream("kitchen/events", &manager).await;
    let driver_id = user("driver@acces.test").await;
    let resp = admin
        .request(
            reqwest::Method::PUT,
            &format!("/pizzerias/acces/staff/{driver_id}"),
            Some(&owner),
        )
        .json(&json!({ "role": "cashier" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    closed(&mut runs, "the driver's stream").await;

    // A cook removed: the kitchen stream closes; the manager's stays and goes on.
    let cook_id = user("cook@acces.test").await;
    let resp = admin
        .send(
            reqwest::Method::DELETE,
            &format!("/pizzerias/acces/staff/{cook_id}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(resp.status(), 204);
    closed(&mut kitchen, "the removed cook's kitchen stream").await;
    let order: Value = app
        .post(
            "/api/v1/pizzerias/acces/orders",
            Some(&customer),
            &json!({ "fulfilment": "takeaway", "payment_method": "cash", "contact_phone": "0611223344",
                     "lines": [{ "product_id": m.margherita, "size_id": m.margherita_m, "quantity": 1 }] }),
        )
        .await
        .json()
        .await
        .unwrap();
    let seen = counter
        .next(WITHIN)
        .await
        .expect("the manager still sees orders");
    assert_eq!(
        (seen.event.as_str(), &seen.data["to"]),
        ("order", &json!("received"))
    );

    // The pizzeria suspended: its customers' order streams close too.
    let id = order["id"].as_str().unwrap();
    let mut follow = stream(&format!("orders/{id}/events"), &customer).await;
    let ops = admin.platform_admin(&app, "ops@acces.test").await;
    let resp = admin
        .post(
            "/tenants/acces/suspend",
            &ops,
            &json!({ "reason": "contrôle" }),
        )
        .await;
    assert!(resp.status().is_success(), "{}", resp.text().await.unwrap());
    closed(&mut follow, "the customer's order stream").await;
    closed(&mut counter, "the manager's kitchen stream").await;
}

#[tokio::test]
async fn an_open_stream_closes_when_its_session_ends_and_only_that_persons() {
    let app = spawn_app().await;
    let (tenant, _) = shop(&app, "sortie").await;
    let cook = app.create_user("cook@sortie.test").await;
    app.grant(tenant, cook, Role::Pizzaiolo).await;
    let tokens = app
        .login("cook@sortie.test", ocpizza_tests::app::PASSWORD)
        .await;
    let colleague = app
        .staff_token(tenant, "colleague@sortie.test", Role::Pizzaiolo)
        .await;
    let open = async |token: &str| {
        Sse::open(
            app.request(
                reqwest::Method::GET,
                "/api/v1/pizzerias/sortie/kitchen/events",
            )
            .bearer_auth(token),
        )
        .await
    };
    let mut mine = open(tokens["access_token"].as_str().unwrap()).await;
    let mut theirs = open(&colleague).await;

    let logout = json!({ "refresh_token": tokens["refresh_token"] });
    let resp = app.post("/api/v1/auth/logout", None, &logout).await;
    assert_eq!(resp.status(), 204);
    let last = mine.next(WITHIN).await.expect("a last event");
    assert_eq!(last.event, "closed", "{:?}", last.data);
    assert!(
        mine.next(Duration::from_secs(2)).await.is_none(),
        "it ended"
    );
    assert!(
        theirs
            .next(Duration::from_secs(2))
            .await
            .is_none_or(|e| e.event != "closed"),
        "another person's stream stays open"
    );
}

#[tokio::test]
async fn a_tracking_link_holds_a_bounded_number_of_streams() {
    let app = ocpizza_tests::spawn_app_with(|c| {
        c.realtime.max_streams_per_subscriber = 2;
        c.realtime.keep_alive_secs = 1;
    })
    .await;
    let (_, m) = shop(&app, "flux").await;
    let mut body = takeaway(&m);
    body["guest"] = crate::orders::guest(1);
    let order: Value = app
        .post("/api/v1/pizzerias/flux/orders", None, &body)
        .await
        .json()
        .await
        .unwrap();
    let url = order["tracking_url"].as_str().unwrap();
    let events = format!("{}/events", &url[url.find("/api/").unwrap()..]);
    let open = async || {
        app.request(reqwest::Method::GET, &events)
            .send()
            .await
            .unwrap()
    };
    let first = open().await;
    let second = open().await;
    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (200, 200)
    );
    let third = open().await;
    let retry_after = third.headers().get("retry-after").cloned();
    let (status, p) = problem(third).await;
    assert_eq!(
        (status, p["type"].as_str()),
        (429, Some("/problems/too-many-streams"))
    );
    assert!(retry_after.is_some());
    // A stream closed by its client gives its slot back (noticed at the next keep-alive).
    drop(first);
    let deadline = std::time::Instant::now() + WITHIN;
    loop {
        let again = open().await;
        if again.status() == 200 {
            break;
        }
        assert_eq!(again.status(), 429);
        assert!(
            std::time::Instant::now() < deadline,
            "the slot never came back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(second);
}
